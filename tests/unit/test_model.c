/*
 * Tests for the credential model (lib/model.c), its file store
 * (lib/model_file.c), its directory mapping (lib/model_ldap.c) and the
 * hex, base64 and base32 codecs they use (lib/codec.c).
 *
 * Known answers were computed outside the code under test: public keys
 * with openssl(1), base64 with base64(1)/basenc(1), base32 from RFC 4648's
 * test vectors and Python's base64 module.  The directory decoders are
 * tested here through an in-memory attribute source, and against a real
 * slapd when ZA_TEST_LDAP_URI is set, with ZA_TEST_BASE_DN,
 * ZA_TEST_ADMIN_DN and ZA_TEST_ADMIN_PW_FILE as tests/integration/dir.sh
 * exports them (or, after ". DIR/env" of contrib/slapd-sandbox, just
 * ZA_TEST_LDAP_URI=$LDAP_URI); without it those tests are skipped and say
 * why.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldap.h>
#include <openssl/evp.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

/* ---------------------------------------------------------------- fixtures */
/* openssl ecparam -name prime256v1 -genkey | openssl ec -pubout -outform DER */
static const unsigned char p256_der[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04, 0xab, 0x6d, 0x4c, 0x98, 0xfd, 0x92, 0x50, 0x59, 0x67,
	0x9c, 0xa4, 0x01, 0x9f, 0xbf, 0x04, 0x67, 0x46, 0xa0, 0xad, 0x3d, 0x32,
	0xb8, 0x26, 0x4c, 0xbe, 0x60, 0xb0, 0xdf, 0xc1, 0x52, 0x5f, 0x36, 0xf1,
	0xe6, 0xf0, 0x4f, 0x23, 0xc6, 0x95, 0xef, 0x0e, 0x34, 0xe4, 0xba, 0xa1,
	0xe9, 0x4d, 0xf1, 0xdc, 0xfc, 0xa2, 0x44, 0x7e, 0xf7, 0x27, 0xeb, 0x33,
	0x13, 0x4d, 0xff, 0x37, 0xa0, 0x88, 0xc4
};
static const unsigned char ed_der[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	0xa4, 0x30, 0x02, 0xd5, 0x35, 0xf6, 0x12, 0x7e, 0x68, 0xde, 0x5b, 0x1e,
	0x5b, 0xb6, 0xa1, 0x8d, 0x94, 0x26, 0xf1, 0x46, 0xa9, 0xcb, 0xe4, 0xee,
	0x73, 0x24, 0x26, 0x68, 0x16, 0x6d, 0x5a, 0x8d
};
static const unsigned char rsa1k_der[] = {
	0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
	0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x81, 0x8d, 0x00, 0x30, 0x81,
	0x89, 0x02, 0x81, 0x81, 0x00, 0xad, 0x0b, 0xec, 0x6e, 0xbf, 0x55, 0xd4,
	0xa0, 0x6b, 0x03, 0x1f, 0xf6, 0x3f, 0xf1, 0xc9, 0x21, 0xdf, 0x3d, 0x46,
	0x9a, 0x00, 0xef, 0xac, 0x56, 0xe8, 0x48, 0x6f, 0x76, 0xe0, 0x8d, 0xba,
	0x13, 0xe2, 0x4b, 0x88, 0xeb, 0x11, 0x2e, 0x88, 0xa4, 0x5e, 0x16, 0xec,
	0x92, 0x5a, 0xa8, 0x18, 0x54, 0xe1, 0x22, 0x87, 0x05, 0xbf, 0x3c, 0x64,
	0x4a, 0x11, 0x2b, 0x45, 0x1a, 0x99, 0x87, 0x84, 0xab, 0xf1, 0xf6, 0x8f,
	0x27, 0x98, 0x0f, 0xaf, 0x2e, 0x10, 0x60, 0xf2, 0xbb, 0xcf, 0x31, 0x11,
	0xe1, 0x77, 0x51, 0x47, 0xcc, 0x00, 0x01, 0x87, 0x34, 0x41, 0x80, 0x3b,
	0xdf, 0x67, 0xc6, 0xd9, 0x13, 0x45, 0xd5, 0x9e, 0xc8, 0x9e, 0x32, 0xf2,
	0x03, 0x7e, 0x97, 0x04, 0xc1, 0xd1, 0xda, 0xcc, 0x9d, 0x21, 0xe4, 0x76,
	0x6f, 0xd1, 0x89, 0xd0, 0x12, 0x29, 0xbe, 0x08, 0x0d, 0x25, 0x12, 0x32,
	0x0b, 0x02, 0x03, 0x01, 0x00, 0x01
};
/* base64 -w0 p256.der */
static const char p256_b64[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq21MmP2SUFlnnKQBn78EZ0agrT0y"
    "uCZMvmCw38FSXzbx5vBPI8aV7w405Lqh6U3x3PyiRH73J+szE03/N6CIxA==";
static const unsigned char cred_id_bytes[] = {
	0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x20, 0x30,
	0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0
};
/* base64 -w0 / basenc --base64url of cred_id_bytes */
static const char cred_id_b64[] = "AQID/v8QIDBAUGBwgJCgsA==";
static const unsigned char rfc6238_seed[] = "12345678901234567890";

/* A canonical store: every field type, every record kind. */
static const char canonical_store[] =
	"zoneauth-store 1\n"
	"user alice cn=山田%20花子 sn=山田 given_name=花子"
	" display_name=山田%20花子"
	" name_kana=ヤマダ%20ハナコ mail=hanako@example.lg.jp"
	" employee_number=0012345 department=住民課"
	" employment=staff status=active status_time=20260401000000Z"
	" expiry=20270331145959Z"
	" created_by=cn=admin,dc=example,dc=lg,dc=jp"
	" approval_ref=R8-123 last_mfa_time=20261124000000Z"
	" last_mfa_terminal=term-01 pwd_reset=1 uid_number=10001"
	" gid_number=10000 home=/home/alice shell=/bin/bash"
	" failure=20261123010203Z%200123456789abcdef%20term-02"
	" failure=20261123010305Z%20fedcba9876543210%20-"
	" group=mynumber group=staff%20all\n"
	"user bob employment=contractor status=suspended"
	" status_reason=出向%20(県庁)"
	" suspended_from=20260401000000Z return_date=20270401000000Z"
	" project=基幹系更改 last_review_time=20260301000000Z"
	" last_reviewer=auditor1 create_time=20250101000000Z"
	" last_logout_time=20261120083000Z"
	" locked_until=20261124100000Z pwd_locked=1\n"
	"user admin1 cn=Administrator sn=Admin employment=staff"
	" status=active approval_ref=PRIV-2026-001 privileged=1"
	" priv_owner=uid=alice,ou=people,dc=example,dc=lg,dc=jp"
	" priv_purpose=住基サーバ保守"
	" priv_default_name=administrator priv_rotation_days=30"
	" priv_last_rotation=20261101000000Z"
	" priv_checkout_holder=uid=alice,ou=people,dc=example,dc=lg,dc=jp"
	" priv_checkout_start=20261124000000Z"
	" priv_checkout_end=20261124080000Z\n"
	"user dev.user-1 employment=development status=disabled"
	" expiry=20261231145959Z project=poc\n"
	"totp alice id=t1abc label=Google%20Authenticator"
	" status=active created=20261101000000Z"
	" last_used=20261124000000Z"
	" secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ digits=6 alg=sha1"
	" period=30 window=1 last_step=59836800\n"
	"totp alice id=t2 status=revoked revoked_time=20261120000000Z"
	" revoke_reason=lost"
	" secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
	" digits=8 alg=sha256 period=60 window=0"
	" params=cn=totp-sha256-8-60,ou=otp-params,dc=example,dc=lg,dc=jp\n"
	"hotp bob id=h1 label=YubiKey%20OTP status=active"
	" secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ digits=6 alg=sha1"
	" lookahead=10 counter=5\n"
	"hotp bob id=h2 status=cloned"
	" secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZD"
	"GNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA"
	" digits=7 alg=sha512 lookahead=0\n"
	"fido2 alice id=f1 label=YubiKey%205%20NFC status=active"
	" created=20261101000000Z last_used=20261124000000Z"
	" cred_id=AQID_v8QIDBAUGBwgJCgsA"
	" pubkey=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq21MmP2SUFlnnKQB"
	"n78EZ0agrT0yuCZMvmCw38FSXzbx5vBPI8aV7w405Lqh6U3x3PyiRH73J+sz"
	"E03/N6CIxA=="
	" alg=-7 aaguid=cb69481e-8ff7-4039-93ec-0a2729a154a8"
	" sign_count=42 uv=builtin rp_id=pam://zoneauth\n"
	"fido2 admin1 id=f2 status=active cred_id=Y3JlZGVudGlhbC10d28"
	" pubkey=MCowBQYDK2VwAyEApDAC1TX2En5o3lseW7ahjZQm8Uapy+TucyQm"
	"aBZtWo0="
	" alg=-8 aaguid=00000000-0000-0000-0000-000000000000"
	" sign_count=0 uv=pin rp_id=pam://zoneauth\n"
	"fido2 bob id=f3_rsa status=revoked"
	" revoked_time=20261122000000Z revoke_reason=left"
	" cred_id=AAEC"
	" pubkey=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw+OaeTUl"
	"jPsJpI79MSZnv2tMbfOYZRxtOCtZlT70bRch740aBPNNm2LtgMpnESBQNHtx"
	"Ko/uLGrgjqCxM80jIpoySndJM1XNuoDRln/bkUnw2ZAXdC5025i6wqGAyIeI"
	"PekXR8cijY9OVKAbqmN18WaqEekMK4WNx5O9MKzhX/QWgCInDVelwQcnDHab"
	"r6th6nFKoc2NHVNhBBdSwaoRZNXrjVFJBUl+sPBjRUXImkibn9oimvSwpO0i"
	"mDV/2OHF/aIy6fNS8EiEtHYUAZBU3R8NvkCfCgSWK8/hJl/78AXwVJi9Bw8l"
	"RygOZG1AgVTZwpwwjBtAYgfMf6mebDI6PQIDAQAB"
	" alg=-257 aaguid=ee882879-721c-4913-9775-3dfcce97072a"
	" sign_count=4294967295 uv=none rp_id=pam://zoneauth\n";

/* ---------------------------------------------------------------- log sink */
struct logcap {
	char text[32768];
	size_t len;
	int lines;
};

static struct logcap cap;

static void
cap_emit(void *arg, int priority, const char *line)
{
	struct logcap *c = arg;
	int n;

	(void)priority;
	n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof(c->text) - c->len)
		c->len += (size_t)n;
	c->lines++;
}

static const struct za_log lg = { cap_emit, &cap, 1 };

static void
cap_reset(void)
{
	memset(&cap, 0, sizeof(cap));
}

static int
cap_has(const char *s)
{
	return strstr(cap.text, s) != NULL;
}

/* ---------------------------------------------------------------- enums */
static void
test_enum_round_trips(void **state)
{
	const char *s = NULL;
	enum za_employment e;
	enum za_account_status a;
	enum za_token_kind k;
	enum za_token_status ts;
	enum za_uv_kind uv;
	enum za_otp_alg alg;
	int v;

	(void)state;
	for (v = ZA_EMPLOYMENT_STAFF; v <= ZA_EMPLOYMENT_DEVELOPMENT; v++) {
		assert_int_equal(za_employment_to_string(v, &s), ZA_OK);
		assert_int_equal(za_employment_from_string(s, &e), ZA_OK);
		assert_int_equal(e, v);
	}
	for (v = ZA_ACCOUNT_ACTIVE; v <= ZA_ACCOUNT_DISABLED; v++) {
		assert_int_equal(za_account_status_to_string(v, &s), ZA_OK);
		assert_int_equal(za_account_status_from_string(s, &a), ZA_OK);
		assert_int_equal(a, v);
	}
	for (v = ZA_TOKEN_TOTP; v <= ZA_TOKEN_FIDO2; v++) {
		assert_int_equal(za_token_kind_to_string(v, &s), ZA_OK);
		assert_int_equal(za_token_kind_from_string(s, &k), ZA_OK);
		assert_int_equal(k, v);
	}
	for (v = ZA_TOKEN_ACTIVE; v <= ZA_TOKEN_CLONED; v++) {
		assert_int_equal(za_token_status_to_string(v, &s), ZA_OK);
		assert_int_equal(za_token_status_from_string(s, &ts), ZA_OK);
		assert_int_equal(ts, v);
	}
	for (v = ZA_UV_NONE; v <= ZA_UV_BUILTIN; v++) {
		assert_int_equal(za_uv_kind_to_string(v, &s), ZA_OK);
		assert_int_equal(za_uv_kind_from_string(s, &uv), ZA_OK);
		assert_int_equal(uv, v);
	}
	for (v = ZA_OTP_SHA1; v <= ZA_OTP_SHA512; v++) {
		assert_int_equal(za_otp_alg_to_string(v, &s), ZA_OK);
		assert_int_equal(za_otp_alg_from_string(s, &alg), ZA_OK);
		assert_int_equal(alg, v);
		assert_int_equal(za_otp_alg_to_oid(v, &s), ZA_OK);
		assert_int_equal(za_otp_alg_from_oid(s, &alg), ZA_OK);
		assert_int_equal(alg, v);
	}
	/* the exact words of the schema */
	assert_int_equal(za_employment_to_string(ZA_EMPLOYMENT_DEVELOPMENT,
	    &s), ZA_OK);
	assert_string_equal(s, "development");
	assert_int_equal(za_uv_kind_to_string(ZA_UV_BUILTIN, &s), ZA_OK);
	assert_string_equal(s, "builtin");
	assert_int_equal(za_otp_alg_to_oid(ZA_OTP_SHA256, &s), ZA_OK);
	assert_string_equal(s, "1.2.840.113549.2.9");
	assert_int_equal(za_token_status_to_string(ZA_TOKEN_CLONED, &s),
	    ZA_OK);
	assert_string_equal(s, "cloned");
}

static void
test_enum_rejects(void **state)
{
	const char *s = "untouched";
	enum za_employment e = ZA_EMPLOYMENT_STAFF;
	enum za_account_status a;
	enum za_otp_alg alg = ZA_OTP_SHA1;
	enum za_uv_kind uv;

	(void)state;
	/* unset and out-of-range values have no name */
	assert_int_equal(za_employment_to_string(ZA_EMPLOYMENT_UNSET, &s),
	    ZA_ERR_ARG);
	assert_int_equal(za_account_status_to_string(ZA_ACCOUNT_UNSET, &s),
	    ZA_ERR_ARG);
	assert_int_equal(za_employment_to_string((enum za_employment)99, &s),
	    ZA_ERR_ARG);
	assert_int_equal(za_token_kind_to_string((enum za_token_kind)0, &s),
	    ZA_ERR_ARG);
	assert_int_equal(za_otp_alg_to_oid((enum za_otp_alg)-1, &s),
	    ZA_ERR_ARG);
	assert_string_equal(s, "untouched");
	/* unknown words, prefixes, padding */
	assert_int_equal(za_employment_from_string("boss", &e), ZA_ERR_PARSE);
	assert_int_equal(za_employment_from_string("", &e), ZA_ERR_PARSE);
	assert_int_equal(za_employment_from_string("staf", &e), ZA_ERR_PARSE);
	assert_int_equal(za_employment_from_string("staff ", &e),
	    ZA_ERR_PARSE);
	assert_int_equal(za_employment_from_string(NULL, &e), ZA_ERR_ARG);
	assert_int_equal(e, ZA_EMPLOYMENT_STAFF);
	assert_int_equal(za_account_status_from_string("unset", &a),
	    ZA_ERR_PARSE);
	assert_int_equal(za_uv_kind_from_string("face", &uv), ZA_ERR_PARSE);
	/* names compare without case, OIDs exactly */
	assert_int_equal(za_employment_from_string("CONTRACTOR", &e), ZA_OK);
	assert_int_equal(e, ZA_EMPLOYMENT_CONTRACTOR);
	assert_int_equal(za_otp_alg_from_oid("1.2.840.113549.2.8", &alg),
	    ZA_ERR_PARSE);	/* SHA-224: not supported */
	assert_int_equal(za_otp_alg_from_oid("1.2.840.113549.2.7 ", &alg),
	    ZA_ERR_PARSE);
	assert_int_equal(za_otp_alg_from_string("md5", &alg), ZA_ERR_PARSE);
	assert_int_equal(alg, ZA_OTP_SHA1);
}

/* ---------------------------------------------------------------- checks */
static void
test_valid_uid(void **state)
{
	static const char *good[] = {
		"a", "alice", "_svc", "dev.user-1", "a_b.c-d",
		"abcdefghijklmnopqrstuvwxyz012345",	/* 32 */
	};
	static const char *bad[] = {
		"", "Alice", "1abc", "-x", ".x", "a b", "alice\n", "a;b",
		"a/b", "a:b", "a$", "root@host", "\xef\xbd\x81lice",
		"abcdefghijklmnopqrstuvwxyz0123456",	/* 33 */
		"a\tb", "a\x7f", "hunter2 Password!",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (za_valid_uid(good[i], &lg) != ZA_OK)
			fail_msg("\"%s\" rejected", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cap_reset();
		if (za_valid_uid(bad[i], &lg) != ZA_ERR_PARSE)
			fail_msg("bad uid %zu accepted", i);
		assert_int_equal(cap.lines, 1);
		/* A login name may be a mistyped password: never logged. */
		if (bad[i][0] != '\0' && cap_has(bad[i]))
			fail_msg("bad uid %zu echoed in the log", i);
	}
	assert_int_equal(za_valid_uid(NULL, &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_uid("alice", NULL), ZA_OK);
}

static void
test_valid_other(void **state)
{
	char label[ZA_LABEL_MAX + 2];

	(void)state;
	assert_int_equal(za_valid_employee_number("1", &lg), ZA_OK);
	assert_int_equal(za_valid_employee_number("00012345678901234567",
	    &lg), ZA_OK);
	assert_int_equal(za_valid_employee_number("000123456789012345678",
	    &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_employee_number("", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_employee_number("12a", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_employee_number("-1", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_employee_number(" 1", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_employee_number("\xef\xbc\x91", &lg),
	    ZA_ERR_PARSE);	/* fullwidth 1 */
	assert_int_equal(za_valid_employee_number(NULL, &lg), ZA_ERR_PARSE);

	assert_int_equal(za_valid_token_id("t1-ABC_9", &lg), ZA_OK);
	assert_int_equal(za_valid_token_id("", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_token_id("a,b", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_token_id("a=b", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_token_id("a b", &lg), ZA_ERR_PARSE);

	memset(label, 'x', sizeof(label));
	label[ZA_LABEL_MAX] = '\0';
	assert_int_equal(za_valid_label(label, &lg), ZA_OK);
	label[ZA_LABEL_MAX] = 'x';
	label[ZA_LABEL_MAX + 1] = '\0';
	assert_int_equal(za_valid_label(label, &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("鍵 1号（予備）", &lg), ZA_OK);
	assert_int_equal(za_valid_label("", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("a\nb", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("a\x1b[31m", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("a\x7f", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\xc0\xaf", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\xe0\x80\xaf", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\xed\xa0\x80", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\xf4\x90\x80\x80", &lg),
	    ZA_ERR_PARSE);	/* above U+10FFFF */
	assert_int_equal(za_valid_label("\xe3\x81", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\x80", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_label("\xf0\x9f\x94\x91", &lg), ZA_OK);

	assert_int_equal(za_valid_terminal("term-01", &lg), ZA_OK);
	assert_int_equal(za_valid_terminal("pts/0", &lg), ZA_OK);
	assert_int_equal(za_valid_terminal("a b", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_terminal("端末", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_terminal("", &lg), ZA_ERR_PARSE);
	assert_int_equal(za_valid_terminal(
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    &lg), ZA_OK);
	assert_int_equal(za_valid_terminal(
	    "01234567890123456789012345678901234567890123456789012345678901234",
	    &lg), ZA_ERR_PARSE);

	cap_reset();
	assert_int_equal(za_valid_text("ok", 1, "field x", &lg), ZA_ERR_PARSE);
	assert_true(cap_has("field x"));
}

/* ---------------------------------------------------------------- codecs */
static void
test_base32(void **state)
{
	/* RFC 4648 section 10, padding removed */
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
		{ "12345678901234567890", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
	};
	static const char *bad[] = {
		"MY======", "my", "M", "MZX", "MZXW6Y", "MZ", "MZXW6YTBOJ",
		"MZXW6YT1", "MZXW 6", "MZXW6YTB\n",
	};
	unsigned char *bin = NULL;
	size_t i, n = 0;
	char *s = NULL;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(za_base32_encode(
		    (const unsigned char *)v[i].in, strlen(v[i].in), &s),
		    ZA_OK);
		assert_string_equal(s, v[i].out);
		za_free_secret_str(&s);
		assert_null(s);
		assert_int_equal(za_base32_decode(v[i].out, strlen(v[i].out),
		    &bin, &n), ZA_OK);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(bin, v[i].in, n);
		za_freezero(bin, n);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bin = NULL;
		if (za_base32_decode(bad[i], strlen(bad[i]), &bin, &n) !=
		    ZA_ERR_PARSE)
			fail_msg("\"%s\" decoded", bad[i]);
		assert_null(bin);
	}
}

static void
test_hex(void **state)
{
	static const unsigned char bin[] = { 0x00, 0x9f, 0xa0, 0xff, 0x3c };
	unsigned char out[sizeof(bin)];
	char text[2 * sizeof(bin) + 1];

	(void)state;
	memset(text, 'x', sizeof(text));
	za_hex_encode(bin, sizeof(bin), text);
	assert_string_equal(text, "009fa0ff3c");
	za_hex_encode(bin, 0, text);
	assert_string_equal(text, "");

	memset(out, 0, sizeof(out));
	assert_int_equal(za_hex_decode("009fa0ff3c", sizeof(bin), 1, out),
	    ZA_OK);
	assert_memory_equal(out, bin, sizeof(bin));
	memset(out, 0, sizeof(out));
	assert_int_equal(za_hex_decode("009FA0fF3C", sizeof(bin), 0, out),
	    ZA_OK);
	assert_memory_equal(out, bin, sizeof(bin));
	/* Upper case only where the caller allows it. */
	assert_int_equal(za_hex_decode("009FA0ff3c", sizeof(bin), 1, out),
	    ZA_ERR_PARSE);
	assert_int_equal(za_hex_decode("009fa0ff3g", sizeof(bin), 0, out),
	    ZA_ERR_PARSE);
	assert_int_equal(za_hex_decode("0x9fa0ff3c", sizeof(bin), 0, out),
	    ZA_ERR_PARSE);
	assert_int_equal(za_hex_decode(" 09fa0ff3c", sizeof(bin), 0, out),
	    ZA_ERR_PARSE);
	/* Stops at a NUL instead of reading past it. */
	assert_int_equal(za_hex_decode("009fa", sizeof(bin), 0, out),
	    ZA_ERR_PARSE);
	assert_int_equal(za_hex_decode("", 0, 1, out), ZA_OK);
}

static void
test_base64(void **state)
{
	/* RFC 4648 section 10 */
	static const struct { const char *in, *std, *nopad; } v[] = {
		{ "f", "Zg==", "Zg" }, { "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" }, { "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	};
	static const unsigned char odd[] = { 0xfb, 0xff, 0xbf };
	static const struct { const char *s; enum za_base64_variant v; }
	    bad[] = {
		{ "", ZA_BASE64_STD },		/* empty */
		{ "Zg", ZA_BASE64_STD },	/* padding missing */
		{ "Zg==", ZA_BASE64_STD_NOPAD },	/* padding present */
		{ "Zg==", ZA_BASE64_URL_NOPAD },
		{ "Zh==", ZA_BASE64_STD },	/* stray trailing bits */
		{ "Zm9", ZA_BASE64_STD_NOPAD }, { "Z", ZA_BASE64_STD_NOPAD },
		{ "Zm9v\n", ZA_BASE64_STD }, { "Zm 9v", ZA_BASE64_STD },
		{ "-_-_", ZA_BASE64_STD },	/* url alphabet in std */
		{ "+/+/", ZA_BASE64_URL_NOPAD },	/* std alphabet in url */
		{ "Zm9vYmFyYg", ZA_BASE64_STD_NOPAD },	/* 7 bytes > max 6 */
	};
	unsigned char *bin = NULL;
	size_t i, n = 0;
	char *s = NULL;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(za_base64_encode((const unsigned char *)
		    v[i].in, strlen(v[i].in), ZA_BASE64_STD, &s), ZA_OK);
		assert_string_equal(s, v[i].std);
		free(s);
		assert_int_equal(za_base64_encode((const unsigned char *)
		    v[i].in, strlen(v[i].in), ZA_BASE64_STD_NOPAD, &s), ZA_OK);
		assert_string_equal(s, v[i].nopad);
		free(s);
		assert_int_equal(za_base64_decode(v[i].std, strlen(v[i].std),
		    ZA_BASE64_STD, 6, &bin, &n), ZA_OK);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(bin, v[i].in, n);
		free(bin);
		assert_int_equal(za_base64_decode(v[i].nopad,
		    strlen(v[i].nopad), ZA_BASE64_STD_NOPAD, 6, &bin, &n),
		    ZA_OK);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(bin, v[i].in, n);
		free(bin);
	}
	/* The alphabets differ in the last two characters. */
	assert_int_equal(za_base64_encode(odd, sizeof(odd),
	    ZA_BASE64_URL_NOPAD, &s), ZA_OK);
	assert_string_equal(s, "-_-_");
	free(s);
	assert_int_equal(za_base64_encode(odd, sizeof(odd), ZA_BASE64_STD,
	    &s), ZA_OK);
	assert_string_equal(s, "+/+/");
	free(s);
	assert_int_equal(za_base64_decode("-_-_", 4, ZA_BASE64_URL_NOPAD, 3,
	    &bin, &n), ZA_OK);
	assert_int_equal(n, sizeof(odd));
	assert_memory_equal(bin, odd, n);
	free(bin);
	/* Exactly max bytes decode; one more does not. */
	assert_int_equal(za_base64_decode("Zm9v", 4, ZA_BASE64_STD, 3, &bin,
	    &n), ZA_OK);
	assert_int_equal(n, 3);
	free(bin);
	bin = NULL;
	assert_int_equal(za_base64_decode("Zm9vYg==", 8, ZA_BASE64_STD, 3,
	    &bin, &n), ZA_ERR_PARSE);
	assert_null(bin);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bin = NULL;
		if (za_base64_decode(bad[i].s, strlen(bad[i].s), bad[i].v, 6,
		    &bin, &n) != ZA_ERR_PARSE)
			fail_msg("\"%s\" decoded", bad[i].s);
		assert_null(bin);
	}
	assert_int_equal(za_base64_decode("Zg==", 4, ZA_BASE64_STD, 0, &bin,
	    &n), ZA_ERR_ARG);
	assert_int_equal(za_base64_encode(NULL, 1, ZA_BASE64_STD, &s),
	    ZA_ERR_ARG);
}

static void
test_aaguid(void **state)
{
	static const unsigned char want[16] = {
		0xcb, 0x69, 0x48, 0x1e, 0x8f, 0xf7, 0x40, 0x39,
		0x93, 0xec, 0x0a, 0x27, 0x29, 0xa1, 0x54, 0xa8
	};
	static const char *bad[] = {
		"cb69481e-8ff7-4039-93ec-0a2729a154a",
		"cb69481e8ff7403993ec0a2729a154a8",
		"cb69481e-8ff7-4039-93ec-0a2729a154a8-",
		"cb69481e-8ff74-039-93ec-0a2729a154a8",
		"cb69481g-8ff7-4039-93ec-0a2729a154a8",
		"cb69481e_8ff7_4039_93ec_0a2729a154a8",
		" b69481e-8ff7-4039-93ec-0a2729a154a8", "",
	};
	unsigned char out[16];
	char buf[ZA_AAGUID_TEXT_LEN + 1];
	size_t i;

	(void)state;
	assert_int_equal(za_aaguid_parse("cb69481e-8ff7-4039-93ec-0a2729a154a8",
	    36, out), ZA_OK);
	assert_memory_equal(out, want, 16);
	assert_int_equal(za_aaguid_parse("CB69481E-8FF7-4039-93EC-0A2729A154A8",
	    36, out), ZA_OK);
	assert_memory_equal(out, want, 16);
	assert_int_equal(za_aaguid_format(want, buf, sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "cb69481e-8ff7-4039-93ec-0a2729a154a8");
	assert_int_equal(za_aaguid_format(want, buf, sizeof(buf) - 1),
	    ZA_ERR_ARG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (za_aaguid_parse(bad[i], strlen(bad[i]), out) !=
		    ZA_ERR_PARSE)
			fail_msg("bad AAGUID %zu accepted", i);
}

static void
test_auth_failure(void **state)
{
	static const char *bad[] = {
		"", "20261123010203Z", "20261123010203Z 0123456789abcdef",
		"20261123010203Z 0123456789abcdef ",
		"20261123010203Z 0123456789ABCDEF term",
		"20261123010203Z 0123456789abcde term",
		"20261123010203Z 0123456789abcdefa term",
		"20261123010203Z  0123456789abcdef term",
		"20261123010203Z 0123456789abcdef te rm",
		"20261123010203Z 0123456789abcdef 端末",
		"2026112301020Z 0123456789abcdef term",
		"19700101000000Z 0123456789abcdef term",
		"20261123010203Z 0123456789abcdef "
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234",
	};
	struct za_auth_failure f;
	char *s = NULL;
	size_t i;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(za_auth_failure_parse(
	    "20261123010203Z 0123456789abcdef term-02", 40, &f), ZA_OK);
	assert_int_equal(f.when, 1795395723);
	assert_string_equal(f.nonce, "0123456789abcdef");
	assert_string_equal(f.terminal, "term-02");
	assert_int_equal(za_auth_failure_format(&f, &s), ZA_OK);
	assert_string_equal(s, "20261123010203Z 0123456789abcdef term-02");
	free(s);
	za_auth_failure_clear(&f);
	assert_null(f.terminal);
	/* offsets and fractions are read, written back as UTC */
	assert_int_equal(za_auth_failure_parse(
	    "20261123100203.5+0900 fedcba9876543210 -", 40, &f), ZA_OK);
	assert_int_equal(f.when, 1795395723);
	assert_null(f.terminal);
	assert_int_equal(za_auth_failure_format(&f, &s), ZA_OK);
	assert_string_equal(s, "20261123010203Z fedcba9876543210 -");
	free(s);
	za_auth_failure_clear(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (za_auth_failure_parse(bad[i], strlen(bad[i]), &f) !=
		    ZA_ERR_PARSE)
			fail_msg("bad failure record %zu accepted", i);
		assert_null(f.terminal);
	}
}

/* ---------------------------------------------------------------- objects */
static struct za_fido2_cred *
make_cred(const char *id, const unsigned char *key, size_t keylen, int alg)
{
	struct za_fido2_cred *c = NULL;

	assert_int_equal(za_fido2_cred_new(&c), ZA_OK);
	c->id = strdup(id);
	c->label = strdup("YubiKey 5 NFC");
	c->status = ZA_TOKEN_ACTIVE;
	c->created = 1795510800;
	c->cred_id = malloc(sizeof(cred_id_bytes));
	assert_non_null(c->cred_id);
	memcpy(c->cred_id, cred_id_bytes, sizeof(cred_id_bytes));
	c->cred_id_len = sizeof(cred_id_bytes);
	c->pubkey = malloc(keylen);
	assert_non_null(c->pubkey);
	memcpy(c->pubkey, key, keylen);
	c->pubkey_len = keylen;
	c->alg = alg;
	assert_int_equal(za_aaguid_parse("cb69481e-8ff7-4039-93ec-0a2729a154a8",
	    36, c->aaguid), ZA_OK);
	c->sign_count = 42;
	c->uv = ZA_UV_BUILTIN;
	c->rp_id = strdup("pam://zoneauth");
	assert_non_null(c->id);
	assert_non_null(c->rp_id);
	return c;
}

static struct za_otp_token *
make_totp(const char *id)
{
	struct za_otp_token *t = NULL;

	assert_int_equal(za_otp_token_new(&t), ZA_OK);
	t->id = strdup(id);
	t->kind = ZA_TOKEN_TOTP;
	t->label = strdup("Authenticator 1");
	t->status = ZA_TOKEN_ACTIVE;
	t->created = 1795510800;
	t->secret_len = 20;
	t->secret = malloc(20);
	assert_non_null(t->secret);
	memcpy(t->secret, rfc6238_seed, 20);
	t->digits = 6;
	t->alg = ZA_OTP_SHA1;
	t->period = 30;
	t->window = 1;
	t->has_last_step = true;
	t->last_step = 59836800;
	t->params_dn = strdup("cn=totp-sha1-6-30,ou=otp-params,dc=example");
	return t;
}

static struct za_user *
make_user(const char *uid)
{
	struct za_user *u = NULL;

	assert_int_equal(za_user_new(&u), ZA_OK);
	assert_int_equal(u->uid_number, -1);
	assert_int_equal(u->gid_number, -1);
	u->uid = strdup(uid);
	u->cn = strdup("山田 花子");
	u->sn = strdup("山田");
	u->given_name = strdup("花子");
	u->name_kana = strdup("ヤマダ ハナコ");
	u->employee_number = strdup("0012345");
	u->department = strdup("住民課");
	u->employment = ZA_EMPLOYMENT_STAFF;
	u->status = ZA_ACCOUNT_ACTIVE;
	u->expiry = 1806505199;
	u->last_mfa_time = 1795478400;
	u->last_mfa_terminal = strdup("term-01");
	u->uid_number = 10001;
	u->gid_number = 10000;
	u->home_directory = strdup("/home/alice");
	u->login_shell = strdup("/bin/bash");
	u->nfailures = 2;
	u->failures = calloc(2, sizeof(*u->failures));
	assert_non_null(u->failures);
	u->failures[0].when = 1795395723;
	memcpy(u->failures[0].nonce, "0123456789abcdef", 17);
	u->failures[0].terminal = strdup("term-02");
	u->failures[1].when = 1795395785;
	memcpy(u->failures[1].nonce, "fedcba9876543210", 17);
	return u;
}

static void
test_free_null(void **state)
{
	struct za_user *u = NULL;
	struct za_otp_token *t = NULL;
	struct za_fido2_cred *c = NULL;
	struct za_otp_params *p = NULL;
	struct za_store *s = NULL;
	LDAPMod **mods = NULL;

	(void)state;
	za_user_free(NULL);
	za_user_free(&u);
	za_otp_token_free(NULL);
	za_otp_token_free(&t);
	za_fido2_cred_free(NULL);
	za_fido2_cred_free(&c);
	za_otp_params_free(NULL);
	za_otp_params_free(&p);
	za_store_free(NULL);
	za_store_free(&s);
	za_ldap_mods_free(NULL);
	za_ldap_mods_free(&mods);
	za_user_list_clear(NULL);
	za_auth_failure_clear(NULL);
	/* and a real one is freed and cleared */
	t = make_totp("t1");
	za_otp_token_free(&t);
	assert_null(t);
	u = make_user("alice");
	za_user_free(&u);
	assert_null(u);
}

static void
test_lists(void **state)
{
	struct za_otp_token_list l;
	struct za_otp_token *t;
	char id[16];
	int i;

	(void)state;
	memset(&l, 0, sizeof(l));
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "t%d", i);
		t = make_totp(id);
		assert_int_equal(za_otp_token_list_append(&l, &t), ZA_OK);
		assert_null(t);	/* ownership moved */
	}
	assert_int_equal(l.n, 100);
	assert_string_equal(l.v[57]->id, "t57");
	t = NULL;
	assert_int_equal(za_otp_token_list_append(&l, &t), ZA_ERR_ARG);
	assert_int_equal(za_otp_token_list_append(NULL, &t), ZA_ERR_ARG);
	za_otp_token_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void
test_validate_objects(void **state)
{
	struct za_user *u = make_user("alice");
	struct za_otp_token *t = make_totp("t1");
	struct za_fido2_cred *c = make_cred("f1", p256_der, sizeof(p256_der),
	    ZA_COSE_ES256);
	unsigned char *tmp;

	(void)state;
	assert_int_equal(za_user_validate(u, &lg), ZA_OK);
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_OK);
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_OK);

	/* user */
	u->uid_number = 0;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->uid_number = 4294967295LL;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->uid_number = 10001;
	u->priv.purpose = strdup("maintenance");
	cap_reset();
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	assert_true(cap_has("not registered as privileged"));
	u->priv.is_privileged = true;
	assert_int_equal(za_user_validate(u, &lg), ZA_OK);
	u->priv.checkout_start = 200;
	u->priv.checkout_end = 100;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->priv.checkout_end = 300;
	u->priv.rotation_days = ZA_ROTATION_DAYS_MAX + 1;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->priv.rotation_days = 30;
	assert_int_equal(za_user_validate(u, &lg), ZA_OK);
	u->failures[1].nonce[3] = 'X';
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->failures[1].nonce[3] = '3';
	u->status = (enum za_account_status)7;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	u->status = ZA_ACCOUNT_ACTIVE;
	free(u->home_directory);
	u->home_directory = strdup("home/alice");
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	free(u->uid);
	u->uid = NULL;
	assert_int_equal(za_user_validate(u, &lg), ZA_ERR_PARSE);
	assert_int_equal(za_user_validate(NULL, &lg), ZA_ERR_ARG);

	/* OTP token */
	t->digits = 9;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->digits = 6;
	t->period = 10;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->period = 30;
	t->window = 11;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->window = 1;
	t->has_counter = true;	/* HOTP state on a TOTP token */
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->has_counter = false;
	t->secret_len = ZA_SECRET_MIN - 1;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->secret_len = ZA_SECRET_MAX + 1;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->secret_len = 20;
	t->kind = ZA_TOKEN_FIDO2;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);
	t->kind = ZA_TOKEN_TOTP;
	/* parameters not applied yet is a valid state */
	t->digits = 0;
	t->alg = 0;
	t->period = 0;
	t->window = 0;
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_OK);
	t->alg = ZA_OTP_SHA1;	/* but half-applied is not */
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_ERR_PARSE);

	/* FIDO2 */
	c->alg = ZA_COSE_EDDSA;	/* P-256 key, EdDSA algorithm */
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->alg = -9;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->alg = ZA_COSE_ES256;
	c->pubkey_len--;	/* truncated DER */
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->pubkey_len++;
	tmp = realloc(c->pubkey, c->pubkey_len + 1);	/* trailing byte */
	assert_non_null(tmp);
	c->pubkey = tmp;
	c->pubkey[c->pubkey_len++] = 0;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->pubkey_len--;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_OK);
	c->cred_id_len = ZA_CRED_ID_MAX + 1;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->cred_id_len = sizeof(cred_id_bytes);
	c->uv = 0;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	c->uv = ZA_UV_PIN;
	free(c->rp_id);
	c->rp_id = strdup("pam://端末");
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	za_fido2_cred_free(&c);

	/* RSA: 2048 bits and up only; Ed25519 fits EdDSA only */
	c = make_cred("f2", rsa1k_der, sizeof(rsa1k_der), ZA_COSE_RS256);
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	za_fido2_cred_free(&c);
	c = make_cred("f3", ed_der, sizeof(ed_der), ZA_COSE_EDDSA);
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_OK);
	c->alg = ZA_COSE_ES256;
	assert_int_equal(za_fido2_cred_validate(c, &lg), ZA_ERR_PARSE);
	za_fido2_cred_free(&c);
	za_user_free(&u);
	za_otp_token_free(&t);
}

static void
test_apply_params(void **state)
{
	struct za_otp_token *t = make_totp("t1");
	struct za_otp_params p;

	(void)state;
	memset(&p, 0, sizeof(p));
	t->digits = 0;
	t->alg = 0;
	t->period = 0;
	t->window = 0;
	p.dn = (char *)(uintptr_t)"cn=totp-sha256-8-60,ou=otp-params";
	p.kind = ZA_TOKEN_TOTP;
	p.digits = 8;
	p.alg = ZA_OTP_SHA256;
	p.period = 60;
	p.window = 2;
	assert_int_equal(za_otp_token_apply_params(t, &p, &lg), ZA_OK);
	assert_int_equal(t->digits, 8);
	assert_int_equal(t->alg, ZA_OTP_SHA256);
	assert_int_equal(t->period, 60);
	assert_int_equal(t->window, 2);
	assert_string_equal(t->params_dn, "cn=totp-sha256-8-60,ou=otp-params");
	assert_int_equal(za_otp_token_validate(t, &lg), ZA_OK);
	/* HOTP parameters do not fit a TOTP token */
	p.kind = ZA_TOKEN_HOTP;
	p.period = 0;
	p.window = 0;
	p.lookahead = 5;
	cap_reset();
	assert_int_equal(za_otp_token_apply_params(t, &p, &lg), ZA_ERR_PARSE);
	assert_true(cap_has("other kind"));
	assert_int_equal(t->digits, 8);	/* unchanged */
	/* out-of-range parameters are refused */
	p.kind = ZA_TOKEN_TOTP;
	p.lookahead = 0;
	p.period = 301;
	assert_int_equal(za_otp_token_apply_params(t, &p, &lg), ZA_ERR_PARSE);
	assert_int_equal(t->period, 60);
	za_otp_token_free(&t);
}

/* SSSD's passkey mapping, against base64(1) output and OpenSSL's encoder. */
static void
test_sssd_mapping(void **state)
{
	struct za_fido2_cred *c = make_cred("f1", p256_der, sizeof(p256_der),
	    ZA_COSE_ES256);
	unsigned char e1[64], e2[256];
	char *m = NULL, want[512];
	int n1, n2;

	(void)state;
	assert_int_equal(za_fido2_cred_sssd_mapping(c, &m), ZA_OK);
	snprintf(want, sizeof(want), "passkey:%s,%s", cred_id_b64, p256_b64);
	assert_string_equal(m, want);
	free(m);
	/* a second, independent encoder agrees */
	n1 = EVP_EncodeBlock(e1, c->cred_id, (int)c->cred_id_len);
	n2 = EVP_EncodeBlock(e2, c->pubkey, (int)c->pubkey_len);
	assert_true(n1 > 0 && n2 > 0);
	snprintf(want, sizeof(want), "passkey:%s,%s", e1, e2);
	assert_int_equal(za_fido2_cred_sssd_mapping(c, &m), ZA_OK);
	assert_string_equal(m, want);
	free(m);
	m = NULL;
	c->cred_id_len = 0;
	assert_int_equal(za_fido2_cred_sssd_mapping(c, &m), ZA_ERR_ARG);
	assert_null(m);
	assert_int_equal(za_fido2_cred_sssd_mapping(NULL, &m), ZA_ERR_ARG);
	za_fido2_cred_free(&c);
}

/* ---------------------------------------------------------------- store */
static void
test_store_canonical_round_trip(void **state)
{
	struct za_store *s = NULL, *s2 = NULL;
	const struct za_user *u;
	const struct za_otp_token *t;
	const struct za_fido2_cred *c;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	cap_reset();
	assert_int_equal(za_store_parse(canonical_store,
	    sizeof(canonical_store) - 1, &s, &lg), ZA_OK);
	assert_int_equal(cap.lines, 0);
	assert_int_equal(s->users.n, 4);
	assert_int_equal(s->otp.n, 4);
	assert_int_equal(s->fido2.n, 3);

	u = za_store_find_user(s, "alice");
	assert_non_null(u);
	assert_string_equal(u->cn, "山田 花子");
	assert_string_equal(u->name_kana, "ヤマダ ハナコ");
	assert_string_equal(u->employee_number, "0012345");
	assert_string_equal(u->created_by, "cn=admin,dc=example,dc=lg,dc=jp");
	assert_int_equal(u->employment, ZA_EMPLOYMENT_STAFF);
	assert_int_equal(u->status, ZA_ACCOUNT_ACTIVE);
	assert_int_equal(u->expiry, 1806505199);
	assert_true(u->pwd_reset);
	assert_false(u->pwd_locked);
	assert_int_equal(u->uid_number, 10001);
	assert_int_equal(u->nfailures, 2);
	assert_int_equal(u->failures[0].when, 1795395723);
	assert_string_equal(u->failures[0].terminal, "term-02");
	assert_null(u->failures[1].terminal);
	assert_int_equal(u->ngroups, 2);
	assert_string_equal(u->groups[1], "staff all");
	assert_false(u->priv.is_privileged);
	u = za_store_find_user(s, "bob");
	assert_non_null(u);
	assert_int_equal(u->status, ZA_ACCOUNT_SUSPENDED);
	assert_int_equal(u->employment, ZA_EMPLOYMENT_CONTRACTOR);
	assert_string_equal(u->status_reason, "出向 (県庁)");
	assert_true(u->pwd_locked);
	assert_int_equal(u->uid_number, -1);
	u = za_store_find_user(s, "admin1");
	assert_non_null(u);
	assert_true(u->priv.is_privileged);
	assert_int_equal(u->priv.rotation_days, 30);
	assert_string_equal(u->priv.owner_dn,
	    "uid=alice,ou=people,dc=example,dc=lg,dc=jp");
	assert_null(za_store_find_user(s, "carol"));

	t = za_store_find_otp(s, "t1abc");
	assert_non_null(t);
	assert_int_equal(t->kind, ZA_TOKEN_TOTP);
	assert_string_equal(t->owner, "alice");
	assert_string_equal(t->label, "Google Authenticator");
	assert_int_equal(t->secret_len, 20);
	assert_memory_equal(t->secret, rfc6238_seed, 20);
	assert_true(t->has_last_step);
	assert_int_equal(t->last_step, 59836800);
	assert_int_equal(t->window, 1);
	t = za_store_find_otp(s, "t2");
	assert_non_null(t);
	assert_int_equal(t->alg, ZA_OTP_SHA256);
	assert_int_equal(t->secret_len, 32);
	assert_false(t->has_last_step);
	assert_int_equal(t->status, ZA_TOKEN_REVOKED);
	t = za_store_find_otp(s, "h1");
	assert_non_null(t);
	assert_int_equal(t->kind, ZA_TOKEN_HOTP);
	assert_true(t->has_counter);
	assert_int_equal(t->counter, 5);
	assert_int_equal(t->lookahead, 10);
	t = za_store_find_otp(s, "h2");
	assert_non_null(t);
	assert_false(t->has_counter);
	assert_int_equal(t->secret_len, 64);
	assert_int_equal(t->status, ZA_TOKEN_CLONED);

	c = za_store_find_fido2(s, "f1");
	assert_non_null(c);
	assert_int_equal(c->cred_id_len, sizeof(cred_id_bytes));
	assert_memory_equal(c->cred_id, cred_id_bytes, sizeof(cred_id_bytes));
	assert_int_equal(c->pubkey_len, sizeof(p256_der));
	assert_memory_equal(c->pubkey, p256_der, sizeof(p256_der));
	assert_int_equal(c->alg, ZA_COSE_ES256);
	assert_int_equal(c->sign_count, 42);
	assert_int_equal(c->uv, ZA_UV_BUILTIN);
	assert_int_equal(c->aaguid[0], 0xcb);
	c = za_store_find_fido2(s, "f2");
	assert_non_null(c);
	assert_memory_equal(c->pubkey, ed_der, sizeof(ed_der));
	c = za_store_find_fido2(s, "f3_rsa");
	assert_non_null(c);
	assert_int_equal(c->sign_count, UINT32_MAX);
	assert_int_equal(c->alg, ZA_COSE_RS256);
	assert_null(za_store_find_fido2(s, "t1abc"));

	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg), ZA_OK);
	assert_int_equal(cap.lines, 0);
	assert_int_equal(outlen, sizeof(canonical_store) - 1);
	assert_int_equal(strlen(out), outlen);
	if (memcmp(out, canonical_store, outlen) != 0)
		fail_msg("serialize(parse(x)) != x:\n%s", out);
	/* and the output parses to the same thing again */
	assert_int_equal(za_store_parse(out, outlen, &s2, &lg), ZA_OK);
	assert_int_equal(s2->users.n, 4);
	za_freezero(out, outlen + 1);
	za_store_free(&s);
	za_store_free(&s2);
	assert_null(s);
}

/* Comments, blank lines and other spellings give the canonical form. */
static void
test_store_normalizes(void **state)
{
	static const char in[] =
	    "zoneauth-store 1\n"
	    "# a comment\n"
	    "\n"
	    "user bob pwd_locked=0 cn=B%6fb%2f%41 status=ACTIVE sn=X\n"
	    "# another\n"
	    "user alice";	/* no final newline */
	static const char want[] =
	    "zoneauth-store 1\n"
	    "user bob cn=Bob/A sn=X status=active\n"
	    "user alice\n";
	struct za_store *s = NULL;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	assert_int_equal(za_store_parse(in, sizeof(in) - 1, &s, &lg), ZA_OK);
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg), ZA_OK);
	assert_string_equal(out, want);
	za_freezero(out, outlen + 1);
	za_store_free(&s);

	/* the header alone is an empty store */
	assert_int_equal(za_store_parse("zoneauth-store 1\n", 17, &s, &lg),
	    ZA_OK);
	assert_int_equal(s->users.n + s->otp.n + s->fido2.n, 0);
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg), ZA_OK);
	assert_string_equal(out, "zoneauth-store 1\n");
	za_freezero(out, outlen + 1);
	za_store_free(&s);
}

/* Objects built in memory survive serialize and parse. */
static void
test_store_from_objects(void **state)
{
	struct za_store *s = NULL, *back = NULL;
	struct za_user *u = make_user("alice");
	struct za_otp_token *t = make_totp("t1");
	struct za_fido2_cred *c = make_cred("f1", ed_der, sizeof(ed_der),
	    ZA_COSE_EDDSA);
	const struct za_user *bu;
	const struct za_otp_token *bt;
	const struct za_fido2_cred *bc;
	char *out = NULL, *out2 = NULL;
	size_t outlen = 0, outlen2 = 0;

	(void)state;
	t->owner = strdup("alice");
	c->owner = strdup("alice");
	assert_int_equal(za_store_new(&s), ZA_OK);
	assert_int_equal(za_user_list_append(&s->users, &u), ZA_OK);
	assert_int_equal(za_otp_token_list_append(&s->otp, &t), ZA_OK);
	assert_int_equal(za_fido2_cred_list_append(&s->fido2, &c), ZA_OK);
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg), ZA_OK);
	assert_int_equal(za_store_parse(out, outlen, &back, &lg), ZA_OK);
	bu = za_store_find_user(back, "alice");
	assert_non_null(bu);
	assert_string_equal(bu->cn, s->users.v[0]->cn);
	assert_int_equal(bu->expiry, s->users.v[0]->expiry);
	assert_int_equal(bu->nfailures, 2);
	assert_string_equal(bu->failures[1].nonce, "fedcba9876543210");
	bt = za_store_find_otp(back, "t1");
	assert_non_null(bt);
	assert_memory_equal(bt->secret, rfc6238_seed, 20);
	assert_string_equal(bt->params_dn, s->otp.v[0]->params_dn);
	assert_int_equal(bt->last_step, 59836800);
	bc = za_store_find_fido2(back, "f1");
	assert_non_null(bc);
	assert_memory_equal(bc->aaguid, s->fido2.v[0]->aaguid, 16);
	assert_int_equal(za_store_serialize(back, &out2, &outlen2, &lg),
	    ZA_OK);
	assert_int_equal(outlen, outlen2);
	assert_memory_equal(out, out2, outlen);
	za_freezero(out, outlen + 1);
	za_freezero(out2, outlen2 + 1);

	/* serialize refuses what parse would refuse */
	s->fido2.v[0]->id[0] = 't';	/* "t1": the TOTP token's id */
	cap_reset();
	out = NULL;
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg),
	    ZA_ERR_PARSE);
	assert_null(out);
	assert_true(cap_has("duplicate token id"));
	s->fido2.v[0]->id[0] = 'f';
	free(s->otp.v[0]->owner);
	s->otp.v[0]->owner = strdup("nobody");
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg),
	    ZA_ERR_PARSE);
	assert_true(cap_has("no user record"));
	za_store_free(&s);
	za_store_free(&back);
}

#define H	"zoneauth-store 1\n"
#define UA	"user alice\n"
#define SEED	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define TOTP	"totp alice id=t1 status=active secret=" SEED " digits=6 " \
		"alg=sha1 period=30 window=1"
#define AAG	"aaguid=cb69481e-8ff7-4039-93ec-0a2729a154a8"
#define FIDO_A	"fido2 alice id=f1 status=active cred_id=AQID_v8QIDBAUGBwgJCgsA"
#define FIDO_K	" pubkey=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq21MmP2S" \
		"UFlnnKQBn78EZ0agrT0yuCZMvmCw38FSXzbx5vBPI8aV7w405" \
		"Lqh6U3x3PyiRH73J+szE03/N" \
		"6CIxA=="
#define FIDO_R	" sign_count=0 uv=none rp_id=pam://x"
#define FIDO	FIDO_A FIDO_K " alg=-7 " AAG FIDO_R

struct err_case {
	const char *in;
	int r;
	const char *msg;	/* must appear in the log */
};

static const struct err_case store_errors[] = {
	{ "", ZA_ERR_PARSE, "line 1:" },
	{ "zoneauth-store 2\n", ZA_ERR_PARSE, "line 1: not a zoneauth store" },
	{ "zoneauth-store 1\r\n", ZA_ERR_PARSE, "line 1:" },
	{ "zoneauth-store 1 \n", ZA_ERR_PARSE, "line 1:" },
	{ "# x\nzoneauth-store 1\n", ZA_ERR_PARSE, "line 1:" },
	{ H "group x\n", ZA_ERR_PARSE, "line 2: unknown record type" },
	{ H "User alice\n", ZA_ERR_PARSE, "line 2: unknown record type" },
	{ H "user\n", ZA_ERR_PARSE, "line 2: record without a login name" },
	{ H "user Alice\n", ZA_ERR_PARSE, "line 2: invalid login name" },
	{ H "user \n", ZA_ERR_PARSE, "line 2: invalid login name" },
	{ H "user alice \n", ZA_ERR_PARSE, "line 2: trailing space" },
	{ H "user alice cn=x \n", ZA_ERR_PARSE, "line 2: empty field" },
	{ H "user alice  cn=x\n", ZA_ERR_PARSE, "line 2: empty field" },
	{ H "user alice\tcn=x\n", ZA_ERR_PARSE, "line 2: invalid login name" },
	{ H UA "user bob cn\n", ZA_ERR_PARSE, "line 3: field without '='" },
	{ H "user alice foo=1\n", ZA_ERR_PARSE, "line 2: unknown field" },
	{ H "user alice id=1\n", ZA_ERR_PARSE, "line 2: unknown field" },
	{ H "user alice cn=a cn=b\n", ZA_ERR_PARSE,
	    "line 2: field 'cn' repeated" },
	{ H "user alice cn=\n", ZA_ERR_PARSE, "line 2: field 'cn' is empty" },
	{ H "user alice cn=%G1\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=%4\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=ab%\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=%00\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=a\tb\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=a\rb\n", ZA_ERR_PARSE, "line 2: field 'cn'" },
	{ H "user alice cn=a%0Ab\n", ZA_ERR_PARSE,
	    "line 2: invalid user record" },
	{ H "user alice cn=\xe3\x81\n", ZA_ERR_PARSE,
	    "line 2: invalid user record" },
	{ H "user alice expiry=20230229000000Z\n", ZA_ERR_PARSE,
	    "line 2: field 'expiry'" },
	{ H "user alice expiry=19700101000000Z\n", ZA_ERR_PARSE,
	    "line 2: field 'expiry': value out of range" },
	{ H "user alice expiry=2027-03-31\n", ZA_ERR_PARSE,
	    "line 2: field 'expiry'" },
	{ H "user alice employment=boss\n", ZA_ERR_PARSE,
	    "line 2: field 'employment'" },
	{ H "user alice status=unset\n", ZA_ERR_PARSE,
	    "line 2: field 'status'" },
	{ H "user alice uid_number=0\n", ZA_ERR_PARSE,
	    "line 2: invalid user record" },
	{ H "user alice uid_number=4294967295\n", ZA_ERR_PARSE,
	    "line 2: field 'uid_number': value out of range" },
	{ H "user alice uid_number=-5\n", ZA_ERR_PARSE,
	    "line 2: field 'uid_number'" },
	{ H "user alice uid_number=007\n", ZA_ERR_PARSE,
	    "line 2: field 'uid_number'" },
	{ H "user alice pwd_locked=yes\n", ZA_ERR_PARSE,
	    "line 2: field 'pwd_locked'" },
	{ H "user alice failure=garbage\n", ZA_ERR_PARSE,
	    "line 2: field 'failure'" },
	{ H "user alice priv_owner=cn=x\n", ZA_ERR_PARSE,
	    "line 2: invalid user record" },
	{ H "user alice priv_rotation_days=3651 privileged=1\n",
	    ZA_ERR_PARSE, "line 2: field 'priv_rotation_days'" },
	{ H "user alice home=relative\n", ZA_ERR_PARSE,
	    "line 2: invalid user record" },
	{ H UA "totp alice id=t1 status=active digits=6 alg=sha1 period=30 "
	    "window=1\n", ZA_ERR_PARSE, "line 3: required field 'secret'" },
	{ H UA TOTP " counter=1\n", ZA_ERR_PARSE,
	    "line 3: unknown field for a totp record" },
	{ H UA TOTP " params=\n", ZA_ERR_PARSE, "line 3: field 'params'" },
	{ H UA "totp alice id=t1 status=active secret=abc digits=6 alg=sha1 "
	    "period=30 window=1\n", ZA_ERR_PARSE, "line 3: field 'secret'" },
	{ H UA "totp alice id=t1 status=active secret=GEZDGNBVGY3TQOJQ "
	    "digits=6 alg=sha1 period=30 window=1\n", ZA_ERR_PARSE,
	    "line 3: invalid OTP token record" },
	{ H UA "totp alice id=t/1 status=active secret=" SEED " digits=6 "
	    "alg=sha1 period=30 window=1\n", ZA_ERR_PARSE,
	    "line 3: invalid OTP token record" },
	{ H UA "totp alice id=t1 status=active secret=" SEED " digits=9 "
	    "alg=sha1 period=30 window=1\n", ZA_ERR_PARSE,
	    "line 3: field 'digits': value out of range" },
	{ H UA "totp alice id=t1 status=active secret=" SEED " digits=06 "
	    "alg=sha1 period=30 window=1\n", ZA_ERR_PARSE,
	    "line 3: field 'digits': malformed" },
	{ H UA "totp alice id=t1 status=active secret=" SEED " digits=6 "
	    "alg=sha1 period=10 window=1\n", ZA_ERR_PARSE,
	    "line 3: field 'period'" },
	{ H UA "totp alice id=t1 status=active secret=" SEED " digits=6 "
	    "alg=md5 period=30 window=1\n", ZA_ERR_PARSE,
	    "line 3: field 'alg'" },
	{ H UA TOTP " last_step=18446744073709551616\n", ZA_ERR_PARSE,
	    "line 3: field 'last_step'" },
	{ H UA "hotp alice id=h1 status=active secret=" SEED " digits=6 "
	    "alg=sha1\n", ZA_ERR_PARSE, "line 3: required field 'lookahead'" },
	{ H UA "hotp alice id=h1 status=active secret=" SEED " digits=6 "
	    "alg=sha1 lookahead=1 period=30\n", ZA_ERR_PARSE,
	    "line 3: unknown field for a hotp record" },
	{ H UA FIDO_A "+" FIDO_K " alg=-7 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: field 'cred_id'" },
	{ H UA FIDO_A "==" FIDO_K " alg=-7 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: field 'cred_id'" },
	{ H UA FIDO_A " pubkey=AAAA alg=-7 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: invalid fido2 record" },
	{ H UA FIDO_A " pubkey=AAA alg=-7 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: field 'pubkey'" },
	{ H UA FIDO_A FIDO_K " alg=-8 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: invalid fido2 record" },
	{ H UA FIDO_A FIDO_K " alg=-9 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: field 'alg': value out of range" },
	{ H UA FIDO_A FIDO_K " alg=7 " AAG FIDO_R "\n", ZA_ERR_PARSE,
	    "line 3: field 'alg'" },
	{ H UA FIDO_A FIDO_K " alg=-7 aaguid=cb69481e" FIDO_R "\n",
	    ZA_ERR_PARSE, "line 3: field 'aaguid'" },
	{ H UA FIDO_A FIDO_K " alg=-7 " AAG " sign_count=4294967296 uv=none "
	    "rp_id=x\n", ZA_ERR_PARSE, "line 3: field 'sign_count'" },
	{ H UA FIDO_A FIDO_K " alg=-7 " AAG " sign_count=1 uv=face rp_id=x\n",
	    ZA_ERR_PARSE, "line 3: field 'uv'" },
	{ H UA FIDO_A FIDO_K " alg=-7 " AAG " sign_count=1 uv=pin\n",
	    ZA_ERR_PARSE, "line 3: required field 'rp_id'" },
	{ H UA "user bob\n" UA, ZA_ERR_PARSE,
	    "line 4: duplicate user record (also on line 2)" },
	{ H UA TOTP "\n" "fido2 alice id=t1 status=active "
	    "cred_id=AQID_v8QIDBAUGBwgJCgsA" FIDO_K " alg=-7 " AAG FIDO_R "\n",
	    ZA_ERR_PARSE, "line 4: duplicate token id (also on line 3)" },
	{ H UA "\n# x\n" TOTP "\n" TOTP "\n", ZA_ERR_PARSE,
	    "line 6: duplicate token id (also on line 5)" },
	{ H "user bob\n" TOTP "\n", ZA_ERR_PARSE,
	    "line 3: no user record for the token's owner" },
	{ H UA FIDO "\n" "fido2 bob id=f2" FIDO_K " alg=-7 " AAG FIDO_R "\n",
	    ZA_ERR_PARSE, "line 4: required field 'status'" },
};

static void
expect_store_error(const char *in, size_t len, int want, const char *msg)
{
	struct za_store *s = NULL;
	int r;

	cap_reset();
	r = za_store_parse(in, len, &s, &lg);
	if (r != want || s != NULL || !cap_has(msg))
		fail_msg("input:\n%s\ngot %d, want %d; log:\n%swanted: %s", in,
		    r, want, cap.text, msg);
}

static void
test_store_errors(void **state)
{
	static const char nul[] = H UA "user bob cn=a\0b\n";
	char *big;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(store_errors) / sizeof(store_errors[0]); i++)
		expect_store_error(store_errors[i].in,
		    strlen(store_errors[i].in), store_errors[i].r,
		    store_errors[i].msg);
	/* the valid record the cases above start from parses */
	{
		struct za_store *s = NULL;
		static const char ok[] = H UA TOTP "\n" FIDO "\n";

		assert_int_equal(za_store_parse(ok, sizeof(ok) - 1, &s, &lg),
		    ZA_OK);
		za_store_free(&s);
	}
	expect_store_error(nul, sizeof(nul) - 1, ZA_ERR_PARSE,
	    "line 3: NUL byte");

	/* a line of ZA_STORE_MAX_LINE bytes is fine, one more is not */
	big = malloc(32 + ZA_STORE_MAX_LINE + 2);
	assert_non_null(big);
	strcpy(big, H);
	memset(big + 17, '#', ZA_STORE_MAX_LINE);
	big[17 + ZA_STORE_MAX_LINE] = '\n';
	{
		struct za_store *s = NULL;

		assert_int_equal(za_store_parse(big, 17 + ZA_STORE_MAX_LINE + 1,
		    &s, &lg), ZA_OK);
		za_store_free(&s);
	}
	big[17 + ZA_STORE_MAX_LINE] = '#';
	big[17 + ZA_STORE_MAX_LINE + 1] = '\n';
	expect_store_error(big, 17 + ZA_STORE_MAX_LINE + 2, ZA_ERR_TOO_LARGE,
	    "line 2: longer than 8192 bytes");
	free(big);

	/* 33 failure records */
	big = malloc(4096);
	assert_non_null(big);
	strcpy(big, H "user alice");
	for (i = 0; i < 33; i++)
		snprintf(big + strlen(big), 4096 - strlen(big),
		    " failure=20261123010203Z%%20%016zx%%20-", i);
	strcat(big, "\n");
	expect_store_error(big, strlen(big), ZA_ERR_TOO_LARGE,
	    "line 2: field 'failure': value or repetitions exceed");
	free(big);

	/* the size bound is checked before anything is read */
	expect_store_error(H, ZA_STORE_MAX_SIZE + 1, ZA_ERR_TOO_LARGE,
	    "larger than");
	assert_int_equal(za_store_parse(NULL, 0, NULL, &lg), ZA_ERR_ARG);
}

/* Secrets never reach the log, whatever goes wrong around them. */
static void
test_store_no_secret_in_log(void **state)
{
	static const char *in[] = {
		H UA "totp alice id=t1 status=active secret=" SEED
		    " digits=9 alg=sha1 period=30 window=1\n",
		H UA "totp alice id=t1 status=active secret=GEZDGNBVGY3TQOJQ"
		    " digits=6 alg=sha1 period=30 window=1\n",
		H UA "totp alice id=t1 status=active secret=GEZDGNBVGY3TQOJ1"
		    " digits=6 alg=sha1 period=30 window=1\n",
		H UA "totp alice id=t1 status=active secret=" SEED " secret="
		    SEED " digits=6 alg=sha1 period=30 window=1\n",
		H UA TOTP " label=\xff\n",
	};
	struct za_store *s = NULL;
	struct za_otp_token *t;
	char *out = NULL;
	size_t i, outlen;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		cap_reset();
		assert_int_not_equal(za_store_parse(in[i], strlen(in[i]), &s,
		    &lg), ZA_OK);
		assert_true(cap.lines > 0);
		if (cap_has("GEZDGNBVGY3TQOJ") || cap_has("12345678"))
			fail_msg("secret in the log: %s", cap.text);
	}
	/* an invalid token refused by serialize: no secret logged */
	assert_int_equal(za_store_parse(H UA TOTP "\n",
	    strlen(H UA TOTP "\n"), &s, &lg), ZA_OK);
	t = s->otp.v[0];
	t->digits = 5;
	cap_reset();
	assert_int_equal(za_store_serialize(s, &out, &outlen, &lg),
	    ZA_ERR_PARSE);
	assert_true(cap.lines > 0);
	assert_false(cap_has("GEZDGNBVGY3TQOJ"));
	za_store_free(&s);
}

/* ---------------------------------------------------------------- LDAP */
/* Every attribute name an encoder may use: the za_schema.h macros. */
static const char *const schema_names[] = {
	ZA_AT_OBJECT_CLASS, ZA_AT_UID, ZA_AT_CN, ZA_AT_SN, ZA_AT_GIVEN_NAME,
	ZA_AT_DISPLAY_NAME, ZA_AT_MAIL, ZA_AT_EMPLOYEE_NUMBER,
	ZA_AT_DEPARTMENT, ZA_AT_UID_NUMBER, ZA_AT_GID_NUMBER, ZA_AT_HOME,
	ZA_AT_SHELL, ZA_AT_NAME_KANA, ZA_AT_EMPLOYMENT_TYPE,
	ZA_AT_ACCOUNT_STATUS, ZA_AT_STATUS_REASON, ZA_AT_STATUS_TIME,
	ZA_AT_SUSPEND_FROM, ZA_AT_RETURN_DATE, ZA_AT_EXPIRY, ZA_AT_PROJECT,
	ZA_AT_LAST_MFA_TIME, ZA_AT_LAST_MFA_TERMINAL, ZA_AT_LAST_LOGOUT_TIME,
	ZA_AT_AUTH_FAILURE, ZA_AT_LOCKED_UNTIL, ZA_AT_LAST_REVIEW_TIME,
	ZA_AT_LAST_REVIEWER, ZA_AT_CREATED_BY, ZA_AT_APPROVAL_REF,
	ZA_AT_TOKEN_ID, ZA_AT_TOKEN_KIND, ZA_AT_TOKEN_LABEL,
	ZA_AT_TOKEN_STATUS, ZA_AT_TOKEN_CREATED, ZA_AT_TOKEN_LAST_USED,
	ZA_AT_TOKEN_REVOKED, ZA_AT_TOKEN_REVOKE_REASON, ZA_AT_FIDO2_CRED_ID,
	ZA_AT_FIDO2_PUBKEY, ZA_AT_FIDO2_ALG, ZA_AT_FIDO2_AAGUID,
	ZA_AT_FIDO2_SIGN_COUNT, ZA_AT_FIDO2_UV_KIND, ZA_AT_FIDO2_RP_ID,
	ZA_AT_OATH_SECRET, ZA_AT_OATH_TOTP_PARAMS, ZA_AT_OATH_HOTP_PARAMS,
	ZA_AT_OATH_LAST_STEP, ZA_AT_OATH_HOTP_COUNTER, ZA_AT_PRIV_OWNER,
	ZA_AT_PRIV_PURPOSE, ZA_AT_PRIV_DEFAULT_NAME, ZA_AT_PRIV_ROTATE_DAYS,
	ZA_AT_PRIV_ROTATED, ZA_AT_PRIV_CHECKOUT_BY, ZA_AT_PRIV_CHECKOUT_FROM,
	ZA_AT_PRIV_CHECKOUT_UNTIL, NULL
};

/* Check the shape of an add array; return the LDAPMod of attr or NULL. */
static LDAPMod *
mod_find(LDAPMod **mods, const char *attr)
{
	LDAPMod *hit = NULL;
	size_t i, j;

	assert_non_null(mods);
	for (i = 0; mods[i] != NULL; i++) {
		assert_int_equal(mods[i]->mod_op,
		    LDAP_MOD_ADD | LDAP_MOD_BVALUES);
		assert_non_null(mods[i]->mod_bvalues);
		assert_non_null(mods[i]->mod_bvalues[0]);
		for (j = 0; schema_names[j] != NULL; j++)
			if (strcmp(schema_names[j], mods[i]->mod_type) == 0)
				break;
		if (schema_names[j] == NULL)
			fail_msg("attribute %s not from za_schema.h",
			    mods[i]->mod_type);
		if (strcmp(mods[i]->mod_type, attr) == 0) {
			if (hit != NULL)
				fail_msg("attribute %s twice", attr);
			hit = mods[i];
		}
	}
	return hit;
}

static size_t
mod_nvals(const LDAPMod *m)
{
	size_t n = 0;

	while (m->mod_bvalues[n] != NULL)
		n++;
	return n;
}

/* The single value of attr as a string, or fail. */
static void
mod_expect(LDAPMod **mods, const char *attr, const char *want)
{
	LDAPMod *m = mod_find(mods, attr);

	if (m == NULL)
		fail_msg("attribute %s missing", attr);
	assert_int_equal(mod_nvals(m), 1);
	if (m->mod_bvalues[0]->bv_len != strlen(want) ||
	    memcmp(m->mod_bvalues[0]->bv_val, want, strlen(want)) != 0)
		fail_msg("%s: got \"%.*s\", want \"%s\"", attr,
		    (int)m->mod_bvalues[0]->bv_len, m->mod_bvalues[0]->bv_val,
		    want);
}

static int
mod_has_value(LDAPMod **mods, const char *attr, const char *v)
{
	LDAPMod *m = mod_find(mods, attr);
	size_t i;

	for (i = 0; m != NULL && m->mod_bvalues[i] != NULL; i++)
		if (m->mod_bvalues[i]->bv_len == strlen(v) &&
		    memcmp(m->mod_bvalues[i]->bv_val, v, strlen(v)) == 0)
			return 1;
	return 0;
}

static void
test_user_to_mods(void **state)
{
	struct za_user *u = make_user("alice");
	LDAPMod **mods = NULL;
	LDAPMod *m;

	(void)state;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_OK);
	m = mod_find(mods, ZA_AT_OBJECT_CLASS);
	assert_non_null(m);
	assert_int_equal(mod_nvals(m), 3);
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "inetOrgPerson"));
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "zoneauthAccount"));
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "posixAccount"));
	mod_expect(mods, "uid", "alice");
	mod_expect(mods, "cn", "山田 花子");
	mod_expect(mods, "zaNameKana", "ヤマダ ハナコ");
	mod_expect(mods, "employeeNumber", "0012345");
	mod_expect(mods, "zaEmploymentType", "staff");
	mod_expect(mods, "zaAccountStatus", "active");
	mod_expect(mods, "zaAccountExpiry", "20270331145959Z");
	mod_expect(mods, "zaLastMfaLoginTime", "20261124000000Z");
	mod_expect(mods, "uidNumber", "10001");
	mod_expect(mods, "gidNumber", "10000");
	mod_expect(mods, "homeDirectory", "/home/alice");
	m = mod_find(mods, "zaAuthFailure");
	assert_non_null(m);
	assert_int_equal(mod_nvals(m), 2);
	assert_true(mod_has_value(mods, "zaAuthFailure",
	    "20261123010203Z 0123456789abcdef term-02"));
	assert_true(mod_has_value(mods, "zaAuthFailure",
	    "20261123010305Z fedcba9876543210 -"));
	assert_null(mod_find(mods, "zaPrivOwner"));
	assert_null(mod_find(mods, "zaStatusReason"));	/* absent: left out */
	za_ldap_mods_free(&mods);
	assert_null(mods);

	/* a privileged ID */
	u->priv.is_privileged = true;
	u->priv.owner_dn = strdup("uid=boss,ou=people,dc=example");
	u->priv.rotation_days = 30;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_OK);
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS,
	    "zoneauthPrivileged"));
	mod_expect(mods, "zaPrivOwner", "uid=boss,ou=people,dc=example");
	mod_expect(mods, "zaPrivRotationDays", "30");
	za_ldap_mods_free(&mods);

	/* not a POSIX account */
	u->uid_number = -1;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_OK);
	assert_false(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "posixAccount"));
	assert_null(mod_find(mods, "uidNumber"));
	za_ldap_mods_free(&mods);

	/* what a new entry needs */
	u->uid_number = 10001;
	free(u->home_directory);
	u->home_directory = NULL;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_ERR_ARG);
	assert_null(mods);
	u->uid_number = -1;
	u->employment = ZA_EMPLOYMENT_UNSET;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_ERR_ARG);
	u->employment = ZA_EMPLOYMENT_TEMPORARY;
	free(u->sn);
	u->sn = NULL;
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_ERR_ARG);
	u->sn = strdup("X");
	u->uid[0] = 'A';
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_ERR_PARSE);
	assert_null(mods);
	assert_int_equal(za_user_to_mods(NULL, &mods, &lg), ZA_ERR_ARG);
	za_user_free(&u);
}

static void
test_token_to_mods(void **state)
{
	struct za_otp_token *t = make_totp("t1");
	struct za_fido2_cred *c = make_cred("f1", p256_der, sizeof(p256_der),
	    ZA_COSE_ES256);
	LDAPMod **mods = NULL;
	LDAPMod *m;

	(void)state;
	assert_int_equal(za_otp_token_to_mods(t, &mods, &lg), ZA_OK);
	m = mod_find(mods, ZA_AT_OBJECT_CLASS);
	assert_non_null(m);
	assert_int_equal(mod_nvals(m), 2);
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "zoneauthToken"));
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "oathTOTPToken"));
	mod_expect(mods, "zaTokenId", "t1");
	mod_expect(mods, "zaTokenKind", "totp");
	mod_expect(mods, "zaTokenStatus", "active");
	mod_expect(mods, "zaTokenCreatedTime", "20261124090000Z");
	mod_expect(mods, "oathTOTPParams",
	    "cn=totp-sha1-6-30,ou=otp-params,dc=example");
	mod_expect(mods, "oathTOTPLastTimeStep", "59836800");
	m = mod_find(mods, "oathSecret");
	assert_non_null(m);
	assert_int_equal(m->mod_bvalues[0]->bv_len, 20);
	assert_memory_equal(m->mod_bvalues[0]->bv_val, rfc6238_seed, 20);
	assert_null(mod_find(mods, "oathHOTPCounter"));
	za_ldap_mods_free(&mods);

	/* HOTP */
	t->kind = ZA_TOKEN_HOTP;
	t->period = 0;
	t->window = 0;
	t->has_last_step = false;
	t->lookahead = 10;
	t->has_counter = true;
	t->counter = 0;
	assert_int_equal(za_otp_token_to_mods(t, &mods, &lg), ZA_OK);
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "oathHOTPToken"));
	mod_expect(mods, "zaTokenKind", "hotp");
	mod_expect(mods, "oathHOTPCounter", "0");
	assert_non_null(mod_find(mods, "oathHOTPParams"));
	assert_null(mod_find(mods, "oathTOTPParams"));
	za_ldap_mods_free(&mods);
	free(t->params_dn);
	t->params_dn = NULL;
	assert_int_equal(za_otp_token_to_mods(t, &mods, &lg), ZA_ERR_ARG);
	assert_null(mods);

	/* FIDO2 */
	assert_int_equal(za_fido2_cred_to_mods(c, &mods, &lg), ZA_OK);
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS, "zoneauthToken"));
	assert_true(mod_has_value(mods, ZA_AT_OBJECT_CLASS,
	    "zoneauthFido2Credential"));
	mod_expect(mods, "zaTokenKind", "fido2");
	mod_expect(mods, "zaFido2Algorithm", "-7");
	mod_expect(mods, "zaFido2Aaguid",
	    "cb69481e-8ff7-4039-93ec-0a2729a154a8");
	mod_expect(mods, "zaFido2SignCount", "42");
	mod_expect(mods, "zaFido2UvKind", "builtin");
	mod_expect(mods, "zaFido2RpId", "pam://zoneauth");
	mod_expect(mods, "zaTokenLabel", "YubiKey 5 NFC");
	m = mod_find(mods, "zaFido2CredentialId");
	assert_non_null(m);
	assert_int_equal(m->mod_bvalues[0]->bv_len, sizeof(cred_id_bytes));
	assert_memory_equal(m->mod_bvalues[0]->bv_val, cred_id_bytes,
	    sizeof(cred_id_bytes));
	m = mod_find(mods, "zaFido2PublicKey");
	assert_non_null(m);
	assert_int_equal(m->mod_bvalues[0]->bv_len, sizeof(p256_der));
	assert_memory_equal(m->mod_bvalues[0]->bv_val, p256_der,
	    sizeof(p256_der));
	za_ldap_mods_free(&mods);
	c->alg = ZA_COSE_EDDSA;
	assert_int_equal(za_fido2_cred_to_mods(c, &mods, &lg), ZA_ERR_PARSE);
	assert_null(mods);
	za_fido2_cred_free(&c);
	za_otp_token_free(&t);
}

/* An entry in memory, served through a za_attr_source. */
#define FE_MAX	256
struct fentry {
	const char *dn;
	size_t n;
	char *name[FE_MAX];
	struct berval val[FE_MAX];
};

static void
fe_add(struct fentry *e, const char *name, const void *v, size_t len)
{
	assert_true(e->n < FE_MAX);
	e->name[e->n] = strdup(name);
	e->val[e->n].bv_val = malloc(len + 1);
	assert_non_null(e->val[e->n].bv_val);
	memcpy(e->val[e->n].bv_val, v, len);
	e->val[e->n].bv_val[len] = '\0';
	e->val[e->n].bv_len = len;
	e->n++;
}

static void
fe_del(struct fentry *e, const char *name)
{
	size_t i, o = 0;

	for (i = 0; i < e->n; i++) {
		if (strcasecmp(e->name[i], name) == 0) {
			free(e->name[i]);
			free(e->val[i].bv_val);
			continue;
		}
		e->name[o] = e->name[i];
		e->val[o++] = e->val[i];
	}
	e->n = o;
}

static void
fe_set(struct fentry *e, const char *name, const char *v)
{
	fe_del(e, name);
	fe_add(e, name, v, strlen(v));
}

static void
fe_clear(struct fentry *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->name[i]);
		free(e->val[i].bv_val);
	}
	e->n = 0;
}

static void
fe_from_mods(struct fentry *e, const char *dn, LDAPMod **mods)
{
	size_t i, j;

	memset(e, 0, sizeof(*e));
	e->dn = dn;
	for (i = 0; mods[i] != NULL; i++)
		for (j = 0; mods[i]->mod_bvalues[j] != NULL; j++)
			fe_add(e, mods[i]->mod_type,
			    mods[i]->mod_bvalues[j]->bv_val,
			    mods[i]->mod_bvalues[j]->bv_len);
}

/* Like ldap_get_values_len: fresh copies the caller gives back. */
static struct berval **
fe_get(void *arg, const char *name)
{
	struct fentry *e = arg;
	struct berval **v;
	size_t i, n = 0;

	for (i = 0; i < e->n; i++)
		if (strcasecmp(e->name[i], name) == 0)
			n++;
	if (n == 0)
		return NULL;
	v = calloc(n + 1, sizeof(*v));
	assert_non_null(v);
	for (i = 0, n = 0; i < e->n; i++) {
		if (strcasecmp(e->name[i], name) != 0)
			continue;
		v[n] = malloc(sizeof(**v));
		assert_non_null(v[n]);
		v[n]->bv_len = e->val[i].bv_len;
		v[n]->bv_val = malloc(e->val[i].bv_len + 1);
		assert_non_null(v[n]->bv_val);
		memcpy(v[n]->bv_val, e->val[i].bv_val, e->val[i].bv_len + 1);
		n++;
	}
	return v;
}

static void
fe_release(void *arg, struct berval **v)
{
	size_t i;

	(void)arg;
	for (i = 0; v[i] != NULL; i++) {
		free(v[i]->bv_val);
		free(v[i]);
	}
	free(v);
}

static struct za_attr_source
fe_source(struct fentry *e)
{
	struct za_attr_source s = { e->dn, fe_get, fe_release, e };

	return s;
}

#define USER_DN	"uid=alice,ou=people,dc=example,dc=lg,dc=jp"
#define TOK_DN	"zaTokenId=t1,uid=alice,ou=people,dc=example,dc=lg,dc=jp"

/* Decode e as a user; want ZA_OK or an error whose log names attr. */
static void
expect_user(struct fentry *e, int want, const char *attr)
{
	struct za_attr_source src = fe_source(e);
	struct za_user *u = NULL;
	int r;

	cap_reset();
	r = za_user_from_attrs(&src, &u, &lg);
	if (r != want)
		fail_msg("got %d, want %d (%s); log:\n%s", r, want,
		    attr ? attr : "-", cap.text);
	if (want != ZA_OK) {
		assert_null(u);
		assert_true(cap_has(e->dn));
		if (attr != NULL && !cap_has(attr))
			fail_msg("log does not name %s:\n%s", attr, cap.text);
	}
	za_user_free(&u);
}

static void
test_user_from_attrs(void **state)
{
	struct za_user *orig = make_user("alice"), *u = NULL;
	struct za_attr_source src;
	struct fentry e;
	LDAPMod **mods = NULL;
	char big[300], val[64];
	size_t i;

	(void)state;
	orig->status_reason = strdup("出向");
	orig->priv.is_privileged = true;
	orig->priv.owner_dn = strdup("uid=boss,ou=people,dc=example");
	orig->priv.checkout_end = 1795510800;
	assert_int_equal(za_user_to_mods(orig, &mods, &lg), ZA_OK);
	fe_from_mods(&e, USER_DN, mods);
	za_ldap_mods_free(&mods);
	src = fe_source(&e);
	/* what the encoder wrote decodes to the same user */
	assert_int_equal(za_user_from_attrs(&src, &u, &lg), ZA_OK);
	assert_string_equal(u->dn, USER_DN);
	assert_string_equal(u->uid, "alice");
	assert_string_equal(u->cn, orig->cn);
	assert_string_equal(u->name_kana, orig->name_kana);
	assert_string_equal(u->status_reason, "出向");
	assert_int_equal(u->employment, orig->employment);
	assert_int_equal(u->status, orig->status);
	assert_int_equal(u->expiry, orig->expiry);
	assert_int_equal(u->last_mfa_time, orig->last_mfa_time);
	assert_string_equal(u->last_mfa_terminal, "term-01");
	assert_int_equal(u->uid_number, 10001);
	assert_int_equal(u->gid_number, 10000);
	assert_int_equal(u->nfailures, 2);
	assert_int_equal(u->failures[0].when, 1795395723);
	assert_string_equal(u->failures[0].terminal, "term-02");
	assert_null(u->failures[1].terminal);
	assert_true(u->priv.is_privileged);
	assert_string_equal(u->priv.owner_dn, orig->priv.owner_dn);
	assert_int_equal(u->priv.checkout_end, 1795510800);
	assert_false(u->pwd_locked);
	assert_false(u->pwd_reset);
	za_user_free(&u);

	/* things the directory adds */
	fe_set(&e, "pwdAccountLockedTime", "000001010000Z");
	fe_set(&e, "pwdReset", "TRUE");
	fe_set(&e, "createTimestamp", "20250101000000Z");
	fe_add(&e, "cn", "Hanako Yamada", 13);	/* a second cn: first wins */
	assert_int_equal(za_user_from_attrs(&src, &u, &lg), ZA_OK);
	assert_true(u->pwd_locked);
	assert_true(u->pwd_reset);
	assert_int_equal(u->create_time, 1735689600);
	assert_string_equal(u->cn, "山田 花子");
	za_user_free(&u);

	/* failure records: sorted, the newest ZA_MAX_AUTH_FAILURES kept */
	fe_del(&e, "zaAuthFailure");
	for (i = 0; i < 40; i++) {
		snprintf(val, sizeof(val), "202611230102%02zuZ %016zx -",
		    59 - i, i);
		fe_add(&e, "zaAuthFailure", val, strlen(val));
	}
	assert_int_equal(za_user_from_attrs(&src, &u, &lg), ZA_OK);
	assert_int_equal(u->nfailures, ZA_MAX_AUTH_FAILURES);
	for (i = 1; i < u->nfailures; i++)
		assert_true(u->failures[i - 1].when <= u->failures[i].when);
	/* seconds 20..59 were written; 20..27 are dropped */
	assert_int_equal(u->failures[0].when, 1795395723 - 3 + 28);
	assert_int_equal(u->failures[ZA_MAX_AUTH_FAILURES - 1].when,
	    1795395723 - 3 + 59);
	za_user_free(&u);
	fe_del(&e, "zaAuthFailure");

	/* malformed values: ZA_ERR_PARSE naming the attribute */
	fe_set(&e, "zaAccountExpiry", "2027-03-31");
	expect_user(&e, ZA_ERR_PARSE, "zaAccountExpiry");
	fe_set(&e, "zaAccountExpiry", "20270231000000Z");
	expect_user(&e, ZA_ERR_PARSE, "zaAccountExpiry");
	fe_set(&e, "zaAccountExpiry", "20270331145959Z");
	expect_user(&e, ZA_OK, NULL);
	fe_set(&e, "zaAccountStatus", "frozen");
	expect_user(&e, ZA_ERR_PARSE, "zaAccountStatus");
	fe_set(&e, "zaAccountStatus", "SUSPENDED");	/* case is ignored */
	expect_user(&e, ZA_OK, NULL);
	fe_add(&e, "zaEmploymentType", "contractor", 10);
	expect_user(&e, ZA_ERR_PARSE, "zaEmploymentType");
	fe_set(&e, "zaEmploymentType", "staff");
	fe_set(&e, "uidNumber", "abc");
	expect_user(&e, ZA_ERR_PARSE, "uidNumber");
	fe_set(&e, "uidNumber", "-1");
	expect_user(&e, ZA_ERR_PARSE, "uidNumber");
	fe_set(&e, "uidNumber", "4294967295");
	expect_user(&e, ZA_ERR_PARSE, "uidNumber");
	fe_set(&e, "uidNumber", "0");
	expect_user(&e, ZA_ERR_PARSE, "uid number");
	fe_set(&e, "uidNumber", "10001");
	fe_set(&e, "pwdReset", "yes");
	expect_user(&e, ZA_ERR_PARSE, "pwdReset");
	fe_set(&e, "pwdReset", "FALSE");
	fe_set(&e, "zaAuthFailure", "garbage");
	expect_user(&e, ZA_ERR_PARSE, "zaAuthFailure");
	fe_del(&e, "zaAuthFailure");
	fe_set(&e, "zaLastMfaLoginTerminal", "a b");
	expect_user(&e, ZA_ERR_PARSE, "zaLastMfaLoginTerminal");
	fe_set(&e, "zaLastMfaLoginTerminal", "term-01");
	fe_set(&e, "employeeNumber", "12a");
	expect_user(&e, ZA_ERR_PARSE, "employeeNumber");
	fe_set(&e, "employeeNumber", "12");
	fe_del(&e, "zaNameKana");
	fe_add(&e, "zaNameKana", "ab\0c", 4);
	expect_user(&e, ZA_ERR_PARSE, "zaNameKana");
	fe_set(&e, "zaNameKana", "\xe3\x83");
	expect_user(&e, ZA_ERR_PARSE, "zaNameKana");
	fe_set(&e, "zaNameKana", "ab\ncd");
	expect_user(&e, ZA_ERR_PARSE, "zaNameKana");
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fe_set(&e, "zaNameKana", big);
	expect_user(&e, ZA_ERR_PARSE, "zaNameKana");
	fe_set(&e, "zaNameKana", "カナ");
	fe_set(&e, "uid", "Alice");
	expect_user(&e, ZA_ERR_PARSE, "uid");
	fe_add(&e, "uid", "alice", 5);
	expect_user(&e, ZA_ERR_PARSE, "uid");	/* two uids */
	fe_del(&e, "uid");
	expect_user(&e, ZA_ERR_PARSE, "uid");
	fe_set(&e, "uid", "alice");
	fe_set(&e, "objectClass", "inetOrgPerson");	/* not privileged now */
	expect_user(&e, ZA_ERR_PARSE, NULL);
	fe_del(&e, "zaPrivOwner");
	fe_del(&e, "zaPrivCheckoutEnd");
	expect_user(&e, ZA_OK, NULL);
	/* no DN in the source: still decodes, messages say so */
	e.dn = NULL;
	src = fe_source(&e);
	assert_int_equal(za_user_from_attrs(&src, &u, &lg), ZA_OK);
	assert_null(u->dn);
	za_user_free(&u);
	assert_int_equal(za_user_from_attrs(NULL, &u, &lg), ZA_ERR_ARG);
	fe_clear(&e);
	za_user_free(&orig);
}

static void
test_token_from_attrs(void **state)
{
	struct za_otp_token *t = make_totp("t1"), *d = NULL;
	struct za_otp_params *p = NULL;
	struct za_attr_source src;
	struct fentry e, pe;
	LDAPMod **mods = NULL;
	unsigned char sec[ZA_SECRET_MAX + 1];

	(void)state;
	assert_int_equal(za_otp_token_to_mods(t, &mods, &lg), ZA_OK);
	fe_from_mods(&e, TOK_DN, mods);
	za_ldap_mods_free(&mods);
	src = fe_source(&e);
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_OK);
	assert_int_equal(d->kind, ZA_TOKEN_TOTP);
	assert_string_equal(d->id, "t1");
	assert_string_equal(d->dn, TOK_DN);
	assert_null(d->owner);
	assert_int_equal(d->secret_len, 20);
	assert_memory_equal(d->secret, rfc6238_seed, 20);
	assert_true(d->has_last_step);
	assert_int_equal(d->last_step, 59836800);
	assert_string_equal(d->params_dn, t->params_dn);
	assert_int_equal(d->digits, 0);	/* parameters not applied */

	/* its parameters entry */
	memset(&pe, 0, sizeof(pe));
	pe.dn = "cn=totp-sha1-6-30,ou=otp-params,dc=example";
	fe_set(&pe, "objectClass", "namedObject");
	fe_add(&pe, "objectClass", "oathTOTPParams", 14);
	fe_set(&pe, "oathOTPLength", "6");
	fe_set(&pe, "oathHMACAlgorithm", "1.2.840.113549.2.7");
	fe_set(&pe, "oathTOTPTimeStepPeriod", "30");
	src = fe_source(&pe);
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg), ZA_OK);
	assert_int_equal(p->kind, ZA_TOKEN_TOTP);
	assert_int_equal(p->window, 0);	/* absent, as the overlay reads it */
	assert_int_equal(za_otp_token_apply_params(d, p, &lg), ZA_OK);
	assert_int_equal(d->digits, 6);
	assert_int_equal(d->period, 30);
	assert_int_equal(za_otp_token_validate(d, &lg), ZA_OK);
	za_otp_params_free(&p);
	za_otp_token_free(&d);
	fe_set(&pe, "oathTOTPTimeStepWindow", "2");
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg), ZA_OK);
	assert_int_equal(p->window, 2);
	za_otp_params_free(&p);
	fe_set(&pe, "oathHMACAlgorithm", "1.2.840.113549.2.8");
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg),
	    ZA_ERR_PARSE);
	fe_set(&pe, "oathHMACAlgorithm", "1.2.840.113549.2.11");
	fe_set(&pe, "oathOTPLength", "10");
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg),
	    ZA_ERR_PARSE);
	fe_set(&pe, "oathOTPLength", "8");
	fe_add(&pe, "objectClass", "oathHOTPParams", 14);
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg),
	    ZA_ERR_PARSE);
	fe_set(&pe, "objectClass", "oathHOTPParams");
	fe_del(&pe, "oathTOTPTimeStepPeriod");
	fe_del(&pe, "oathTOTPTimeStepWindow");
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg),
	    ZA_ERR_PARSE);	/* HOTP without look-ahead */
	fe_set(&pe, "oathHOTPLookAhead", "10");
	assert_int_equal(za_otp_params_from_attrs(&src, &p, &lg), ZA_OK);
	assert_int_equal(p->kind, ZA_TOKEN_HOTP);
	assert_int_equal(p->alg, ZA_OTP_SHA512);
	assert_int_equal(p->lookahead, 10);
	za_otp_params_free(&p);
	fe_clear(&pe);

	/* malformed token entries */
	src = fe_source(&e);
	fe_set(&e, "oathTOTPLastTimeStep", "12x");
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	assert_true(cap_has("oathTOTPLastTimeStep"));
	fe_set(&e, "oathTOTPLastTimeStep", "18446744073709551616");
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_set(&e, "oathTOTPLastTimeStep", "18446744073709551615");
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_OK);
	assert_int_equal(d->last_step, UINT64_MAX);
	za_otp_token_free(&d);
	fe_set(&e, "zaTokenKind", "hotp");
	cap_reset();
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	assert_true(cap_has("zaTokenKind"));
	fe_set(&e, "zaTokenKind", "totp");
	fe_add(&e, "objectClass", "oathHOTPToken", 13);
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_set(&e, "objectClass", "zoneauthToken");
	fe_add(&e, "objectClass", "OATHTOTPTOKEN", 13);	/* any case */
	fe_set(&e, "zaTokenStatus", "lost");
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_set(&e, "zaTokenStatus", "revoked");
	fe_del(&e, "oathSecret");
	cap_reset();
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	assert_true(cap_has("oathSecret"));
	memset(sec, 0x5a, sizeof(sec));
	fe_add(&e, "oathSecret", sec, sizeof(sec));
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_del(&e, "oathSecret");
	fe_add(&e, "oathSecret", sec, 8);	/* shorter than 128 bits */
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_del(&e, "oathSecret");
	fe_add(&e, "oathSecret", sec, ZA_SECRET_MAX);
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_OK);
	assert_int_equal(d->status, ZA_TOKEN_REVOKED);
	za_otp_token_free(&d);
	fe_del(&e, "zaTokenId");
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_ERR_PARSE);
	fe_set(&e, "zaTokenId", "t1");
	fe_set(&e, "oathHOTPCounter", "1");	/* HOTP state on a TOTP token */
	assert_int_equal(za_otp_token_from_attrs(&src, &d, &lg), ZA_OK);
	assert_false(d->has_counter);	/* not read for TOTP */
	za_otp_token_free(&d);
	fe_clear(&e);
	za_otp_token_free(&t);
}

static void
test_fido2_from_attrs(void **state)
{
	struct za_fido2_cred *c = make_cred("f1", p256_der, sizeof(p256_der),
	    ZA_COSE_ES256), *d = NULL;
	struct za_attr_source src;
	struct fentry e;
	LDAPMod **mods = NULL;
	unsigned char big[ZA_PUBKEY_MAX + 1];
	char *m1 = NULL, *m2 = NULL;

	(void)state;
	assert_int_equal(za_fido2_cred_to_mods(c, &mods, &lg), ZA_OK);
	fe_from_mods(&e, TOK_DN, mods);
	za_ldap_mods_free(&mods);
	src = fe_source(&e);
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg), ZA_OK);
	assert_string_equal(d->id, "f1");
	assert_string_equal(d->label, c->label);
	assert_int_equal(d->alg, ZA_COSE_ES256);
	assert_int_equal(d->sign_count, 42);
	assert_int_equal(d->uv, ZA_UV_BUILTIN);
	assert_memory_equal(d->aaguid, c->aaguid, 16);
	assert_string_equal(d->rp_id, "pam://zoneauth");
	assert_int_equal(d->created, c->created);
	assert_int_equal(za_fido2_cred_sssd_mapping(c, &m1), ZA_OK);
	assert_int_equal(za_fido2_cred_sssd_mapping(d, &m2), ZA_OK);
	assert_string_equal(m1, m2);
	free(m1);
	free(m2);
	za_fido2_cred_free(&d);

	memset(big, 0x30, sizeof(big));
	fe_set(&e, "zaFido2Aaguid", "cb69481e-8ff7-4039-93ec-0a2729a154a");
	cap_reset();
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	assert_true(cap_has("zaFido2Aaguid"));
	assert_true(cap_has(TOK_DN));
	fe_set(&e, "zaFido2Aaguid", "cb69481e-8ff7-4039-93ec-0a2729a154a8");
	fe_del(&e, "zaFido2CredentialId");
	fe_add(&e, "zaFido2CredentialId", big, ZA_CRED_ID_MAX + 1);
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_del(&e, "zaFido2CredentialId");
	fe_add(&e, "zaFido2CredentialId", big, ZA_CRED_ID_MAX);
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg), ZA_OK);
	za_fido2_cred_free(&d);
	fe_del(&e, "zaFido2PublicKey");
	fe_add(&e, "zaFido2PublicKey", big, ZA_PUBKEY_MAX + 1);
	cap_reset();
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	assert_true(cap_has("zaFido2PublicKey"));
	fe_del(&e, "zaFido2PublicKey");
	fe_add(&e, "zaFido2PublicKey", ed_der, sizeof(ed_der));
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);	/* Ed25519 key, ES256 algorithm */
	fe_set(&e, "zaFido2Algorithm", "-8");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg), ZA_OK);
	za_fido2_cred_free(&d);
	fe_set(&e, "zaFido2Algorithm", "ES256");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_set(&e, "zaFido2Algorithm", "-8");
	fe_set(&e, "zaFido2SignCount", "-1");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_set(&e, "zaFido2SignCount", "4294967296");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_set(&e, "zaFido2SignCount", "4294967295");
	fe_set(&e, "zaFido2UvKind", "face");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_set(&e, "zaFido2UvKind", "pin");
	fe_set(&e, "zaTokenKind", "totp");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_set(&e, "zaTokenKind", "fido2");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg), ZA_OK);
	assert_int_equal(d->sign_count, UINT32_MAX);
	za_fido2_cred_free(&d);
	fe_set(&e, "objectClass", "zoneauthToken");
	assert_int_equal(za_fido2_cred_from_attrs(&src, &d, &lg),
	    ZA_ERR_PARSE);
	fe_clear(&e);
	za_fido2_cred_free(&c);
}

/* ---------------------------------------------------------------- slapd */
struct ldapenv {
	LDAP *ld;
	const char *base;
};

static const char *
env2(const char *a, const char *b)
{
	const char *v = getenv(a);

	return v != NULL && *v != '\0' ? v : getenv(b);
}

/* The administrator's password: from ZA_TEST_ADMIN_PW_FILE or ADMIN_PW. */
static int
admin_pw(char *buf, size_t bufsz)
{
	const char *file = env2("ZA_TEST_ADMIN_PW_FILE", "ADMIN_PW_FILE");
	const char *pw = getenv("ADMIN_PW");
	FILE *f;

	if (file != NULL && *file != '\0') {
		if ((f = fopen(file, "r")) == NULL)
			return -1;
		if (fgets(buf, (int)bufsz, f) == NULL)
			buf[0] = '\0';
		fclose(f);
		buf[strcspn(buf, "\r\n")] = '\0';
		return buf[0] != '\0' ? 0 : -1;
	}
	if (pw == NULL || *pw == '\0' || strlen(pw) >= bufsz)
		return -1;
	memcpy(buf, pw, strlen(pw) + 1);
	return 0;
}

/*
 * Connect as the administrator, or skip the test saying why.  The
 * variables are those tests/integration/dir.sh exports for test_dir.
 */
static int
tl_connect(struct ldapenv *le)
{
	const char *uri = getenv("ZA_TEST_LDAP_URI");
	const char *dn = env2("ZA_TEST_ADMIN_DN", "ADMIN_DN");
	char pw[256];
	struct berval cred;
	int v3 = LDAP_VERSION3, rc;

	le->ld = NULL;
	le->base = env2("ZA_TEST_BASE_DN", "BASE_DN");
	if (uri == NULL || *uri == '\0' || dn == NULL || le->base == NULL ||
	    admin_pw(pw, sizeof(pw)) != 0) {
		print_message("skipped: set ZA_TEST_LDAP_URI, ZA_TEST_BASE_DN, "
		    "ZA_TEST_ADMIN_DN and ZA_TEST_ADMIN_PW_FILE (as "
		    "tests/integration/dir.sh does with contrib/slapd-sandbox) "
		    "to test the decoders against a real slapd\n");
		return -1;
	}
	assert_int_equal(ldap_initialize(&le->ld, uri), LDAP_SUCCESS);
	assert_int_equal(ldap_set_option(le->ld, LDAP_OPT_PROTOCOL_VERSION,
	    &v3), LDAP_OPT_SUCCESS);
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	rc = ldap_sasl_bind_s(le->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
	za_wipe(pw, sizeof(pw));
	if (rc != LDAP_SUCCESS)
		fail_msg("bind to %s as %s: %s", uri, dn, ldap_err2string(rc));
	return 0;
}

/* Read one entry (all user and operational attributes). */
static LDAPMessage *
tl_read(LDAP *ld, const char *dn)
{
	char *attrs[] = { "*", "+", NULL };
	LDAPMessage *res = NULL;
	int rc;

	rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, 0, &res);
	if (rc != LDAP_SUCCESS)
		fail_msg("read %s: %s", dn, ldap_err2string(rc));
	assert_non_null(ldap_first_entry(ld, res));
	return res;
}

static void
tl_add_mods(LDAP *ld, const char *dn, LDAPMod **mods)
{
	int rc = ldap_add_ext_s(ld, dn, mods, NULL, NULL);

	if (rc != LDAP_SUCCESS)
		fail_msg("add %s: %s", dn, ldap_err2string(rc));
}

/* Whatever the directory already holds decodes without error. */
static void
test_ldap_existing_entries(void **state)
{
	static const char *filters[] = {
		"(objectClass=inetOrgPerson)", "(objectClass=oathTOTPToken)",
		"(objectClass=oathHOTPToken)",
		"(objectClass=zoneauthFido2Credential)",
		"(|(objectClass=oathTOTPParams)(objectClass=oathHOTPParams))",
	};
	char *attrs[] = { "*", "+", NULL };
	struct ldapenv le;
	LDAPMessage *res, *e;
	size_t i, n;
	void *obj;
	int rc;

	(void)state;
	if (tl_connect(&le) != 0) {
		skip();
		return;
	}
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		res = NULL;
		rc = ldap_search_ext_s(le.ld, le.base, LDAP_SCOPE_SUBTREE,
		    filters[i], attrs, 0, NULL, NULL, NULL, 0, &res);
		assert_int_equal(rc, LDAP_SUCCESS);
		n = 0;
		for (e = ldap_first_entry(le.ld, res); e != NULL;
		    e = ldap_next_entry(le.ld, e), n++) {
			obj = NULL;
			cap_reset();
			switch (i) {
			case 0:
				rc = za_user_from_entry(le.ld, e,
				    (struct za_user **)&obj, &lg);
				za_user_free((struct za_user **)&obj);
				break;
			case 1:
			case 2:
				rc = za_otp_token_from_entry(le.ld, e,
				    (struct za_otp_token **)&obj, &lg);
				za_otp_token_free((struct za_otp_token **)&obj);
				break;
			case 3:
				rc = za_fido2_cred_from_entry(le.ld, e,
				    (struct za_fido2_cred **)&obj, &lg);
				za_fido2_cred_free(
				    (struct za_fido2_cred **)&obj);
				break;
			default:
				rc = za_otp_params_from_entry(le.ld, e,
				    (struct za_otp_params **)&obj, &lg);
				za_otp_params_free(
				    (struct za_otp_params **)&obj);
				break;
			}
			if (rc != ZA_OK)
				fail_msg("%s: %s", filters[i], cap.text);
		}
		print_message("%s: %zu entries decoded\n", filters[i], n);
		ldap_msgfree(res);
	}
	ldap_unbind_ext_s(le.ld, NULL, NULL);
}

/* Encode, ldap_add, read back, decode: the same objects. */
static void
test_ldap_round_trip(void **state)
{
	struct ldapenv le;
	struct za_user *u = NULL, *du = NULL;
	struct za_otp_token *t = NULL, *dt = NULL;
	struct za_fido2_cred *c = NULL, *dc = NULL;
	struct za_otp_params *p = NULL;
	char udn[512], tdn[600], fdn[600], pdn[512], uid[32];
	LDAPMod **mods = NULL;
	LDAPMessage *res;
	int rc;

	(void)state;
	if (tl_connect(&le) != 0) {
		skip();
		return;
	}
	snprintf(uid, sizeof(uid), "zatest%ld", (long)getpid());
	snprintf(udn, sizeof(udn), "uid=%s,ou=people,%s", uid, le.base);
	snprintf(tdn, sizeof(tdn), "zaTokenId=t1,%s", udn);
	snprintf(fdn, sizeof(fdn), "zaTokenId=f1,%s", udn);
	snprintf(pdn, sizeof(pdn), "cn=totp-sha1-6-30,ou=otp-params,%s",
	    le.base);
	/* leftovers of an interrupted run */
	ldap_delete_ext_s(le.ld, tdn, NULL, NULL);
	ldap_delete_ext_s(le.ld, fdn, NULL, NULL);
	ldap_delete_ext_s(le.ld, udn, NULL, NULL);

	u = make_user(uid);
	u->status_reason = strdup("出向 (県庁)");
	u->priv.is_privileged = true;
	u->priv.owner_dn = strdup(udn);
	u->priv.rotation_days = 30;
	u->priv.checkout_start = 1795478400;
	u->priv.checkout_end = 1795507200;
	u->approval_ref = strdup("PRIV-2026-001");
	assert_int_equal(za_user_to_mods(u, &mods, &lg), ZA_OK);
	tl_add_mods(le.ld, udn, mods);
	za_ldap_mods_free(&mods);

	t = make_totp("t1");
	free(t->params_dn);
	t->params_dn = strdup(pdn);
	assert_int_equal(za_otp_token_to_mods(t, &mods, &lg), ZA_OK);
	tl_add_mods(le.ld, tdn, mods);
	za_ldap_mods_free(&mods);

	c = make_cred("f1", p256_der, sizeof(p256_der), ZA_COSE_ES256);
	assert_int_equal(za_fido2_cred_to_mods(c, &mods, &lg), ZA_OK);
	tl_add_mods(le.ld, fdn, mods);
	za_ldap_mods_free(&mods);

	res = tl_read(le.ld, udn);
	cap_reset();
	rc = za_user_from_entry(le.ld, ldap_first_entry(le.ld, res), &du, &lg);
	if (rc != ZA_OK)
		fail_msg("%s", cap.text);
	ldap_msgfree(res);
	assert_string_equal(du->uid, uid);
	assert_true(strcasecmp(du->dn, udn) == 0);
	assert_string_equal(du->cn, u->cn);
	assert_string_equal(du->name_kana, u->name_kana);
	assert_string_equal(du->status_reason, u->status_reason);
	assert_int_equal(du->expiry, u->expiry);
	assert_int_equal(du->uid_number, u->uid_number);
	assert_int_equal(du->nfailures, 2);
	assert_string_equal(du->failures[0].terminal, "term-02");
	assert_true(du->priv.is_privileged);
	assert_int_equal(du->priv.checkout_end, u->priv.checkout_end);
	assert_string_equal(du->approval_ref, "PRIV-2026-001");
	assert_true(du->create_time > 0);	/* slapd's createTimestamp */

	res = tl_read(le.ld, tdn);
	assert_int_equal(za_otp_token_from_entry(le.ld,
	    ldap_first_entry(le.ld, res), &dt, &lg), ZA_OK);
	ldap_msgfree(res);
	assert_int_equal(dt->secret_len, 20);
	assert_memory_equal(dt->secret, rfc6238_seed, 20);
	assert_int_equal(dt->last_step, 59836800);
	assert_true(strcasecmp(dt->params_dn, pdn) == 0);
	res = tl_read(le.ld, pdn);
	assert_int_equal(za_otp_params_from_entry(le.ld,
	    ldap_first_entry(le.ld, res), &p, &lg), ZA_OK);
	ldap_msgfree(res);
	assert_int_equal(za_otp_token_apply_params(dt, p, &lg), ZA_OK);
	assert_int_equal(dt->digits, 6);
	assert_int_equal(dt->alg, ZA_OTP_SHA1);
	assert_int_equal(dt->period, 30);

	res = tl_read(le.ld, fdn);
	assert_int_equal(za_fido2_cred_from_entry(le.ld,
	    ldap_first_entry(le.ld, res), &dc, &lg), ZA_OK);
	ldap_msgfree(res);
	assert_int_equal(dc->pubkey_len, sizeof(p256_der));
	assert_memory_equal(dc->pubkey, p256_der, sizeof(p256_der));
	assert_memory_equal(dc->cred_id, cred_id_bytes, sizeof(cred_id_bytes));
	assert_int_equal(dc->sign_count, 42);
	assert_memory_equal(dc->aaguid, c->aaguid, 16);

	assert_int_equal(ldap_delete_ext_s(le.ld, tdn, NULL, NULL),
	    LDAP_SUCCESS);
	assert_int_equal(ldap_delete_ext_s(le.ld, fdn, NULL, NULL),
	    LDAP_SUCCESS);
	assert_int_equal(ldap_delete_ext_s(le.ld, udn, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(le.ld, NULL, NULL);
	za_user_free(&u);
	za_user_free(&du);
	za_otp_token_free(&t);
	za_otp_token_free(&dt);
	za_otp_params_free(&p);
	za_fido2_cred_free(&c);
	za_fido2_cred_free(&dc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_round_trips),
		cmocka_unit_test(test_enum_rejects),
		cmocka_unit_test(test_valid_uid),
		cmocka_unit_test(test_valid_other),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_aaguid),
		cmocka_unit_test(test_auth_failure),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_validate_objects),
		cmocka_unit_test(test_apply_params),
		cmocka_unit_test(test_sssd_mapping),
		cmocka_unit_test(test_store_canonical_round_trip),
		cmocka_unit_test(test_store_normalizes),
		cmocka_unit_test(test_store_from_objects),
		cmocka_unit_test(test_store_errors),
		cmocka_unit_test(test_store_no_secret_in_log),
		cmocka_unit_test(test_user_to_mods),
		cmocka_unit_test(test_token_to_mods),
		cmocka_unit_test(test_user_from_attrs),
		cmocka_unit_test(test_token_from_attrs),
		cmocka_unit_test(test_fido2_from_attrs),
		cmocka_unit_test(test_ldap_existing_entries),
		cmocka_unit_test(test_ldap_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
