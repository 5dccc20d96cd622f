/*
 * Tests for lib/time.c: GeneralizedTime, ISO-8601 and dates, arithmetic.
 *
 * Expected epoch values were computed with GNU date(1), e.g.
 * `date -u -d "2026-11-24 09:00:00" +%s`, not with the code under test.
 * Local-time tests set TZ in this test process only.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "za_err.h"
#include "za_time.h"

struct gt_case {
	const char *s;
	int r;		/* expected return */
	int64_t t;	/* expected time when r == ZA_OK */
};

static const struct gt_case gentime_cases[] = {
	/* valid, UTC */
	{ "20261124090000Z", ZA_OK, 1795510800 },
	{ "19700101000000Z", ZA_OK, 0 },
	{ "19691231235959Z", ZA_OK, -1 },
	{ "20000229120000Z", ZA_OK, 951825600 },	/* 2000: leap (400) */
	{ "20240229235959Z", ZA_OK, 1709251199 },	/* 2024: leap */
	{ "21000228000000Z", ZA_OK, 4107456000 },
	{ "99991231235959Z", ZA_OK, 253402300799 },
	{ "00000101000000Z", ZA_OK, -62167219200 },
	{ "19000301000000Z", ZA_OK, -2203891200 },
	{ "20161231235960Z", ZA_OK, 1483228800 },	/* leap second */
	/* fractions are truncated */
	{ "20261124090000.123Z", ZA_OK, 1795510800 },
	{ "20261124090000,5Z", ZA_OK, 1795510800 },
	{ "20261124090000.999999999Z", ZA_OK, 1795510800 },
	/* offsets */
	{ "20261124180000+0900", ZA_OK, 1795510800 },
	{ "20261124040000-0500", ZA_OK, 1795510800 },
	{ "20261124093000+0030", ZA_OK, 1795510800 },
	{ "20261124180000.25+0900", ZA_OK, 1795510800 },
	{ "20261124090000+0000", ZA_OK, 1795510800 },
	{ "20261124090000-0000", ZA_OK, 1795510800 },
	/* calendar */
	{ "21000229000000Z", ZA_ERR_PARSE, 0 },	/* 2100: not leap */
	{ "20230229000000Z", ZA_ERR_PARSE, 0 },
	{ "19000229000000Z", ZA_ERR_PARSE, 0 },
	{ "20261131090000Z", ZA_ERR_PARSE, 0 },	/* 31 November */
	{ "20261324090000Z", ZA_ERR_PARSE, 0 },
	{ "20260024090000Z", ZA_ERR_PARSE, 0 },
	{ "20261100090000Z", ZA_ERR_PARSE, 0 },
	{ "20261124240000Z", ZA_ERR_PARSE, 0 },
	{ "20261124096000Z", ZA_ERR_PARSE, 0 },
	{ "20261124090061Z", ZA_ERR_PARSE, 0 },
	/* syntax */
	{ "", ZA_ERR_PARSE, 0 },
	{ "Z", ZA_ERR_PARSE, 0 },
	{ "2026", ZA_ERR_PARSE, 0 },
	{ "20261124090000", ZA_ERR_PARSE, 0 },
	{ "20261124090000z", ZA_ERR_PARSE, 0 },
	{ "2026112409000Z", ZA_ERR_PARSE, 0 },
	{ "202611240900Z", ZA_ERR_PARSE, 0 },		/* RFC 4517 allows */
	{ "2026112409Z", ZA_ERR_PARSE, 0 },
	{ "000001010000Z", ZA_ERR_PARSE, 0 },		/* ppolicy's lock */
	{ " 20261124090000Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000Z ", ZA_ERR_PARSE, 0 },
	{ "20261124090000ZZ", ZA_ERR_PARSE, 0 },
	{ "+0261124090000Z", ZA_ERR_PARSE, 0 },
	{ "-0261124090000Z", ZA_ERR_PARSE, 0 },
	{ "2026-11-24T09:00:00Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000.Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000.1234567890Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000.12", ZA_ERR_PARSE, 0 },
	{ "20261124090000.1a2Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000+09", ZA_ERR_PARSE, 0 },
	{ "20261124090000+090", ZA_ERR_PARSE, 0 },
	{ "20261124090000+09000", ZA_ERR_PARSE, 0 },
	{ "20261124090000+2400", ZA_ERR_PARSE, 0 },
	{ "20261124090000+0960", ZA_ERR_PARSE, 0 },
	{ "20261124090000+09:00", ZA_ERR_PARSE, 0 },
	{ "20261124090000+0900Z", ZA_ERR_PARSE, 0 },
	{ "20261124090000Z+0900", ZA_ERR_PARSE, 0 },
	{ "2026112409000aZ", ZA_ERR_PARSE, 0 },
	{ "2026\xef\xbc\x91" "124090000Z", ZA_ERR_PARSE, 0 },	/* fullwidth */
	/* overflow: five-digit years do not exist in the syntax */
	{ "100000101000000Z", ZA_ERR_PARSE, 0 },
	{ "99999999999999Z", ZA_ERR_PARSE, 0 },
	{ "999999999999999999999999Z", ZA_ERR_PARSE, 0 },
};

static void
test_gentime_table(void **state)
{
	size_t i;
	time_t t;
	int r;

	(void)state;
	for (i = 0; i < sizeof(gentime_cases) / sizeof(gentime_cases[0]);
	    i++) {
		const struct gt_case *c = &gentime_cases[i];

		t = 12345;
		r = za_time_parse_gentime(c->s, strlen(c->s), &t);
		if (r != c->r)
			fail_msg("case %zu \"%s\": got %d, want %d", i, c->s, r,
			    c->r);
		if (c->r == ZA_OK && (int64_t)t != c->t)
			fail_msg("case %zu \"%s\": got %lld, want %lld", i,
			    c->s, (long long)t, (long long)c->t);
		if (c->r != ZA_OK)
			assert_int_equal(t, 12345);	/* untouched */
	}
}

static void
test_gentime_length_bounded(void **state)
{
	const char s[] = "20261124090000Z2026";
	char nul[] = "20261124090000Z";
	time_t t = 0;

	(void)state;
	/* Only len bytes are read: a valid prefix parses, no NUL needed. */
	assert_int_equal(za_time_parse_gentime(s, 15, &t), ZA_OK);
	assert_int_equal(t, 1795510800);
	assert_int_equal(za_time_parse_gentime(s, 14, &t), ZA_ERR_PARSE);
	assert_int_equal(za_time_parse_gentime(s, sizeof(s) - 1, &t),
	    ZA_ERR_PARSE);
	/* An embedded NUL is a bad byte, not an end. */
	nul[14] = '\0';
	assert_int_equal(za_time_parse_gentime(nul, 15, &t), ZA_ERR_PARSE);
	assert_int_equal(za_time_parse_gentime(NULL, 15, &t), ZA_ERR_ARG);
	assert_int_equal(za_time_parse_gentime(s, 15, NULL), ZA_ERR_ARG);
}

static void
test_gentime_format(void **state)
{
	char buf[ZA_TIME_GENTIME_BUFSZ];

	(void)state;
	assert_int_equal(za_time_format_gentime(1795510800, buf, sizeof(buf)),
	    ZA_OK);
	assert_string_equal(buf, "20261124090000Z");
	assert_int_equal(za_time_format_gentime(0, buf, sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "19700101000000Z");
	assert_int_equal(za_time_format_gentime(-1, buf, sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "19691231235959Z");
	assert_int_equal(za_time_format_gentime(253402300799, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "99991231235959Z");
	assert_int_equal(za_time_format_gentime(-62167219200, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "00000101000000Z");
	assert_int_equal(za_time_format_gentime(253402300800, buf,
	    sizeof(buf)), ZA_ERR_RANGE);
	assert_int_equal(za_time_format_gentime(-62167219201, buf,
	    sizeof(buf)), ZA_ERR_RANGE);
	assert_int_equal(za_time_format_gentime(0, buf, sizeof(buf) - 1),
	    ZA_ERR_ARG);
	assert_int_equal(za_time_format_gentime(0, NULL, 16), ZA_ERR_ARG);
}

/* format(t) then parse gives t back, over the whole 0000-9999 range. */
static void
test_gentime_round_trip(void **state)
{
	const int64_t lo = -62167219200, hi = 253402300799;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[ZA_TIME_GENTIME_BUFSZ];
	time_t t, back;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		/* xorshift64: deterministic spread over the range */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = (time_t)(lo + (int64_t)(x % (uint64_t)(hi - lo + 1)));
		assert_int_equal(za_time_format_gentime(t, buf, sizeof(buf)),
		    ZA_OK);
		assert_int_equal(za_time_parse_gentime(buf, strlen(buf),
		    &back), ZA_OK);
		if (back != t)
			fail_msg("%lld -> %s -> %lld", (long long)t, buf,
			    (long long)back);
	}
}

static void
set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static void
test_iso_local(void **state)
{
	char buf[ZA_TIME_ISO_BUFSZ], utc[ZA_TIME_GENTIME_BUFSZ];

	(void)state;
	set_tz("Asia/Tokyo");
	assert_int_equal(za_time_format_iso_local(1795510800, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "2026-11-24T18:00:00+09:00");
	assert_int_equal(za_time_format_iso_local(1795478400, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "2026-11-24T09:00:00+09:00");

	set_tz("America/New_York");
	assert_int_equal(za_time_format_iso_local(1795510800, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "2026-11-24T04:00:00-05:00");
	/* 2026-07-01T12:00:00Z, summer time */
	assert_int_equal(za_time_format_iso_local(1782907200, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "2026-07-01T08:00:00-04:00");

	set_tz("Asia/Kolkata");
	assert_int_equal(za_time_format_iso_local(1795510800, buf,
	    sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "2026-11-24T14:30:00+05:30");

	set_tz("UTC");
	assert_int_equal(za_time_format_iso_local(0, buf, sizeof(buf)),
	    ZA_OK);
	assert_string_equal(buf, "1970-01-01T00:00:00+00:00");

	/* Tokyo before 1888 kept local mean time, +09:18:59: written as UTC */
	set_tz("Asia/Tokyo");
	assert_int_equal(za_time_format_iso_local(-2840140800, buf,
	    sizeof(buf)), ZA_OK);
	assert_int_equal(za_time_format_gentime(-2840140800, utc, sizeof(utc)),
	    ZA_OK);
	assert_string_equal(buf, "1880-01-01T00:00:00Z");
	assert_string_equal(utc, "18800101000000Z");

	assert_int_equal(za_time_format_iso_local(0, buf, sizeof(buf) - 1),
	    ZA_ERR_ARG);
	assert_int_equal(za_time_format_iso_local(INT64_MAX, buf,
	    sizeof(buf)), ZA_ERR_RANGE);
}

static void
test_date_end_local(void **state)
{
	static const char *bad[] = {
		"", "2026", "2026-11", "2026-11-2", "2026-1-24", "26-11-24",
		"2026/11/24", "2026-11-24 ", " 2026-11-24", "2026-11-24x",
		"2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10",
		"2026-11-00", "2026-11-31", "2026-11-24T00:00:00", "+026-11-24",
		"２026-11-24",
	};
	char buf[ZA_TIME_DATE_BUFSZ];
	time_t t = 0;
	size_t i;

	(void)state;
	set_tz("Asia/Tokyo");
	assert_int_equal(za_time_parse_date_end_local("2026-11-24", &t),
	    ZA_OK);
	assert_int_equal(t, 1795532399);	/* 23:59:59+09:00 */
	assert_int_equal(za_time_format_date_local(t, buf, sizeof(buf)),
	    ZA_OK);
	assert_string_equal(buf, "2026-11-24");
	/* one second later it is the next day */
	assert_int_equal(za_time_format_date_local(t + 1, buf, sizeof(buf)),
	    ZA_OK);
	assert_string_equal(buf, "2026-11-25");
	assert_int_equal(za_time_parse_date_end_local("2024-02-29", &t),
	    ZA_OK);

	set_tz("America/New_York");
	/* the day summer time starts has 23 hours */
	assert_int_equal(za_time_parse_date_end_local("2026-03-08", &t),
	    ZA_OK);
	assert_int_equal(t, 1773028799);
	assert_int_equal(za_time_parse_date_end_local("2026-11-24", &t),
	    ZA_OK);
	assert_int_equal(t, 1795582799);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		if (za_time_parse_date_end_local(bad[i], &t) != ZA_ERR_PARSE)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(za_time_parse_date_end_local("1969-12-31", &t),
	    ZA_ERR_RANGE);
	assert_int_equal(za_time_parse_date_end_local(NULL, &t), ZA_ERR_ARG);
	assert_int_equal(za_time_format_date_local(0, buf, 10), ZA_ERR_ARG);
}

static void
test_arithmetic(void **state)
{
	time_t t = 0;

	(void)state;
	assert_int_equal(za_time_add(10, -20, &t), ZA_OK);
	assert_int_equal(t, -10);
	assert_int_equal(za_time_add(1795510800, 86400, &t), ZA_OK);
	assert_int_equal(t, 1795597200);
	t = 7;
	assert_int_equal(za_time_add(INT64_MAX - 1, 2, &t), ZA_ERR_RANGE);
	assert_int_equal(t, 7);
	assert_int_equal(za_time_add(INT64_MIN + 1, -2, &t), ZA_ERR_RANGE);
	assert_int_equal(za_time_add(INT64_MAX, 0, &t), ZA_OK);
	assert_int_equal(t, INT64_MAX);
	assert_int_equal(za_time_add_days(0, 1, &t), ZA_OK);
	assert_int_equal(t, 86400);
	assert_int_equal(za_time_add_days(1795510800, -365, &t), ZA_OK);
	assert_int_equal(t, 1795510800 - 365 * 86400);
	assert_int_equal(za_time_add_days(0, INT64_MAX / 86400 + 1, &t),
	    ZA_ERR_RANGE);
	assert_int_equal(za_time_add_days(0, INT64_MIN / 86400 - 1, &t),
	    ZA_ERR_RANGE);
	assert_int_equal(za_time_add_days(INT64_MAX - 100, 1, &t),
	    ZA_ERR_RANGE);
	assert_int_equal(za_time_add(0, 0, NULL), ZA_ERR_ARG);
	assert_int_equal(za_time_add_days(0, 0, NULL), ZA_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gentime_table),
		cmocka_unit_test(test_gentime_length_bounded),
		cmocka_unit_test(test_gentime_format),
		cmocka_unit_test(test_gentime_round_trip),
		cmocka_unit_test(test_iso_local),
		cmocka_unit_test(test_date_end_local),
		cmocka_unit_test(test_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
