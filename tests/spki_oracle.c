/*
 * The OpenSSL reference for za_spki_check(): see spki_oracle.h.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "za_model.h"
#include "spki_oracle.h"

#define POINT_LEN	65	/* 0x04 || X || Y */

/* A point on P-256: that of p256_der in tests/unit/test_spki.c */
static const unsigned char ref_point[POINT_LEN] = {
	0x04, 0x14, 0x36, 0x3e, 0xa0, 0x09, 0xfd, 0xdc, 0x07, 0xe8, 0x97, 0xfc,
	0xba, 0xc7, 0x6a, 0x46, 0xf3, 0x6e, 0x3b, 0xec, 0x3c, 0xee, 0x6a, 0x05,
	0x86, 0x06, 0x87, 0x00, 0x9c, 0x09, 0x36, 0xa3, 0x28, 0x15, 0x8e, 0x85,
	0xca, 0x4c, 0xbf, 0xee, 0x95, 0x21, 0x32, 0x59, 0x87, 0xe1, 0x00, 0xde,
	0xd0, 0x6d, 0x00, 0xce, 0x71, 0x10, 0x8f, 0xb5, 0x7c, 0x2a, 0x75, 0x46,
	0xc5, 0xa2, 0x62, 0x36, 0x63
};

static int
utf8_param_is(const EVP_PKEY *pk, const char *param, const char *want)
{
	char v[64];

	return EVP_PKEY_get_utf8_string_param(pk, param, v, sizeof(v),
	    NULL) == 1 && strcmp(v, want) == 0;
}

int
spki_oracle_alg(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *again = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int alen, alg = 0;

	if (len > LONG_MAX || (pk = d2i_PUBKEY(NULL, &p, (long)len)) == NULL ||
	    p != der + len)
		goto out;
	if ((alen = i2d_PUBKEY(pk, &again)) < 0 || (size_t)alen != len ||
	    memcmp(again, der, len) != 0)
		goto out;
	if (EVP_PKEY_is_a(pk, "EC") &&
	    utf8_param_is(pk, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1") &&
	    utf8_param_is(pk, OSSL_PKEY_PARAM_EC_ENCODING, "named_curve") &&
	    utf8_param_is(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	    "uncompressed"))
		alg = ZA_COSE_ES256;
	else if (EVP_PKEY_is_a(pk, "ED25519"))
		alg = ZA_COSE_EDDSA;
	else if (EVP_PKEY_is_a(pk, "RSA") &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	    !BN_is_negative(n) && BN_num_bits(n) >= 2048 &&
	    BN_num_bits(n) <= 8192 && !BN_is_negative(e) && BN_is_odd(e) &&
	    BN_num_bits(e) >= 2 && BN_num_bits(e) <= 256)
		alg = ZA_COSE_RS256;
 out:
	OPENSSL_free(again);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return alg;
}

/*
 * Is pt (POINT_LEN bytes) 0x04 || X || Y with X, Y below p but off P-256?
 * Aborts rather than answer 0 when OpenSSL cannot allocate, so that a
 * failure here is never taken for a verdict.
 */
static int
point_off_curve(const unsigned char *pt)
{
	EC_GROUP *g = NULL;
	EC_POINT *q = NULL;
	BIGNUM *p = NULL, *x = NULL, *y = NULL;
	int ok;

	if ((g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (q = EC_POINT_new(g)) == NULL || (p = BN_new()) == NULL ||
	    EC_GROUP_get_curve(g, p, NULL, NULL, NULL) != 1 ||
	    (x = BN_bin2bn(pt + 1, 32, NULL)) == NULL ||
	    (y = BN_bin2bn(pt + 33, 32, NULL)) == NULL)
		abort();
	ok = pt[0] == 0x04 && BN_cmp(x, p) < 0 && BN_cmp(y, p) < 0 &&
	    EC_POINT_oct2point(g, q, pt, POINT_LEN, NULL) != 1;
	BN_free(x);
	BN_free(y);
	BN_free(p);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	ERR_clear_error();
	return ok;
}

/*
 * Does OpenSSL take der as ES256 with ref_point as its last POINT_LEN
 * bytes, and are the bytes there a point refused only for being off the
 * curve?
 */
static int
es256_structure_ok(const unsigned char *der, size_t len)
{
	unsigned char *copy = NULL;
	int ok = 0;

	if (len < POINT_LEN)
		goto out;
	if ((copy = malloc(len)) == NULL)
		abort();
	memcpy(copy, der, len);
	memcpy(copy + len - POINT_LEN, ref_point, POINT_LEN);
	ok = spki_oracle_alg(copy, len) == ZA_COSE_ES256 &&
	    point_off_curve(der + len - POINT_LEN);
 out:
	free(copy);
	return ok;
}

int
spki_oracle_verdict_given(const unsigned char *der, size_t len, int alg,
    int oalg)
{
	if (alg != 0 && oalg == alg)
		return 1;
	return alg == ZA_COSE_ES256 && oalg == 0 &&
	    es256_structure_ok(der, len);
}

int
spki_oracle_verdict(const unsigned char *der, size_t len, int alg)
{
	return spki_oracle_verdict_given(der, len, alg,
	    spki_oracle_alg(der, len));
}
