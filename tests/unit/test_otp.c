/*
 * Unit tests for TOTP/HOTP generation and verification (lib/otp.c):
 * the RFC 6238 appendix B and RFC 4226 appendix D vectors, window and
 * lookahead edges, replay refusal, strict code syntax, parameter ranges,
 * a cross-check against the oathtool command for random secrets, and
 * concurrent first use from several threads.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "za_err.h"
#include "za_otp.h"
#include "za_secret.h"

/* RFC 6238 appendix B seeds: ASCII "1234567890" repeated per hash size. */
static const char seed20[] = "12345678901234567890";
static const char seed32[] = "12345678901234567890123456789012";
static const char seed64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

#define SEED(s)	((const unsigned char *)(s)), (sizeof(s) - 1)

static void
test_rfc6238_vectors(void **state)
{
	static const struct {
		time_t t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59,          "94287082", "46119246", "90693936" },
		{ 1111111109,  "07081804", "68084774", "25091201" },
		{ 1111111111,  "14050471", "67062674", "99943326" },
		{ 1234567890,  "89005924", "91819424", "93441116" },
		{ 2000000000,  "69279037", "90698825", "38618901" },
		{ 20000000000, "65353130", "77737706", "47863826" },
	};
	struct za_totp_params p = { 8, ZA_OTP_SHA1, 30, 0 };
	char code[ZA_OTP_CODE_BUFSZ];
	enum za_otp_verdict verdict;
	uint64_t step;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p.alg = ZA_OTP_SHA1;
		assert_int_equal(za_totp_generate(&p, SEED(seed20), v[i].t,
		    code, sizeof(code)), ZA_OK);
		assert_string_equal(code, v[i].sha1);
		step = 0;
		assert_int_equal(za_totp_verify(&p, SEED(seed20), v[i].sha1,
		    v[i].t, 0, 0, &step, &verdict), ZA_OK);
		assert_int_equal(verdict, ZA_OTP_ACCEPTED);
		assert_true(step == (uint64_t)v[i].t / 30);

		p.alg = ZA_OTP_SHA256;
		assert_int_equal(za_totp_generate(&p, SEED(seed32), v[i].t,
		    code, sizeof(code)), ZA_OK);
		assert_string_equal(code, v[i].sha256);
		assert_int_equal(za_totp_verify(&p, SEED(seed32),
		    v[i].sha256, v[i].t, 0, 0, &step, &verdict), ZA_OK);
		/* The SHA-256 code is not the SHA-1 code of the same seed. */
		assert_int_equal(za_totp_verify(&p, SEED(seed32), v[i].sha1,
		    v[i].t, 0, 0, &step, &verdict), ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MISMATCH);

		p.alg = ZA_OTP_SHA512;
		assert_int_equal(za_totp_generate(&p, SEED(seed64), v[i].t,
		    code, sizeof(code)), ZA_OK);
		assert_string_equal(code, v[i].sha512);
		assert_int_equal(za_totp_verify(&p, SEED(seed64),
		    v[i].sha512, v[i].t, 0, 0, &step, &verdict), ZA_OK);
	}
}

/* Every digit counts: changing any one position refuses the code. */
static void
test_every_digit_compared(void **state)
{
	struct za_totp_params p = { 8, ZA_OTP_SHA1, 30, 0 };
	char code[ZA_OTP_CODE_BUFSZ];
	enum za_otp_verdict verdict;
	uint64_t step;
	size_t pos;

	(void)state;
	for (pos = 0; pos < 8; pos++) {
		memcpy(code, "14050471", 9);
		code[pos] = code[pos] == '9' ? '0' : (char)(code[pos] + 1);
		assert_int_equal(za_totp_verify(&p, SEED(seed20), code,
		    1111111111, 0, 0, &step, &verdict), ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MISMATCH);
	}
}

static const char *const rfc4226_codes[] = {
	"755224", "287082", "359152", "969429", "338314",
	"254676", "287922", "162583", "399871", "520489",
};

static void
test_rfc4226_vectors(void **state)
{
	struct za_hotp_params p = { 6, ZA_OTP_SHA1, 0 };
	char code[ZA_OTP_CODE_BUFSZ];
	enum za_otp_verdict verdict;
	uint64_t c, matched;

	(void)state;
	for (c = 0; c < 10; c++) {
		assert_int_equal(za_hotp_generate(&p, SEED(seed20), c, code,
		    sizeof(code)), ZA_OK);
		assert_string_equal(code, rfc4226_codes[c]);
		matched = UINT64_MAX;
		assert_int_equal(za_hotp_verify(&p, SEED(seed20),
		    rfc4226_codes[c], c - 1, c > 0, &matched, &verdict), ZA_OK);
		assert_int_equal(verdict, ZA_OTP_ACCEPTED);
		assert_true(matched == c);
	}
}

static void
test_hotp_lookahead(void **state)
{
	struct za_hotp_params p = { 6, ZA_OTP_SHA1, 3 };
	enum za_otp_verdict verdict;
	uint64_t matched;

	(void)state;
	/* last accepted counter 4: counters 5..8 are in reach */
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[5],
	    4, 1, &matched, &verdict), ZA_OK);
	assert_true(matched == 5);
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[8],
	    4, 1, &matched, &verdict), ZA_OK);
	assert_true(matched == 8);
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[9],
	    4, 1, &matched, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_MISMATCH);
	/* the code of the last accepted counter again */
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[4],
	    4, 1, &matched, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
	/* older codes are simply wrong now */
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[3],
	    4, 1, &matched, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_MISMATCH);
	/* never used: counters 0..3 */
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[3],
	    0, 0, &matched, &verdict), ZA_OK);
	assert_true(matched == 3);
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[4],
	    0, 0, &matched, &verdict), ZA_ERR_AUTH);
	/* lookahead 0: only the next counter */
	p.lookahead = 0;
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[1],
	    0, 1, &matched, &verdict), ZA_OK);
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), rfc4226_codes[2],
	    0, 1, &matched, &verdict), ZA_ERR_AUTH);
	/* counters near the top of the range */
	p.lookahead = 3;
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), "000000",
	    (uint64_t)INT64_MAX - 3, 1, &matched, &verdict), ZA_ERR_RANGE);
	assert_int_equal(za_hotp_verify(&p, SEED(seed20), "000000",
	    UINT64_MAX, 1, &matched, &verdict), ZA_ERR_RANGE);
}

/*
 * Window edges: with window w around step T, T - w and T + w are
 * accepted, T - w - 1 and T + w + 1 refused.  The precondition that the
 * codes of these steps all differ is asserted (fixed seed and time, so it
 * holds or fails every time).
 */
static void
test_totp_window_edges(void **state)
{
	struct za_totp_params p = { 6, ZA_OTP_SHA1, 30, 0 };
	char codes[9][ZA_OTP_CODE_BUFSZ];
	enum za_otp_verdict verdict;
	const uint64_t t = 56666666;	/* 2023-11-14 */
	time_t now = (time_t)(t * 30 + 17);
	uint64_t step;
	unsigned int w;
	int i, j;

	(void)state;
	for (i = 0; i < 9; i++)
		assert_int_equal(za_totp_generate(&p, SEED(seed20),
		    (time_t)((t - 4 + (uint64_t)i) * 30), codes[i],
		    sizeof(codes[i])), ZA_OK);
	for (i = 0; i < 9; i++)
		for (j = i + 1; j < 9; j++)
			assert_string_not_equal(codes[i], codes[j]);
	/* codes[4] is step t; codes[4 + k] step t + k */
	for (w = 0; w <= 3; w++) {
		p.window = w;
		assert_int_equal(za_totp_verify(&p, SEED(seed20),
		    codes[4 - w], now, 0, 0, &step, &verdict), ZA_OK);
		assert_true(step == t - w);
		assert_int_equal(za_totp_verify(&p, SEED(seed20),
		    codes[4 + w], now, 0, 0, &step, &verdict), ZA_OK);
		assert_true(step == t + w);
		assert_int_equal(za_totp_verify(&p, SEED(seed20),
		    codes[4 - w - 1], now, 0, 0, &step, &verdict),
		    ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MISMATCH);
		assert_int_equal(za_totp_verify(&p, SEED(seed20),
		    codes[4 + w + 1], now, 0, 0, &step, &verdict),
		    ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MISMATCH);
	}
	/* The window does not reach below step 0. */
	p.window = 2;
	assert_int_equal(za_totp_generate(&p, SEED(seed20), 0, codes[0],
	    sizeof(codes[0])), ZA_OK);
	assert_int_equal(za_totp_verify(&p, SEED(seed20), codes[0], 10, 0, 0,
	    &step, &verdict), ZA_OK);
	assert_true(step == 0);
}

static void
test_totp_replay(void **state)
{
	struct za_totp_params p = { 6, ZA_OTP_SHA256, 30, 1 };
	char code[ZA_OTP_CODE_BUFSZ], prev[ZA_OTP_CODE_BUFSZ];
	enum za_otp_verdict verdict;
	const time_t now = 1767225600;	/* 2026-01-01 00:00:00 UTC */
	const uint64_t t = (uint64_t)now / 30;
	uint64_t step = 0, again = 12345;

	(void)state;
	assert_int_equal(za_totp_generate(&p, SEED(seed32), now, code,
	    sizeof(code)), ZA_OK);
	assert_int_equal(za_totp_generate(&p, SEED(seed32), now - 30, prev,
	    sizeof(prev)), ZA_OK);
	assert_string_not_equal(code, prev);
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now, 0, 0,
	    &step, &verdict), ZA_OK);
	assert_true(step == t);
	/* the same code again once its step is stored: replay */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now, step, 1,
	    &again, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
	assert_true(again == 12345);	/* untouched on refusal */
	/* ... also a few seconds later, still inside the window */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now + 29,
	    step, 1, &again, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
	/* a stored step beyond the code's step refuses it too */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now, t + 1, 1,
	    &again, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
	/* the previous step's code after the current one was used */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), prev, now, t, 1,
	    &again, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
	/* a last step just below is fine */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now, t - 1, 1,
	    &again, &verdict), ZA_OK);
	assert_true(again == t);
	/* have_last_step == 0 ignores last_step */
	assert_int_equal(za_totp_verify(&p, SEED(seed32), code, now,
	    UINT64_MAX, 0, &again, &verdict), ZA_OK);
}

/*
 * A code that two steps of one window share must be accepted at the
 * larger step (so it cannot be accepted a second time) and refused as a
 * replay once that step is stored.  Such a pair is found by a
 * deterministic search over HOTP counters (TOTP step s is HOTP counter s).
 */
static void
test_totp_shared_code_takes_largest_step(void **state)
{
	struct za_hotp_params hp = { 6, ZA_OTP_SHA1, 0 };
	struct za_totp_params tp = { 6, ZA_OTP_SHA1, 30, 10 };
	char ring[20][ZA_OTP_CODE_BUFSZ], code[ZA_OTP_CODE_BUFSZ];
	unsigned char secret[20];
	enum za_otp_verdict verdict;
	uint64_t c, s1 = 0, s2 = 0, step;
	unsigned int k, tries;
	int found = 0;

	(void)state;
	for (tries = 0; tries < 64 && !found; tries++) {
		memset(secret, (int)('a' + tries), sizeof(secret));
		for (c = 0; c < 200000 && !found; c++) {
			assert_int_equal(za_hotp_generate(&hp, secret,
			    sizeof(secret), c, code, sizeof(code)), ZA_OK);
			for (k = 0; k < 20 && k < c; k++)
				if (strcmp(ring[(c - 1 - k) % 20], code) == 0) {
					s1 = c - 1 - k;
					s2 = c;
					found = 1;
				}
			memcpy(ring[c % 20], code, sizeof(code));
		}
	}
	assert_true(found);
	assert_true(s2 > s1 && s2 - s1 <= 20);
	/* centre the window of 2 * 10 + 1 steps on the pair */
	step = 0;
	assert_int_equal(za_totp_verify(&tp, secret, sizeof(secret), code,
	    (time_t)((s1 + (s2 - s1) / 2) * 30), 0, 0, &step, &verdict),
	    ZA_OK);
	assert_true(step == s2);
	assert_int_equal(za_totp_verify(&tp, secret, sizeof(secret), code,
	    (time_t)((s1 + (s2 - s1) / 2) * 30), s1, 1, &step, &verdict),
	    ZA_OK);
	assert_true(step == s2);
	assert_int_equal(za_totp_verify(&tp, secret, sizeof(secret), code,
	    (time_t)((s1 + (s2 - s1) / 2) * 30), s2, 1, &step, &verdict),
	    ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_REPLAYED);
}

static void
test_malformed_codes(void **state)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12a456", " 123456", "123456 ",
		"+12345", "-12345", "12345\n", "123 456", "0x1234",
		"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95"
		"\xef\xbc\x96",	/* full-width digits １２３４５６ */
		"12345\x00" "6",
	};
	struct za_totp_params tp = { 6, ZA_OTP_SHA1, 30, 1 };
	struct za_hotp_params hp = { 6, ZA_OTP_SHA1, 5 };
	enum za_otp_verdict verdict;
	char good[ZA_OTP_CODE_BUFSZ];
	uint64_t step = 777;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		verdict = ZA_OTP_ACCEPTED;
		assert_int_equal(za_totp_verify(&tp, SEED(seed20), bad[i],
		    1000000, 0, 0, &step, &verdict), ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MALFORMED);
		verdict = ZA_OTP_ACCEPTED;
		assert_int_equal(za_hotp_verify(&hp, SEED(seed20), bad[i], 0,
		    0, &step, &verdict), ZA_ERR_AUTH);
		assert_int_equal(verdict, ZA_OTP_MALFORMED);
	}
	assert_int_equal(za_totp_verify(&tp, SEED(seed20), NULL, 1000000, 0,
	    0, &step, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_MALFORMED);
	assert_int_equal(za_hotp_verify(&hp, SEED(seed20), NULL, 0, 0, &step,
	    &verdict), ZA_ERR_AUTH);
	assert_true(step == 777);
	/* 8-digit tokens refuse a 6-digit code and vice versa */
	tp.digits = 8;
	assert_int_equal(za_totp_verify(&tp, SEED(seed20), "14050471",
	    1111111111, 0, 0, &step, &verdict), ZA_OK);
	assert_int_equal(za_totp_verify(&tp, SEED(seed20), "050471",
	    1111111111, 0, 0, &step, &verdict), ZA_ERR_AUTH);
	assert_int_equal(verdict, ZA_OTP_MALFORMED);
	/* a 7-digit token */
	hp.digits = 7;
	assert_int_equal(za_hotp_generate(&hp, SEED(seed20), 2, good,
	    sizeof(good)), ZA_OK);
	assert_int_equal(strlen(good), 7);
	assert_int_equal(za_hotp_verify(&hp, SEED(seed20), good, 0, 0, &step,
	    &verdict), ZA_OK);
	assert_true(step == 2);
	assert_string_equal(za_otp_verdict_str(ZA_OTP_REPLAYED),
	    "replayed code");
}

static void
test_parameter_ranges(void **state)
{
	const struct za_totp_params ok = { 6, ZA_OTP_SHA1, 30, 1 };
	struct za_totp_params p;
	struct za_hotp_params hp = { 6, ZA_OTP_SHA1, 0 };
	unsigned char big[ZA_SECRET_MAX + 1];
	char code[ZA_OTP_CODE_BUFSZ];
	uint64_t step;

	(void)state;
	memset(big, 7, sizeof(big));
/* TV(params, secret, secret_len) */
#define TV(pp, ...) za_totp_verify((pp), __VA_ARGS__, "123456", 1000000, \
	0, 0, &step, NULL)
	assert_int_equal(TV(NULL, SEED(seed20)), ZA_ERR_ARG);
	assert_int_equal(TV(&ok, NULL, 20), ZA_ERR_ARG);
	assert_int_equal(za_totp_verify(&ok, SEED(seed20), "123456", 1000000,
	    0, 0, NULL, NULL), ZA_ERR_ARG);
	assert_int_equal(TV(&ok, big, ZA_SECRET_MIN - 1), ZA_ERR_RANGE);
	assert_int_equal(TV(&ok, big, ZA_SECRET_MAX + 1), ZA_ERR_RANGE);
	assert_int_not_equal(TV(&ok, big, ZA_SECRET_MIN), ZA_ERR_RANGE);
	assert_int_not_equal(TV(&ok, big, ZA_SECRET_MAX), ZA_ERR_RANGE);
	p = ok; p.digits = 5;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.digits = 9;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.period = ZA_TOTP_PERIOD_MIN - 1;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.period = ZA_TOTP_PERIOD_MAX + 1;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.window = ZA_TOTP_WINDOW_MAX + 1;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.alg = (enum za_otp_alg)0;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.alg = (enum za_otp_alg)99;
	assert_int_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
	p = ok; p.period = ZA_TOTP_PERIOD_MAX; p.window = ZA_TOTP_WINDOW_MAX;
	assert_int_not_equal(TV(&p, SEED(seed20)), ZA_ERR_RANGE);
#undef TV
	assert_int_equal(za_totp_verify(&ok, SEED(seed20), "123456", -1, 0,
	    0, &step, NULL), ZA_ERR_RANGE);
	assert_int_equal(za_totp_generate(&ok, SEED(seed20), -1, code,
	    sizeof(code)), ZA_ERR_RANGE);
	assert_int_equal(za_totp_generate(&ok, SEED(seed20), 0, code, 6),
	    ZA_ERR_ARG);
	assert_int_equal(za_totp_generate(&ok, SEED(seed20), 0, NULL, 7),
	    ZA_ERR_ARG);
	assert_int_equal(za_totp_generate(&ok, SEED(seed20), 0, code, 7),
	    ZA_OK);
	hp.lookahead = ZA_HOTP_LOOKAHEAD_MAX + 1;
	assert_int_equal(za_hotp_generate(&hp, SEED(seed20), 0, code,
	    sizeof(code)), ZA_ERR_RANGE);
	hp.lookahead = ZA_HOTP_LOOKAHEAD_MAX;
	assert_int_equal(za_hotp_generate(&hp, SEED(seed20),
	    (uint64_t)INT64_MAX + 1, code, sizeof(code)), ZA_ERR_RANGE);
	assert_int_equal(za_hotp_generate(&hp, SEED(seed20),
	    (uint64_t)INT64_MAX, code, sizeof(code)), ZA_OK);
	assert_int_equal(za_hotp_verify(NULL, SEED(seed20), "123456", 0, 0,
	    &step, NULL), ZA_ERR_ARG);
}

/* ---------------------------------------------------------- oathtool */

static int
have_oathtool(void)
{
	return system("oathtool --version >/dev/null 2>&1") == 0;
}

/* Run cmd and return its first output line (without newline) in out. */
static void
run_line(const char *cmd, char *out, size_t outsz)
{
	FILE *f;
	size_t n;

	assert_non_null(f = popen(cmd, "r"));
	assert_non_null(fgets(out, (int)outsz, f));
	assert_int_equal(pclose(f), 0);
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

static void
hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static void
test_oathtool_cross_check(void **state)
{
	static const struct {
		enum za_otp_alg alg;
		const char *name;
		size_t len;
	} algs[] = {
		{ ZA_OTP_SHA1, "sha1", 20 },
		{ ZA_OTP_SHA256, "sha256", 32 },
		{ ZA_OTP_SHA512, "sha512", 64 },
	};
	unsigned char secret[64], rnd[8];
	char keyhex[2 * 64 + 1], cmd[512], theirs[64];
	char ours[ZA_OTP_CODE_BUFSZ];
	struct za_totp_params tp;
	struct za_hotp_params hp;
	enum za_otp_verdict verdict;
	uint64_t r64, step;
	time_t now;
	size_t a;
	int i;

	(void)state;
	if (!have_oathtool()) {
		print_message("oathtool not installed: cross-check skipped\n");
		skip();
	}
	for (i = 0; i < 8; i++) {
		for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
			assert_int_equal(za_random(secret, algs[a].len), ZA_OK);
			assert_int_equal(za_random(rnd, sizeof(rnd)), ZA_OK);
			memcpy(&r64, rnd, sizeof(r64));
			hex(secret, algs[a].len, keyhex);
			tp.digits = 6 + (unsigned int)(i % 3);
			tp.alg = algs[a].alg;
			tp.period = i % 2 ? 60 : 30;
			tp.window = 0;
			/* the fixed instant of the brief, then random ones */
			now = i == 0 ? (time_t)1767225600 :
			    (time_t)(r64 % 4000000000u);
			snprintf(cmd, sizeof(cmd), "oathtool --totp=%s -d %u "
			    "-s %u --now @%lld %s", algs[a].name, tp.digits,
			    tp.period, (long long)now, keyhex);
			run_line(cmd, theirs, sizeof(theirs));
			assert_int_equal(za_totp_generate(&tp, secret,
			    algs[a].len, now, ours, sizeof(ours)), ZA_OK);
			assert_string_equal(ours, theirs);
			assert_int_equal(za_totp_verify(&tp, secret,
			    algs[a].len, theirs, now, 0, 0, &step, &verdict),
			    ZA_OK);
			assert_true(step == (uint64_t)now / tp.period);
		}
		/* HOTP: oathtool's --hotp is HMAC-SHA1 */
		assert_int_equal(za_random(secret, 20), ZA_OK);
		assert_int_equal(za_random(rnd, sizeof(rnd)), ZA_OK);
		memcpy(&r64, rnd, sizeof(r64));
		r64 %= 1000000000u;
		hex(secret, 20, keyhex);
		hp.digits = 6 + (unsigned int)(i % 3);
		hp.alg = ZA_OTP_SHA1;
		hp.lookahead = 2;
		snprintf(cmd, sizeof(cmd), "oathtool --hotp -d %u -c %llu %s",
		    hp.digits, (unsigned long long)r64, keyhex);
		run_line(cmd, theirs, sizeof(theirs));
		assert_int_equal(za_hotp_generate(&hp, secret, 20, r64, ours,
		    sizeof(ours)), ZA_OK);
		assert_string_equal(ours, theirs);
		assert_int_equal(za_hotp_verify(&hp, secret, 20, theirs,
		    r64 - 1, r64 > 0, &step, &verdict), ZA_OK);
		assert_true(step == r64);
	}
	za_wipe(secret, sizeof(secret));
}

/* ---------------------------------------------------------- threads */

struct worker {
	int failures;
};

static void *
worker_main(void *arg)
{
	const struct za_totp_params p = { 8, ZA_OTP_SHA1, 30, 1 };
	struct worker *w = arg;
	uint64_t step;
	int i;

	for (i = 0; i < 50; i++)
		if (za_totp_verify(&p, SEED(seed20), "14050471", 1111111111,
		    0, 0, &step, NULL) != ZA_OK ||
		    step != 1111111111 / 30)
			w->failures++;
	return NULL;
}

/*
 * First use from several threads at once: liboath's one-time
 * initialization must be race-free (run under a thread sanitizer or
 * helgrind to see a race; here every result must be right).
 */
static void
test_threads(void **state)
{
	pthread_t th[8];
	struct worker w[8];
	int i;

	(void)state;
	memset(w, 0, sizeof(w));
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_main,
		    &w[i]), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

int
main(void)
{
	/* test_threads runs first, so the first liboath use is concurrent */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_every_digit_compared),
		cmocka_unit_test(test_rfc4226_vectors),
		cmocka_unit_test(test_hotp_lookahead),
		cmocka_unit_test(test_totp_window_edges),
		cmocka_unit_test(test_totp_replay),
		cmocka_unit_test(test_totp_shared_code_takes_largest_step),
		cmocka_unit_test(test_malformed_codes),
		cmocka_unit_test(test_parameter_ranges),
		cmocka_unit_test(test_oathtool_cross_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
