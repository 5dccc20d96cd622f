/*
 * FIDO2 enrolment: makeCredential on a key, then the checks that decide
 * whether zoneauth trusts what came back — attestation (self, or full with
 * an x5c certificate chaining to a configured CA bundle), the AAGUID
 * allowlist, the user presence / verification flags — and conversion of
 * the new credential into the model's struct za_fido2_cred.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <fido.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "fido2_int.h"
#include "za_err.h"
#include "za_fido2.h"
#include "za_file.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"

#define CA_FILE_MAX		(1024 * 1024)
#define CA_CERTS_MAX		256
#define AAGUIDS_MAX		4096
#define CDH_LEN			32
#define OID_FIDO_AAGUID		"1.3.6.1.4.1.45724.1.1.4"

static int
check_request(const struct za_fido2_enrol_req *req,
    const struct za_fido2_attest_policy *pol, const struct za_log *lg)
{
	size_t i;
	int r = ZA_ERR_ARG;

	if (req == NULL) {
		za_error(lg, "no enrolment request");
		goto out;
	}
	if (!za_fido2_rp_id_ok(req->rp_id, lg))
		goto out;
	if ((req->rp_name != NULL && za_valid_text(req->rp_name,
	    ZA_NAME_MAX, "relying party name", lg) != ZA_OK) ||
	    za_valid_text(req->user.name, ZA_NAME_MAX, "user name",
	    lg) != ZA_OK || (req->user.display_name != NULL &&
	    za_valid_text(req->user.display_name, ZA_NAME_MAX,
	    "user display name", lg) != ZA_OK))
		goto out;
	if (req->user.id != NULL && (req->user.id_len == 0 ||
	    req->user.id_len > ZA_FIDO2_USER_ID_MAX)) {
		za_error(lg, "user id: 1..%d bytes", ZA_FIDO2_USER_ID_MAX);
		goto out;
	}
	switch (req->uv) {
	case ZA_UV_NONE:
		break;
	case ZA_UV_PIN:
		if (req->pin == NULL || *req->pin == '\0') {
			za_error(lg, "PIN verification requested without "
			    "a PIN");
			goto out;
		}
		break;
	case ZA_UV_BUILTIN:
		if (req->pin != NULL) {
			za_error(lg, "built-in verification takes no PIN");
			goto out;
		}
		break;
	default:
		za_error(lg, "user verification kind out of range");
		goto out;
	}
	if (req->alg != 0 && req->alg != ZA_COSE_ES256 &&
	    req->alg != ZA_COSE_EDDSA) {
		za_error(lg, "COSE algorithm %d cannot be enrolled", req->alg);
		goto out;
	}
	if (req->alg == ZA_COSE_EDDSA && (pol == NULL || !pol->allow_eddsa)) {
		za_error(lg, "EdDSA requested but not allowed by policy");
		r = ZA_ERR_DENIED;
		goto out;
	}
	if (!za_fido2_timeout_ok(req->timeout_ms)) {
		za_error(lg, "timeout must be 1..%d ms",
		    ZA_FIDO2_TIMEOUT_MAX_MS);
		goto out;
	}
	if (req->nexclude > ZA_FIDO2_MAX_CREDS ||
	    (req->nexclude > 0 && req->exclude == NULL)) {
		za_error(lg, "at most %d credentials to exclude",
		    ZA_FIDO2_MAX_CREDS);
		goto out;
	}
	for (i = 0; i < req->nexclude; i++)
		if (req->exclude[i] == NULL) {
			za_error(lg, "exclude list has a hole");
			goto out;
		}
	if (pol != NULL && (pol->naaguids > AAGUIDS_MAX ||
	    (pol->naaguids > 0 && pol->aaguids == NULL))) {
		za_error(lg, "AAGUID allowlist: at most %d entries",
		    AAGUIDS_MAX);
		goto out;
	}
	r = ZA_OK;
out:
	return r;
}

/* ------------------------------------------------------------------ CA */
/*
 * Read the PEM bundle at path (owned by root or by us, not writable by
 * group or other) into a new store.
 */
static int
load_ca_store(const char *path, X509_STORE **out, const struct za_log *lg)
{
	struct za_file_policy fpol;
	struct stat st;
	X509_STORE *store = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	char *buf = NULL;
	size_t len = 0, n = 0;
	int r;

	*out = NULL;
	memset(&fpol, 0, sizeof(fpol));
	fpol.owner = geteuid();
	if (lstat(path, &st) == 0 && st.st_uid == 0)
		fpol.owner = 0;
	fpol.max_size = CA_FILE_MAX;
	if ((r = za_file_read_checked(path, &fpol, lg, &buf, &len)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((store = X509_STORE_new()) == NULL ||
	    (bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto out;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (++n > CA_CERTS_MAX) {
			za_error(lg, "%s: more than %d certificates", path,
			    CA_CERTS_MAX);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		if (X509_STORE_add_cert(store, x) != 1) {
			za_error(lg, "%s: certificate %zu not usable", path,
			    n);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		X509_free(x);
		x = NULL;
	}
	if (n == 0) {
		za_error(lg, "%s: no PEM certificate in the attestation CA "
		    "bundle", path);
		r = ZA_ERR_CONFIG;
		goto out;
	}
	*out = store;
	store = NULL;
	r = ZA_OK;
out:
	X509_free(x);
	BIO_free(bio);
	X509_STORE_free(store);
	free(buf);
	ERR_clear_error();
	return r;
}

/*
 * The attestation certificate (DER x5c[0]) must chain to the store, must
 * not be a CA, and its AAGUID extension, when present, must match the
 * authenticator data.  Returns ZA_OK or ZA_ERR_DENIED (res filled).
 */
static int
check_chain(X509_STORE *store, const char *ca_file,
    const unsigned char *x5c, size_t len,
    const unsigned char aaguid[ZA_AAGUID_LEN], struct za_fido2_result *res,
    const struct za_log *lg)
{
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf = NULL;
	ASN1_OBJECT *oid = NULL;
	const ASN1_OCTET_STRING *os;
	const unsigned char *p = x5c, *d;
	int idx, err, r = ZA_ERR_DENIED;

	if (len == 0 || len > 0x7fffffff ||
	    (leaf = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != x5c + len) {
		za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
		    LOG_WARNING, __func__, "attestation certificate is not "
		    "valid DER");
		goto out;
	}
	if (X509_check_ca(leaf) != 0) {
		za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
		    LOG_WARNING, __func__, "attestation certificate is a CA "
		    "certificate");
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1)
		goto out;
	/* A vendor intermediate configured in the bundle is an anchor. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		r = ZA_ERR_DENIED;
		za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
		    LOG_WARNING, __func__, "attestation certificate does not "
		    "chain to %s: %s", ca_file,
		    X509_verify_cert_error_string(err));
		goto out;
	}
	if ((oid = OBJ_txt2obj(OID_FIDO_AAGUID, 1)) == NULL)
		goto out;
	r = ZA_ERR_DENIED;
	if ((idx = X509_get_ext_by_OBJ(leaf, oid, -1)) >= 0) {
		os = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
		d = os != NULL ? ASN1_STRING_get0_data(os) : NULL;
		/* extnValue holds an OCTET STRING of 16 bytes */
		if (d == NULL || ASN1_STRING_length(os) != 2 + ZA_AAGUID_LEN ||
		    d[0] != 0x04 || d[1] != ZA_AAGUID_LEN ||
		    memcmp(d + 2, aaguid, ZA_AAGUID_LEN) != 0 ||
		    X509_get_ext_by_OBJ(leaf, oid, idx) >= 0) {
			za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
			    LOG_WARNING, __func__, "the AAGUID of the "
			    "attestation certificate does not match the key's");
			goto out;
		}
	}
	r = ZA_OK;
out:
	ASN1_OBJECT_free(oid);
	X509_STORE_CTX_free(ctx);
	X509_free(leaf);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ checks */
static int
check_attestation(fido_cred_t *cred, const struct za_fido2_attest_policy *pol,
    X509_STORE *store, const unsigned char aaguid[ZA_AAGUID_LEN],
    struct za_fido2_result *res, const struct za_log *lg)
{
	const char *fmt = fido_cred_fmt(cred);
	int fr, r = ZA_ERR_DENIED;

	if (fmt == NULL || strcmp(fmt, "none") == 0) {
		za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
		    LOG_WARNING, __func__, "the key gave no attestation");
		goto out;
	}
	if (fido_cred_x5c_len(cred) > 0) {
		if ((fr = fido_cred_verify(cred)) != FIDO_OK) {
			za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, fr, lg,
			    LOG_WARNING, __func__, "%s attestation does not "
			    "verify", fmt);
			goto out;
		}
		if (store != NULL && (r = check_chain(store, pol->ca_file,
		    fido_cred_x5c_ptr(cred), fido_cred_x5c_len(cred), aaguid,
		    res, lg)) != ZA_OK)
			goto out;
	} else {
		if (store != NULL) {
			za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
			    LOG_WARNING, __func__, "the key gave self "
			    "attestation, but attestation by a CA of %s is "
			    "required", pol->ca_file);
			goto out;
		}
		if ((fr = fido_cred_verify_self(cred)) != FIDO_OK) {
			za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, fr, lg,
			    LOG_WARNING, __func__, "self attestation does not "
			    "verify");
			goto out;
		}
	}
	r = ZA_OK;
out:
	return r;
}

static int
check_aaguid(const struct za_fido2_attest_policy *pol,
    const unsigned char aaguid[ZA_AAGUID_LEN], struct za_fido2_result *res,
    const struct za_log *lg)
{
	char text[ZA_AAGUID_TEXT_LEN + 1];
	size_t i;
	int r = ZA_OK;

	if (pol == NULL || pol->naaguids == 0)
		goto out;
	for (i = 0; i < pol->naaguids; i++)
		if (memcmp(pol->aaguids[i], aaguid, ZA_AAGUID_LEN) == 0)
			goto out;
	if (za_aaguid_format(aaguid, text, sizeof(text)) != ZA_OK)
		strcpy(text, "?");
	za_fido2_fail(res, ZA_FIDO2_R_AAGUID, FIDO_OK, lg, LOG_WARNING,
	    __func__, "security key model (AAGUID %s) is not in the "
	    "allowlist", text);
	r = ZA_ERR_DENIED;
out:
	return r;
}

/* Refuse what the key cannot do before asking the user to touch it. */
static int
check_device(const struct za_fido2_dev *d, const struct za_fido2_enrol_req *req,
    const struct za_fido2_attest_policy *pol, int *alg,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct za_fido2_caps caps;
	int r;

	if ((r = za_fido2_dev_caps(d, &caps)) != ZA_OK)
		goto out;
	r = ZA_ERR_DENIED;
	if (req->uv == ZA_UV_BUILTIN && !caps.uv_builtin) {
		za_fido2_fail(res, ZA_FIDO2_R_UV_UNSUPPORTED, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "built-in user verification "
		    "requested, but the key on %s has none (or none "
		    "enrolled)", d->path);
		goto out;
	}
	if (req->uv == ZA_UV_PIN && !caps.pin_set) {
		za_fido2_fail(res, ZA_FIDO2_R_PIN_NOT_SET, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "PIN verification requested, but "
		    "the key on %s has no PIN set", d->path);
		goto out;
	}
	if (req->alg != 0)
		*alg = req->alg;
	else if (pol != NULL && pol->allow_eddsa && caps.eddsa &&
	    (caps.prefers_eddsa || !caps.es256))
		*alg = ZA_COSE_EDDSA;
	else
		*alg = ZA_COSE_ES256;
	if ((*alg == ZA_COSE_ES256 && !caps.es256) ||
	    (*alg == ZA_COSE_EDDSA && !caps.eddsa)) {
		za_fido2_fail(res, ZA_FIDO2_R_UNSUPPORTED, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "the key on %s cannot make %s "
		    "credentials", d->path,
		    *alg == ZA_COSE_ES256 ? "ES256" : "EdDSA");
		goto out;
	}
	r = ZA_OK;
out:
	return r;
}

/* Build the model record from a verified credential. */
static int
extract(fido_cred_t *cred, const struct za_fido2_enrol_req *req,
    struct za_fido2_cred **out, const struct za_log *lg)
{
	struct za_fido2_cred *c = NULL;
	size_t idlen = fido_cred_id_len(cred);
	int r = ZA_ERR_PARSE;

	if (idlen == 0 || idlen > ZA_CRED_ID_MAX ||
	    fido_cred_id_ptr(cred) == NULL ||
	    fido_cred_aaguid_len(cred) != ZA_AAGUID_LEN) {
		za_error(lg, "the key returned a credential id of %zu bytes "
		    "(1..%d) or no AAGUID", idlen, ZA_CRED_ID_MAX);
		goto out;
	}
	if ((r = za_fido2_cred_new(&c)) != ZA_OK)
		goto out;
	c->alg = fido_cred_type(cred);
	if ((r = za_fido2_pubkey_from_raw(c->alg, fido_cred_pubkey_ptr(cred),
	    fido_cred_pubkey_len(cred), &c->pubkey, &c->pubkey_len,
	    lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((c->cred_id = malloc(idlen)) == NULL ||
	    (c->rp_id = strdup(req->rp_id)) == NULL)
		goto out;
	memcpy(c->cred_id, fido_cred_id_ptr(cred), idlen);
	c->cred_id_len = idlen;
	memcpy(c->aaguid, fido_cred_aaguid_ptr(cred), ZA_AAGUID_LEN);
	c->sign_count = fido_cred_sigcount(cred);
	c->uv = req->uv;
	c->status = ZA_TOKEN_ACTIVE;
	*out = c;
	c = NULL;
	r = ZA_OK;
out:
	za_fido2_cred_free(&c);
	return r;
}

/* Set up the makeCredential request. */
static int
prepare(fido_cred_t *cred, const struct za_fido2_enrol_req *req, int alg,
    const unsigned char *uid, size_t uidlen, const unsigned char *cdh,
    const struct za_log *lg)
{
	size_t i;
	int fr, r = ZA_OK;

	if ((fr = fido_cred_set_type(cred, alg)) != FIDO_OK ||
	    (fr = fido_cred_set_clientdata_hash(cred, cdh, CDH_LEN)) !=
	    FIDO_OK ||
	    (fr = fido_cred_set_rp(cred, req->rp_id, req->rp_name != NULL ?
	    req->rp_name : req->rp_id)) != FIDO_OK ||
	    (fr = fido_cred_set_user(cred, uid, uidlen, req->user.name,
	    req->user.display_name != NULL ? req->user.display_name :
	    req->user.name, NULL)) != FIDO_OK ||
	    (req->uv == ZA_UV_BUILTIN &&
	    (fr = fido_cred_set_uv(cred, FIDO_OPT_TRUE)) != FIDO_OK))
		goto bad;
	for (i = 0; i < req->nexclude; i++) {
		if (req->exclude[i]->rp_id == NULL ||
		    strcmp(req->exclude[i]->rp_id, req->rp_id) != 0 ||
		    req->exclude[i]->cred_id == NULL ||
		    req->exclude[i]->cred_id_len == 0)
			continue;
		if ((fr = fido_cred_exclude(cred, req->exclude[i]->cred_id,
		    req->exclude[i]->cred_id_len)) != FIDO_OK)
			goto bad;
	}
	goto out;
bad:
	za_error(lg, "cannot set up the credential request: %s",
	    fido_strerr(fr));
	r = fr == FIDO_ERR_INTERNAL ? ZA_ERR_NOMEM : ZA_ERR_ARG;
out:
	return r;
}

int
za_fido2_enrol(struct za_fido2_dev *dev, const struct za_fido2_enrol_req *req,
    const struct za_fido2_attest_policy *pol, struct za_fido2_cred **out,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct za_fido2_dev *own = NULL, *d;
	fido_cred_t *cred = NULL;
	X509_STORE *store = NULL;
	unsigned char cdh[CDH_LEN], rnd_uid[ZA_FIDO2_USER_ID_LEN];
	unsigned char aaguid[ZA_AAGUID_LEN];
	const unsigned char *uid;
	size_t uidlen;
	uint64_t deadline, t0;
	int alg = ZA_COSE_ES256, budget, fr, r = ZA_ERR_ARG;

	za_fido2_result_clear(res);
	if (out != NULL)
		*out = NULL;
	if (out == NULL || (r = check_request(req, pol, lg)) != ZA_OK)
		goto out;
	za_fido2_setup();
	deadline = za_fido2_now_ms() + (uint64_t)req->timeout_ms;
	/* A broken CA bundle is a configuration error: say so before the
	 * user is asked to touch anything. */
	if (pol != NULL && pol->ca_file != NULL &&
	    (r = load_ca_store(pol->ca_file, &store, lg)) != ZA_OK)
		goto out;
	if ((d = dev) == NULL) {
		if ((r = za_fido2_dev_open_first(req->timeout_ms, &own, res,
		    lg)) != ZA_OK)
			goto out;
		d = own;
	}
	if ((r = check_device(d, req, pol, &alg, res, lg)) != ZA_OK)
		goto out;
	if (req->user.id != NULL) {
		uid = req->user.id;
		uidlen = req->user.id_len;
	} else {
		if ((r = za_random(rnd_uid, sizeof(rnd_uid))) != ZA_OK)
			goto out;
		uid = rnd_uid;
		uidlen = sizeof(rnd_uid);
	}
	if ((r = za_random(cdh, sizeof(cdh))) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((cred = fido_cred_new()) == NULL)
		goto out;
	if ((r = prepare(cred, req, alg, uid, uidlen, cdh, lg)) != ZA_OK)
		goto out;
	if ((budget = za_fido2_ms_left(deadline)) == 0) {
		r = ZA_ERR_TIMEOUT;
		za_fido2_fail(res, ZA_FIDO2_R_NOT_TOUCHED, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no time left to enrol");
		goto out;
	}
	t0 = za_fido2_now_ms();
	if ((fr = fido_dev_set_timeout(d->dev, budget)) != FIDO_OK ||
	    (fr = fido_dev_make_cred(d->dev, cred,
	    req->uv == ZA_UV_BUILTIN ? NULL : req->pin)) != FIDO_OK) {
		r = za_fido2_touch_failed(d, fr, t0, budget,
		    "did not make a credential", res, lg, __func__);
		goto out;
	}
	r = ZA_ERR_DENIED;
	if (fido_cred_aaguid_len(cred) != ZA_AAGUID_LEN) {
		za_fido2_fail(res, ZA_FIDO2_R_ATTESTATION, FIDO_OK, lg,
		    LOG_WARNING, __func__, "the key reported no AAGUID");
		goto out;
	}
	memcpy(aaguid, fido_cred_aaguid_ptr(cred), sizeof(aaguid));
	if ((r = check_attestation(cred, pol, store, aaguid, res, lg)) !=
	    ZA_OK || (r = check_aaguid(pol, aaguid, res, lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_DENIED;
	if ((fido_cred_flags(cred) & ZA_FIDO2_FLAG_UP) == 0 ||
	    (req->uv != ZA_UV_NONE &&
	    (fido_cred_flags(cred) & ZA_FIDO2_FLAG_UV) == 0)) {
		za_fido2_fail(res, ZA_FIDO2_R_FLAGS, FIDO_OK, lg, LOG_WARNING,
		    __func__, "the new credential lacks the user %s flag",
		    (fido_cred_flags(cred) & ZA_FIDO2_FLAG_UP) == 0 ?
		    "presence" : "verification");
		goto out;
	}
	if ((r = extract(cred, req, out, lg)) != ZA_OK)
		goto out;
	za_debug(lg, "credential of %zu bytes made on %s",
	    (*out)->cred_id_len, d->path);
	r = ZA_OK;
out:
	za_wipe(cdh, sizeof(cdh));
	za_wipe(rnd_uid, sizeof(rnd_uid));
	fido_cred_free(&cred);
	X509_STORE_free(store);
	za_fido2_dev_close(&own);
	return r;
}
