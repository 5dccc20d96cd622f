/*
 * The append-only, hash-chained audit log.
 *
 * Every change idmgr makes (and every refusal), and where configured every
 * PAM login attempt, is appended as one JSON object per line:
 *
 *   {"v":1,"seq":7,"time":"2026-11-24T09:00:00+09:00","alg":"sha256",
 *    "prev":"<64 hex>","operator":{"dn":"uid=admin,...","user":"root",
 *    "uid":0},"action":"user.add","target":"uid=taro,ou=people,...",
 *    "result":"ok","reason":"...","before":{"attr":["v1",...]},
 *    "after":{"attr":[...]},"hash":"<64 hex>"}
 *
 * (one line; "kid" follows "alg" in HMAC mode; "reason", "before",
 * "after" and "omitted" appear only when set; "target", "dn" and "user"
 * are null when unknown).
 *
 * Chaining.  A line always ends with the 75 bytes ,"hash":"<64 hex>"}
 * followed by "\n".  Call everything before that tail the line's *body*
 * (it starts with '{' and lacks the closing brace).  Then
 *
 *   hash = SHA-256(prev || body)                  with "alg":"sha256"
 *   hash = HMAC-SHA-256(key, prev || body)        with "alg":"hmac-sha256"
 *
 * where prev is the 32 raw bytes of the previous line's hash (32 zero bytes
 * for the first line, whose "seq" is 1) and equals the record's own "prev"
 * field.  The hash covers the exact bytes written, so a verifier never
 * re-serializes JSON and a different json-c version cannot break old logs.
 * In HMAC mode "kid" holds the first 8 bytes, in hex, of
 * HMAC-SHA-256(key, "zoneauth-audit-kid-v1") so that a wrong key is told
 * apart from an edited record.  One log uses one mode and one key
 * throughout: za_audit_append() refuses to chain a record of another mode
 * or key onto the last one; rotate the log (start a new file) to switch.
 *
 * The HMAC key file holds at least 32 bytes (e.g. `openssl rand -hex 32`),
 * trailing newlines ignored; it must be owned by the effective user (root
 * in production) and unreadable by group and others.
 *
 * Limits.  A line is at most ZA_AUDIT_LINE_MAX bytes including the newline.
 * Plain SHA-256 chains detect edits, deletions, insertions and reordering
 * by anyone who does not recompute the chain from that point on; only the
 * HMAC mode resists someone who can write the file but cannot read the
 * key.  Cutting records off the end is not visible in the chain itself:
 * compare the last seq/hash with the syslog copy za_audit_append() emits.
 */
#ifndef ZA_AUDIT_H
#define ZA_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct za_log;
struct za_audit_record;

#define ZA_AUDIT_LINE_MAX	65536	/* bytes per line, newline included */
#define ZA_AUDIT_FIELD_MAX	4096	/* bytes per string field or value */
#define ZA_AUDIT_HASH_HEX	64	/* hex digits of a hash */
#define ZA_AUDIT_REDACTED	"<redacted>"

/* Outcome of the audited action. */
enum za_audit_result {
	ZA_AUDIT_RESULT_OK,		/* "ok" */
	ZA_AUDIT_RESULT_REFUSED,	/* "refused": denied by policy/state */
	ZA_AUDIT_RESULT_ERROR,		/* "error": attempted, failed */
};

/*
 * Allocate a record for action (e.g. "user.add", "token.revoke",
 * "login"), with result "ok", no target, and operator uid getuid() with
 * no DN or user name.  action is 1..ZA_AUDIT_FIELD_MAX bytes of [a-z0-9._-].
 * Returns ZA_OK, ZA_ERR_ARG or ZA_ERR_NOMEM; *recp is NULL on failure.
 */
int za_audit_record_new(struct za_audit_record **recp, const char *action);

/* Free *recp (NULL allowed) and set it to NULL. */
void za_audit_record_free(struct za_audit_record **recp);

/*
 * The object acted on: a DN, a uid, a token id.  Valid UTF-8, at most
 * ZA_AUDIT_FIELD_MAX bytes; NULL clears it.  PAM callers must not pass the
 * name an unknown user typed (it may be a mistyped password).
 * Returns ZA_OK, ZA_ERR_ARG (bad UTF-8), ZA_ERR_TOO_LARGE or ZA_ERR_NOMEM.
 */
int za_audit_record_set_target(struct za_audit_record *rec,
    const char *target);

/*
 * Set the result and an optional human reason (UTF-8, at most
 * ZA_AUDIT_FIELD_MAX bytes, NULL for none).  Same returns as above.
 */
int za_audit_record_set_result(struct za_audit_record *rec,
    enum za_audit_result result, const char *reason);

/*
 * Who acted: the directory identity used (dn, may be NULL), the local
 * login name (user, may be NULL) and the local uid.  UTF-8 strings, at
 * most ZA_AUDIT_FIELD_MAX bytes each.  Same returns as above.
 */
int za_audit_record_set_operator(struct za_audit_record *rec,
    const char *dn, const char *user, uid_t uid);

/*
 * Record the time of the event (default: the time of za_audit_append()).
 */
void za_audit_record_set_time(struct za_audit_record *rec, time_t t);

/*
 * Record that attribute attr changed from the NULL-terminated values
 * before to after (either may be NULL for none).  attr is an LDAP
 * attribute description ([A-Za-z0-9.;-], at most 128 bytes) and may be
 * given once per record.  If za_audit_attr_is_secret(attr), every value is
 * stored as ZA_AUDIT_REDACTED (the values themselves are never read, so
 * a secret is not even copied); otherwise each value must be valid UTF-8
 * of at most ZA_AUDIT_FIELD_MAX bytes.  Returns ZA_OK, ZA_ERR_ARG,
 * ZA_ERR_EXISTS (attr given twice), ZA_ERR_TOO_LARGE or ZA_ERR_NOMEM.
 */
int za_audit_record_add_change(struct za_audit_record *rec, const char *attr,
    const char *const *before, const char *const *after);

/*
 * Return 1 if the values of attribute description attr must never be
 * written: userPassword, oathSecret, zaPrivEscrow, zaPrivEscrowHistory
 * (any case, with or without ";options") and any name given as a numeric
 * OID, whose meaning cannot be decided by name.  Return 0 otherwise.
 */
int za_audit_attr_is_secret(const char *attr);

/*
 * Append rec to the log at path, chained to its last line.  hmac_key_file
 * NULL selects "sha256", else "hmac-sha256" with the key read from that
 * file (see above).
 *
 * The log is opened O_RDWR|O_APPEND|O_NOFOLLOW|O_CLOEXEC (created mode
 * 0600) and must be a regular file owned by geteuid(), not writable by
 * group or others, in a directory owned by root or geteuid() that group
 * and others cannot write (unless sticky).  An exclusive flock(2), waited
 * for at most 10 s, is held while the last line is read (from the end, at
 * most ZA_AUDIT_LINE_MAX bytes) and checked, and the new line is written
 * with one write(2) and fsync(2)ed; a failed write is cut off again.  If
 * the file was renamed away (rotated) before the lock was taken, the new
 * file at path is used.  Records too large for one line keep their
 * attribute names but replace each value list by one "<N values
 * omitted>" string and gain "omitted":true.
 *
 * On success one LOG_NOTICE line with seq, action, target, operator,
 * result and the start of the hash goes to lg (never a value or reason).
 * Returns ZA_OK, ZA_ERR_ARG, ZA_ERR_UNSAFE_FILE, ZA_ERR_IO, ZA_ERR_TIMEOUT,
 * ZA_ERR_CONFIG (key file unusable, or the log's last record uses another
 * mode or key), ZA_ERR_PARSE (the last line is incomplete, malformed or
 * fails its own hash: run verify), ZA_ERR_TOO_LARGE, ZA_ERR_RANGE,
 * ZA_ERR_CRYPTO or ZA_ERR_NOMEM; every failure is logged through lg.
 * After ZA_ERR_IO from fsync the record may or may not be in the log.
 */
int za_audit_append(const char *path, const char *hmac_key_file,
    const struct za_audit_record *rec, const struct za_log *lg);

/* What za_audit_verify_*() found wrong first. */
enum za_audit_problem {
	ZA_AUDIT_INTACT = 0,
	ZA_AUDIT_EDITED,	/* hash does not match the line's contents */
	ZA_AUDIT_DELETED,	/* records missing: seq jumps forward */
	ZA_AUDIT_INSERTED,	/* a record that does not chain to its place */
	ZA_AUDIT_REORDERED,	/* records present but out of order */
	ZA_AUDIT_TRUNCATED,	/* last line has no newline */
	ZA_AUDIT_MALFORMED,	/* not a well-formed audit record line */
	ZA_AUDIT_WRONG_KEY,	/* HMAC record made with another key */
	ZA_AUDIT_KEY_MISSING,	/* HMAC record, but no key given */
	ZA_AUDIT_UNKEYED,	/* plain SHA-256 record, but a key was given */
};

struct za_audit_verify_result {
	uint64_t records;	/* good records before the first problem */
	uint64_t bad_line;	/* 1-based line of the first problem, or 0 */
	enum za_audit_problem problem;
	int64_t last_seq;	/* seq of the last good record, 0 if none */
	char last_hash[ZA_AUDIT_HASH_HEX + 1];	/* its hash, "" if none */
	char message[256];	/* one line naming the line and problem */
};

/*
 * Check the whole log at path (opened O_NOFOLLOW, a regular file; read as
 * a stream, never loaded whole) against the chaining rules above, using
 * the key in hmac_key_file if not NULL (then every record must be HMAC'd
 * with that key).  Records appended while verify runs are not examined.
 * Verification stops at the first problem.  *res is always filled in.
 * Returns ZA_OK if the log is intact, ZA_ERR_PARSE if a problem was found
 * (res->problem, bad_line and message say which), or ZA_ERR_IO,
 * ZA_ERR_UNSAFE_FILE, ZA_ERR_CONFIG, ZA_ERR_TIMEOUT, ZA_ERR_NOMEM or
 * ZA_ERR_CRYPTO if it could not be checked (then res->problem is INTACT
 * and res->message says why).
 */
int za_audit_verify_file(const char *path, const char *hmac_key_file,
    struct za_audit_verify_result *res, const struct za_log *lg);

/* The same over len bytes at buf (need not be NUL-terminated). */
int za_audit_verify_buffer(const void *buf, size_t len,
    const char *hmac_key_file, struct za_audit_verify_result *res,
    const struct za_log *lg);

/* Static English name of problem p, e.g. "edited"; never NULL. */
const char *za_audit_problem_name(enum za_audit_problem p);

#endif /* ZA_AUDIT_H */
