/*
 * Directory mapping of the credential model: decode users, OTP tokens,
 * OTP parameter entries and FIDO2 credentials from entries, and encode
 * them as LDAPMod arrays for ldap_add (see za_model.h).
 *
 * Every value is read as a berval and bounded before it is copied; a bad
 * value is ZA_ERR_PARSE naming the DN and the attribute, never a crash.
 * Attribute names come only from za_schema.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

/* More zaAuthFailure values than this is a broken entry, not a history. */
#define ZA_FAILURE_VALUES_MAX	4096
/* Longest enum word, OID or number we read into a stack buffer. */
#define SMALL_MAX		64

/* ================================================================ decode */

struct dctx {
	const struct za_attr_source *src;
	const struct za_log *lg;
	const char *dn;
};

static int
bad_attr(const struct dctx *d, const char *attr, const char *why)
{
	za_error(d->lg, "%s: attribute %s: %s", d->dn, attr, why);
	return ZA_ERR_PARSE;
}

static struct berval **
vals_get(const struct dctx *d, const char *attr)
{
	return d->src->get(d->src->arg, attr);
}

static void
vals_release(const struct dctx *d, struct berval **v)
{
	if (v != NULL && d->src->release != NULL)
		d->src->release(d->src->arg, v);
}

static size_t
vals_count(struct berval **v)
{
	size_t n = 0;

	if (v == NULL)
		return 0;
	while (v[n] != NULL)
		n++;
	return n;
}

/*
 * The single value of attr, or NULL when absent.  many_ok takes the first
 * of several values (attributes the standard schema makes multi-valued).
 */
static int
one_value(const struct dctx *d, const char *attr, int many_ok,
    struct berval ***valsp, const struct berval **out)
{
	struct berval **v;

	*out = NULL;
	*valsp = NULL;
	if ((v = vals_get(d, attr)) == NULL)
		return ZA_OK;
	*valsp = v;
	if (v[0] == NULL)
		return ZA_OK;
	if (!many_ok && v[1] != NULL)
		return bad_attr(d, attr, "more than one value");
	if (v[0]->bv_val == NULL && v[0]->bv_len > 0)
		return bad_attr(d, attr, "malformed value");
	*out = v[0];
	return ZA_OK;
}

/* Copy a berval holding a short token into buf as a C string. */
static int
small_copy(const struct dctx *d, const char *attr, const struct berval *bv,
    char *buf, size_t bufsz)
{
	if (bv->bv_len == 0 || bv->bv_len >= bufsz ||
	    memchr(bv->bv_val, '\0', bv->bv_len) != NULL)
		return bad_attr(d, attr, "malformed value");
	memcpy(buf, bv->bv_val, bv->bv_len);
	buf[bv->bv_len] = '\0';
	return ZA_OK;
}

/* Text attribute: UTF-8, no controls, at most max bytes; absent is NULL. */
static int
get_str(const struct dctx *d, const char *attr, size_t max, int many_ok,
    char **out)
{
	struct berval **vals = NULL;
	const struct berval *bv;
	char *s = NULL;
	int r;

	if ((r = one_value(d, attr, many_ok, &vals, &bv)) != ZA_OK ||
	    bv == NULL)
		goto out;
	if (bv->bv_len == 0 || bv->bv_len > max ||
	    memchr(bv->bv_val, '\0', bv->bv_len) != NULL) {
		r = bad_attr(d, attr, "empty, too long or contains NUL");
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((s = strndup(bv->bv_val, bv->bv_len)) == NULL)
		goto out;
	if (za_valid_text(s, max, attr, NULL) != ZA_OK) {
		r = bad_attr(d, attr, "invalid UTF-8 or control character");
		goto out;
	}
	free(*out);
	*out = s;
	s = NULL;
	r = ZA_OK;
 out:
	free(s);
	vals_release(d, vals);
	return r;
}

static int
get_time(const struct dctx *d, const char *attr, time_t *out)
{
	struct berval **vals = NULL;
	const struct berval *bv;
	int r;

	if ((r = one_value(d, attr, 0, &vals, &bv)) != ZA_OK || bv == NULL)
		goto out;
	if (za_time_parse_gentime(bv->bv_val, bv->bv_len, out) != ZA_OK)
		r = bad_attr(d, attr, "not a GeneralizedTime");
 out:
	vals_release(d, vals);
	return r;
}

/* Non-negative INTEGER syntax (no sign, no leading zeros) up to max. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return ZA_ERR_PARSE;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ZA_ERR_PARSE;
		if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return ZA_ERR_PARSE;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > max)
		return ZA_ERR_PARSE;
	*out = x;
	return ZA_OK;
}

static int
get_uint(const struct dctx *d, const char *attr, uint64_t max, uint64_t *out,
    bool *present)
{
	struct berval **vals = NULL;
	const struct berval *bv;
	char buf[SMALL_MAX];
	int r;

	if (present != NULL)
		*present = false;
	if ((r = one_value(d, attr, 0, &vals, &bv)) != ZA_OK || bv == NULL)
		goto out;
	if ((r = small_copy(d, attr, bv, buf, sizeof(buf))) != ZA_OK)
		goto out;
	if (parse_uint(buf, max, out) != ZA_OK) {
		r = bad_attr(d, attr, "not a number in range");
		goto out;
	}
	if (present != NULL)
		*present = true;
 out:
	vals_release(d, vals);
	return r;
}

static int
get_uint_req(const struct dctx *d, const char *attr, uint64_t max,
    uint64_t *out)
{
	bool present = false;
	int r;

	if ((r = get_uint(d, attr, max, out, &present)) != ZA_OK)
		return r;
	if (!present)
		return bad_attr(d, attr, "missing");
	return ZA_OK;
}

/* Binary attribute of 1..max bytes; wipe: the value is a secret. */
static int
get_bytes(const struct dctx *d, const char *attr, size_t max, int wipe,
    unsigned char **out, size_t *outlen)
{
	struct berval **vals = NULL, **v;
	const struct berval *bv;
	unsigned char *b = NULL;
	int r;

	if ((r = one_value(d, attr, 0, &vals, &bv)) != ZA_OK)
		goto out;
	if (bv == NULL) {
		r = bad_attr(d, attr, "missing");
		goto out;
	}
	if (bv->bv_len == 0 || bv->bv_len > max) {
		r = bad_attr(d, attr, "empty or too long");
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((b = malloc(bv->bv_len)) == NULL)
		goto out;
	memcpy(b, bv->bv_val, bv->bv_len);
	*out = b;
	*outlen = bv->bv_len;
	r = ZA_OK;
 out:
	if (wipe && vals != NULL)
		for (v = vals; *v != NULL; v++)
			za_wipe((*v)->bv_val, (*v)->bv_len);
	vals_release(d, vals);
	return r;
}

/* A word (enum, OID, sign) into buf; *present false when absent. */
static int
get_word(const struct dctx *d, const char *attr, char *buf, size_t bufsz,
    bool *present)
{
	struct berval **vals = NULL;
	const struct berval *bv;
	int r;

	*present = false;
	if ((r = one_value(d, attr, 0, &vals, &bv)) != ZA_OK || bv == NULL)
		goto out;
	if ((r = small_copy(d, attr, bv, buf, bufsz)) != ZA_OK)
		goto out;
	*present = true;
 out:
	vals_release(d, vals);
	return r;
}

static int
get_word_req(const struct dctx *d, const char *attr, char *buf, size_t bufsz)
{
	bool present = false;
	int r;

	if ((r = get_word(d, attr, buf, bufsz, &present)) != ZA_OK)
		return r;
	if (!present)
		return bad_attr(d, attr, "missing");
	return ZA_OK;
}

static int
get_present(const struct dctx *d, const char *attr, bool *out)
{
	struct berval **v = vals_get(d, attr);

	*out = v != NULL && v[0] != NULL;
	vals_release(d, v);
	return ZA_OK;
}

/* LDAP Boolean syntax: exactly "TRUE" or "FALSE". */
static int
get_bool(const struct dctx *d, const char *attr, bool *out)
{
	char buf[SMALL_MAX];
	bool have = false;
	int r;

	if ((r = get_word(d, attr, buf, sizeof(buf), &have)) != ZA_OK ||
	    !have)
		return r;
	if (strcmp(buf, "TRUE") == 0)
		*out = true;
	else if (strcmp(buf, "FALSE") == 0)
		*out = false;
	else
		return bad_attr(d, attr, "not TRUE or FALSE");
	return ZA_OK;
}

static int
has_class(const struct dctx *d, const char *oc, bool *out)
{
	struct berval **v = vals_get(d, ZA_AT_OBJECT_CLASS);
	size_t i, n = strlen(oc);

	*out = false;
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		if (v[i]->bv_len == n && v[i]->bv_val != NULL &&
		    strncasecmp(v[i]->bv_val, oc, n) == 0) {
			*out = true;
			break;
		}
	}
	vals_release(d, v);
	return ZA_OK;
}

/* Check zaTokenKind equals want. */
static int
check_kind(const struct dctx *d, enum za_token_kind want)
{
	char buf[SMALL_MAX];
	enum za_token_kind k;
	int r;

	if ((r = get_word_req(d, ZA_AT_TOKEN_KIND, buf, sizeof(buf))) != ZA_OK)
		return r;
	if (za_token_kind_from_string(buf, &k) != ZA_OK)
		return bad_attr(d, ZA_AT_TOKEN_KIND, "unknown token kind");
	if (k != want)
		return bad_attr(d, ZA_AT_TOKEN_KIND,
		    "disagrees with the object classes");
	return ZA_OK;
}

static int
get_token_status(const struct dctx *d, enum za_token_status *out)
{
	char buf[SMALL_MAX];
	int r;

	if ((r = get_word_req(d, ZA_AT_TOKEN_STATUS, buf,
	    sizeof(buf))) != ZA_OK)
		return r;
	if (za_token_status_from_string(buf, out) != ZA_OK)
		return bad_attr(d, ZA_AT_TOKEN_STATUS, "unknown token status");
	return ZA_OK;
}

static int
dctx_init(struct dctx *d, const struct za_attr_source *src,
    const struct za_log *lg)
{
	if (src == NULL || src->get == NULL)
		return ZA_ERR_ARG;
	d->src = src;
	d->lg = lg;
	d->dn = src->dn != NULL ? src->dn : "(no dn)";
	return ZA_OK;
}

static int
copy_dn(const struct za_attr_source *src, char **out)
{
	if (src->dn == NULL)
		return ZA_OK;
	if (strnlen(src->dn, ZA_DN_MAX + 1) > ZA_DN_MAX)
		return ZA_ERR_TOO_LARGE;
	if ((*out = strdup(src->dn)) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

static int
failure_cmp(const void *a, const void *b)
{
	const struct za_auth_failure *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->nonce, y->nonce);
}

/* zaAuthFailure values, oldest first, the newest ZA_MAX_AUTH_FAILURES. */
static int
get_failures(const struct dctx *d, struct za_user *u)
{
	struct berval **v = vals_get(d, ZA_AT_AUTH_FAILURE);
	struct za_auth_failure *f = NULL;
	size_t n = vals_count(v), i, keep;
	int r = ZA_OK;

	if (n == 0)
		goto out;
	if (n > ZA_FAILURE_VALUES_MAX) {
		za_error(d->lg, "%s: attribute %s: more than %d values", d->dn,
		    ZA_AT_AUTH_FAILURE, ZA_FAILURE_VALUES_MAX);
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((f = calloc(n, sizeof(*f))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (v[i]->bv_val == NULL || za_auth_failure_parse(v[i]->bv_val,
		    v[i]->bv_len, &f[i]) != ZA_OK) {
			r = bad_attr(d, ZA_AT_AUTH_FAILURE,
			    "not \"<time> <16 hex> <terminal|->\"");
			goto out;
		}
	}
	qsort(f, n, sizeof(*f), failure_cmp);
	keep = n > ZA_MAX_AUTH_FAILURES ? ZA_MAX_AUTH_FAILURES : n;
	if (keep < n)
		za_debug(d->lg, "%s: reading the newest %zu of %zu %s values",
		    d->dn, keep, n, ZA_AT_AUTH_FAILURE);
	for (i = 0; i < n - keep; i++)
		za_auth_failure_clear(&f[i]);
	memmove(f, f + (n - keep), keep * sizeof(*f));
	u->failures = f;
	u->nfailures = keep;
	f = NULL;
	n = 0;
	r = ZA_OK;
 out:
	for (i = 0; f != NULL && i < n; i++)
		za_auth_failure_clear(&f[i]);
	free(f);
	vals_release(d, v);
	return r;
}

static int
get_posix_id(const struct dctx *d, const char *attr, int64_t *out)
{
	uint64_t v = 0;
	bool have = false;
	int r;

	if ((r = get_uint(d, attr, 4294967294ULL, &v, &have)) != ZA_OK)
		return r;
	*out = have ? (int64_t)v : -1;
	return ZA_OK;
}

int
za_user_from_attrs(const struct za_attr_source *src, struct za_user **out,
    const struct za_log *lg)
{
	struct za_user *u = NULL;
	struct dctx d;
	char buf[SMALL_MAX];
	uint64_t days = 0;
	bool have = false;
	int r;

	if (out == NULL || dctx_init(&d, src, lg) != ZA_OK)
		return ZA_ERR_ARG;
	if ((r = za_user_new(&u)) != ZA_OK ||
	    (r = copy_dn(src, &u->dn)) != ZA_OK)
		goto out;
	if ((r = get_str(&d, ZA_AT_UID, ZA_UID_MAX, 0, &u->uid)) != ZA_OK)
		goto out;
	if (u->uid == NULL) {
		r = bad_attr(&d, ZA_AT_UID, "missing");
		goto out;
	}
	if (za_valid_uid(u->uid, NULL) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_UID, "not a valid login name");
		goto out;
	}
	if ((r = get_str(&d, ZA_AT_CN, ZA_NAME_MAX, 1, &u->cn)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_SN, ZA_NAME_MAX, 1, &u->sn)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_GIVEN_NAME, ZA_NAME_MAX, 1,
	    &u->given_name)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_DISPLAY_NAME, ZA_NAME_MAX, 0,
	    &u->display_name)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_NAME_KANA, ZA_NAME_MAX, 0,
	    &u->name_kana)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_MAIL, ZA_NAME_MAX, 1, &u->mail)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_EMPLOYEE_NUMBER, ZA_EMPLOYEE_NUMBER_MAX, 0,
	    &u->employee_number)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_DEPARTMENT, ZA_NAME_MAX, 1,
	    &u->department)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_STATUS_REASON, ZA_REASON_MAX, 0,
	    &u->status_reason)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_PROJECT, ZA_NAME_MAX, 0,
	    &u->project)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_CREATED_BY, ZA_DN_MAX, 0,
	    &u->created_by)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_APPROVAL_REF, ZA_NAME_MAX, 0,
	    &u->approval_ref)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_LAST_REVIEWER, ZA_DN_MAX, 0,
	    &u->last_reviewer)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_LAST_MFA_TERMINAL, ZA_TERMINAL_MAX, 0,
	    &u->last_mfa_terminal)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_HOME, ZA_STRING_MAX, 0,
	    &u->home_directory)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_SHELL, ZA_STRING_MAX, 0,
	    &u->login_shell)) != ZA_OK)
		goto out;
	if (u->employee_number != NULL &&
	    za_valid_employee_number(u->employee_number, NULL) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_EMPLOYEE_NUMBER, "not 1..20 digits");
		goto out;
	}
	if (u->last_mfa_terminal != NULL &&
	    za_valid_terminal(u->last_mfa_terminal, NULL) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_LAST_MFA_TERMINAL,
		    "not a terminal name");
		goto out;
	}
	if ((r = get_word(&d, ZA_AT_EMPLOYMENT_TYPE, buf, sizeof(buf),
	    &have)) != ZA_OK)
		goto out;
	if (have && za_employment_from_string(buf, &u->employment) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_EMPLOYMENT_TYPE, "unknown value");
		goto out;
	}
	if ((r = get_word(&d, ZA_AT_ACCOUNT_STATUS, buf, sizeof(buf),
	    &have)) != ZA_OK)
		goto out;
	if (have && za_account_status_from_string(buf, &u->status) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_ACCOUNT_STATUS, "unknown value");
		goto out;
	}
	if ((r = get_time(&d, ZA_AT_STATUS_TIME, &u->status_time)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_SUSPEND_FROM, &u->suspended_from)) !=
	    ZA_OK ||
	    (r = get_time(&d, ZA_AT_RETURN_DATE, &u->return_date)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_EXPIRY, &u->expiry)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_LAST_REVIEW_TIME,
	    &u->last_review_time)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_CREATE_TIMESTAMP, &u->create_time)) !=
	    ZA_OK ||
	    (r = get_time(&d, ZA_AT_LAST_MFA_TIME, &u->last_mfa_time)) !=
	    ZA_OK ||
	    (r = get_time(&d, ZA_AT_LAST_LOGOUT_TIME,
	    &u->last_logout_time)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_LOCKED_UNTIL, &u->locked_until)) != ZA_OK)
		goto out;
	/* ppolicy's permanent lock is "000001010000Z": presence is enough. */
	if ((r = get_present(&d, ZA_AT_PWD_LOCKED_TIME,
	    &u->pwd_locked)) != ZA_OK ||
	    (r = get_bool(&d, ZA_AT_PWD_RESET, &u->pwd_reset)) != ZA_OK ||
	    (r = get_failures(&d, u)) != ZA_OK ||
	    (r = get_posix_id(&d, ZA_AT_UID_NUMBER, &u->uid_number)) != ZA_OK ||
	    (r = get_posix_id(&d, ZA_AT_GID_NUMBER, &u->gid_number)) != ZA_OK)
		goto out;
	if ((r = has_class(&d, ZA_OC_PRIVILEGED,
	    &u->priv.is_privileged)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_PRIV_OWNER, ZA_DN_MAX, 0,
	    &u->priv.owner_dn)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_PRIV_PURPOSE, ZA_REASON_MAX, 0,
	    &u->priv.purpose)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_PRIV_DEFAULT_NAME, ZA_NAME_MAX, 0,
	    &u->priv.default_name)) != ZA_OK ||
	    (r = get_uint(&d, ZA_AT_PRIV_ROTATE_DAYS, ZA_ROTATION_DAYS_MAX,
	    &days, NULL)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_PRIV_ROTATED,
	    &u->priv.last_rotation)) != ZA_OK ||
	    (r = get_str(&d, ZA_AT_PRIV_CHECKOUT_BY, ZA_DN_MAX, 0,
	    &u->priv.checkout_holder)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_PRIV_CHECKOUT_FROM,
	    &u->priv.checkout_start)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_PRIV_CHECKOUT_UNTIL,
	    &u->priv.checkout_end)) != ZA_OK)
		goto out;
	u->priv.rotation_days = (unsigned int)days;
	if ((r = za_user_validate(u, lg)) != ZA_OK) {
		za_error(lg, "%s: inconsistent user entry", d.dn);
		goto out;
	}
	*out = u;
	u = NULL;
 out:
	za_user_free(&u);
	return r;
}

int
za_otp_token_from_attrs(const struct za_attr_source *src,
    struct za_otp_token **out, const struct za_log *lg)
{
	struct za_otp_token *t = NULL;
	struct dctx d;
	bool totp = false, hotp = false;
	int r;

	if (out == NULL || dctx_init(&d, src, lg) != ZA_OK)
		return ZA_ERR_ARG;
	if ((r = za_otp_token_new(&t)) != ZA_OK ||
	    (r = copy_dn(src, &t->dn)) != ZA_OK)
		goto out;
	if ((r = has_class(&d, ZA_OC_OATH_TOTP_TOKEN, &totp)) != ZA_OK ||
	    (r = has_class(&d, ZA_OC_OATH_HOTP_TOKEN, &hotp)) != ZA_OK)
		goto out;
	if (totp == hotp) {
		r = bad_attr(&d, ZA_AT_OBJECT_CLASS, "not exactly one of "
		    ZA_OC_OATH_TOTP_TOKEN " and " ZA_OC_OATH_HOTP_TOKEN);
		goto out;
	}
	t->kind = totp ? ZA_TOKEN_TOTP : ZA_TOKEN_HOTP;
	if ((r = check_kind(&d, t->kind)) != ZA_OK)
		goto out;
	if ((r = get_str(&d, ZA_AT_TOKEN_ID, ZA_TOKEN_ID_MAX, 0,
	    &t->id)) != ZA_OK)
		goto out;
	if (t->id == NULL || za_valid_token_id(t->id, NULL) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_TOKEN_ID, "missing or not a token id");
		goto out;
	}
	if ((r = get_str(&d, ZA_AT_TOKEN_LABEL, ZA_LABEL_MAX, 0,
	    &t->label)) != ZA_OK ||
	    (r = get_token_status(&d, &t->status)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_CREATED, &t->created)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_LAST_USED, &t->last_used)) !=
	    ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_REVOKED, &t->revoked_time)) !=
	    ZA_OK ||
	    (r = get_str(&d, ZA_AT_TOKEN_REVOKE_REASON, ZA_REASON_MAX, 0,
	    &t->revoke_reason)) != ZA_OK)
		goto out;
	if ((r = get_bytes(&d, ZA_AT_OATH_SECRET, ZA_SECRET_MAX, 1,
	    &t->secret, &t->secret_len)) != ZA_OK)
		goto out;
	if (t->kind == ZA_TOKEN_TOTP) {
		if ((r = get_str(&d, ZA_AT_OATH_TOTP_PARAMS, ZA_DN_MAX, 0,
		    &t->params_dn)) != ZA_OK ||
		    (r = get_uint(&d, ZA_AT_OATH_LAST_STEP, UINT64_MAX,
		    &t->last_step, &t->has_last_step)) != ZA_OK)
			goto out;
	} else {
		if ((r = get_str(&d, ZA_AT_OATH_HOTP_PARAMS, ZA_DN_MAX, 0,
		    &t->params_dn)) != ZA_OK ||
		    (r = get_uint(&d, ZA_AT_OATH_HOTP_COUNTER, UINT64_MAX,
		    &t->counter, &t->has_counter)) != ZA_OK)
			goto out;
	}
	if ((r = za_otp_token_validate(t, lg)) != ZA_OK) {
		za_error(lg, "%s: inconsistent OTP token entry", d.dn);
		goto out;
	}
	*out = t;
	t = NULL;
 out:
	za_otp_token_free(&t);
	return r;
}

int
za_otp_params_from_attrs(const struct za_attr_source *src,
    struct za_otp_params **out, const struct za_log *lg)
{
	struct za_otp_params *p = NULL;
	struct dctx d;
	char buf[SMALL_MAX];
	bool totp = false, hotp = false, have = false;
	uint64_t v = 0;
	int r;

	if (out == NULL || dctx_init(&d, src, lg) != ZA_OK)
		return ZA_ERR_ARG;
	if ((r = za_otp_params_new(&p)) != ZA_OK ||
	    (r = copy_dn(src, &p->dn)) != ZA_OK)
		goto out;
	if ((r = has_class(&d, ZA_OC_OATH_TOTP_PARAMS, &totp)) != ZA_OK ||
	    (r = has_class(&d, ZA_OC_OATH_HOTP_PARAMS, &hotp)) != ZA_OK)
		goto out;
	if (totp == hotp) {
		r = bad_attr(&d, ZA_AT_OBJECT_CLASS, "not exactly one of "
		    ZA_OC_OATH_TOTP_PARAMS " and " ZA_OC_OATH_HOTP_PARAMS);
		goto out;
	}
	p->kind = totp ? ZA_TOKEN_TOTP : ZA_TOKEN_HOTP;
	if ((r = get_uint_req(&d, ZA_AT_OATH_OTP_LENGTH, ZA_OTP_DIGITS_MAX,
	    &v)) != ZA_OK)
		goto out;
	p->digits = (unsigned int)v;
	if ((r = get_word_req(&d, ZA_AT_OATH_HMAC_ALG, buf,
	    sizeof(buf))) != ZA_OK)
		goto out;
	if (za_otp_alg_from_oid(buf, &p->alg) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_OATH_HMAC_ALG,
		    "not HMAC-SHA1, -SHA256 or -SHA512");
		goto out;
	}
	if (totp) {
		if ((r = get_uint_req(&d, ZA_AT_OATH_STEP_PERIOD,
		    ZA_TOTP_PERIOD_MAX, &v)) != ZA_OK)
			goto out;
		p->period = (unsigned int)v;
		/* Absent: 0, as the otp overlay reads it. */
		if ((r = get_uint(&d, ZA_AT_OATH_STEP_WINDOW,
		    ZA_TOTP_WINDOW_MAX, &v, &have)) != ZA_OK)
			goto out;
		p->window = have ? (unsigned int)v : 0;
	} else {
		if ((r = get_uint_req(&d, ZA_AT_OATH_LOOKAHEAD,
		    ZA_HOTP_LOOKAHEAD_MAX, &v)) != ZA_OK)
			goto out;
		p->lookahead = (unsigned int)v;
	}
	if ((r = za_otp_params_validate(p, lg)) != ZA_OK) {
		za_error(lg, "%s: inconsistent OTP parameters entry", d.dn);
		goto out;
	}
	*out = p;
	p = NULL;
 out:
	za_otp_params_free(&p);
	return r;
}

int
za_fido2_cred_from_attrs(const struct za_attr_source *src,
    struct za_fido2_cred **out, const struct za_log *lg)
{
	struct za_fido2_cred *c = NULL;
	struct dctx d;
	char buf[SMALL_MAX];
	bool is_fido2 = false;
	uint64_t v = 0;
	int r;

	if (out == NULL || dctx_init(&d, src, lg) != ZA_OK)
		return ZA_ERR_ARG;
	if ((r = za_fido2_cred_new(&c)) != ZA_OK ||
	    (r = copy_dn(src, &c->dn)) != ZA_OK)
		goto out;
	if ((r = has_class(&d, ZA_OC_FIDO2, &is_fido2)) != ZA_OK)
		goto out;
	if (!is_fido2) {
		r = bad_attr(&d, ZA_AT_OBJECT_CLASS, "no " ZA_OC_FIDO2);
		goto out;
	}
	if ((r = check_kind(&d, ZA_TOKEN_FIDO2)) != ZA_OK)
		goto out;
	if ((r = get_str(&d, ZA_AT_TOKEN_ID, ZA_TOKEN_ID_MAX, 0,
	    &c->id)) != ZA_OK)
		goto out;
	if (c->id == NULL || za_valid_token_id(c->id, NULL) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_TOKEN_ID, "missing or not a token id");
		goto out;
	}
	if ((r = get_str(&d, ZA_AT_TOKEN_LABEL, ZA_LABEL_MAX, 0,
	    &c->label)) != ZA_OK ||
	    (r = get_token_status(&d, &c->status)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_CREATED, &c->created)) != ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_LAST_USED, &c->last_used)) !=
	    ZA_OK ||
	    (r = get_time(&d, ZA_AT_TOKEN_REVOKED, &c->revoked_time)) !=
	    ZA_OK ||
	    (r = get_str(&d, ZA_AT_TOKEN_REVOKE_REASON, ZA_REASON_MAX, 0,
	    &c->revoke_reason)) != ZA_OK ||
	    (r = get_bytes(&d, ZA_AT_FIDO2_CRED_ID, ZA_CRED_ID_MAX, 0,
	    &c->cred_id, &c->cred_id_len)) != ZA_OK ||
	    (r = get_bytes(&d, ZA_AT_FIDO2_PUBKEY, ZA_PUBKEY_MAX, 0,
	    &c->pubkey, &c->pubkey_len)) != ZA_OK)
		goto out;
	if ((r = get_word_req(&d, ZA_AT_FIDO2_ALG, buf, sizeof(buf))) != ZA_OK)
		goto out;
	if (buf[0] != '-' || parse_uint(buf + 1, 1000000, &v) != ZA_OK ||
	    (-(int)v != ZA_COSE_ES256 && -(int)v != ZA_COSE_EDDSA &&
	    -(int)v != ZA_COSE_RS256)) {
		r = bad_attr(&d, ZA_AT_FIDO2_ALG, "not COSE -7, -8 or -257");
		goto out;
	}
	c->alg = -(int)v;
	if ((r = get_word_req(&d, ZA_AT_FIDO2_AAGUID, buf,
	    sizeof(buf))) != ZA_OK)
		goto out;
	if (za_aaguid_parse(buf, strlen(buf), c->aaguid) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_FIDO2_AAGUID, "not 8-4-4-4-12 hex");
		goto out;
	}
	if ((r = get_uint_req(&d, ZA_AT_FIDO2_SIGN_COUNT, UINT32_MAX,
	    &v)) != ZA_OK)
		goto out;
	c->sign_count = (uint32_t)v;
	if ((r = get_word_req(&d, ZA_AT_FIDO2_UV_KIND, buf,
	    sizeof(buf))) != ZA_OK)
		goto out;
	if (za_uv_kind_from_string(buf, &c->uv) != ZA_OK) {
		r = bad_attr(&d, ZA_AT_FIDO2_UV_KIND, "unknown value");
		goto out;
	}
	if ((r = get_str(&d, ZA_AT_FIDO2_RP_ID, ZA_RP_ID_MAX, 0,
	    &c->rp_id)) != ZA_OK)
		goto out;
	if (c->rp_id == NULL) {
		r = bad_attr(&d, ZA_AT_FIDO2_RP_ID, "missing");
		goto out;
	}
	if ((r = za_fido2_cred_validate(c, lg)) != ZA_OK) {
		za_error(lg, "%s: inconsistent FIDO2 credential entry", d.dn);
		goto out;
	}
	*out = c;
	c = NULL;
 out:
	za_fido2_cred_free(&c);
	return r;
}

/* ---------------------------------------------------------------- entries */
struct entry_arg {
	LDAP *ld;
	LDAPMessage *e;
};

static struct berval **
entry_get(void *arg, const char *name)
{
	struct entry_arg *a = arg;

	return ldap_get_values_len(a->ld, a->e, name);
}

static void
entry_release(void *arg, struct berval **vals)
{
	(void)arg;
	ldap_value_free_len(vals);
}

/* Run a decoder over an LDAP entry: the DN from ldap_get_dn(). */
static int
from_entry(LDAP *ld, LDAPMessage *e, const struct za_log *lg,
    int (*decode)(const struct za_attr_source *, void *,
    const struct za_log *), void *out)
{
	struct entry_arg a;
	struct za_attr_source src;
	char *dn = NULL;
	int r;

	if (ld == NULL || e == NULL || out == NULL)
		return ZA_ERR_ARG;
	if ((dn = ldap_get_dn(ld, e)) == NULL) {
		za_error(lg, "entry without a DN");
		return ZA_ERR_PARSE;
	}
	a.ld = ld;
	a.e = e;
	src.dn = dn;
	src.get = entry_get;
	src.release = entry_release;
	src.arg = &a;
	r = decode(&src, out, lg);
	ldap_memfree(dn);
	return r;
}

static int
user_dec(const struct za_attr_source *s, void *out, const struct za_log *lg)
{
	return za_user_from_attrs(s, out, lg);
}

static int
otp_dec(const struct za_attr_source *s, void *out, const struct za_log *lg)
{
	return za_otp_token_from_attrs(s, out, lg);
}

static int
fido2_dec(const struct za_attr_source *s, void *out, const struct za_log *lg)
{
	return za_fido2_cred_from_attrs(s, out, lg);
}

static int
params_dec(const struct za_attr_source *s, void *out, const struct za_log *lg)
{
	return za_otp_params_from_attrs(s, out, lg);
}

int
za_user_from_entry(LDAP *ld, LDAPMessage *e, struct za_user **out,
    const struct za_log *lg)
{
	return from_entry(ld, e, lg, user_dec, out);
}

int
za_otp_token_from_entry(LDAP *ld, LDAPMessage *e, struct za_otp_token **out,
    const struct za_log *lg)
{
	return from_entry(ld, e, lg, otp_dec, out);
}

int
za_fido2_cred_from_entry(LDAP *ld, LDAPMessage *e,
    struct za_fido2_cred **out, const struct za_log *lg)
{
	return from_entry(ld, e, lg, fido2_dec, out);
}

int
za_otp_params_from_entry(LDAP *ld, LDAPMessage *e, struct za_otp_params **out,
    const struct za_log *lg)
{
	return from_entry(ld, e, lg, params_dec, out);
}

/* ================================================================ encode */

struct mods {
	LDAPMod **v;
	size_t n;
	size_t cap;
	int err;
};

/* Add one value of attr, making the LDAPMod on first use. */
static void
mods_add(struct mods *m, const char *attr, const void *val, size_t len)
{
	LDAPMod *mod = NULL, **nv;
	struct berval *bv = NULL, **nb;
	size_t i, nvals;

	if (m->err != ZA_OK)
		return;
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->v[i]->mod_type, attr) == 0) {
			mod = m->v[i];
			break;
		}
	}
	if (mod == NULL) {
		if (m->n + 2 > m->cap) {
			size_t ncap = m->cap == 0 ? 32 : m->cap * 2;

			if ((nv = reallocarray(m->v, ncap,
			    sizeof(*nv))) == NULL)
				goto nomem;
			m->v = nv;
			m->cap = ncap;
		}
		if ((mod = calloc(1, sizeof(*mod))) == NULL)
			goto nomem;
		mod->mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES;
		if ((mod->mod_type = strdup(attr)) == NULL) {
			free(mod);
			goto nomem;
		}
		m->v[m->n++] = mod;
		m->v[m->n] = NULL;
	}
	nvals = vals_count(mod->mod_bvalues);
	if ((bv = calloc(1, sizeof(*bv))) == NULL ||
	    (bv->bv_val = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(bv->bv_val, val, len);
	bv->bv_val[len] = '\0';
	bv->bv_len = len;
	if ((nb = reallocarray(mod->mod_bvalues, nvals + 2,
	    sizeof(*nb))) == NULL)
		goto nomem;
	mod->mod_bvalues = nb;
	nb[nvals] = bv;
	nb[nvals + 1] = NULL;
	return;
 nomem:
	if (bv != NULL)
		free(bv->bv_val);
	free(bv);
	m->err = ZA_ERR_NOMEM;
}

static void
mods_str(struct mods *m, const char *attr, const char *s)
{
	if (s != NULL)
		mods_add(m, attr, s, strlen(s));
}

static void
mods_time(struct mods *m, const char *attr, time_t t)
{
	char buf[ZA_TIME_GENTIME_BUFSZ];
	int r;

	if (t == 0 || m->err != ZA_OK)
		return;
	if ((r = za_time_format_gentime(t, buf, sizeof(buf))) != ZA_OK) {
		m->err = r;
		return;
	}
	mods_str(m, attr, buf);
}

static void
mods_u64(struct mods *m, const char *attr, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);

	mods_add(m, attr, buf, (size_t)n);
}

/*
 * Add an enum's name; r is what its *_to_string() returned.  Callers call
 * that first, never in this argument list: the order in which arguments
 * are evaluated is unspecified.
 */
static void
mods_enum(struct mods *m, const char *attr, int r, const char *name)
{
	if (m->err != ZA_OK)
		return;
	if (r != ZA_OK) {
		m->err = r;
		return;
	}
	mods_str(m, attr, name);
}

void
za_ldap_mods_free(LDAPMod ***modsp)
{
	LDAPMod **mods;
	size_t i, j;

	if (modsp == NULL || (mods = *modsp) == NULL)
		return;
	for (i = 0; mods[i] != NULL; i++) {
		for (j = 0; mods[i]->mod_bvalues != NULL &&
		    mods[i]->mod_bvalues[j] != NULL; j++) {
			za_freezero(mods[i]->mod_bvalues[j]->bv_val,
			    mods[i]->mod_bvalues[j]->bv_len + 1);
			free(mods[i]->mod_bvalues[j]);
		}
		free(mods[i]->mod_bvalues);
		free(mods[i]->mod_type);
		free(mods[i]);
	}
	free(mods);
	*modsp = NULL;
}

/* Hand the array over (or free it on error). */
static int
mods_finish(struct mods *m, LDAPMod ***out)
{
	int r = m->err;

	if (r == ZA_OK && m->v == NULL)
		r = ZA_ERR_INTERNAL;
	if (r != ZA_OK) {
		za_ldap_mods_free(&m->v);
		return r;
	}
	*out = m->v;
	m->v = NULL;
	return ZA_OK;
}

/* Fields shared by OTP tokens and FIDO2 credentials. */
static void
mods_token_common(struct mods *m, const char *id, enum za_token_kind kind,
    const char *label, enum za_token_status status, time_t created,
    time_t last_used, time_t revoked, const char *reason)
{
	const char *name = NULL;
	int r;

	mods_str(m, ZA_AT_TOKEN_ID, id);
	r = za_token_kind_to_string(kind, &name);
	mods_enum(m, ZA_AT_TOKEN_KIND, r, name);
	mods_str(m, ZA_AT_TOKEN_LABEL, label);
	r = za_token_status_to_string(status, &name);
	mods_enum(m, ZA_AT_TOKEN_STATUS, r, name);
	mods_time(m, ZA_AT_TOKEN_CREATED, created);
	mods_time(m, ZA_AT_TOKEN_LAST_USED, last_used);
	mods_time(m, ZA_AT_TOKEN_REVOKED, revoked);
	mods_str(m, ZA_AT_TOKEN_REVOKE_REASON, reason);
}

int
za_user_to_mods(const struct za_user *u, LDAPMod ***out,
    const struct za_log *lg)
{
	struct mods m;
	const char *name = NULL;
	char *s = NULL;
	size_t i;
	int r = ZA_ERR_ARG;

	memset(&m, 0, sizeof(m));
	if (u == NULL || out == NULL)
		goto out;
	if ((r = za_user_validate(u, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_ARG;
	if (u->cn == NULL || u->sn == NULL ||
	    u->employment == ZA_EMPLOYMENT_UNSET ||
	    u->status == ZA_ACCOUNT_UNSET) {
		za_error(lg, "a new user needs cn, sn, employment type and "
		    "status");
		goto out;
	}
	if (u->uid_number >= 0 && (u->gid_number < 0 ||
	    u->home_directory == NULL)) {
		za_error(lg, "a POSIX account needs uid and gid numbers and a "
		    "home directory");
		goto out;
	}
	mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_INET_ORG_PERSON);
	mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_ACCOUNT);
	if (u->uid_number >= 0)
		mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_POSIX_ACCOUNT);
	if (u->priv.is_privileged)
		mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_PRIVILEGED);
	mods_str(&m, ZA_AT_UID, u->uid);
	mods_str(&m, ZA_AT_CN, u->cn);
	mods_str(&m, ZA_AT_SN, u->sn);
	mods_str(&m, ZA_AT_GIVEN_NAME, u->given_name);
	mods_str(&m, ZA_AT_DISPLAY_NAME, u->display_name);
	mods_str(&m, ZA_AT_NAME_KANA, u->name_kana);
	mods_str(&m, ZA_AT_MAIL, u->mail);
	mods_str(&m, ZA_AT_EMPLOYEE_NUMBER, u->employee_number);
	mods_str(&m, ZA_AT_DEPARTMENT, u->department);
	r = za_employment_to_string(u->employment, &name);
	mods_enum(&m, ZA_AT_EMPLOYMENT_TYPE, r, name);
	r = za_account_status_to_string(u->status, &name);
	mods_enum(&m, ZA_AT_ACCOUNT_STATUS, r, name);
	mods_str(&m, ZA_AT_STATUS_REASON, u->status_reason);
	mods_time(&m, ZA_AT_STATUS_TIME, u->status_time);
	mods_time(&m, ZA_AT_SUSPEND_FROM, u->suspended_from);
	mods_time(&m, ZA_AT_RETURN_DATE, u->return_date);
	mods_time(&m, ZA_AT_EXPIRY, u->expiry);
	mods_str(&m, ZA_AT_PROJECT, u->project);
	mods_str(&m, ZA_AT_CREATED_BY, u->created_by);
	mods_str(&m, ZA_AT_APPROVAL_REF, u->approval_ref);
	mods_time(&m, ZA_AT_LAST_REVIEW_TIME, u->last_review_time);
	mods_str(&m, ZA_AT_LAST_REVIEWER, u->last_reviewer);
	mods_time(&m, ZA_AT_LAST_MFA_TIME, u->last_mfa_time);
	mods_str(&m, ZA_AT_LAST_MFA_TERMINAL, u->last_mfa_terminal);
	mods_time(&m, ZA_AT_LAST_LOGOUT_TIME, u->last_logout_time);
	mods_time(&m, ZA_AT_LOCKED_UNTIL, u->locked_until);
	for (i = 0; i < u->nfailures && m.err == ZA_OK; i++) {
		if ((m.err = za_auth_failure_format(&u->failures[i],
		    &s)) != ZA_OK)
			break;
		mods_str(&m, ZA_AT_AUTH_FAILURE, s);
		free(s);
		s = NULL;
	}
	if (u->uid_number >= 0) {
		mods_u64(&m, ZA_AT_UID_NUMBER, (uint64_t)u->uid_number);
		mods_u64(&m, ZA_AT_GID_NUMBER, (uint64_t)u->gid_number);
	}
	mods_str(&m, ZA_AT_HOME, u->home_directory);
	mods_str(&m, ZA_AT_SHELL, u->login_shell);
	if (u->priv.is_privileged) {
		mods_str(&m, ZA_AT_PRIV_OWNER, u->priv.owner_dn);
		mods_str(&m, ZA_AT_PRIV_PURPOSE, u->priv.purpose);
		mods_str(&m, ZA_AT_PRIV_DEFAULT_NAME, u->priv.default_name);
		if (u->priv.rotation_days != 0)
			mods_u64(&m, ZA_AT_PRIV_ROTATE_DAYS,
			    u->priv.rotation_days);
		mods_time(&m, ZA_AT_PRIV_ROTATED, u->priv.last_rotation);
		mods_str(&m, ZA_AT_PRIV_CHECKOUT_BY, u->priv.checkout_holder);
		mods_time(&m, ZA_AT_PRIV_CHECKOUT_FROM,
		    u->priv.checkout_start);
		mods_time(&m, ZA_AT_PRIV_CHECKOUT_UNTIL,
		    u->priv.checkout_end);
	}
	r = mods_finish(&m, out);
 out:
	za_ldap_mods_free(&m.v);
	return r;
}

int
za_otp_token_to_mods(const struct za_otp_token *t, LDAPMod ***out,
    const struct za_log *lg)
{
	struct mods m;
	int totp, r = ZA_ERR_ARG;

	memset(&m, 0, sizeof(m));
	if (t == NULL || out == NULL)
		goto out;
	if ((r = za_otp_token_validate(t, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_ARG;
	if (t->params_dn == NULL) {
		za_error(lg, "an OTP token entry needs its parameters DN");
		goto out;
	}
	totp = t->kind == ZA_TOKEN_TOTP;
	mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_TOKEN);
	mods_str(&m, ZA_AT_OBJECT_CLASS, totp ? ZA_OC_OATH_TOTP_TOKEN :
	    ZA_OC_OATH_HOTP_TOKEN);
	mods_token_common(&m, t->id, t->kind, t->label, t->status, t->created,
	    t->last_used, t->revoked_time, t->revoke_reason);
	mods_add(&m, ZA_AT_OATH_SECRET, t->secret, t->secret_len);
	mods_str(&m, totp ? ZA_AT_OATH_TOTP_PARAMS : ZA_AT_OATH_HOTP_PARAMS,
	    t->params_dn);
	if (totp && t->has_last_step)
		mods_u64(&m, ZA_AT_OATH_LAST_STEP, t->last_step);
	if (!totp && t->has_counter)
		mods_u64(&m, ZA_AT_OATH_HOTP_COUNTER, t->counter);
	r = mods_finish(&m, out);
 out:
	za_ldap_mods_free(&m.v);
	return r;
}

int
za_fido2_cred_to_mods(const struct za_fido2_cred *c, LDAPMod ***out,
    const struct za_log *lg)
{
	struct mods m;
	char abuf[ZA_AAGUID_TEXT_LEN + 1], alg[16];
	const char *name = NULL;
	int r = ZA_ERR_ARG, n;

	memset(&m, 0, sizeof(m));
	if (c == NULL || out == NULL)
		goto out;
	if ((r = za_fido2_cred_validate(c, lg)) != ZA_OK)
		goto out;
	if ((r = za_aaguid_format(c->aaguid, abuf, sizeof(abuf))) != ZA_OK)
		goto out;
	n = snprintf(alg, sizeof(alg), "%d", c->alg);
	mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_TOKEN);
	mods_str(&m, ZA_AT_OBJECT_CLASS, ZA_OC_FIDO2);
	mods_token_common(&m, c->id, ZA_TOKEN_FIDO2, c->label, c->status,
	    c->created, c->last_used, c->revoked_time, c->revoke_reason);
	mods_add(&m, ZA_AT_FIDO2_CRED_ID, c->cred_id, c->cred_id_len);
	mods_add(&m, ZA_AT_FIDO2_PUBKEY, c->pubkey, c->pubkey_len);
	mods_add(&m, ZA_AT_FIDO2_ALG, alg, (size_t)n);
	mods_str(&m, ZA_AT_FIDO2_AAGUID, abuf);
	mods_u64(&m, ZA_AT_FIDO2_SIGN_COUNT, c->sign_count);
	r = za_uv_kind_to_string(c->uv, &name);
	mods_enum(&m, ZA_AT_FIDO2_UV_KIND, r, name);
	mods_str(&m, ZA_AT_FIDO2_RP_ID, c->rp_id);
	r = mods_finish(&m, out);
 out:
	za_ldap_mods_free(&m.v);
	return r;
}
