/*
 * An OpenSSL reference for the structural SubjectPublicKeyInfo check
 * (lib/spki.c), shared by tests/unit/test_spki.c and
 * tests/fuzz/fuzz_spki.c so that both judge za_spki_check() by the same
 * rules.  Test code only: it links libcrypto, which the PAM module's
 * validation path must not.
 */
#ifndef SPKI_ORACLE_H
#define SPKI_ORACLE_H

#include <stddef.h>

/*
 * Return the ZA_COSE_* algorithm (za_model.h) that OpenSSL takes the len
 * bytes at der as a key for, within the contract of za_spki_check(), or 0.
 * d2i_PUBKEY must read exactly len bytes and i2d_PUBKEY write the same
 * bytes back (so der was in the one DER form), and then: ES256 is P-256
 * by name with an uncompressed point on the curve; EdDSA is Ed25519; RS256
 * has n of 2048..8192 bits and e odd, at least 3 and below 2^256.  Leaves
 * OpenSSL's error queue empty.
 */
int spki_oracle_alg(const unsigned char *der, size_t len);

/*
 * Return the answer za_spki_check(der, len, alg) must give, 1 or 0, where
 * oalg is spki_oracle_alg(der, len) (passed in so that a caller judging
 * one input for several algorithms asks OpenSSL once): 1 when alg is
 * nonzero and equals oalg.  Since the check leaves a P-256 point's place
 * on the curve to verification, also 1 for alg ZA_COSE_ES256 and oalg 0
 * when OpenSSL takes der as ES256 once its last 65 bytes are swapped for a
 * point on the curve, and those 65 bytes are 0x04 || X || Y with X and Y
 * below the field prime but off the curve.  Bytes OpenSSL takes as a key
 * of another algorithm carry that algorithm's identifier, so they are no
 * ES256 key whatever their point.  Aborts when out of memory.
 */
int spki_oracle_verdict_given(const unsigned char *der, size_t len, int alg,
    int oalg);

/* spki_oracle_verdict_given(der, len, alg, spki_oracle_alg(der, len)) */
int spki_oracle_verdict(const unsigned char *der, size_t len, int alg);

#endif /* SPKI_ORACLE_H */
