/* otpauth:// key URIs and lenient-case base32 (see za_otpauth.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_model.h"
#include "za_otpauth.h"
#include "za_secret.h"

#define ZA_OTPAUTH_SCHEME	"otpauth://"

/* Parameters of the query, one bit each to refuse repetitions. */
enum za_otpauth_param {
	ZA_P_SECRET = 1 << 0,
	ZA_P_ISSUER = 1 << 1,
	ZA_P_ALGORITHM = 1 << 2,
	ZA_P_DIGITS = 1 << 3,
	ZA_P_PERIOD = 1 << 4,
	ZA_P_COUNTER = 1 << 5,
};

static const struct {
	enum za_otp_alg alg;
	const char *name;
} za_otpauth_algs[] = {
	{ ZA_OTP_SHA1, "SHA1" },
	{ ZA_OTP_SHA256, "SHA256" },
	{ ZA_OTP_SHA512, "SHA512" },
};

/* RFC 3986 section 2.3 unreserved characters. */
static int
za_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Padding that completes a base32 group whose last, partial group has
 * rem characters; SIZE_MAX when no encoder ends a group that way.
 */
static size_t
za_b32_padding(size_t rem)
{
	switch (rem) {
	case 0:	return 0;
	case 2:	return 6;
	case 4:	return 4;
	case 5:	return 3;
	case 7:	return 1;
	}
	return SIZE_MAX;
}

int
za_otpauth_base32_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	char *norm = NULL;
	size_t pad = 0, n = 0, i;
	int r;

	if (s == NULL || out == NULL || outlen == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	while (pad < len && s[len - 1 - pad] == '=')
		pad++;
	n = len - pad;
	if (pad > 0 && (len % 8 != 0 || za_b32_padding(n % 8) != pad)) {
		r = ZA_ERR_PARSE;
		goto out;
	}
	if ((norm = malloc(n > 0 ? n : 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	/* Upper-case letters; anything else is left to the strict decoder. */
	for (i = 0; i < n; i++)
		norm[i] = (s[i] >= 'a' && s[i] <= 'z') ?
		    (char)(s[i] - 'a' + 'A') : s[i];
	r = za_base32_decode(norm, n, out, outlen);
out:
	za_freezero(norm, n > 0 ? n : 1);
	return r;
}

/* Write s percent-encoded at o (room for 3 * strlen(s)); return the end. */
static char *
za_pct_put(char *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (za_unreserved(*p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0x0f];
		}
	}
	return o;
}

static const char *
za_otpauth_alg_name(enum za_otp_alg alg)
{
	size_t i;

	for (i = 0; i < sizeof(za_otpauth_algs) / sizeof(za_otpauth_algs[0]);
	    i++)
		if (za_otpauth_algs[i].alg == alg)
			return za_otpauth_algs[i].name;
	return NULL;
}

/* Are the fields of t within the bounds of za_otpauth.h? */
static int
za_otpauth_check(const struct za_otpauth *t)
{
	if (t->kind != ZA_TOKEN_TOTP && t->kind != ZA_TOKEN_HOTP)
		return 0;
	if (za_valid_text(t->account, ZA_OTPAUTH_MAX_NAME, "account",
	    NULL) != ZA_OK)
		return 0;
	if (t->issuer != NULL && za_valid_text(t->issuer,
	    ZA_OTPAUTH_MAX_NAME, "issuer", NULL) != ZA_OK)
		return 0;
	if (t->secret == NULL || t->secret_len < ZA_SECRET_MIN ||
	    t->secret_len > ZA_SECRET_MAX)
		return 0;
	if (za_otpauth_alg_name(t->alg) == NULL ||
	    t->digits < ZA_OTP_DIGITS_MIN || t->digits > ZA_OTP_DIGITS_MAX)
		return 0;
	if (t->kind == ZA_TOKEN_TOTP && (t->period < ZA_TOTP_PERIOD_MIN ||
	    t->period > ZA_TOTP_PERIOD_MAX))
		return 0;
	if (t->kind == ZA_TOKEN_HOTP && t->counter > (uint64_t)INT64_MAX)
		return 0;
	return 1;
}

int
za_otpauth_uri(const struct za_otpauth *t, char **out)
{
	char *b32 = NULL, *uri = NULL, *o;
	size_t ilen, alen, size = 0;
	int r, n;

	if (t == NULL || out == NULL || !za_otpauth_check(t)) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_base32_encode(t->secret, t->secret_len, &b32)) != ZA_OK)
		goto out;
	ilen = t->issuer != NULL ? strlen(t->issuer) : 0;
	alen = strlen(t->account);
	/* Fixed text and numbers fit in 128 bytes; names grow 3-fold. */
	size = 128 + 6 * ilen + 3 * alen + strlen(b32);
	if ((uri = malloc(size)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	o = uri;
	o += snprintf(o, size, "%s%s/", ZA_OTPAUTH_SCHEME,
	    t->kind == ZA_TOKEN_TOTP ? "totp" : "hotp");
	if (t->issuer != NULL) {
		o = za_pct_put(o, t->issuer);
		*o++ = ':';
	}
	o = za_pct_put(o, t->account);
	o += snprintf(o, size - (size_t)(o - uri), "?secret=%s", b32);
	if (t->issuer != NULL) {
		memcpy(o, "&issuer=", 8);
		o = za_pct_put(o + 8, t->issuer);
	}
	if (t->kind == ZA_TOKEN_TOTP)
		n = snprintf(o, size - (size_t)(o - uri),
		    "&algorithm=%s&digits=%u&period=%u",
		    za_otpauth_alg_name(t->alg), t->digits, t->period);
	else
		n = snprintf(o, size - (size_t)(o - uri),
		    "&algorithm=%s&digits=%u&counter=%llu",
		    za_otpauth_alg_name(t->alg), t->digits,
		    (unsigned long long)t->counter);
	if (n < 0 || (size_t)n >= size - (size_t)(o - uri)) {
		r = ZA_ERR_INTERNAL;
		goto out;
	}
	*out = uri;
	uri = NULL;
	r = ZA_OK;
out:
	za_free_secret_str(&b32);
	if (uri != NULL)
		za_freezero(uri, size);
	return r;
}

void
za_otpauth_free(struct za_otpauth **tp)
{
	struct za_otpauth *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	free(t->issuer);
	free(t->account);
	za_freezero(t->secret, t->secret_len);
	za_freezero(t, sizeof(*t));
	*tp = NULL;
}

/*
 * Percent-decode len bytes at s into a new string *out.  Literal
 * characters allowed: unreserved, '@', and ':' when colon_ok.  The result
 * must be valid text (see za_otpauth_uri); %00 is refused.
 */
static int
za_pct_decode(const char *s, size_t len, int colon_ok, const char *what,
    char **out)
{
	const unsigned char *p = (const unsigned char *)s;
	char *d = NULL;
	size_t i, o = 0;
	unsigned char c;
	int r = ZA_ERR_PARSE;

	if (len == 0 || len > 3 * ZA_OTPAUTH_MAX_NAME)
		goto out;
	if ((d = malloc(len + 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (p[i] == '%') {
			if (len - i < 3 || za_hex_decode(s + i + 1, 1, 0,
			    &c) != ZA_OK || c == 0)
				goto out;
			d[o++] = (char)c;
			i += 2;
		} else if (za_unreserved(p[i]) || p[i] == '@' ||
		    (colon_ok && p[i] == ':')) {
			d[o++] = (char)p[i];
		} else {
			goto out;
		}
	}
	d[o] = '\0';
	if (za_valid_text(d, ZA_OTPAUTH_MAX_NAME, what, NULL) != ZA_OK)
		goto out;
	*out = d;
	d = NULL;
	r = ZA_OK;
out:
	free(d);
	return r;
}

/* Plain decimal of len bytes at s, no sign or leading zero, <= max. */
static int
za_otpauth_uint(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t acc = 0, d;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return ZA_ERR_PARSE;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ZA_ERR_PARSE;
		d = (uint64_t)(s[i] - '0');
		if (acc > max / 10 || (acc == max / 10 && d > max % 10))
			return ZA_ERR_PARSE;
		acc = acc * 10 + d;
	}
	*v = acc;
	return ZA_OK;
}

/* Handle one key=value of the query (value non-empty). */
static int
za_otpauth_param(struct za_otpauth *t, const char *key, size_t klen,
    const char *val, size_t vlen, unsigned int *seen, char **issuer)
{
	uint64_t v;
	size_t i;
	unsigned int bit;
	int r = ZA_ERR_PARSE;

#define KEY_IS(k)	(klen == sizeof(k) - 1 && memcmp(key, (k), klen) == 0)
	if (KEY_IS("secret"))
		bit = ZA_P_SECRET;
	else if (KEY_IS("issuer"))
		bit = ZA_P_ISSUER;
	else if (KEY_IS("algorithm"))
		bit = ZA_P_ALGORITHM;
	else if (KEY_IS("digits"))
		bit = ZA_P_DIGITS;
	else if (KEY_IS("period") && t->kind == ZA_TOKEN_TOTP)
		bit = ZA_P_PERIOD;
	else if (KEY_IS("counter") && t->kind == ZA_TOKEN_HOTP)
		bit = ZA_P_COUNTER;
	else
		goto out;
#undef KEY_IS
	if (*seen & bit)
		goto out;
	*seen |= bit;
	switch (bit) {
	case ZA_P_SECRET:
		if ((r = za_otpauth_base32_decode(val, vlen, &t->secret,
		    &t->secret_len)) != ZA_OK)
			goto out;
		r = ZA_ERR_PARSE;
		if (t->secret_len < ZA_SECRET_MIN ||
		    t->secret_len > ZA_SECRET_MAX)
			goto out;
		break;
	case ZA_P_ISSUER:
		if ((r = za_pct_decode(val, vlen, 0, "issuer", issuer)) !=
		    ZA_OK)
			goto out;
		break;
	case ZA_P_ALGORITHM:
		for (i = 0; i < sizeof(za_otpauth_algs) /
		    sizeof(za_otpauth_algs[0]); i++)
			if (strlen(za_otpauth_algs[i].name) == vlen &&
			    memcmp(za_otpauth_algs[i].name, val, vlen) == 0)
				break;
		if (i == sizeof(za_otpauth_algs) / sizeof(za_otpauth_algs[0]))
			goto out;
		t->alg = za_otpauth_algs[i].alg;
		break;
	case ZA_P_DIGITS:
		if (za_otpauth_uint(val, vlen, ZA_OTP_DIGITS_MAX, &v) !=
		    ZA_OK || v < ZA_OTP_DIGITS_MIN)
			goto out;
		t->digits = (unsigned int)v;
		break;
	case ZA_P_PERIOD:
		if (za_otpauth_uint(val, vlen, ZA_TOTP_PERIOD_MAX, &v) !=
		    ZA_OK || v < ZA_TOTP_PERIOD_MIN)
			goto out;
		t->period = (unsigned int)v;
		break;
	case ZA_P_COUNTER:
		if (za_otpauth_uint(val, vlen, (uint64_t)INT64_MAX, &v) !=
		    ZA_OK)
			goto out;
		t->counter = v;
		break;
	}
	r = ZA_OK;
out:
	return r;
}

/* Walk the query (after '?') up to the end of the string. */
static int
za_otpauth_query(struct za_otpauth *t, const char *q, char **issuer)
{
	const char *seg = q, *amp, *eq;
	unsigned int seen = 0;
	size_t slen;
	int r;

	for (;;) {
		amp = strchr(seg, '&');
		slen = amp != NULL ? (size_t)(amp - seg) : strlen(seg);
		/* An empty pair, key or value is malformed. */
		if ((eq = memchr(seg, '=', slen)) == NULL || eq == seg ||
		    (size_t)(eq - seg) + 1 == slen)
			return ZA_ERR_PARSE;
		if ((r = za_otpauth_param(t, seg, (size_t)(eq - seg), eq + 1,
		    slen - (size_t)(eq - seg) - 1, &seen, issuer)) != ZA_OK)
			return r;
		if (amp == NULL)
			break;
		seg = amp + 1;
	}
	if (!(seen & ZA_P_SECRET))
		return ZA_ERR_PARSE;
	if (t->kind == ZA_TOKEN_HOTP && !(seen & ZA_P_COUNTER))
		return ZA_ERR_PARSE;
	return ZA_OK;
}

/*
 * Split the label (len bytes at s) into issuer prefix and account.
 * param_issuer is the issuer parameter or NULL.  On success *issuer is
 * the prefix (or NULL) and *account the account, both malloc'd.
 */
static int
za_otpauth_label(const char *s, size_t len, const char *param_issuer,
    char **issuer, char **account)
{
	const char *colon;
	char *whole = NULL;
	size_t ilen;
	int r;

	if ((colon = memchr(s, ':', len)) != NULL) {
		if ((r = za_pct_decode(s, (size_t)(colon - s), 0, "issuer",
		    issuer)) != ZA_OK)
			goto out;
		r = za_pct_decode(colon + 1, len - (size_t)(colon - s) - 1, 1,
		    "account", account);
		goto out;
	}
	if ((r = za_pct_decode(s, len, 0, "account", &whole)) != ZA_OK)
		goto out;
	/* An encoded separator: "Issuer%3Aaccount" with issuer=Issuer. */
	if (param_issuer != NULL && (ilen = strlen(param_issuer)) + 1 <
	    strlen(whole) && memcmp(whole, param_issuer, ilen) == 0 &&
	    whole[ilen] == ':') {
		if ((*account = strdup(whole + ilen + 1)) == NULL ||
		    (*issuer = strdup(param_issuer)) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
	} else {
		*account = whole;
		whole = NULL;
	}
	r = ZA_OK;
out:
	free(whole);
	return r;
}

int
za_otpauth_parse(const char *uri, struct za_otpauth **out)
{
	struct za_otpauth *t = NULL;
	char *param_issuer = NULL, *label_issuer = NULL;
	const char *type, *label, *q;
	size_t len;
	int r;

	if (uri == NULL || out == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	*out = NULL;
	if ((len = strnlen(uri, ZA_OTPAUTH_MAX_URI + 1)) >
	    ZA_OTPAUTH_MAX_URI) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	t->alg = ZA_OTP_SHA1;
	t->digits = 6;
	t->period = 30;
	r = ZA_ERR_PARSE;
	if (len < strlen(ZA_OTPAUTH_SCHEME) + 5 ||
	    strncasecmp(uri, ZA_OTPAUTH_SCHEME, strlen(ZA_OTPAUTH_SCHEME)) != 0)
		goto out;
	type = uri + strlen(ZA_OTPAUTH_SCHEME);
	if (strncasecmp(type, "totp/", 5) == 0)
		t->kind = ZA_TOKEN_TOTP;
	else if (strncasecmp(type, "hotp/", 5) == 0)
		t->kind = ZA_TOKEN_HOTP;
	else
		goto out;
	label = type + 5;
	if ((q = strchr(label, '?')) == NULL || q == label)
		goto out;
	if ((r = za_otpauth_query(t, q + 1, &param_issuer)) != ZA_OK)
		goto out;
	if ((r = za_otpauth_label(label, (size_t)(q - label), param_issuer,
	    &label_issuer, &t->account)) != ZA_OK)
		goto out;
	/* Prefix and parameter must name the same issuer when both exist. */
	if (label_issuer != NULL && param_issuer != NULL &&
	    strcmp(label_issuer, param_issuer) != 0) {
		r = ZA_ERR_PARSE;
		goto out;
	}
	if (label_issuer != NULL) {
		t->issuer = label_issuer;
		label_issuer = NULL;
	} else {
		t->issuer = param_issuer;
		param_issuer = NULL;
	}
	*out = t;
	t = NULL;
	r = ZA_OK;
out:
	free(param_issuer);
	free(label_issuer);
	za_otpauth_free(&t);
	return r;
}
