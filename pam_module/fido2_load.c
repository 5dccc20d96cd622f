/*
 * Loading the FIDO2 plug-in (lib/za_fido2_plugin.h) the first time a
 * login may use a security key, so that logins whose rule allows no key
 * never load libfido2 and libcrypto.
 *
 * The plug-in is fido2.plugin, or the one installed with the module
 * (ZA_FIDO2_PLUGIN).  It is opened with O_NOFOLLOW and checked on the
 * descriptor like a configuration file: a regular file owned by root or
 * the effective user, writable by nobody else.  The checked descriptor
 * itself is loaded (/proc/self/fd/N), so a file put in its place after
 * the check is never run.  A plug-in that cannot be loaded, or comes from
 * another build, is logged and the key method is unavailable: whatever
 * the rule still allows without a key decides the login.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "za_err.h"
#include "za_fido2_plugin.h"
#include "za_file.h"
#include "za_pam.h"

/* Does p come from this build, with every function present? */
static int
za_pam_plugin_ok(const struct za_fido2_plugin *p)
{
	return p->size == sizeof(*p) && p->abi != NULL &&
	    strcmp(p->abi, ZA_FIDO2_PLUGIN_ABI) == 0 &&
	    p->find_devices != NULL && p->dev_open_first != NULL &&
	    p->dev_caps != NULL && p->dev_close != NULL &&
	    p->authenticate != NULL && p->reason_name != NULL;
}

const struct za_fido2_plugin *
za_pam_fido2_plugin(struct za_pam_ctx *ctx)
{
	const struct za_file_policy pol = { geteuid(), 0, 0 };
	const struct za_fido2_plugin *p = NULL;
	const char *path = ctx->cfg->fido2.plugin != NULL ?
	    ctx->cfg->fido2.plugin : ZA_FIDO2_PLUGIN;
	const char *why = NULL;
	char fdpath[32];
	void *h = NULL;
	int fd = -1;

	if (ctx->fido2 != NULL || ctx->fido2_failed)
		return ctx->fido2;
	if (za_file_open_checked(path, &pol, &ctx->log, &fd) != ZA_OK) {
		why = "not a safe file (see the previous message)";
		goto out;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if ((h = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		goto out;
	}
	p = (const struct za_fido2_plugin *)dlsym(h, ZA_FIDO2_PLUGIN_SYMBOL);
	if (p == NULL || !za_pam_plugin_ok(p)) {
		why = "not a FIDO2 plug-in of this build of pam_zoneauth";
		p = NULL;
		goto out;
	}
	ctx->fido2_dl = h;
	ctx->fido2 = p;
	h = NULL;
out:
	if (h != NULL)
		dlclose(h);
	if (fd >= 0)
		close(fd);
	if (p == NULL) {
		ctx->fido2_failed = 1;
		pam_syslog(ctx->pamh, LOG_ERR, "fido2: cannot load the FIDO2 "
		    "plug-in %s: %s; security keys cannot be used", path,
		    why != NULL ? why : "unknown error");
	}
	return p;
}
