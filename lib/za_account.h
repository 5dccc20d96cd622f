/*
 * Account checks of the PAM account phase: may this ID log in now?
 *
 * Pure functions over a decoded user (za_model.h) and its lockout status
 * (za_lockout.h), so the rules are tested without PAM or a directory.
 */
#ifndef ZA_ACCOUNT_H
#define ZA_ACCOUNT_H

#include <time.h>

struct za_user;
struct za_lockout_status;

enum za_account_state {
	ZA_ACCT_OK = 0,
	ZA_ACCT_DISABLED,		/* zaAccountStatus disabled */
	ZA_ACCT_SUSPENDED,		/* zaAccountStatus suspended (出向/休職) */
	ZA_ACCT_EXPIRED,		/* zaAccountExpiry passed */
	ZA_ACCT_LOCKED,			/* lockout, or ppolicy lock when checked */
	ZA_ACCT_PRIV_NOT_CHECKED_OUT,	/* privileged ID without a check-out */
	ZA_ACCT_PRIV_OUTSIDE_WINDOW,	/* privileged ID outside its window */
	ZA_ACCT_PASSWORD_RESET,		/* pwdReset: change the password first */
};

struct za_account_verdict {
	enum za_account_state state;
	time_t from;	/* EXPIRED: the expiry; LOCKED: 0; window start */
	time_t until;	/* LOCKED: end of the lock (0 by count; see
			   za_lockout.h); PRIV_OUTSIDE_WINDOW: window end */
};

/*
 * Check u at time now, in this order: disabled, suspended, expired
 * (now > zaAccountExpiry: the expiry is the last valid second), locked
 * (lk->locked, or pwdAccountLockedTime present when check_pwd_locked),
 * privileged ID outside its check-out window (start <= now < end; a
 * missing start or end is "not checked out"), and last, when
 * check_pwd_reset is set, pwdReset.  An account without zaAccountStatus
 * counts as active.  lk may be NULL (no lockout data).  Returns ZA_OK
 * with *v filled, or ZA_ERR_ARG.
 */
int za_account_check(const struct za_user *u,
    const struct za_lockout_status *lk, int check_pwd_locked,
    int check_pwd_reset, time_t now, struct za_account_verdict *v);

/* Static English name of s for logs ("disabled", "suspended", ...). */
const char *za_account_state_str(enum za_account_state s);

#endif /* ZA_ACCOUNT_H */
