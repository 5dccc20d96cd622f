/*
 * The account flow (pam_sm_acct_mgmt): may this ID log in now?  The
 * decision is za_account_check() over the user entry and its lockout
 * status; this file reads them and tells the user what to do.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_account.h"
#include "za_config.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_pam.h"

#define _(s)	za_pam_text(s)

/* Tell the user why the account phase refuses, and what to do. */
static void
za_pam_account_say(struct za_pam_ctx *ctx, const struct za_account_verdict *v)
{
	char a[64], b[64];

	switch (v->state) {
	case ZA_ACCT_OK:
		break;
	case ZA_ACCT_DISABLED:
		za_pam_error(ctx, "%s", _("This ID is disabled. Contact the ID "
		    "administrator."));
		break;
	case ZA_ACCT_SUSPENDED:
		za_pam_error(ctx, "%s", _("This ID is suspended (secondment or "
		    "leave of absence). Contact the ID administrator."));
		break;
	case ZA_ACCT_EXPIRED:
		za_pam_format_time(v->from, a, sizeof(a));
		za_pam_error(ctx, _("This ID expired at %s. Contact the ID "
		    "administrator."), a);
		break;
	case ZA_ACCT_LOCKED:
		za_pam_say_locked(ctx, v->until);
		break;
	case ZA_ACCT_PRIV_NOT_CHECKED_OUT:
		za_pam_error(ctx, "%s", _("This privileged ID is not checked "
		    "out. Check it out before logging in."));
		break;
	case ZA_ACCT_PRIV_OUTSIDE_WINDOW:
		za_pam_format_time(v->from, a, sizeof(a));
		za_pam_format_time(v->until, b, sizeof(b));
		za_pam_error(ctx, _("This privileged ID is checked out from %s "
		    "to %s only."), a, b);
		break;
	case ZA_ACCT_PASSWORD_RESET:
		za_pam_error(ctx, "%s", _("Your password was reset by an "
		    "administrator and must be changed now."));
		break;
	}
}

int
za_pam_account(struct za_pam_ctx *ctx, struct za_account_verdict *v)
{
	const void *data = NULL;
	const struct za_pam_authinfo *ai = NULL;
	struct za_pam_user *pu = NULL;
	struct za_lockout_policy lp;
	struct za_lockout_status ls;
	int r, reset_check;

	memset(v, 0, sizeof(*v));
	if ((r = za_pam_get_user(ctx)) != ZA_OK)
		return r;
	if (!ctx->user_valid) {
		r = ZA_ERR_NOT_FOUND;
		goto out;
	}
	if (pam_get_data(ctx->pamh, ZA_PAM_DATA_AUTH, &data) == PAM_SUCCESS &&
	    data != NULL && strcmp(((const struct za_pam_authinfo *)data)->user,
	    ctx->user) == 0)
		ai = data;
	if ((r = za_pam_dir_open(ctx)) != ZA_OK)
		goto out;
	if ((r = za_pam_user_lookup(ctx, 0, &pu)) != ZA_OK)
		goto out;
	za_lockout_policy_from_config(ctx->cfg, &lp);
	(void)za_lockout_evaluate(&lp, &pu->lock, ctx->now, &ls);
	/* pwdReset concerns the directory password only. */
	reset_check = ctx->cfg->password == ZA_PASSWORD_DIRECTORY;
	if ((r = za_account_check(pu->user, &ls, ctx->cfg->lockout_ppolicy,
	    reset_check, ctx->now, v)) != ZA_OK)
		goto out;
	if (v->state == ZA_ACCT_OK && ai != NULL && ai->pwd_must_change &&
	    reset_check)
		v->state = ZA_ACCT_PASSWORD_RESET;
	za_pam_account_say(ctx, v);
	r = ZA_OK;
out:
	if (r == ZA_OK)
		pam_syslog(ctx->pamh, v->state == ZA_ACCT_OK ? LOG_INFO :
		    LOG_NOTICE, "account: user=%s terminal=%s result=%s "
		    "reason=%s", ctx->user, ctx->terminal, v->state ==
		    ZA_ACCT_OK ? "allowed" : "denied",
		    za_account_state_str(v->state));
	else
		pam_syslog(ctx->pamh, LOG_NOTICE, "account: user=%s terminal=%s "
		    "result=error reason=%s", za_pam_log_name(ctx,
		    r != ZA_ERR_NOT_FOUND), ctx->terminal, r ==
		    ZA_ERR_NOT_FOUND ? "no such user" : za_strerror(r));
	za_pam_user_free(&pu);
	return r;
}
