/*
 * Unit tests for enrolment output: base32 (lib/otpauth.c over
 * za_base32_* of lib/codec.c), otpauth:// key URIs (lib/otpauth.c) and
 * the terminal QR code (lib/qr.c).  The QR output is read back into a
 * module matrix and compared with what libqrencode itself encodes, and
 * the three finder patterns are checked on the matrix read back.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "za_err.h"
#include "za_otp.h"
#include "za_otpauth.h"
#include "za_qr.h"
#include "za_secret.h"

/* RFC 4226/6238 seed "12345678901234567890" and its base32 form */
static unsigned char seed20[] = "12345678901234567890";
#define SEED20_B32	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* ---------------------------------------------------------- base32 */

static void
test_base32_rfc4648_vectors(void **state)
{
	static const struct {
		const char *plain, *enc, *padded;
	} v[] = {
		{ "", "", "" },
		{ "f", "MY", "MY======" },
		{ "fo", "MZXQ", "MZXQ====" },
		{ "foo", "MZXW6", "MZXW6===" },
		{ "foob", "MZXW6YQ", "MZXW6YQ=" },
		{ "fooba", "MZXW6YTB", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI", "MZXW6YTBOI======" },
	};
	unsigned char *bin;
	char *enc, lower[32];
	size_t i, j, len;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enc = NULL;
		assert_int_equal(za_base32_encode((const unsigned char *)
		    v[i].plain, strlen(v[i].plain), &enc), ZA_OK);
		assert_string_equal(enc, v[i].enc);
		za_free_secret_str(&enc);

		bin = NULL;
		assert_int_equal(za_otpauth_base32_decode(v[i].enc,
		    strlen(v[i].enc), &bin, &len), ZA_OK);
		assert_int_equal(len, strlen(v[i].plain));
		assert_memory_equal(bin, v[i].plain, len);
		za_freezero(bin, len);

		assert_int_equal(za_otpauth_base32_decode(v[i].padded,
		    strlen(v[i].padded), &bin, &len), ZA_OK);
		assert_int_equal(len, strlen(v[i].plain));
		assert_memory_equal(bin, v[i].plain, len);
		za_freezero(bin, len);

		for (j = 0; v[i].padded[j] != '\0'; j++)
			lower[j] = (v[i].padded[j] >= 'A' &&
			    v[i].padded[j] <= 'Z') ?
			    (char)(v[i].padded[j] - 'A' + 'a') : v[i].padded[j];
		assert_int_equal(za_otpauth_base32_decode(lower, j, &bin,
		    &len), ZA_OK);
		assert_int_equal(len, strlen(v[i].plain));
		assert_memory_equal(bin, v[i].plain, len);
		za_freezero(bin, len);
	}
}

static void
test_base32_rejects(void **state)
{
	static const char *const bad[] = {
		"MZXW6YTBO1",		/* '1' is not base32 */
		"MZXW6YTBO0",		/* nor '0' */
		"MZXW6YTBO8",
		"MZXW 6YTB",		/* no spaces */
		"MZXW-6YTB",		/* no separators */
		"MY=====",		/* too little padding */
		"MY=======",		/* too much */
		"MZXW6YTB========",	/* padding after a full group */
		"========",
		"=",
		"M=Y=====",		/* '=' inside */
		"MZ",			/* non-zero unused bits */
		"MZXW6YTBOJ",		/* ditto in the last of 10 */
		"M",			/* lengths no encoder produces */
		"MZX",
		"MZXW6Y",
		"MZXW6YTBO",
		"\xc3\x89Z",		/* non-ASCII */
		"MY\n",
	};
	unsigned char *bin = NULL;
	size_t i, len = 99;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(za_otpauth_base32_decode(bad[i],
		    strlen(bad[i]), &bin, &len), ZA_ERR_PARSE);
		assert_null(bin);
		assert_int_equal(len, 99);
	}
	/* an embedded NUL counts as a character */
	assert_int_equal(za_otpauth_base32_decode("MY\0\0", 4, &bin, &len),
	    ZA_ERR_PARSE);
	assert_int_equal(za_otpauth_base32_decode(NULL, 0, &bin, &len),
	    ZA_ERR_ARG);
	assert_int_equal(za_otpauth_base32_decode("MY", 2, NULL, &len),
	    ZA_ERR_ARG);
	assert_int_equal(za_otpauth_base32_decode("MY", 2, &bin, NULL),
	    ZA_ERR_ARG);
}

static void
test_base32_random_round_trip(void **state)
{
	unsigned char in[64], *bin;
	char *enc;
	size_t len, i, got;

	(void)state;
	for (len = 0; len <= sizeof(in); len++) {
		assert_int_equal(za_random(in, len), ZA_OK);
		assert_int_equal(za_base32_encode(in, len, &enc), ZA_OK);
		assert_int_equal(strlen(enc), (len * 8 + 4) / 5);
		for (i = 0; enc[i] != '\0'; i++)
			assert_non_null(strchr(
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", enc[i]));
		assert_int_equal(za_otpauth_base32_decode(enc, strlen(enc),
		    &bin, &got), ZA_OK);
		assert_int_equal(got, len);
		assert_memory_equal(bin, in, len);
		za_freezero(bin, got);
		za_free_secret_str(&enc);
	}
}

/* ---------------------------------------------------------- URIs */

static void
init_totp(struct za_otpauth *t, char *issuer, char *account)
{
	memset(t, 0, sizeof(*t));
	t->kind = ZA_TOKEN_TOTP;
	t->issuer = issuer;
	t->account = account;
	t->secret = seed20;
	t->secret_len = 20;
	t->alg = ZA_OTP_SHA1;
	t->digits = 6;
	t->period = 30;
}

/* Parse uri and check every field against want. */
static void
assert_parses_to(const char *uri, const struct za_otpauth *want)
{
	struct za_otpauth *got = NULL;

	assert_int_equal(za_otpauth_parse(uri, &got), ZA_OK);
	assert_non_null(got);
	assert_int_equal(got->kind, want->kind);
	if (want->issuer == NULL)
		assert_null(got->issuer);
	else
		assert_string_equal(got->issuer, want->issuer);
	assert_string_equal(got->account, want->account);
	assert_int_equal(got->secret_len, want->secret_len);
	assert_memory_equal(got->secret, want->secret, want->secret_len);
	assert_int_equal(got->alg, want->alg);
	assert_int_equal(got->digits, want->digits);
	if (want->kind == ZA_TOKEN_TOTP)
		assert_int_equal(got->period, want->period);
	else
		assert_true(got->counter == want->counter);
	za_otpauth_free(&got);
	assert_null(got);
}

static void
assert_uri(const struct za_otpauth *t, const char *want)
{
	char *uri = NULL;

	assert_int_equal(za_otpauth_uri(t, &uri), ZA_OK);
	assert_string_equal(uri, want);
	assert_parses_to(uri, t);
	za_free_secret_str(&uri);
}

static void
test_uri_format(void **state)
{
	char issuer[] = "Example", account[] = "alice@example.com";
	char plain[] = "alice";
	struct za_otpauth t;

	(void)state;
	init_totp(&t, issuer, account);
	assert_uri(&t, "otpauth://totp/Example:alice%40example.com"
	    "?secret=" SEED20_B32 "&issuer=Example"
	    "&algorithm=SHA1&digits=6&period=30");
	t.alg = ZA_OTP_SHA512;
	t.digits = 8;
	t.period = 60;
	assert_uri(&t, "otpauth://totp/Example:alice%40example.com"
	    "?secret=" SEED20_B32 "&issuer=Example"
	    "&algorithm=SHA512&digits=8&period=60");
	/* no issuer: no prefix, no parameter */
	init_totp(&t, NULL, plain);
	t.alg = ZA_OTP_SHA256;
	t.digits = 7;
	assert_uri(&t, "otpauth://totp/alice?secret=" SEED20_B32
	    "&algorithm=SHA256&digits=7&period=30");
	/* HOTP carries the counter, not the period */
	init_totp(&t, issuer, plain);
	t.kind = ZA_TOKEN_HOTP;
	t.counter = 42;
	t.period = 0;
	assert_uri(&t, "otpauth://hotp/Example:alice?secret=" SEED20_B32
	    "&issuer=Example&algorithm=SHA1&digits=6&counter=42");
	t.counter = (uint64_t)INT64_MAX;
	assert_uri(&t, "otpauth://hotp/Example:alice?secret=" SEED20_B32
	    "&issuer=Example&algorithm=SHA1&digits=6"
	    "&counter=9223372036854775807");
}

static void
test_uri_japanese(void **state)
{
	char issuer[] = "\xe4\xbe\x8b\xe5\xb8\x82";	/* 例市 */
	/* 田中 太郎 */
	char account[] = "\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e";
	struct za_otpauth t;

	(void)state;
	init_totp(&t, issuer, account);
	assert_uri(&t, "otpauth://totp/%E4%BE%8B%E5%B8%82:"
	    "%E7%94%B0%E4%B8%AD%20%E5%A4%AA%E9%83%8E"
	    "?secret=" SEED20_B32 "&issuer=%E4%BE%8B%E5%B8%82"
	    "&algorithm=SHA1&digits=6&period=30");
}

static void
test_uri_reserved_characters(void **state)
{
	char issuer[] = "A:B/C?D&E=F%G H+I#J", account[] = "x:y/z?&=% +#@~";
	char *uri = NULL;
	struct za_otpauth t;
	const char *p;
	size_t amps = 0;

	(void)state;
	init_totp(&t, issuer, account);
	assert_uri(&t, "otpauth://totp/"
	    "A%3AB%2FC%3FD%26E%3DF%25G%20H%2BI%23J:"
	    "x%3Ay%2Fz%3F%26%3D%25%20%2B%23%40~"
	    "?secret=" SEED20_B32
	    "&issuer=A%3AB%2FC%3FD%26E%3DF%25G%20H%2BI%23J"
	    "&algorithm=SHA1&digits=6&period=30");
	/* structure survives: one '?', one ':' after the type, 4 '&' */
	assert_int_equal(za_otpauth_uri(&t, &uri), ZA_OK);
	assert_ptr_equal(strchr(uri, '?'), strrchr(uri, '?'));
	for (p = uri; *p != '\0'; p++)
		amps += *p == '&';
	assert_int_equal(amps, 4);
	assert_null(strchr(uri, ' '));
	assert_null(strchr(uri, '#'));
	assert_null(strchr(uri, '+'));
	assert_ptr_equal(strchr(uri + strlen("otpauth:"), ':'),
	    strrchr(uri, ':'));
	za_free_secret_str(&uri);
}

static void
test_uri_generator_rejects(void **state)
{
	char issuer[] = "Example", account[] = "alice", empty[] = "";
	char ctl[] = "a\tb", badutf[] = "a\xff", overlong[] = "\xc0\xaf";
	char *longname, *uri = NULL;
	struct za_otpauth t;

	(void)state;
	assert_int_equal(za_otpauth_uri(NULL, &uri), ZA_ERR_ARG);
	init_totp(&t, issuer, account);
	assert_int_equal(za_otpauth_uri(&t, NULL), ZA_ERR_ARG);
#define REJECT(stmt) do {						\
	init_totp(&t, issuer, account);					\
	stmt;								\
	assert_int_equal(za_otpauth_uri(&t, &uri), ZA_ERR_ARG);		\
	assert_null(uri);						\
} while (0)
	REJECT(t.account = NULL);
	REJECT(t.account = empty);
	REJECT(t.issuer = empty);
	REJECT(t.account = ctl);
	REJECT(t.issuer = badutf);
	REJECT(t.account = overlong);
	REJECT(t.secret = NULL);
	REJECT(t.secret_len = ZA_SECRET_MIN - 1);
	REJECT(t.secret_len = ZA_SECRET_MAX + 1);
	REJECT(t.digits = 5);
	REJECT(t.digits = 9);
	REJECT(t.period = 14);
	REJECT(t.period = 301);
	REJECT(t.alg = (enum za_otp_alg)0);
	REJECT(t.kind = ZA_TOKEN_FIDO2);
	REJECT(t.kind = ZA_TOKEN_HOTP; t.counter = (uint64_t)INT64_MAX + 1);
	assert_non_null(longname = malloc(ZA_OTPAUTH_MAX_NAME + 2));
	memset(longname, 'a', ZA_OTPAUTH_MAX_NAME + 1);
	longname[ZA_OTPAUTH_MAX_NAME + 1] = '\0';
	REJECT(t.account = longname);
	longname[ZA_OTPAUTH_MAX_NAME] = '\0';
	init_totp(&t, issuer, longname);
	assert_int_equal(za_otpauth_uri(&t, &uri), ZA_OK);
	za_free_secret_str(&uri);
	free(longname);
#undef REJECT
}

/* Forms other generators write, which the parser accepts. */
static void
test_parse_accepts_variants(void **state)
{
	static unsigned char seed16[] = "0123456789abcdef";
	char issuer[] = "Example", account[] = "alice", at[] = "a@b.example";
	char colon[] = "x:y";
	struct za_otpauth t;

	(void)state;
	init_totp(&t, issuer, account);
	/* defaults: SHA1, 6 digits, 30 s */
	assert_parses_to("otpauth://totp/Example:alice?secret=" SEED20_B32,
	    &t);
	/* scheme and type in any case; lower-case secret; hex either case */
	assert_parses_to("OTPAUTH://TOTP/Ex%61mple:alice?secret="
	    "gezdgnbvgy3tqojqgezdgnbvgy3tqojq&issuer=Ex%61mple", &t);
	/* the separator percent-encoded, issuer given as a parameter */
	assert_parses_to("otpauth://totp/Example%3aalice?issuer=Example"
	    "&secret=" SEED20_B32, &t);
	/* parameters in any order */
	assert_parses_to("otpauth://totp/Example:alice?period=30&digits=6"
	    "&algorithm=SHA1&issuer=Example&secret=" SEED20_B32, &t);
	/* the bounds themselves */
	t.digits = 8;
	t.period = 300;
	assert_parses_to("otpauth://totp/Example:alice?secret=" SEED20_B32
	    "&digits=8&period=300", &t);
	t.period = 15;
	t.alg = ZA_OTP_SHA256;
	assert_parses_to("otpauth://totp/Example:alice?secret=" SEED20_B32
	    "&digits=8&period=15&algorithm=SHA256", &t);
	/* literal '@' and a second ':' in the account */
	init_totp(&t, issuer, at);
	assert_parses_to("otpauth://totp/Example:a@b.example?secret="
	    SEED20_B32, &t);
	init_totp(&t, issuer, colon);
	assert_parses_to("otpauth://totp/Example:x:y?secret=" SEED20_B32, &t);
	/* an encoded colon without issuer parameter stays in the account */
	init_totp(&t, NULL, colon);
	assert_parses_to("otpauth://totp/x%3Ay?secret=" SEED20_B32, &t);
	/* padded secret (16 bytes: 26 characters + 6 '=') */
	init_totp(&t, NULL, account);
	t.secret = seed16;
	t.secret_len = 16;
	assert_parses_to("otpauth://totp/alice?secret="
	    "GAYTEMZUGU3DOOBZMFRGGZDFMY======", &t);
	assert_parses_to("otpauth://totp/alice?secret="
	    "GAYTEMZUGU3DOOBZMFRGGZDFMY", &t);
	/* HOTP with counter 0 */
	init_totp(&t, NULL, account);
	t.kind = ZA_TOKEN_HOTP;
	t.counter = 0;
	assert_parses_to("otpauth://hotp/alice?secret=" SEED20_B32
	    "&counter=0", &t);
}

static void
test_parse_rejects(void **state)
{
#define S "secret=" SEED20_B32
#define T "otpauth://totp/Example:alice?"
#define H "otpauth://hotp/Example:alice?"
	static const char *const bad[] = {
		/* scheme, type, shape */
		"", "otpauth:", "otpauth://", "otpauth:/totp/a?" S,
		"http://totp/a?" S, "otpauthx://totp/a?" S,
		"otpauth://motp/a?" S, "otpauth://totp?" S,
		"otpauth://totpa?" S, "otpauth://totp/a",
		"otpauth://totp/?" S, "otpauth://totp/a?",
		/* secret */
		"otpauth://totp/a?issuer=x", T "secret=", T "secret=GEZD1",
		T "secret=" SEED20_B32 "=", T "secret=GEZDGNBVGY3TQOJQ",
		T "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZD%3D",
		T "secret=GEZD GNBV",
		/* algorithm, digits, period, counter */
		T S "&algorithm=MD5", T S "&algorithm=sha1",
		T S "&algorithm=SHA-1", T S "&algorithm=",
		T S "&digits=5", T S "&digits=9", T S "&digits=06",
		T S "&digits=6a", T S "&digits=+6", T S "&digits=",
		T S "&period=14", T S "&period=301", T S "&period=030",
		T S "&period=-30", T S "&counter=1",
		H S, H S "&period=30&counter=1", H S "&counter=-1",
		H S "&counter=9223372036854775808",
		H S "&counter=18446744073709551616", H S "&counter=01",
		/* duplicates */
		T S "&" S, T S "&issuer=Example&issuer=Example",
		T S "&digits=6&digits=6", T S "&algorithm=SHA1&algorithm=SHA1",
		T S "&period=30&period=30", H S "&counter=1&counter=1",
		/* unknown parameters, empty pairs */
		T S "&image=x", T S "&Secret=x", T S "&&digits=6", T S "&",
		T "&" S, T S "&=6", T S "&digits", T S "&issuer=",
		/* label */
		"otpauth://totp/:alice?" S, "otpauth://totp/Example:?" S,
		"otpauth://totp/A:alice?" S "&issuer=B",
		"otpauth://totp/Ex ample:alice?" S,
		"otpauth://totp/Ex+ample:alice?" S,
		"otpauth://totp/Ex/ample:alice?" S,
		"otpauth://totp/a%00b?" S, "otpauth://totp/a%0Ab?" S,
		"otpauth://totp/a%FFb?" S, "otpauth://totp/a%C0%AFb?" S,
		"otpauth://totp/a%G1?" S, "otpauth://totp/a%4?" S,
		"otpauth://totp/a%?" S, "otpauth://totp/a\xe4\xbe\x8b?" S,
		/* fragments and stray characters in the query */
		T S "#frag", T S "&issuer=Ex+ample", T S "&issuer=a b",
		T S "&issuer=a%00", T S "?x=1", T S "&issuer=Ex:ample",
	};
#undef S
#undef T
#undef H
	struct za_otpauth *t = (struct za_otpauth *)1;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (za_otpauth_parse(bad[i], &t) != ZA_ERR_PARSE)
			fail_msg("accepted or wrong error: \"%s\"", bad[i]);
		assert_null(t);
	}
	assert_int_equal(za_otpauth_parse(NULL, &t), ZA_ERR_ARG);
	assert_int_equal(za_otpauth_parse("otpauth://totp/a?x", NULL),
	    ZA_ERR_ARG);
	za_otpauth_free(NULL);
	t = NULL;
	za_otpauth_free(&t);
}

static void
test_parse_size_bound(void **state)
{
	struct za_otpauth *t = NULL;
	char *uri;
	size_t prefix;

	(void)state;
	assert_non_null(uri = malloc(ZA_OTPAUTH_MAX_URI + 2));
	prefix = (size_t)snprintf(uri, ZA_OTPAUTH_MAX_URI, "otpauth://totp/");
	memset(uri + prefix, 'a', ZA_OTPAUTH_MAX_URI + 1 - prefix);
	uri[ZA_OTPAUTH_MAX_URI + 1] = '\0';
	assert_int_equal(za_otpauth_parse(uri, &t), ZA_ERR_TOO_LARGE);
	/* exactly at the bound it is read (and refused for its content) */
	uri[ZA_OTPAUTH_MAX_URI] = '\0';
	assert_int_equal(za_otpauth_parse(uri, &t), ZA_ERR_PARSE);
	free(uri);
}

/*
 * End to end: the code computed from a printed URI is the code of the
 * original secret (RFC 6238: SHA-1, 8 digits, T = 59 s gives 94287082).
 */
static void
test_code_from_uri(void **state)
{
	char issuer[] = "\xe4\xbe\x8b\xe5\xb8\x82", account[] = "taro";
	char *uri = NULL, code[ZA_OTP_CODE_BUFSZ];
	struct za_otpauth t, *got = NULL;
	struct za_totp_params p;

	(void)state;
	init_totp(&t, issuer, account);
	t.digits = 8;
	assert_int_equal(za_otpauth_uri(&t, &uri), ZA_OK);
	assert_int_equal(za_otpauth_parse(uri, &got), ZA_OK);
	p.digits = got->digits;
	p.alg = got->alg;
	p.period = got->period;
	p.window = 0;
	assert_int_equal(za_totp_generate(&p, got->secret, got->secret_len,
	    59, code, sizeof(code)), ZA_OK);
	assert_string_equal(code, "94287082");
	za_otpauth_free(&got);
	za_free_secret_str(&uri);
}

/* ---------------------------------------------------------- QR */

struct qr_read {
	int width;		/* columns = framed width W */
	int lines;
	unsigned char *m;	/* W x (2 * lines): 1 = drawn */
};

/*
 * Read the renderer's output back: every line must be exactly `width`
 * glyphs among ' ', U+2580, U+2584 and U+2588, then '\n'.
 */
static void
qr_read(const char *buf, size_t len, int width, struct qr_read *rd)
{
	const char *p = buf, *end = buf + len;
	int x, y = 0, top = 0, bottom = 0;

	rd->width = width;
	rd->lines = 0;
	assert_non_null(rd->m = calloc((size_t)width * (size_t)(width + 1),
	    1));
	while (p < end) {
		assert_true(y + 1 <= width);	/* rows y and y + 1 fit */
		for (x = 0; x < width; x++) {
			assert_true(p < end);
			if (*p == ' ') {
				top = bottom = 0;
				p++;
			} else {
				assert_true(end - p >= 3);
				assert_memory_equal(p, "\xe2\x96", 2);
				switch ((unsigned char)p[2]) {
				case 0x88: top = 1; bottom = 1; break;
				case 0x80: top = 1; bottom = 0; break;
				case 0x84: top = 0; bottom = 1; break;
				default: fail_msg("unexpected glyph");
				}
				p += 3;
			}
			rd->m[y * width + x] = (unsigned char)top;
			rd->m[(y + 1) * width + x] = (unsigned char)bottom;
		}
		assert_true(p < end && *p == '\n');
		p++;
		y += 2;
		rd->lines++;
	}
}

/* Is the 7x7 finder pattern at symbol position (sx, sy) of the reading? */
static int
finder_at(const struct qr_read *rd, int dark_drawn, int sx, int sy)
{
	int x, y, ring, want, got;

	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			ring = x < y ? x : y;
			ring = ring < 6 - x ? ring : 6 - x;
			ring = ring < 6 - y ? ring : 6 - y;
			want = ring != 1;	/* dark, light, dark 3x3 */
			got = rd->m[(sy + y + ZA_QR_QUIET) * rd->width +
			    sx + x + ZA_QR_QUIET];
			if ((dark_drawn ? got : !got) != want)
				return 0;
		}
	return 1;
}

static void
check_render(const char *text, int invert)
{
	QRcode *ref;
	struct qr_read rd;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int w, x, y, sx, sy, dark;

	assert_non_null(ref = QRcode_encodeString(text, 0, QR_ECLEVEL_M,
	    QR_MODE_8, 1));
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(za_qr_render(text, f, invert), ZA_OK);
	assert_int_equal(fclose(f), 0);
	w = ref->width + 2 * ZA_QR_QUIET;
	qr_read(buf, len, w, &rd);
	assert_int_equal(rd.lines, (w + 1) / 2);
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x++) {
			sx = x - ZA_QR_QUIET;
			sy = y - ZA_QR_QUIET;
			dark = sx >= 0 && sy >= 0 && sx < ref->width &&
			    sy < ref->width &&
			    (ref->data[sy * ref->width + sx] & 1);
			if (rd.m[y * w + x] != (invert ? !dark : dark))
				fail_msg("module (%d,%d) wrong", x, y);
		}
	/* the half line below an odd frame is never drawn */
	if (w % 2 == 1)
		for (x = 0; x < w; x++)
			assert_int_equal(rd.m[w * w + x], 0);
	assert_true(finder_at(&rd, !invert, 0, 0));
	assert_true(finder_at(&rd, !invert, ref->width - 7, 0));
	assert_true(finder_at(&rd, !invert, 0, ref->width - 7));
	assert_false(finder_at(&rd, !invert, ref->width - 7,
	    ref->width - 7));
	free(rd.m);
	free(buf);
	QRcode_free(ref);
}

static void
test_qr_render(void **state)
{
	char issuer[] = "\xe4\xbe\x8b\xe5\xb8\x82";
	char account[] = "\xe7\x94\xb0\xe4\xb8\xad";
	struct za_otpauth t;
	char *uri = NULL;

	(void)state;
	init_totp(&t, issuer, account);
	assert_int_equal(za_otpauth_uri(&t, &uri), ZA_OK);
	check_render(uri, 0);
	check_render(uri, 1);
	check_render("A", 0);		/* version 1: 21 modules */
	za_free_secret_str(&uri);
}

static void
test_qr_errors(void **state)
{
	char *big;
	FILE *f;

	(void)state;
	assert_non_null(f = fopen("/dev/null", "w"));
	assert_int_equal(za_qr_render(NULL, f, 0), ZA_ERR_ARG);
	assert_int_equal(za_qr_render("", f, 0), ZA_ERR_ARG);
	assert_int_equal(za_qr_render("x", NULL, 0), ZA_ERR_ARG);
	assert_non_null(big = malloc(ZA_QR_MAX_TEXT + 2));
	memset(big, 'x', ZA_QR_MAX_TEXT + 1);
	big[ZA_QR_MAX_TEXT + 1] = '\0';
	assert_int_equal(za_qr_render(big, f, 0), ZA_ERR_TOO_LARGE);
	big[ZA_QR_MAX_TEXT] = '\0';
	assert_int_equal(za_qr_render(big, f, 0), ZA_OK);
	free(big);
	assert_int_equal(fclose(f), 0);
	/* a full device: the write error is reported */
	if ((f = fopen("/dev/full", "w")) != NULL) {
		assert_int_equal(za_qr_render("otpauth://totp/a", f, 0),
		    ZA_ERR_IO);
		fclose(f);
	} else {
		print_message("/dev/full missing: write error not tested\n");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base32_rfc4648_vectors),
		cmocka_unit_test(test_base32_rejects),
		cmocka_unit_test(test_base32_random_round_trip),
		cmocka_unit_test(test_uri_format),
		cmocka_unit_test(test_uri_japanese),
		cmocka_unit_test(test_uri_reserved_characters),
		cmocka_unit_test(test_uri_generator_rejects),
		cmocka_unit_test(test_parse_accepts_variants),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_size_bound),
		cmocka_unit_test(test_code_from_uri),
		cmocka_unit_test(test_qr_render),
		cmocka_unit_test(test_qr_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
