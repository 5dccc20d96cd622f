/*
 * The authentication flow (pam_sm_authenticate).
 *
 *  1. Read the user name; connect to the directory (first reachable URI
 *     within the total time bound, else PAM_AUTHINFO_UNAVAIL).
 *  2. Look the user up: entry, failure records, OTP tokens.  A name that
 *     is not a login name or names nobody is an unknown user, who gets
 *     exactly the same prompts, work, delay and message as a known user
 *     with wrong credentials.
 *  3. Choose the first matching rule and plan its steps
 *     (za_policy_plan(): password, possession, what a security key must
 *     verify).  A possession step that may be a code or a key is a key
 *     when one is plugged in, else a code: the choice never depends on
 *     what the user has enrolled.
 *  4. A locked ID is refused before the prompts, with its lock end.
 *  5. Prompt for the password and the one-time code, or run the key step
 *     (PIN prompt, touch, assertion); then verify everything, whatever
 *     the first gave.
 *  6. A verified key assertion stores its signature counter with a
 *     compare-and-swap (losing it: concurrent use or replay, a failure);
 *     a counter that did not advance marks the credential cloned.  Only
 *     when the rule is satisfied, store the OTP step/counter with the
 *     compare-and-swap; losing it is a replay and a failure.
 *  7. Success clears the user's failure records; a failure adds one and
 *     may lock the ID.  Every attempt is logged once, with user (or
 *     "(unknown)"), terminal, rule, methods, result and reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_otp.h"
#include "za_pam.h"
#include "za_policy.h"
#include "za_secret.h"

#define _(s)	za_pam_text(s)

/* What one attempt did, for its log line. */
struct za_pam_attempt {
	const char *rule;
	unsigned int methods;	/* methods asked for */
	const char *result;	/* success, failure, locked, denied, ... */
	char reason[160];
};

static void
za_pam_auth_log(struct za_pam_ctx *ctx, const struct za_pam_attempt *at,
    int known)
{
	char methods[64];
	int prio;

	(void)za_mask_names(at->methods, 1, methods, sizeof(methods));
	prio = strcmp(at->result, "success") == 0 ? LOG_INFO : LOG_NOTICE;
	if (strcmp(at->result, "locked") == 0 ||
	    strcmp(at->result, "unavailable") == 0)
		prio = LOG_WARNING;
	pam_syslog(ctx->pamh, prio, "auth: user=%s terminal=%s rule=%s "
	    "methods=%s result=%s reason=%s", za_pam_log_name(ctx, known),
	    ctx->terminal, at->rule != NULL ? at->rule : "-", methods,
	    at->result, at->reason[0] != '\0' ? at->reason : "-");
}

static void
za_pam_authinfo_cleanup(pam_handle_t *pamh, void *data, int status)
{
	struct za_pam_authinfo *ai = data;

	(void)pamh;
	(void)status;
	if (ai == NULL)
		return;
	free(ai->user);
	free(ai->prev_terminal);
	free(ai);
}

/* Leave what the account and session phases need with the handle. */
static int
za_pam_save_authinfo(struct za_pam_ctx *ctx, const struct za_pam_user *pu,
    const struct za_lockout_status *ls, int must_change)
{
	struct za_pam_authinfo *ai;

	if ((ai = calloc(1, sizeof(*ai))) == NULL)
		return ZA_ERR_NOMEM;
	ai->pwd_must_change = must_change;
	ai->prev_login = pu->user->last_mfa_time;
	ai->failures_since = ls->since_login;
	ai->last_failure = ls->newest;
	if ((ai->user = strdup(ctx->user)) == NULL ||
	    (pu->user->last_mfa_terminal != NULL && (ai->prev_terminal =
	    strdup(pu->user->last_mfa_terminal)) == NULL)) {
		za_pam_authinfo_cleanup(ctx->pamh, ai, 0);
		return ZA_ERR_NOMEM;
	}
	if (pam_set_data(ctx->pamh, ZA_PAM_DATA_AUTH, ai,
	    za_pam_authinfo_cleanup) != PAM_SUCCESS) {
		za_pam_authinfo_cleanup(ctx->pamh, ai, 0);
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}

/* Password-policy news for a user who just proved the password. */
static void
za_pam_password_notes(struct za_pam_ctx *ctx, const struct za_pam_pw *pw)
{
	unsigned long days;

	if (pw->grace >= 0)
		za_pam_error(ctx, za_pam_ntext("Your password has expired. "
		    "%d grace login is left: change the password now.",
		    "Your password has expired. %d grace logins are left: "
		    "change the password now.", (unsigned long)pw->grace),
		    pw->grace);
	else if (pw->expire > 0) {
		days = (unsigned long)pw->expire / 86400UL;
		if (days == 0)
			za_pam_info(ctx, "%s", _("Your password expires "
			    "today."));
		else
			za_pam_info(ctx, za_pam_ntext("Your password expires "
			    "in %lu day.", "Your password expires in %lu days.",
			    days), days);
	}
}

/*
 * Ask for the password and the one-time code the steps need; ZA_ERR_IO
 * if the conversation failed.
 */
static int
za_pam_prompts(struct za_pam_ctx *ctx, const struct za_plan *plan,
    int use_otp, char **password, char **code)
{
	int r;

	if (plan->password && ctx->cfg->password == ZA_PASSWORD_DIRECTORY &&
	    (r = za_pam_ask(ctx, 0, _("Password: "), password)) != ZA_OK)
		return r;
	if (use_otp &&
	    (r = za_pam_ask(ctx, 0, _("One-time code: "), code)) != ZA_OK)
		return r;
	return ZA_OK;
}

/* After a directory error in the middle of a login: tell the user. */
static void
za_pam_say_failed(struct za_pam_ctx *ctx, int r)
{
	if (r == ZA_ERR_UNAVAIL || r == ZA_ERR_TLS)
		za_pam_error(ctx, "%s", _("The authentication directory "
		    "cannot be reached. Contact the system administrator."));
	else
		za_pam_error(ctx, "%s", _("Authentication failed."));
}

/* The methods the login uses, for the log. */
static unsigned int
za_pam_plan_methods(const struct za_plan *plan, int use_otp, int use_key)
{
	unsigned int m = 0;

	if (plan->password)
		m |= plan->methods & ZA_METHOD_PASSWORD;
	if (use_otp)
		m |= plan->methods & (ZA_METHOD_TOTP | ZA_METHOD_HOTP);
	if (use_key)
		m |= ZA_METHOD_FIDO2;
	return m;
}

static void
za_pam_reason(struct za_pam_attempt *at, const char *what)
{
	size_t n = strlen(at->reason);

	snprintf(at->reason + n, sizeof(at->reason) - n, "%s%s",
	    n > 0 ? "," : "", what);
}

/*
 * After a failed attempt of a known user: record it, and tell the user
 * if it locked the ID.  Returns ZA_ERR_LOCKED when it did.
 */
static int
za_pam_record_failure(struct za_pam_ctx *ctx, struct za_pam_attempt *at)
{
	struct za_lockout_policy lp;
	struct za_lockout_status st;
	int just = 0, r;

	za_lockout_policy_from_config(ctx->cfg, &lp);
	r = za_lockout_fail(ctx->dir, ctx->user_dn, &lp, ctx->terminal,
	    ctx->now, &ctx->log, &st, &just);
	if (r != ZA_OK)
		za_pam_reason(at, "failure not recorded");
	if (!st.locked)
		return ZA_ERR_AUTH;
	if (just)
		pam_syslog(ctx->pamh, LOG_WARNING, "lockout: user=%s "
		    "terminal=%s locked after %zu failed logins (deny = %u)",
		    ctx->user, ctx->terminal, st.counted, lp.deny);
	za_pam_say_locked(ctx, st.locked_until);
	return ZA_ERR_LOCKED;
}

int
za_pam_authenticate(struct za_pam_ctx *ctx)
{
	struct za_pam_attempt at;
	struct za_pam_user *pu = NULL;
	struct za_pam_cb cb;
	struct za_lockout_policy lp;
	struct za_lockout_status ls;
	struct za_lockout_record dummy;
	struct za_pam_pw pw;
	struct za_pam_otp otp;
	struct za_pam_key key;
	struct za_plan plan;
	const struct za_rule *rule = NULL;
	char *password = NULL, *code = NULL;
	unsigned int proven = 0;
	int known = 0, delay = 0, use_otp = 0, use_key = 0, r;

	memset(&at, 0, sizeof(at));
	memset(&ls, 0, sizeof(ls));
	memset(&dummy, 0, sizeof(dummy));
	memset(&pw, 0, sizeof(pw));
	pw.result = ZA_PW_WRONG;	/* until a password proves otherwise */
	memset(&otp, 0, sizeof(otp));
	memset(&key, 0, sizeof(key));
	at.result = "error";
	if ((r = za_pam_get_user(ctx)) != ZA_OK)
		return r;
	if ((r = za_pam_dir_open(ctx)) != ZA_OK) {
		at.result = "unavailable";
		za_pam_reason(&at, "directory unreachable");
		goto out;
	}
	if (ctx->user_valid) {
		r = za_pam_user_lookup(ctx, 1, &pu);
		if (r == ZA_OK)
			known = 1;
		else if (r != ZA_ERR_NOT_FOUND) {
			at.result = r == ZA_ERR_UNAVAIL ? "unavailable" :
			    "error";
			za_pam_reason(&at, "user lookup failed");
			za_pam_say_failed(ctx, r);
			goto out;
		}
	} else {
		/* Not a login name: a search of about the same cost. */
		(void)za_lockout_read(ctx->dir, ctx->cfg->dir.users_dn, NULL,
		    &dummy);
		za_lockout_record_clear(&dummy);
	}
	cb.ctx = ctx;
	cb.pu = pu;
	r = za_policy_select(ctx->cfg, ctx->user_valid ? ctx->user : NULL,
	    known ? za_pam_is_member : NULL, &cb, &rule);
	if (r == ZA_ERR_NOT_FOUND) {
		at.result = "denied";
		za_pam_reason(&at, "no rule matches");
		za_pam_error(ctx, "%s", _("No login rule of this terminal "
		    "applies to this ID. Contact the system administrator."));
		r = ZA_ERR_DENIED;
		delay = 1;
		goto out;
	}
	if (r != ZA_OK) {
		za_pam_reason(&at, "group lookup failed");
		za_pam_say_failed(ctx, r);
		goto out;
	}
	at.rule = rule->name;
	if ((r = za_policy_plan(rule, &plan)) != ZA_OK) {
		za_pam_reason(&at, "rule cannot be satisfied");
		goto out;
	}
	/* A code or a key: the terminal decides, not the account. */
	use_key = plan.possession && (plan.fido2_only ||
	    ((plan.methods & ZA_METHOD_FIDO2) != 0 &&
	    za_pam_fido2_present(ctx)));
	use_otp = plan.possession && !use_key;
	at.methods = za_pam_plan_methods(&plan, use_otp, use_key);
	za_lockout_policy_from_config(ctx->cfg, &lp);
	if (known) {
		(void)za_lockout_evaluate(&lp, &pu->lock, ctx->now, &ls);
		if (ls.locked) {
			at.result = "locked";
			za_pam_reason(&at, "ID is locked");
			za_pam_say_locked(ctx, ls.locked_until);
			r = ZA_ERR_LOCKED;
			delay = 1;
			goto out;
		}
	}
	if ((r = za_pam_prompts(ctx, &plan, use_otp, &password, &code)) !=
	    ZA_OK || (use_key && (r = za_pam_fido2_login(ctx, known ? pu :
	    NULL, &plan, &key)) != ZA_OK)) {
		if (r == ZA_ERR_IO) {
			at.result = "aborted";
			za_pam_reason(&at, "conversation failed");
		} else
			za_pam_reason(&at, "security key step failed");
		goto out;
	}
	/* Verify every planned step, whatever the others gave. */
	if (plan.password) {
		if ((r = za_pam_password_check(ctx, known ? ctx->user_dn :
		    NULL, password, &pw)) != ZA_OK) {
			at.result = r == ZA_ERR_UNAVAIL ? "unavailable" :
			    "error";
			za_pam_reason(&at, "password check failed");
			za_pam_say_failed(ctx, r);
			goto out;
		}
		if (pw.result == ZA_PW_OK)
			proven |= ZA_CLASS_KNOWLEDGE;
		else
			za_pam_reason(&at, pw.result == ZA_PW_EXPIRED ?
			    "password expired" : pw.result == ZA_PW_LOCKED ?
			    "password policy lock" : pw.result ==
			    ZA_PW_MISSING ? "no password from the stack" :
			    "wrong password");
	}
	if (use_key && key.proves != 0) {
		r = za_pam_fido2_commit(ctx, &key);
		if (r == ZA_OK)
			proven |= key.proves;
		else if (r == ZA_ERR_CONFLICT)
			za_pam_reason(&at, "security key counter already used "
			    "(concurrent use of the key, or a replay)");
		else {
			at.result = r == ZA_ERR_UNAVAIL ? "unavailable" :
			    "error";
			za_pam_reason(&at, "storing the key's counter failed");
			za_pam_say_failed(ctx, r);
			goto out;
		}
	} else if (use_key) {
		za_pam_reason(&at, key.why[0] != '\0' ? key.why :
		    "security key failed");
		if (known && key.cloned) {
			(void)za_pam_fido2_mark_cloned(ctx, &key);
			za_pam_error(ctx, "%s", _("This security key has been "
			    "blocked because it may have been copied. Contact "
			    "the ID administrator."));
		}
	}
	if (use_otp) {
		if ((r = za_pam_otp_verify(ctx, known ? pu : NULL,
		    plan.methods, code, &otp)) != ZA_OK) {
			za_pam_reason(&at, "code check failed");
			goto out;
		}
		if (otp.token != NULL)
			proven |= ZA_CLASS_POSSESSION;
		else if (known && otp.ntokens == 0)
			za_pam_reason(&at, "no usable token");
		else
			za_pam_reason(&at, otp.verdict == ZA_OTP_REPLAYED ?
			    "code already used" : otp.verdict ==
			    ZA_OTP_MALFORMED ? "malformed code" : "wrong code");
	}
	if (!known)
		za_pam_reason(&at, "unknown user");
	if (known && za_policy_satisfied(rule, proven) && use_otp &&
	    otp.token != NULL) {
		r = za_pam_otp_commit(ctx, &otp);
		if (r == ZA_ERR_CONFLICT) {
			proven &= ~ZA_CLASS_POSSESSION;
			za_pam_reason(&at, "code already used (another "
			    "terminal was first)");
		} else if (r != ZA_OK) {
			at.result = r == ZA_ERR_UNAVAIL ? "unavailable" :
			    "error";
			za_pam_reason(&at, "storing the code's step failed");
			za_pam_say_failed(ctx, r);
			goto out;
		}
	}
	if (known && za_policy_satisfied(rule, proven)) {
		(void)za_lockout_reset(ctx->dir, ctx->user_dn, &pu->lock,
		    ctx->now, &ctx->log);
		if ((r = za_pam_save_authinfo(ctx, pu, &ls, pw.must_change)) !=
		    ZA_OK)
			goto out;
		if (password != NULL && pam_set_item(ctx->pamh, PAM_AUTHTOK,
		    password) != PAM_SUCCESS)
			za_warn(&ctx->log, "could not pass the password on "
			    "(PAM_AUTHTOK)");
		if ((proven & ZA_CLASS_KNOWLEDGE) != 0)
			za_pam_password_notes(ctx, &pw);
		at.result = "success";
		at.reason[0] = '\0';
		if (pw.must_change)
			za_pam_reason(&at, "password must be changed");
		r = ZA_OK;
		goto out;
	}
	/* A failure. */
	at.result = "failure";
	delay = 1;
	r = ZA_ERR_AUTH;
	if (known && pw.result == ZA_PW_EXPIRED) {
		/* The right password, too old: not a guess, not counted. */
		za_pam_error(ctx, "%s", _("Your password has expired. Ask the "
		    "ID administrator to reset it."));
		goto out;
	}
	if (known && pw.result == ZA_PW_LOCKED) {
		at.result = "locked";
		za_pam_error(ctx, "%s", _("The password policy has locked "
		    "this ID. Ask the ID administrator to unlock it."));
		r = ZA_ERR_LOCKED;
		goto out;
	}
	if (known && pw.result == ZA_PW_MISSING)
		pam_syslog(ctx->pamh, LOG_ERR, "password = stack, but no "
		    "earlier module set PAM_AUTHTOK: check the PAM stack");
	if (known && (r = za_pam_record_failure(ctx, &at)) == ZA_ERR_LOCKED)
		at.result = "locked";
	else {
		/* About the directory work of recording a failure. */
		if (!known) {
			(void)za_lockout_read(ctx->dir, ctx->cfg->dir.users_dn,
			    NULL, &dummy);
			za_lockout_record_clear(&dummy);
		}
		za_pam_error(ctx, "%s", _("Authentication failed."));
	}
out:
	za_pam_auth_log(ctx, &at, known);
	if (delay)
		za_pam_fail_delay(ctx);
	za_free_secret_str(&password);
	za_free_secret_str(&code);
	za_pam_user_free(&pu);
	return r;
}
