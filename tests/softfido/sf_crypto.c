/*
 * softfido cryptography on OpenSSL 3: hashes, HMAC, AES-CBC and HKDF for
 * the PIN protocols, credential keys (ES256 on P-256, Ed25519), signatures,
 * COSE public keys and ECDH.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "sf_int.h"

int
sf_random(void *buf, size_t n)
{
	if (n > INT_MAX || RAND_bytes(buf, (int)n) != 1)
		return -1;
	return 0;
}

int
sf_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -1;
	return 0;
}

int
sf_hmac_sha256(const uint8_t *key, size_t keylen, const void *p, size_t n,
    const void *p2, size_t n2, uint8_t out[32])
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	size_t outlen = 0;
	int r = -1;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, p, n) != 1 ||
	    (n2 > 0 && EVP_MAC_update(ctx, p2, n2) != 1) ||
	    EVP_MAC_final(ctx, out, &outlen, 32) != 1 || outlen != 32)
		goto out;
	r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

int
sf_aes256_cbc(bool enc, const uint8_t key[32], const uint8_t iv[16],
    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, r = -1;

	if (n % 16 != 0 || n > INT_MAX ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv,
	    enc ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &outl, in, (int)n) != 1 ||
	    (size_t)outl != n)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int
sf_hkdf_sha256(const uint8_t *ikm, size_t ikmlen, const char *info,
    uint8_t out[32])
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t salt[32];
	size_t outlen = 32;
	int r = -1;

	memset(salt, 0, sizeof(salt));
	if (ikmlen > INT_MAX || strlen(info) > INT_MAX ||
	    (ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)sizeof(salt)) != 1 ||
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm, (int)ikmlen) != 1 ||
	    EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info,
	    (int)strlen(info)) != 1 ||
	    EVP_PKEY_derive(ctx, out, &outlen) != 1 || outlen != 32)
		goto out;
	r = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return r;
}

EVP_PKEY *
sf_p256_generate(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

int
sf_key_generate(int alg, struct sf_cred *cred)
{
	EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	int len = 0, r = -1;

	if (alg == SF_COSE_ES256)
		key = sf_p256_generate();
	else if (alg == SF_COSE_EDDSA)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL || (len = i2d_PrivateKey(key, &der)) <= 0 ||
	    (size_t)len > sizeof(cred->key))
		goto out;
	memcpy(cred->key, der, (size_t)len);
	cred->key_len = (size_t)len;
	cred->alg = alg;
	r = 0;
out:
	if (der != NULL)
		OPENSSL_clear_free(der, len > 0 ? (size_t)len : 0);
	EVP_PKEY_free(key);
	return r;
}

EVP_PKEY *
sf_key_load(const struct sf_cred *cred)
{
	const unsigned char *p = cred->key;
	EVP_PKEY *key;

	if (cred->key_len > LONG_MAX ||
	    (key = d2i_AutoPrivateKey(NULL, &p, (long)cred->key_len)) == NULL)
		return NULL;
	if ((cred->alg == SF_COSE_ES256 && EVP_PKEY_get_id(key) != EVP_PKEY_EC) ||
	    (cred->alg == SF_COSE_EDDSA &&
	    EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

int
sf_sign(EVP_PKEY *key, int alg, const uint8_t *msg, size_t msglen,
    const uint8_t *msg2, size_t msg2len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t *buf = NULL;
	int r = -1;

	if (msglen > SOFTFIDO_MAXMSG || msg2len > SOFTFIDO_MAXMSG ||
	    (buf = malloc(msglen + msg2len + 1)) == NULL)
		goto out;
	memcpy(buf, msg, msglen);
	if (msg2len > 0)
		memcpy(buf + msglen, msg2, msg2len);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, alg == SF_COSE_EDDSA ? NULL :
	    EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, siglen, buf, msglen + msg2len) != 1)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return r;
}

int
sf_p256_xy(EVP_PKEY *key, uint8_t x[32], uint8_t y[32])
{
	uint8_t pt[65];
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &len) != 1 ||
	    len != sizeof(pt) || pt[0] != 0x04)
		return -1;
	memcpy(x, pt + 1, 32);
	memcpy(y, pt + 33, 32);
	return 0;
}

int
sf_cose_put(struct sf_out *o, EVP_PKEY *key, int alg)
{
	uint8_t x[32], y[32];
	size_t len = sizeof(x);

	if (alg == SF_COSE_ES256) {
		if (sf_p256_xy(key, x, y) < 0)
			return -1;
		sf_put_map(o, 5);
		sf_put_int(o, 1);	/* kty: EC2 */
		sf_put_int(o, 2);
		sf_put_int(o, 3);	/* alg */
		sf_put_int(o, SF_COSE_ES256);
		sf_put_int(o, -1);	/* crv: P-256 */
		sf_put_int(o, 1);
		sf_put_int(o, -2);
		sf_put_bytes(o, x, sizeof(x));
		sf_put_int(o, -3);
		sf_put_bytes(o, y, sizeof(y));
		return 0;
	}
	if (alg == SF_COSE_EDDSA) {
		if (EVP_PKEY_get_raw_public_key(key, x, &len) != 1 ||
		    len != sizeof(x))
			return -1;
		sf_put_map(o, 4);
		sf_put_int(o, 1);	/* kty: OKP */
		sf_put_int(o, 1);
		sf_put_int(o, 3);
		sf_put_int(o, SF_COSE_EDDSA);
		sf_put_int(o, -1);	/* crv: Ed25519 */
		sf_put_int(o, 6);
		sf_put_int(o, -2);
		sf_put_bytes(o, x, sizeof(x));
		return 0;
	}
	return -1;
}

int
sf_ecdh(EVP_PKEY *ours, const uint8_t px[32], const uint8_t py[32],
    uint8_t z[32])
{
	EVP_PKEY_CTX *pctx = NULL, *dctx = NULL;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM params[3];
	char group[] = "P-256";
	uint8_t pt[65];
	size_t zlen = 32;
	int r = -1;

	pt[0] = 0x04;
	memcpy(pt + 1, px, 32);
	memcpy(pt + 33, py, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	/* fromdata rejects points off the curve; set_peer checks again. */
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (dctx = EVP_PKEY_CTX_new(ours, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(dctx, peer, 1) != 1 ||
	    EVP_PKEY_derive(dctx, z, &zlen) != 1 || zlen != 32)
		goto out;
	r = 0;
out:
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(peer);
	return r;
}
