/*
 * The FIDO2 plug-in's one export (za_fido2_plugin.h): the libfido2-backed
 * functions pam_zoneauth.so calls, for it to find with dlsym().
 */
#include "config.h"

#include "za_fido2.h"
#include "za_fido2_plugin.h"

extern const struct za_fido2_plugin za_fido2_plugin;

const struct za_fido2_plugin za_fido2_plugin = {
	.abi = ZA_FIDO2_PLUGIN_ABI,
	.size = sizeof(struct za_fido2_plugin),
	.find_devices = za_fido2_find_devices,
	.dev_open_first = za_fido2_dev_open_first,
	.dev_caps = za_fido2_dev_caps,
	.dev_close = za_fido2_dev_close,
	.authenticate = za_fido2_authenticate,
	.reason_name = za_fido2_reason_name,
};
