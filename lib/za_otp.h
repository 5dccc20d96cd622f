/*
 * TOTP (RFC 6238) and HOTP (RFC 4226) code generation and verification,
 * computed by liboath.
 *
 * Forward-only state follows the OpenLDAP otp overlay: a TOTP token keeps
 * the last time step it accepted (oathTOTPLastTimeStep), an HOTP token the
 * last counter value it accepted (oathHOTPCounter); either may be absent
 * before the first use.  The verify functions never store anything: on
 * success they return the step or counter the caller must write back
 * (with the directory's delete-old/add-new compare-and-swap) before it
 * lets the user in.
 *
 * Codes are compared in constant time and every step of the window is
 * computed whatever matches, so timing does not tell where a code
 * matched.  Generated codes are wiped before returning.
 *
 * liboath: oath_init() is called once per process through pthread_once().
 * In liboath 2.6 it only initializes the crypto backend (a no-op with the
 * built-in gnulib crypto Debian uses); it is not reference counted, so
 * oath_done() is never called: a PAM module lives in long-running and
 * threaded hosts (sshd, gdm) where another thread, or another module of
 * the same stack such as pam_oath, may still be using the library.
 */
#ifndef ZA_OTP_H
#define ZA_OTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "za_model.h"	/* enum za_otp_alg, ZA_OTP_*, ZA_SECRET_* bounds */

/* Buffer size for a generated code: ZA_OTP_DIGITS_MAX digits and a NUL. */
#define ZA_OTP_CODE_BUFSZ	(ZA_OTP_DIGITS_MAX + 1)

struct za_totp_params {
	unsigned int digits;	/* ZA_OTP_DIGITS_MIN..ZA_OTP_DIGITS_MAX */
	enum za_otp_alg alg;
	unsigned int period;	/* ZA_TOTP_PERIOD_MIN..ZA_TOTP_PERIOD_MAX s */
	unsigned int window;	/* 0..ZA_TOTP_WINDOW_MAX steps either side */
};

struct za_hotp_params {
	unsigned int digits;	/* ZA_OTP_DIGITS_MIN..ZA_OTP_DIGITS_MAX */
	enum za_otp_alg alg;
	unsigned int lookahead;	/* 0..ZA_HOTP_LOOKAHEAD_MAX */
};

/* Why a code was refused, for the log line (never shown to the user). */
enum za_otp_verdict {
	ZA_OTP_ACCEPTED = 0,
	ZA_OTP_MALFORMED,	/* not exactly `digits` ASCII digits */
	ZA_OTP_MISMATCH,	/* no step/counter in the window gives it */
	ZA_OTP_REPLAYED,	/* gives only steps/counters already used */
};

/* Static English name of v ("accepted", "malformed code", ...). */
const char *za_otp_verdict_str(enum za_otp_verdict v);

/*
 * Verify a TOTP code typed at time now (Unix seconds, >= 0).
 *
 * The current step is T = now / period.  code must be exactly p->digits
 * ASCII digits (no spaces, signs or other characters).  The steps
 * T - window .. T + window (those below 0 left out) are computed; among
 * those that give code, the largest one greater than last_step (any one
 * when !have_last_step) is accepted.  Taking the largest means the same
 * code can never be accepted twice, even when it happens to match two
 * steps.
 *
 * On acceptance returns ZA_OK and sets *matched_step: the caller stores it
 * as the new last step.  Otherwise returns ZA_ERR_AUTH and leaves
 * *matched_step alone.  *verdict (verdict may be NULL) is set on ZA_OK and
 * ZA_ERR_AUTH: ZA_OTP_REPLAYED when code matches only steps <= last_step.
 *
 * Other returns: ZA_ERR_ARG (p, secret or matched_step NULL), ZA_ERR_RANGE
 * (a parameter out of range, secret_len outside
 * ZA_SECRET_MIN..ZA_SECRET_MAX, now < 0 or so large the window overflows),
 * ZA_ERR_CRYPTO (liboath failed).  A NULL code is ZA_ERR_AUTH/MALFORMED.
 */
int za_totp_verify(const struct za_totp_params *p,
    const unsigned char *secret, size_t secret_len, const char *code,
    time_t now, uint64_t last_step, int have_last_step,
    uint64_t *matched_step, enum za_otp_verdict *verdict);

/*
 * Verify an HOTP code.  The counters first .. first + lookahead are
 * computed, first = last_counter + 1 (0 when !have_last_counter), and the
 * largest one that gives code is accepted: ZA_OK and *matched_counter set
 * (store it as the new last counter, as the otp overlay does).  A code
 * equal to that of last_counter itself is ZA_ERR_AUTH with
 * ZA_OTP_REPLAYED; other refusals as for za_totp_verify().  ZA_ERR_RANGE
 * also when the counters would pass INT64_MAX.
 */
int za_hotp_verify(const struct za_hotp_params *p,
    const unsigned char *secret, size_t secret_len, const char *code,
    uint64_t last_counter, int have_last_counter,
    uint64_t *matched_counter, enum za_otp_verdict *verdict);

/*
 * Write the TOTP code of the step of time now (now / period) as a
 * NUL-terminated string into out (outsz >= p->digits + 1).  p->window is
 * checked but not used.  The caller wipes out when done.  Returns ZA_OK,
 * ZA_ERR_ARG, ZA_ERR_RANGE or ZA_ERR_CRYPTO.
 */
int za_totp_generate(const struct za_totp_params *p,
    const unsigned char *secret, size_t secret_len, time_t now, char *out,
    size_t outsz);

/*
 * Same for an HOTP counter (<= INT64_MAX); p->lookahead is checked but not
 * used.
 */
int za_hotp_generate(const struct za_hotp_params *p,
    const unsigned char *secret, size_t secret_len, uint64_t counter,
    char *out, size_t outsz);

#endif /* ZA_OTP_H */
