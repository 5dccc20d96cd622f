/*
 * The session flow (pam_sm_open_session, pam_sm_close_session).
 *
 * Opening shows the previous successful login (time, terminal) and the
 * failed attempts since, then the banner, and records this login
 * (zaLastMfaLoginTime, zaLastMfaLoginTerminal) when this module
 * authenticated it.  Closing records zaLastLogoutTime.  Both writes are
 * skipped when the recorded value is younger than session.record_interval
 * (and, for logins, from the same terminal), so a busy zone does not
 * flood replication.  A session never fails because the directory is
 * down: the problem is logged and the session opens.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <ldap.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_pam.h"
#include "za_schema.h"
#include "za_time.h"

#define _(s)	za_pam_text(s)

/* Replace attr (and attr2, when set) of the user with one value each. */
static int
za_pam_replace(struct za_pam_ctx *ctx, const char *attr, const char *val,
    const char *attr2, const char *val2)
{
	char *v1[2] = { NULL, NULL }, *v2[2] = { NULL, NULL };
	char a1[64], a2[64];
	LDAPMod m1, m2, *mods[3] = { NULL, NULL, NULL };
	int r;

	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	/* libldap takes char *; copies keep the callers' const intact. */
	snprintf(a1, sizeof(a1), "%s", attr);
	if ((v1[0] = strdup(val)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	m1.mod_op = LDAP_MOD_REPLACE;
	m1.mod_type = a1;
	m1.mod_values = v1;
	mods[0] = &m1;
	if (attr2 != NULL) {
		snprintf(a2, sizeof(a2), "%s", attr2);
		if ((v2[0] = strdup(val2)) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		m2.mod_op = LDAP_MOD_REPLACE;
		m2.mod_type = a2;
		m2.mod_values = v2;
		mods[1] = &m2;
	}
	r = za_dir_modify(ctx->dir, ctx->user_dn, mods);
out:
	free(v1[0]);
	free(v2[0]);
	return r;
}

/* Is a record written at `when` recent enough to skip a new one? */
static int
za_pam_recent(const struct za_pam_ctx *ctx, time_t when)
{
	time_t interval = (time_t)(ctx->cfg->session_record_ms / 1000);

	return when != 0 && interval > 0 && when <= ctx->now &&
	    ctx->now - when < interval;
}

static void
za_pam_show_last_login(struct za_pam_ctx *ctx, time_t prev,
    const char *prev_terminal, size_t failures, time_t last_failure)
{
	char when[64];

	if (prev == 0)
		za_pam_info(ctx, "%s", _("This is the first recorded login of "
		    "this ID."));
	else {
		za_pam_format_time(prev, when, sizeof(when));
		za_pam_info(ctx, _("Last login: %s from %s"), when,
		    prev_terminal != NULL ? prev_terminal : "-");
	}
	if (failures > 0) {
		za_pam_format_time(last_failure, when, sizeof(when));
		za_pam_info(ctx, za_pam_ntext("%lu failed login attempt since "
		    "the last login (the latest at %s).", "%lu failed login "
		    "attempts since the last login (the latest at %s).",
		    (unsigned long)failures), (unsigned long)failures, when);
	}
}

int
za_pam_open_session(struct za_pam_ctx *ctx)
{
	const void *data = NULL;
	const struct za_pam_authinfo *ai = NULL;
	struct za_pam_user *pu = NULL;
	struct za_lockout_policy lp;
	struct za_lockout_status ls;
	char now[ZA_TIME_GENTIME_BUFSZ];
	int r, same;

	if (za_pam_get_user(ctx) != ZA_OK || !ctx->user_valid)
		goto banner;
	if (pam_get_data(ctx->pamh, ZA_PAM_DATA_AUTH, &data) == PAM_SUCCESS &&
	    data != NULL && strcmp(((const struct za_pam_authinfo *)data)->user,
	    ctx->user) == 0)
		ai = data;
	if (!ctx->cfg->session_last_login && ai == NULL)
		goto banner;	/* nothing to show or record */
	if ((r = za_dir_open(&ctx->cfg->dir, &ctx->log, &ctx->dir)) != ZA_OK) {
		pam_syslog(ctx->pamh, LOG_WARNING, "session: directory "
		    "unavailable (%s); last login not shown or recorded",
		    za_strerror(r));
		goto banner;
	}
	if ((r = za_pam_user_lookup(ctx, 0, &pu)) != ZA_OK) {
		if (r != ZA_ERR_NOT_FOUND)
			pam_syslog(ctx->pamh, LOG_WARNING, "session: %s: %s",
			    ctx->user, za_strerror(r));
		goto banner;
	}
	if (ctx->cfg->session_last_login) {
		if (ai != NULL)
			za_pam_show_last_login(ctx, ai->prev_login,
			    ai->prev_terminal, ai->failures_since,
			    ai->last_failure);
		else {
			za_lockout_policy_from_config(ctx->cfg, &lp);
			(void)za_lockout_evaluate(&lp, &pu->lock, ctx->now,
			    &ls);
			za_pam_show_last_login(ctx, pu->user->last_mfa_time,
			    pu->user->last_mfa_terminal, ls.since_login,
			    ls.newest);
		}
	}
	/* Only a login this module authenticated is an MFA login. */
	if (ai == NULL)
		goto banner;
	same = pu->user->last_mfa_terminal != NULL &&
	    strcmp(pu->user->last_mfa_terminal, ctx->terminal) == 0;
	if (same && za_pam_recent(ctx, pu->user->last_mfa_time)) {
		za_debug(&ctx->log, "session: last login of %s recorded less "
		    "than record_interval ago; not rewritten", ctx->user);
		goto banner;
	}
	if ((r = za_time_format_gentime(ctx->now, now, sizeof(now))) !=
	    ZA_OK || (r = za_pam_replace(ctx, ZA_AT_LAST_MFA_TIME, now,
	    ZA_AT_LAST_MFA_TERMINAL, ctx->terminal)) != ZA_OK)
		pam_syslog(ctx->pamh, LOG_WARNING, "session: recording the "
		    "login of %s failed: %s", ctx->user, za_strerror(r));
banner:
	if (ctx->cfg->session_banner != NULL &&
	    za_pam_send_banner(ctx, ctx->cfg->session_banner) != ZA_OK)
		pam_syslog(ctx->pamh, LOG_WARNING, "session: banner %s not "
		    "shown", ctx->cfg->session_banner);
	za_pam_user_free(&pu);
	return ZA_OK;
}

int
za_pam_close_session(struct za_pam_ctx *ctx)
{
	struct za_pam_user *pu = NULL;
	char now[ZA_TIME_GENTIME_BUFSZ];
	int r;

	if (za_pam_get_user(ctx) != ZA_OK || !ctx->user_valid)
		goto out;
	if ((r = za_dir_open(&ctx->cfg->dir, &ctx->log, &ctx->dir)) != ZA_OK) {
		pam_syslog(ctx->pamh, LOG_WARNING, "session: directory "
		    "unavailable (%s); logout not recorded", za_strerror(r));
		goto out;
	}
	if (za_pam_user_lookup(ctx, 0, &pu) != ZA_OK)
		goto out;
	if (za_pam_recent(ctx, pu->user->last_logout_time))
		goto out;
	if ((r = za_time_format_gentime(ctx->now, now, sizeof(now))) !=
	    ZA_OK || (r = za_pam_replace(ctx, ZA_AT_LAST_LOGOUT_TIME, now,
	    NULL, NULL)) != ZA_OK)
		pam_syslog(ctx->pamh, LOG_WARNING, "session: recording the "
		    "logout of %s failed: %s", ctx->user, za_strerror(r));
out:
	za_pam_user_free(&pu);
	return ZA_OK;
}
