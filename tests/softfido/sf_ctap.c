/*
 * softfido CTAP2 commands: authenticatorGetInfo, authenticatorMakeCredential
 * (packed self or full attestation), authenticatorGetAssertion and
 * authenticatorGetNextAssertion, authenticatorReset, plus the simulated
 * user's touch.  Requests were validated by sf_cbor_validate() before any
 * of this reads them.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "sf_int.h"

#define FLAG_UP		0x01
#define FLAG_UV		0x04
#define FLAG_AT		0x40
#define FLAG_ED		0x80
#define AUTHDATA_MAX	1024
#define SIG_MAX		80

struct mc_req {
	uint8_t		cdh[32];
	char		rpid[SF_RPID_MAX + 1];
	uint8_t		uid[SF_USERID_MAX];
	size_t		uidlen;
	char		uname[SF_NAME_MAX + 1];
	char		dname[SF_NAME_MAX + 1];
	int		alg;
	struct sf_cbor	exclude, auth;
	uint64_t	protocol;
	uint8_t		cred_protect;
	bool		has_cdh, has_rp, has_user, has_params, has_exclude;
	bool		has_auth, has_protocol;
	bool		opt_rk, opt_uv, opt_up, opt_up_given;
};

struct ga_req {
	char		rpid[SF_RPID_MAX + 1];
	uint8_t		cdh[32];
	struct sf_cbor	allow, auth;
	uint64_t	protocol;
	bool		has_rpid, has_cdh, has_allow, has_auth, has_protocol;
	bool		opt_up, opt_uv, opt_rk;
};

uint8_t
sf_ctap_touch(struct softfido *sf)
{
	switch (sf->conf.touch) {
	case SF_TOUCH_YES:
		return SF_OK;
	case SF_TOUCH_DENY:
		return SF_ERR_OPERATION_DENIED;
	case SF_TOUCH_TIMEOUT:
	default:
		/* The transport holds this reply back, as a device would
		 * while it waits for a touch that never comes. */
		sf->reply_delay_ms = sf->conf.touch_timeout_ms;
		return SF_ERR_USER_ACTION_TIMEOUT;
	}
}

/* ---------------------------------------------------------------- getInfo */

uint8_t
sf_ctap_get_info(struct softfido *sf, struct sf_out *o)
{
	struct sf_state st;
	const struct sf_conf *c = &sf->conf;
	size_t i, nopt, rk_used = 0;
	int lock;
	uint8_t r = SF_ERR_OTHER;

	memset(&st, 0, sizeof(st));
	if ((lock = sf_state_lock(c, false)) < 0 ||
	    sf_state_load(c, &st) < 0)
		goto out;
	for (i = 0; i < st.ncreds; i++)
		if (st.creds[i].rk)
			rk_used++;
	sf_put_map(o, c->ctap21 ? 12 : 10);
	sf_put_uint(o, 1);
	if (c->ctap21) {
		sf_put_array(o, 2);
		sf_put_text(o, "FIDO_2_0");
		sf_put_text(o, "FIDO_2_1");
	} else {
		sf_put_array(o, 1);
		sf_put_text(o, "FIDO_2_0");
	}
	sf_put_uint(o, 2);
	sf_put_array(o, 1);
	sf_put_text(o, "credProtect");
	sf_put_uint(o, 3);
	sf_put_bytes(o, c->aaguid, sizeof(c->aaguid));
	/* options, in canonical key order */
	nopt = 4U + (c->uv == SF_UV_BUILTIN ? 1U : 0U) + (c->ctap21 ? 2U : 0U);
	sf_put_uint(o, 4);
	sf_put_map(o, nopt);
	sf_put_text(o, "rk");
	sf_put_bool(o, true);
	sf_put_text(o, "up");
	sf_put_bool(o, true);
	if (c->uv == SF_UV_BUILTIN) {
		sf_put_text(o, "uv");
		sf_put_bool(o, true);
	}
	sf_put_text(o, "plat");
	sf_put_bool(o, false);
	sf_put_text(o, "clientPin");
	sf_put_bool(o, st.pin_set);
	if (c->ctap21) {
		sf_put_text(o, "pinUvAuthToken");
		sf_put_bool(o, true);
		sf_put_text(o, "makeCredUvNotRqd");
		sf_put_bool(o, true);
	}
	sf_put_uint(o, 5);
	sf_put_uint(o, SOFTFIDO_MAXMSG);
	sf_put_uint(o, 6);
	sf_put_array(o, c->nprotocols);
	for (i = 0; i < c->nprotocols; i++)
		sf_put_uint(o, c->protocols[i]);
	sf_put_uint(o, 7);
	sf_put_uint(o, SF_MAX_LIST);
	sf_put_uint(o, 8);
	sf_put_uint(o, SF_CREDID_LEN);
	sf_put_uint(o, 9);
	sf_put_array(o, 1);
	sf_put_text(o, "usb");
	sf_put_uint(o, 10);
	sf_put_array(o, 2);
	sf_put_map(o, 2);
	sf_put_text(o, "alg");
	sf_put_int(o, SF_COSE_ES256);
	sf_put_text(o, "type");
	sf_put_text(o, "public-key");
	sf_put_map(o, 2);
	sf_put_text(o, "alg");
	sf_put_int(o, SF_COSE_EDDSA);
	sf_put_text(o, "type");
	sf_put_text(o, "public-key");
	if (c->ctap21) {
		sf_put_uint(o, 13);
		sf_put_uint(o, SF_PIN_MIN);
	}
	sf_put_uint(o, 14);
	sf_put_uint(o, 0x00010000);
	if (c->ctap21) {
		sf_put_uint(o, 20);
		sf_put_uint(o, SF_MAX_CREDS > rk_used ? SF_MAX_CREDS - rk_used :
		    0);
	}
	r = SF_OK;
out:
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}

/* ---------------------------------------------------------------- helpers */

/* Copy a text string, cut at n-1 bytes on a UTF-8 character boundary. */
static int
text_trunc(const struct sf_cbor *it, char *dst, size_t n)
{
	size_t len;

	if (it->major != 3)
		return -1;
	len = it->val < n - 1 ? (size_t)it->val : n - 1;
	if (len < it->val)
		while (len > 0 && (it->data[len] & 0xc0) == 0x80)
			len--;
	if (memchr(it->data, '\0', len) != NULL)
		return -1;
	memcpy(dst, it->data, len);
	dst[len] = '\0';
	return 0;
}

/* Read an options map: rk, up, uv must be booleans when present. */
static uint8_t
parse_options(const struct sf_cbor *map, bool *rk, bool *uv, bool *up,
    bool *up_given, bool *rk_given)
{
	const uint8_t *pos = map->body;
	struct sf_cbor k, v;
	size_t idx = 0;
	int n;

	if (map->major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	while ((n = sf_cbor_map_next(map, map->next, &pos, &idx, &k, &v)) ==
	    1) {
		if (k.major != 3)
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		if (!sf_cbor_text_is(&k, "rk") && !sf_cbor_text_is(&k, "up") &&
		    !sf_cbor_text_is(&k, "uv"))
			continue;
		if (v.major != 7 || (v.val != 20 && v.val != 21))
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		if (sf_cbor_text_is(&k, "rk")) {
			*rk = v.val == 21;
			*rk_given = true;
		} else if (sf_cbor_text_is(&k, "up")) {
			*up = v.val == 21;
			*up_given = true;
		} else
			*uv = v.val == 21;
	}
	return n < 0 ? SF_ERR_INVALID_CBOR : SF_OK;
}

/* The id of a PublicKeyCredentialDescriptor; *ok is false for another
 * type, which is to be ignored. */
static uint8_t
descriptor_id(const struct sf_cbor *d, struct sf_cbor *id, bool *ok)
{
	const uint8_t *pos = d->body;
	struct sf_cbor k, v;
	size_t idx = 0;
	bool has_id = false, has_type = false, pk = false;
	int n;

	if (d->major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	while ((n = sf_cbor_map_next(d, d->next, &pos, &idx, &k, &v)) == 1) {
		if (sf_cbor_text_is(&k, "id")) {
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			*id = v;
			has_id = true;
		} else if (sf_cbor_text_is(&k, "type")) {
			if (v.major != 3)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			has_type = true;
			pk = sf_cbor_text_is(&v, "public-key");
		}
	}
	if (n < 0)
		return SF_ERR_INVALID_CBOR;
	if (!has_id || !has_type)
		return SF_ERR_MISSING_PARAMETER;
	*ok = pk;
	return SF_OK;
}

/* Index of the credential with this id for rpid, or -1. */
static long
find_cred(const struct sf_state *st, const struct sf_cbor *id,
    const char *rpid)
{
	size_t i;

	if (id->val != SF_CREDID_LEN)
		return -1;
	for (i = 0; i < st->ncreds; i++)
		if (CRYPTO_memcmp(st->creds[i].id, id->data,
		    SF_CREDID_LEN) == 0 && strcmp(st->creds[i].rpid, rpid) == 0)
			return (long)i;
	return -1;
}

/* authData: rpIdHash, flags, counter, and optionally the attested
 * credential data and the credProtect extension output. */
static int
put_authdata(struct sf_out *ad, const struct softfido *sf,
    const struct sf_cred *c, uint8_t flags, uint32_t counter,
    EVP_PKEY *key)
{
	uint8_t h[32], cnt[4], len[2];

	if (sf_sha256(c->rpid, strlen(c->rpid), h) < 0)
		return -1;
	if (key != NULL && c->cred_protect != 0)
		flags |= FLAG_ED;
	cnt[0] = (uint8_t)(counter >> 24);
	cnt[1] = (uint8_t)(counter >> 16);
	cnt[2] = (uint8_t)(counter >> 8);
	cnt[3] = (uint8_t)counter;
	sf_put_raw(ad, h, sizeof(h));
	sf_put_raw(ad, &flags, 1);
	sf_put_raw(ad, cnt, sizeof(cnt));
	if (key == NULL)
		return ad->err ? -1 : 0;
	len[0] = 0;
	len[1] = SF_CREDID_LEN;
	sf_put_raw(ad, sf->conf.aaguid, sizeof(sf->conf.aaguid));
	sf_put_raw(ad, len, sizeof(len));
	sf_put_raw(ad, c->id, SF_CREDID_LEN);
	if (sf_cose_put(ad, key, c->alg) < 0)
		return -1;
	if (c->cred_protect != 0) {
		sf_put_map(ad, 1);
		sf_put_text(ad, "credProtect");
		sf_put_uint(ad, c->cred_protect);
	}
	return ad->err ? -1 : 0;
}

/* The probe with an empty pinUvAuthParam (CTAP 2.1 6.1.2 step 2). */
static uint8_t
empty_auth_probe(struct softfido *sf)
{
	struct sf_state st;
	int lock;
	uint8_t r;

	if ((r = sf_ctap_touch(sf)) != SF_OK)
		return r;
	memset(&st, 0, sizeof(st));
	if ((lock = sf_state_lock(&sf->conf, false)) < 0 ||
	    sf_state_load(&sf->conf, &st) < 0)
		r = SF_ERR_OTHER;
	else
		r = st.pin_set ? SF_ERR_PIN_INVALID : SF_ERR_PIN_NOT_SET;
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}

/* ---------------------------------------------------------------- makeCredential */

static uint8_t
parse_rp(const struct sf_cbor *m, struct mc_req *q)
{
	const uint8_t *pos = m->body;
	struct sf_cbor k, v;
	size_t idx = 0;
	int n;

	if (m->major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	while ((n = sf_cbor_map_next(m, m->next, &pos, &idx, &k, &v)) == 1)
		if (sf_cbor_text_is(&k, "id")) {
			if (v.major != 3)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val == 0 || sf_cbor_text(&v, q->rpid,
			    sizeof(q->rpid)) < 0)
				return SF_ERR_INVALID_LENGTH;
			q->has_rp = true;
		}
	if (n < 0)
		return SF_ERR_INVALID_CBOR;
	return q->has_rp ? SF_OK : SF_ERR_MISSING_PARAMETER;
}

static uint8_t
parse_user(const struct sf_cbor *m, struct mc_req *q)
{
	const uint8_t *pos = m->body;
	struct sf_cbor k, v;
	size_t idx = 0;
	int n;

	if (m->major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	while ((n = sf_cbor_map_next(m, m->next, &pos, &idx, &k, &v)) == 1) {
		if (sf_cbor_text_is(&k, "id")) {
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val == 0 || v.val > SF_USERID_MAX)
				return SF_ERR_INVALID_LENGTH;
			memcpy(q->uid, v.data, (size_t)v.val);
			q->uidlen = (size_t)v.val;
			q->has_user = true;
		} else if (sf_cbor_text_is(&k, "name")) {
			if (text_trunc(&v, q->uname, sizeof(q->uname)) < 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
		} else if (sf_cbor_text_is(&k, "displayName")) {
			if (text_trunc(&v, q->dname, sizeof(q->dname)) < 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
		}
	}
	if (n < 0)
		return SF_ERR_INVALID_CBOR;
	return q->has_user ? SF_OK : SF_ERR_MISSING_PARAMETER;
}

/* Choose the first supported algorithm of pubKeyCredParams. */
static uint8_t
parse_params(const struct sf_cbor *a, struct mc_req *q)
{
	const uint8_t *pos = a->body, *ppos;
	struct sf_cbor e, k, v;
	int64_t alg = 0;
	uint64_t i;
	size_t idx;
	bool has_alg, has_type, pk;
	int n;

	if (a->major != 4)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	q->has_params = true;
	for (i = 0; i < a->val; i++) {
		if (sf_cbor_item(pos, a->next, &e) < 0)
			return SF_ERR_INVALID_CBOR;
		pos = e.next;
		if (e.major != 5)
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		has_alg = has_type = pk = false;
		idx = 0;
		ppos = e.body;
		while ((n = sf_cbor_map_next(&e, e.next, &ppos, &idx, &k,
		    &v)) == 1) {
			if (sf_cbor_text_is(&k, "alg")) {
				if (sf_cbor_int(&v, &alg) < 0)
					return SF_ERR_CBOR_UNEXPECTED_TYPE;
				has_alg = true;
			} else if (sf_cbor_text_is(&k, "type")) {
				if (v.major != 3)
					return SF_ERR_CBOR_UNEXPECTED_TYPE;
				has_type = true;
				pk = sf_cbor_text_is(&v, "public-key");
			}
		}
		if (n < 0)
			return SF_ERR_INVALID_CBOR;
		if (!has_alg || !has_type)
			return SF_ERR_MISSING_PARAMETER;
		if (q->alg == 0 && pk &&
		    (alg == SF_COSE_ES256 || alg == SF_COSE_EDDSA))
			q->alg = (int)alg;
	}
	return SF_OK;
}

static uint8_t
parse_mc_ext(const struct sf_cbor *m, struct mc_req *q)
{
	const uint8_t *pos = m->body;
	struct sf_cbor k, v;
	size_t idx = 0;
	int n;

	if (m->major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	while ((n = sf_cbor_map_next(m, m->next, &pos, &idx, &k, &v)) == 1)
		if (sf_cbor_text_is(&k, "credProtect")) {
			if (v.major != 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val < 1 || v.val > 3)
				return SF_ERR_INVALID_OPTION;
			q->cred_protect = (uint8_t)v.val;
		}
	return n < 0 ? SF_ERR_INVALID_CBOR : SF_OK;
}

static uint8_t
parse_mc(const uint8_t *req, size_t len, struct mc_req *q)
{
	const uint8_t *end = req + len, *pos;
	struct sf_cbor map, k, v;
	size_t idx = 0;
	bool rk_given = false;
	uint8_t r = SF_OK;
	int n;

	memset(q, 0, sizeof(*q));
	q->opt_up = true;
	if (sf_cbor_item(req, end, &map) < 0)
		return SF_ERR_INVALID_CBOR;
	if (map.major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	pos = map.body;
	while (r == SF_OK &&
	    (n = sf_cbor_map_next(&map, end, &pos, &idx, &k, &v)) == 1) {
		if (k.major != 0)
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		switch (k.val) {
		case 1:
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val != 32)
				return SF_ERR_INVALID_LENGTH;
			memcpy(q->cdh, v.data, 32);
			q->has_cdh = true;
			break;
		case 2:
			r = parse_rp(&v, q);
			break;
		case 3:
			r = parse_user(&v, q);
			break;
		case 4:
			r = parse_params(&v, q);
			break;
		case 5:
			if (v.major != 4)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val > SF_MAX_LIST)
				return SF_ERR_LIMIT_EXCEEDED;
			q->exclude = v;
			q->has_exclude = true;
			break;
		case 6:
			r = parse_mc_ext(&v, q);
			break;
		case 7:
			r = parse_options(&v, &q->opt_rk, &q->opt_uv, &q->opt_up,
			    &q->opt_up_given, &rk_given);
			break;
		case 8:
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			q->auth = v;
			q->has_auth = true;
			break;
		case 9:
			if (v.major != 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			q->protocol = v.val;
			q->has_protocol = true;
			break;
		default:
			break;
		}
	}
	if (r != SF_OK)
		return r;
	if (!q->has_cdh || !q->has_rp || !q->has_user || !q->has_params)
		return SF_ERR_MISSING_PARAMETER;
	return SF_OK;
}

/* Return SF_ERR_CREDENTIAL_EXCLUDED (after a touch) if one is known. */
static uint8_t
check_exclude(struct softfido *sf, const struct sf_state *st,
    const struct mc_req *q)
{
	const uint8_t *pos = q->exclude.body;
	struct sf_cbor d, id;
	uint64_t i;
	bool ok;
	uint8_t r;

	for (i = 0; i < q->exclude.val; i++) {
		if (sf_cbor_item(pos, q->exclude.next, &d) < 0)
			return SF_ERR_INVALID_CBOR;
		pos = d.next;
		if ((r = descriptor_id(&d, &id, &ok)) != SF_OK)
			return r;
		if (ok && find_cred(st, &id, q->rpid) >= 0) {
			if ((r = sf_ctap_touch(sf)) != SF_OK)
				return r;
			return SF_ERR_CREDENTIAL_EXCLUDED;
		}
	}
	return SF_OK;
}

static uint8_t
put_attestation(struct softfido *sf, const struct sf_cred *c, EVP_PKEY *key,
    const struct mc_req *q, const struct sf_out *ad, struct sf_out *o)
{
	uint8_t sig[SIG_MAX];
	size_t siglen = sizeof(sig);
	bool ca = sf->conf.attest == SF_ATTEST_CA;

	if (sf_sign(ca ? sf->att_key : key, ca ? SF_COSE_ES256 : c->alg,
	    ad->p, ad->len, q->cdh, sizeof(q->cdh), sig, &siglen) < 0)
		return SF_ERR_OTHER;
	sf_put_map(o, 3);
	sf_put_uint(o, 1);
	sf_put_text(o, "packed");
	sf_put_uint(o, 2);
	sf_put_bytes(o, ad->p, ad->len);
	sf_put_uint(o, 3);
	sf_put_map(o, ca ? 3 : 2);
	sf_put_text(o, "alg");
	sf_put_int(o, ca ? SF_COSE_ES256 : c->alg);
	sf_put_text(o, "sig");
	sf_put_bytes(o, sig, siglen);
	if (ca) {
		sf_put_text(o, "x5c");
		sf_put_array(o, 1);
		sf_put_bytes(o, sf->att_cert, sf->att_cert_len);
	}
	return SF_OK;
}

/* Create the credential in st and write the response. */
static uint8_t
create_cred(struct softfido *sf, struct sf_state *st, const struct mc_req *q,
    uint8_t flags, struct sf_out *o)
{
	struct sf_cred *c;
	EVP_PKEY *key = NULL;
	uint8_t adbuf[AUTHDATA_MAX];
	struct sf_out ad = { adbuf, sizeof(adbuf), 0, false };
	size_t i;
	uint8_t r = SF_ERR_OTHER;

	/* A new discoverable credential replaces the user's old one. */
	if (q->opt_rk)
		for (i = st->ncreds; i-- > 0;)
			if (st->creds[i].rk &&
			    strcmp(st->creds[i].rpid, q->rpid) == 0 &&
			    st->creds[i].user_id_len == q->uidlen &&
			    memcmp(st->creds[i].user_id, q->uid, q->uidlen) == 0)
				sf_state_remove(st, i);
	if ((c = sf_state_add(st)) == NULL) {
		r = SF_ERR_KEY_STORE_FULL;
		goto out;
	}
	if (sf_random(c->id, sizeof(c->id)) < 0 ||
	    sf_key_generate(q->alg, c) < 0 || (key = sf_key_load(c)) == NULL)
		goto out;
	c->serial = st->next_serial++;
	memcpy(c->rpid, q->rpid, sizeof(c->rpid));
	memcpy(c->user_id, q->uid, q->uidlen);
	c->user_id_len = q->uidlen;
	memcpy(c->user_name, q->uname, sizeof(c->user_name));
	memcpy(c->display_name, q->dname, sizeof(c->display_name));
	c->rk = q->opt_rk;
	c->cred_protect = q->cred_protect;
	c->counter = 0;
	if (put_authdata(&ad, sf, c, (uint8_t)(flags | FLAG_AT), 0, key) < 0 ||
	    (r = put_attestation(sf, c, key, q, &ad, o)) != SF_OK)
		goto out;
	if (sf_state_save(&sf->conf, st) < 0)
		r = SF_ERR_OTHER;
out:
	EVP_PKEY_free(key);
	explicit_bzero(adbuf, sizeof(adbuf));
	return r;
}

uint8_t
sf_ctap_make_cred(struct softfido *sf, const uint8_t *req, size_t len,
    struct sf_out *o)
{
	struct mc_req q;
	struct sf_state st;
	uint8_t flags = FLAG_UP, r;
	int lock = -1;

	memset(&st, 0, sizeof(st));
	if ((r = parse_mc(req, len, &q)) != SF_OK)
		goto out;
	if (q.alg == 0) {
		r = SF_ERR_UNSUPPORTED_ALGORITHM;
		goto out;
	}
	if (q.opt_up_given && !q.opt_up) {
		r = SF_ERR_INVALID_OPTION;
		goto out;
	}
	if (q.opt_uv && sf->conf.uv != SF_UV_BUILTIN && !q.has_auth) {
		r = sf->conf.ctap21 ? SF_ERR_INVALID_OPTION :
		    SF_ERR_UNSUPPORTED_OPTION;
		goto out;
	}
	if (q.has_auth && q.auth.val == 0) {
		r = empty_auth_probe(sf);
		goto out;
	}
	if ((lock = sf_state_lock(&sf->conf, true)) < 0 ||
	    sf_state_load(&sf->conf, &st) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	if (q.has_auth) {
		if (!q.has_protocol) {
			r = SF_ERR_MISSING_PARAMETER;
			goto out;
		}
		if ((r = sf_pin_check_param(sf, q.protocol, &q.auth, q.cdh,
		    SF_PERM_MC, q.rpid)) != SF_OK)
			goto out;
		flags |= FLAG_UV;
	} else if (q.opt_uv) {
		r = sf_pin_builtin_uv(sf, &st);
		if (sf_state_save(&sf->conf, &st) < 0)
			r = SF_ERR_OTHER;
		if (r != SF_OK)
			goto out;
		flags |= FLAG_UV;
	} else if (st.pin_set && (q.opt_rk || !sf->conf.ctap21)) {
		r = SF_ERR_PUAT_REQUIRED;
		goto out;
	}
	if (q.has_exclude && (r = check_exclude(sf, &st, &q)) != SF_OK)
		goto out;
	if ((r = sf_ctap_touch(sf)) != SF_OK)
		goto out;
	r = create_cred(sf, &st, &q, flags, o);
out:
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	explicit_bzero(&q, sizeof(q));
	return r;
}

/* ---------------------------------------------------------------- getAssertion */

static uint8_t
parse_ga(const uint8_t *req, size_t len, struct ga_req *q)
{
	const uint8_t *end = req + len, *pos;
	struct sf_cbor map, k, v;
	size_t idx = 0;
	bool up_given = false, uv_unused = false;
	uint8_t r = SF_OK;
	int n;

	memset(q, 0, sizeof(*q));
	q->opt_up = true;
	if (sf_cbor_item(req, end, &map) < 0)
		return SF_ERR_INVALID_CBOR;
	if (map.major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	pos = map.body;
	while (r == SF_OK &&
	    (n = sf_cbor_map_next(&map, end, &pos, &idx, &k, &v)) == 1) {
		if (k.major != 0)
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		switch (k.val) {
		case 1:
			if (v.major != 3)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val == 0 ||
			    sf_cbor_text(&v, q->rpid, sizeof(q->rpid)) < 0)
				return SF_ERR_INVALID_LENGTH;
			q->has_rpid = true;
			break;
		case 2:
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val != 32)
				return SF_ERR_INVALID_LENGTH;
			memcpy(q->cdh, v.data, 32);
			q->has_cdh = true;
			break;
		case 3:
			if (v.major != 4)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (v.val > SF_MAX_LIST)
				return SF_ERR_LIMIT_EXCEEDED;
			q->allow = v;
			q->has_allow = v.val > 0;
			break;
		case 4:
			if (v.major != 5)	/* no extension is supported */
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			break;
		case 5:
			r = parse_options(&v, &uv_unused, &q->opt_uv, &q->opt_up,
			    &up_given, &q->opt_rk);
			break;
		case 6:
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			q->auth = v;
			q->has_auth = true;
			break;
		case 7:
			if (v.major != 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			q->protocol = v.val;
			q->has_protocol = true;
			break;
		default:
			break;
		}
	}
	if (r != SF_OK)
		return r;
	if (!q->has_rpid || !q->has_cdh)
		return SF_ERR_MISSING_PARAMETER;
	return SF_OK;
}

/* May credential c be used, given credProtect and whether UV happened? */
static bool
protect_allows(const struct sf_cred *c, bool uv, bool allow_list)
{
	if (c->cred_protect == 3)
		return uv;
	if (c->cred_protect == 2)
		return uv || allow_list;
	return true;
}

/* Collect candidate credential indexes, best first. */
static uint8_t
find_candidates(const struct sf_state *st, const struct ga_req *q, bool uv,
    size_t *idx, size_t *n)
{
	const uint8_t *pos = q->allow.body;
	struct sf_cbor d, id;
	uint64_t i;
	size_t j, k, t;
	long f;
	bool ok;
	uint8_t r;

	*n = 0;
	if (q->has_allow) {
		/* The first listed credential that exists is used. */
		for (i = 0; i < q->allow.val; i++) {
			if (sf_cbor_item(pos, q->allow.next, &d) < 0)
				return SF_ERR_INVALID_CBOR;
			pos = d.next;
			if ((r = descriptor_id(&d, &id, &ok)) != SF_OK)
				return r;
			if (*n == 0 && ok &&
			    (f = find_cred(st, &id, q->rpid)) >= 0 &&
			    protect_allows(&st->creds[f], uv, true))
				idx[(*n)++] = (size_t)f;
		}
		return SF_OK;
	}
	for (j = 0; j < st->ncreds && *n < SF_MAX_LIST; j++)
		if (st->creds[j].rk && strcmp(st->creds[j].rpid, q->rpid) == 0 &&
		    protect_allows(&st->creds[j], uv, false))
			idx[(*n)++] = j;
	/* Newest first. */
	for (j = 1; j < *n; j++)
		for (k = j; k > 0 && st->creds[idx[k - 1]].serial <
		    st->creds[idx[k]].serial; k--) {
			t = idx[k];
			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
	return SF_OK;
}

/* Sign one assertion with credential ci and write the response. */
static uint8_t
emit_assertion(struct softfido *sf, struct sf_state *st, size_t ci,
    const uint8_t cdh[32], uint8_t flags, size_t total, struct sf_out *o)
{
	struct sf_cred *c = &st->creds[ci];
	EVP_PKEY *key = NULL;
	uint8_t adbuf[64], sig[SIG_MAX];
	struct sf_out ad = { adbuf, sizeof(adbuf), 0, false };
	size_t siglen = sizeof(sig);
	uint32_t counter;
	bool user_info = (flags & FLAG_UV) != 0;
	uint8_t r = SF_ERR_OTHER;

	switch (sf->conf.counter) {
	case SF_COUNTER_ZERO:
		counter = 0;
		break;
	case SF_COUNTER_REGRESS:
		/* A clone that missed the original's last uses. */
		counter = c->counter > 0 ? c->counter - 1 : 0;
		break;
	case SF_COUNTER_NORMAL:
	default:
		if (c->counter == UINT32_MAX)
			goto out;
		counter = ++c->counter;
		break;
	}
	if ((key = sf_key_load(c)) == NULL ||
	    put_authdata(&ad, sf, c, flags, counter, NULL) < 0 ||
	    sf_sign(key, c->alg, ad.p, ad.len, cdh, 32, sig, &siglen) < 0 ||
	    sf_state_save(&sf->conf, st) < 0)
		goto out;
	sf_put_map(o, 3U + (c->rk ? 1U : 0U) + (total > 1 ? 1U : 0U));
	sf_put_uint(o, 1);
	sf_put_map(o, 2);
	sf_put_text(o, "id");
	sf_put_bytes(o, c->id, sizeof(c->id));
	sf_put_text(o, "type");
	sf_put_text(o, "public-key");
	sf_put_uint(o, 2);
	sf_put_bytes(o, ad.p, ad.len);
	sf_put_uint(o, 3);
	sf_put_bytes(o, sig, siglen);
	if (c->rk) {
		sf_put_uint(o, 4);
		sf_put_map(o, 1U + (user_info ? 2U : 0U));
		sf_put_text(o, "id");
		sf_put_bytes(o, c->user_id, c->user_id_len);
		if (user_info) {
			sf_put_text(o, "name");
			sf_put_text(o, c->user_name);
			sf_put_text(o, "displayName");
			sf_put_text(o, c->display_name);
		}
	}
	if (total > 1) {
		sf_put_uint(o, 5);
		sf_put_uint(o, total);
	}
	r = SF_OK;
out:
	EVP_PKEY_free(key);
	return r;
}

uint8_t
sf_ctap_get_assert(struct softfido *sf, const uint8_t *req, size_t len,
    struct sf_out *o)
{
	struct ga_req q;
	struct sf_state st;
	size_t idx[SF_MAX_LIST], n = 0, i;
	uint8_t flags = 0, r;
	bool uv = false;
	int lock = -1;

	memset(&st, 0, sizeof(st));
	if ((r = parse_ga(req, len, &q)) != SF_OK)
		goto out;
	if (q.opt_rk) {
		r = SF_ERR_UNSUPPORTED_OPTION;
		goto out;
	}
	if (q.opt_uv && sf->conf.uv != SF_UV_BUILTIN && !q.has_auth) {
		r = sf->conf.ctap21 ? SF_ERR_INVALID_OPTION :
		    SF_ERR_UNSUPPORTED_OPTION;
		goto out;
	}
	if (q.has_auth && q.auth.val == 0) {
		r = empty_auth_probe(sf);
		goto out;
	}
	if ((lock = sf_state_lock(&sf->conf, true)) < 0 ||
	    sf_state_load(&sf->conf, &st) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	if (q.has_auth) {
		if (!q.has_protocol) {
			r = SF_ERR_MISSING_PARAMETER;
			goto out;
		}
		if ((r = sf_pin_check_param(sf, q.protocol, &q.auth, q.cdh,
		    SF_PERM_GA, q.rpid)) != SF_OK)
			goto out;
		uv = true;
	} else if (q.opt_uv) {
		r = sf_pin_builtin_uv(sf, &st);
		if (sf_state_save(&sf->conf, &st) < 0)
			r = SF_ERR_OTHER;
		if (r != SF_OK)
			goto out;
		uv = true;
	}
	if ((r = find_candidates(&st, &q, uv, idx, &n)) != SF_OK)
		goto out;
	if (q.opt_up && (r = sf_ctap_touch(sf)) != SF_OK)
		goto out;
	if (n == 0) {
		r = SF_ERR_NO_CREDENTIALS;
		goto out;
	}
	flags = (uint8_t)((q.opt_up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0));
	if ((r = emit_assertion(sf, &st, idx[0], q.cdh, flags, n, o)) !=
	    SF_OK)
		goto out;
	if (n > 1) {
		for (i = 1; i < n; i++)
			memcpy(sf->next.ids[i - 1], st.creds[idx[i]].id,
			    SF_CREDID_LEN);
		sf->next.count = n - 1;
		memcpy(sf->next.cdh, q.cdh, sizeof(q.cdh));
		memcpy(sf->next.rpid, q.rpid, sizeof(q.rpid));
		sf->next.flags = flags;
	}
out:
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}

uint8_t
sf_ctap_next_assert(struct softfido *sf, struct sf_out *o)
{
	struct sf_state st;
	struct sf_cbor id;
	long f;
	int lock = -1;
	uint8_t r;

	memset(&st, 0, sizeof(st));
	if (sf->next.count == 0)
		return SF_ERR_NOT_ALLOWED;
	if ((lock = sf_state_lock(&sf->conf, true)) < 0 ||
	    sf_state_load(&sf->conf, &st) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	/* The queue is handed out front to back. */
	memset(&id, 0, sizeof(id));
	id.major = 2;
	id.val = SF_CREDID_LEN;
	id.data = sf->next.ids[0];
	if ((f = find_cred(&st, &id, sf->next.rpid)) < 0) {
		r = SF_ERR_NO_CREDENTIALS;
		goto out;
	}
	r = emit_assertion(sf, &st, (size_t)f, sf->next.cdh, sf->next.flags, 0,
	    o);
out:
	if (sf->next.count > 0) {
		memmove(sf->next.ids[0], sf->next.ids[1],
		    (SF_MAX_LIST - 1) * SF_CREDID_LEN);
		sf->next.count--;
	}
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}

/* ---------------------------------------------------------------- reset */

uint8_t
sf_ctap_reset(struct softfido *sf)
{
	struct sf_state st;
	int lock = -1;
	uint8_t r;

	memset(&st, 0, sizeof(st));
	if ((r = sf_ctap_touch(sf)) != SF_OK)
		return r;
	if ((lock = sf_state_lock(&sf->conf, true)) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	st.pin_retries = SF_PIN_RETRIES;
	st.uv_retries = SF_UV_RETRIES;
	st.next_serial = 1;
	sf->token_valid = false;
	sf->pin_fails = 0;
	memset(&sf->next, 0, sizeof(sf->next));
	r = sf_state_save(&sf->conf, &st) < 0 ? SF_ERR_OTHER : SF_OK;
out:
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}
