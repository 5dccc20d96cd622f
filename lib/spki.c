/*
 * Structural check of a DER SubjectPublicKeyInfo (see za_spki.h).  Only
 * libc: the PAM module reaches this through za_fido2_cred_validate() on
 * every login, and must not load libcrypto for it.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "za_model.h"
#include "za_spki.h"

#define TAG_INTEGER	0x02
#define TAG_BIT_STRING	0x03
#define TAG_SEQUENCE	0x30

#define RSA_BITS_MIN	2048
#define RSA_BITS_MAX	8192
#define RSA_E_BITS_MAX	256
#define P256_COORD_LEN	32
#define ED25519_KEY_LEN	32

/*
 * The contents of the AlgorithmIdentifier SEQUENCE for each algorithm.
 * DER gives each exactly one encoding, so a byte compare is the check.
 */
/* id-ecPublicKey 1.2.840.10045.2.1, prime256v1 1.2.840.10045.3.1.7 */
static const unsigned char algid_es256[] = {
	0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
/* id-Ed25519 1.3.101.112, parameters absent (RFC 8410 section 3) */
static const unsigned char algid_eddsa[] = {
	0x06, 0x03, 0x2b, 0x65, 0x70
};
/* rsaEncryption 1.2.840.113549.1.1.1, parameters NULL (RFC 3279 2.3.1) */
static const unsigned char algid_rs256[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
	0x05, 0x00
};
/* The P-256 field prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1, big-endian */
static const unsigned char p256_prime[P256_COORD_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* Unread DER: the bytes [p, p + len). */
struct der {
	const unsigned char *p;
	size_t len;
};

/*
 * Take the TLV at the front of d, which must have tag tag; its contents
 * go to *v.  DER only: a definite length in the fewest bytes, contents
 * inside d.  Two length bytes at most: ZA_PUBKEY_MAX is below 65536.
 */
static int
der_take(struct der *d, unsigned char tag, struct der *v)
{
	size_t n, hdr = 2;
	int ok = 0;

	if (d->len < 2 || d->p[0] != tag)
		goto out;
	n = d->p[1];
	if (n == 0x81) {
		/* long form only for 128 and up */
		if (d->len < 3 || d->p[2] < 0x80)
			goto out;
		n = d->p[2];
		hdr = 3;
	} else if (n == 0x82) {
		/* two bytes only for 256 and up */
		if (d->len < 4 || d->p[2] == 0x00)
			goto out;
		n = (size_t)d->p[2] << 8 | d->p[3];
		hdr = 4;
	} else if (n >= 0x80) {
		/* indefinite (0x80), or too long for ZA_PUBKEY_MAX */
		goto out;
	}
	if (n > d->len - hdr)
		goto out;
	v->p = d->p + hdr;
	v->len = n;
	d->p += hdr + n;
	d->len -= hdr + n;
	ok = 1;
 out:
	return ok;
}

/* Is v exactly the n bytes at want? */
static int
der_equal(const struct der *v, const unsigned char *want, size_t n)
{
	return v->len == n && memcmp(v->p, want, n) == 0;
}

/*
 * Are the contents v of a DER INTEGER minimal and above zero?  Then *bits
 * is its size in bits.  A leading 0x00 is allowed only before a byte with
 * its top bit set (which would otherwise make the number negative).
 */
static int
der_positive(const struct der *v, size_t *bits)
{
	const unsigned char *p = v->p;
	size_t n = v->len;
	unsigned int top;
	int ok = 0;

	if (n == 0 || (p[0] & 0x80) != 0)
		goto out;
	if (p[0] == 0x00) {
		if (n == 1 || (p[1] & 0x80) == 0)
			goto out;
		p++;
		n--;
	}
	*bits = (n - 1) * 8;
	for (top = p[0]; top != 0; top >>= 1)
		(*bits)++;
	ok = 1;
 out:
	return ok;
}

/* An uncompressed P-256 point 0x04 || X || Y with X, Y below p. */
static int
es256_key_ok(const struct der *k)
{
	return k->len == 1 + 2 * P256_COORD_LEN && k->p[0] == 0x04 &&
	    memcmp(k->p + 1, p256_prime, P256_COORD_LEN) < 0 &&
	    memcmp(k->p + 1 + P256_COORD_LEN, p256_prime, P256_COORD_LEN) < 0;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static int
rs256_key_ok(const struct der *k)
{
	struct der rest = *k, seq, n, e;
	size_t nbits, ebits;
	int ok = 0;

	if (!der_take(&rest, TAG_SEQUENCE, &seq) || rest.len != 0 ||
	    !der_take(&seq, TAG_INTEGER, &n) ||
	    !der_take(&seq, TAG_INTEGER, &e) || seq.len != 0)
		goto out;
	if (!der_positive(&n, &nbits) || nbits < RSA_BITS_MIN ||
	    nbits > RSA_BITS_MAX)
		goto out;
	/* odd and at least 3: two bits or more with the lowest set */
	if (!der_positive(&e, &ebits) || ebits < 2 ||
	    ebits > RSA_E_BITS_MAX || (e.p[e.len - 1] & 0x01) == 0)
		goto out;
	ok = 1;
 out:
	return ok;
}

int
za_spki_check(const unsigned char *der, size_t len, int alg)
{
	struct der in, spki, algid, bits, key;
	int ok = 0;

	if (der == NULL || len == 0 || len > ZA_PUBKEY_MAX)
		goto out;
	in.p = der;
	in.len = len;
	if (!der_take(&in, TAG_SEQUENCE, &spki) || in.len != 0 ||
	    !der_take(&spki, TAG_SEQUENCE, &algid) ||
	    !der_take(&spki, TAG_BIT_STRING, &bits) || spki.len != 0)
		goto out;
	/* The first content byte counts unused bits: keys are whole bytes. */
	if (bits.len == 0 || bits.p[0] != 0x00)
		goto out;
	key.p = bits.p + 1;
	key.len = bits.len - 1;
	switch (alg) {
	case ZA_COSE_ES256:
		ok = der_equal(&algid, algid_es256, sizeof(algid_es256)) &&
		    es256_key_ok(&key);
		break;
	case ZA_COSE_EDDSA:
		ok = der_equal(&algid, algid_eddsa, sizeof(algid_eddsa)) &&
		    key.len == ED25519_KEY_LEN;
		break;
	case ZA_COSE_RS256:
		ok = der_equal(&algid, algid_rs256, sizeof(algid_rs256)) &&
		    rs256_key_ok(&key);
		break;
	default:
		break;
	}
 out:
	return ok;
}
