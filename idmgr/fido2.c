/*
 * What the FIDO2 token commands share: the [fido2] settings, a user's
 * credentials read and decoded from the directory, how a credential is
 * shown (never more of its id than a short prefix, never its key), and
 * the audit form of a new credential entry.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <ldap.h>
#include <openssl/evp.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_model.h"
#include "za_schema.h"

#include "idmgr.h"

/* Credentials per user we are willing to hold. */
#define CREDS_MAX	10000
/* Bytes of the credential id shown (as hex). */
#define PREFIX_BYTES	6

int
idmgr_fido2_settings(struct idmgr *im, struct idmgr_fido2_conf *out)
{
	const struct za_config *cfg;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = idmgr_load_config(im)) != ZA_OK)
		return r;
	cfg = im->cfg;
	out->rp_id = cfg->fido2.rp_id;
	out->aaguids = cfg->fido2.aaguids;
	out->naaguids = cfg->fido2.naaguids;
	out->attestation_ca = cfg->fido2.attestation_ca;
	out->touch_timeout_ms = cfg->fido2.touch_timeout_ms;
	out->require_uv = cfg->fido2.require_uv;
	if (out->rp_id == NULL || out->touch_timeout_ms <= 0)
		return idmgr_fail(im, ZA_ERR_CONFIG, "config", "%s: [fido2] "
		    "rp_id and touch_timeout must be set", im->conf_path);
	return ZA_OK;
}

const char *
idmgr_fido2_alg_name(int alg)
{
	switch (alg) {
	case ZA_COSE_ES256:
		return "es256";
	case ZA_COSE_EDDSA:
		return "eddsa";
	case ZA_COSE_RS256:
		return "rs256";
	default:
		return "unknown";
	}
}

const char *
idmgr_fido2_cred_prefix(const struct za_fido2_cred *c, char *buf,
    size_t bufsz)
{
	size_t i, n;

	if (bufsz < IDMGR_CRED_PREFIX_BUF || c->cred_id == NULL) {
		if (bufsz > 0)
			buf[0] = '\0';
		return buf;
	}
	n = c->cred_id_len < PREFIX_BYTES ? c->cred_id_len : PREFIX_BYTES;
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", c->cred_id[i]);
	if (n < c->cred_id_len)
		memcpy(buf + 2 * n, "...", 4);
	return buf;
}

json_object *
idmgr_fido2_cred_json(const struct za_fido2_cred *c)
{
	char ag[ZA_AAGUID_TEXT_LEN + 1], pre[IDMGR_CRED_PREFIX_BUF];
	const char *uv = NULL;
	json_object *jo;

	if ((jo = json_object_new_object()) == NULL)
		return NULL;
	if (za_aaguid_format(c->aaguid, ag, sizeof(ag)) != ZA_OK)
		ag[0] = '\0';
	(void)za_uv_kind_to_string(c->uv, &uv);
	json_object_object_add(jo, "aaguid", idmgr_json_str(ag[0] != '\0' ?
	    ag : NULL));
	json_object_object_add(jo, "uv", idmgr_json_str(uv));
	json_object_object_add(jo, "sign_count",
	    json_object_new_int64((int64_t)c->sign_count));
	json_object_object_add(jo, "algorithm",
	    json_object_new_string(idmgr_fido2_alg_name(c->alg)));
	json_object_object_add(jo, "rp_id", idmgr_json_str(c->rp_id));
	json_object_object_add(jo, "credential", json_object_new_string(
	    idmgr_fido2_cred_prefix(c, pre, sizeof(pre))));
	return jo;
}

/* ---------------------------------------------------------------- read */

struct creds_found {
	struct idmgr *im;
	struct za_fido2_cred_list *list;
	size_t bad;
};

static int
cred_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct creds_found *cf = arg;
	struct za_fido2_cred *c = NULL;
	char *dn;
	int r;

	if (cf->list->n + cf->bad >= CREDS_MAX)
		return ZA_ERR_TOO_LARGE;
	if ((r = za_fido2_cred_from_entry(ld, e, &c, &cf->im->log)) != ZA_OK) {
		if (r == ZA_ERR_NOMEM)
			return r;
		/* Named by DN; the decoder said which attribute. */
		dn = ldap_get_dn(ld, e);
		za_warn(&cf->im->log, "%s: not a valid FIDO2 credential: %s",
		    dn != NULL ? dn : "(no DN)", za_strerror(r));
		ldap_memfree(dn);
		cf->bad++;
		return ZA_OK;
	}
	if ((r = za_fido2_cred_list_append(cf->list, &c)) != ZA_OK)
		za_fido2_cred_free(&c);
	return r;
}

static int
cred_cmp(const void *a, const void *b)
{
	const struct za_fido2_cred *x = *(struct za_fido2_cred *const *)a;
	const struct za_fido2_cred *y = *(struct za_fido2_cred *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
idmgr_fido2_find_creds(struct idmgr *im, const char *user_dn,
    struct za_fido2_cred_list *out, size_t *nbad)
{
	static const char *const attrs[] = {
		ZA_AT_OBJECT_CLASS, ZA_AT_TOKEN_ID, ZA_AT_TOKEN_KIND,
		ZA_AT_TOKEN_LABEL, ZA_AT_TOKEN_STATUS, ZA_AT_TOKEN_CREATED,
		ZA_AT_TOKEN_LAST_USED, ZA_AT_TOKEN_REVOKED,
		ZA_AT_TOKEN_REVOKE_REASON, ZA_AT_FIDO2_CRED_ID,
		ZA_AT_FIDO2_PUBKEY, ZA_AT_FIDO2_ALG, ZA_AT_FIDO2_AAGUID,
		ZA_AT_FIDO2_SIGN_COUNT, ZA_AT_FIDO2_UV_KIND, ZA_AT_FIDO2_RP_ID,
		NULL
	};
	struct creds_found cf = { im, out, 0 };
	int r;

	if (nbad != NULL)
		*nbad = 0;
	if ((r = idmgr_connect(im)) != ZA_OK)
		return r;
	r = za_dir_search(im->dir, user_dn, LDAP_SCOPE_ONELEVEL,
	    "(objectClass=" ZA_OC_FIDO2 ")", attrs, cred_cb, &cf);
	if (r != ZA_OK) {
		za_fido2_cred_list_clear(out);
		return idmgr_fail(im, r, NULL, "cannot read the FIDO2 "
		    "credentials of %s: %s", user_dn, za_strerror(r));
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cred_cmp);
	if (nbad != NULL)
		*nbad = cf.bad;
	return ZA_OK;
}

/* ---------------------------------------------------------------- audit */

static int
is_binary_attr(const char *attr)
{
	return strcasecmp(attr, ZA_AT_FIDO2_CRED_ID) == 0 ||
	    strcasecmp(attr, ZA_AT_FIDO2_PUBKEY) == 0;
}

/* "base64:..." of len bytes (as idmgr shows binary values elsewhere). */
static char *
base64_value(const unsigned char *p, size_t len)
{
	size_t n = 4 * ((len + 2) / 3) + sizeof("base64:");
	char *out;

	if (len > ZA_PUBKEY_MAX || (out = malloc(n)) == NULL)
		return NULL;
	memcpy(out, "base64:", 7);
	EVP_EncodeBlock((unsigned char *)out + 7, p, (int)len);
	return out;
}

int
idmgr_fido2_changes_from_mods(struct idmgr_changes *c, LDAPMod **mods)
{
	struct berval **bv;
	char **vals = NULL;
	size_t i, j, n;
	int r = ZA_OK, bin;

	for (i = 0; mods != NULL && mods[i] != NULL && r == ZA_OK; i++) {
		bin = is_binary_attr(mods[i]->mod_type);
		bv = mods[i]->mod_bvalues;
		for (n = 0; bv != NULL && bv[n] != NULL; n++)
			;
		if ((vals = calloc(n + 1, sizeof(*vals))) == NULL)
			return ZA_ERR_NOMEM;
		for (j = 0; j < n && r == ZA_OK; j++) {
			vals[j] = bin ? base64_value(
			    (const unsigned char *)bv[j]->bv_val,
			    bv[j]->bv_len) :
			    strndup(bv[j]->bv_val, bv[j]->bv_len);
			if (vals[j] == NULL)
				r = ZA_ERR_NOMEM;
		}
		if (r == ZA_OK) {
			union {
				char **m;
				const char *const *c;
			} u;

			u.m = vals;
			r = idmgr_changes_set(c, mods[i]->mod_type, NULL, u.c);
		}
		idmgr_strv_free(&vals);
	}
	return r;
}
