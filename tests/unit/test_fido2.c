/*
 * Unit tests for the FIDO2 library layer (lib/fido2*.c) and the pam_u2f
 * authfile import (lib/u2f_import.c), against the software authenticator
 * (tests/softfido).  This program is linked with tests/softfido/shim.c, so
 * the library's own fido_dev_info_manifest()/fido_dev_open() calls reach
 * softfido exactly as they do under LD_PRELOAD=libsoftfido_shim.so; each
 * test gets a fresh device (state file) and sets its SOFTFIDO_* knobs,
 * which softfido reads at every open.
 *
 * The pamu2fcfg cross-check needs the shim preloaded into pamu2fcfg:
 * tests/integration/fido2_lib.sh runs it and passes the authfile in
 * ZA_TEST_U2F_AUTHFILE (and the device in ZA_TEST_U2F_STATE); run alone,
 * that test says so and is skipped.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <fido.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"
#include "za_model.h"
#include "za_policy.h"
#include "za_u2f_import.h"

#include "softfido.h"

#define RP		"login.zoneauth.test"
#define APPID		"pam://old-appid"
#define TEST_PIN	"246810"
#define WRONG_PIN	"135791"
#define TIMEOUT		5000
#define SOFT_AAGUID	"736f6674-6669-646f-8000-000000000001"
#define LOGBUF		16384

static const char *const knobs[] = {
	"SOFTFIDO_STATE", "SOFTFIDO_CA_DIR", "SOFTFIDO_UV", "SOFTFIDO_FINGER",
	"SOFTFIDO_PIN", "SOFTFIDO_TOUCH", "SOFTFIDO_TOUCH_TIMEOUT_MS",
	"SOFTFIDO_ABSENT", "SOFTFIDO_AAGUID", "SOFTFIDO_COUNTER",
	"SOFTFIDO_ATTEST", "SOFTFIDO_VERSION", "SOFTFIDO_PIN_PROTOCOLS",
	"FIDO_DEBUG",
};

struct fx {
	char dir[256];
	char state[512];
	char log[LOGBUF];
	size_t loglen;
	struct za_log lg;
};

/* ------------------------------------------------------------------ fixture */
static void
capture(void *arg, int priority, const char *line)
{
	struct fx *fx = arg;
	int n;

	(void)priority;
	if (fx->loglen >= sizeof(fx->log) - 1)
		return;
	n = snprintf(fx->log + fx->loglen, sizeof(fx->log) - fx->loglen,
	    "%s\n", line);
	if (n > 0)
		fx->loglen += (size_t)n;
	if (fx->loglen >= sizeof(fx->log))
		fx->loglen = sizeof(fx->log) - 1;
}

static void
log_reset(struct fx *fx)
{
	fx->log[0] = '\0';
	fx->loglen = 0;
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fx *fx;
	size_t i;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/za-fido2.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		unsetenv(knobs[i]);
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->dir);
	setenv("SOFTFIDO_STATE", fx->state, 1);
	setenv("SOFTFIDO_CA_DIR", fx->dir, 1);
	fx->lg.emit = capture;
	fx->lg.arg = fx;
	fx->lg.debug = 1;
	*state = fx;
	return 0;
}

static void
rm_tree(const char *dir)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char p[1024];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	rm_tree(fx->dir);
	free(fx);
	return 0;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000L +
	    (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* ------------------------------------------------------------------ helpers */
static void
init_enrol(struct za_fido2_enrol_req *req, enum za_uv_kind uv, const char *pin)
{
	memset(req, 0, sizeof(*req));
	req->rp_id = RP;
	req->rp_name = "zoneauth";
	req->user.name = "alice";
	req->user.display_name = "Alice";
	req->uv = uv;
	req->pin = pin;
	req->timeout_ms = TIMEOUT;
}

/* Enrol with the first device; returns the za_fido2_enrol result. */
static int
enrol(struct fx *fx, enum za_uv_kind uv, const char *pin,
    const struct za_fido2_attest_policy *pol, struct za_fido2_cred **out,
    struct za_fido2_result *res)
{
	struct za_fido2_enrol_req req;

	init_enrol(&req, uv, pin);
	return za_fido2_enrol(NULL, &req, pol, out, res, &fx->lg);
}

static struct za_fido2_cred *
enrol_ok(struct fx *fx, enum za_uv_kind uv, const char *pin)
{
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;

	assert_int_equal(enrol(fx, uv, pin, NULL, &c, &res), ZA_OK);
	assert_int_equal(res.reason, ZA_FIDO2_R_NONE);
	assert_non_null(c);
	/* Give it what the caller would, then the model must accept it. */
	assert_non_null(c->id = strdup("fido2-test"));
	assert_int_equal(za_fido2_cred_validate(c, &fx->lg), ZA_OK);
	return c;
}

static int
auth(struct fx *fx, struct za_fido2_cred *const *creds, size_t n,
    enum za_uv_kind need, const char *pin, int timeout_ms,
    struct za_fido2_assertion *out, struct za_fido2_result *res)
{
	struct za_fido2_auth_req req;

	memset(&req, 0, sizeof(req));
	req.rp_id = RP;
	req.creds = creds;
	req.ncreds = n;
	req.need = need;
	req.pin = pin;
	req.timeout_ms = timeout_ms;
	return za_fido2_authenticate(NULL, &req, out, res, &fx->lg);
}

static void
ca_path(const struct fx *fx, char *buf, size_t n)
{
	snprintf(buf, n, "%s/softfido-ca.crt", fx->dir);
}

/* Open the device once so softfido creates its test CA. */
static void
make_ca(struct fx *fx)
{
	struct za_fido2_dev *d = NULL;
	struct stat st;
	char p[1024];

	assert_int_equal(za_fido2_dev_open(SOFTFIDO_PATH, TIMEOUT, &d,
	    NULL, &fx->lg), ZA_OK);
	za_fido2_dev_close(&d);
	assert_null(d);
	snprintf(p, sizeof(p), "%s/softfido-ca.crt",
	    getenv("SOFTFIDO_CA_DIR"));
	assert_int_equal(stat(p, &st), 0);
}

static int
log_has(const struct fx *fx, const char *s)
{
	return strstr(fx->log, s) != NULL;
}

/* ------------------------------------------------------------------ devices */
static void
test_find_devices(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_devinfo devs[4];
	struct timespec t0;
	size_t n = 99;
	long ms;

	assert_int_equal(za_fido2_find_devices(0, devs, 4, &n, &fx->lg),
	    ZA_OK);
	assert_int_equal(n, 1);
	assert_string_equal(devs[0].path, SOFTFIDO_PATH);

	/* No device: the wait is bounded by the timeout. */
	setenv("SOFTFIDO_ABSENT", "1", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(za_fido2_find_devices(400, devs, 4, &n, &fx->lg),
	    ZA_OK);
	ms = ms_since(&t0);
	assert_int_equal(n, 0);
	assert_true(ms >= 350 && ms < 3000);

	assert_int_equal(za_fido2_find_devices(0, devs, 0, &n, &fx->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_fido2_find_devices(-1, devs, 4, &n, &fx->lg),
	    ZA_ERR_ARG);
}

static void
test_open_and_caps(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_dev *d = NULL;
	struct za_fido2_caps caps;
	struct za_fido2_result res;
	unsigned char want[ZA_AAGUID_LEN];
	int retries = -1;

	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	assert_int_equal(za_fido2_dev_open_first(TIMEOUT, &d, &res, &fx->lg),
	    ZA_OK);
	assert_string_equal(za_fido2_dev_path(d), SOFTFIDO_PATH);
	assert_int_equal(za_fido2_dev_caps(d, &caps), ZA_OK);
	assert_true(caps.fido2);
	assert_true(caps.pin_supported);
	assert_true(caps.pin_set);
	assert_false(caps.uv_builtin);
	assert_true(caps.es256);
	assert_true(caps.eddsa);
	assert_false(caps.prefers_eddsa);
	assert_int_equal(caps.max_creds_in_list, 64);
	assert_int_equal(za_aaguid_parse(SOFT_AAGUID, strlen(SOFT_AAGUID),
	    want), ZA_OK);
	assert_memory_equal(caps.aaguid, want, ZA_AAGUID_LEN);
	assert_int_equal(za_fido2_dev_pin_retries(d, TIMEOUT, &retries, &res,
	    &fx->lg), ZA_OK);
	assert_int_equal(retries, 8);
	za_fido2_dev_close(&d);
	za_fido2_dev_close(&d);		/* NULL is fine */

	/* Built-in UV shows in the capabilities. */
	setenv("SOFTFIDO_UV", "builtin", 1);
	assert_int_equal(za_fido2_dev_open(SOFTFIDO_PATH, TIMEOUT, &d,
	    &res, &fx->lg), ZA_OK);
	assert_int_equal(za_fido2_dev_caps(d, &caps), ZA_OK);
	assert_true(caps.uv_builtin);
	za_fido2_dev_close(&d);

	/* An absent device cannot be opened, by path or as "first". */
	setenv("SOFTFIDO_ABSENT", "1", 1);
	assert_int_equal(za_fido2_dev_open(SOFTFIDO_PATH, TIMEOUT, &d,
	    &res, &fx->lg), ZA_ERR_NOT_FOUND);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_DEVICE);
	assert_null(d);
	assert_int_equal(za_fido2_dev_open_first(300, &d, &res, &fx->lg),
	    ZA_ERR_NOT_FOUND);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_DEVICE);
	assert_null(d);
	assert_int_equal(za_fido2_dev_open(SOFTFIDO_PATH, 0, &d, &res,
	    &fx->lg), ZA_ERR_ARG);
}

/* ------------------------------------------------------------------ enrol */
static void
test_enrol_self(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_cred *c;
	unsigned char want[ZA_AAGUID_LEN];
	const unsigned char *p;
	EVP_PKEY *pk;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	assert_int_equal(c->alg, ZA_COSE_ES256);
	assert_int_equal(c->uv, ZA_UV_NONE);
	assert_int_equal(c->status, ZA_TOKEN_ACTIVE);
	assert_string_equal(c->rp_id, RP);
	assert_true(c->cred_id_len > 0);
	assert_int_equal(za_aaguid_parse(SOFT_AAGUID, strlen(SOFT_AAGUID),
	    want), ZA_OK);
	assert_memory_equal(c->aaguid, want, ZA_AAGUID_LEN);
	p = c->pubkey;
	assert_non_null(pk = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len));
	assert_true(EVP_PKEY_is_a(pk, "EC"));
	EVP_PKEY_free(pk);
	za_fido2_cred_free(&c);
	assert_null(c);
}

static void
test_enrol_ca(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_attest_policy pol;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;
	char ca[512];

	setenv("SOFTFIDO_ATTEST", "ca", 1);
	make_ca(fx);
	ca_path(fx, ca, sizeof(ca));
	memset(&pol, 0, sizeof(pol));
	pol.ca_file = ca;
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res), ZA_OK);
	assert_non_null(c);
	za_fido2_cred_free(&c);

	/* Full attestation is also accepted (signature checked) with no CA. */
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, NULL, &c, &res), ZA_OK);
	za_fido2_cred_free(&c);

	/* A CA is required but the key attests itself: refused. */
	setenv("SOFTFIDO_ATTEST", "self", 1);
	log_reset(fx);
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res),
	    ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_ATTESTATION);
	assert_non_null(strstr(res.msg, "self attestation"));
	assert_true(log_has(fx, "self attestation"));
	assert_null(c);
}

static void
test_enrol_ca_untrusted(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_attest_policy pol;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;
	char other[512], ca[512];

	/* The CA of another softfido installation is not ours. */
	snprintf(other, sizeof(other), "%s/other", fx->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	setenv("SOFTFIDO_ATTEST", "ca", 1);
	setenv("SOFTFIDO_CA_DIR", other, 1);
	make_ca(fx);		/* the device's CA, in other/ */
	setenv("SOFTFIDO_CA_DIR", fx->dir, 1);
	make_ca(fx);		/* a second CA in dir/ */
	setenv("SOFTFIDO_CA_DIR", other, 1);
	ca_path(fx, ca, sizeof(ca));
	memset(&pol, 0, sizeof(pol));
	pol.ca_file = ca;
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res),
	    ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_ATTESTATION);
	assert_non_null(strstr(res.msg, "does not chain"));
	assert_null(c);

	/* A CA file that is missing or holds no certificate: config error. */
	snprintf(ca, sizeof(ca), "%s/missing.pem", fx->dir);
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res),
	    ZA_ERR_IO);
	snprintf(ca, sizeof(ca), "%s", fx->state);
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res),
	    ZA_ERR_CONFIG);
	assert_null(c);
}

static void
test_enrol_aaguid_allowlist(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_attest_policy pol;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;
	unsigned char allowed[2][ZA_AAGUID_LEN];
	const char *issued = "6d756e69-6369-7061-6c00-000000000042";
	char ca[512];

	assert_int_equal(za_aaguid_parse(issued, strlen(issued), allowed[0]),
	    ZA_OK);
	memset(allowed[1], 0xee, ZA_AAGUID_LEN);
	memset(&pol, 0, sizeof(pol));
	pol.aaguids = (const unsigned char (*)[ZA_AAGUID_LEN])allowed;
	pol.naaguids = 2;

	/* softfido's default model is not on the list: named and refused. */
	log_reset(fx);
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res),
	    ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_AAGUID);
	assert_non_null(strstr(res.msg, SOFT_AAGUID));
	assert_true(log_has(fx, SOFT_AAGUID));
	assert_null(c);

	/* The issued model is accepted, with self and with CA attestation. */
	setenv("SOFTFIDO_AAGUID", issued, 1);
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res), ZA_OK);
	assert_memory_equal(c->aaguid, allowed[0], ZA_AAGUID_LEN);
	za_fido2_cred_free(&c);
	setenv("SOFTFIDO_ATTEST", "ca", 1);
	make_ca(fx);
	ca_path(fx, ca, sizeof(ca));
	pol.ca_file = ca;
	assert_int_equal(enrol(fx, ZA_UV_NONE, NULL, &pol, &c, &res), ZA_OK);
	za_fido2_cred_free(&c);
}

static void
test_enrol_uv(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;

	/* Built-in UV asked of a key without it: refused before a touch. */
	assert_int_equal(enrol(fx, ZA_UV_BUILTIN, NULL, NULL, &c, &res),
	    ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_UV_UNSUPPORTED);
	assert_non_null(strstr(res.msg, "built-in user verification"));
	assert_null(c);

	/* A PIN asked of a key without a PIN. */
	assert_int_equal(enrol(fx, ZA_UV_PIN, TEST_PIN, NULL, &c, &res),
	    ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_PIN_NOT_SET);

	/* Argument rules. */
	assert_int_equal(enrol(fx, ZA_UV_PIN, NULL, NULL, &c, &res),
	    ZA_ERR_ARG);
	assert_int_equal(enrol(fx, ZA_UV_BUILTIN, TEST_PIN, NULL, &c, &res),
	    ZA_ERR_ARG);

	setenv("SOFTFIDO_UV", "builtin", 1);
	assert_int_equal(enrol(fx, ZA_UV_BUILTIN, NULL, NULL, &c, &res),
	    ZA_OK);
	assert_int_equal(c->uv, ZA_UV_BUILTIN);
	za_fido2_cred_free(&c);

	/* A finger that does not match fails the enrolment. */
	setenv("SOFTFIDO_FINGER", "nomatch", 1);
	assert_int_equal(enrol(fx, ZA_UV_BUILTIN, NULL, NULL, &c, &res),
	    ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_UV_FAILED);
	assert_null(c);
}

static void
test_enrol_pin(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;

	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	assert_int_equal(enrol(fx, ZA_UV_PIN, TEST_PIN, NULL, &c, &res),
	    ZA_OK);
	assert_int_equal(c->uv, ZA_UV_PIN);
	za_fido2_cred_free(&c);

	assert_int_equal(enrol(fx, ZA_UV_PIN, WRONG_PIN, NULL, &c, &res),
	    ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_PIN_INVALID);
	assert_int_equal(res.retries, 7);
	assert_null(c);
	/* The wrong PIN is never logged. */
	assert_false(log_has(fx, WRONG_PIN));
	assert_null(strstr(res.msg, WRONG_PIN));
}

static void
test_enrol_eddsa_and_exclude(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_attest_policy pol;
	struct za_fido2_enrol_req req;
	struct za_fido2_result res;
	struct za_fido2_assertion as;
	struct za_fido2_cred *c = NULL, *c2 = NULL;
	const unsigned char *p;
	EVP_PKEY *pk;

	/* EdDSA needs the policy's consent. */
	init_enrol(&req, ZA_UV_NONE, NULL);
	req.alg = ZA_COSE_EDDSA;
	assert_int_equal(za_fido2_enrol(NULL, &req, NULL, &c, &res, &fx->lg),
	    ZA_ERR_DENIED);
	memset(&pol, 0, sizeof(pol));
	pol.allow_eddsa = 1;
	assert_int_equal(za_fido2_enrol(NULL, &req, &pol, &c, &res, &fx->lg),
	    ZA_OK);
	assert_int_equal(c->alg, ZA_COSE_EDDSA);
	p = c->pubkey;
	assert_non_null(pk = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len));
	assert_true(EVP_PKEY_is_a(pk, "ED25519"));
	EVP_PKEY_free(pk);
	assert_non_null(c->id = strdup("fido2-ed"));
	assert_int_equal(za_fido2_cred_validate(c, &fx->lg), ZA_OK);
	/* Automatic choice: softfido lists ES256 first. */
	req.alg = 0;
	assert_int_equal(za_fido2_enrol(NULL, &req, &pol, &c2, &res,
	    &fx->lg), ZA_OK);
	assert_int_equal(c2->alg, ZA_COSE_ES256);
	za_fido2_cred_free(&c2);

	/* The EdDSA credential signs in. */
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION);

	/* The key holding an excluded credential is refused. */
	req.exclude = &c;
	req.nexclude = 1;
	assert_int_equal(za_fido2_enrol(NULL, &req, NULL, &c2, &res,
	    &fx->lg), ZA_ERR_EXISTS);
	assert_int_equal(res.reason, ZA_FIDO2_R_EXCLUDED);
	assert_null(c2);
	za_fido2_cred_free(&c);
}

/* ------------------------------------------------------------------ login */
static void
test_auth_presence(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;
	uint32_t first;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(res.reason, ZA_FIDO2_R_NONE);
	assert_int_equal(as.index, 0);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION);
	assert_true(as.flags & ZA_FIDO2_FLAG_UP);
	assert_true(as.sign_count > c->sign_count);
	first = as.sign_count;
	/* The caller stores the counter; the next login moves it on. */
	c->sign_count = first;
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_true(as.sign_count > first);
	/* A PIN passed where none is asked for is a caller bug. */
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, TEST_PIN, TIMEOUT, &as,
	    &res), ZA_ERR_ARG);
	za_fido2_cred_free(&c);
}

static void
test_auth_pin(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;

	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	c = enrol_ok(fx, ZA_UV_PIN, TEST_PIN);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, TEST_PIN, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION | ZA_CLASS_KNOWLEDGE);
	assert_true(as.flags & ZA_FIDO2_FLAG_UV);
	c->sign_count = as.sign_count;

	/* Wrong PIN: refused, and the tries left go down. */
	log_reset(fx);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, WRONG_PIN, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_PIN_INVALID);
	assert_int_equal(res.retries, 7);
	assert_int_equal(as.proves, 0);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, WRONG_PIN, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_PIN_INVALID);
	assert_int_equal(res.retries, 6);
	assert_false(log_has(fx, WRONG_PIN));
	assert_false(log_has(fx, TEST_PIN));

	/* The right PIN still works; a PIN need without a PIN is a bug. */
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, TEST_PIN, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_ARG);
	za_fido2_cred_free(&c);
}

static void
test_auth_pin_not_set(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_PIN, TEST_PIN, TIMEOUT, &as,
	    &res), ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_PIN_NOT_SET);
	za_fido2_cred_free(&c);
}

static void
test_auth_builtin(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;

	setenv("SOFTFIDO_UV", "builtin", 1);
	c = enrol_ok(fx, ZA_UV_BUILTIN, NULL);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_BUILTIN, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION | ZA_CLASS_INHERENCE);
	assert_true(as.flags & ZA_FIDO2_FLAG_UV);
	c->sign_count = as.sign_count;

	/* The finger does not match: UV failed, tries left reported. */
	setenv("SOFTFIDO_FINGER", "nomatch", 1);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_BUILTIN, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_UV_FAILED);
	assert_int_equal(res.retries, 4);
	assert_int_equal(as.proves, 0);

	/* Touch only from the same key proves possession alone. */
	setenv("SOFTFIDO_FINGER", "match", 1);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION);

	/* The same credential on a key without UV (2.0 and 2.1 alike). */
	setenv("SOFTFIDO_UV", "none", 1);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_BUILTIN, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_UV_UNSUPPORTED);
	za_fido2_cred_free(&c);
}

static void
test_auth_builtin_ctap20(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;

	/* CTAP 2.0: libfido2 sends the uv option instead of a token. */
	setenv("SOFTFIDO_VERSION", "2.0", 1);
	setenv("SOFTFIDO_UV", "builtin", 1);
	c = enrol_ok(fx, ZA_UV_BUILTIN, NULL);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_BUILTIN, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION | ZA_CLASS_INHERENCE);
	za_fido2_cred_free(&c);
}

static void
test_auth_touch(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;
	struct timespec t0;
	long ms;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);

	/* The user refuses. */
	setenv("SOFTFIDO_TOUCH", "deny", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_DENIED);
	assert_true(ms_since(&t0) < 3000);

	/* Never touched; our bound runs out first. */
	setenv("SOFTFIDO_TOUCH", "timeout", 1);
	setenv("SOFTFIDO_TOUCH_TIMEOUT_MS", "20000", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, 800, &as, &res),
	    ZA_ERR_TIMEOUT);
	ms = ms_since(&t0);
	assert_int_equal(res.reason, ZA_FIDO2_R_NOT_TOUCHED);
	assert_true(ms >= 700 && ms < 4000);

	/* Never touched; the key gives up first (USER_ACTION_TIMEOUT). */
	setenv("SOFTFIDO_TOUCH_TIMEOUT_MS", "300", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_TIMEOUT);
	ms = ms_since(&t0);
	assert_int_equal(res.reason, ZA_FIDO2_R_NOT_TOUCHED);
	assert_int_equal(res.fido_err, FIDO_ERR_USER_ACTION_TIMEOUT);
	assert_true(ms < 4000);

	/* Enrolment has the same bound. */
	setenv("SOFTFIDO_TOUCH_TIMEOUT_MS", "20000", 1);
	{
		struct za_fido2_enrol_req req;
		struct za_fido2_cred *c2 = NULL;

		init_enrol(&req, ZA_UV_NONE, NULL);
		req.timeout_ms = 800;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(za_fido2_enrol(NULL, &req, NULL, &c2, &res,
		    &fx->lg), ZA_ERR_TIMEOUT);
		assert_true(ms_since(&t0) < 4000);
		assert_null(c2);
	}
	za_fido2_cred_free(&c);
}

static void
test_auth_absent(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;
	struct timespec t0;
	long ms;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	setenv("SOFTFIDO_ABSENT", "1", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, 500, &as, &res),
	    ZA_ERR_NOT_FOUND);
	ms = ms_since(&t0);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_DEVICE);
	assert_true(ms >= 400 && ms < 3000);
	za_fido2_cred_free(&c);
}

static void
test_counter_rule(void **state)
{
	static const struct {
		uint32_t stored, reported;
		int want;
	} v[] = {
		{ 0, 0, ZA_OK },		/* key without a counter */
		{ 0, 1, ZA_OK },
		{ 1, 2, ZA_OK },
		{ 5, 1000, ZA_OK },
		{ 0xfffffffeu, 0xffffffffu, ZA_OK },
		{ 1, 1, ZA_ERR_DENIED },	/* replayed / cloned */
		{ 7, 6, ZA_ERR_DENIED },	/* regression */
		{ 5, 0, ZA_ERR_DENIED },	/* counter vanished */
		{ 0xffffffffu, 0, ZA_ERR_DENIED },
		{ 0xffffffffu, 0xffffffffu, ZA_ERR_DENIED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(za_fido2_counter_check(v[i].stored,
		    v[i].reported), v[i].want);
}

static void
test_auth_cloned(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	c->sign_count = as.sign_count;
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	c->sign_count = as.sign_count;

	/* The clone signs with an older counter. */
	setenv("SOFTFIDO_COUNTER", "regress", 1);
	log_reset(fx);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_CLONED);
	assert_int_equal(as.index, 0);
	assert_true(as.sign_count < c->sign_count);
	assert_int_equal(as.proves, 0);
	assert_true(log_has(fx, "cloned"));

	/* A key that reports 0 after counting is refused too ... */
	setenv("SOFTFIDO_COUNTER", "zero", 1);
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_DENIED);
	assert_int_equal(res.reason, ZA_FIDO2_R_CLONED);
	/* ... but a key that never counted (stored 0) is fine. */
	c->sign_count = 0;
	assert_int_equal(auth(fx, &c, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.sign_count, 0);
	za_fido2_cred_free(&c);
}

static void
test_auth_credentials(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *mine, *foreign, *v[3];
	char other[512];

	mine = enrol_ok(fx, ZA_UV_NONE, NULL);
	/* A credential of another key (another softfido state). */
	snprintf(other, sizeof(other), "%s/other-state", fx->dir);
	setenv("SOFTFIDO_STATE", other, 1);
	foreign = enrol_ok(fx, ZA_UV_NONE, NULL);
	setenv("SOFTFIDO_STATE", fx->state, 1);

	/* The key picks its own credential from the list. */
	v[0] = foreign;
	v[1] = mine;
	assert_int_equal(auth(fx, v, 2, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_OK);
	assert_int_equal(as.index, 1);

	/* Only the other key's credential: no matching credential. */
	assert_int_equal(auth(fx, v, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_CREDENTIAL);

	/* A revoked (or cloned) credential is never offered. */
	mine->status = ZA_TOKEN_REVOKED;
	assert_int_equal(auth(fx, &mine, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_CREDENTIAL);
	mine->status = ZA_TOKEN_CLONED;
	assert_int_equal(auth(fx, v, 2, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_CREDENTIAL);
	mine->status = ZA_TOKEN_ACTIVE;

	/* Nothing passed in (the user's only key was revoked). */
	assert_int_equal(auth(fx, NULL, 0, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_CREDENTIAL);

	/* Another relying party's credential is not offered either. */
	free(mine->rp_id);
	assert_non_null(mine->rp_id = strdup("other.example"));
	assert_int_equal(auth(fx, &mine, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_NO_CREDENTIAL);

	/* Too many credentials is a caller bug. */
	assert_int_equal(auth(fx, v, ZA_FIDO2_MAX_CREDS + 1, ZA_UV_NONE,
	    NULL, TIMEOUT, &as, &res), ZA_ERR_ARG);
	za_fido2_cred_free(&mine);
	za_fido2_cred_free(&foreign);
}

static void
test_auth_wrong_pubkey(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *a, *b;
	unsigned char *tmp;
	size_t tlen;

	a = enrol_ok(fx, ZA_UV_NONE, NULL);
	b = enrol_ok(fx, ZA_UV_NONE, NULL);
	/* a's id with b's public key: the signature cannot verify. */
	tmp = a->pubkey;
	tlen = a->pubkey_len;
	a->pubkey = b->pubkey;
	a->pubkey_len = b->pubkey_len;
	b->pubkey = tmp;
	b->pubkey_len = tlen;
	log_reset(fx);
	assert_int_equal(auth(fx, &a, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_BAD_SIGNATURE);
	assert_int_equal(as.proves, 0);
	assert_true(log_has(fx, "does not verify"));

	/* A stored key that is not DER at all. */
	a->pubkey[0] ^= 0xff;
	assert_int_equal(auth(fx, &a, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_BAD_SIGNATURE);
	a->pubkey[0] ^= 0xff;

	/* A key of the wrong algorithm for the credential. */
	a->alg = ZA_COSE_EDDSA;
	assert_int_equal(auth(fx, &a, 1, ZA_UV_NONE, NULL, TIMEOUT, &as,
	    &res), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_BAD_SIGNATURE);
	za_fido2_cred_free(&a);
	za_fido2_cred_free(&b);
}

static void
test_auth_with_open_device(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_auth_req req;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_enrol_req ereq;
	struct za_fido2_dev *d = NULL;
	struct za_fido2_cred *c = NULL;

	assert_int_equal(za_fido2_dev_open(SOFTFIDO_PATH, TIMEOUT, &d,
	    &res, &fx->lg), ZA_OK);
	init_enrol(&ereq, ZA_UV_NONE, NULL);
	assert_int_equal(za_fido2_enrol(d, &ereq, NULL, &c, &res, &fx->lg),
	    ZA_OK);
	memset(&req, 0, sizeof(req));
	req.rp_id = RP;
	req.creds = &c;
	req.ncreds = 1;
	req.need = ZA_UV_NONE;
	req.timeout_ms = TIMEOUT;
	assert_int_equal(za_fido2_authenticate(d, &req, &as, &res, &fx->lg),
	    ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION);
	za_fido2_dev_close(&d);
	za_fido2_cred_free(&c);
}

/* ------------------------------------------------------------------ keys */
static void
test_pubkey_from_raw(void **state)
{
	struct fx *fx = *state;
	unsigned char raw[259], *der = NULL;
	size_t derlen = 0;

	(void)fx;
	memset(raw, 0x11, sizeof(raw));
	/* Not a point on P-256, wrong lengths, unknown algorithm. */
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_ES256, raw, 64,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_ES256, raw, 63,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_EDDSA, raw, 31,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_RS256, raw, 258,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	/* libfido2 itself would take the first 32 bytes of 33. */
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_EDDSA, raw, 33,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_ES256, raw, 65,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_RS256, raw, 260,
	    &der, &derlen, NULL), ZA_ERR_PARSE);
	assert_int_equal(za_fido2_pubkey_from_raw(-35, raw, 64, &der, &derlen,
	    NULL), ZA_ERR_ARG);
	assert_null(der);
	/* Any 32 bytes make an Ed25519 public key encoding. */
	assert_int_equal(za_fido2_pubkey_from_raw(ZA_COSE_EDDSA, raw, 32,
	    &der, &derlen, NULL), ZA_OK);
	assert_int_equal(derlen, 44);
	free(der);
}

/* ------------------------------------------------------------------ u2f */
static char *
b64(const unsigned char *p, size_t n, int urlsafe)
{
	char *s, *q;
	int len;

	assert_non_null(s = malloc(4 * ((n + 2) / 3) + 1));
	len = EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	assert_true(len >= 0);
	s[len] = '\0';
	if (urlsafe) {
		for (q = s; *q != '\0'; q++)
			if (*q == '+')
				*q = '-';
			else if (*q == '/')
				*q = '_';
		while (len > 0 && s[len - 1] == '=')
			s[--len] = '\0';
	}
	return s;
}

/* The 65-byte uncompressed point of an ES256 credential's DER key. */
static void
es256_point(const struct za_fido2_cred *c, unsigned char pt[65])
{
	const unsigned char *p = c->pubkey;
	EVP_PKEY *pk;
	size_t n = 0;

	assert_non_null(pk = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len));
	assert_int_equal(EVP_PKEY_get_octet_string_param(pk,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, 65, &n), 1);
	assert_int_equal(n, 65);
	assert_int_equal(pt[0], 0x04);
	EVP_PKEY_free(pk);
}

/* "user:handle,key,es256,options" as pamu2fcfg writes it. */
static char *
u2f_line(const char *user, const struct za_fido2_cred *c, const char *opts)
{
	unsigned char pt[65], raw[32];
	const unsigned char *p = c->pubkey;
	char *kh, *pk, *line;
	EVP_PKEY *k;
	size_t n = sizeof(raw);

	kh = b64(c->cred_id, c->cred_id_len, 0);
	if (c->alg == ZA_COSE_EDDSA) {
		assert_non_null(k = d2i_PUBKEY(NULL, &p, (long)c->pubkey_len));
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &n), 1);
		EVP_PKEY_free(k);
		pk = b64(raw, n, 0);
	} else {
		es256_point(c, pt);
		pk = b64(pt + 1, 64, 0);
	}
	assert_true(asprintf(&line, "%s:%s,%s,%s,%s", user, kh, pk,
	    c->alg == ZA_COSE_EDDSA ? "eddsa" : "es256", opts) > 0);
	free(kh);
	free(pk);
	return line;
}

static void
test_u2f_import_and_login(void **state)
{
	struct fx *fx = *state;
	struct za_u2f_import_opts opts = { "pam://zoneauth", NULL };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_auth_req req;
	struct za_fido2_enrol_req ereq;
	struct za_fido2_cred *c, *ed = NULL;
	struct za_fido2_attest_policy pol;
	char *l1, *l2, *l3, *buf;

	setenv("SOFTFIDO_UV", "builtin", 1);
	init_enrol(&ereq, ZA_UV_NONE, NULL);
	ereq.rp_id = "pam://zoneauth";
	assert_int_equal(za_fido2_enrol(NULL, &ereq, NULL, &c, &res,
	    &fx->lg), ZA_OK);
	memset(&pol, 0, sizeof(pol));
	pol.allow_eddsa = 1;
	ereq.alg = ZA_COSE_EDDSA;
	assert_int_equal(za_fido2_enrol(NULL, &ereq, &pol, &ed, &res,
	    &fx->lg), ZA_OK);

	l1 = u2f_line("alice", c, "+presence");
	l2 = u2f_line("bob", ed, "+presence+verification");
	l3 = u2f_line("carol", c, "+pin");
	/* carol's line repeats alice's credential id: fix that up below. */
	assert_true(asprintf(&buf, "# pam_u2f keys\n%s\n\n%s", l1, l2) > 0);
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0]->owner, "alice");
	assert_string_equal(l.v[0]->rp_id, "pam://zoneauth");
	assert_int_equal(l.v[0]->uv, ZA_UV_NONE);
	assert_int_equal(l.v[0]->alg, ZA_COSE_ES256);
	assert_int_equal(l.v[0]->pubkey_len, c->pubkey_len);
	assert_memory_equal(l.v[0]->pubkey, c->pubkey, c->pubkey_len);
	assert_memory_equal(l.v[0]->cred_id, c->cred_id, c->cred_id_len);
	assert_int_equal(strncmp(l.v[0]->id, "u2f-", 4), 0);
	assert_int_equal(strlen(l.v[0]->id), 20);
	assert_string_equal(l.v[1]->owner, "bob");
	assert_int_equal(l.v[1]->alg, ZA_COSE_EDDSA);
	assert_int_equal(l.v[1]->uv, ZA_UV_BUILTIN);
	assert_memory_equal(l.v[1]->pubkey, ed->pubkey, ed->pubkey_len);

	/* The imported records sign in against the same key. */
	memset(&req, 0, sizeof(req));
	req.rp_id = "pam://zoneauth";
	req.creds = &l.v[0];
	req.ncreds = 1;
	req.need = ZA_UV_NONE;
	req.timeout_ms = TIMEOUT;
	assert_int_equal(za_fido2_authenticate(NULL, &req, &as, &res,
	    &fx->lg), ZA_OK);
	req.creds = &l.v[1];
	req.need = ZA_UV_BUILTIN;
	assert_int_equal(za_fido2_authenticate(NULL, &req, &as, &res,
	    &fx->lg), ZA_OK);
	assert_int_equal(as.proves, ZA_CLASS_POSSESSION | ZA_CLASS_INHERENCE);
	za_fido2_cred_list_clear(&l);
	free(buf);

	/* The same credential id under two users is refused. */
	assert_true(asprintf(&buf, "%s\n%s\n", l1, l3) > 0);
	log_reset(fx);
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_ERR_PARSE);
	assert_int_equal(l.n, 0);
	assert_true(log_has(fx, "line 2, credential 1: credential id "
	    "listed twice"));
	free(buf);
	free(l1);
	free(l2);
	free(l3);
	za_fido2_cred_free(&c);
	za_fido2_cred_free(&ed);
}

static void
test_u2f_old_format(void **state)
{
	struct fx *fx = *state;
	struct za_u2f_import_opts opts = { "pam://zoneauth", APPID };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_auth_req req;
	struct za_fido2_enrol_req ereq;
	struct za_fido2_cred *c;
	unsigned char pt[65];
	char hex[131], *kh, *buf;
	size_t i;

	init_enrol(&ereq, ZA_UV_NONE, NULL);
	ereq.rp_id = APPID;
	assert_int_equal(za_fido2_enrol(NULL, &ereq, NULL, &c, &res,
	    &fx->lg), ZA_OK);
	es256_point(c, pt);
	for (i = 0; i < sizeof(pt); i++)
		snprintf(hex + 2 * i, 3, i % 2 ? "%02X" : "%02x", pt[i]);
	kh = b64(c->cred_id, c->cred_id_len, 1);
	assert_true(asprintf(&buf, "dave:%s,%s\n", kh, hex) > 0);
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0]->rp_id, APPID);
	assert_int_equal(l.v[0]->alg, ZA_COSE_ES256);
	assert_int_equal(l.v[0]->uv, ZA_UV_NONE);
	assert_memory_equal(l.v[0]->pubkey, c->pubkey, c->pubkey_len);

	memset(&req, 0, sizeof(req));
	req.rp_id = APPID;
	req.creds = l.v;
	req.ncreds = 1;
	req.need = ZA_UV_NONE;
	req.timeout_ms = TIMEOUT;
	assert_int_equal(za_fido2_authenticate(NULL, &req, &as, &res,
	    &fx->lg), ZA_OK);
	za_fido2_cred_list_clear(&l);

	/* Without an appid the origin is the RP id. */
	opts.appid = NULL;
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_OK);
	assert_string_equal(l.v[0]->rp_id, "pam://zoneauth");
	za_fido2_cred_list_clear(&l);
	free(buf);
	free(kh);
	za_fido2_cred_free(&c);
}

static void
test_u2f_rs256(void **state)
{
	struct fx *fx = *state;
	struct za_u2f_import_opts opts = { "pam://zoneauth", NULL };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	unsigned char raw[259], kid[48], *der = NULL, *p;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pk;
	char *kh, *pkb, *buf;
	int len;

	assert_non_null(pk = EVP_RSA_gen(2048));
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n),
	    1);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e),
	    1);
	assert_int_equal(BN_bn2binpad(n, raw, 256), 256);
	assert_int_equal(BN_bn2binpad(e, raw + 256, 3), 3);
	memset(kid, 0x5a, sizeof(kid));
	kh = b64(kid, sizeof(kid), 0);
	pkb = b64(raw, sizeof(raw), 0);
	assert_true(asprintf(&buf, "erin:%s,%s,RS256,+presence+pin", kh,
	    pkb) > 0);
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0]->alg, ZA_COSE_RS256);
	assert_int_equal(l.v[0]->uv, ZA_UV_PIN);
	/* Same DER as OpenSSL's own encoding of the key. */
	assert_true((len = i2d_PUBKEY(pk, NULL)) > 0);
	assert_non_null(der = malloc((size_t)len));
	p = der;
	assert_int_equal(i2d_PUBKEY(pk, &p), len);
	assert_int_equal(l.v[0]->pubkey_len, (size_t)len);
	assert_memory_equal(l.v[0]->pubkey, der, (size_t)len);
	za_fido2_cred_list_clear(&l);
	free(der);
	free(buf);
	free(kh);
	free(pkb);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pk);
}

/* Each input must fail with code r, logging want. */
static void
u2f_bad(struct fx *fx, const char *in, int r, const char *want)
{
	struct za_u2f_import_opts opts = { "pam://zoneauth", NULL };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	int got;

	log_reset(fx);
	got = za_u2f_import_parse(in, strlen(in), &opts, &l, &fx->lg);
	if (got != r) {
		print_error("'%s': wanted %d, got %d; log:\n%s\n", in, r, got,
		    fx->log);
		fail();
	}
	assert_int_equal(l.n, 0);
	if (want != NULL && !log_has(fx, want)) {
		print_error("wanted '%s' in the log of '%s', got:\n%s\n", want,
		    in, fx->log);
		fail();
	}
}

static void
test_u2f_strict(void **state)
{
	struct fx *fx = *state;
	struct za_u2f_import_opts opts = { "pam://zoneauth", NULL };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	struct za_fido2_cred *c;
	unsigned char pt[65];
	char *good, *kh, *pk, *pk65, *buf, *big;
	size_t i;

	c = enrol_ok(fx, ZA_UV_NONE, NULL);
	es256_point(c, pt);
	kh = b64(c->cred_id, c->cred_id_len, 0);
	pk = b64(pt + 1, 64, 0);
	pk65 = b64(pt, 65, 0);
	assert_true(asprintf(&good, "%s,%s,es256,+presence", kh, pk) > 0);

	/* Accepted forms: -P (empty options), three fields, 65-byte key,
	 * upper-case type, options in another order. */
	assert_true(asprintf(&buf, "u1:%s,%s,es256,\nu2:%s,%s,ES256\n"
	    "u3:%s,%s,es256,+pin+presence\n", kh, pk, kh, pk, kh,
	    pk65) > 0);
	/* (u1..u3 share one credential id: that is refused, line 2) */
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 2, credential 1: credential id "
	    "listed twice");
	free(buf);
	assert_true(asprintf(&buf, "u3:%s,%s,EdDSA,+pin+presence", kh,
	    pk65) > 0);
	/* a P-256 point is not an Ed25519 key */
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 1, credential 1: public key");
	free(buf);
	assert_true(asprintf(&buf, "u3:%s,%s,es256,+pin+presence", kh,
	    pk65) > 0);
	assert_int_equal(za_u2f_import_parse(buf, strlen(buf), &opts, &l,
	    &fx->lg), ZA_OK);
	assert_int_equal(l.v[0]->uv, ZA_UV_PIN);
	za_fido2_cred_list_clear(&l);
	free(buf);

	/* Errors, each naming its line (and credential). */
	u2f_bad(fx, "", ZA_OK, NULL);
	u2f_bad(fx, "# only a comment\n\n", ZA_OK, NULL);
	assert_true(asprintf(&buf, "alice:%s\r\n", good) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 1: carriage return");
	free(buf);
	assert_true(asprintf(&buf, "\n\nalice\n") > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 3: expected USER:CREDENTIAL");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s:\n", good) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 1, credential 2: expected "
	    "KEYHANDLE,PUBLICKEY");
	free(buf);
	assert_true(asprintf(&buf, "Alice Smith:%s\n", good) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 1: user name");
	free(buf);
	assert_true(asprintf(&buf, "alice:*,%s,es256,+presence\n", pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "resident credential");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s,%s,es384,+presence\n", kh,
	    pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "COSE type");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s,%s,es256,+presence+presence\n",
	    kh, pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "options");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s,%s,es256,+presencex\n", kh,
	    pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "options");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s,%s,es256,+presence,x\n", kh,
	    pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "expected KEYHANDLE");
	free(buf);
	/* base64 with its padding removed halfway, or a stray bit */
	assert_true(asprintf(&buf, "alice:%s=,%s,es256,\n", kh, pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "key handle");
	free(buf);
	assert_true(asprintf(&buf, "alice:%s,%.84s,es256,\n", kh, pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "public key");
	free(buf);
	/* a point that is not on the curve */
	memset(pt + 1, 0x01, 64);
	free(pk);
	pk = b64(pt + 1, 64, 0);
	assert_true(asprintf(&buf, "alice:%s,%s,es256,\n", kh, pk) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 1, credential 1: public key: "
	    "not a valid key");
	free(buf);
	/* old format: hex of the wrong length */
	assert_true(asprintf(&buf, "alice:%s,04abcd\n", kh) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "130 hex digits");
	free(buf);
	/* a user on two lines */
	assert_true(asprintf(&buf, "alice:%s\n#\nalice:AAAA,%s,es256,\n", good,
	    pk65) > 0);
	u2f_bad(fx, buf, ZA_ERR_PARSE, "line 3: user listed");
	free(buf);
	/* a NUL byte */
	{
		struct za_fido2_cred_list l2 = { NULL, 0, 0 };
		static const char nul[] = "alice:\0x";

		assert_int_equal(za_u2f_import_parse(nul, sizeof(nul) - 1,
		    &opts, &l2, &fx->lg), ZA_ERR_PARSE);
	}
	/* more than 64 credentials on a line */
	assert_non_null(big = malloc(ZA_U2F_LINE_MAX + 2));
	strcpy(big, "alice");
	for (i = 0; i < 65; i++)
		strcat(big, ":AAAA,B");
	u2f_bad(fx, big, ZA_ERR_PARSE, "more than 64 credentials");
	/* a line longer than the bound */
	memset(big, 'a', ZA_U2F_LINE_MAX + 1);
	big[ZA_U2F_LINE_MAX + 1] = '\0';
	u2f_bad(fx, big, ZA_ERR_TOO_LARGE, "line 1: line too long");
	free(big);

	/* Caller errors: no origin, a list that is not empty. */
	opts.origin = NULL;
	assert_int_equal(za_u2f_import_parse(good, strlen(good), &opts, &l,
	    &fx->lg), ZA_ERR_ARG);
	free(good);
	free(kh);
	free(pk);
	free(pk65);
	za_fido2_cred_free(&c);
}

/* pamu2fcfg's own output, enrolled through the shim by fido2_lib.sh. */
static void
test_u2f_pamu2fcfg(void **state)
{
	struct fx *fx = *state;
	const char *file = getenv("ZA_TEST_U2F_AUTHFILE");
	const char *dev = getenv("ZA_TEST_U2F_STATE");
	struct za_u2f_import_opts opts = { "pam://zoneauth", NULL };
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_auth_req req;
	char buf[8192];
	size_t len, i, seen_uv = 0;
	FILE *f;

	if (file == NULL || dev == NULL) {
		print_message("pamu2fcfg cross-check: run by "
		    "tests/integration/fido2_lib.sh (needs pamu2fcfg with "
		    "the softfido shim preloaded); skipped\n");
		skip();
	}
	assert_non_null(f = fopen(file, "r"));
	len = fread(buf, 1, sizeof(buf) - 1, f);
	assert_true(feof(f));
	fclose(f);
	buf[len] = '\0';
	assert_int_equal(za_u2f_import_parse(buf, len, &opts, &l, &fx->lg),
	    ZA_OK);
	assert_true(l.n >= 2);
	setenv("SOFTFIDO_STATE", dev, 1);
	setenv("SOFTFIDO_UV", "builtin", 1);
	for (i = 0; i < l.n; i++) {
		memset(&req, 0, sizeof(req));
		req.rp_id = "pam://zoneauth";
		req.creds = &l.v[i];
		req.ncreds = 1;
		req.need = l.v[i]->uv;
		req.timeout_ms = TIMEOUT;
		assert_int_equal(za_fido2_authenticate(NULL, &req, &as, &res,
		    &fx->lg), ZA_OK);
		assert_int_equal(as.index, 0);
		if (l.v[i]->uv == ZA_UV_BUILTIN) {
			seen_uv++;
			assert_int_equal(as.proves,
			    ZA_CLASS_POSSESSION | ZA_CLASS_INHERENCE);
		} else
			assert_int_equal(as.proves, ZA_CLASS_POSSESSION);
	}
	assert_true(seen_uv >= 1);
	/* Touch denied: the imported credential is not enough alone. */
	setenv("SOFTFIDO_TOUCH", "deny", 1);
	req.creds = &l.v[0];
	req.need = l.v[0]->uv;
	assert_int_equal(za_fido2_authenticate(NULL, &req, &as, &res,
	    &fx->lg), ZA_ERR_AUTH);
	assert_int_equal(res.reason, ZA_FIDO2_R_DENIED);
	za_fido2_cred_list_clear(&l);
}

/* ------------------------------------------------------------------ logging */
static long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/*
 * FIDO_DEBUG in the environment makes libfido2 dump CTAP traffic; prove
 * that it does (in a child, with plain libfido2), then that nothing
 * reaches stderr through the library, PIN operations included.
 */
static void
test_fido_debug_silenced(void **state)
{
	struct fx *fx = *state;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	struct za_fido2_cred *c;
	char errpath[512];
	fido_dev_info_t *devs;
	fido_dev_t *dev;
	size_t n = 0;
	pid_t pid;
	int fd, saved, status, r1, r2;

	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	setenv("FIDO_DEBUG", "1", 1);
	snprintf(errpath, sizeof(errpath), "%s/stderr-control", fx->dir);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(2);
		fido_init(0);
		devs = fido_dev_info_new(1);
		if (devs == NULL || fido_dev_info_manifest(devs, 1, &n) !=
		    FIDO_OK || n != 1 || (dev = fido_dev_new()) == NULL ||
		    fido_dev_open(dev, SOFTFIDO_PATH) != FIDO_OK)
			_exit(3);
		fido_dev_close(dev);
		fido_dev_free(&dev);
		fido_dev_info_free(&devs, 1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(file_size(errpath) > 0);	/* the control dumps */

	snprintf(errpath, sizeof(errpath), "%s/stderr-lib", fx->dir);
	assert_true((fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	fflush(stderr);
	assert_true((saved = dup(2)) >= 0);
	assert_true(dup2(fd, 2) == 2);
	c = NULL;
	r1 = enrol(fx, ZA_UV_PIN, TEST_PIN, NULL, &c, &res);
	r2 = c == NULL ? -1 : auth(fx, &c, 1, ZA_UV_PIN, TEST_PIN, TIMEOUT,
	    &as, &res);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	unsetenv("FIDO_DEBUG");
	assert_int_equal(r1, ZA_OK);
	assert_int_equal(r2, ZA_OK);
	assert_int_equal(file_size(errpath), 0);
	za_fido2_cred_free(&c);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_devices, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_and_caps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_self, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_ca, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_ca_untrusted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_aaguid_allowlist,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_enrol_uv, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_pin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enrol_eddsa_and_exclude,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_presence, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_pin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_pin_not_set, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_builtin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_builtin_ctap20,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_touch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_absent, setup,
		    teardown),
		cmocka_unit_test(test_counter_rule),
		cmocka_unit_test_setup_teardown(test_auth_cloned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_credentials, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_wrong_pubkey, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_with_open_device,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pubkey_from_raw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_u2f_import_and_login,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_u2f_old_format, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_u2f_rs256, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_u2f_strict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_u2f_pamu2fcfg, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fido_debug_silenced,
		    setup, teardown),
	};
	const char *only = getenv("ZA_TEST_FILTER");

	/* fido2_lib.sh runs single tests by name. */
	if (only != NULL && *only != '\0')
		cmocka_set_test_filter(only);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
