/*
 * The FIDO2 plug-in: the half of the security-key method that needs
 * libfido2 (and with it libcrypto, libcbor and libudev), built as its own
 * shared object so that pam_zoneauth.so does not link those libraries.
 * Loading them costs every process that loads the module a few
 * milliseconds, and a login whose rule cannot use a security key never
 * needs them.  The module dlopen()s the plug-in the first time a login
 * may use a key (pam_module/fido2_load.c).
 *
 * The plug-in exports one symbol, ZA_FIDO2_PLUGIN_SYMBOL: a struct
 * za_fido2_plugin whose members are the za_fido2.h functions of the same
 * names, with the contracts written there.  The module and the plug-in
 * share structures, so they must come from the same build: the module
 * refuses a plug-in whose abi string or struct size differ from its own.
 */
#ifndef ZA_FIDO2_PLUGIN_H
#define ZA_FIDO2_PLUGIN_H

#include <stddef.h>

#include "za_fido2.h"

#define ZA_FIDO2_PLUGIN_SYMBOL	"za_fido2_plugin"
/* The build the plug-in belongs to: package version and interface. */
#define ZA_FIDO2_PLUGIN_ABI	PACKAGE_VERSION "/fido2-1"

struct za_fido2_plugin {
	const char *abi;		/* ZA_FIDO2_PLUGIN_ABI */
	size_t size;			/* sizeof(struct za_fido2_plugin) */
	int (*find_devices)(int timeout_ms, struct za_fido2_devinfo *out,
	    size_t max, size_t *n, const struct za_log *lg);
	int (*dev_open_first)(int timeout_ms, struct za_fido2_dev **out,
	    struct za_fido2_result *res, const struct za_log *lg);
	int (*dev_caps)(const struct za_fido2_dev *d,
	    struct za_fido2_caps *caps);
	void (*dev_close)(struct za_fido2_dev **dp);
	int (*authenticate)(struct za_fido2_dev *dev,
	    const struct za_fido2_auth_req *req,
	    struct za_fido2_assertion *out, struct za_fido2_result *res,
	    const struct za_log *lg);
	const char *(*reason_name)(enum za_fido2_reason reason);
};

#endif /* ZA_FIDO2_PLUGIN_H */
