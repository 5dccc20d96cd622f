/*
 * pam_zoneauth: multi-factor login for the individual-number business zone.
 *
 * This file holds only the pam_sm_* entry points: they build a per-call
 * context, run a flow (auth.c, account.c, session.c) and map the internal
 * za_err result to a PAM code.  See za_pam.h for the other files.
 */
#include "config.h"

#include <stdlib.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "za_account.h"
#include "za_err.h"
#include "za_pam.h"

/* Map an internal result to a PAM return code. */
static int
za_pam_code(const struct za_pam_ctx *ctx, int r)
{
	if (ctx->conv_failed)
		return PAM_CONV_ERR;
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

/* The account phase's answer for each state. */
static int
za_pam_account_code(enum za_account_state s)
{
	switch (s) {
	case ZA_ACCT_OK:
		return PAM_SUCCESS;
	case ZA_ACCT_EXPIRED:
		return PAM_ACCT_EXPIRED;
	case ZA_ACCT_PASSWORD_RESET:
		return PAM_NEW_AUTHTOK_REQD;
	default:
		return PAM_PERM_DENIED;
	}
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	int r;

	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) == ZA_OK)
		r = za_pam_authenticate(&ctx);
	r = za_pam_code(&ctx, r);
	za_pam_ctx_cleanup(&ctx);
	return r;
}

/* No credentials to establish: the directory holds them. */
PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	struct za_account_verdict v;
	int r;

	v.state = ZA_ACCT_OK;
	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) == ZA_OK)
		r = za_pam_account(&ctx, &v);
	r = r == ZA_OK ? za_pam_account_code(v.state) : za_pam_code(&ctx, r);
	za_pam_ctx_cleanup(&ctx);
	return r;
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	int r;

	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) == ZA_OK)
		r = za_pam_open_session(&ctx);
	r = za_pam_code(&ctx, r);
	za_pam_ctx_cleanup(&ctx);
	return r;
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct za_pam_ctx ctx;
	int r;

	if ((r = za_pam_ctx_init(&ctx, pamh, flags, argc, argv)) == ZA_OK)
		r = za_pam_close_session(&ctx);
	r = za_pam_code(&ctx, r);
	za_pam_ctx_cleanup(&ctx);
	return r;
}

/* Passwords are changed in the directory (ppolicy), not by this module. */
PAM_EXTERN int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh; (void)flags; (void)argc; (void)argv;
	return PAM_IGNORE;
}
