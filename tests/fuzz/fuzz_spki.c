/*
 * libFuzzer harness for the structural SubjectPublicKeyInfo check
 * (lib/spki.c).  The first input byte picks the COSE algorithm: 0, 1, 2
 * for ES256, EdDSA, RS256, any other byte one of a few unknown ones; the
 * rest is the DER.  It aborts when za_spki_check() and OpenSSL, as
 * tests/spki_oracle.c asks it, disagree:
 *  - an unknown algorithm is accepted;
 *  - it accepts what OpenSSL does not read as a key of that algorithm,
 *    written back byte for byte by i2d_PUBKEY, within the contract's
 *    limits (P-256 by name with an uncompressed point; RSA n of
 *    2048..8192 bits, e odd, 3 or more and below 2^256) -- except a P-256
 *    point off the curve, which the check leaves to verification: then
 *    OpenSSL must take the same bytes with a point on the curve in its
 *    place, and the refused point must have both coordinates below p;
 *  - it refuses what OpenSSL accepts so.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "za_model.h"
#include "za_spki.h"
#include "../spki_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int known[] = { ZA_COSE_ES256, ZA_COSE_EDDSA,
	    ZA_COSE_RS256 };
	static const int unknown[] = { 0, 1, -1, -6, -9, -35, -36, -37,
	    -256, -258, 7, 8, 257 };
	const unsigned char *der;
	size_t len;
	int alg, r, want = 0;

	if (size == 0)
		goto out;
	alg = data[0] < 3 ? known[data[0]] :
	    unknown[data[0] % (sizeof(unknown) / sizeof(unknown[0]))];
	der = data + 1;
	len = size - 1;
	r = za_spki_check(der, len, alg);
	/* unknown algorithms are never wanted: spare OpenSSL the asking */
	if (data[0] < 3)
		want = spki_oracle_verdict(der, len, alg);
	if (r != want)
		abort();
 out:
	return 0;
}
