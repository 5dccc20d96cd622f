/*
 * libFuzzer harness for the enrolment parsers (lib/otpauth.c): the input
 * is fed to the base32 decoder and, as a string, to the otpauth:// URI
 * parser.  Besides crashes and sanitizer reports it checks two
 * properties and aborts when one fails:
 *  - base32: what decodes re-encodes to the input upper-cased without
 *    padding, and that decodes to the same bytes;
 *  - URI: what parses is written back by za_otpauth_uri() and parses
 *    again to the same fields.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "za_err.h"
#include "za_otpauth.h"
#include "za_secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_base32(const char *in, size_t len)
{
	unsigned char *bin = NULL, *again = NULL;
	size_t blen = 0, alen = 0, i, n;
	char *enc = NULL, c;

	if (za_otpauth_base32_decode(in, len, &bin, &blen) != ZA_OK)
		return;
	if (za_base32_encode(bin, blen, &enc) != ZA_OK)
		abort();
	/* the input without its padding, upper-cased, is the encoding */
	n = len;
	while (n > 0 && in[n - 1] == '=')
		n--;
	if (strlen(enc) != n)
		abort();
	for (i = 0; i < n; i++) {
		c = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 32) : in[i];
		if (enc[i] != c)
			abort();
	}
	if (za_otpauth_base32_decode(enc, n, &again, &alen) != ZA_OK ||
	    alen != blen || memcmp(again, bin, blen) != 0)
		abort();
	za_freezero(bin, blen);
	za_freezero(again, alen);
	za_free_secret_str(&enc);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
check_uri(const char *uri)
{
	struct za_otpauth *t = NULL, *u = NULL;
	char *out = NULL;

	if (za_otpauth_parse(uri, &t) != ZA_OK)
		return;
	if (za_otpauth_uri(t, &out) != ZA_OK ||
	    za_otpauth_parse(out, &u) != ZA_OK)
		abort();
	if (u->kind != t->kind || !same_str(u->issuer, t->issuer) ||
	    !same_str(u->account, t->account) ||
	    u->secret_len != t->secret_len ||
	    memcmp(u->secret, t->secret, t->secret_len) != 0 ||
	    u->alg != t->alg || u->digits != t->digits ||
	    (t->kind == ZA_TOKEN_TOTP && u->period != t->period) ||
	    (t->kind == ZA_TOKEN_HOTP && u->counter != t->counter))
		abort();
	za_otpauth_free(&t);
	za_otpauth_free(&u);
	za_free_secret_str(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > ZA_OTPAUTH_MAX_URI + 16)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_base32(s, size);
	check_uri(s);
	free(s);
	return 0;
}
