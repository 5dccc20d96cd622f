/*
 * pam_zoneauth internals: the per-call context and the flows the pam_sm_*
 * entry points run.  Nothing here outlives one PAM call except what is
 * stored with pam_set_data() (struct za_pam_authinfo).
 *
 * Files:
 *   context.c     configuration, terminal name, directory connection
 *   prompt.c      conversation, gettext, user messages
 *   lookup.c      user, token and group lookups in the directory
 *   knowledge.c   the password method (directory bind or trusted stack)
 *   possession.c  the TOTP/HOTP methods (directory and file store)
 *   fido2.c       the FIDO2 security-key method (directory)
 *   fido2_load.c  loading the FIDO2 plug-in on first use
 *   auth.c        the authentication flow
 *   account.c     the account flow
 *   session.c     the session flow
 */
#ifndef ZA_PAM_H
#define ZA_PAM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <security/pam_modules.h>

#include "za_account.h"
#include "za_config.h"
#include "za_fido2_plugin.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_model.h"
#include "za_otp.h"
#include "za_policy.h"

#define ZA_TEXTDOMAIN		"zoneauth"
/* pam_set_data() name of what authentication leaves for later phases */
#define ZA_PAM_DATA_AUTH	"pam_zoneauth.auth"
#define ZA_PAM_BANNER_MAX	8192	/* bytes of a banner file */

/* Per-call state. */
struct za_pam_ctx {
	pam_handle_t *pamh;
	struct za_log log;
	struct za_config *cfg;
	struct za_dir *dir;		/* NULL until za_pam_dir_open() */
	const char *user;		/* PAM_USER, owned by libpam */
	int user_valid;			/* user has login-name syntax */
	char *user_dn;			/* uid=<user>,<users>; NULL if invalid */
	char terminal[ZA_TERMINAL_MAX + 1];	/* PAM_RHOST or host:tty */
	time_t now;
	int silent;			/* PAM_SILENT: no informational messages */
	int conv_failed;		/* the application's conversation failed */
	/* The FIDO2 plug-in, once loaded (fido2_load.c). */
	void *fido2_dl;			/* dlopen() handle, or NULL */
	const struct za_fido2_plugin *fido2;
	int fido2_failed;		/* loading failed: do not retry */
};

/* A user entry as the flows need it. */
struct za_pam_user {
	struct za_user *user;		/* decoded entry */
	struct za_lockout_record lock;	/* failure records and lock */
	struct za_otp_token_list tokens;	/* usable OTP tokens: directory
					   ones have dn, file store ones owner */
	struct za_fido2_cred_list fido2;	/* active FIDO2 credentials
					   (directory) */
	char **groups;			/* cn of the groups, once fetched */
	size_t ngroups;
	int groups_fetched;
};

/* What authentication leaves for the account and session phases. */
struct za_pam_authinfo {
	char *user;
	int pwd_must_change;		/* ppolicy changeAfterReset */
	time_t prev_login;		/* zaLastMfaLoginTime before this login */
	char *prev_terminal;
	size_t failures_since;		/* failures since prev_login */
	time_t last_failure;
};

/* ---- context.c */
/*
 * Fill ctx: load the configuration (module arguments, conf=, defaults;
 * owner: root or the effective user), bind the message catalogue and
 * work out the terminal name.  Logs and returns the configuration error.
 */
int za_pam_ctx_init(struct za_pam_ctx *ctx, pam_handle_t *pamh, int flags,
    int argc, const char **argv);
void za_pam_ctx_cleanup(struct za_pam_ctx *ctx);
/* Read PAM_USER (prompting if needed) into ctx->user and ctx->user_dn. */
int za_pam_get_user(struct za_pam_ctx *ctx);
/* Connect to the directory; on failure log and tell the user. */
int za_pam_dir_open(struct za_pam_ctx *ctx);
/* The name logged for the user: the name, or "(unknown)" if so configured. */
const char *za_pam_log_name(const struct za_pam_ctx *ctx, int known);
/* Sleep for the configured failure delay. */
void za_pam_fail_delay(const struct za_pam_ctx *ctx);

/* ---- prompt.c */
/* The translation of msgid in the zoneauth catalogue. */
const char *za_pam_text(const char *msgid) __attribute__((format_arg(1)));
/* Same with plural forms. */
const char *za_pam_ntext(const char *msgid, const char *plural,
    unsigned long n) __attribute__((format_arg(1)))
    __attribute__((format_arg(2)));
/* Bind the catalogue directory (cfg->localedir or LOCALEDIR). */
void za_pam_i18n_init(const struct za_config *cfg);
/*
 * Ask prompt (already translated) with echo off (echo 0) or on; *answerp
 * receives a malloc'd string to free with za_free_secret_str().  A failed
 * conversation sets ctx->conv_failed and returns ZA_ERR_IO.
 */
int za_pam_ask(struct za_pam_ctx *ctx, int echo, const char *prompt,
    char **answerp);
/*
 * Send an informational / error message (printf format, translated).
 * With PAM_SILENT, informational messages are not sent; errors are.
 */
void za_pam_info(struct za_pam_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void za_pam_error(struct za_pam_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Format t as local "YYYY-MM-DD HH:MM" into buf. */
void za_pam_format_time(time_t t, char *buf, size_t bufsz);
/* Tell the user why an ID is locked (lock end, or administrator only). */
void za_pam_say_locked(struct za_pam_ctx *ctx, time_t until);
/* Send the banner file's text, checked like the configuration. */
int za_pam_send_banner(struct za_pam_ctx *ctx, const char *path);

/* ---- lookup.c */
/*
 * Look up ctx->user_dn: the user entry (with its lockout attributes) and,
 * when with_tokens, its OTP token children with their parameters, the
 * user's tokens of the file store and the active FIDO2 credentials among
 * the children and in the file store.  ZA_ERR_NOT_FOUND for no such user.
 */
int za_pam_user_lookup(struct za_pam_ctx *ctx, int with_tokens,
    struct za_pam_user **out);
void za_pam_user_free(struct za_pam_user **pup);
/* za_group_check_fn over a struct za_pam_user (arg: struct za_pam_cb). */
int za_pam_is_member(void *arg, const char *group, int *member);
struct za_pam_cb {
	struct za_pam_ctx *ctx;
	struct za_pam_user *pu;
};

/* ---- knowledge.c */
enum za_pam_pw_result {
	ZA_PW_OK = 0,
	ZA_PW_WRONG,		/* wrong password (or no such user) */
	ZA_PW_EXPIRED,		/* ppolicy: expired, no grace left */
	ZA_PW_LOCKED,		/* ppolicy: account locked */
	ZA_PW_MISSING,		/* stack: no PAM_AUTHTOK from earlier */
};
struct za_pam_pw {
	enum za_pam_pw_result result;
	int must_change;	/* bound, but changeAfterReset */
	int grace;		/* grace logins left; -1 none reported */
	int expire;		/* seconds to expiry; -1 none reported */
};
/*
 * Check the password for user dn (NULL: unknown user; the same work is
 * done against a DN that does not exist).  pw is the typed password
 * (directory mode) and is ignored in stack mode.  Returns ZA_OK with
 * out->result set, or ZA_ERR_UNAVAIL and other directory errors.
 */
int za_pam_password_check(struct za_pam_ctx *ctx, const char *dn,
    const char *pw, struct za_pam_pw *out);

/* ---- possession.c */
struct za_pam_otp {
	enum za_otp_verdict verdict;	/* best verdict over the tokens */
	struct za_otp_token *token;	/* accepted token, in the user's list */
	uint64_t new_value;		/* step or counter to store */
	size_t ntokens;			/* usable tokens tried */
};
/*
 * Verify code against the user's usable tokens of the allowed methods
 * (pu NULL or no tokens: against a random dummy token, for the same
 * cost).  Stores nothing.  Returns ZA_OK with out filled, or ZA_ERR_*.
 */
int za_pam_otp_verify(struct za_pam_ctx *ctx, struct za_pam_user *pu,
    unsigned int methods, const char *code, struct za_pam_otp *out);
/*
 * Store the accepted step/counter with a compare-and-swap (directory) or
 * under the store's exclusive lock.  ZA_ERR_CONFLICT: another terminal
 * used the code first (a replay).
 */
int za_pam_otp_commit(struct za_pam_ctx *ctx, const struct za_pam_otp *res);

/* ---- fido2_load.c */
/*
 * The FIDO2 plug-in, loaded on the first call (fido2.plugin, or the one
 * installed with the module; checked like a configuration file).  NULL,
 * logged once, when it cannot be loaded: security keys are unusable.
 */
const struct za_fido2_plugin *za_pam_fido2_plugin(struct za_pam_ctx *ctx);

/* ---- fido2.c */
/* What the security-key step did. */
struct za_pam_key {
	enum za_uv_kind asked;		/* what the key was asked to verify */
	unsigned int proves;		/* ZA_CLASS_* proven; 0 on failure */
	struct za_fido2_cred *cred;	/* the user's credential that signed
					   (in pu->fido2), or NULL */
	uint32_t new_count;		/* signature counter to store */
	int cloned;			/* counter did not advance: a clone */
	char why[96];			/* for the attempt's log line */
};
/* 1 when a FIDO security key is plugged in now (discovery only). */
int za_pam_fido2_present(struct za_pam_ctx *ctx);
/*
 * The security-key step of a login under plan: open the first key found
 * (waiting up to fido2.touch_timeout for one), choose what it must verify
 * (plan->uv; fido2.require_uv turns presence-only into built-in UV or
 * PIN), ask the PIN if needed, ask for the touch and verify the
 * assertion with the user's usable credentials (active, fido2.rp_id,
 * AAGUID in fido2.aaguids).  pu NULL (unknown user) or no usable
 * credential: the same prompts and device work against a random
 * credential id, which the key cannot hold.  The user is told why a key
 * failed where that reveals nothing about the account.  Returns ZA_OK
 * with out filled (out->proves 0 on failure), ZA_ERR_IO when the
 * conversation failed, ZA_ERR_NOMEM.  Stores nothing.
 */
int za_pam_fido2_login(struct za_pam_ctx *ctx, struct za_pam_user *pu,
    const struct za_plan *plan, struct za_pam_key *out);
/*
 * Advance the credential's stored signature counter to k->new_count with
 * a compare-and-swap in the directory, or under the file store's lock for
 * a store credential (nothing to do for a key without a counter).
 * ZA_ERR_CONFLICT: another login stored it first (concurrent use of the
 * key, or a replay).
 */
int za_pam_fido2_commit(struct za_pam_ctx *ctx, const struct za_pam_key *k);
/*
 * After a counter regression: mark the credential cloned with a compare-
 * and-swap active -> cloned (directory or file store), so that it is
 * never used again.
 */
int za_pam_fido2_mark_cloned(struct za_pam_ctx *ctx,
    const struct za_pam_key *k);

/* ---- flows */
int za_pam_authenticate(struct za_pam_ctx *ctx);
int za_pam_account(struct za_pam_ctx *ctx, struct za_account_verdict *v);
int za_pam_open_session(struct za_pam_ctx *ctx);
int za_pam_close_session(struct za_pam_ctx *ctx);

#endif /* ZA_PAM_H */
