/*
 * Unit tests for RFC 4514 / RFC 4515 escaping (lib/escape.c).
 *
 * Besides comparing against expected strings, every DN escape is parsed
 * back with libldap's ldap_str2dn() and every filter escape is encoded
 * with libldap's filter parser (ldap_put_vrFilter()), and the result must
 * be exactly one RDN / one equality match holding the original bytes.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lber.h>
#include <ldap.h>

#include "za_err.h"
#include "za_escape.h"

struct sample {
	const char *bytes;
	size_t len;
};

#define S(lit)	{ (lit), sizeof(lit) - 1 }

/* Hostile, odd and ordinary inputs used by the round-trip tests. */
static const struct sample samples[] = {
	S("*()\\,+\"<>;="),
	S("a\0b"),
	S("\0"),
	S(" leading"),
	S("trailing "),
	S(" "),
	S("  "),
	S("   both   "),
	S("#first"),
	S("mid#dle"),
	S("#"),
	S("\xe7\x94\xb0\xe4\xb8\xad"),			/* 田中 */
	S("\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e"), /* 田中 太郎 */
	S("\xff\xfe"),					/* invalid UTF-8 */
	S("\xe7\x94"),					/* truncated 田 */
	S("\xc0\xaf"),					/* overlong '/' */
	S("\xed\xa0\x80"),				/* UTF-16 surrogate */
	S("\xf4\x90\x80\x80"),				/* > U+10FFFF */
	S("\x80x"),					/* lone continuation */
	S("tab\there\nnl\x7f"),
	S("uid=admin,ou=people"),
	S("*"),
	S("admin)(uid=*"),
	S("x)(|(objectClass=*"),
	S("\\2a"),
	S("taro.yamada"),
};

static void
expect_dn(const char *in, size_t len, const char *want)
{
	char *out = NULL;

	assert_int_equal(za_escape_dn_value_len(in, len, &out), ZA_OK);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void
expect_filter(const char *in, size_t len, const char *want)
{
	char *out = NULL;

	assert_int_equal(za_escape_filter_value_len(in, len, &out), ZA_OK);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void
test_dn_specials(void **state)
{
	(void)state;
	expect_dn("*()\\,+\"<>;=", 11, "*()\\\\\\,\\+\\\"\\<\\>\\;\\=");
	expect_dn("a\0b", 3, "a\\00b");
	expect_dn("\0", 1, "\\00");
	expect_dn("tab\there\nnl\x7f", 12, "tab\\09here\\0Anl\\7F");
	expect_dn("plain.name-1_2", 14, "plain.name-1_2");
}

static void
test_dn_spaces_and_hash(void **state)
{
	(void)state;
	expect_dn(" a ", 3, "\\ a\\ ");
	expect_dn(" ", 1, "\\ ");
	expect_dn("  ", 2, "\\ \\ ");
	expect_dn("a  b", 4, "a  b");
	expect_dn("#x", 2, "\\#x");
	expect_dn("x#", 2, "x#");
	expect_dn("#", 1, "\\#");
	expect_dn("", 0, "");
}

static void
test_dn_utf8(void **state)
{
	(void)state;
	/* 田中 passes through; invalid sequences are escaped byte by byte. */
	expect_dn("\xe7\x94\xb0\xe4\xb8\xad", 6, "\xe7\x94\xb0\xe4\xb8\xad");
	expect_dn("\xff\xfe", 2, "\\FF\\FE");
	expect_dn("\xe7\x94", 2, "\\E7\\94");
	expect_dn("\xe7\x94x", 3, "\\E7\\94x");
	expect_dn("\xc0\xaf", 2, "\\C0\\AF");
	expect_dn("\xed\xa0\x80", 3, "\\ED\\A0\\80");
	expect_dn("\xf0\x9f\x94\x91", 4, "\xf0\x9f\x94\x91");	/* U+1F511 */
	expect_dn("\xf4\x90\x80\x80", 4, "\\F4\\90\\80\\80");
}

static void
test_filter_specials(void **state)
{
	(void)state;
	expect_filter("*()\\,+\"<>;=", 11, "\\2a\\28\\29\\5c,+\"<>;=");
	expect_filter("a\0b", 3, "a\\00b");
	expect_filter("*", 1, "\\2a");
	expect_filter("", 0, "");
	expect_filter(" # ", 3, " # ");
	expect_filter("\xe7\x94\xb0\xe4\xb8\xad", 6, "\xe7\x94\xb0\xe4\xb8\xad");
	expect_filter("\xff", 1, "\\ff");
	expect_filter("\n", 1, "\\0a");
}

static void
test_nul_terminated_variants(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(za_escape_dn_value(",x ", &out), ZA_OK);
	assert_string_equal(out, "\\,x\\ ");
	free(out);
	out = NULL;
	assert_int_equal(za_escape_filter_value("(x*)", &out), ZA_OK);
	assert_string_equal(out, "\\28x\\2a\\29");
	free(out);
	out = (char *)1;
	assert_int_equal(za_escape_dn_value(NULL, &out), ZA_ERR_ARG);
	assert_null(out);
	out = (char *)1;
	assert_int_equal(za_escape_filter_value(NULL, &out), ZA_ERR_ARG);
	assert_null(out);
	assert_int_equal(za_escape_dn_value("x", NULL), ZA_ERR_ARG);
	assert_int_equal(za_escape_filter_value_len("x", 1, NULL), ZA_ERR_ARG);
}

static void
test_long_input(void **state)
{
	size_t n = ZA_ESCAPE_MAX_IN, i;
	char *in, *out = NULL;

	(void)state;
	in = malloc(n + 1);
	assert_non_null(in);
	/* Worst case: every byte expands to three. */
	memset(in, '\0', n + 1);
	assert_int_equal(za_escape_dn_value_len(in, n, &out), ZA_OK);
	assert_int_equal(strlen(out), 3 * n);
	for (i = 0; i < 3 * n; i += 3)
		assert_memory_equal(out + i, "\\00", 3);
	free(out);
	out = NULL;
	memset(in, '*', n + 1);
	assert_int_equal(za_escape_filter_value_len(in, n, &out), ZA_OK);
	assert_int_equal(strlen(out), 3 * n);
	free(out);
	out = (char *)1;
	assert_int_equal(za_escape_dn_value_len(in, n + 1, &out),
	    ZA_ERR_TOO_LARGE);
	assert_null(out);
	out = (char *)1;
	assert_int_equal(za_escape_filter_value_len(in, n + 1, &out),
	    ZA_ERR_TOO_LARGE);
	assert_null(out);
	free(in);
}

/* ldap_str2dn() of "uid=<escaped>" is one RDN holding the original bytes. */
static void
test_dn_roundtrip_libldap(void **state)
{
	size_t i;
	char *esc, *dnstr;
	LDAPDN dn;
	size_t dlen;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		esc = NULL;
		dn = NULL;
		assert_int_equal(za_escape_dn_value_len(samples[i].bytes,
		    samples[i].len, &esc), ZA_OK);
		dlen = strlen(esc) + 5;
		dnstr = malloc(dlen);
		assert_non_null(dnstr);
		snprintf(dnstr, dlen, "uid=%s", esc);
		assert_int_equal(ldap_str2dn(dnstr, &dn, LDAP_DN_FORMAT_LDAPV3),
		    LDAP_SUCCESS);
		assert_non_null(dn);
		assert_non_null(dn[0]);
		assert_null(dn[1]);		/* exactly one RDN */
		assert_non_null(dn[0][0]);
		assert_null(dn[0][1]);		/* exactly one AVA */
		assert_int_equal(dn[0][0]->la_attr.bv_len, 3);
		assert_memory_equal(dn[0][0]->la_attr.bv_val, "uid", 3);
		assert_int_equal(dn[0][0]->la_value.bv_len, samples[i].len);
		if (samples[i].len > 0)
			assert_memory_equal(dn[0][0]->la_value.bv_val,
			    samples[i].bytes, samples[i].len);
		ldap_dnfree(dn);
		free(dnstr);
		free(esc);
	}
}

/* The user DN helper: uid RDN first, then the configured base intact. */
static void
test_user_dn(void **state)
{
	const char *base = "ou=people,dc=example,dc=lg,dc=jp";
	char *dnstr = NULL;
	LDAPDN dn = NULL;
	size_t i, n;

	(void)state;
	assert_int_equal(za_escape_user_dn("taro", base, &dnstr), ZA_OK);
	assert_string_equal(dnstr, "uid=taro,ou=people,dc=example,dc=lg,dc=jp");
	free(dnstr);
	dnstr = NULL;
	assert_int_equal(za_escape_user_dn("x,ou=admins", base, &dnstr), ZA_OK);
	assert_string_equal(dnstr,
	    "uid=x\\,ou\\=admins,ou=people,dc=example,dc=lg,dc=jp");
	assert_int_equal(ldap_str2dn(dnstr, &dn, LDAP_DN_FORMAT_LDAPV3),
	    LDAP_SUCCESS);
	for (n = 0; dn[n] != NULL; n++)
		;
	assert_int_equal(n, 5);
	assert_int_equal(dn[0][0]->la_value.bv_len, strlen("x,ou=admins"));
	assert_memory_equal(dn[0][0]->la_value.bv_val, "x,ou=admins", 11);
	assert_memory_equal(dn[1][0]->la_attr.bv_val, "ou", 2);
	assert_memory_equal(dn[1][0]->la_value.bv_val, "people", 6);
	ldap_dnfree(dn);
	free(dnstr);
	dnstr = NULL;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		if (samples[i].len == 0 || memchr(samples[i].bytes, '\0',
		    samples[i].len) != NULL)
			continue;	/* the helper takes C strings */
		dn = NULL;
		assert_int_equal(za_escape_user_dn(samples[i].bytes, base,
		    &dnstr), ZA_OK);
		assert_int_equal(ldap_str2dn(dnstr, &dn, LDAP_DN_FORMAT_LDAPV3),
		    LDAP_SUCCESS);
		for (n = 0; dn[n] != NULL; n++)
			;
		assert_int_equal(n, 5);
		assert_null(dn[0][1]);
		assert_int_equal(dn[0][0]->la_value.bv_len, samples[i].len);
		assert_memory_equal(dn[0][0]->la_value.bv_val,
		    samples[i].bytes, samples[i].len);
		ldap_dnfree(dn);
		free(dnstr);
		dnstr = NULL;
	}
	dnstr = (char *)1;
	assert_int_equal(za_escape_user_dn("", base, &dnstr), ZA_ERR_ARG);
	assert_null(dnstr);
	dnstr = (char *)1;
	assert_int_equal(za_escape_user_dn("x", NULL, &dnstr), ZA_ERR_ARG);
	assert_null(dnstr);
	assert_int_equal(za_escape_user_dn(NULL, base, &dnstr), ZA_ERR_ARG);
	assert_int_equal(za_escape_user_dn("x", base, NULL), ZA_ERR_ARG);
}

/*
 * libldap's filter parser turns "(uid=<escaped>)" into exactly one
 * equalityMatch of uid with the original bytes: no wildcard, no extra
 * filter component, whatever the input.
 */
static void
test_filter_no_injection_libldap(void **state)
{
	size_t i, flen;
	char *esc, *fstr;
	BerElement *got, *want;
	struct berval gotbv, wantbv;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		esc = NULL;
		assert_int_equal(za_escape_filter_value_len(samples[i].bytes,
		    samples[i].len, &esc), ZA_OK);
		flen = strlen(esc) + 7;
		fstr = malloc(flen);
		assert_non_null(fstr);
		snprintf(fstr, flen, "(uid=%s)", esc);
		got = ber_alloc_t(LBER_USE_DER);
		want = ber_alloc_t(LBER_USE_DER);
		assert_non_null(got);
		assert_non_null(want);
		assert_int_equal(ldap_put_vrFilter(got, fstr), 0);
		assert_true(ber_printf(want, "{t{so}}",
		    (ber_tag_t)LDAP_FILTER_EQUALITY, "uid",
		    samples[i].bytes, (ber_len_t)samples[i].len) >= 0);
		assert_int_equal(ber_flatten2(got, &gotbv, 0), 0);
		assert_int_equal(ber_flatten2(want, &wantbv, 0), 0);
		assert_int_equal(gotbv.bv_len, wantbv.bv_len);
		assert_memory_equal(gotbv.bv_val, wantbv.bv_val, wantbv.bv_len);
		ber_free(got, 1);
		ber_free(want, 1);
		free(fstr);
		free(esc);
	}
}

/* The unescaped control: the same raw "*" is a presence filter. */
static void
test_filter_unescaped_is_injection(void **state)
{
	BerElement *got;
	struct berval bv;

	(void)state;
	got = ber_alloc_t(LBER_USE_DER);
	assert_non_null(got);
	assert_int_equal(ldap_put_vrFilter(got, "(uid=*)"), 0);
	assert_int_equal(ber_flatten2(got, &bv, 0), 0);
	/* SEQUENCE { [7] present "uid" }: not an equality match. */
	assert_true(bv.bv_len > 2);
	assert_int_equal((unsigned char)bv.bv_val[2], LDAP_FILTER_PRESENT);
	ber_free(got, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dn_specials),
		cmocka_unit_test(test_dn_spaces_and_hash),
		cmocka_unit_test(test_dn_utf8),
		cmocka_unit_test(test_filter_specials),
		cmocka_unit_test(test_nul_terminated_variants),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_dn_roundtrip_libldap),
		cmocka_unit_test(test_user_dn),
		cmocka_unit_test(test_filter_no_injection_libldap),
		cmocka_unit_test(test_filter_unescaped_is_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
