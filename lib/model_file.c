/*
 * The file store's record format: parse a buffer into a struct za_store
 * and write one back (see za_model.h for the format).  Buffers only:
 * opening, locking and replacing the file is za_file's job.
 *
 * Records are described by tables of fields (key, type, offset), so the
 * parser and the serializer cannot disagree about a key or its order.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"
#include "za_time.h"

enum ftype {
	FT_STR,		/* char *: percent-encoded text */
	FT_TIME,	/* time_t: GeneralizedTime, 0 absent */
	FT_UINT,	/* unsigned int in [min, max] */
	FT_U32,		/* uint32_t */
	FT_U64OPT,	/* uint64_t at off, bool "present" at off2 */
	FT_POSIXID,	/* int64_t, -1 absent */
	FT_BOOL,	/* bool: "0" or "1", written only when true */
	FT_EMPLOYMENT,	/* enum za_employment */
	FT_ACCOUNT,	/* enum za_account_status */
	FT_TSTATUS,	/* enum za_token_status */
	FT_OTPALG,	/* enum za_otp_alg by short name */
	FT_UV,		/* enum za_uv_kind */
	FT_COSE,	/* int: COSE algorithm */
	FT_SECRET,	/* unsigned char * at off, size_t at off2: base32 */
	FT_B64URL,	/* same, base64url without padding */
	FT_B64,		/* same, standard base64 */
	FT_AAGUID,	/* unsigned char[16]: 8-4-4-4-12 */
	FT_FAILURE,	/* user failure record, repeatable */
	FT_GROUP,	/* user group, repeatable */
};

#define F_REQ	0x01u	/* required; always written */
#define F_TOTP	0x02u	/* totp records only */
#define F_HOTP	0x04u	/* hotp records only */

struct field {
	const char *key;
	enum ftype type;
	unsigned int flags;
	size_t off;
	size_t off2;
	unsigned long min;
	unsigned long max;	/* string bytes or largest number */
};

#define U(m)	offsetof(struct za_user, m)
#define T(m)	offsetof(struct za_otp_token, m)
#define C(m)	offsetof(struct za_fido2_cred, m)

static const struct field user_fields[] = {
	{ "cn", FT_STR, 0, U(cn), 0, 0, ZA_NAME_MAX },
	{ "sn", FT_STR, 0, U(sn), 0, 0, ZA_NAME_MAX },
	{ "given_name", FT_STR, 0, U(given_name), 0, 0, ZA_NAME_MAX },
	{ "display_name", FT_STR, 0, U(display_name), 0, 0, ZA_NAME_MAX },
	{ "name_kana", FT_STR, 0, U(name_kana), 0, 0, ZA_NAME_MAX },
	{ "mail", FT_STR, 0, U(mail), 0, 0, ZA_NAME_MAX },
	{ "employee_number", FT_STR, 0, U(employee_number), 0, 0,
	    ZA_EMPLOYEE_NUMBER_MAX },
	{ "department", FT_STR, 0, U(department), 0, 0, ZA_NAME_MAX },
	{ "employment", FT_EMPLOYMENT, 0, U(employment), 0, 0, 0 },
	{ "status", FT_ACCOUNT, 0, U(status), 0, 0, 0 },
	{ "status_reason", FT_STR, 0, U(status_reason), 0, 0, ZA_REASON_MAX },
	{ "status_time", FT_TIME, 0, U(status_time), 0, 0, 0 },
	{ "suspended_from", FT_TIME, 0, U(suspended_from), 0, 0, 0 },
	{ "return_date", FT_TIME, 0, U(return_date), 0, 0, 0 },
	{ "expiry", FT_TIME, 0, U(expiry), 0, 0, 0 },
	{ "project", FT_STR, 0, U(project), 0, 0, ZA_NAME_MAX },
	{ "created_by", FT_STR, 0, U(created_by), 0, 0, ZA_DN_MAX },
	{ "approval_ref", FT_STR, 0, U(approval_ref), 0, 0, ZA_NAME_MAX },
	{ "last_review_time", FT_TIME, 0, U(last_review_time), 0, 0, 0 },
	{ "last_reviewer", FT_STR, 0, U(last_reviewer), 0, 0, ZA_DN_MAX },
	{ "create_time", FT_TIME, 0, U(create_time), 0, 0, 0 },
	{ "last_mfa_time", FT_TIME, 0, U(last_mfa_time), 0, 0, 0 },
	{ "last_mfa_terminal", FT_STR, 0, U(last_mfa_terminal), 0, 0,
	    ZA_TERMINAL_MAX },
	{ "last_logout_time", FT_TIME, 0, U(last_logout_time), 0, 0, 0 },
	{ "locked_until", FT_TIME, 0, U(locked_until), 0, 0, 0 },
	{ "pwd_locked", FT_BOOL, 0, U(pwd_locked), 0, 0, 0 },
	{ "pwd_reset", FT_BOOL, 0, U(pwd_reset), 0, 0, 0 },
	{ "uid_number", FT_POSIXID, 0, U(uid_number), 0, 0, 0 },
	{ "gid_number", FT_POSIXID, 0, U(gid_number), 0, 0, 0 },
	{ "home", FT_STR, 0, U(home_directory), 0, 0, ZA_STRING_MAX },
	{ "shell", FT_STR, 0, U(login_shell), 0, 0, ZA_STRING_MAX },
	{ "privileged", FT_BOOL, 0, U(priv.is_privileged), 0, 0, 0 },
	{ "priv_owner", FT_STR, 0, U(priv.owner_dn), 0, 0, ZA_DN_MAX },
	{ "priv_purpose", FT_STR, 0, U(priv.purpose), 0, 0, ZA_REASON_MAX },
	{ "priv_default_name", FT_STR, 0, U(priv.default_name), 0, 0,
	    ZA_NAME_MAX },
	{ "priv_rotation_days", FT_UINT, 0, U(priv.rotation_days), 0, 0,
	    ZA_ROTATION_DAYS_MAX },
	{ "priv_last_rotation", FT_TIME, 0, U(priv.last_rotation), 0, 0, 0 },
	{ "priv_checkout_holder", FT_STR, 0, U(priv.checkout_holder), 0, 0,
	    ZA_DN_MAX },
	{ "priv_checkout_start", FT_TIME, 0, U(priv.checkout_start), 0, 0, 0 },
	{ "priv_checkout_end", FT_TIME, 0, U(priv.checkout_end), 0, 0, 0 },
	{ "failure", FT_FAILURE, 0, 0, 0, 0, 0 },
	{ "group", FT_GROUP, 0, 0, 0, 0, ZA_NAME_MAX },
	{ NULL, FT_STR, 0, 0, 0, 0, 0 }
};

static const struct field otp_fields[] = {
	{ "id", FT_STR, F_REQ, T(id), 0, 0, ZA_TOKEN_ID_MAX },
	{ "label", FT_STR, 0, T(label), 0, 0, ZA_LABEL_MAX },
	{ "status", FT_TSTATUS, F_REQ, T(status), 0, 0, 0 },
	{ "created", FT_TIME, 0, T(created), 0, 0, 0 },
	{ "last_used", FT_TIME, 0, T(last_used), 0, 0, 0 },
	{ "revoked_time", FT_TIME, 0, T(revoked_time), 0, 0, 0 },
	{ "revoke_reason", FT_STR, 0, T(revoke_reason), 0, 0, ZA_REASON_MAX },
	{ "secret", FT_SECRET, F_REQ, T(secret), T(secret_len), 0,
	    ZA_SECRET_MAX },
	{ "digits", FT_UINT, F_REQ, T(digits), 0, ZA_OTP_DIGITS_MIN,
	    ZA_OTP_DIGITS_MAX },
	{ "alg", FT_OTPALG, F_REQ, T(alg), 0, 0, 0 },
	{ "period", FT_UINT, F_REQ | F_TOTP, T(period), 0, ZA_TOTP_PERIOD_MIN,
	    ZA_TOTP_PERIOD_MAX },
	{ "window", FT_UINT, F_REQ | F_TOTP, T(window), 0, 0,
	    ZA_TOTP_WINDOW_MAX },
	{ "last_step", FT_U64OPT, F_TOTP, T(last_step), T(has_last_step), 0,
	    0 },
	{ "lookahead", FT_UINT, F_REQ | F_HOTP, T(lookahead), 0, 0,
	    ZA_HOTP_LOOKAHEAD_MAX },
	{ "counter", FT_U64OPT, F_HOTP, T(counter), T(has_counter), 0, 0 },
	{ "params", FT_STR, 0, T(params_dn), 0, 0, ZA_DN_MAX },
	{ NULL, FT_STR, 0, 0, 0, 0, 0 }
};

static const struct field fido2_fields[] = {
	{ "id", FT_STR, F_REQ, C(id), 0, 0, ZA_TOKEN_ID_MAX },
	{ "label", FT_STR, 0, C(label), 0, 0, ZA_LABEL_MAX },
	{ "status", FT_TSTATUS, F_REQ, C(status), 0, 0, 0 },
	{ "created", FT_TIME, 0, C(created), 0, 0, 0 },
	{ "last_used", FT_TIME, 0, C(last_used), 0, 0, 0 },
	{ "revoked_time", FT_TIME, 0, C(revoked_time), 0, 0, 0 },
	{ "revoke_reason", FT_STR, 0, C(revoke_reason), 0, 0, ZA_REASON_MAX },
	{ "cred_id", FT_B64URL, F_REQ, C(cred_id), C(cred_id_len), 0,
	    ZA_CRED_ID_MAX },
	{ "pubkey", FT_B64, F_REQ, C(pubkey), C(pubkey_len), 0,
	    ZA_PUBKEY_MAX },
	{ "alg", FT_COSE, F_REQ, C(alg), 0, 0, 0 },
	{ "aaguid", FT_AAGUID, F_REQ, C(aaguid), 0, 0, 0 },
	{ "sign_count", FT_U32, F_REQ, C(sign_count), 0, 0, UINT32_MAX },
	{ "uv", FT_UV, F_REQ, C(uv), 0, 0, 0 },
	{ "rp_id", FT_STR, F_REQ, C(rp_id), 0, 0, ZA_RP_ID_MAX },
	{ NULL, FT_STR, 0, 0, 0, 0, 0 }
};

#undef U
#undef T
#undef C

/* parse_fields() tracks the keys seen in a 64-bit mask. */
_Static_assert(sizeof(user_fields) / sizeof(user_fields[0]) <= 64,
    "too many user fields");
_Static_assert(sizeof(otp_fields) / sizeof(otp_fields[0]) <= 64,
    "too many OTP token fields");
_Static_assert(sizeof(fido2_fields) / sizeof(fido2_fields[0]) <= 64,
    "too many FIDO2 fields");

/* Typed access to a field of the object at base. */
#define FP(type, base, off)	((type *)(void *)((char *)(base) + (off)))
#define FCP(type, base, off)	\
	((type const *)(const void *)((const char *)(base) + (off)))

/* ================================================================ parse */

/* One record's key for the cross-record checks, with its line. */
struct keyline {
	const char *key;
	size_t line;
};

struct pctx {
	const struct za_log *lg;
	struct za_store *store;
	size_t line;
	/* Line numbers parallel to the store's lists. */
	size_t *user_line, *otp_line, *fido2_line;
	size_t nuser_line, notp_line, nfido2_line;
	size_t cap_user, cap_otp, cap_fido2;
};

static int
push_line(size_t **v, size_t *n, size_t *cap, size_t line)
{
	size_t *nv, ncap;

	if (*n == *cap) {
		ncap = *cap == 0 ? 64 : *cap * 2;
		if ((nv = reallocarray(*v, ncap, sizeof(*nv))) == NULL)
			return ZA_ERR_NOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = line;
	return ZA_OK;
}

/*
 * Percent-decode the NUL-terminated v into a malloc'd string of at most
 * max bytes.  Raw control bytes and a decoded NUL are errors.
 */
static int
pct_decode(const char *v, size_t max, char **out, size_t *outlen)
{
	size_t i, o = 0, vlen = strlen(v);
	char *s;

	if ((s = malloc(vlen + 1)) == NULL)
		return ZA_ERR_NOMEM;
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '%') {
			if (i + 2 >= vlen || za_hex_decode(v + i + 1, 1, 0,
			    &c) != ZA_OK || c == 0)
				goto bad;
			i += 2;
		} else if (c <= 0x20 || c == 0x7f)
			goto bad;
		if (o >= max)
			goto bad;
		s[o++] = (char)c;
	}
	s[o] = '\0';
	*out = s;
	if (outlen != NULL)
		*outlen = o;
	return ZA_OK;
 bad:
	za_freezero(s, vlen + 1);
	return ZA_ERR_PARSE;
}

/* Decimal without sign, leading zeros or overflow, at most max. */
static int
parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v[0] == '\0' || (v[0] == '0' && v[1] != '\0'))
		return ZA_ERR_PARSE;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return ZA_ERR_PARSE;
		if (x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return ZA_ERR_RANGE;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > max)
		return ZA_ERR_RANGE;
	*out = x;
	return ZA_OK;
}

/* Append a failure record (value percent-decoded) to u. */
static int
add_failure(struct za_user *u, const char *v)
{
	struct za_auth_failure f, *nf;
	char *s = NULL;
	size_t slen = 0;
	int r;

	memset(&f, 0, sizeof(f));
	if ((r = pct_decode(v, ZA_STRING_MAX, &s, &slen)) != ZA_OK)
		goto out;
	if ((r = za_auth_failure_parse(s, slen, &f)) != ZA_OK)
		goto out;
	r = ZA_ERR_TOO_LARGE;
	if (u->nfailures >= ZA_MAX_AUTH_FAILURES)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((nf = reallocarray(u->failures, u->nfailures + 1,
	    sizeof(*nf))) == NULL)
		goto out;
	u->failures = nf;
	u->failures[u->nfailures++] = f;
	memset(&f, 0, sizeof(f));
	r = ZA_OK;
 out:
	za_auth_failure_clear(&f);
	free(s);
	return r;
}

static int
add_group(struct za_user *u, const char *v, size_t max)
{
	char *s = NULL, **ng;
	int r;

	if ((r = pct_decode(v, max, &s, NULL)) != ZA_OK)
		goto out;
	r = ZA_ERR_TOO_LARGE;
	if (u->ngroups >= ZA_MAX_GROUPS)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((ng = reallocarray(u->groups, u->ngroups + 1,
	    sizeof(*ng))) == NULL)
		goto out;
	u->groups = ng;
	u->groups[u->ngroups++] = s;
	s = NULL;
	r = ZA_OK;
 out:
	free(s);
	return r;
}

/* Decode value v of field f into the object at base. */
static int
decode_field(const struct field *f, const char *v, void *base)
{
	uint64_t n;
	unsigned char *bin = NULL;
	size_t blen = 0;
	int r, iv;

	switch (f->type) {
	case FT_STR:
		return pct_decode(v, f->max, FP(char *, base, f->off), NULL);
	case FT_TIME:
		if ((r = za_time_parse_gentime(v, strlen(v),
		    FP(time_t, base, f->off))) != ZA_OK)
			return r;
		/* The epoch means "absent": it cannot be written back. */
		return *FP(time_t, base, f->off) == 0 ? ZA_ERR_RANGE : ZA_OK;
	case FT_UINT:
		if ((r = parse_u64(v, f->max, &n)) != ZA_OK)
			return r;
		if (n < f->min)
			return ZA_ERR_RANGE;
		*FP(unsigned int, base, f->off) = (unsigned int)n;
		return ZA_OK;
	case FT_U32:
		if ((r = parse_u64(v, UINT32_MAX, &n)) != ZA_OK)
			return r;
		*FP(uint32_t, base, f->off) = (uint32_t)n;
		return ZA_OK;
	case FT_U64OPT:
		if ((r = parse_u64(v, UINT64_MAX, &n)) != ZA_OK)
			return r;
		*FP(uint64_t, base, f->off) = n;
		*FP(bool, base, f->off2) = true;
		return ZA_OK;
	case FT_POSIXID:
		if ((r = parse_u64(v, 4294967294ULL, &n)) != ZA_OK)
			return r;
		*FP(int64_t, base, f->off) = (int64_t)n;
		return ZA_OK;
	case FT_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return ZA_ERR_PARSE;
		*FP(bool, base, f->off) = v[0] == '1';
		return ZA_OK;
	case FT_EMPLOYMENT:
		return za_employment_from_string(v,
		    FP(enum za_employment, base, f->off));
	case FT_ACCOUNT:
		return za_account_status_from_string(v,
		    FP(enum za_account_status, base, f->off));
	case FT_TSTATUS:
		return za_token_status_from_string(v,
		    FP(enum za_token_status, base, f->off));
	case FT_OTPALG:
		return za_otp_alg_from_string(v,
		    FP(enum za_otp_alg, base, f->off));
	case FT_UV:
		return za_uv_kind_from_string(v,
		    FP(enum za_uv_kind, base, f->off));
	case FT_COSE:
		if (v[0] != '-' || parse_u64(v + 1, 1000000, &n) != ZA_OK)
			return ZA_ERR_PARSE;
		iv = -(int)n;
		if (iv != ZA_COSE_ES256 && iv != ZA_COSE_EDDSA &&
		    iv != ZA_COSE_RS256)
			return ZA_ERR_RANGE;
		*FP(int, base, f->off) = iv;
		return ZA_OK;
	case FT_SECRET:
		if (strlen(v) > (f->max * 8 + 4) / 5)
			return ZA_ERR_TOO_LARGE;
		if ((r = za_base32_decode(v, strlen(v), &bin, &blen)) != ZA_OK)
			return r;
		if (blen == 0) {
			za_freezero(bin, 1);
			return ZA_ERR_PARSE;
		}
		*FP(unsigned char *, base, f->off) = bin;
		*FP(size_t, base, f->off2) = blen;
		return ZA_OK;
	case FT_B64URL:
	case FT_B64:
		if ((r = za_base64_decode(v, strlen(v), f->type == FT_B64 ?
		    ZA_BASE64_STD : ZA_BASE64_URL_NOPAD, f->max, &bin,
		    &blen)) != ZA_OK)
			return r;
		*FP(unsigned char *, base, f->off) = bin;
		*FP(size_t, base, f->off2) = blen;
		return ZA_OK;
	case FT_AAGUID:
		return za_aaguid_parse(v, strlen(v),
		    FP(unsigned char, base, f->off));
	case FT_FAILURE:
		return add_failure(base, v);
	case FT_GROUP:
		return add_group(base, v, f->max);
	}
	return ZA_ERR_INTERNAL;
}

static const char *
field_err(int r)
{
	switch (r) {
	case ZA_ERR_RANGE:
		return "value out of range";
	case ZA_ERR_TOO_LARGE:
		return "value or repetitions exceed the limit";
	case ZA_ERR_NOMEM:
		return "out of memory";
	default:
		return "malformed value";
	}
}

/*
 * Parse the key=value tokens of one record (NUL-terminated, space
 * separated, at rest) into the object at base using table fields; mask
 * is F_TOTP or F_HOTP for OTP records, 0 otherwise.
 */
static int
parse_fields(struct pctx *ctx, const struct field *fields, unsigned int mask,
    const char *what, char *rest, void *base)
{
	uint64_t seen = 0;
	char *tok, *eq, *next;
	size_t i;
	int r = ZA_ERR_PARSE;

	for (tok = rest; tok != NULL && *tok != '\0'; tok = next) {
		if ((next = strchr(tok, ' ')) != NULL)
			*next++ = '\0';
		if (*tok == '\0' || (next != NULL && *next == '\0')) {
			za_error(ctx->lg, "line %zu: empty field or trailing "
			    "space", ctx->line);
			goto out;
		}
		if ((eq = strchr(tok, '=')) == NULL) {
			za_error(ctx->lg, "line %zu: field without '='",
			    ctx->line);
			goto out;
		}
		*eq = '\0';
		for (i = 0; fields[i].key != NULL; i++) {
			if (strcmp(fields[i].key, tok) == 0 &&
			    ((fields[i].flags & (F_TOTP | F_HOTP)) == 0 ||
			    (fields[i].flags & mask) != 0))
				break;
		}
		if (fields[i].key == NULL) {
			za_error(ctx->lg, "line %zu: unknown field for a %s "
			    "record", ctx->line, what);
			goto out;
		}
		if (fields[i].type != FT_FAILURE &&
		    fields[i].type != FT_GROUP) {
			if (seen & ((uint64_t)1 << i)) {
				za_error(ctx->lg, "line %zu: field '%s' "
				    "repeated", ctx->line, fields[i].key);
				goto out;
			}
			seen |= (uint64_t)1 << i;
		}
		if (eq[1] == '\0') {
			za_error(ctx->lg, "line %zu: field '%s' is empty",
			    ctx->line, fields[i].key);
			goto out;
		}
		if ((r = decode_field(&fields[i], eq + 1, base)) != ZA_OK) {
			za_error(ctx->lg, "line %zu: field '%s': %s",
			    ctx->line, fields[i].key, field_err(r));
			if (r != ZA_ERR_NOMEM && r != ZA_ERR_TOO_LARGE)
				r = ZA_ERR_PARSE;
			goto out;
		}
		r = ZA_ERR_PARSE;
	}
	for (i = 0; fields[i].key != NULL; i++) {
		if ((fields[i].flags & F_REQ) == 0 ||
		    ((fields[i].flags & (F_TOTP | F_HOTP)) != 0 &&
		    (fields[i].flags & mask) == 0))
			continue;
		if ((seen & ((uint64_t)1 << i)) == 0) {
			za_error(ctx->lg, "line %zu: required field '%s' "
			    "missing", ctx->line, fields[i].key);
			goto out;
		}
	}
	r = ZA_OK;
 out:
	return r;
}

static int
parse_user(struct pctx *ctx, char *uid, char *rest)
{
	struct za_user *u = NULL;
	int r;

	if ((r = za_user_new(&u)) != ZA_OK)
		goto out;
	if ((r = parse_fields(ctx, user_fields, 0, "user", rest, u)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((u->uid = strdup(uid)) == NULL)
		goto out;
	if ((r = za_user_validate(u, ctx->lg)) != ZA_OK) {
		za_error(ctx->lg, "line %zu: invalid user record", ctx->line);
		goto out;
	}
	if ((r = push_line(&ctx->user_line, &ctx->nuser_line, &ctx->cap_user,
	    ctx->line)) != ZA_OK)
		goto out;
	if ((r = za_user_list_append(&ctx->store->users, &u)) != ZA_OK)
		ctx->nuser_line--;
 out:
	za_user_free(&u);
	return r;
}

static int
parse_otp(struct pctx *ctx, enum za_token_kind kind, char *uid, char *rest)
{
	struct za_otp_token *t = NULL;
	int r;

	if ((r = za_otp_token_new(&t)) != ZA_OK)
		goto out;
	t->kind = kind;
	if ((r = parse_fields(ctx, otp_fields,
	    kind == ZA_TOKEN_TOTP ? F_TOTP : F_HOTP,
	    kind == ZA_TOKEN_TOTP ? "totp" : "hotp", rest, t)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((t->owner = strdup(uid)) == NULL)
		goto out;
	if ((r = za_otp_token_validate(t, ctx->lg)) != ZA_OK) {
		za_error(ctx->lg, "line %zu: invalid OTP token record",
		    ctx->line);
		goto out;
	}
	if ((r = push_line(&ctx->otp_line, &ctx->notp_line, &ctx->cap_otp,
	    ctx->line)) != ZA_OK)
		goto out;
	if ((r = za_otp_token_list_append(&ctx->store->otp, &t)) != ZA_OK)
		ctx->notp_line--;
 out:
	za_otp_token_free(&t);
	return r;
}

static int
parse_fido2(struct pctx *ctx, char *uid, char *rest)
{
	struct za_fido2_cred *c = NULL;
	int r;

	if ((r = za_fido2_cred_new(&c)) != ZA_OK)
		goto out;
	if ((r = parse_fields(ctx, fido2_fields, 0, "fido2", rest,
	    c)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((c->owner = strdup(uid)) == NULL)
		goto out;
	if ((r = za_fido2_cred_validate(c, ctx->lg)) != ZA_OK) {
		za_error(ctx->lg, "line %zu: invalid fido2 record", ctx->line);
		goto out;
	}
	if ((r = push_line(&ctx->fido2_line, &ctx->nfido2_line,
	    &ctx->cap_fido2, ctx->line)) != ZA_OK)
		goto out;
	if ((r = za_fido2_cred_list_append(&ctx->store->fido2, &c)) != ZA_OK)
		ctx->nfido2_line--;
 out:
	za_fido2_cred_free(&c);
	return r;
}

/* One record line, NUL-terminated, in a scratch buffer we may modify. */
static int
parse_record(struct pctx *ctx, char *line)
{
	char *type = line, *uid, *rest;
	int r = ZA_ERR_PARSE;

	if ((uid = strchr(type, ' ')) == NULL) {
		za_error(ctx->lg, "line %zu: record without a login name",
		    ctx->line);
		goto out;
	}
	*uid++ = '\0';
	if ((rest = strchr(uid, ' ')) != NULL)
		*rest++ = '\0';
	if (za_valid_uid(uid, NULL) != ZA_OK) {
		za_error(ctx->lg, "line %zu: invalid login name", ctx->line);
		goto out;
	}
	if (rest != NULL && *rest == '\0') {
		za_error(ctx->lg, "line %zu: trailing space", ctx->line);
		goto out;
	}
	if (strcmp(type, "user") == 0)
		r = parse_user(ctx, uid, rest);
	else if (strcmp(type, "totp") == 0)
		r = parse_otp(ctx, ZA_TOKEN_TOTP, uid, rest);
	else if (strcmp(type, "hotp") == 0)
		r = parse_otp(ctx, ZA_TOKEN_HOTP, uid, rest);
	else if (strcmp(type, "fido2") == 0)
		r = parse_fido2(ctx, uid, rest);
	else
		za_error(ctx->lg, "line %zu: unknown record type", ctx->line);
 out:
	return r;
}

static int
keyline_cmp(const void *a, const void *b)
{
	const struct keyline *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * The checks across records: uids unique, token ids unique across both
 * kinds, every token's owner has a user record.  user_line etc. give each
 * object's line for messages.
 */
static int
cross_check(const struct za_store *s, const size_t *user_line,
    const size_t *otp_line, const size_t *fido2_line, const struct za_log *lg)
{
	struct keyline *users = NULL, *ids = NULL, probe, *hit;
	size_t i, nids;
	int r = ZA_ERR_NOMEM;

	r = ZA_ERR_INTERNAL;
	if ((s->users.n > 0 && user_line == NULL) ||
	    (s->otp.n > 0 && otp_line == NULL) ||
	    (s->fido2.n > 0 && fido2_line == NULL))
		goto out;
	r = ZA_ERR_NOMEM;
	nids = s->otp.n + s->fido2.n;
	if ((users = calloc(s->users.n + 1, sizeof(*users))) == NULL ||
	    (ids = calloc(nids + 1, sizeof(*ids))) == NULL)
		goto out;
	for (i = 0; i < s->users.n; i++) {
		users[i].key = s->users.v[i]->uid;
		users[i].line = user_line[i];
	}
	for (i = 0; i < s->otp.n; i++) {
		ids[i].key = s->otp.v[i]->id;
		ids[i].line = otp_line[i];
	}
	for (i = 0; i < s->fido2.n; i++) {
		ids[s->otp.n + i].key = s->fido2.v[i]->id;
		ids[s->otp.n + i].line = fido2_line[i];
	}
	qsort(users, s->users.n, sizeof(*users), keyline_cmp);
	qsort(ids, nids, sizeof(*ids), keyline_cmp);
	r = ZA_ERR_PARSE;
	for (i = 1; i < s->users.n; i++) {
		if (strcmp(users[i - 1].key, users[i].key) == 0) {
			za_error(lg, "line %zu: duplicate user record (also on "
			    "line %zu)", users[i].line, users[i - 1].line);
			goto out;
		}
	}
	for (i = 1; i < nids; i++) {
		if (strcmp(ids[i - 1].key, ids[i].key) == 0) {
			za_error(lg, "line %zu: duplicate token id (also on "
			    "line %zu)", ids[i].line, ids[i - 1].line);
			goto out;
		}
	}
	for (i = 0; i < s->otp.n + s->fido2.n; i++) {
		probe.key = i < s->otp.n ? s->otp.v[i]->owner :
		    s->fido2.v[i - s->otp.n]->owner;
		probe.line = 0;
		if (probe.key == NULL) {
			za_error(lg, "line %zu: token without an owner",
			    i < s->otp.n ? otp_line[i] :
			    fido2_line[i - s->otp.n]);
			goto out;
		}
		hit = NULL;
		if (s->users.n > 0) {
			/* Compare keys only: find any record of that uid. */
			size_t lo = 0, hi = s->users.n;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				int c = strcmp(users[mid].key, probe.key);

				if (c == 0) {
					hit = &users[mid];
					break;
				}
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
		}
		if (hit == NULL) {
			za_error(lg, "line %zu: no user record for the token's "
			    "owner", i < s->otp.n ? otp_line[i] :
			    fido2_line[i - s->otp.n]);
			goto out;
		}
	}
	r = ZA_OK;
 out:
	free(users);
	free(ids);
	return r;
}

int
za_store_new(struct za_store **out)
{
	if (out == NULL)
		return ZA_ERR_ARG;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

void
za_store_free(struct za_store **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	za_user_list_clear(&(*sp)->users);
	za_otp_token_list_clear(&(*sp)->otp);
	za_fido2_cred_list_clear(&(*sp)->fido2);
	free(*sp);
	*sp = NULL;
}

int
za_store_parse(const char *buf, size_t len, struct za_store **out,
    const struct za_log *lg)
{
	struct pctx ctx;
	const char *p, *end, *nl;
	char *work = NULL;
	size_t llen, nrec = 0;
	int r = ZA_ERR_ARG;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lg = lg;
	if ((buf == NULL && len > 0) || out == NULL)
		goto out;
	if (buf == NULL)
		buf = "";	/* an empty buffer: "no header" below */
	r = ZA_ERR_TOO_LARGE;
	if (len > ZA_STORE_MAX_SIZE) {
		za_error(lg, "store larger than %zu bytes", ZA_STORE_MAX_SIZE);
		goto out;
	}
	if ((r = za_store_new(&ctx.store)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((work = malloc(ZA_STORE_MAX_LINE + 1)) == NULL)
		goto out;
	p = buf;
	end = buf + len;
	do {
		ctx.line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		llen = (size_t)(nl - p);
		r = ZA_ERR_TOO_LARGE;
		if (llen > ZA_STORE_MAX_LINE) {
			za_error(lg, "line %zu: longer than %d bytes", ctx.line,
			    ZA_STORE_MAX_LINE);
			goto out;
		}
		r = ZA_ERR_PARSE;
		if (memchr(p, '\0', llen) != NULL) {
			za_error(lg, "line %zu: NUL byte", ctx.line);
			goto out;
		}
		if (ctx.line == 1) {
			if (llen != strlen(ZA_STORE_HEADER) ||
			    memcmp(p, ZA_STORE_HEADER, llen) != 0) {
				za_error(lg, "line 1: not a zoneauth store of "
				    "version 1 (\"%s\" expected)",
				    ZA_STORE_HEADER);
				goto out;
			}
		} else if (llen > 0 && p[0] != '#') {
			r = ZA_ERR_TOO_LARGE;
			if (++nrec > ZA_STORE_MAX_RECORDS) {
				za_error(lg, "line %zu: more than %d records",
				    ctx.line, ZA_STORE_MAX_RECORDS);
				goto out;
			}
			memcpy(work, p, llen);
			work[llen] = '\0';
			r = parse_record(&ctx, work);
			za_wipe(work, llen);
			if (r != ZA_OK)
				goto out;
		}
		p = nl < end ? nl + 1 : end;
	} while (p < end);
	if ((r = cross_check(ctx.store, ctx.user_line, ctx.otp_line,
	    ctx.fido2_line, lg)) != ZA_OK)
		goto out;
	*out = ctx.store;
	ctx.store = NULL;
	r = ZA_OK;
 out:
	if (work != NULL)
		za_freezero(work, ZA_STORE_MAX_LINE + 1);
	free(ctx.user_line);
	free(ctx.otp_line);
	free(ctx.fido2_line);
	za_store_free(&ctx.store);
	return r;
}

/* ================================================================ write */

/* A growing buffer that wipes what it leaves behind. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	int err;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->err != ZA_OK)
		return;
	if (n > ZA_STORE_MAX_SIZE - b->len) {
		b->err = ZA_ERR_TOO_LARGE;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 4096 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = malloc(ncap)) == NULL) {
			b->err = ZA_ERR_NOMEM;
			return;
		}
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			za_freezero(b->p, b->cap);
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void
sb_pct(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char e[3];
	size_t i, run = 0;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] > 0x20 && p[i] != 0x7f && p[i] != '%') {
			run++;
			continue;
		}
		sb_put(b, s + i - run, run);
		run = 0;
		e[0] = '%';
		e[1] = hex[p[i] >> 4];
		e[2] = hex[p[i] & 0x0f];
		sb_put(b, e, 3);
	}
	sb_put(b, s + i - run, run);
}

static void
sb_key(struct sbuf *b, const char *key)
{
	sb_put(b, " ", 1);
	sb_str(b, key);
	sb_put(b, "=", 1);
}

static void
sb_u64(struct sbuf *b, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	sb_put(b, num, (size_t)n);
}

static void
sb_b64(struct sbuf *b, const unsigned char *bin, size_t len,
    enum za_base64_variant v)
{
	char *e = NULL;
	int r;

	if ((r = za_base64_encode(bin, len, v, &e)) != ZA_OK) {
		b->err = r;
		return;
	}
	sb_str(b, e);
	free(e);
}

/* Write the fields of the object at base that are present. */
static void
write_fields(struct sbuf *b, const struct field *fields, unsigned int mask,
    const void *base)
{
	const struct field *f;
	char tbuf[ZA_TIME_GENTIME_BUFSZ], abuf[ZA_AAGUID_TEXT_LEN + 1];
	const char *name;
	char *s;
	size_t i;
	int req;

	for (f = fields; f->key != NULL && b->err == ZA_OK; f++) {
		if ((f->flags & (F_TOTP | F_HOTP)) != 0 &&
		    (f->flags & mask) == 0)
			continue;
		req = (f->flags & F_REQ) != 0;
		switch (f->type) {
		case FT_STR:
			if (*FCP(char *, base, f->off) == NULL)
				break;
			sb_key(b, f->key);
			sb_pct(b, *FCP(char *, base, f->off));
			break;
		case FT_TIME:
			if (*FCP(time_t, base, f->off) == 0)
				break;
			if ((b->err = za_time_format_gentime(*FCP(time_t, base,
			    f->off), tbuf, sizeof(tbuf))) != ZA_OK)
				break;
			sb_key(b, f->key);
			sb_str(b, tbuf);
			break;
		case FT_UINT:
			if (!req && *FCP(unsigned int, base, f->off) == 0)
				break;
			sb_key(b, f->key);
			sb_u64(b, *FCP(unsigned int, base, f->off));
			break;
		case FT_U32:
			sb_key(b, f->key);
			sb_u64(b, *FCP(uint32_t, base, f->off));
			break;
		case FT_U64OPT:
			if (!*FCP(bool, base, f->off2))
				break;
			sb_key(b, f->key);
			sb_u64(b, *FCP(uint64_t, base, f->off));
			break;
		case FT_POSIXID:
			if (*FCP(int64_t, base, f->off) < 0)
				break;
			sb_key(b, f->key);
			sb_u64(b, (uint64_t)*FCP(int64_t, base, f->off));
			break;
		case FT_BOOL:
			if (!*FCP(bool, base, f->off))
				break;
			sb_key(b, f->key);
			sb_put(b, "1", 1);
			break;
		case FT_EMPLOYMENT:
			if (*FCP(enum za_employment, base, f->off) ==
			    ZA_EMPLOYMENT_UNSET)
				break;
			if ((b->err = za_employment_to_string(*FCP(enum
			    za_employment, base, f->off), &name)) == ZA_OK) {
				sb_key(b, f->key);
				sb_str(b, name);
			}
			break;
		case FT_ACCOUNT:
			if (*FCP(enum za_account_status, base, f->off) ==
			    ZA_ACCOUNT_UNSET)
				break;
			if ((b->err = za_account_status_to_string(*FCP(enum
			    za_account_status, base, f->off), &name)) ==
			    ZA_OK) {
				sb_key(b, f->key);
				sb_str(b, name);
			}
			break;
		case FT_TSTATUS:
			if ((b->err = za_token_status_to_string(*FCP(enum
			    za_token_status, base, f->off), &name)) == ZA_OK) {
				sb_key(b, f->key);
				sb_str(b, name);
			}
			break;
		case FT_OTPALG:
			if ((b->err = za_otp_alg_to_string(*FCP(enum
			    za_otp_alg, base, f->off), &name)) == ZA_OK) {
				sb_key(b, f->key);
				sb_str(b, name);
			}
			break;
		case FT_UV:
			if ((b->err = za_uv_kind_to_string(*FCP(enum
			    za_uv_kind, base, f->off), &name)) == ZA_OK) {
				sb_key(b, f->key);
				sb_str(b, name);
			}
			break;
		case FT_COSE:
			sb_key(b, f->key);
			sb_put(b, "-", 1);
			sb_u64(b, (uint64_t)-(int64_t)*FCP(int, base, f->off));
			break;
		case FT_SECRET:
			s = NULL;
			if ((b->err = za_base32_encode(*FCP(unsigned char *,
			    base, f->off), *FCP(size_t, base, f->off2),
			    &s)) != ZA_OK)
				break;
			sb_key(b, f->key);
			sb_str(b, s);
			za_free_secret_str(&s);
			break;
		case FT_B64URL:
		case FT_B64:
			sb_key(b, f->key);
			sb_b64(b, *FCP(unsigned char *, base, f->off),
			    *FCP(size_t, base, f->off2), f->type == FT_B64 ?
			    ZA_BASE64_STD : ZA_BASE64_URL_NOPAD);
			break;
		case FT_AAGUID:
			if ((b->err = za_aaguid_format(FCP(unsigned char, base,
			    f->off), abuf, sizeof(abuf))) != ZA_OK)
				break;
			sb_key(b, f->key);
			sb_str(b, abuf);
			break;
		case FT_FAILURE: {
			const struct za_user *u = base;

			for (i = 0; i < u->nfailures && b->err == ZA_OK; i++) {
				s = NULL;
				if ((b->err = za_auth_failure_format(
				    &u->failures[i], &s)) != ZA_OK)
					break;
				sb_key(b, f->key);
				sb_pct(b, s);
				free(s);
			}
			break;
		}
		case FT_GROUP: {
			const struct za_user *u = base;

			for (i = 0; i < u->ngroups; i++) {
				sb_key(b, f->key);
				sb_pct(b, u->groups[i]);
			}
			break;
		}
		}
	}
}

/* Close a record begun at offset start: newline and the length bound. */
static int
end_record(struct sbuf *b, size_t start, size_t line, const struct za_log *lg)
{
	if (b->err == ZA_OK && b->len - start > ZA_STORE_MAX_LINE) {
		za_error(lg, "record for line %zu is longer than %d bytes",
		    line, ZA_STORE_MAX_LINE);
		b->err = ZA_ERR_TOO_LARGE;
	}
	sb_put(b, "\n", 1);
	return b->err;
}

int
za_store_serialize(const struct za_store *s, char **out, size_t *outlen,
    const struct za_log *lg)
{
	struct sbuf b;
	size_t *ul = NULL, *ol = NULL, *fl = NULL, i, line = 1, start;
	const struct za_otp_token *t;
	const struct za_fido2_cred *c;
	int r = ZA_ERR_ARG;

	memset(&b, 0, sizeof(b));
	if (s == NULL || out == NULL || outlen == NULL)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((ul = calloc(s->users.n + 1, sizeof(*ul))) == NULL ||
	    (ol = calloc(s->otp.n + 1, sizeof(*ol))) == NULL ||
	    (fl = calloc(s->fido2.n + 1, sizeof(*fl))) == NULL)
		goto out;
	sb_str(&b, ZA_STORE_HEADER "\n");
	for (i = 0; i < s->users.n; i++) {
		ul[i] = ++line;
		if ((r = za_user_validate(s->users.v[i], lg)) != ZA_OK) {
			za_error(lg, "user record %zu is invalid", i + 1);
			goto out;
		}
		start = b.len;
		sb_str(&b, "user ");
		sb_str(&b, s->users.v[i]->uid);
		write_fields(&b, user_fields, 0, s->users.v[i]);
		if ((r = end_record(&b, start, line, lg)) != ZA_OK)
			goto out;
	}
	for (i = 0; i < s->otp.n; i++) {
		t = s->otp.v[i];
		ol[i] = ++line;
		if (za_otp_token_validate(t, lg) != ZA_OK || t->owner == NULL) {
			za_error(lg, "OTP token record %zu is invalid or has "
			    "no owner", i + 1);
			r = ZA_ERR_PARSE;
			goto out;
		}
		start = b.len;
		sb_str(&b, t->kind == ZA_TOKEN_TOTP ? "totp " : "hotp ");
		sb_str(&b, t->owner);
		write_fields(&b, otp_fields, t->kind == ZA_TOKEN_TOTP ?
		    F_TOTP : F_HOTP, t);
		if ((r = end_record(&b, start, line, lg)) != ZA_OK)
			goto out;
	}
	for (i = 0; i < s->fido2.n; i++) {
		c = s->fido2.v[i];
		fl[i] = ++line;
		if (za_fido2_cred_validate(c, lg) != ZA_OK ||
		    c->owner == NULL) {
			za_error(lg, "fido2 record %zu is invalid or has no "
			    "owner", i + 1);
			r = ZA_ERR_PARSE;
			goto out;
		}
		start = b.len;
		sb_str(&b, "fido2 ");
		sb_str(&b, c->owner);
		write_fields(&b, fido2_fields, 0, c);
		if ((r = end_record(&b, start, line, lg)) != ZA_OK)
			goto out;
	}
	if (line - 1 > ZA_STORE_MAX_RECORDS) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	/* What we write must parse: the same cross-record checks. */
	if ((r = cross_check(s, ul, ol, fl, lg)) != ZA_OK)
		goto out;
	*out = b.p;
	*outlen = b.len;
	b.p = NULL;
	r = ZA_OK;
 out:
	if (b.p != NULL)
		za_freezero(b.p, b.cap);
	free(ul);
	free(ol);
	free(fl);
	return r;
}

struct za_user *
za_store_find_user(const struct za_store *s, const char *uid)
{
	size_t i;

	if (s == NULL || uid == NULL)
		return NULL;
	for (i = 0; i < s->users.n; i++)
		if (strcmp(s->users.v[i]->uid, uid) == 0)
			return s->users.v[i];
	return NULL;
}

struct za_otp_token *
za_store_find_otp(const struct za_store *s, const char *id)
{
	size_t i;

	if (s == NULL || id == NULL)
		return NULL;
	for (i = 0; i < s->otp.n; i++)
		if (strcmp(s->otp.v[i]->id, id) == 0)
			return s->otp.v[i];
	return NULL;
}

struct za_fido2_cred *
za_store_find_fido2(const struct za_store *s, const char *id)
{
	size_t i;

	if (s == NULL || id == NULL)
		return NULL;
	for (i = 0; i < s->fido2.n; i++)
		if (strcmp(s->fido2.v[i]->id, id) == 0)
			return s->fido2.v[i];
	return NULL;
}
