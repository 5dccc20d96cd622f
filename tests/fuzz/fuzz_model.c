/*
 * libFuzzer harness for the credential model: the file-store parser
 * (lib/model_file.c) and the directory decoders (lib/model_ldap.c),
 * FIDO2 credentials first among them.
 *
 * The first line of the input picks the target:
 *   "#fido2", "#totp", "#params", "#user"
 *        the rest is an entry, one attribute value per line: "name=value"
 *        (raw bytes up to the newline) or "name#=hex" (hex-decoded, for
 *        binary values); a line "dn=..." sets the DN.  A decoded object
 *        is encoded again with the *_to_mods encoder, and what that wrote
 *        must decode again.
 *   "#codec"
 *        every line goes through the small parsers: GeneralizedTime,
 *        dates, AAGUIDs, base32, failure records.
 *   anything else
 *        a file store.  When it parses, serialize(parse(x)) must parse
 *        again and serialize to the same bytes.
 * A broken invariant calls abort(), which libFuzzer and the replay driver
 * both report.  Every log line goes through a sink that reads it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"
#include "za_time.h"

#define FUZZ_MAX_ATTRS	256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_emit(void *arg, int priority, const char *line)
{
	size_t *total = arg;

	(void)priority;
	*total += strlen(line);
}

/* ---------------------------------------------------------------- entries */
struct fz_entry {
	char *dn;
	size_t n;
	char *name[FUZZ_MAX_ATTRS];
	struct berval val[FUZZ_MAX_ATTRS];
};

static void
fz_add(struct fz_entry *e, const char *name, size_t nlen, const char *v,
    size_t vlen)
{
	if (e->n >= FUZZ_MAX_ATTRS)
		return;
	if ((e->name[e->n] = strndup(name, nlen)) == NULL)
		return;
	if ((e->val[e->n].bv_val = malloc(vlen + 1)) == NULL) {
		free(e->name[e->n]);
		return;
	}
	memcpy(e->val[e->n].bv_val, v, vlen);
	e->val[e->n].bv_val[vlen] = '\0';
	e->val[e->n].bv_len = vlen;
	e->n++;
}

static void
fz_add_hex(struct fz_entry *e, const char *name, size_t nlen, const char *h,
    size_t hlen)
{
	unsigned char *bin;
	size_t i;

	if ((bin = malloc(hlen / 2 + 1)) == NULL)
		return;
	/* Decode up to the first pair that is not hex. */
	for (i = 0; i + 1 < hlen; i += 2)
		if (za_hex_decode(h + i, 1, 0, bin + i / 2) != ZA_OK)
			break;
	fz_add(e, name, nlen, (const char *)bin, i / 2);
	free(bin);
}

static void
fz_parse(struct fz_entry *e, const char *p, size_t len)
{
	const char *end = p + len, *nl, *eq;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((eq = memchr(p, '=', (size_t)(nl - p))) != NULL &&
		    eq > p) {
			if (eq - p == 2 && memcmp(p, "dn", 2) == 0) {
				free(e->dn);
				e->dn = strndup(eq + 1, (size_t)(nl - eq - 1));
			} else if (eq[-1] == '#')
				fz_add_hex(e, p, (size_t)(eq - 1 - p), eq + 1,
				    (size_t)(nl - eq - 1));
			else
				fz_add(e, p, (size_t)(eq - p), eq + 1,
				    (size_t)(nl - eq - 1));
		}
		p = nl < end ? nl + 1 : end;
	}
}

static void
fz_from_mods(struct fz_entry *e, LDAPMod **mods)
{
	size_t i, j;

	for (i = 0; mods[i] != NULL; i++)
		for (j = 0; mods[i]->mod_bvalues[j] != NULL; j++)
			fz_add(e, mods[i]->mod_type, strlen(mods[i]->mod_type),
			    mods[i]->mod_bvalues[j]->bv_val,
			    mods[i]->mod_bvalues[j]->bv_len);
}

static void
fz_clear(struct fz_entry *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->name[i]);
		free(e->val[i].bv_val);
	}
	free(e->dn);
	memset(e, 0, sizeof(*e));
}

/* Fresh copies, as ldap_get_values_len() gives. */
static struct berval **
fz_get(void *arg, const char *name)
{
	struct fz_entry *e = arg;
	struct berval **v;
	size_t i, n = 0;

	for (i = 0; i < e->n; i++)
		if (strcasecmp(e->name[i], name) == 0)
			n++;
	if (n == 0 || (v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0, n = 0; i < e->n; i++) {
		if (strcasecmp(e->name[i], name) != 0)
			continue;
		if ((v[n] = malloc(sizeof(**v))) == NULL)
			break;
		v[n]->bv_len = e->val[i].bv_len;
		if ((v[n]->bv_val = malloc(e->val[i].bv_len + 1)) == NULL) {
			free(v[n]);
			v[n] = NULL;
			break;
		}
		memcpy(v[n]->bv_val, e->val[i].bv_val, e->val[i].bv_len + 1);
		n++;
	}
	return v;
}

static void
fz_release(void *arg, struct berval **v)
{
	size_t i;

	(void)arg;
	for (i = 0; v[i] != NULL; i++) {
		free(v[i]->bv_val);
		free(v[i]);
	}
	free(v);
}

/* Decode e as kind; when it decodes, encode and decode again. */
static void
fuzz_entry(const char *kind, const char *p, size_t len,
    const struct za_log *lg)
{
	struct fz_entry e, e2;
	struct za_attr_source src, src2;
	struct za_fido2_cred *c = NULL, *c2 = NULL;
	struct za_otp_token *t = NULL, *t2 = NULL;
	struct za_otp_params *pa = NULL;
	struct za_user *u = NULL, *u2 = NULL;
	LDAPMod **mods = NULL;
	char *m1 = NULL, *m2 = NULL;
	int r;

	memset(&e, 0, sizeof(e));
	memset(&e2, 0, sizeof(e2));
	fz_parse(&e, p, len);
	src.dn = e.dn;
	src.get = fz_get;
	src.release = fz_release;
	src.arg = &e;
	src2 = src;
	src2.arg = &e2;
	if (strcmp(kind, "fido2") == 0) {
		if (za_fido2_cred_from_attrs(&src, &c, lg) != ZA_OK)
			goto out;
		if (za_fido2_cred_sssd_mapping(c, &m1) != ZA_OK ||
		    za_fido2_cred_to_mods(c, &mods, lg) != ZA_OK)
			abort();
		fz_from_mods(&e2, mods);
		if (za_fido2_cred_from_attrs(&src2, &c2, lg) != ZA_OK ||
		    za_fido2_cred_sssd_mapping(c2, &m2) != ZA_OK ||
		    strcmp(m1, m2) != 0 || c2->sign_count != c->sign_count)
			abort();
	} else if (strcmp(kind, "totp") == 0) {
		if (za_otp_token_from_attrs(&src, &t, lg) != ZA_OK)
			goto out;
		r = za_otp_token_to_mods(t, &mods, lg);
		if (r == ZA_ERR_ARG && t->params_dn == NULL)
			goto out;
		if (r != ZA_OK)
			abort();
		fz_from_mods(&e2, mods);
		if (za_otp_token_from_attrs(&src2, &t2, lg) != ZA_OK ||
		    t2->secret_len != t->secret_len ||
		    memcmp(t2->secret, t->secret, t->secret_len) != 0)
			abort();
	} else if (strcmp(kind, "params") == 0) {
		if (za_otp_params_from_attrs(&src, &pa, lg) != ZA_OK)
			goto out;
		if (za_otp_params_validate(pa, lg) != ZA_OK)
			abort();
	} else if (strcmp(kind, "user") == 0) {
		if (za_user_from_attrs(&src, &u, lg) != ZA_OK)
			goto out;
		r = za_user_to_mods(u, &mods, lg);
		if (r == ZA_ERR_ARG)
			goto out;	/* not enough for a new entry */
		if (r != ZA_OK)
			abort();
		fz_from_mods(&e2, mods);
		if (za_user_from_attrs(&src2, &u2, lg) != ZA_OK ||
		    u2->nfailures != u->nfailures || u2->expiry != u->expiry)
			abort();
	}
 out:
	free(m1);
	free(m2);
	za_ldap_mods_free(&mods);
	za_fido2_cred_free(&c);
	za_fido2_cred_free(&c2);
	za_otp_token_free(&t);
	za_otp_token_free(&t2);
	za_otp_params_free(&pa);
	za_user_free(&u);
	za_user_free(&u2);
	fz_clear(&e);
	fz_clear(&e2);
}

/* ---------------------------------------------------------------- codecs */
static void
fuzz_codecs(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	struct za_auth_failure f;
	unsigned char aaguid[ZA_AAGUID_LEN], again[ZA_AAGUID_LEN], *bin = NULL;
	char buf[ZA_TIME_GENTIME_BUFSZ], abuf[ZA_AAGUID_TEXT_LEN + 1];
	char *s = NULL, *line;
	size_t n, blen = 0;
	time_t t, back;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (za_time_parse_gentime(p, n, &t) == ZA_OK &&
		    za_time_format_gentime(t, buf, sizeof(buf)) == ZA_OK &&
		    (za_time_parse_gentime(buf, strlen(buf), &back) != ZA_OK ||
		    back != t))
			abort();
		if (za_aaguid_parse(p, n, aaguid) == ZA_OK &&
		    (za_aaguid_format(aaguid, abuf, sizeof(abuf)) != ZA_OK ||
		    za_aaguid_parse(abuf, strlen(abuf), again) != ZA_OK ||
		    memcmp(aaguid, again, sizeof(again)) != 0 ||
		    strncasecmp(abuf, p, n) != 0))
			abort();
		memset(&f, 0, sizeof(f));
		if (za_auth_failure_parse(p, n, &f) == ZA_OK) {
			if (za_auth_failure_format(&f, &s) != ZA_OK)
				abort();
			free(s);
			s = NULL;
		}
		za_auth_failure_clear(&f);
		if (za_base32_decode(p, n, &bin, &blen) == ZA_OK) {
			if (za_base32_encode(bin, blen, &s) != ZA_OK ||
			    strlen(s) != n || memcmp(s, p, n) != 0)
				abort();
			za_free_secret_str(&s);
			za_freezero(bin, blen);
			bin = NULL;
		}
		if ((line = strndup(p, n)) != NULL) {
			(void)za_time_parse_date_end_local(line, &t);
			(void)za_valid_uid(line, NULL);
			(void)za_valid_label(line, NULL);
			free(line);
		}
		p = nl < end ? nl + 1 : end;
	}
}

/* ---------------------------------------------------------------- store */
static void
fuzz_store(const char *p, size_t len, const struct za_log *lg)
{
	struct za_store *s = NULL, *s2 = NULL;
	char *out = NULL, *out2 = NULL, *m = NULL;
	size_t outlen = 0, outlen2 = 0, i;

	if (za_store_parse(p, len, &s, lg) != ZA_OK)
		goto out;
	for (i = 0; i < s->fido2.n; i++) {
		if (za_fido2_cred_sssd_mapping(s->fido2.v[i], &m) != ZA_OK)
			abort();
		free(m);
		m = NULL;
	}
	if (za_store_serialize(s, &out, &outlen, lg) != ZA_OK ||
	    za_store_parse(out, outlen, &s2, lg) != ZA_OK ||
	    za_store_serialize(s2, &out2, &outlen2, lg) != ZA_OK ||
	    outlen != outlen2 || memcmp(out, out2, outlen) != 0)
		abort();
 out:
	if (out != NULL)
		za_freezero(out, outlen + 1);
	if (out2 != NULL)
		za_freezero(out2, outlen2 + 1);
	za_store_free(&s);
	za_store_free(&s2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {
		"fido2", "totp", "params", "user", NULL
	};
	const char *p = (const char *)data, *nl;
	size_t total = 0, i, n;
	struct za_log lg = { fuzz_emit, &total, 1 };

	if (size > 0 && p[0] == '#' &&
	    (nl = memchr(p, '\n', size)) != NULL) {
		n = (size_t)(nl - p - 1);
		for (i = 0; kinds[i] != NULL; i++) {
			if (n == strlen(kinds[i]) &&
			    memcmp(p + 1, kinds[i], n) == 0) {
				fuzz_entry(kinds[i], nl + 1,
				    size - (size_t)(nl + 1 - p), &lg);
				return 0;
			}
		}
		if (n == 5 && memcmp(p + 1, "codec", 5) == 0) {
			fuzz_codecs(nl + 1, size - (size_t)(nl + 1 - p));
			return 0;
		}
	}
	fuzz_store(p, size, &lg);
	return 0;
}
