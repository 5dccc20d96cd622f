/*
 * The credential model: enum names, object life cycle, lists, validation
 * and the small text forms (AAGUID, failure record) the directory and
 * file-store mappings share (see za_model.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_spki.h"
#include "za_time.h"

#define ZA_LIST_MAX	((size_t)16 << 20)

/* ------------------------------------------------------------------ enums */
struct enum_name {
	int value;
	const char *name;
};

static const struct enum_name employment_names[] = {
	{ ZA_EMPLOYMENT_STAFF, "staff" },
	{ ZA_EMPLOYMENT_TEMPORARY, "temporary" },
	{ ZA_EMPLOYMENT_CONTRACTOR, "contractor" },
	{ ZA_EMPLOYMENT_DEVELOPMENT, "development" },
	{ 0, NULL }
};

static const struct enum_name account_status_names[] = {
	{ ZA_ACCOUNT_ACTIVE, "active" },
	{ ZA_ACCOUNT_SUSPENDED, "suspended" },
	{ ZA_ACCOUNT_DISABLED, "disabled" },
	{ 0, NULL }
};

static const struct enum_name token_kind_names[] = {
	{ ZA_TOKEN_TOTP, "totp" },
	{ ZA_TOKEN_HOTP, "hotp" },
	{ ZA_TOKEN_FIDO2, "fido2" },
	{ 0, NULL }
};

static const struct enum_name token_status_names[] = {
	{ ZA_TOKEN_ACTIVE, "active" },
	{ ZA_TOKEN_REVOKED, "revoked" },
	{ ZA_TOKEN_CLONED, "cloned" },
	{ 0, NULL }
};

static const struct enum_name uv_kind_names[] = {
	{ ZA_UV_NONE, "none" },
	{ ZA_UV_PIN, "pin" },
	{ ZA_UV_BUILTIN, "builtin" },
	{ 0, NULL }
};

static const struct enum_name otp_alg_names[] = {
	{ ZA_OTP_SHA1, "sha1" },
	{ ZA_OTP_SHA256, "sha256" },
	{ ZA_OTP_SHA512, "sha512" },
	{ 0, NULL }
};

static const struct enum_name otp_alg_oids[] = {
	{ ZA_OTP_SHA1, ZA_OID_HMAC_SHA1 },
	{ ZA_OTP_SHA256, ZA_OID_HMAC_SHA256 },
	{ ZA_OTP_SHA512, ZA_OID_HMAC_SHA512 },
	{ 0, NULL }
};

static int
enum_to_string(const struct enum_name *t, int v, const char **out)
{
	size_t i;

	if (out == NULL)
		return ZA_ERR_ARG;
	for (i = 0; t[i].name != NULL; i++) {
		if (t[i].value == v) {
			*out = t[i].name;
			return ZA_OK;
		}
	}
	return ZA_ERR_ARG;
}

static int
enum_from_string(const struct enum_name *t, const char *s, int nocase,
    int *out)
{
	size_t i;

	if (s == NULL || out == NULL)
		return ZA_ERR_ARG;
	for (i = 0; t[i].name != NULL; i++) {
		if (nocase ? strcasecmp(t[i].name, s) == 0 :
		    strcmp(t[i].name, s) == 0) {
			*out = t[i].value;
			return ZA_OK;
		}
	}
	return ZA_ERR_PARSE;
}

#define ZA_ENUM_FUNCS(prefix, type, table, nocase)			\
int									\
prefix##_to_string(type v, const char **out)				\
{									\
	return enum_to_string(table, (int)v, out);			\
}									\
int									\
prefix##_from_string(const char *s, type *out)				\
{									\
	int v = 0, r;							\
									\
	if (out == NULL)						\
		return ZA_ERR_ARG;					\
	if ((r = enum_from_string(table, s, nocase, &v)) == ZA_OK)	\
		*out = (type)v;						\
	return r;							\
}

ZA_ENUM_FUNCS(za_employment, enum za_employment, employment_names, 1)
ZA_ENUM_FUNCS(za_account_status, enum za_account_status,
    account_status_names, 1)
ZA_ENUM_FUNCS(za_token_kind, enum za_token_kind, token_kind_names, 1)
ZA_ENUM_FUNCS(za_token_status, enum za_token_status, token_status_names, 1)
ZA_ENUM_FUNCS(za_uv_kind, enum za_uv_kind, uv_kind_names, 1)
ZA_ENUM_FUNCS(za_otp_alg, enum za_otp_alg, otp_alg_names, 1)

int
za_otp_alg_to_oid(enum za_otp_alg v, const char **out)
{
	return enum_to_string(otp_alg_oids, (int)v, out);
}

int
za_otp_alg_from_oid(const char *s, enum za_otp_alg *out)
{
	int v = 0, r;

	if (out == NULL)
		return ZA_ERR_ARG;
	if ((r = enum_from_string(otp_alg_oids, s, 0, &v)) == ZA_OK)
		*out = (enum za_otp_alg)v;
	return r;
}

/* ------------------------------------------------------------------ life */
int
za_user_new(struct za_user **out)
{
	struct za_user *u;

	if (out == NULL)
		return ZA_ERR_ARG;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return ZA_ERR_NOMEM;
	u->uid_number = -1;
	u->gid_number = -1;
	*out = u;
	return ZA_OK;
}

int
za_otp_token_new(struct za_otp_token **out)
{
	if (out == NULL)
		return ZA_ERR_ARG;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

int
za_fido2_cred_new(struct za_fido2_cred **out)
{
	if (out == NULL)
		return ZA_ERR_ARG;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

int
za_otp_params_new(struct za_otp_params **out)
{
	if (out == NULL)
		return ZA_ERR_ARG;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

void
za_auth_failure_clear(struct za_auth_failure *f)
{
	if (f == NULL)
		return;
	free(f->terminal);
	memset(f, 0, sizeof(*f));
}

void
za_user_free(struct za_user **up)
{
	struct za_user *u;
	size_t i;

	if (up == NULL || (u = *up) == NULL)
		return;
	free(u->dn);
	free(u->uid);
	free(u->cn);
	free(u->sn);
	free(u->given_name);
	free(u->display_name);
	free(u->name_kana);
	free(u->mail);
	free(u->employee_number);
	free(u->department);
	free(u->status_reason);
	free(u->project);
	free(u->created_by);
	free(u->approval_ref);
	free(u->last_reviewer);
	free(u->last_mfa_terminal);
	for (i = 0; i < u->nfailures; i++)
		za_auth_failure_clear(&u->failures[i]);
	free(u->failures);
	free(u->home_directory);
	free(u->login_shell);
	free(u->priv.owner_dn);
	free(u->priv.purpose);
	free(u->priv.default_name);
	free(u->priv.checkout_holder);
	for (i = 0; i < u->ngroups; i++)
		free(u->groups[i]);
	free(u->groups);
	free(u);
	*up = NULL;
}

void
za_otp_token_free(struct za_otp_token **tp)
{
	struct za_otp_token *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	free(t->dn);
	free(t->owner);
	free(t->id);
	free(t->label);
	free(t->revoke_reason);
	za_freezero(t->secret, t->secret_len);
	free(t->params_dn);
	za_freezero(t, sizeof(*t));
	*tp = NULL;
}

void
za_fido2_cred_free(struct za_fido2_cred **cp)
{
	struct za_fido2_cred *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	free(c->dn);
	free(c->owner);
	free(c->id);
	free(c->label);
	free(c->revoke_reason);
	free(c->cred_id);
	free(c->pubkey);
	free(c->rp_id);
	free(c);
	*cp = NULL;
}

void
za_otp_params_free(struct za_otp_params **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	free((*pp)->dn);
	free(*pp);
	*pp = NULL;
}

/* ------------------------------------------------------------------ lists */
/* Make room for one more pointer in *v (n used, *cap allocated). */
static int
list_grow(void ***v, size_t n, size_t *cap)
{
	void **nv;
	size_t ncap;

	if (n < *cap)
		return ZA_OK;
	if (n >= ZA_LIST_MAX)
		return ZA_ERR_TOO_LARGE;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if (ncap > ZA_LIST_MAX)
		ncap = ZA_LIST_MAX;
	if ((nv = reallocarray(*v, ncap, sizeof(*nv))) == NULL)
		return ZA_ERR_NOMEM;
	*v = nv;
	*cap = ncap;
	return ZA_OK;
}

#define ZA_LIST_FUNCS(prefix, ltype, itype)				\
int									\
prefix##_list_append(ltype *l, itype **itemp)				\
{									\
	void **v;							\
	int r;								\
									\
	if (l == NULL || itemp == NULL || *itemp == NULL)		\
		return ZA_ERR_ARG;					\
	v = (void **)l->v;						\
	if ((r = list_grow(&v, l->n, &l->cap)) != ZA_OK)		\
		return r;						\
	l->v = (itype **)v;						\
	l->v[l->n++] = *itemp;						\
	*itemp = NULL;							\
	return ZA_OK;							\
}									\
void									\
prefix##_list_clear(ltype *l)						\
{									\
	size_t i;							\
									\
	if (l == NULL)							\
		return;							\
	for (i = 0; i < l->n; i++)					\
		prefix##_free(&l->v[i]);				\
	free(l->v);							\
	l->v = NULL;							\
	l->n = 0;							\
	l->cap = 0;							\
}

ZA_LIST_FUNCS(za_user, struct za_user_list, struct za_user)
ZA_LIST_FUNCS(za_otp_token, struct za_otp_token_list, struct za_otp_token)
ZA_LIST_FUNCS(za_fido2_cred, struct za_fido2_cred_list, struct za_fido2_cred)

/* ------------------------------------------------------------------ checks */
/* Length of the UTF-8 sequence at s (n bytes left), 0 if ill-formed. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07u;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
za_valid_text(const char *s, size_t maxlen, const char *what,
    const struct za_log *lg)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i, k;

	if (what == NULL)
		what = "text";
	if (s == NULL) {
		za_error(lg, "%s: missing", what);
		return ZA_ERR_PARSE;
	}
	len = strnlen(s, maxlen + 1);
	if (len == 0 || len > maxlen) {
		za_error(lg, "%s: length must be 1..%zu bytes", what, maxlen);
		return ZA_ERR_PARSE;
	}
	for (i = 0; i < len; i += k) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			za_error(lg, "%s: control character at byte %zu",
			    what, i);
			return ZA_ERR_PARSE;
		}
		if ((k = utf8_seq(p + i, len - i)) == 0) {
			za_error(lg, "%s: invalid UTF-8 at byte %zu", what, i);
			return ZA_ERR_PARSE;
		}
	}
	return ZA_OK;
}

int
za_valid_uid(const char *s, const struct za_log *lg)
{
	size_t i, len;

	/* The value is never logged: it may be a mistyped password. */
	if (s == NULL || (len = strnlen(s, ZA_UID_MAX + 1)) == 0 ||
	    len > ZA_UID_MAX)
		goto bad;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		goto bad;
	for (i = 1; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			goto bad;
	}
	return ZA_OK;
 bad:
	za_error(lg, "invalid login name: must match [a-z_][a-z0-9._-]{0,%d}",
	    ZA_UID_MAX - 1);
	return ZA_ERR_PARSE;
}

int
za_valid_employee_number(const char *s, const struct za_log *lg)
{
	size_t i, len;

	if (s == NULL || (len = strnlen(s, ZA_EMPLOYEE_NUMBER_MAX + 1)) == 0 ||
	    len > ZA_EMPLOYEE_NUMBER_MAX)
		goto bad;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			goto bad;
	return ZA_OK;
 bad:
	za_error(lg, "invalid employee number: must be 1..%d digits",
	    ZA_EMPLOYEE_NUMBER_MAX);
	return ZA_ERR_PARSE;
}

int
za_valid_token_id(const char *s, const struct za_log *lg)
{
	size_t i, len;

	if (s == NULL || (len = strnlen(s, ZA_TOKEN_ID_MAX + 1)) == 0 ||
	    len > ZA_TOKEN_ID_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			goto bad;
	}
	return ZA_OK;
 bad:
	za_error(lg, "invalid token id: must match [A-Za-z0-9_-]{1,%d}",
	    ZA_TOKEN_ID_MAX);
	return ZA_ERR_PARSE;
}

int
za_valid_label(const char *s, const struct za_log *lg)
{
	return za_valid_text(s, ZA_LABEL_MAX, "token label", lg);
}

/* 1..max bytes of printable ASCII without space (IA5String-safe). */
static int
printable_ascii(const char *s, size_t max)
{
	size_t i, len;

	if (s == NULL || (len = strnlen(s, max + 1)) == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

int
za_valid_terminal(const char *s, const struct za_log *lg)
{
	if (printable_ascii(s, ZA_TERMINAL_MAX))
		return ZA_OK;
	za_error(lg, "invalid terminal name: must be 1..%d printable ASCII "
	    "characters without spaces", ZA_TERMINAL_MAX);
	return ZA_ERR_PARSE;
}

/* Optional text: NULL is fine, anything else must be valid. */
static int
opt_text(const char *s, size_t maxlen, const char *what,
    const struct za_log *lg)
{
	if (s == NULL)
		return ZA_OK;
	return za_valid_text(s, maxlen, what, lg);
}

static int
opt_path(const char *s, const char *what, const struct za_log *lg)
{
	int r;

	if (s == NULL)
		return ZA_OK;
	if ((r = za_valid_text(s, ZA_STRING_MAX, what, lg)) != ZA_OK)
		return r;
	if (s[0] != '/') {
		za_error(lg, "%s: must be an absolute path", what);
		return ZA_ERR_PARSE;
	}
	return ZA_OK;
}

static int
posix_id_ok(int64_t v, const char *what, const struct za_log *lg)
{
	/* 0 (root) is never assigned to a managed ID; 2^32-1 is (uid_t)-1. */
	if (v == -1 || (v >= 1 && v <= 4294967294LL))
		return ZA_OK;
	za_error(lg, "%s: must be 1..4294967294", what);
	return ZA_ERR_PARSE;
}

static int
nonce_ok(const char *n)
{
	size_t i;

	for (i = 0; i < ZA_FAILURE_NONCE_LEN; i++)
		if (!((n[i] >= '0' && n[i] <= '9') ||
		    (n[i] >= 'a' && n[i] <= 'f')))
			return 0;
	return n[ZA_FAILURE_NONCE_LEN] == '\0';
}

static int
priv_validate(const struct za_priv *p, const struct za_log *lg)
{
	int r = ZA_ERR_PARSE;

	if (!p->is_privileged) {
		if (p->owner_dn != NULL || p->purpose != NULL ||
		    p->default_name != NULL || p->rotation_days != 0 ||
		    p->last_rotation != 0 || p->checkout_holder != NULL ||
		    p->checkout_start != 0 || p->checkout_end != 0) {
			za_error(lg, "privileged-ID data on an account that "
			    "is not registered as privileged");
			goto out;
		}
		r = ZA_OK;
		goto out;
	}
	if ((r = opt_text(p->owner_dn, ZA_DN_MAX, "privileged owner",
	    lg)) != ZA_OK ||
	    (r = opt_text(p->purpose, ZA_REASON_MAX, "privileged purpose",
	    lg)) != ZA_OK ||
	    (r = opt_text(p->default_name, ZA_NAME_MAX,
	    "privileged default name", lg)) != ZA_OK ||
	    (r = opt_text(p->checkout_holder, ZA_DN_MAX,
	    "check-out holder", lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (p->rotation_days > ZA_ROTATION_DAYS_MAX) {
		za_error(lg, "rotation days: must be 0..%d",
		    ZA_ROTATION_DAYS_MAX);
		goto out;
	}
	if (p->checkout_start != 0 && p->checkout_end != 0 &&
	    p->checkout_end < p->checkout_start) {
		za_error(lg, "check-out ends before it starts");
		goto out;
	}
	r = ZA_OK;
 out:
	return r;
}

int
za_user_validate(const struct za_user *u, const struct za_log *lg)
{
	const struct { const char *s; size_t max; const char *what; } txt[] = {
		{ u ? u->dn : NULL, ZA_DN_MAX, "dn" },
		{ u ? u->cn : NULL, ZA_NAME_MAX, "cn" },
		{ u ? u->sn : NULL, ZA_NAME_MAX, "sn" },
		{ u ? u->given_name : NULL, ZA_NAME_MAX, "given name" },
		{ u ? u->display_name : NULL, ZA_NAME_MAX, "display name" },
		{ u ? u->name_kana : NULL, ZA_NAME_MAX, "name kana" },
		{ u ? u->mail : NULL, ZA_NAME_MAX, "mail" },
		{ u ? u->department : NULL, ZA_NAME_MAX, "department" },
		{ u ? u->status_reason : NULL, ZA_REASON_MAX, "status reason" },
		{ u ? u->project : NULL, ZA_NAME_MAX, "project" },
		{ u ? u->created_by : NULL, ZA_DN_MAX, "created by" },
		{ u ? u->approval_ref : NULL, ZA_NAME_MAX, "approval ref" },
		{ u ? u->last_reviewer : NULL, ZA_DN_MAX, "last reviewer" },
	};
	size_t i;
	int r = ZA_ERR_ARG;

	if (u == NULL)
		goto out;
	if ((r = za_valid_uid(u->uid, lg)) != ZA_OK)
		goto out;
	for (i = 0; i < sizeof(txt) / sizeof(txt[0]); i++)
		if ((r = opt_text(txt[i].s, txt[i].max, txt[i].what,
		    lg)) != ZA_OK)
			goto out;
	if (u->employee_number != NULL &&
	    (r = za_valid_employee_number(u->employee_number, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if ((unsigned int)u->employment > ZA_EMPLOYMENT_DEVELOPMENT) {
		za_error(lg, "employment type out of range");
		goto out;
	}
	if ((unsigned int)u->status > ZA_ACCOUNT_DISABLED) {
		za_error(lg, "account status out of range");
		goto out;
	}
	if (u->last_mfa_terminal != NULL &&
	    (r = za_valid_terminal(u->last_mfa_terminal, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (u->nfailures > ZA_MAX_AUTH_FAILURES ||
	    (u->nfailures > 0 && u->failures == NULL)) {
		za_error(lg, "more than %d failure records",
		    ZA_MAX_AUTH_FAILURES);
		goto out;
	}
	for (i = 0; i < u->nfailures; i++) {
		if (u->failures[i].when == 0 ||
		    !nonce_ok(u->failures[i].nonce)) {
			za_error(lg, "failure record %zu: bad time or nonce",
			    i + 1);
			goto out;
		}
		if (u->failures[i].terminal != NULL &&
		    (r = za_valid_terminal(u->failures[i].terminal,
		    lg)) != ZA_OK)
			goto out;
		r = ZA_ERR_PARSE;
	}
	if ((r = posix_id_ok(u->uid_number, "uid number", lg)) != ZA_OK ||
	    (r = posix_id_ok(u->gid_number, "gid number", lg)) != ZA_OK ||
	    (r = opt_path(u->home_directory, "home directory", lg)) != ZA_OK ||
	    (r = opt_path(u->login_shell, "login shell", lg)) != ZA_OK ||
	    (r = priv_validate(&u->priv, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (u->ngroups > ZA_MAX_GROUPS ||
	    (u->ngroups > 0 && u->groups == NULL)) {
		za_error(lg, "more than %d groups", ZA_MAX_GROUPS);
		goto out;
	}
	for (i = 0; i < u->ngroups; i++)
		if ((r = za_valid_text(u->groups[i], ZA_NAME_MAX, "group",
		    lg)) != ZA_OK)
			goto out;
	r = ZA_OK;
 out:
	return r;
}

/* Fields OTP tokens and FIDO2 credentials share. */
static int
token_common_validate(const char *dn, const char *owner, const char *id,
    const char *label, enum za_token_status status, const char *reason,
    const struct za_log *lg)
{
	int r;

	if ((r = opt_text(dn, ZA_DN_MAX, "dn", lg)) != ZA_OK)
		goto out;
	if (owner != NULL && (r = za_valid_uid(owner, lg)) != ZA_OK)
		goto out;
	if ((r = za_valid_token_id(id, lg)) != ZA_OK)
		goto out;
	if (label != NULL && (r = za_valid_label(label, lg)) != ZA_OK)
		goto out;
	if ((r = opt_text(reason, ZA_REASON_MAX, "revoke reason",
	    lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (status < ZA_TOKEN_ACTIVE || status > ZA_TOKEN_CLONED) {
		za_error(lg, "token status missing or out of range");
		goto out;
	}
	r = ZA_OK;
 out:
	return r;
}

static int
otp_alg_ok(enum za_otp_alg alg)
{
	return alg >= ZA_OTP_SHA1 && alg <= ZA_OTP_SHA512;
}

int
za_otp_token_validate(const struct za_otp_token *t, const struct za_log *lg)
{
	int r = ZA_ERR_ARG;

	if (t == NULL)
		goto out;
	if ((r = token_common_validate(t->dn, t->owner, t->id, t->label,
	    t->status, t->revoke_reason, lg)) != ZA_OK)
		goto out;
	if ((r = opt_text(t->params_dn, ZA_DN_MAX, "params dn", lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (t->kind != ZA_TOKEN_TOTP && t->kind != ZA_TOKEN_HOTP) {
		za_error(lg, "OTP token kind must be totp or hotp");
		goto out;
	}
	if (t->secret == NULL || t->secret_len < ZA_SECRET_MIN ||
	    t->secret_len > ZA_SECRET_MAX) {
		za_error(lg, "secret: must be %d..%d bytes", ZA_SECRET_MIN,
		    ZA_SECRET_MAX);
		goto out;
	}
	if (t->digits == 0 && t->alg == 0 && t->period == 0 &&
	    t->window == 0 && t->lookahead == 0) {
		/* Parameters not applied yet (decoded from the directory). */
		if ((t->kind == ZA_TOKEN_TOTP && t->has_counter) ||
		    (t->kind == ZA_TOKEN_HOTP && t->has_last_step)) {
			za_error(lg, "counter of the other kind of token");
			goto out;
		}
		r = ZA_OK;
		goto out;
	}
	if (t->digits < ZA_OTP_DIGITS_MIN || t->digits > ZA_OTP_DIGITS_MAX) {
		za_error(lg, "digits: must be %d..%d", ZA_OTP_DIGITS_MIN,
		    ZA_OTP_DIGITS_MAX);
		goto out;
	}
	if (!otp_alg_ok(t->alg)) {
		za_error(lg, "HMAC algorithm missing or out of range");
		goto out;
	}
	if (t->kind == ZA_TOKEN_TOTP) {
		if (t->period < ZA_TOTP_PERIOD_MIN ||
		    t->period > ZA_TOTP_PERIOD_MAX ||
		    t->window > ZA_TOTP_WINDOW_MAX) {
			za_error(lg, "TOTP period must be %d..%d s and window "
			    "0..%d", ZA_TOTP_PERIOD_MIN, ZA_TOTP_PERIOD_MAX,
			    ZA_TOTP_WINDOW_MAX);
			goto out;
		}
		if (t->lookahead != 0 || t->has_counter) {
			za_error(lg, "HOTP fields on a TOTP token");
			goto out;
		}
	} else {
		if (t->lookahead > ZA_HOTP_LOOKAHEAD_MAX) {
			za_error(lg, "HOTP look-ahead must be 0..%d",
			    ZA_HOTP_LOOKAHEAD_MAX);
			goto out;
		}
		if (t->period != 0 || t->window != 0 || t->has_last_step) {
			za_error(lg, "TOTP fields on a HOTP token");
			goto out;
		}
	}
	r = ZA_OK;
 out:
	return r;
}

int
za_otp_params_validate(const struct za_otp_params *p, const struct za_log *lg)
{
	int r = ZA_ERR_ARG;

	if (p == NULL)
		goto out;
	if ((r = opt_text(p->dn, ZA_DN_MAX, "dn", lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (p->kind != ZA_TOKEN_TOTP && p->kind != ZA_TOKEN_HOTP) {
		za_error(lg, "OTP parameters kind must be totp or hotp");
		goto out;
	}
	if (p->digits < ZA_OTP_DIGITS_MIN || p->digits > ZA_OTP_DIGITS_MAX) {
		za_error(lg, "OTP length must be %d..%d", ZA_OTP_DIGITS_MIN,
		    ZA_OTP_DIGITS_MAX);
		goto out;
	}
	if (!otp_alg_ok(p->alg)) {
		za_error(lg, "HMAC algorithm missing or out of range");
		goto out;
	}
	if (p->kind == ZA_TOKEN_TOTP && (p->period < ZA_TOTP_PERIOD_MIN ||
	    p->period > ZA_TOTP_PERIOD_MAX || p->window > ZA_TOTP_WINDOW_MAX ||
	    p->lookahead != 0)) {
		za_error(lg, "TOTP period must be %d..%d s, window 0..%d",
		    ZA_TOTP_PERIOD_MIN, ZA_TOTP_PERIOD_MAX, ZA_TOTP_WINDOW_MAX);
		goto out;
	}
	if (p->kind == ZA_TOKEN_HOTP && (p->lookahead > ZA_HOTP_LOOKAHEAD_MAX ||
	    p->period != 0 || p->window != 0)) {
		za_error(lg, "HOTP look-ahead must be 0..%d",
		    ZA_HOTP_LOOKAHEAD_MAX);
		goto out;
	}
	r = ZA_OK;
 out:
	return r;
}

int
za_fido2_cred_validate(const struct za_fido2_cred *c, const struct za_log *lg)
{
	int r = ZA_ERR_ARG;

	if (c == NULL)
		goto out;
	if ((r = token_common_validate(c->dn, c->owner, c->id, c->label,
	    c->status, c->revoke_reason, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (!printable_ascii(c->rp_id, ZA_RP_ID_MAX)) {
		za_error(lg, "relying party id: must be 1..%d printable ASCII "
		    "characters without spaces", ZA_RP_ID_MAX);
		goto out;
	}
	if (c->cred_id == NULL || c->cred_id_len == 0 ||
	    c->cred_id_len > ZA_CRED_ID_MAX) {
		za_error(lg, "credential id: must be 1..%d bytes",
		    ZA_CRED_ID_MAX);
		goto out;
	}
	if (c->alg != ZA_COSE_ES256 && c->alg != ZA_COSE_EDDSA &&
	    c->alg != ZA_COSE_RS256) {
		za_error(lg, "algorithm: must be COSE -7, -8 or -257");
		goto out;
	}
	if (c->pubkey == NULL ||
	    !za_spki_check(c->pubkey, c->pubkey_len, c->alg)) {
		za_error(lg, "public key: not a DER SubjectPublicKeyInfo of "
		    "at most %d bytes for COSE algorithm %d", ZA_PUBKEY_MAX,
		    c->alg);
		goto out;
	}
	if (c->uv < ZA_UV_NONE || c->uv > ZA_UV_BUILTIN) {
		za_error(lg, "user verification kind missing or out of range");
		goto out;
	}
	r = ZA_OK;
 out:
	return r;
}

/* ------------------------------------------------------------------ OTP */
int
za_otp_token_apply_params(struct za_otp_token *t,
    const struct za_otp_params *p, const struct za_log *lg)
{
	char *dn = NULL;
	int r = ZA_ERR_ARG;

	if (t == NULL || p == NULL)
		goto out;
	if ((r = za_otp_params_validate(p, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (p->kind != t->kind) {
		za_error(lg, "parameters %s are for the other kind of token",
		    p->dn != NULL ? p->dn : "(unnamed)");
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if (p->dn != NULL && (dn = strdup(p->dn)) == NULL)
		goto out;
	t->digits = p->digits;
	t->alg = p->alg;
	t->period = p->period;
	t->window = p->window;
	t->lookahead = p->lookahead;
	if (dn != NULL) {
		free(t->params_dn);
		t->params_dn = dn;
		dn = NULL;
	}
	r = ZA_OK;
 out:
	free(dn);
	return r;
}

/* ------------------------------------------------------------------ FIDO2 */
int
za_fido2_cred_sssd_mapping(const struct za_fido2_cred *c, char **out)
{
	char *id = NULL, *key = NULL, *s = NULL;
	int r = ZA_ERR_ARG;

	if (c == NULL || out == NULL || c->cred_id == NULL ||
	    c->cred_id_len == 0 || c->cred_id_len > ZA_CRED_ID_MAX ||
	    c->pubkey == NULL || c->pubkey_len == 0 ||
	    c->pubkey_len > ZA_PUBKEY_MAX)
		goto out;
	if ((r = za_base64_encode(c->cred_id, c->cred_id_len, ZA_BASE64_STD,
	    &id)) != ZA_OK || (r = za_base64_encode(c->pubkey, c->pubkey_len,
	    ZA_BASE64_STD, &key)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if (asprintf(&s, "passkey:%s,%s", id, key) < 0)
		goto out;
	*out = s;
	r = ZA_OK;
 out:
	free(id);
	free(key);
	return r;
}

/* ------------------------------------------------------------------ codecs */
/* Bytes in each dash-separated group of the AAGUID text form. */
static const size_t aaguid_groups[] = { 4, 2, 2, 2, 6 };

int
za_aaguid_parse(const char *s, size_t len, unsigned char out[ZA_AAGUID_LEN])
{
	unsigned char tmp[ZA_AAGUID_LEN];
	size_t g, i = 0, o = 0;

	if (s == NULL || out == NULL)
		return ZA_ERR_ARG;
	if (len != ZA_AAGUID_TEXT_LEN)
		return ZA_ERR_PARSE;
	for (g = 0; g < sizeof(aaguid_groups) / sizeof(aaguid_groups[0]);
	    g++) {
		if (g > 0 && s[i++] != '-')
			return ZA_ERR_PARSE;
		if (za_hex_decode(s + i, aaguid_groups[g], 0, tmp + o) != ZA_OK)
			return ZA_ERR_PARSE;
		i += 2 * aaguid_groups[g];
		o += aaguid_groups[g];
	}
	memcpy(out, tmp, sizeof(tmp));
	return ZA_OK;
}

int
za_aaguid_format(const unsigned char in[ZA_AAGUID_LEN], char *buf,
    size_t bufsz)
{
	size_t g, i = 0, o = 0;

	if (in == NULL || buf == NULL || bufsz < ZA_AAGUID_TEXT_LEN + 1)
		return ZA_ERR_ARG;
	for (g = 0; g < sizeof(aaguid_groups) / sizeof(aaguid_groups[0]);
	    g++) {
		if (g > 0)
			buf[o++] = '-';
		za_hex_encode(in + i, aaguid_groups[g], buf + o);
		o += 2 * aaguid_groups[g];
		i += aaguid_groups[g];
	}
	return ZA_OK;
}

int
za_auth_failure_parse(const char *s, size_t len, struct za_auth_failure *f)
{
	const char *sp1, *sp2, *term;
	struct za_auth_failure tmp;
	size_t tlen;
	int r = ZA_ERR_ARG;

	memset(&tmp, 0, sizeof(tmp));
	if (s == NULL || f == NULL)
		goto out;
	r = ZA_ERR_PARSE;
	if ((sp1 = memchr(s, ' ', len)) == NULL)
		goto out;
	if ((r = za_time_parse_gentime(s, (size_t)(sp1 - s), &tmp.when)) !=
	    ZA_OK)
		goto out;
	r = ZA_ERR_PARSE;
	if (tmp.when == 0)
		goto out;
	sp2 = sp1 + 1;
	if ((size_t)(s + len - sp2) < ZA_FAILURE_NONCE_LEN + 2 ||
	    sp2[ZA_FAILURE_NONCE_LEN] != ' ')
		goto out;
	memcpy(tmp.nonce, sp2, ZA_FAILURE_NONCE_LEN);
	tmp.nonce[ZA_FAILURE_NONCE_LEN] = '\0';
	if (!nonce_ok(tmp.nonce))
		goto out;
	term = sp2 + ZA_FAILURE_NONCE_LEN + 1;
	tlen = (size_t)(s + len - term);
	if (tlen == 1 && term[0] == '-') {
		tmp.terminal = NULL;
	} else {
		if (tlen == 0 || tlen > ZA_TERMINAL_MAX ||
		    memchr(term, '\0', tlen) != NULL)
			goto out;
		r = ZA_ERR_NOMEM;
		if ((tmp.terminal = strndup(term, tlen)) == NULL)
			goto out;
		r = ZA_ERR_PARSE;
		if (za_valid_terminal(tmp.terminal, NULL) != ZA_OK)
			goto out;
	}
	*f = tmp;
	memset(&tmp, 0, sizeof(tmp));
	r = ZA_OK;
 out:
	za_auth_failure_clear(&tmp);
	return r;
}

int
za_auth_failure_format(const struct za_auth_failure *f, char **out)
{
	char t[ZA_TIME_GENTIME_BUFSZ];
	char *s = NULL;
	int r = ZA_ERR_ARG;

	if (f == NULL || out == NULL || !nonce_ok(f->nonce) || f->when == 0)
		goto out;
	if (f->terminal != NULL && za_valid_terminal(f->terminal, NULL) !=
	    ZA_OK)
		goto out;
	if ((r = za_time_format_gentime(f->when, t, sizeof(t))) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if (asprintf(&s, "%s %s %s", t, f->nonce,
	    f->terminal != NULL ? f->terminal : "-") < 0) {
		s = NULL;
		goto out;
	}
	*out = s;
	r = ZA_OK;
 out:
	return r;
}
