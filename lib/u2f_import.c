/*
 * pam_u2f authfile import (za_u2f_import.h): strict line parser that turns
 * "user:handle,key,type,options:..." records into validated
 * za_fido2_cred records with DER public keys.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/evp.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"
#include "za_model.h"
#include "za_u2f_import.h"

/* Encoded lengths worth decoding: base64 of ZA_CRED_ID_MAX bytes, and of
 * the largest raw key (RS256: 256-byte modulus + 3-byte exponent). */
#define HANDLE_TEXT_MAX		(4 * ((ZA_CRED_ID_MAX + 2) / 3))
#define RAW_KEY_MAX		259
#define KEY_TEXT_MAX		(4 * ((RAW_KEY_MAX + 2) / 3))
#define OLD_KEY_HEX		130	/* 65-byte uncompressed point */
#define ID_HEX			16	/* hex digits of the derived token id */

/* Where we are, for messages. */
struct where {
	size_t line;
	size_t cred;
};

/* One field of a credential: [p, p + len). */
struct field {
	const char *p;
	size_t len;
};

/* Log what is wrong where; messages never quote the input. */
static void
bad(const struct za_log *lg, const struct where *w, const char *what)
{
	if (w->cred > 0)
		za_log_msg(lg, LOG_ERR, "pam_u2f import",
		    "line %zu, credential %zu: %s", w->line, w->cred, what);
	else
		za_log_msg(lg, LOG_ERR, "pam_u2f import", "line %zu: %s",
		    w->line, what);
}

/*
 * Decode base64 text (standard alphabet; url-safe too if urlsafe_ok;
 * padding optional) of at most maxtext characters into a malloc'd buffer
 * of at most maxbin bytes.  The encoding must be canonical (no stray
 * trailing bits).  ZA_OK, ZA_ERR_PARSE, ZA_ERR_NOMEM.
 */
static int
b64_decode(const struct field *f, int urlsafe_ok, size_t maxtext,
    size_t maxbin, unsigned char **out, size_t *outlen)
{
	char *txt = NULL;
	size_t i, n = f->len;
	int r = ZA_ERR_PARSE;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n > maxtext)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((txt = malloc(n)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		txt[i] = f->p[i];
		if (urlsafe_ok && txt[i] == '-')
			txt[i] = '+';
		else if (urlsafe_ok && txt[i] == '_')
			txt[i] = '/';
	}
	r = za_base64_decode(txt, n, n % 4 == 0 ? ZA_BASE64_STD :
	    ZA_BASE64_STD_NOPAD, maxbin, out, outlen);
out:
	free(txt);
	return r;
}

/* Exactly OLD_KEY_HEX hex digits into out[OLD_KEY_HEX / 2]. */
static int
hex_decode_key(const struct field *f, unsigned char *out)
{
	if (f->len != OLD_KEY_HEX)
		return ZA_ERR_PARSE;
	return za_hex_decode(f->p, OLD_KEY_HEX / 2, 0, out);
}

/* "+presence", "+verification", "+pin", each at most once, any order. */
static int
parse_options(const struct field *f, enum za_uv_kind *uv)
{
	static const char *const names[] = {
		"+presence", "+verification", "+pin"
	};
	int seen[3] = { 0, 0, 0 };
	size_t pos = 0, k, n;

	while (pos < f->len) {
		for (k = 0; k < 3; k++) {
			n = strlen(names[k]);
			if (f->len - pos >= n &&
			    memcmp(f->p + pos, names[k], n) == 0 &&
			    (pos + n == f->len || f->p[pos + n] == '+'))
				break;
		}
		if (k == 3 || seen[k])
			return ZA_ERR_PARSE;
		seen[k] = 1;
		pos += strlen(names[k]);
	}
	if (seen[2])
		*uv = ZA_UV_PIN;
	else if (seen[1])
		*uv = ZA_UV_BUILTIN;
	else
		*uv = ZA_UV_NONE;
	return ZA_OK;
}

static int
parse_cose(const struct field *f, int *alg)
{
	char s[8];

	if (f->len == 0 || f->len >= sizeof(s))
		return ZA_ERR_PARSE;
	memcpy(s, f->p, f->len);
	s[f->len] = '\0';
	if (strcasecmp(s, "es256") == 0)
		*alg = ZA_COSE_ES256;
	else if (strcasecmp(s, "eddsa") == 0)
		*alg = ZA_COSE_EDDSA;
	else if (strcasecmp(s, "rs256") == 0)
		*alg = ZA_COSE_RS256;
	else
		return ZA_ERR_PARSE;
	return ZA_OK;
}

/* Token id "u2f-" + the first 16 hex digits of SHA-256(credential id). */
static int
derive_id(const unsigned char *cid, size_t len, char **out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *s;
	int r = ZA_ERR_CRYPTO;

	*out = NULL;
	if (EVP_Digest(cid, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < ID_HEX / 2)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((s = malloc(4 + ID_HEX + 1)) == NULL)
		goto out;
	memcpy(s, "u2f-", 4);
	za_hex_encode(md, ID_HEX / 2, s + 4);
	*out = s;
	r = ZA_OK;
out:
	return r;
}

/* Split [p, p + len) at sep into at most max fields; count in *n. */
static int
split(const char *p, size_t len, char sep, struct field *v, size_t max,
    size_t *n)
{
	const char *end = p + len, *q;

	*n = 0;
	for (;;) {
		if (*n == max)
			return ZA_ERR_PARSE;
		q = memchr(p, sep, (size_t)(end - p));
		v[*n].p = p;
		v[*n].len = (size_t)((q != NULL ? q : end) - p);
		(*n)++;
		if (q == NULL)
			return ZA_OK;
		p = q + 1;
	}
}

/* One credential of a line. */
static int
parse_cred(const struct field *cf, const char *user,
    const struct za_u2f_import_opts *opts, const struct where *w,
    struct za_fido2_cred **out, const struct za_log *lg)
{
	struct za_fido2_cred *c = NULL;
	struct field f[4];
	unsigned char *raw = NULL, point[OLD_KEY_HEX / 2];
	size_t nf = 0, rawlen = 0;
	const char *rp;
	int old, r;

	*out = NULL;
	if (split(cf->p, cf->len, ',', f, 4, &nf) != ZA_OK || nf < 2) {
		bad(lg, w, "expected KEYHANDLE,PUBLICKEY[,COSETYPE[,OPTIONS]]");
		r = ZA_ERR_PARSE;
		goto out;
	}
	old = nf == 2;
	if ((r = za_fido2_cred_new(&c)) != ZA_OK)
		goto out;
	c->status = ZA_TOKEN_ACTIVE;
	if (!old && f[0].len == 1 && f[0].p[0] == '*') {
		bad(lg, w, "resident credential (key handle \"*\") has no "
		    "credential id to import; enrol the key again");
		r = ZA_ERR_PARSE;
		goto out;
	}
	if ((r = b64_decode(&f[0], old, HANDLE_TEXT_MAX, ZA_CRED_ID_MAX,
	    &c->cred_id, &c->cred_id_len)) != ZA_OK) {
		if (r == ZA_ERR_PARSE)
			bad(lg, w, "key handle: not base64 of 1..1023 bytes");
		goto out;
	}
	if (old) {
		c->alg = ZA_COSE_ES256;
		c->uv = ZA_UV_NONE;
		rp = opts->appid != NULL ? opts->appid : opts->origin;
		if ((r = hex_decode_key(&f[1], point)) != ZA_OK) {
			bad(lg, w, "public key: expected 130 hex digits");
			goto out;
		}
		r = za_fido2_pubkey_from_raw(c->alg, point, sizeof(point),
		    &c->pubkey, &c->pubkey_len, NULL);
	} else {
		rp = opts->origin;
		if ((r = parse_cose(&f[2], &c->alg)) != ZA_OK) {
			bad(lg, w, "COSE type: expected es256, eddsa or rs256");
			goto out;
		}
		c->uv = ZA_UV_NONE;
		if (nf == 4 && (r = parse_options(&f[3], &c->uv)) != ZA_OK) {
			bad(lg, w, "options: expected +presence, "
			    "+verification, +pin, each at most once");
			goto out;
		}
		if ((r = b64_decode(&f[1], 0, KEY_TEXT_MAX, RAW_KEY_MAX, &raw,
		    &rawlen)) != ZA_OK) {
			if (r == ZA_ERR_PARSE)
				bad(lg, w, "public key: not base64");
			goto out;
		}
		r = za_fido2_pubkey_from_raw(c->alg, raw, rawlen, &c->pubkey,
		    &c->pubkey_len, NULL);
	}
	if (r != ZA_OK) {
		if (r != ZA_ERR_NOMEM) {
			bad(lg, w, "public key: not a valid key of its COSE "
			    "type");
			r = ZA_ERR_PARSE;
		}
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((c->owner = strdup(user)) == NULL ||
	    (c->rp_id = strdup(rp)) == NULL ||
	    (c->label = strdup(ZA_U2F_LABEL)) == NULL)
		goto out;
	if ((r = derive_id(c->cred_id, c->cred_id_len, &c->id)) != ZA_OK)
		goto out;
	if ((r = za_fido2_cred_validate(c, lg)) != ZA_OK) {
		bad(lg, w, "credential rejected");
		goto out;
	}
	*out = c;
	c = NULL;
	r = ZA_OK;
out:
	free(raw);
	za_fido2_cred_free(&c);
	return r;
}

/* Has an earlier record the same credential id (or token id)? */
static int
check_unique(const struct za_fido2_cred_list *l,
    const struct za_fido2_cred *c, const struct where *w,
    const struct za_log *lg)
{
	size_t i;
	int r = ZA_ERR_PARSE;

	for (i = 0; i < l->n; i++) {
		if (l->v[i]->cred_id_len == c->cred_id_len &&
		    memcmp(l->v[i]->cred_id, c->cred_id, c->cred_id_len) ==
		    0) {
			bad(lg, w, "credential id listed twice");
			goto out;
		}
		if (strcmp(l->v[i]->id, c->id) == 0) {
			bad(lg, w, "derived token id collides");
			goto out;
		}
	}
	r = ZA_OK;
out:
	return r;
}

/* One non-blank, non-comment line. */
static int
parse_line(const char *p, size_t len, struct where *w,
    const struct za_u2f_import_opts *opts, struct za_fido2_cred_list *l,
    const struct za_log *lg)
{
	struct za_fido2_cred *c = NULL;
	struct field *f = NULL;
	char user[ZA_UID_MAX + 1];
	size_t nf = 0, i;
	int r = ZA_ERR_NOMEM;

	if ((f = calloc(ZA_U2F_CREDS_PER_LINE + 1, sizeof(*f))) == NULL)
		goto out;
	if (split(p, len, ':', f, ZA_U2F_CREDS_PER_LINE + 1, &nf) != ZA_OK ||
	    nf < 2) {
		bad(lg, w, nf < 2 ? "expected USER:CREDENTIAL[:...]" :
		    "more than 64 credentials");
		r = ZA_ERR_PARSE;
		goto out;
	}
	if (f[0].len == 0 || f[0].len > ZA_UID_MAX) {
		bad(lg, w, "user name: 1..32 characters");
		r = ZA_ERR_PARSE;
		goto out;
	}
	memcpy(user, f[0].p, f[0].len);
	user[f[0].len] = '\0';
	if (memchr(user, '\0', f[0].len) != NULL ||
	    za_valid_uid(user, NULL) != ZA_OK) {
		bad(lg, w, "user name: not a valid login name");
		r = ZA_ERR_PARSE;
		goto out;
	}
	/* pam_u2f would silently take the last line of a user: refuse. */
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i]->owner, user) == 0) {
			bad(lg, w, "user listed on an earlier line too");
			r = ZA_ERR_PARSE;
			goto out;
		}
	for (i = 1; i < nf; i++) {
		w->cred = i;
		if ((r = parse_cred(&f[i], user, opts, w, &c, lg)) != ZA_OK ||
		    (r = check_unique(l, c, w, lg)) != ZA_OK)
			goto out;
		if (l->n >= ZA_U2F_MAX_CREDS) {
			bad(lg, w, "too many credentials in the file");
			r = ZA_ERR_TOO_LARGE;
			goto out;
		}
		if ((r = za_fido2_cred_list_append(l, &c)) != ZA_OK)
			goto out;
	}
	w->cred = 0;
	r = ZA_OK;
out:
	za_fido2_cred_free(&c);
	free(f);
	return r;
}

int
za_u2f_import_parse(const char *buf, size_t len,
    const struct za_u2f_import_opts *opts, struct za_fido2_cred_list *out,
    const struct za_log *lg)
{
	struct where w = { 0, 0 };
	const char *p, *end, *nl;
	size_t n;
	int r = ZA_ERR_ARG;

	if ((buf == NULL && len > 0) || opts == NULL || out == NULL ||
	    out->n != 0 || opts->origin == NULL || *opts->origin == '\0' ||
	    (opts->appid != NULL && *opts->appid == '\0'))
		goto out;
	r = ZA_ERR_TOO_LARGE;
	if (len > ZA_U2F_FILE_MAX) {
		za_error(lg, "authfile larger than %zu bytes",
		    ZA_U2F_FILE_MAX);
		goto out;
	}
	r = ZA_ERR_PARSE;
	if (len > 0 && memchr(buf, '\0', len) != NULL) {
		za_error(lg, "authfile contains a NUL byte");
		goto out;
	}
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		w.line++;
		w.cred = 0;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > ZA_U2F_LINE_MAX) {
			bad(lg, &w, "line too long");
			r = ZA_ERR_TOO_LARGE;
			goto out;
		}
		if (memchr(p, '\r', n) != NULL) {
			bad(lg, &w, "carriage return (convert the file to "
			    "Unix line ends)");
			r = ZA_ERR_PARSE;
			goto out;
		}
		if (n == 0 || p[0] == '#')
			continue;
		if ((r = parse_line(p, n, &w, opts, out, lg)) != ZA_OK)
			goto out;
	}
	r = ZA_OK;
out:
	if (r != ZA_OK && r != ZA_ERR_ARG)
		za_fido2_cred_list_clear(out);
	return r;
}
