/*
 * softfido authenticatorClientPIN (CTAP 2.1 section 6.5): PIN/UV auth
 * protocols 1 and 2, getPINRetries, getKeyAgreement, setPIN, changePIN,
 * getPinToken, getPinUvAuthTokenUsingUvWithPermissions, getUVRetries and
 * getPinUvAuthTokenUsingPinWithPermissions, with a persistent retry
 * counter; plus checking pinUvAuthParam and the built-in UV simulation.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "sf_int.h"

#define PIN_SET_PIN		3
#define PIN_CHANGE_PIN		4
#define PIN_GET_TOKEN		5
#define PIN_UV_TOKEN		6
#define PIN_GET_UV_RETRIES	7
#define PIN_TOKEN_PERMS		9
#define PIN_MAX_CONSECUTIVE	3

struct pin_req {
	bool		has_protocol, has_sub, has_ka, has_auth, has_newpin;
	bool		has_pinhash, has_perms, has_rpid;
	uint64_t	protocol, sub, perms;
	struct sf_cbor	ka, auth, newpin, pinhash;
	char		rpid[SF_RPID_MAX + 1];
};

/* A shared secret: 32 bytes (protocol 1) or HMAC key || AES key (2). */
struct secret {
	uint8_t		k[64];
	uint64_t	protocol;
};

bool
sf_protocol_supported(const struct softfido *sf, uint64_t protocol)
{
	size_t i;

	for (i = 0; i < sf->conf.nprotocols; i++)
		if (sf->conf.protocols[i] == protocol)
			return true;
	return false;
}

static uint8_t
parse_req(const uint8_t *req, size_t len, struct pin_req *pr)
{
	const uint8_t *end = req + len, *pos;
	struct sf_cbor map, k, v;
	size_t idx = 0;
	int r;

	memset(pr, 0, sizeof(*pr));
	if (sf_cbor_item(req, end, &map) < 0)
		return SF_ERR_INVALID_CBOR;
	if (map.major != 5)
		return SF_ERR_CBOR_UNEXPECTED_TYPE;
	pos = map.body;
	while ((r = sf_cbor_map_next(&map, end, &pos, &idx, &k, &v)) == 1) {
		if (k.major != 0)
			return SF_ERR_CBOR_UNEXPECTED_TYPE;
		switch (k.val) {
		case 1:
		case 2:
		case 9:
			if (v.major != 0)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (k.val == 1) {
				pr->protocol = v.val;
				pr->has_protocol = true;
			} else if (k.val == 2) {
				pr->sub = v.val;
				pr->has_sub = true;
			} else {
				pr->perms = v.val;
				pr->has_perms = true;
			}
			break;
		case 3:
			if (v.major != 5)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			pr->ka = v;
			pr->has_ka = true;
			break;
		case 4:
		case 5:
		case 6:
			if (v.major != 2)
				return SF_ERR_CBOR_UNEXPECTED_TYPE;
			if (k.val == 4) {
				pr->auth = v;
				pr->has_auth = true;
			} else if (k.val == 5) {
				pr->newpin = v;
				pr->has_newpin = true;
			} else {
				pr->pinhash = v;
				pr->has_pinhash = true;
			}
			break;
		case 10:
			if (sf_cbor_text(&v, pr->rpid, sizeof(pr->rpid)) < 0)
				return v.major == 3 ? SF_ERR_INVALID_LENGTH :
				    SF_ERR_CBOR_UNEXPECTED_TYPE;
			pr->has_rpid = true;
			break;
		default:
			break;	/* ignore unknown parameters */
		}
	}
	return r < 0 ? SF_ERR_INVALID_CBOR : SF_OK;
}

/* ECDH with the platform's COSE key, then the protocol's KDF. */
static uint8_t
derive_secret(struct softfido *sf, const struct pin_req *pr,
    struct secret *s)
{
	const uint8_t *end = pr->ka.next, *pos = pr->ka.body;
	struct sf_cbor k, v;
	uint8_t x[32], y[32], z[32];
	int64_t key, val;
	size_t idx = 0;
	bool hx = false, hy = false, kty = false, crv = false;
	uint8_t r = SF_ERR_INVALID_PARAMETER;
	int n;

	while ((n = sf_cbor_map_next(&pr->ka, end, &pos, &idx, &k, &v)) == 1) {
		if (sf_cbor_int(&k, &key) < 0)
			goto out;
		if (key == -2 || key == -3) {
			if (v.major != 2 || v.val != 32)
				goto out;
			memcpy(key == -2 ? x : y, v.data, 32);
			*(key == -2 ? &hx : &hy) = true;
		} else if (key == 1 || key == -1) {
			if (sf_cbor_int(&v, &val) < 0)
				goto out;
			if (key == 1)
				kty = val == 2;
			else
				crv = val == 1;
		}
	}
	if (n < 0 || !hx || !hy || !kty || !crv ||
	    sf_ecdh(sf->ka_key, x, y, z) < 0)
		goto out;
	s->protocol = pr->protocol;
	if (pr->protocol == 1) {
		if (sf_sha256(z, sizeof(z), s->k) < 0)
			goto out;
	} else if (sf_hkdf_sha256(z, sizeof(z), "CTAP2 HMAC key", s->k) < 0 ||
	    sf_hkdf_sha256(z, sizeof(z), "CTAP2 AES key", s->k + 32) < 0)
		goto out;
	r = SF_OK;
out:
	explicit_bzero(z, sizeof(z));
	return r;
}

/* Decrypt ct with the shared secret; *outlen gets the plaintext length. */
static int
decrypt(const struct secret *s, const struct sf_cbor *ct, uint8_t *out,
    size_t cap, size_t *outlen)
{
	uint8_t iv[16];
	size_t n = (size_t)ct->val;

	memset(iv, 0, sizeof(iv));
	if (s->protocol == 1) {
		if (n == 0 || n % 16 != 0 || n > cap)
			return -1;
		*outlen = n;
		return sf_aes256_cbc(false, s->k, iv, ct->data, n, out);
	}
	if (n <= 16 || (n - 16) % 16 != 0 || n - 16 > cap)
		return -1;
	*outlen = n - 16;
	return sf_aes256_cbc(false, s->k + 32, ct->data, ct->data + 16, n - 16,
	    out);
}

/* Encrypt 32 bytes (a token) for the platform. */
static int
encrypt_token(const struct secret *s, const uint8_t tok[32], uint8_t *out,
    size_t *outlen)
{
	uint8_t iv[16];

	memset(iv, 0, sizeof(iv));
	if (s->protocol == 1) {
		*outlen = 32;
		return sf_aes256_cbc(true, s->k, iv, tok, 32, out);
	}
	if (sf_random(iv, sizeof(iv)) < 0)
		return -1;
	memcpy(out, iv, 16);
	*outlen = 48;
	return sf_aes256_cbc(true, s->k + 32, iv, tok, 32, out + 16);
}

/* verify(key, message, signature) of either protocol. */
static bool
verify(uint64_t protocol, const uint8_t *key, const void *m1, size_t n1,
    const void *m2, size_t n2, const struct sf_cbor *sig)
{
	uint8_t mac[32];
	size_t want = protocol == 1 ? 16 : 32;
	bool ok;

	if (sig->val != want || sf_hmac_sha256(key, 32, m1, n1, m2, n2,
	    mac) < 0)
		return false;
	ok = CRYPTO_memcmp(mac, sig->data, want) == 0;
	explicit_bzero(mac, sizeof(mac));
	return ok;
}

/* Extract and hash a new PIN from its padded, encrypted form. */
static uint8_t
new_pin_hash(const struct secret *s, const struct sf_cbor *enc,
    uint8_t hash[16])
{
	uint8_t padded[64], h[32];
	size_t n = 0, len;
	uint8_t r = SF_ERR_PIN_POLICY_VIOLATION;

	if (decrypt(s, enc, padded, sizeof(padded), &n) < 0 || n != 64)
		goto out;
	len = strnlen((const char *)padded, sizeof(padded));
	if (len < SF_PIN_MIN || len > 63)
		goto out;
	if (sf_sha256(padded, len, h) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	memcpy(hash, h, 16);
	r = SF_OK;
out:
	explicit_bzero(padded, sizeof(padded));
	explicit_bzero(h, sizeof(h));
	return r;
}

static int
new_key_agreement(struct softfido *sf)
{
	EVP_PKEY *k;

	if ((k = sf_p256_generate()) == NULL)
		return -1;
	EVP_PKEY_free(sf->ka_key);
	sf->ka_key = k;
	return 0;
}

/*
 * Check pinHashEnc against the stored PIN, spending a retry first (saved
 * before the comparison, so killing the process does not refund it).
 */
static uint8_t
check_pin(struct softfido *sf, struct sf_state *st, const struct secret *s,
    const struct sf_cbor *enc)
{
	uint8_t ph[16];
	size_t n = 0;
	bool ok;

	if (!st->pin_set)
		return SF_ERR_PIN_NOT_SET;
	if (st->pin_retries == 0)
		return SF_ERR_PIN_BLOCKED;
	if (sf->pin_fails >= PIN_MAX_CONSECUTIVE)
		return SF_ERR_PIN_AUTH_BLOCKED;
	st->pin_retries--;
	if (sf_state_save(&sf->conf, st) < 0)
		return SF_ERR_OTHER;
	ok = decrypt(s, enc, ph, sizeof(ph), &n) == 0 && n == 16 &&
	    CRYPTO_memcmp(ph, st->pin_hash, 16) == 0;
	explicit_bzero(ph, sizeof(ph));
	if (!ok) {
		sf->pin_fails++;
		(void)new_key_agreement(sf);
		if (st->pin_retries == 0)
			return SF_ERR_PIN_BLOCKED;
		if (sf->pin_fails >= PIN_MAX_CONSECUTIVE)
			return SF_ERR_PIN_AUTH_BLOCKED;
		return SF_ERR_PIN_INVALID;
	}
	sf->pin_fails = 0;
	st->pin_retries = SF_PIN_RETRIES;
	return SF_OK;
}

uint8_t
sf_pin_builtin_uv(struct softfido *sf, struct sf_state *st)
{
	if (sf->conf.uv != SF_UV_BUILTIN)
		return SF_ERR_NOT_ALLOWED;
	if (st->uv_retries == 0)
		return SF_ERR_UV_BLOCKED;
	if (!sf->conf.finger_match) {
		st->uv_retries--;
		return st->uv_retries == 0 ? SF_ERR_UV_BLOCKED :
		    SF_ERR_UV_INVALID;
	}
	st->uv_retries = SF_UV_RETRIES;
	return SF_OK;
}

static uint8_t
issue_token(struct softfido *sf, const struct pin_req *pr,
    const struct secret *s, struct sf_out *o)
{
	uint8_t enc[48];
	size_t n = 0;

	if (sf_random(sf->token, sizeof(sf->token)) < 0 ||
	    encrypt_token(s, sf->token, enc, &n) < 0) {
		sf->token_valid = false;
		return SF_ERR_OTHER;
	}
	sf->token_valid = true;
	if (pr->sub == PIN_GET_TOKEN) {
		sf->token_perms = SF_PERM_MC | SF_PERM_GA;
		sf->token_rpid[0] = '\0';
	} else {
		sf->token_perms = (uint8_t)pr->perms;
		if (pr->has_rpid)
			memcpy(sf->token_rpid, pr->rpid, sizeof(sf->token_rpid));
		else
			sf->token_rpid[0] = '\0';
	}
	sf_put_map(o, 1);
	sf_put_uint(o, 2);
	sf_put_bytes(o, enc, n);
	return SF_OK;
}

static uint8_t
put_key_agreement(struct softfido *sf, struct sf_out *o)
{
	uint8_t x[32], y[32];

	if (sf_p256_xy(sf->ka_key, x, y) < 0)
		return SF_ERR_OTHER;
	sf_put_map(o, 1);
	sf_put_uint(o, 1);
	sf_put_map(o, 5);
	sf_put_int(o, 1);
	sf_put_int(o, 2);
	sf_put_int(o, 3);
	sf_put_int(o, SF_COSE_ECDH_ES_HKDF);
	sf_put_int(o, -1);
	sf_put_int(o, 1);
	sf_put_int(o, -2);
	sf_put_bytes(o, x, 32);
	sf_put_int(o, -3);
	sf_put_bytes(o, y, 32);
	return SF_OK;
}

/* setPIN and changePIN. */
static uint8_t
set_pin(struct softfido *sf, struct sf_state *st, const struct pin_req *pr,
    const struct secret *s)
{
	uint8_t hash[16];
	uint8_t r;

	if (!pr->has_auth || !pr->has_newpin ||
	    (pr->sub == PIN_CHANGE_PIN && !pr->has_pinhash))
		return SF_ERR_MISSING_PARAMETER;
	if (pr->sub == PIN_SET_PIN && st->pin_set)
		return SF_ERR_PIN_AUTH_INVALID;
	if (pr->sub == PIN_CHANGE_PIN && !st->pin_set)
		return SF_ERR_PIN_NOT_SET;
	if (!verify(s->protocol, s->k, pr->newpin.data,
	    (size_t)pr->newpin.val,
	    pr->sub == PIN_CHANGE_PIN ? pr->pinhash.data : NULL,
	    pr->sub == PIN_CHANGE_PIN ? (size_t)pr->pinhash.val : 0,
	    &pr->auth))
		return SF_ERR_PIN_AUTH_INVALID;
	if (pr->sub == PIN_CHANGE_PIN &&
	    (r = check_pin(sf, st, s, &pr->pinhash)) != SF_OK)
		return r;
	if ((r = new_pin_hash(s, &pr->newpin, hash)) != SF_OK)
		return r;
	memcpy(st->pin_hash, hash, sizeof(hash));
	explicit_bzero(hash, sizeof(hash));
	st->pin_set = true;
	st->pin_retries = SF_PIN_RETRIES;
	sf->token_valid = false;
	return sf_state_save(&sf->conf, st) < 0 ? SF_ERR_OTHER : SF_OK;
}

static uint8_t
token_perms_ok(const struct softfido *sf, const struct pin_req *pr)
{
	if (!pr->has_perms)
		return SF_ERR_MISSING_PARAMETER;
	if (pr->perms == 0)
		return SF_ERR_INVALID_PARAMETER;
	/* credMgmt, bioEnroll, largeBlobWrite, authenticatorConfig: absent */
	if ((pr->perms & ~(uint64_t)(SF_PERM_MC | SF_PERM_GA)) != 0)
		return SF_ERR_UNAUTHORIZED_PERMISSION;
	(void)sf;
	return SF_OK;
}

static uint8_t
dispatch(struct softfido *sf, struct sf_state *st, const struct pin_req *pr,
    struct sf_out *o)
{
	struct secret s;
	uint8_t r;

	memset(&s, 0, sizeof(s));
	switch (pr->sub) {
	case 1:
		sf_put_map(o, 1);
		sf_put_uint(o, 3);
		sf_put_uint(o, st->pin_retries);
		return SF_OK;
	case PIN_GET_UV_RETRIES:
		if (sf->conf.uv != SF_UV_BUILTIN)
			return SF_ERR_INVALID_SUBCOMMAND;
		sf_put_map(o, 1);
		sf_put_uint(o, 5);
		sf_put_uint(o, st->uv_retries);
		return SF_OK;
	case 2:
	case PIN_SET_PIN:
	case PIN_CHANGE_PIN:
	case PIN_GET_TOKEN:
	case PIN_UV_TOKEN:
	case PIN_TOKEN_PERMS:
		break;
	default:
		return SF_ERR_INVALID_SUBCOMMAND;
	}
	if (!sf->conf.ctap21 &&
	    (pr->sub == PIN_UV_TOKEN || pr->sub == PIN_TOKEN_PERMS))
		return SF_ERR_INVALID_SUBCOMMAND;
	if (!pr->has_protocol)
		return SF_ERR_MISSING_PARAMETER;
	if (!sf_protocol_supported(sf, pr->protocol))
		return SF_ERR_INVALID_PARAMETER;
	if (pr->sub == 2)
		return put_key_agreement(sf, o);
	if (!pr->has_ka)
		return SF_ERR_MISSING_PARAMETER;
	if ((r = derive_secret(sf, pr, &s)) != SF_OK)
		goto out;
	switch (pr->sub) {
	case PIN_SET_PIN:
	case PIN_CHANGE_PIN:
		r = set_pin(sf, st, pr, &s);
		break;
	case PIN_GET_TOKEN:
	case PIN_TOKEN_PERMS:
		if (pr->sub == PIN_TOKEN_PERMS &&
		    (r = token_perms_ok(sf, pr)) != SF_OK)
			break;
		if (!pr->has_pinhash) {
			r = SF_ERR_MISSING_PARAMETER;
			break;
		}
		sf->token_valid = false;
		if ((r = check_pin(sf, st, &s, &pr->pinhash)) == SF_OK &&
		    (r = sf_state_save(&sf->conf, st) < 0 ? SF_ERR_OTHER :
		    SF_OK) == SF_OK)
			r = issue_token(sf, pr, &s, o);
		break;
	case PIN_UV_TOKEN:
		if (sf->conf.uv != SF_UV_BUILTIN) {
			r = SF_ERR_NOT_ALLOWED;
			break;
		}
		if ((r = token_perms_ok(sf, pr)) != SF_OK)
			break;
		sf->token_valid = false;
		r = sf_pin_builtin_uv(sf, st);
		if (sf_state_save(&sf->conf, st) < 0)
			r = SF_ERR_OTHER;
		if (r == SF_OK)
			r = issue_token(sf, pr, &s, o);
		break;
	default:
		r = SF_ERR_INVALID_SUBCOMMAND;
		break;
	}
out:
	explicit_bzero(&s, sizeof(s));
	return r;
}

uint8_t
sf_pin_command(struct softfido *sf, const uint8_t *req, size_t len,
    struct sf_out *o)
{
	struct pin_req pr;
	struct sf_state st;
	int lock = -1;
	uint8_t r;

	memset(&st, 0, sizeof(st));
	if ((r = parse_req(req, len, &pr)) != SF_OK)
		goto out;
	if (!pr.has_sub) {
		r = SF_ERR_MISSING_PARAMETER;
		goto out;
	}
	if ((lock = sf_state_lock(&sf->conf, true)) < 0 ||
	    sf_state_load(&sf->conf, &st) < 0) {
		r = SF_ERR_OTHER;
		goto out;
	}
	r = dispatch(sf, &st, &pr, o);
out:
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	explicit_bzero(&pr, sizeof(pr));
	return r;
}

uint8_t
sf_pin_check_param(struct softfido *sf, uint64_t protocol,
    const struct sf_cbor *param, const uint8_t cdh[32], uint8_t perm,
    const char *rpid)
{
	if (!sf_protocol_supported(sf, protocol))
		return SF_ERR_INVALID_PARAMETER;
	if (!sf->token_valid ||
	    !verify(protocol, sf->token, cdh, 32, NULL, 0, param))
		return SF_ERR_PIN_AUTH_INVALID;
	if (sf->conf.ctap21) {
		if ((sf->token_perms & perm) == 0 ||
		    (sf->token_rpid[0] != '\0' &&
		    strcmp(sf->token_rpid, rpid) != 0))
			return SF_ERR_UNAUTHORIZED_PERMISSION;
		if (sf->token_rpid[0] == '\0')
			memcpy(sf->token_rpid, rpid, strlen(rpid) + 1);
	}
	return SF_OK;
}
