/*
 * Binary-to-text codecs: hex, base64 (RFC 4648 section 4 and 5) and
 * base32 (RFC 4648 section 6).  The decoders are strict: they accept one
 * canonical text for each byte string and refuse everything else.
 */
#ifndef ZA_CODEC_H
#define ZA_CODEC_H

#include <stddef.h>

/*
 * Write the n bytes at in as 2 * n lower-case hex digits at out, then a
 * NUL (out holds 2 * n + 1 bytes).
 */
void za_hex_encode(const unsigned char *in, size_t n, char *out);

/*
 * Decode exactly 2 * n hex digits at s into out[n]; digits A-F are refused
 * when lower_only is set, accepted otherwise.  ZA_OK, or ZA_ERR_PARSE at
 * the first non-digit (out may then be partly written).
 */
int za_hex_decode(const char *s, size_t n, int lower_only,
    unsigned char *out);

/* The base64 alphabets and padding rules callers choose from. */
enum za_base64_variant {
	ZA_BASE64_STD,		/* + and /, padded with = */
	ZA_BASE64_STD_NOPAD,	/* + and /, no padding */
	ZA_BASE64_URL_NOPAD,	/* - and _, no padding */
};

/*
 * Encode len bytes at in as base64 of variant v into *out, a malloc'd
 * NUL-terminated string.  ZA_OK, ZA_ERR_ARG, ZA_ERR_NOMEM.
 */
int za_base64_encode(const unsigned char *in, size_t len,
    enum za_base64_variant v, char **out);

/*
 * Decode the len characters at s, base64 of variant v, into *out
 * (malloc'd, release with free(); *outlen bytes).  Only the canonical
 * form is accepted: the variant's alphabet and padding, no white space,
 * zero trailing bits, and 1..max decoded bytes.  ZA_OK, ZA_ERR_ARG,
 * ZA_ERR_PARSE, ZA_ERR_NOMEM.
 */
int za_base64_decode(const char *s, size_t len, enum za_base64_variant v,
    size_t max, unsigned char **out, size_t *outlen);

/*
 * RFC 4648 base32, upper case, no padding (the form otpauth:// URIs use).
 * encode: *out is a malloc'd NUL-terminated string; the caller wipes it
 * (za_free_secret_str) when it holds a secret.  decode: accepts exactly
 * the canonical form (A-Z2-7, no padding, zero trailing bits); *out is
 * malloc'd and must be released with za_freezero(*out, *outlen).
 */
int za_base32_encode(const unsigned char *in, size_t len, char **out);
int za_base32_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen);

#endif /* ZA_CODEC_H */
