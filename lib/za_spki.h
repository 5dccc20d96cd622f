/*
 * A structural check of a stored FIDO2 credential public key (a DER
 * SubjectPublicKeyInfo, RFC 5280 section 4.1) against its COSE algorithm,
 * with nothing but libc, so that the PAM module's validation path does not
 * load libcrypto.
 */
#ifndef ZA_SPKI_H
#define ZA_SPKI_H

#include <stddef.h>

/*
 * Return 1 when the len bytes at der are exactly one SubjectPublicKeyInfo
 * in strict DER fit for COSE algorithm alg (ZA_COSE_* of za_model.h), else
 * 0; 0 also for der NULL, len 0 or len > ZA_PUBKEY_MAX, and an unknown alg.
 * Strict DER: one-byte tags, definite lengths in the fewest bytes, every
 * element exactly filling its parent, no byte after the outer SEQUENCE,
 * BIT STRING with 0 unused bits.  Per algorithm:
 *  - ZA_COSE_ES256: id-ecPublicKey with the named curve prime256v1 and an
 *    uncompressed point 0x04 || X || Y, X and Y each below the field prime;
 *  - ZA_COSE_EDDSA: id-Ed25519 without parameters and a 32-byte key;
 *  - ZA_COSE_RS256: rsaEncryption with NULL parameters and RSAPublicKey
 *    { n, e }: DER INTEGERs above zero, n of 2048..8192 bits, e odd,
 *    at least 3 and below 2^256.
 * The check is structural only: it does not test that the P-256 point is
 * on the curve, nor anything about n.  Those checks are left to OpenSSL
 * and libfido2 when a signature is verified (lib/fido2_assert.c).
 * Reads no more than len bytes; allocates nothing, logs nothing.
 */
int za_spki_check(const unsigned char *der, size_t len, int alg);

#endif /* ZA_SPKI_H */
