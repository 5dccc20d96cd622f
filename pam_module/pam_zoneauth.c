/*
 * pam_zoneauth: multi-factor login for the individual-number business zone.
 *
 * This file holds only the pam_sm_* entry points: they build a per-call
 * context, run a flow and map the internal za_err result to a PAM code.
 * Everything else lives in the internal library (lib/).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_log.h"

/* Per-call state: nothing survives between calls. */
struct za_pam_ctx {
	pam_handle_t *pamh;
	struct za_log log;
	struct za_config *cfg;
};

static void
za_pam_emit(void *arg, int priority, const char *line)
{
	pam_handle_t *pamh = arg;

	pam_syslog(pamh, priority, "%s", line);
}

/*
 * Load the configuration named by the module arguments.  A configuration
 * must be owned by root, or by the effective user when the host process
 * does not run as root (a screen locker, the tests).
 */
static int
za_pam_ctx_init(struct za_pam_ctx *ctx, pam_handle_t *pamh, int flags,
    int argc, const char **argv)
{
	int r;

	ctx->pamh = pamh;
	ctx->log.emit = za_pam_emit;
	ctx->log.arg = pamh;
	ctx->log.debug = 0;
	ctx->cfg = NULL;
	(void)flags;
	if ((ctx->cfg = za_config_new()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if ((r = za_config_from_args(ctx->cfg, argc, argv, ZA_DEFAULT_CONF,
	    geteuid(), &ctx->log)) != ZA_OK)
		goto out;
	if ((r = za_config_finish(ctx->cfg, &ctx->log)) != ZA_OK)
		goto out;
	ctx->log.debug = ctx->cfg->debug;
	r = ZA_OK;
out:
	if (r != ZA_OK)
		pam_syslog(pamh, LOG_ERR, "configuration rejected: %s; "
		    "denying", za_strerror(r));
	return r;
}

static void
za_pam_ctx_cleanup(struct za_pam_ctx *ctx)
{
	za_config_free(&ctx->cfg);
}

/* Map an internal result to a PAM return code. */
static int
za_pam_code(int r)
{
	switch (r) {
	case ZA_OK:
		return PAM_SUCCESS;
	case ZA_ERR_NOMEM:
		return PAM_BUF_ERR;
	case ZA_ERR_UNAVAIL:
	case ZA_ERR_TLS:
	case ZA_ERR_TIMEOUT:
		return PAM_AUTHINFO_UNAVAIL;
	case ZA_ERR_CONFIG:
	case ZA_ERR_UNSAFE_FILE:
	case ZA_ERR_IO:
	case ZA_ERR_TOO_LARGE:
	case ZA_ERR_ARG:
		return PAM_SERVICE_ERR;
	case ZA_ERR_NOT_FOUND:
		return PAM_USER_UNKNOWN;
	case ZA_ERR_LOCKED:
		return PAM_MAXTRIES;
	default:
		return PAM_AUTH_ERR;
	}
}

/*
 * Authentication.  Loads and checks the configuration and reaches the
 * directory; the factor methods are not part of this build yet, so every
 * attempt that gets this far is denied and logged (fail closed).
 */
PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	struct za_dir *dir = NULL;
	const char *user = NULL;
	int r;

	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) != ZA_OK)
		goto out;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
	    *user == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "no user name; denying");
		r = ZA_ERR_AUTH;
		goto out;
	}
	if ((r = za_dir_open(&ctx.cfg->dir, &ctx.log, &dir)) != ZA_OK) {
		pam_syslog(pamh, LOG_ERR, "directory unavailable: %s; denying",
		    za_strerror(r));
		pam_error(pamh, "The authentication directory cannot be "
		    "reached. Contact the system administrator.");
		goto out;
	}
	pam_syslog(pamh, LOG_NOTICE, "no login method is available in this "
	    "build; denying (directory %s)", za_dir_uri(dir));
	r = ZA_ERR_DENIED;
out:
	za_dir_close(&dir);
	za_pam_ctx_cleanup(&ctx);
	return za_pam_code(r);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_SUCCESS;
}

/* Account checks arrive with the account-phase flow: until then, deny. */
PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	int r;

	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) == ZA_OK) {
		pam_syslog(pamh, LOG_NOTICE, "account checks are not "
		    "available in this build; denying");
		r = ZA_ERR_DENIED;
	}
	za_pam_ctx_cleanup(&ctx);
	return r == ZA_ERR_DENIED ? PAM_PERM_DENIED : za_pam_code(r);
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	int r;

	r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv);
	za_pam_ctx_cleanup(&ctx);
	return za_pam_code(r);
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_SUCCESS;
}

/* Passwords are changed in the directory (ppolicy), not by this module. */
PAM_EXTERN int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_IGNORE;
}
