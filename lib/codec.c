/* Hex, base64 and base32 (see za_codec.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_secret.h"

/* ------------------------------------------------------------------ hex */
void
za_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static int
hex_digit(char c, int lower_only)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (!lower_only && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
za_hex_decode(const char *s, size_t n, int lower_only, unsigned char *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if ((hi = hex_digit(s[2 * i], lower_only)) < 0 ||
		    (lo = hex_digit(s[2 * i + 1], lower_only)) < 0)
			return ZA_ERR_PARSE;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return ZA_OK;
}

/* ------------------------------------------------------------------ base64 */
static int
sodium_variant(enum za_base64_variant v)
{
	switch (v) {
	case ZA_BASE64_STD:
		return sodium_base64_VARIANT_ORIGINAL;
	case ZA_BASE64_STD_NOPAD:
		return sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	case ZA_BASE64_URL_NOPAD:
		return sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	}
	return -1;
}

int
za_base64_encode(const unsigned char *in, size_t len,
    enum za_base64_variant v, char **out)
{
	size_t elen;
	char *s;
	int sv;

	/* libsodium aborts the process on a length it cannot encode. */
	if ((in == NULL && len > 0) || out == NULL ||
	    (sv = sodium_variant(v)) < 0 || len > SIZE_MAX / 4 - 4)
		return ZA_ERR_ARG;
	elen = sodium_base64_encoded_len(len, sv);
	if ((s = malloc(elen)) == NULL)
		return ZA_ERR_NOMEM;
	sodium_bin2base64(s, elen, in, len, sv);
	*out = s;
	return ZA_OK;
}

int
za_base64_decode(const char *s, size_t len, enum za_base64_variant v,
    size_t max, unsigned char **out, size_t *outlen)
{
	unsigned char *bin;
	size_t blen = 0;
	int sv;

	if (s == NULL || out == NULL || outlen == NULL || max == 0 ||
	    (sv = sodium_variant(v)) < 0)
		return ZA_ERR_ARG;
	/* Longer text always decodes to more than max bytes. */
	if (len == 0 || len > (max + 2) / 3 * 4)
		return ZA_ERR_PARSE;
	if ((bin = malloc(max)) == NULL)
		return ZA_ERR_NOMEM;
	/* Fails on a stray character, padding or trailing bit, or > max. */
	if (sodium_base642bin(bin, max, s, len, NULL, &blen, NULL, sv) != 0 ||
	    blen == 0) {
		free(bin);
		return ZA_ERR_PARSE;
	}
	*out = bin;
	*outlen = blen;
	return ZA_OK;
}

/* ------------------------------------------------------------------ base32 */
static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int
za_base32_encode(const unsigned char *in, size_t len, char **out)
{
	size_t olen, i, o = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;
	char *s;

	if ((in == NULL && len > 0) || out == NULL || len > SIZE_MAX / 2)
		return ZA_ERR_ARG;
	olen = (len * 8 + 4) / 5;
	if ((s = malloc(olen + 1)) == NULL)
		return ZA_ERR_NOMEM;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			s[o++] = b32_alphabet[(acc >> bits) & 0x1f];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		s[o++] = b32_alphabet[(acc << (5 - bits)) & 0x1f];
	s[o] = '\0';
	za_wipe(&acc, sizeof(acc));
	*out = s;
	return ZA_OK;
}

int
za_base32_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t blen, i, o = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;
	int v, r = ZA_ERR_ARG;

	if (s == NULL || out == NULL || outlen == NULL)
		goto out;
	r = ZA_ERR_PARSE;
	/* Lengths 1, 3 and 6 mod 8 are never produced by an encoder. */
	if (len % 8 == 1 || len % 8 == 3 || len % 8 == 6)
		goto out;
	blen = len * 5 / 8;
	r = ZA_ERR_NOMEM;
	if ((buf = malloc(blen > 0 ? blen : 1)) == NULL)
		goto out;
	r = ZA_ERR_PARSE;
	for (i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			v = s[i] - 'A';
		else if (s[i] >= '2' && s[i] <= '7')
			v = s[i] - '2' + 26;
		else
			goto out;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= blen)
				goto out;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Canonical form only: the unused low bits must be zero. */
	if (acc != 0 || o != blen)
		goto out;
	*out = buf;
	*outlen = blen;
	buf = NULL;
	r = ZA_OK;
 out:
	za_wipe(&acc, sizeof(acc));
	if (buf != NULL)
		za_freezero(buf, blen > 0 ? blen : 1);
	return r;
}
