/*
 * libsoftfido_shim.so: LD_PRELOAD this into an unmodified libfido2 program
 * (pamtester or pamrun with pam_zoneauth, idmgr, ...) and it finds the
 * software authenticator instead of USB keys:
 *
 *   fido_dev_info_manifest  lists one device, path "softfido", carrying
 *                           softfido's io and transport functions (so
 *                           fido_dev_new_with_info/fido_dev_open_with_info
 *                           work too), or none if SOFTFIDO_ABSENT is set;
 *   fido_dev_open           for path "softfido" installs those functions,
 *                           then calls libfido2's own fido_dev_open.
 *
 * Only these two symbols are exported (everything else is built with
 * hidden visibility), so the shim cannot clash with its host.
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include <fido.h>

#include "softfido.h"

#define SHIM_EXPORT	__attribute__((visibility("default")))

typedef int dev_open_fn(fido_dev_t *, const char *);

SHIM_EXPORT int fido_dev_info_manifest(fido_dev_info_t *, size_t, size_t *);
SHIM_EXPORT int fido_dev_open(fido_dev_t *, const char *);

int
fido_dev_info_manifest(fido_dev_info_t *devlist, size_t ilen, size_t *olen)
{
	int r;

	if (olen == NULL)
		return FIDO_ERR_INVALID_ARGUMENT;
	*olen = 0;
	if (devlist == NULL)
		return FIDO_ERR_INVALID_ARGUMENT;
	if (ilen == 0 || softfido_env_absent())
		return FIDO_OK;
	if ((r = fido_dev_info_set(devlist, 0, SOFTFIDO_PATH, "zoneauth",
	    "softfido", &softfido_io, &softfido_transport)) == FIDO_OK)
		*olen = 1;
	return r;
}

int
fido_dev_open(fido_dev_t *dev, const char *path)
{
	dev_open_fn *real;
	int r;

	if (dev != NULL && path != NULL && strcmp(path, SOFTFIDO_PATH) == 0) {
		if (softfido_env_absent())
			return FIDO_ERR_RX;	/* as if unplugged */
		if ((r = softfido_dev_attach(dev)) != FIDO_OK)
			return r;
	}
	/* libfido2's fido_dev_open, next in the lookup order after us. */
	real = (dev_open_fn *)dlsym(RTLD_NEXT, "fido_dev_open");
	if (real == NULL || real == fido_dev_open)
		return FIDO_ERR_INTERNAL;
	return real(dev, path);
}
