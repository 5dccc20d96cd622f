/*
 * FIDO2 authentication: choose the device that holds one of the user's
 * credentials, ask it for an assertion over a fresh random challenge with
 * the user verification the policy needs, verify the signature with the
 * stored DER public key, check the flags and the signature counter, and
 * say which factor classes were proven.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fido2_int.h"
#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"
#include "za_model.h"
#include "za_policy.h"
#include "za_secret.h"

#define CDH_LEN		32
#define PROBE_MS	3000	/* a silent check-only assertion */
#define OPEN_MS		3000	/* opening one of several devices */

/* A public key in libfido2's form. */
struct pubkey {
	int alg;
	es256_pk_t *es;
	eddsa_pk_t *ed;
	rs256_pk_t *rs;
};

/* The devices in play and which can be asked. */
struct devset {
	struct za_fido2_dev *v[ZA_FIDO2_MAX_DEVICES];
	int owned[ZA_FIDO2_MAX_DEVICES];
	size_t n;
};

/* Positions (in req->creds) of the credentials offered to a device. */
struct credset {
	size_t v[ZA_FIDO2_MAX_CREDS];
	size_t n;
};

static void
pubkey_clear(struct pubkey *pk)
{
	es256_pk_free(&pk->es);
	eddsa_pk_free(&pk->ed);
	rs256_pk_free(&pk->rs);
	pk->alg = 0;
}

static const void *
pubkey_ptr(const struct pubkey *pk)
{
	switch (pk->alg) {
	case ZA_COSE_ES256:
		return pk->es;
	case ZA_COSE_EDDSA:
		return pk->ed;
	case ZA_COSE_RS256:
		return pk->rs;
	default:
		return NULL;
	}
}

/* Rebuild libfido2's key from the stored DER SubjectPublicKeyInfo. */
static int
pubkey_from_der(const struct za_fido2_cred *c, struct pubkey *pk,
    const struct za_log *lg)
{
	const unsigned char *p = c->pubkey;
	EVP_PKEY *pkey = NULL;
	char group[64];
	size_t glen = 0;
	int ok = 0, r = ZA_ERR_PARSE;

	memset(pk, 0, sizeof(*pk));
	if (c->pubkey == NULL || c->pubkey_len == 0 ||
	    c->pubkey_len > ZA_PUBKEY_MAX ||
	    (pkey = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len)) == NULL ||
	    p != c->pubkey + c->pubkey_len)
		goto bad;
	switch (c->alg) {
	case ZA_COSE_ES256:
		if (!EVP_PKEY_is_a(pkey, "EC") ||
		    EVP_PKEY_get_group_name(pkey, group, sizeof(group),
		    &glen) != 1 || strcmp(group, "prime256v1") != 0)
			goto bad;
		r = ZA_ERR_NOMEM;
		if ((pk->es = es256_pk_new()) == NULL)
			goto out;
		ok = es256_pk_from_EVP_PKEY(pk->es, pkey) == FIDO_OK;
		break;
	case ZA_COSE_EDDSA:
		if (!EVP_PKEY_is_a(pkey, "ED25519"))
			goto bad;
		r = ZA_ERR_NOMEM;
		if ((pk->ed = eddsa_pk_new()) == NULL)
			goto out;
		ok = eddsa_pk_from_EVP_PKEY(pk->ed, pkey) == FIDO_OK;
		break;
	case ZA_COSE_RS256:
		if (!EVP_PKEY_is_a(pkey, "RSA"))
			goto bad;
		r = ZA_ERR_NOMEM;
		if ((pk->rs = rs256_pk_new()) == NULL)
			goto out;
		ok = rs256_pk_from_EVP_PKEY(pk->rs, pkey) == FIDO_OK;
		break;
	default:
		goto bad;
	}
	r = ZA_ERR_PARSE;
	if (!ok)
		goto bad;
	pk->alg = c->alg;
	r = ZA_OK;
	goto out;
bad:
	za_error(lg, "stored public key of credential %s is not a %d key",
	    c->id != NULL ? c->id : "(no id)", c->alg);
out:
	if (r != ZA_OK)
		pubkey_clear(pk);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ checks */
static int
check_request(const struct za_fido2_auth_req *req, const struct za_log *lg)
{
	int r = ZA_ERR_ARG;

	if (req == NULL) {
		za_error(lg, "no authentication request");
		goto out;
	}
	if (!za_fido2_rp_id_ok(req->rp_id, lg))
		goto out;
	if (req->ncreds > ZA_FIDO2_MAX_CREDS ||
	    (req->ncreds > 0 && req->creds == NULL)) {
		za_error(lg, "at most %d credentials per authentication",
		    ZA_FIDO2_MAX_CREDS);
		goto out;
	}
	switch (req->need) {
	case ZA_UV_NONE:
	case ZA_UV_BUILTIN:
		if (req->pin != NULL) {
			za_error(lg, "a PIN was passed but not asked for");
			goto out;
		}
		break;
	case ZA_UV_PIN:
		if (req->pin == NULL || *req->pin == '\0') {
			za_error(lg, "PIN verification needs a PIN");
			goto out;
		}
		break;
	default:
		za_error(lg, "user verification kind out of range");
		goto out;
	}
	if (!za_fido2_timeout_ok(req->timeout_ms)) {
		za_error(lg, "timeout must be 1..%d ms",
		    ZA_FIDO2_TIMEOUT_MAX_MS);
		goto out;
	}
	r = ZA_OK;
out:
	return r;
}

/* The credentials that may be offered at all. */
static void
usable_creds(const struct za_fido2_auth_req *req, struct credset *cs,
    const struct za_log *lg)
{
	const struct za_fido2_cred *c;
	size_t i;

	cs->n = 0;
	for (i = 0; i < req->ncreds; i++) {
		c = req->creds[i];
		if (c == NULL || c->status != ZA_TOKEN_ACTIVE ||
		    c->rp_id == NULL || strcmp(c->rp_id, req->rp_id) != 0)
			continue;
		if (c->cred_id == NULL || c->cred_id_len == 0 ||
		    c->cred_id_len > ZA_CRED_ID_MAX || c->pubkey == NULL ||
		    (c->alg != ZA_COSE_ES256 && c->alg != ZA_COSE_EDDSA &&
		    c->alg != ZA_COSE_RS256)) {
			za_warn(lg, "credential %s is incomplete; skipped",
			    c->id != NULL ? c->id : "(no id)");
			continue;
		}
		cs->v[cs->n++] = i;
	}
}

/* Can d give what need asks for?  ZA_OK or ZA_ERR_DENIED with res set. */
static int
device_can(const struct za_fido2_dev *d, enum za_uv_kind need,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct za_fido2_caps caps;
	int r;

	if ((r = za_fido2_dev_caps(d, &caps)) != ZA_OK)
		goto out;
	r = ZA_ERR_DENIED;
	if (need == ZA_UV_BUILTIN && !caps.uv_builtin) {
		za_fido2_fail(res, ZA_FIDO2_R_UV_UNSUPPORTED, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "the key on %s has no built-in "
		    "user verification", d->path);
		goto out;
	}
	if (need == ZA_UV_PIN && !caps.pin_set) {
		za_fido2_fail(res, ZA_FIDO2_R_PIN_NOT_SET, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "the key on %s has no PIN set",
		    d->path);
		goto out;
	}
	r = ZA_OK;
out:
	return r;
}

/* The usable credentials this device can take (credential id length). */
static void
creds_for_device(const struct za_fido2_dev *d,
    const struct za_fido2_auth_req *req, const struct credset *all,
    struct credset *cs)
{
	struct za_fido2_caps caps;
	size_t i, maxid = 0;

	if (za_fido2_dev_caps(d, &caps) == ZA_OK)
		maxid = caps.max_cred_id_len;
	cs->n = 0;
	for (i = 0; i < all->n; i++)
		if (maxid == 0 ||
		    req->creds[all->v[i]]->cred_id_len <= maxid)
			cs->v[cs->n++] = all->v[i];
}

/* How many credentials one allowList of d may hold. */
static size_t
chunk_size(const struct za_fido2_dev *d, size_t n)
{
	struct za_fido2_caps caps;

	if (za_fido2_dev_caps(d, &caps) != ZA_OK ||
	    caps.max_creds_in_list == 0 || caps.max_creds_in_list > n)
		return n;
	return caps.max_creds_in_list;
}

/* An assertion request for creds cs->v[from..to). */
static int
new_assert(const struct za_fido2_auth_req *req, const struct credset *cs,
    size_t from, size_t to, const unsigned char *cdh, fido_opt_t up,
    fido_opt_t uv, fido_assert_t **out)
{
	fido_assert_t *a = NULL;
	const struct za_fido2_cred *c;
	size_t i;
	int r = ZA_ERR_NOMEM;

	*out = NULL;
	if ((a = fido_assert_new()) == NULL)
		goto out;
	r = ZA_ERR_ARG;
	if (fido_assert_set_clientdata_hash(a, cdh, CDH_LEN) != FIDO_OK ||
	    fido_assert_set_rp(a, req->rp_id) != FIDO_OK ||
	    fido_assert_set_up(a, up) != FIDO_OK ||
	    fido_assert_set_uv(a, uv) != FIDO_OK)
		goto out;
	for (i = from; i < to; i++) {
		c = req->creds[cs->v[i]];
		if (fido_assert_allow_cred(a, c->cred_id, c->cred_id_len) !=
		    FIDO_OK)
			goto out;
	}
	*out = a;
	a = NULL;
	r = ZA_OK;
out:
	fido_assert_free(&a);
	return r;
}

/*
 * Silent check-only assertions (no touch): does d hold one of cs?  On a
 * hit [*from, *to) delimits the allowList chunk that holds it.  Returns ZA_OK
 * (hit), ZA_ERR_NOT_FOUND (none held) or a device error.
 */
static int
probe(struct za_fido2_dev *d, const struct za_fido2_auth_req *req,
    const struct credset *cs, uint64_t deadline, size_t *from, size_t *to,
    struct za_fido2_result *res, const struct za_log *lg)
{
	fido_assert_t *a = NULL;
	enum za_fido2_reason why;
	unsigned char cdh[CDH_LEN];
	size_t step = chunk_size(d, cs->n), i;
	uint64_t t0;
	int budget, fr, hit, r = ZA_ERR_NOT_FOUND;

	if ((r = za_random(cdh, sizeof(cdh))) != ZA_OK)
		goto out;
	r = ZA_ERR_NOT_FOUND;
	for (i = 0; i < cs->n; i += step) {
		fido_assert_free(&a);
		if ((r = new_assert(req, cs, i, i + step > cs->n ? cs->n :
		    i + step, cdh, FIDO_OPT_FALSE, FIDO_OPT_OMIT, &a)) != ZA_OK)
			goto out;
		if ((budget = za_fido2_ms_left(deadline)) > PROBE_MS)
			budget = PROBE_MS;
		if (budget == 0) {
			r = ZA_ERR_TIMEOUT;
			za_fido2_fail(res, ZA_FIDO2_R_NOT_TOUCHED, FIDO_OK, lg,
			    LOG_NOTICE, __func__, "time ran out while looking "
			    "for the key");
			goto out;
		}
		t0 = za_fido2_now_ms();
		if ((fr = fido_dev_set_timeout(d->dev, budget)) == FIDO_OK)
			fr = fido_dev_get_assert(d->dev, a, NULL);
		/* A U2F key answers a known handle with "touch needed". */
		hit = fido_dev_is_fido2(d->dev) ? fr == FIDO_OK :
		    fr == FIDO_ERR_USER_PRESENCE_REQUIRED;
		if (hit) {
			*from = i;
			*to = i + step > cs->n ? cs->n : i + step;
			r = ZA_OK;
			goto out;
		}
		if (fr != FIDO_ERR_NO_CREDENTIALS &&
		    fr != FIDO_ERR_INVALID_CREDENTIAL) {
			r = za_fido2_map_error(fr,
			    za_fido2_timed_out(t0, budget), &why);
			za_fido2_fail(res, why, fr, lg, LOG_NOTICE, __func__,
			    "check-only assertion on %s failed", d->path);
			goto out;
		}
		r = ZA_ERR_NOT_FOUND;
	}
out:
	za_wipe(cdh, sizeof(cdh));
	fido_assert_free(&a);
	return r;
}

/* ------------------------------------------------------------------ devices */
static void
devset_clear(struct devset *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (ds->owned[i])
			za_fido2_dev_close(&ds->v[i]);
	ds->n = 0;
}

/* Open every device present (bounded by the deadline). */
static int
devset_open_all(struct devset *ds, uint64_t deadline,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct za_fido2_devinfo info[ZA_FIDO2_MAX_DEVICES];
	size_t n = 0, i;
	int budget, r;

	if ((r = za_fido2_find_devices(za_fido2_ms_left(deadline), info,
	    ZA_FIDO2_MAX_DEVICES, &n, lg)) != ZA_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((budget = za_fido2_ms_left(deadline)) > OPEN_MS ||
		    budget < 1000)
			budget = budget < 1000 ? 1000 : OPEN_MS;
		if (za_fido2_dev_open(info[i].path, budget, &ds->v[ds->n],
		    NULL, lg) == ZA_OK)
			ds->owned[ds->n++] = 1;
	}
	r = ZA_OK;
	if (ds->n == 0) {
		r = ZA_ERR_NOT_FOUND;
		za_fido2_fail(res, ZA_FIDO2_R_NO_DEVICE, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no FIDO security key found");
	}
out:
	return r;
}

/*
 * Pick the device and the allowList chunk to ask: without probing when
 * there is one device and one chunk, else the first device whose probe
 * hits.
 */
static int
choose(struct devset *ds, const struct za_fido2_auth_req *req,
    const struct credset *all, uint64_t deadline, size_t *which,
    struct credset *cs, size_t *from, size_t *to,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct credset mine;
	size_t i, able = 0;
	int r = ZA_ERR_NOT_FOUND, rr;

	for (i = 0; i < ds->n; i++) {
		if ((rr = device_can(ds->v[i], req->need, res, lg)) != ZA_OK) {
			r = rr;
			continue;
		}
		able++;
		creds_for_device(ds->v[i], req, all, &mine);
		if (mine.n == 0)
			continue;
		if (ds->n == 1 && chunk_size(ds->v[i], mine.n) == mine.n) {
			/* One device, one allowList: ask it directly. */
			*from = 0;
			*to = mine.n;
			rr = ZA_OK;
		} else
			rr = probe(ds->v[i], req, &mine, deadline, from, to,
			    res, lg);
		if (rr == ZA_OK) {
			*which = i;
			*cs = mine;
			za_fido2_result_clear(res);
			r = ZA_OK;
			goto out;
		}
		r = rr;
		if (r == ZA_ERR_TIMEOUT)
			goto out;
	}
	if (able > 0 && (r == ZA_ERR_NOT_FOUND || r == ZA_ERR_DENIED)) {
		r = ZA_ERR_AUTH;
		za_fido2_fail(res, ZA_FIDO2_R_NO_CREDENTIAL, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no key present holds one of the "
		    "user's credentials");
	}
out:
	return r;
}

/* ------------------------------------------------------------------ login */
/* Which of cs->v[from..to) the key answered with; SIZE_MAX if none. */
static size_t
answered(const fido_assert_t *a, const struct za_fido2_auth_req *req,
    const struct credset *cs, size_t from, size_t to)
{
	const struct za_fido2_cred *c;
	const unsigned char *id = fido_assert_id_ptr(a, 0);
	size_t len = fido_assert_id_len(a, 0), i;

	/* CTAP 2.0 lets a key omit the id when the allowList has one. */
	if ((id == NULL || len == 0) && to - from == 1)
		return cs->v[from];
	for (i = from; i < to && id != NULL; i++) {
		c = req->creds[cs->v[i]];
		if (c->cred_id_len == len && memcmp(c->cred_id, id, len) == 0)
			return cs->v[i];
	}
	return SIZE_MAX;
}

/* Ask d for the real assertion and check it. */
static int
assert_on(struct za_fido2_dev *d, const struct za_fido2_auth_req *req,
    const struct credset *cs, size_t from, size_t to, uint64_t deadline,
    struct za_fido2_assertion *out, struct za_fido2_result *res,
    const struct za_log *lg)
{
	const struct za_fido2_cred *c;
	fido_assert_t *a = NULL;
	struct pubkey pk;
	unsigned char cdh[CDH_LEN];
	uint64_t t0;
	size_t idx;
	uint8_t flags;
	int budget, fr, r;

	memset(&pk, 0, sizeof(pk));
	if ((r = za_random(cdh, sizeof(cdh))) != ZA_OK ||
	    (r = new_assert(req, cs, from, to, cdh, FIDO_OPT_TRUE,
	    req->need == ZA_UV_BUILTIN ? FIDO_OPT_TRUE : FIDO_OPT_OMIT,
	    &a)) != ZA_OK)
		goto out;
	if ((budget = za_fido2_ms_left(deadline)) == 0) {
		r = ZA_ERR_TIMEOUT;
		za_fido2_fail(res, ZA_FIDO2_R_NOT_TOUCHED, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no time left for the touch");
		goto out;
	}
	t0 = za_fido2_now_ms();
	if ((fr = fido_dev_set_timeout(d->dev, budget)) != FIDO_OK ||
	    (fr = fido_dev_get_assert(d->dev, a,
	    req->need == ZA_UV_PIN ? req->pin : NULL)) != FIDO_OK) {
		r = za_fido2_touch_failed(d, fr, t0, budget,
		    "gave no assertion", res, lg, __func__);
		goto out;
	}
	r = ZA_ERR_AUTH;
	if (fido_assert_count(a) < 1 ||
	    (idx = answered(a, req, cs, from, to)) == SIZE_MAX) {
		za_fido2_fail(res, ZA_FIDO2_R_DEVICE, FIDO_OK, lg, LOG_WARNING,
		    __func__, "the key on %s answered with a credential that "
		    "was not asked for", d->path);
		goto out;
	}
	c = req->creds[idx];
	flags = fido_assert_flags(a, 0);
	if ((flags & ZA_FIDO2_FLAG_UP) == 0 || (req->need != ZA_UV_NONE &&
	    (flags & ZA_FIDO2_FLAG_UV) == 0)) {
		za_fido2_fail(res, ZA_FIDO2_R_FLAGS, FIDO_OK, lg, LOG_WARNING,
		    __func__, "assertion of credential %s lacks the user %s "
		    "flag", c->id != NULL ? c->id : "(no id)",
		    (flags & ZA_FIDO2_FLAG_UP) == 0 ? "presence" :
		    "verification");
		goto out;
	}
	/* Have libfido2 check UV as well as UP (and the RP id hash). */
	if (req->need != ZA_UV_NONE &&
	    fido_assert_set_uv(a, FIDO_OPT_TRUE) != FIDO_OK) {
		r = ZA_ERR_INTERNAL;
		goto out;
	}
	if ((r = pubkey_from_der(c, &pk, lg)) == ZA_ERR_NOMEM)
		goto out;
	/* A stored key that does not parse verifies nothing. */
	fr = r == ZA_OK ? fido_assert_verify(a, 0, pk.alg, pubkey_ptr(&pk)) :
	    FIDO_ERR_INVALID_ARGUMENT;
	if (fr != FIDO_OK) {
		r = ZA_ERR_AUTH;
		za_fido2_fail(res, ZA_FIDO2_R_BAD_SIGNATURE, fr, lg,
		    LOG_WARNING, __func__, "assertion of credential %s does "
		    "not verify with its stored public key",
		    c->id != NULL ? c->id : "(no id)");
		goto out;
	}
	out->index = idx;
	out->sign_count = fido_assert_sigcount(a, 0);
	out->flags = flags;
	if (za_fido2_counter_check(c->sign_count, out->sign_count) != ZA_OK) {
		r = ZA_ERR_DENIED;
		za_fido2_fail(res, ZA_FIDO2_R_CLONED, FIDO_OK, lg, LOG_WARNING,
		    __func__, "credential %s: signature counter %u after %u: "
		    "cloned key", c->id != NULL ? c->id : "(no id)",
		    (unsigned)out->sign_count, (unsigned)c->sign_count);
		goto out;
	}
	out->proves = ZA_CLASS_POSSESSION;
	if (req->need == ZA_UV_PIN)
		out->proves |= ZA_CLASS_KNOWLEDGE;
	else if (req->need == ZA_UV_BUILTIN)
		out->proves |= ZA_CLASS_INHERENCE;
	r = ZA_OK;
out:
	za_wipe(cdh, sizeof(cdh));
	pubkey_clear(&pk);
	fido_assert_free(&a);
	return r;
}

int
za_fido2_authenticate(struct za_fido2_dev *dev,
    const struct za_fido2_auth_req *req, struct za_fido2_assertion *out,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct devset ds;
	struct credset all, cs;
	uint64_t deadline;
	size_t which = 0, from = 0, to = 0;
	int r = ZA_ERR_ARG;

	za_fido2_result_clear(res);
	memset(&ds, 0, sizeof(ds));
	if (out == NULL || (r = check_request(req, lg)) != ZA_OK)
		goto out;
	memset(out, 0, sizeof(*out));
	za_fido2_setup();
	deadline = za_fido2_now_ms() + (uint64_t)req->timeout_ms;
	usable_creds(req, &all, lg);
	if (all.n == 0) {
		r = ZA_ERR_AUTH;
		za_fido2_fail(res, ZA_FIDO2_R_NO_CREDENTIAL, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no active credential for %s",
		    req->rp_id);
		goto out;
	}
	if (dev != NULL) {
		ds.v[0] = dev;
		ds.n = 1;
	} else if ((r = devset_open_all(&ds, deadline, res, lg)) != ZA_OK)
		goto out;
	if ((r = choose(&ds, req, &all, deadline, &which, &cs, &from, &to,
	    res, lg)) != ZA_OK)
		goto out;
	r = assert_on(ds.v[which], req, &cs, from, to, deadline, out, res,
	    lg);
out:
	devset_clear(&ds);
	return r;
}
