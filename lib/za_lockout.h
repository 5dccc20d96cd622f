/*
 * Central failure records and lockout.
 *
 * Every failed login of a known user adds one distinct value to the
 * user's multi-valued zaAuthFailure attribute:
 *   "<GeneralizedTime> <16 hex nonce> <terminal|->"
 * An LDAP add of a new value is atomic, so terminals never lose each
 * other's records and need no lock server.  A user is locked when
 *  - zaLockedUntil is in the future (written when the limit is reached;
 *    ZA_LOCKOUT_ADMIN_TIME when only an administrator may unlock), or
 *  - at least `deny` failures count, i.e. are newer than now - window
 *    and than an expired zaLockedUntil (failures that caused an earlier
 *    lock do not lock again once it has expired), and not older than the
 *    last successful MFA login (zaLastMfaLoginTime; a success deletes the
 *    records it saw, so one of the same second came after it).
 * The second test holds even when the zaLockedUntil write failed.
 * A successful login deletes the failure records it read (reset on
 * success); at most ZA_LOCKOUT_KEEP of the newest records are kept.
 *
 * With the ppolicy option, locking also sets pwdAccountLockedTime so that
 * password binds fail too: "000001010000Z" (locked until an administrator
 * unlocks) when unlock_time is 0, otherwise the time of the lock, after
 * which the password policy's own pwdLockoutDuration applies to binds.
 */
#ifndef ZA_LOCKOUT_H
#define ZA_LOCKOUT_H

#include <stddef.h>
#include <time.h>

#include <ldap.h>

struct za_auth_failure;
struct za_config;
struct za_dir;
struct za_log;

#define ZA_LOCKOUT_KEEP		128	/* failure records kept per user */
#define ZA_LOCKOUT_READ_MAX	4096	/* values read (the decoder's bound) */
/* zaLockedUntil of a lock only an administrator lifts: 9999-12-31 23:59:59Z */
#define ZA_LOCKOUT_ADMIN_TIME	((time_t)253402300799LL)
/* pwdAccountLockedTime of a permanent ppolicy lock */
#define ZA_LOCKOUT_PPOLICY_PERMANENT	"000001010000Z"

struct za_lockout_policy {
	unsigned int deny;	/* failures that lock: 1..100 */
	time_t window;		/* seconds they are counted for */
	time_t unlock_after;	/* seconds; 0: until an administrator unlocks */
	int ppolicy;		/* also set pwdAccountLockedTime */
};

/* What the directory holds about a user's failures and lock. */
struct za_lockout_record {
	struct za_auth_failure *f;	/* parsed values, oldest first */
	char **raw;			/* the same values as stored */
	size_t n;
	size_t malformed;		/* values that did not parse (kept) */
	time_t locked_until;		/* zaLockedUntil; 0 absent */
	time_t last_login;		/* zaLastMfaLoginTime; 0 absent */
	int pwd_locked;			/* pwdAccountLockedTime present */
};

/* The verdict of za_lockout_evaluate(). */
struct za_lockout_status {
	size_t counted;		/* failures counting toward deny now */
	size_t since_login;	/* failures not older than the last login */
	time_t newest;		/* newest failure; 0 none */
	int locked;		/* 1: refuse the login */
	time_t locked_until;	/* end of the lock (ZA_LOCKOUT_ADMIN_TIME:
				   administrator only); 0 when locked only
				   by the count (until failures age out) */
};

/* Fill p from cfg's [lockout] section. */
void za_lockout_policy_from_config(const struct za_config *cfg,
    struct za_lockout_policy *p);

/*
 * The attributes za_lockout_from_entry() reads; include them when
 * searching for a user entry.  NULL-terminated, static.
 */
const char *const *za_lockout_attrs(void);

/*
 * Fill rec from a user entry: zaAuthFailure (at most ZA_LOCKOUT_READ_MAX
 * values, else ZA_ERR_TOO_LARGE), zaLockedUntil, zaLastMfaLoginTime,
 * pwdAccountLockedTime.  Malformed failure values are logged, counted in
 * rec->malformed and otherwise ignored; malformed times are ZA_ERR_PARSE.
 * rec must be zeroed or cleared before.  Returns ZA_OK, ZA_ERR_PARSE,
 * ZA_ERR_TOO_LARGE, ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_lockout_from_entry(LDAP *ld, LDAPMessage *e, const struct za_log *lg,
    struct za_lockout_record *rec);

/*
 * Same from a list of raw zaAuthFailure values and the three times, for
 * callers (and tests) that have them already.  vals may be NULL.
 */
int za_lockout_from_values(struct berval **vals, time_t locked_until,
    time_t last_login, int pwd_locked, const struct za_log *lg,
    struct za_lockout_record *rec);

/* Free what rec owns and zero it; NULL is accepted. */
void za_lockout_record_clear(struct za_lockout_record *rec);

/*
 * Decide whether rec locks the user at time now (see the top of this
 * file).  Pure.  Returns ZA_OK or ZA_ERR_ARG.
 */
int za_lockout_evaluate(const struct za_lockout_policy *p,
    const struct za_lockout_record *rec, time_t now,
    struct za_lockout_status *st);

/*
 * Read the lockout attributes of dn (one base search) into rec (which is
 * cleared first).  Returns ZA_OK, ZA_ERR_NOT_FOUND, ZA_ERR_UNAVAIL,
 * ZA_ERR_LDAP, ZA_ERR_PARSE, ZA_ERR_TOO_LARGE, ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_lockout_read(struct za_dir *dir, const char *dn,
    const struct za_log *lg, struct za_lockout_record *rec);

/*
 * Record one failed login of dn at time now from terminal (a valid
 * za_valid_terminal() name, or NULL for "-"), then re-read the records
 * (other terminals may have added theirs meanwhile) and evaluate them.
 * When the limit is reached and no lock is in force yet, lock: write
 * zaLockedUntil = now + unlock_after (ZA_LOCKOUT_ADMIN_TIME when 0) and,
 * with p->ppolicy, pwdAccountLockedTime; *just_locked is set to 1.
 * Records beyond the newest ZA_LOCKOUT_KEEP are deleted.  st (may be NULL)
 * receives the evaluation after the failure.  Returns ZA_OK or the error
 * of the first write or read that failed (the lock write failing still
 * leaves the user locked by the count).
 */
int za_lockout_fail(struct za_dir *dir, const char *dn,
    const struct za_lockout_policy *p, const char *terminal, time_t now,
    const struct za_log *lg, struct za_lockout_status *st, int *just_locked);

/*
 * After a successful login: delete the failure records of rec (read
 * before the login) and an expired zaLockedUntil, in one modify.  Records
 * another terminal deleted meanwhile are skipped on a second try.  Nothing
 * to delete is ZA_OK.  Returns ZA_OK, ZA_ERR_UNAVAIL, ZA_ERR_LDAP,
 * ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_lockout_reset(struct za_dir *dir, const char *dn,
    const struct za_lockout_record *rec, time_t now,
    const struct za_log *lg);

/*
 * Unlock user_dn (idmgr's "user unlock"): delete every zaAuthFailure
 * value, zaLockedUntil and pwdAccountLockedTime that are present, in one
 * modify (needs write access to them: the ID administrators'), then
 * ppolicy's pwdFailureTime with the Relax Rules control, which needs
 * manage access (the rootdn has it); a refusal of that second step is
 * only logged, as ppolicy clears it at the next successful bind.  A user
 * with nothing to clear is ZA_OK.  Returns ZA_OK, ZA_ERR_NOT_FOUND,
 * ZA_ERR_UNAVAIL, ZA_ERR_LDAP (e.g. insufficient access), ZA_ERR_CONFLICT
 * (changed meanwhile: try again), ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_lockout_unlock(struct za_dir *dir, const char *user_dn,
    const struct za_log *lg);

#endif /* ZA_LOCKOUT_H */
