/*
 * The credential model: users, OTP tokens, FIDO2 credentials, and the two
 * places they are kept — the directory (model_ldap.c) and the file store
 * (model_file.c).
 *
 * Conventions for every struct below:
 *  - strings are UTF-8 without control characters, NULL when absent,
 *    never empty;
 *  - time_t fields are 0 when absent (the epoch itself therefore reads as
 *    "absent");
 *  - *_free(&p) accepts NULL and *p == NULL, wipes secrets, sets *p = NULL;
 *  - validation and parse errors return ZA_ERR_PARSE (or ZA_ERR_TOO_LARGE
 *    for a size bound) and log through the za_log sink; messages name the
 *    field (and the DN or line), never a secret, a login name that may be
 *    a mistyped password, or an employee number.
 */
#ifndef ZA_MODEL_H
#define ZA_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ldap.h>

struct za_log;

/* ------------------------------------------------------------------ bounds */
#define ZA_UID_MAX		32	/* login name, bytes */
#define ZA_EMPLOYEE_NUMBER_MAX	20	/* digits */
#define ZA_TOKEN_ID_MAX		64	/* [A-Za-z0-9_-] */
#define ZA_LABEL_MAX		128	/* token label, bytes */
#define ZA_NAME_MAX		256	/* cn, sn, kana, department, ... */
#define ZA_REASON_MAX		512	/* status/revoke reasons, purpose */
#define ZA_TERMINAL_MAX		64	/* printable ASCII, no space */
#define ZA_RP_ID_MAX		256	/* printable ASCII, no space */
#define ZA_DN_MAX		1024
#define ZA_STRING_MAX		1024	/* any other string */
#define ZA_SECRET_MIN		16	/* OTP seed: RFC 4226 R6, >= 128 bits */
#define ZA_SECRET_MAX		128
#define ZA_CRED_ID_MAX		1023	/* FIDO2 credential id */
#define ZA_PUBKEY_MAX		2048	/* DER SubjectPublicKeyInfo */
#define ZA_AAGUID_LEN		16
#define ZA_AAGUID_TEXT_LEN	36	/* 8-4-4-4-12 */
#define ZA_FAILURE_NONCE_LEN	16	/* hex digits */
#define ZA_MAX_AUTH_FAILURES	32	/* failure records per user */
#define ZA_MAX_GROUPS		256	/* groups per user (file store) */

#define ZA_OTP_DIGITS_MIN	6
#define ZA_OTP_DIGITS_MAX	8
#define ZA_TOTP_PERIOD_MIN	15	/* seconds; 30 or 60 in practice */
#define ZA_TOTP_PERIOD_MAX	300
#define ZA_TOTP_WINDOW_MAX	10	/* steps either side */
#define ZA_HOTP_LOOKAHEAD_MAX	100
#define ZA_ROTATION_DAYS_MAX	3650

/* COSE algorithm identifiers accepted for FIDO2 credentials */
#define ZA_COSE_ES256	(-7)
#define ZA_COSE_EDDSA	(-8)
#define ZA_COSE_RS256	(-257)

/* ------------------------------------------------------------------ enums */
/*
 * Each enum converts to its directory/file-store string with *_to_string
 * (ZA_ERR_ARG for an out-of-range value, including the UNSET values) and
 * back with *_from_string (ASCII case-insensitive; ZA_ERR_PARSE for
 * anything else; never produces an UNSET value).
 */
enum za_employment {
	ZA_EMPLOYMENT_UNSET = 0,	/* attribute absent */
	ZA_EMPLOYMENT_STAFF,		/* "staff" */
	ZA_EMPLOYMENT_TEMPORARY,	/* "temporary" */
	ZA_EMPLOYMENT_CONTRACTOR,	/* "contractor" */
	ZA_EMPLOYMENT_DEVELOPMENT,	/* "development" */
};

enum za_account_status {
	ZA_ACCOUNT_UNSET = 0,		/* attribute absent */
	ZA_ACCOUNT_ACTIVE,		/* "active" */
	ZA_ACCOUNT_SUSPENDED,		/* "suspended" */
	ZA_ACCOUNT_DISABLED,		/* "disabled" */
};

enum za_token_kind {
	ZA_TOKEN_TOTP = 1,		/* "totp" */
	ZA_TOKEN_HOTP,			/* "hotp" */
	ZA_TOKEN_FIDO2,			/* "fido2" */
};

enum za_token_status {
	ZA_TOKEN_ACTIVE = 1,		/* "active" */
	ZA_TOKEN_REVOKED,		/* "revoked" */
	ZA_TOKEN_CLONED,		/* "cloned": sign counter went back */
};

enum za_uv_kind {
	ZA_UV_NONE = 1,			/* "none": user presence only */
	ZA_UV_PIN,			/* "pin": clientPIN */
	ZA_UV_BUILTIN,			/* "builtin": e.g. fingerprint */
};

enum za_otp_alg {
	ZA_OTP_SHA1 = 1,		/* "sha1", ZA_OID_HMAC_SHA1 */
	ZA_OTP_SHA256,			/* "sha256", ZA_OID_HMAC_SHA256 */
	ZA_OTP_SHA512,			/* "sha512", ZA_OID_HMAC_SHA512 */
};

int za_employment_to_string(enum za_employment v, const char **out);
int za_employment_from_string(const char *s, enum za_employment *out);
int za_account_status_to_string(enum za_account_status v, const char **out);
int za_account_status_from_string(const char *s,
    enum za_account_status *out);
int za_token_kind_to_string(enum za_token_kind v, const char **out);
int za_token_kind_from_string(const char *s, enum za_token_kind *out);
int za_token_status_to_string(enum za_token_status v, const char **out);
int za_token_status_from_string(const char *s, enum za_token_status *out);
int za_uv_kind_to_string(enum za_uv_kind v, const char **out);
int za_uv_kind_from_string(const char *s, enum za_uv_kind *out);
/* Short names "sha1", "sha256", "sha512" (file store, command line). */
int za_otp_alg_to_string(enum za_otp_alg v, const char **out);
int za_otp_alg_from_string(const char *s, enum za_otp_alg *out);
/* The HMAC OIDs of za_schema.h (oathHMACAlgorithm); exact match. */
int za_otp_alg_to_oid(enum za_otp_alg v, const char **out);
int za_otp_alg_from_oid(const char *s, enum za_otp_alg *out);

/* ------------------------------------------------------------------ user */
/* One zaAuthFailure value: "<GeneralizedTime> <16 hex nonce> <terminal|->" */
struct za_auth_failure {
	time_t when;
	char nonce[ZA_FAILURE_NONCE_LEN + 1];	/* lowercase hex, NUL */
	char *terminal;				/* NULL when unknown ("-") */
};

/*
 * Privileged-ID registry data (auxiliary class zoneauthPrivileged).  The
 * approval reference lives in za_user.approval_ref: one attribute
 * (zaApprovalRef) serves both registrations.
 */
struct za_priv {
	bool is_privileged;	/* entry has objectClass zoneauthPrivileged */
	char *owner_dn;		/* responsible person */
	char *purpose;
	char *default_name;	/* the vendor default it was renamed from */
	unsigned int rotation_days;	/* 0: policy default */
	time_t last_rotation;
	char *checkout_holder;	/* DN of who holds it checked out */
	time_t checkout_start;
	time_t checkout_end;
};

struct za_user {
	char *dn;		/* directory only */
	char *uid;		/* login name, required */
	char *cn;
	char *sn;
	char *given_name;
	char *display_name;
	char *name_kana;
	char *mail;
	char *employee_number;	/* HR correlation key: 1..20 digits */
	char *department;
	enum za_employment employment;
	enum za_account_status status;
	char *status_reason;
	time_t status_time;
	time_t suspended_from;
	time_t return_date;
	time_t expiry;
	char *project;
	char *created_by;
	char *approval_ref;
	time_t last_review_time;
	char *last_reviewer;
	time_t create_time;	/* createTimestamp, never written */
	time_t last_mfa_time;
	char *last_mfa_terminal;
	time_t last_logout_time;
	time_t locked_until;	/* zoneauth lockout */
	bool pwd_locked;	/* ppolicy pwdAccountLockedTime present */
	bool pwd_reset;		/* ppolicy pwdReset TRUE */
	struct za_auth_failure *failures;	/* sorted oldest first */
	size_t nfailures;
	int64_t uid_number;	/* posixAccount; -1 when absent */
	int64_t gid_number;	/* -1 when absent */
	char *home_directory;
	char *login_shell;
	struct za_priv priv;
	char **groups;		/* optional; filled by the caller or store */
	size_t ngroups;
};

/* ------------------------------------------------------------------ OTP */
/* A parameter entry (oathTOTPParams / oathHOTPParams) */
struct za_otp_params {
	char *dn;
	enum za_token_kind kind;	/* ZA_TOKEN_TOTP or ZA_TOKEN_HOTP */
	unsigned int digits;		/* oathOTPLength */
	enum za_otp_alg alg;		/* oathHMACAlgorithm */
	unsigned int period;		/* TOTP: oathTOTPTimeStepPeriod */
	unsigned int window;		/* TOTP: oathTOTPTimeStepWindow */
	unsigned int lookahead;		/* HOTP: oathHOTPLookAhead */
};

struct za_otp_token {
	char *dn;		/* directory only */
	char *owner;		/* uid; file store only */
	char *id;		/* zaTokenId */
	enum za_token_kind kind;	/* ZA_TOKEN_TOTP or ZA_TOKEN_HOTP */
	char *label;
	enum za_token_status status;
	time_t created;
	time_t last_used;
	time_t revoked_time;
	char *revoke_reason;
	unsigned char *secret;	/* always wiped on free */
	size_t secret_len;
	/*
	 * From the params entry (za_otp_token_apply_params) in the directory,
	 * from the record in the file store.  All five zero means "not yet
	 * applied": validation accepts that state, so a code verifier must
	 * check digits != 0 (za_otp.h's functions reject it as out of range).
	 */
	unsigned int digits;
	enum za_otp_alg alg;
	unsigned int period;		/* TOTP */
	unsigned int window;		/* TOTP */
	unsigned int lookahead;		/* HOTP */
	char *params_dn;	/* oathTOTPParams / oathHOTPParams */
	/* TOTP: last time step accepted (otp overlay semantics) */
	bool has_last_step;
	uint64_t last_step;
	/* HOTP: last counter value accepted (otp overlay semantics) */
	bool has_counter;
	uint64_t counter;
};

/* ------------------------------------------------------------------ FIDO2 */
struct za_fido2_cred {
	char *dn;		/* directory only */
	char *owner;		/* uid; file store only */
	char *id;		/* zaTokenId */
	char *label;
	enum za_token_status status;
	time_t created;
	time_t last_used;
	time_t revoked_time;
	char *revoke_reason;
	unsigned char *cred_id;	/* 1..ZA_CRED_ID_MAX bytes */
	size_t cred_id_len;
	unsigned char *pubkey;	/* DER SubjectPublicKeyInfo */
	size_t pubkey_len;
	int alg;		/* ZA_COSE_* */
	unsigned char aaguid[ZA_AAGUID_LEN];
	uint32_t sign_count;
	enum za_uv_kind uv;
	char *rp_id;
};

/* ------------------------------------------------------------------ lists */
struct za_user_list {
	struct za_user **v;
	size_t n;
	size_t cap;
};

struct za_otp_token_list {
	struct za_otp_token **v;
	size_t n;
	size_t cap;
};

struct za_fido2_cred_list {
	struct za_fido2_cred **v;
	size_t n;
	size_t cap;
};

/*
 * Append *itemp to the list, which takes ownership and sets *itemp = NULL.
 * On failure (ZA_ERR_NOMEM, ZA_ERR_TOO_LARGE past 16M items, ZA_ERR_ARG)
 * the caller keeps *itemp.
 */
int za_user_list_append(struct za_user_list *l, struct za_user **itemp);
int za_otp_token_list_append(struct za_otp_token_list *l,
    struct za_otp_token **itemp);
int za_fido2_cred_list_append(struct za_fido2_cred_list *l,
    struct za_fido2_cred **itemp);
/* Free every item and the array; the list is left empty.  NULL is fine. */
void za_user_list_clear(struct za_user_list *l);
void za_otp_token_list_clear(struct za_otp_token_list *l);
void za_fido2_cred_list_clear(struct za_fido2_cred_list *l);

/* ------------------------------------------------------------------ life */
/*
 * Allocate a zeroed object with the "absent" defaults set (uid_number and
 * gid_number -1).  Returns ZA_OK or ZA_ERR_NOMEM / ZA_ERR_ARG.
 */
int za_user_new(struct za_user **out);
int za_otp_token_new(struct za_otp_token **out);
int za_fido2_cred_new(struct za_fido2_cred **out);
int za_otp_params_new(struct za_otp_params **out);
void za_user_free(struct za_user **up);
void za_otp_token_free(struct za_otp_token **tp);	/* wipes the secret */
void za_fido2_cred_free(struct za_fido2_cred **cp);
void za_otp_params_free(struct za_otp_params **pp);

/*
 * Copy digits, algorithm and period/window (TOTP) or lookahead (HOTP) from
 * p into t and set t->params_dn to a copy of p->dn (when p->dn is set).
 * ZA_ERR_PARSE when p is for the other kind of token or out of range,
 * ZA_ERR_NOMEM, ZA_ERR_ARG.
 */
int za_otp_token_apply_params(struct za_otp_token *t,
    const struct za_otp_params *p, const struct za_log *lg);

/*
 * SSSD's LDAP passkey mapping of c:
 *   "passkey:<base64 credential id>,<base64 DER public key>"
 * (standard base64 with padding).  *out is malloc'd; free() it.
 * Returns ZA_OK, ZA_ERR_ARG (no credential id or key) or ZA_ERR_NOMEM.
 */
int za_fido2_cred_sssd_mapping(const struct za_fido2_cred *c, char **out);

/* ------------------------------------------------------------------ checks */
/* Login name: ^[a-z_][a-z0-9._-]{0,31}$ */
int za_valid_uid(const char *s, const struct za_log *lg);
/* Employee number: 1..20 ASCII digits */
int za_valid_employee_number(const char *s, const struct za_log *lg);
/* Token id (RDN value): ^[A-Za-z0-9_-]{1,64}$ */
int za_valid_token_id(const char *s, const struct za_log *lg);
/* Token label: 1..ZA_LABEL_MAX bytes of text (see za_valid_text) */
int za_valid_label(const char *s, const struct za_log *lg);
/* Terminal name: 1..ZA_TERMINAL_MAX printable ASCII bytes, no space */
int za_valid_terminal(const char *s, const struct za_log *lg);
/*
 * Text: 1..maxlen bytes of well-formed UTF-8 (no overlong forms or
 * surrogates) without C0 controls or DEL.  what names the field in the
 * log message.
 */
int za_valid_text(const char *s, size_t maxlen, const char *what,
    const struct za_log *lg);

/*
 * Whole-object checks: every field within its bound and syntax, required
 * fields present (user: uid; OTP token: id, kind, status, secret, and
 * either all of digits/alg/period (TOTP) in range or none of them set;
 * FIDO2: id, status, cred id, public key matching alg (parsed with
 * OpenSSL), uv, rp id), no privileged-ID data on a non-privileged user,
 * no fields of the other OTP kind, failures at most ZA_MAX_AUTH_FAILURES.
 */
int za_user_validate(const struct za_user *u, const struct za_log *lg);
int za_otp_token_validate(const struct za_otp_token *t,
    const struct za_log *lg);
int za_fido2_cred_validate(const struct za_fido2_cred *c,
    const struct za_log *lg);
int za_otp_params_validate(const struct za_otp_params *p,
    const struct za_log *lg);

/* ------------------------------------------------------------------ codecs */
/*
 * AAGUID text form 8-4-4-4-12 hex: parse len bytes at s (either case) /
 * format lowercase into buf of >= ZA_AAGUID_TEXT_LEN + 1 bytes.
 */
int za_aaguid_parse(const char *s, size_t len,
    unsigned char out[ZA_AAGUID_LEN]);
int za_aaguid_format(const unsigned char in[ZA_AAGUID_LEN], char *buf,
    size_t bufsz);

/*
 * Parse a failure record value "<GeneralizedTime> <16 hex> <terminal|->"
 * of len bytes into *f (f->terminal malloc'd or NULL) / format one into a
 * malloc'd string.  ZA_ERR_PARSE, ZA_ERR_NOMEM, ZA_ERR_ARG.
 */
int za_auth_failure_parse(const char *s, size_t len,
    struct za_auth_failure *f);
int za_auth_failure_format(const struct za_auth_failure *f, char **out);
/* Release what a failure record owns (not f itself). */
void za_auth_failure_clear(struct za_auth_failure *f);

/* ------------------------------------------------------------------ LDAP */
/*
 * Where decoders read attributes from.  get() returns the values of an
 * attribute (NULL-terminated array) or NULL when absent; release() gives
 * them back.  za_*_from_entry() wrap an LDAP entry in one; tests and
 * fuzzers supply their own.
 */
struct za_attr_source {
	const char *dn;
	struct berval **(*get)(void *arg, const char *name);
	void (*release)(void *arg, struct berval **vals);
	void *arg;
};

/*
 * Decode an entry.  Every value is length-bounded (strings ZA_STRING_MAX
 * or tighter, credential id ZA_CRED_ID_MAX, public key ZA_PUBKEY_MAX,
 * secret ZA_SECRET_MAX); a malformed value (bad time, non-numeric
 * counter, wrong-length AAGUID, unknown enum, a second value of a
 * single-valued attribute) is ZA_ERR_PARSE naming the DN and attribute.
 * Single-valued standard attributes that LDAP allows to repeat (cn, sn,
 * givenName, mail, departmentNumber) take their first value.  Users:
 * groups are not read (the caller fills them); pwdAccountLockedTime is
 * read for presence only (ppolicy's "000001010000Z" is not a time);
 * zaAuthFailure values are sorted oldest first and only the newest
 * ZA_MAX_AUTH_FAILURES kept (more than 4096 values is ZA_ERR_TOO_LARGE).
 * OTP tokens: the kind comes from the oath*Token object class and must
 * agree with zaTokenKind; digits/alg/... stay unset until
 * za_otp_token_apply_params(); the oathSecret values handed out by the
 * source are wiped before release (libldap keeps its own copy inside the
 * LDAPMessage: free that promptly).  The decoded object is validated.
 * On success *out is owned by the caller.
 */
int za_user_from_attrs(const struct za_attr_source *src,
    struct za_user **out, const struct za_log *lg);
int za_otp_token_from_attrs(const struct za_attr_source *src,
    struct za_otp_token **out, const struct za_log *lg);
int za_fido2_cred_from_attrs(const struct za_attr_source *src,
    struct za_fido2_cred **out, const struct za_log *lg);
int za_otp_params_from_attrs(const struct za_attr_source *src,
    struct za_otp_params **out, const struct za_log *lg);

int za_user_from_entry(LDAP *ld, LDAPMessage *e, struct za_user **out,
    const struct za_log *lg);
int za_otp_token_from_entry(LDAP *ld, LDAPMessage *e,
    struct za_otp_token **out, const struct za_log *lg);
int za_fido2_cred_from_entry(LDAP *ld, LDAPMessage *e,
    struct za_fido2_cred **out, const struct za_log *lg);
int za_otp_params_from_entry(LDAP *ld, LDAPMessage *e,
    struct za_otp_params **out, const struct za_log *lg);

/*
 * Encode an object as a NULL-terminated LDAPMod array for ldap_add (every
 * mod LDAP_MOD_ADD | LDAP_MOD_BVALUES; absent fields are left out; the DN
 * is not part of it).  The object is validated first.
 *  - user: objectClass inetOrgPerson + zoneauthAccount (+ posixAccount
 *    when uid_number is set, + zoneauthPrivileged when privileged); needs
 *    cn, sn, employment and status.  Failure records are written;
 *    ppolicy's operational attributes and createTimestamp are not.
 *  - OTP token: objectClass zoneauthToken + oathTOTPToken/oathHOTPToken,
 *    oathSecret as binary, the params DN (required), last step / counter.
 *  - FIDO2: objectClass zoneauthToken + zoneauthFido2Credential.
 * Release the result with za_ldap_mods_free() only (it wipes the values).
 * Returns ZA_OK, ZA_ERR_PARSE (invalid object), ZA_ERR_ARG (a required
 * field missing) or ZA_ERR_NOMEM.
 */
int za_user_to_mods(const struct za_user *u, LDAPMod ***out,
    const struct za_log *lg);
int za_otp_token_to_mods(const struct za_otp_token *t, LDAPMod ***out,
    const struct za_log *lg);
int za_fido2_cred_to_mods(const struct za_fido2_cred *c, LDAPMod ***out,
    const struct za_log *lg);

/* Wipe every value, free the array and set *modsp = NULL; NULL is fine. */
void za_ldap_mods_free(LDAPMod ***modsp);

/* ------------------------------------------------------------------ file */
/*
 * The file store: a versioned text format for standalone terminals and
 * tests.  Only buffers here; reading and writing files is za_file's job.
 *
 *   zoneauth-store 1
 *   user <uid> key=value ...
 *   totp <uid> id=<id> key=value ...
 *   hotp <uid> id=<id> key=value ...
 *   fido2 <uid> id=<id> key=value ...
 *
 * One record per line ("\n"), tokens separated by one space; blank lines
 * and lines starting with '#' are skipped.  Values: text is
 * percent-encoded (bytes 0x00-0x20, 0x7f and '%' as %XX, upper-case hex;
 * UTF-8 otherwise as is), times are GeneralizedTime "...Z", OTP
 * secrets base32 (RFC 4648, no padding), FIDO2 credential ids base64url
 * without padding, public keys standard base64.  Keys may appear once
 * (except the repeatable user keys failure= and group=); unknown keys,
 * duplicate uids or token ids (across all kinds), and tokens whose owner
 * has no user record are errors.  A line holds at most ZA_STORE_MAX_LINE
 * bytes; a store at most ZA_STORE_MAX_RECORDS records and
 * ZA_STORE_MAX_SIZE bytes.
 *
 * Canonical form (what za_store_serialize writes): the header, then all
 * users, then all OTP tokens, then all FIDO2 credentials, each in list
 * order, keys in a fixed order, absent fields omitted.  Parsing keeps list
 * order, so serialize(parse(x)) == x for canonical x.
 */
#define ZA_STORE_HEADER		"zoneauth-store 1"
#define ZA_STORE_MAX_LINE	8192
#define ZA_STORE_MAX_RECORDS	1000000
#define ZA_STORE_MAX_SIZE	((size_t)256 << 20)

struct za_store {
	struct za_user_list users;
	struct za_otp_token_list otp;
	struct za_fido2_cred_list fido2;
};

int za_store_new(struct za_store **out);
void za_store_free(struct za_store **sp);	/* wipes OTP secrets */

/*
 * Parse len bytes at buf.  Errors name the line number and the field
 * (never its value).  Scratch copies of lines are wiped; buf itself holds
 * OTP secrets and is the caller's to wipe.  Returns ZA_OK (*out owned by
 * the caller), ZA_ERR_PARSE, ZA_ERR_TOO_LARGE, ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_store_parse(const char *buf, size_t len, struct za_store **out,
    const struct za_log *lg);

/*
 * Write s in canonical form.  Every object is validated; a record longer
 * than ZA_STORE_MAX_LINE is ZA_ERR_TOO_LARGE.  On success *out (NUL
 * terminated, *outlen bytes without the NUL) holds OTP secrets: release
 * it with za_freezero(*out, *outlen + 1).  Intermediate buffers are wiped.
 */
int za_store_serialize(const struct za_store *s, char **out, size_t *outlen,
    const struct za_log *lg);

/* Lookups (linear); NULL when absent. */
struct za_user *za_store_find_user(const struct za_store *s,
    const char *uid);
struct za_otp_token *za_store_find_otp(const struct za_store *s,
    const char *id);
struct za_fido2_cred *za_store_find_fido2(const struct za_store *s,
    const char *id);

#endif /* ZA_MODEL_H */
