/* TOTP/HOTP generation and verification with liboath (see za_otp.h). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <liboath/oath.h>

#include "za_err.h"
#include "za_otp.h"
#include "za_secret.h"

/*
 * liboath wants oath_init() before use.  pthread_once() makes the one call
 * race-free in threaded hosts; its result is written once, inside the
 * once routine, and only read afterwards.  oath_done() is never called
 * (see za_otp.h).
 */
static pthread_once_t za_oath_once = PTHREAD_ONCE_INIT;
static int za_oath_init_rc = OATH_CRYPTO_ERROR;

static void
za_oath_init_once(void)
{
	za_oath_init_rc = oath_init();
}

static int
za_oath_ready(void)
{
	if (pthread_once(&za_oath_once, za_oath_init_once) != 0)
		return ZA_ERR_CRYPTO;
	return za_oath_init_rc == OATH_OK ? ZA_OK : ZA_ERR_CRYPTO;
}

const char *
za_otp_verdict_str(enum za_otp_verdict v)
{
	switch (v) {
	case ZA_OTP_ACCEPTED:	return "accepted";
	case ZA_OTP_MALFORMED:	return "malformed code";
	case ZA_OTP_MISMATCH:	return "wrong code";
	case ZA_OTP_REPLAYED:	return "replayed code";
	}
	return "unknown verdict";
}

/* liboath's flags for alg, or -1 for an unknown algorithm. */
static int
za_oath_flags(enum za_otp_alg alg)
{
	switch (alg) {
	case ZA_OTP_SHA1:	return 0;
	case ZA_OTP_SHA256:	return OATH_TOTP_HMAC_SHA256;
	case ZA_OTP_SHA512:	return OATH_TOTP_HMAC_SHA512;
	}
	return -1;
}

static int
za_otp_check_common(unsigned int digits, enum za_otp_alg alg,
    const unsigned char *secret, size_t secret_len)
{
	if (secret == NULL)
		return ZA_ERR_ARG;
	if (digits < ZA_OTP_DIGITS_MIN || digits > ZA_OTP_DIGITS_MAX ||
	    za_oath_flags(alg) < 0 ||
	    secret_len < ZA_SECRET_MIN || secret_len > ZA_SECRET_MAX)
		return ZA_ERR_RANGE;
	return ZA_OK;
}

static int
za_totp_check(const struct za_totp_params *p, const unsigned char *secret,
    size_t secret_len)
{
	int r;

	if (p == NULL)
		return ZA_ERR_ARG;
	if ((r = za_otp_check_common(p->digits, p->alg, secret,
	    secret_len)) != ZA_OK)
		return r;
	if (p->period < ZA_TOTP_PERIOD_MIN || p->period > ZA_TOTP_PERIOD_MAX ||
	    p->window > ZA_TOTP_WINDOW_MAX)
		return ZA_ERR_RANGE;
	return ZA_OK;
}

static int
za_hotp_check(const struct za_hotp_params *p, const unsigned char *secret,
    size_t secret_len)
{
	int r;

	if (p == NULL)
		return ZA_ERR_ARG;
	if ((r = za_otp_check_common(p->digits, p->alg, secret,
	    secret_len)) != ZA_OK)
		return r;
	if (p->lookahead > ZA_HOTP_LOOKAHEAD_MAX)
		return ZA_ERR_RANGE;
	return ZA_OK;
}

/*
 * The RFC 4226 code of counter c (<= INT64_MAX) with HMAC alg, into buf of
 * ZA_OTP_CODE_BUFSZ bytes.  TOTP is HOTP of the time step, so liboath's
 * oath_totp_generate2() with a 1-second step, epoch start and "now" = c
 * computes HOTP(K, c) for every algorithm (oath_hotp_generate() knows
 * only SHA-1).  Parameters are checked by the caller.
 */
static int
za_otp_code(const unsigned char *secret, size_t secret_len,
    enum za_otp_alg alg, unsigned int digits, uint64_t c,
    char buf[ZA_OTP_CODE_BUFSZ])
{
	int r;

	if (c > (uint64_t)INT64_MAX)
		return ZA_ERR_RANGE;
	if ((r = za_oath_ready()) != ZA_OK)
		return r;
	if (oath_totp_generate2((const char *)secret, secret_len, (time_t)c,
	    1, 0, digits, za_oath_flags(alg), buf) != OATH_OK) {
		za_wipe(buf, ZA_OTP_CODE_BUFSZ);
		return ZA_ERR_CRYPTO;
	}
	if (strnlen(buf, ZA_OTP_CODE_BUFSZ) != digits) {
		za_wipe(buf, ZA_OTP_CODE_BUFSZ);
		return ZA_ERR_CRYPTO;
	}
	return ZA_OK;
}

/* Is code exactly digits ASCII digits?  Reads at most digits + 1 bytes. */
static int
za_otp_code_wellformed(const char *code, unsigned int digits)
{
	unsigned int i;

	if (code == NULL)
		return 0;
	for (i = 0; i < digits; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[digits] == '\0';
}

/*
 * Compute the codes of counters lo..hi (hi <= INT64_MAX, hi - lo small)
 * and compare each with code in constant time.  *best gets the largest
 * matching counter above floor (any when !have_floor), *found whether
 * there is one; *any whether code matched any counter at all.
 */
static int
za_otp_scan(const unsigned char *secret, size_t secret_len,
    enum za_otp_alg alg, unsigned int digits, const char *code, uint64_t lo,
    uint64_t hi, uint64_t floor, int have_floor, uint64_t *best, int *found,
    int *any)
{
	char buf[ZA_OTP_CODE_BUFSZ];
	uint64_t c;
	int r = ZA_OK, eq;

	*found = 0;
	*any = 0;
	for (c = lo; ; c++) {
		if ((r = za_otp_code(secret, secret_len, alg, digits, c,
		    buf)) != ZA_OK)
			goto out;
		eq = za_ct_equal(buf, code, digits);
		*any |= eq;
		if (eq && (!have_floor || c > floor)) {
			*best = c;	/* c only grows: the last is largest */
			*found = 1;
		}
		if (c == hi)
			break;
	}
out:
	za_wipe(buf, sizeof(buf));
	return r;
}

int
za_totp_verify(const struct za_totp_params *p, const unsigned char *secret,
    size_t secret_len, const char *code, time_t now, uint64_t last_step,
    int have_last_step, uint64_t *matched_step, enum za_otp_verdict *verdict)
{
	enum za_otp_verdict v = ZA_OTP_MISMATCH;
	uint64_t t, lo, hi, best = 0;
	int r, found, any;

	if (matched_step == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_totp_check(p, secret, secret_len)) != ZA_OK)
		goto out;
	if (now < 0) {
		r = ZA_ERR_RANGE;
		goto out;
	}
	t = (uint64_t)now / p->period;
	if (t > (uint64_t)INT64_MAX - p->window) {
		r = ZA_ERR_RANGE;
		goto out;
	}
	if (!za_otp_code_wellformed(code, p->digits)) {
		v = ZA_OTP_MALFORMED;
		r = ZA_ERR_AUTH;
		goto out;
	}
	lo = t >= p->window ? t - p->window : 0;
	hi = t + p->window;
	if ((r = za_otp_scan(secret, secret_len, p->alg, p->digits, code, lo,
	    hi, last_step, have_last_step, &best, &found, &any)) != ZA_OK)
		goto out;
	if (found) {
		*matched_step = best;
		v = ZA_OTP_ACCEPTED;
		r = ZA_OK;
	} else {
		v = any ? ZA_OTP_REPLAYED : ZA_OTP_MISMATCH;
		r = ZA_ERR_AUTH;
	}
out:
	if (verdict != NULL && (r == ZA_OK || r == ZA_ERR_AUTH))
		*verdict = v;
	return r;
}

int
za_hotp_verify(const struct za_hotp_params *p, const unsigned char *secret,
    size_t secret_len, const char *code, uint64_t last_counter,
    int have_last_counter, uint64_t *matched_counter,
    enum za_otp_verdict *verdict)
{
	enum za_otp_verdict v = ZA_OTP_MISMATCH;
	uint64_t first, best = 0, unused;
	int r, found, any, replayed = 0, unused_found;

	if (matched_counter == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_hotp_check(p, secret, secret_len)) != ZA_OK)
		goto out;
	if (have_last_counter && last_counter >= (uint64_t)INT64_MAX -
	    p->lookahead) {
		r = ZA_ERR_RANGE;
		goto out;
	}
	if (!za_otp_code_wellformed(code, p->digits)) {
		v = ZA_OTP_MALFORMED;
		r = ZA_ERR_AUTH;
		goto out;
	}
	first = have_last_counter ? last_counter + 1 : 0;
	if ((r = za_otp_scan(secret, secret_len, p->alg, p->digits, code,
	    first, first + p->lookahead, 0, 0, &best, &found, &any)) != ZA_OK)
		goto out;
	/* The code of the last accepted counter again: a replay. */
	if (have_last_counter && (r = za_otp_scan(secret, secret_len, p->alg,
	    p->digits, code, last_counter, last_counter, 0, 0, &unused,
	    &unused_found, &replayed)) != ZA_OK)
		goto out;
	if (found) {
		*matched_counter = best;
		v = ZA_OTP_ACCEPTED;
		r = ZA_OK;
	} else {
		v = replayed ? ZA_OTP_REPLAYED : ZA_OTP_MISMATCH;
		r = ZA_ERR_AUTH;
	}
out:
	if (verdict != NULL && (r == ZA_OK || r == ZA_ERR_AUTH))
		*verdict = v;
	return r;
}

int
za_totp_generate(const struct za_totp_params *p, const unsigned char *secret,
    size_t secret_len, time_t now, char *out, size_t outsz)
{
	char buf[ZA_OTP_CODE_BUFSZ];
	int r;

	if (out == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_totp_check(p, secret, secret_len)) != ZA_OK)
		goto out;
	if (outsz < (size_t)p->digits + 1) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if (now < 0) {
		r = ZA_ERR_RANGE;
		goto out;
	}
	if ((r = za_otp_code(secret, secret_len, p->alg, p->digits,
	    (uint64_t)now / p->period, buf)) != ZA_OK)
		goto out;
	memcpy(out, buf, (size_t)p->digits + 1);
out:
	za_wipe(buf, sizeof(buf));
	return r;
}

int
za_hotp_generate(const struct za_hotp_params *p, const unsigned char *secret,
    size_t secret_len, uint64_t counter, char *out, size_t outsz)
{
	char buf[ZA_OTP_CODE_BUFSZ];
	int r;

	if (out == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_hotp_check(p, secret, secret_len)) != ZA_OK)
		goto out;
	if (outsz < (size_t)p->digits + 1) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_otp_code(secret, secret_len, p->alg, p->digits, counter,
	    buf)) != ZA_OK)
		goto out;
	memcpy(out, buf, (size_t)p->digits + 1);
out:
	za_wipe(buf, sizeof(buf));
	return r;
}
