/*
 * The password method (knowledge).
 *
 * directory: bind to the directory as the user with the password policy
 * request control (za_dir_check_password); the server's ppolicy decides
 * and its response tells expired, must-change, grace logins and locked
 * apart.
 *
 * stack: an earlier module of the same PAM stack (for example pam_unix)
 * checked the password.  This module cannot see whether it accepted it:
 * it counts knowledge as proven when PAM_AUTHTOK is set and not empty,
 * which is only sound when that module is "requisite" (or
 * [success=ok default=die]) so that the stack never reaches this module
 * after a wrong password.  zoneauth.conf(5) and pam_zoneauth(8) say so.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_log.h"
#include "za_pam.h"

/* A DN under the users' subtree that names nobody: the unknown user's bind. */
#define ZA_PAM_NOBODY_RDN	"uid=zoneauth-no-such-user"

static int
za_pam_password_stack(struct za_pam_ctx *ctx, struct za_pam_pw *out)
{
	const void *item = NULL;

	if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS ||
	    item == NULL || *(const char *)item == '\0')
		out->result = ZA_PW_MISSING;
	else
		out->result = ZA_PW_OK;
	return ZA_OK;
}

int
za_pam_password_check(struct za_pam_ctx *ctx, const char *dn,
    const char *pw, struct za_pam_pw *out)
{
	struct za_ppolicy pp;
	char *nobody = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->result = ZA_PW_WRONG;
	out->grace = -1;
	out->expire = -1;
	if (ctx->cfg->password == ZA_PASSWORD_STACK)
		return za_pam_password_stack(ctx, out);
	if (pw == NULL || *pw == '\0')
		return ZA_OK;	/* no bind: an empty password is never right */
	if (dn == NULL) {
		/* Same round trip as for a real user; the server says no. */
		if (asprintf(&nobody, "%s,%s", ZA_PAM_NOBODY_RDN,
		    ctx->cfg->dir.users_dn) < 0)
			return ZA_ERR_NOMEM;
		r = za_dir_check_password(ctx->dir, nobody, pw, NULL);
		free(nobody);
		return r == ZA_ERR_UNAVAIL || r == ZA_ERR_NOMEM ? r : ZA_OK;
	}
	r = za_dir_check_password(ctx->dir, dn, pw, &pp);
	if (pp.present) {
		out->grace = pp.grace;
		out->expire = pp.expire;
	}
	switch (r) {
	case ZA_OK:
		out->result = ZA_PW_OK;
		out->must_change = pp.present &&
		    pp.error == ZA_PP_CHANGE_AFTER_RESET;
		return ZA_OK;
	case ZA_ERR_AUTH:
		if (pp.present && pp.error == ZA_PP_EXPIRED)
			out->result = ZA_PW_EXPIRED;
		else if (pp.present && pp.error == ZA_PP_LOCKED)
			out->result = ZA_PW_LOCKED;
		else
			out->result = ZA_PW_WRONG;
		return ZA_OK;
	default:
		return r;
	}
}
