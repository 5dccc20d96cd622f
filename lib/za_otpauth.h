/*
 * otpauth:// Key URIs (the "Google Authenticator" key URI format) for
 * enrolling TOTP/HOTP tokens in authenticator apps, and the base32 text
 * form of their secrets.
 *
 *   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 *       &algorithm=SHA1&digits=6&period=30
 *   otpauth://hotp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 *       &algorithm=SHA1&digits=6&counter=0
 *
 * Issuer and account are UTF-8 (例市, 田中) and percent-encoded byte by
 * byte: only RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) stay as
 * they are, everything else, ':' '/' '?' '&' '=' '%' '@' '+' and space
 * included, becomes %XX (upper-case hex).  The label's issuer prefix and
 * account are joined by a literal ':'; the issuer parameter repeats the
 * issuer.  The secret is RFC 4648 base32, upper case, without padding.
 * Every parameter is written, defaults included.
 *
 * A URI holds the token's secret: free it with za_free_secret_str().
 */
#ifndef ZA_OTPAUTH_H
#define ZA_OTPAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "za_codec.h"	/* za_base32_encode(), the canonical decoder */
#include "za_model.h"	/* enum za_token_kind, enum za_otp_alg, bounds */

/* Longest URI za_otpauth_parse() reads, in bytes. */
#define ZA_OTPAUTH_MAX_URI	4096

/* Longest issuer or account (decoded UTF-8), in bytes. */
#define ZA_OTPAUTH_MAX_NAME	ZA_NAME_MAX

struct za_otpauth {
	enum za_token_kind kind;	/* ZA_TOKEN_TOTP or ZA_TOKEN_HOTP */
	char *issuer;			/* NULL: none */
	char *account;			/* required */
	unsigned char *secret;		/* ZA_SECRET_MIN..ZA_SECRET_MAX bytes */
	size_t secret_len;
	enum za_otp_alg alg;
	unsigned int digits;		/* ZA_OTP_DIGITS_MIN..MAX */
	unsigned int period;		/* TOTP: ZA_TOTP_PERIOD_MIN..MAX s */
	uint64_t counter;		/* HOTP: initial counter, <= INT64_MAX */
};

/*
 * Decode len bytes of RFC 4648 base32 at s into *out (malloc'd, *outlen
 * bytes; release with za_freezero(*out, *outlen)).  Letters of either
 * case are accepted; padding is optional but, when present, must be the
 * exact amount that completes the last 8-character group; the unused low
 * bits of the last character must be zero (canonical form).  Any other
 * character (space, '-', '0', '1', '8', '9', a misplaced '=') is refused.
 * "" decodes to zero bytes.  The canonical decoder underneath is
 * za_base32_decode() of za_codec.h; encode with za_base32_encode().
 * Returns ZA_OK, ZA_ERR_ARG, ZA_ERR_PARSE or ZA_ERR_NOMEM; intermediate
 * copies are wiped.
 */
int za_otpauth_base32_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen);

/*
 * Build the key URI of t into *out (malloc'd, NUL-terminated).  t->issuer
 * (NULL for none) and t->account must be 1..ZA_OTPAUTH_MAX_NAME bytes of
 * well-formed UTF-8 without control characters; the other fields must be
 * within the bounds above (period is ignored for HOTP, counter for TOTP).
 * Returns ZA_OK, ZA_ERR_ARG (NULL pointer or a field out of bounds) or
 * ZA_ERR_NOMEM.
 */
int za_otpauth_uri(const struct za_otpauth *t, char **out);

/*
 * Parse a key URI strictly into *out (free with za_otpauth_free()).
 *
 * Accepted: scheme "otpauth" and type "totp"/"hotp" in any case; a
 * non-empty label of unreserved characters, '@', ':' and %XX escapes
 * (either case), split at its first literal ':' into issuer and account
 * (without a literal ':', an issuer parameter followed by ':' at the
 * start of the decoded label is taken as the prefix); a query of
 * key=value pairs joined by single '&', each key at most once, the issuer
 * value made of unreserved characters, '@' and %XX escapes:
 *   secret     required, base32 as for za_otpauth_base32_decode()
 *   issuer     must equal the label's issuer prefix when both are given
 *   algorithm  SHA1, SHA256 or SHA512 (default SHA1)
 *   digits     6, 7 or 8 (default 6)
 *   period     TOTP only, 15..300 (default 30)
 *   counter    HOTP only and required there, 0..INT64_MAX
 * Numbers are plain decimal without sign or leading zeros.  Decoded
 * issuer and account must be valid as for za_otpauth_uri() (no %00).
 * Refused with ZA_ERR_PARSE: anything else, e.g. an unknown or repeated
 * parameter, an empty value, a fragment ('#'), a '+', a secret outside
 * ZA_SECRET_MIN..ZA_SECRET_MAX bytes.  Other returns: ZA_OK, ZA_ERR_ARG,
 * ZA_ERR_TOO_LARGE (longer than ZA_OTPAUTH_MAX_URI), ZA_ERR_NOMEM.
 */
int za_otpauth_parse(const char *uri, struct za_otpauth **out);

/* Wipe the secret, free everything and set *tp = NULL; NULL is fine. */
void za_otpauth_free(struct za_otpauth **tp);

#endif /* ZA_OTPAUTH_H */
