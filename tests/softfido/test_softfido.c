/*
 * Tests of the software authenticator, driven through libfido2's public
 * API exactly as pam_zoneauth and idmgr drive a real key (the transport
 * functions are installed with softfido_dev_attach), plus malformed
 * requests fed straight to the CTAPHID dispatcher.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "softfido.h"

#define RP		"login.zoneauth.test"
#define TEST_PIN	"246810"

static const char *const knobs[] = {
	"SOFTFIDO_STATE", "SOFTFIDO_CA_DIR", "SOFTFIDO_UV", "SOFTFIDO_FINGER",
	"SOFTFIDO_PIN", "SOFTFIDO_TOUCH", "SOFTFIDO_TOUCH_TIMEOUT_MS",
	"SOFTFIDO_ABSENT", "SOFTFIDO_AAGUID", "SOFTFIDO_COUNTER",
	"SOFTFIDO_ATTEST", "SOFTFIDO_VERSION", "SOFTFIDO_PIN_PROTOCOLS",
};

struct fx {
	char	dir[256];
	char	path[512];
};

static const unsigned char cdh[32] = {
	0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static int
setup(void **state)
{
	struct fx *fx;
	const char *tmp = getenv("TMPDIR");
	size_t i;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/softfido-test.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		unsetenv(knobs[i]);
	snprintf(fx->path, sizeof(fx->path), "%s/state", fx->dir);
	setenv("SOFTFIDO_STATE", fx->path, 1);
	setenv("SOFTFIDO_CA_DIR", fx->dir, 1);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	struct dirent *de;
	DIR *d;
	char p[1024];

	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", fx->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static fido_dev_t *
open_dev(void)
{
	fido_dev_t *dev;

	assert_non_null(dev = fido_dev_new());
	assert_int_equal(softfido_dev_attach(dev), FIDO_OK);
	assert_int_equal(fido_dev_open(dev, SOFTFIDO_PATH), FIDO_OK);
	return dev;
}

static void
close_dev(fido_dev_t **dev)
{
	if (*dev != NULL)
		fido_dev_close(*dev);
	fido_dev_free(dev);
}

/* Register a credential; *r gets libfido2's result. */
static fido_cred_t *
make_cred(fido_dev_t *dev, int type, const char *user, bool rk,
    const char *pin, int *r)
{
	fido_cred_t *cred;

	assert_non_null(cred = fido_cred_new());
	assert_int_equal(fido_cred_set_type(cred, type), FIDO_OK);
	assert_int_equal(fido_cred_set_clientdata_hash(cred, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_cred_set_rp(cred, RP, "zoneauth"), FIDO_OK);
	assert_int_equal(fido_cred_set_user(cred,
	    (const unsigned char *)user, strlen(user), user, user, NULL),
	    FIDO_OK);
	if (rk)
		assert_int_equal(fido_cred_set_rk(cred, FIDO_OPT_TRUE),
		    FIDO_OK);
	*r = fido_dev_make_cred(dev, cred, pin);
	return cred;
}

static fido_cred_t *
make_cred_ok(fido_dev_t *dev, int type, const char *user, bool rk,
    const char *pin)
{
	fido_cred_t *cred;
	int r;

	cred = make_cred(dev, type, user, rk, pin, &r);
	assert_int_equal(r, FIDO_OK);
	return cred;
}

/* Ask for an assertion (allowList = cred, or discovery if NULL). */
static int
get_assert(fido_dev_t *dev, const fido_cred_t *cred, fido_opt_t uv,
    const char *pin, fido_assert_t **out)
{
	fido_assert_t *a;

	assert_non_null(a = fido_assert_new());
	assert_int_equal(fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_assert_set_rp(a, RP), FIDO_OK);
	if (cred != NULL)
		assert_int_equal(fido_assert_allow_cred(a,
		    fido_cred_id_ptr(cred), fido_cred_id_len(cred)), FIDO_OK);
	if (uv != FIDO_OPT_OMIT)
		assert_int_equal(fido_assert_set_uv(a, uv), FIDO_OK);
	*out = a;
	return fido_dev_get_assert(dev, a, pin);
}

/* fido_assert_verify of statement i with the public key of cred. */
static int
verify_with(fido_assert_t *a, size_t i, const fido_cred_t *cred)
{
	es256_pk_t *es = NULL;
	eddsa_pk_t *ed = NULL;
	int type = fido_cred_type(cred), r = FIDO_ERR_INTERNAL;

	if (type == COSE_ES256) {
		if ((es = es256_pk_new()) != NULL &&
		    es256_pk_from_ptr(es, fido_cred_pubkey_ptr(cred),
		    fido_cred_pubkey_len(cred)) == FIDO_OK)
			r = fido_assert_verify(a, i, type, es);
	} else if (type == COSE_EDDSA) {
		if ((ed = eddsa_pk_new()) != NULL &&
		    eddsa_pk_from_ptr(ed, fido_cred_pubkey_ptr(cred),
		    fido_cred_pubkey_len(cred)) == FIDO_OK)
			r = fido_assert_verify(a, i, type, ed);
	}
	es256_pk_free(&es);
	eddsa_pk_free(&ed);
	return r;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---------------------------------------------------------------- tests */

static bool
has_option(const fido_cbor_info_t *ci, const char *name, bool *value)
{
	char **names = fido_cbor_info_options_name_ptr(ci);
	const bool *values = fido_cbor_info_options_value_ptr(ci);
	size_t i;

	for (i = 0; i < fido_cbor_info_options_len(ci); i++)
		if (strcmp(names[i], name) == 0) {
			*value = values[i];
			return true;
		}
	return false;
}

static void
test_get_info(void **state)
{
	static const unsigned char want_aaguid[16] = {
		0x73, 0x6f, 0x66, 0x74, 0x66, 0x69, 0x64, 0x6f,
		0x80, 0, 0, 0, 0, 0, 0, 0x01,
	};
	fido_dev_t *dev;
	fido_cbor_info_t *ci;
	char **versions;
	const uint8_t *protos;
	bool v, found21 = false;
	size_t i;

	(void)state;
	setenv("SOFTFIDO_UV", "builtin", 1);
	dev = open_dev();
	assert_true(fido_dev_is_fido2(dev));
	assert_non_null(ci = fido_cbor_info_new());
	assert_int_equal(fido_dev_get_cbor_info(dev, ci), FIDO_OK);
	versions = fido_cbor_info_versions_ptr(ci);
	for (i = 0; i < fido_cbor_info_versions_len(ci); i++)
		if (strcmp(versions[i], "FIDO_2_1") == 0)
			found21 = true;
	assert_true(found21);
	assert_int_equal(fido_cbor_info_aaguid_len(ci), 16);
	assert_memory_equal(fido_cbor_info_aaguid_ptr(ci), want_aaguid, 16);
	assert_true(has_option(ci, "rk", &v) && v);
	assert_true(has_option(ci, "up", &v) && v);
	assert_true(has_option(ci, "uv", &v) && v);
	assert_true(has_option(ci, "plat", &v) && !v);
	assert_true(has_option(ci, "clientPin", &v) && !v);
	assert_true(has_option(ci, "pinUvAuthToken", &v) && v);
	assert_int_equal(fido_cbor_info_protocols_len(ci), 2);
	protos = fido_cbor_info_protocols_ptr(ci);
	assert_int_equal(protos[0], 2);
	assert_int_equal(protos[1], 1);
	assert_int_equal(fido_cbor_info_algorithm_count(ci), 2);
	assert_int_equal(fido_cbor_info_algorithm_cose(ci, 0), COSE_ES256);
	assert_int_equal(fido_cbor_info_algorithm_cose(ci, 1), COSE_EDDSA);
	fido_cbor_info_free(&ci);
	close_dev(&dev);

	/* CTAP 2.0 mode, PIN set at creation, no built-in UV. */
	setenv("SOFTFIDO_VERSION", "2.0", 1);
	setenv("SOFTFIDO_UV", "none", 1);
	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	unlink(((struct fx *)*state)->path);
	dev = open_dev();
	assert_non_null(ci = fido_cbor_info_new());
	assert_int_equal(fido_dev_get_cbor_info(dev, ci), FIDO_OK);
	assert_int_equal(fido_cbor_info_versions_len(ci), 1);
	assert_string_equal(fido_cbor_info_versions_ptr(ci)[0], "FIDO_2_0");
	assert_false(has_option(ci, "uv", &v));
	assert_false(has_option(ci, "pinUvAuthToken", &v));
	assert_true(has_option(ci, "clientPin", &v) && v);
	assert_int_equal(fido_cbor_info_protocols_len(ci), 1);
	assert_int_equal(fido_cbor_info_protocols_ptr(ci)[0], 1);
	assert_true(fido_dev_has_pin(dev));
	fido_cbor_info_free(&ci);
	close_dev(&dev);
}

static void
check_self_attestation(int type)
{
	fido_dev_t *dev = open_dev();
	fido_cred_t *cred;

	cred = make_cred_ok(dev, type, "alice", false, NULL);
	assert_int_equal(fido_cred_type(cred), type);
	assert_string_equal(fido_cred_fmt(cred), "packed");
	assert_int_equal(fido_cred_x5c_len(cred), 0);
	assert_int_equal(fido_cred_verify_self(cred), FIDO_OK);
	/* No certificate: a full verification has nothing to check. */
	assert_int_not_equal(fido_cred_verify(cred), FIDO_OK);
	assert_int_equal(fido_cred_id_len(cred), 32);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_make_cred_es256_self(void **state)
{
	(void)state;
	check_self_attestation(COSE_ES256);
}

static void
test_make_cred_eddsa_self(void **state)
{
	(void)state;
	check_self_attestation(COSE_EDDSA);
}

static X509 *
load_ca(const struct fx *fx)
{
	char p[1024];
	FILE *f;
	X509 *ca;

	snprintf(p, sizeof(p), "%s/softfido-ca.crt", fx->dir);
	assert_non_null(f = fopen(p, "r"));
	ca = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(ca);
	return ca;
}

static void
test_make_cred_ca(void **state)
{
	static const unsigned char aaguid[16] = {
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21,
	};
	fido_dev_t *dev;
	fido_cred_t *cred;
	const unsigned char *p;
	X509 *leaf, *ca;
	EVP_PKEY *other;
	ASN1_OBJECT *oid;
	const ASN1_OCTET_STRING *val;
	int pos;

	setenv("SOFTFIDO_ATTEST", "ca", 1);
	setenv("SOFTFIDO_AAGUID", "12345678-9abc-def0-0fed-cba987654321", 1);
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "bob", false, NULL);
	assert_int_equal(fido_cred_verify(cred), FIDO_OK);
	/* Attestation by the CA's certificate, not the credential key. */
	assert_int_not_equal(fido_cred_verify_self(cred), FIDO_OK);
	assert_int_equal(fido_cred_aaguid_len(cred), 16);
	assert_memory_equal(fido_cred_aaguid_ptr(cred), aaguid, 16);

	/* The x5c certificate chains to the test CA ... */
	p = fido_cred_x5c_ptr(cred);
	assert_non_null(leaf = d2i_X509(NULL, &p,
	    (long)fido_cred_x5c_len(cred)));
	ca = load_ca(*state);
	assert_int_equal(X509_verify(leaf, X509_get0_pubkey(ca)), 1);
	assert_int_equal(X509_check_issued(ca, leaf), X509_V_OK);
	/* ... and to nothing else. */
	assert_non_null(other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	assert_int_not_equal(X509_verify(leaf, other), 1);
	/* It carries the AAGUID extension with the device's AAGUID. */
	assert_non_null(oid = OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1));
	assert_true((pos = X509_get_ext_by_OBJ(leaf, oid, -1)) >= 0);
	val = X509_EXTENSION_get_data(X509_get_ext(leaf, pos));
	assert_int_equal(ASN1_STRING_length(val), 18);
	assert_memory_equal(ASN1_STRING_get0_data(val) + 2, aaguid, 16);
	assert_int_equal(X509_get_ext_by_NID(leaf, NID_basic_constraints, -1)
	    >= 0, 1);
	ASN1_OBJECT_free(oid);
	EVP_PKEY_free(other);
	X509_free(ca);
	X509_free(leaf);
	fido_cred_free(&cred);
	close_dev(&dev);

	/* A second process (device) uses the same CA from the directory. */
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_EDDSA, "carol", false, NULL);
	assert_int_equal(fido_cred_verify(cred), FIDO_OK);
	p = fido_cred_x5c_ptr(cred);
	assert_non_null(leaf = d2i_X509(NULL, &p,
	    (long)fido_cred_x5c_len(cred)));
	ca = load_ca(*state);
	assert_int_equal(X509_verify(leaf, X509_get0_pubkey(ca)), 1);
	X509_free(ca);
	X509_free(leaf);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_assert_up(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred, *other;
	fido_assert_t *a;

	(void)state;
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	other = make_cred_ok(dev, COSE_ES256, "mallory", false, NULL);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_count(a), 1);
	assert_int_equal(fido_assert_flags(a, 0) & 0x05, 0x01);
	assert_int_equal(fido_assert_id_len(a, 0), fido_cred_id_len(cred));
	assert_memory_equal(fido_assert_id_ptr(a, 0), fido_cred_id_ptr(cred),
	    fido_cred_id_len(cred));
	assert_int_equal(verify_with(a, 0, cred), FIDO_OK);
	assert_int_not_equal(verify_with(a, 0, other), FIDO_OK);
	fido_assert_free(&a);

	/* EdDSA credential, verified with its own key. */
	fido_cred_free(&other);
	other = make_cred_ok(dev, COSE_EDDSA, "erin", false, NULL);
	assert_int_equal(get_assert(dev, other, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	assert_int_equal(verify_with(a, 0, other), FIDO_OK);
	fido_assert_free(&a);

	/* A credential unknown to this device. */
	assert_non_null(a = fido_assert_new());
	assert_int_equal(fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_assert_set_rp(a, RP), FIDO_OK);
	assert_int_equal(fido_assert_allow_cred(a, cdh, sizeof(cdh)), FIDO_OK);
	assert_int_equal(fido_dev_get_assert(dev, a, NULL),
	    FIDO_ERR_NO_CREDENTIALS);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	fido_cred_free(&other);
	close_dev(&dev);
}

static void
check_builtin_uv(const char *version)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;

	setenv("SOFTFIDO_UV", "builtin", 1);
	setenv("SOFTFIDO_VERSION", version, 1);
	dev = open_dev();
	assert_true(fido_dev_has_uv(dev));
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_flags(a, 0) & 0x05, 0x05);
	assert_int_equal(verify_with(a, 0, cred), FIDO_OK);
	fido_assert_free(&a);
	/* Without asking for UV, the flag stays clear. */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_flags(a, 0) & 0x04, 0);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_assert_uv_builtin_21(void **state)
{
	(void)state;
	check_builtin_uv("2.1");
}

static void
test_assert_uv_builtin_20(void **state)
{
	(void)state;
	check_builtin_uv("2.0");
}

static void
test_assert_uv_unsupported(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	int r;

	(void)state;
	setenv("SOFTFIDO_UV", "none", 1);
	dev = open_dev();
	assert_false(fido_dev_has_uv(dev));
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	/* CTAP 2.1: with neither built-in UV nor a PIN there is no way to
	 * get a pinUvAuthToken; libfido2 says so. */
	r = get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a);
	assert_int_equal(r, FIDO_ERR_PIN_REQUIRED);
	fido_assert_free(&a);
	close_dev(&dev);
	/* CTAP 2.0: the "uv" option itself is unsupported. */
	setenv("SOFTFIDO_VERSION", "2.0", 1);
	dev = open_dev();
	r = get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a);
	assert_int_equal(r, FIDO_ERR_UNSUPPORTED_OPTION);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_finger_nomatch(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	int retries = -1;

	(void)state;
	setenv("SOFTFIDO_UV", "builtin", 1);
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	assert_int_equal(fido_dev_get_uv_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 5);
	close_dev(&dev);

	setenv("SOFTFIDO_FINGER", "nomatch", 1);
	dev = open_dev();
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_ERR_UV_INVALID);
	fido_assert_free(&a);
	assert_int_equal(fido_dev_get_uv_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 4);
	close_dev(&dev);

	/* The 2.0 path (uv option) fails the same way. */
	setenv("SOFTFIDO_VERSION", "2.0", 1);
	dev = open_dev();
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_ERR_UV_INVALID);
	fido_assert_free(&a);
	close_dev(&dev);

	/* A matching finger restores the retries. */
	setenv("SOFTFIDO_FINGER", "match", 1);
	unsetenv("SOFTFIDO_VERSION");
	dev = open_dev();
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_OK);
	fido_assert_free(&a);
	assert_int_equal(fido_dev_get_uv_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 5);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
check_pin(const char *version, const char *protocols)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	int retries = -1, r;

	if (version != NULL)
		setenv("SOFTFIDO_VERSION", version, 1);
	if (protocols != NULL)
		setenv("SOFTFIDO_PIN_PROTOCOLS", protocols, 1);
	dev = open_dev();
	assert_false(fido_dev_has_pin(dev));
	assert_int_equal(fido_dev_set_pin(dev, "12", NULL),
	    FIDO_ERR_PIN_POLICY_VIOLATION);
	assert_int_equal(fido_dev_set_pin(dev, TEST_PIN, NULL), FIDO_OK);
	/* Setting it again needs the old PIN. */
	assert_int_not_equal(fido_dev_set_pin(dev, "99999", NULL), FIDO_OK);
	close_dev(&dev);

	dev = open_dev();
	assert_true(fido_dev_has_pin(dev));
	assert_int_equal(fido_dev_get_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 8);
	/* With a PIN set, registration uses it and gets UV. */
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, TEST_PIN);
	assert_int_equal(fido_cred_flags(cred) & 0x04, 0x04);
	assert_int_equal(fido_cred_verify_self(cred), FIDO_OK);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, TEST_PIN, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_flags(a, 0) & 0x05, 0x05);
	assert_int_equal(verify_with(a, 0, cred), FIDO_OK);
	fido_assert_free(&a);

	/* Wrong PIN: refused, one retry spent. */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, "000000", &a),
	    FIDO_ERR_PIN_INVALID);
	fido_assert_free(&a);
	assert_int_equal(fido_dev_get_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 7);
	/* The count is in the state file: another device sees it. */
	close_dev(&dev);
	dev = open_dev();
	assert_int_equal(fido_dev_get_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 7);
	/* The right PIN restores the retries. */
	r = get_assert(dev, cred, FIDO_OPT_OMIT, TEST_PIN, &a);
	assert_int_equal(r, FIDO_OK);
	fido_assert_free(&a);
	assert_int_equal(fido_dev_get_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 8);

	/* Change the PIN; the old one stops working. */
	assert_int_equal(fido_dev_set_pin(dev, "13579", "bad-old"),
	    FIDO_ERR_PIN_INVALID);
	assert_int_equal(fido_dev_set_pin(dev, "13579", TEST_PIN), FIDO_OK);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, TEST_PIN, &a),
	    FIDO_ERR_PIN_INVALID);
	fido_assert_free(&a);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, "13579", &a),
	    FIDO_OK);
	fido_assert_free(&a);

	/* Without PIN or UV: presence only. */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_flags(a, 0) & 0x05, 0x01);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_pin_protocol2(void **state)
{
	(void)state;
	check_pin(NULL, NULL);
}

static void
test_pin_protocol1(void **state)
{
	(void)state;
	check_pin(NULL, "1");
}

static void
test_pin_ctap20(void **state)
{
	(void)state;
	check_pin("2.0", NULL);
}

static void
test_pin_blocking(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	int retries = -1, i, r;

	(void)state;
	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	dev = open_dev();
	assert_true(fido_dev_has_pin(dev));
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, TEST_PIN);
	/* Registration without the PIN of a discoverable credential. */
	fido_cred_free(&cred);
	cred = make_cred(dev, COSE_ES256, "bob", true, NULL, &r);
	assert_int_equal(r, FIDO_ERR_PIN_REQUIRED);
	fido_cred_free(&cred);
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, TEST_PIN);
	for (i = 0; i < 2; i++) {
		assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, "0000",
		    &a), FIDO_ERR_PIN_INVALID);
		fido_assert_free(&a);
	}
	/* Three in a row block this "power cycle". */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, "0000", &a),
	    FIDO_ERR_PIN_AUTH_BLOCKED);
	fido_assert_free(&a);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, TEST_PIN, &a),
	    FIDO_ERR_PIN_AUTH_BLOCKED);
	fido_assert_free(&a);
	close_dev(&dev);
	/* A new device handle is a new power cycle; 5 retries left. */
	dev = open_dev();
	assert_int_equal(fido_dev_get_retry_count(dev, &retries), FIDO_OK);
	assert_int_equal(retries, 5);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, TEST_PIN, &a),
	    FIDO_OK);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_touch_deny(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	int r;

	(void)state;
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	close_dev(&dev);
	setenv("SOFTFIDO_TOUCH", "deny", 1);
	dev = open_dev();
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_ERR_OPERATION_DENIED);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	cred = make_cred(dev, COSE_ES256, "bob", false, NULL, &r);
	assert_int_equal(r, FIDO_ERR_OPERATION_DENIED);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_touch_timeout(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;
	struct timespec t0;
	long ms;

	(void)state;
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	close_dev(&dev);
	setenv("SOFTFIDO_TOUCH", "timeout", 1);
	setenv("SOFTFIDO_TOUCH_TIMEOUT_MS", "400", 1);
	/* The device gives up by itself. */
	dev = open_dev();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_ERR_USER_ACTION_TIMEOUT);
	ms = ms_since(&t0);
	assert_true(ms >= 400 && ms < 5000);
	fido_assert_free(&a);
	close_dev(&dev);
	/* libfido2's own timeout runs out first. */
	setenv("SOFTFIDO_TOUCH_TIMEOUT_MS", "60000", 1);
	dev = open_dev();
	assert_int_equal(fido_dev_set_timeout(dev, 300), FIDO_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_not_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	ms = ms_since(&t0);
	assert_true(ms >= 250 && ms < 5000);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

/* One assertion in a child process; returns its signature counter. */
static uint32_t
child_counter(const fido_cred_t *cred)
{
	fido_dev_t *dev;
	fido_assert_t *a;
	uint32_t c = 0;
	ssize_t n;
	pid_t pid;
	int fds[2], st = 0, ok = 0;

	assert_int_equal(pipe(fds), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(fds[0]);
		if ((dev = fido_dev_new()) != NULL &&
		    softfido_dev_attach(dev) == FIDO_OK &&
		    fido_dev_open(dev, SOFTFIDO_PATH) == FIDO_OK &&
		    (a = fido_assert_new()) != NULL &&
		    fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh)) ==
		    FIDO_OK && fido_assert_set_rp(a, RP) == FIDO_OK &&
		    fido_assert_allow_cred(a, fido_cred_id_ptr(cred),
		    fido_cred_id_len(cred)) == FIDO_OK &&
		    fido_dev_get_assert(dev, a, NULL) == FIDO_OK &&
		    verify_with(a, 0, cred) == FIDO_OK) {
			c = fido_assert_sigcount(a, 0);
			ok = write(fds[1], &c, sizeof(c)) == sizeof(c);
		}
		_exit(ok ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], &c, sizeof(c));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, (ssize_t)sizeof(c));
	return c;
}

static uint32_t
counter_of(fido_dev_t *dev, const fido_cred_t *cred)
{
	fido_assert_t *a;
	uint32_t c;

	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_OK);
	assert_int_equal(verify_with(a, 0, cred), FIDO_OK);
	c = fido_assert_sigcount(a, 0);
	fido_assert_free(&a);
	return c;
}

static void
test_counter(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred, *other;
	uint32_t c1, c2, c3, c4, c5;

	(void)state;
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, NULL);
	other = make_cred_ok(dev, COSE_ES256, "bob", false, NULL);
	c1 = counter_of(dev, cred);
	c2 = counter_of(dev, cred);
	assert_true(c1 > 0);
	assert_true(c2 > c1);
	/* Another process continues from the shared state ... */
	c3 = child_counter(cred);
	assert_true(c3 > c2);
	/* ... and this one sees where it left off. */
	c4 = counter_of(dev, cred);
	assert_true(c4 > c3);
	/* Counters are per credential. */
	assert_int_equal(counter_of(dev, other), 1);
	close_dev(&dev);

	/* A cloned key signs a lower counter than the last one seen. */
	setenv("SOFTFIDO_COUNTER", "regress", 1);
	dev = open_dev();
	c5 = counter_of(dev, cred);
	assert_true(c5 < c4);
	close_dev(&dev);
	setenv("SOFTFIDO_COUNTER", "zero", 1);
	dev = open_dev();
	assert_int_equal(counter_of(dev, cred), 0);
	close_dev(&dev);
	unsetenv("SOFTFIDO_COUNTER");
	dev = open_dev();
	assert_int_equal(counter_of(dev, cred), c4 + 1);
	fido_cred_free(&cred);
	fido_cred_free(&other);
	close_dev(&dev);
}

static void
test_discoverable(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *c1, *c2, *c3;
	fido_assert_t *a;
	size_t i;
	bool seen1 = false, seen2 = false;
	int r;

	(void)state;
	setenv("SOFTFIDO_UV", "builtin", 1);
	dev = open_dev();
	c1 = make_cred_ok(dev, COSE_ES256, "alice", true, NULL);
	c2 = make_cred_ok(dev, COSE_EDDSA, "bob", true, NULL);
	c3 = make_cred_ok(dev, COSE_ES256, "carol", false, NULL);
	/* An excluded credential is not registered twice. */
	fido_cred_free(&c3);
	assert_non_null(c3 = fido_cred_new());
	assert_int_equal(fido_cred_set_type(c3, COSE_ES256), FIDO_OK);
	assert_int_equal(fido_cred_set_clientdata_hash(c3, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_cred_set_rp(c3, RP, NULL), FIDO_OK);
	assert_int_equal(fido_cred_set_user(c3, (const unsigned char *)"x", 1,
	    "x", NULL, NULL), FIDO_OK);
	assert_int_equal(fido_cred_exclude(c3, fido_cred_id_ptr(c1),
	    fido_cred_id_len(c1)), FIDO_OK);
	r = fido_dev_make_cred(dev, c3, NULL);
	assert_int_equal(r, FIDO_ERR_CREDENTIAL_EXCLUDED);
	fido_cred_free(&c3);

	assert_int_equal(get_assert(dev, NULL, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_OK);
	assert_int_equal(fido_assert_count(a), 2);
	for (i = 0; i < 2; i++) {
		if (fido_assert_user_id_len(a, i) == 5 &&
		    memcmp(fido_assert_user_id_ptr(a, i), "alice", 5) == 0) {
			assert_int_equal(verify_with(a, i, c1), FIDO_OK);
			assert_string_equal(fido_assert_user_name(a, i),
			    "alice");
			seen1 = true;
		} else if (fido_assert_user_id_len(a, i) == 3 &&
		    memcmp(fido_assert_user_id_ptr(a, i), "bob", 3) == 0) {
			assert_int_equal(verify_with(a, i, c2), FIDO_OK);
			seen2 = true;
		}
	}
	assert_true(seen1 && seen2);
	fido_assert_free(&a);
	fido_cred_free(&c1);
	fido_cred_free(&c2);
	close_dev(&dev);
}

static void
test_cred_protect(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;

	(void)state;
	setenv("SOFTFIDO_UV", "builtin", 1);
	dev = open_dev();
	assert_non_null(cred = fido_cred_new());
	assert_int_equal(fido_cred_set_type(cred, COSE_ES256), FIDO_OK);
	assert_int_equal(fido_cred_set_clientdata_hash(cred, cdh, sizeof(cdh)),
	    FIDO_OK);
	assert_int_equal(fido_cred_set_rp(cred, RP, NULL), FIDO_OK);
	assert_int_equal(fido_cred_set_user(cred, (const unsigned char *)"u",
	    1, "u", NULL, NULL), FIDO_OK);
	assert_int_equal(fido_cred_set_prot(cred, FIDO_CRED_PROT_UV_REQUIRED),
	    FIDO_OK);
	assert_int_equal(fido_dev_make_cred(dev, cred, NULL), FIDO_OK);
	assert_int_equal(fido_cred_prot(cred), FIDO_CRED_PROT_UV_REQUIRED);
	assert_int_equal(fido_cred_verify_self(cred), FIDO_OK);
	/* Invisible without user verification ... */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_ERR_NO_CREDENTIALS);
	fido_assert_free(&a);
	/* ... usable with it. */
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_TRUE, NULL, &a),
	    FIDO_OK);
	assert_int_equal(verify_with(a, 0, cred), FIDO_OK);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_reset(void **state)
{
	fido_dev_t *dev;
	fido_cred_t *cred;
	fido_assert_t *a;

	(void)state;
	setenv("SOFTFIDO_PIN", TEST_PIN, 1);
	dev = open_dev();
	cred = make_cred_ok(dev, COSE_ES256, "alice", false, TEST_PIN);
	assert_int_equal(fido_dev_reset(dev), FIDO_OK);
	close_dev(&dev);
	dev = open_dev();
	assert_false(fido_dev_has_pin(dev));
	assert_int_equal(get_assert(dev, cred, FIDO_OPT_OMIT, NULL, &a),
	    FIDO_ERR_NO_CREDENTIALS);
	fido_assert_free(&a);
	fido_cred_free(&cred);
	close_dev(&dev);
}

static void
test_bad_settings(void **state)
{
	struct softfido *sf = NULL;
	fido_dev_t *dev;

	(void)state;
	setenv("SOFTFIDO_TOUCH", "sometimes", 1);
	assert_int_equal(softfido_open(&sf), -1);
	assert_null(sf);
	unsetenv("SOFTFIDO_TOUCH");
	setenv("SOFTFIDO_AAGUID", "not-a-uuid", 1);
	assert_int_equal(softfido_open(&sf), -1);
	unsetenv("SOFTFIDO_AAGUID");
	setenv("SOFTFIDO_PIN", "12", 1);
	assert_int_equal(softfido_open(&sf), -1);
	unsetenv("SOFTFIDO_PIN");
	unsetenv("SOFTFIDO_STATE");
	assert_int_equal(softfido_open(&sf), -1);
	/* libfido2 sees a device that cannot be opened. */
	assert_non_null(dev = fido_dev_new());
	assert_int_equal(softfido_dev_attach(dev), FIDO_OK);
	assert_int_not_equal(fido_dev_open(dev, SOFTFIDO_PATH), FIDO_OK);
	fido_dev_free(&dev);
}

/* Send one raw command and return the reply's status byte (or -1). */
static int
raw(struct softfido *sf, uint8_t cmd, const uint8_t *req, size_t len,
    uint8_t *rcmd)
{
	const uint8_t *p;
	size_t n;
	unsigned delay;
	int st;

	assert_int_equal(softfido_transact(sf, cmd, req, len), 0);
	if (softfido_reply(sf, rcmd, &p, &n, &delay) < 0)
		return -1;
	st = n > 0 ? p[0] : -1;
	softfido_reply_taken(sf);
	return st;
}

static void
test_malformed(void **state)
{
	/* Declared sizes far beyond the input: refused before any use. */
	static const uint8_t huge_array[] = { 0x01, 0x9b, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t huge_map[] = { 0x02, 0xba, 0xff, 0xff, 0xff,
	    0xff, 0x01, 0x02 };
	static const uint8_t huge_bytes[] = { 0x06, 0xa1, 0x01, 0x5a, 0x7f,
	    0xff, 0xff, 0xff, 0x00 };
	static const uint8_t indefinite[] = { 0x06, 0xbf, 0x01, 0x01, 0xff };
	static const uint8_t trailing[] = { 0x06, 0xa1, 0x02, 0x01, 0x00 };
	static const uint8_t tagged[] = { 0x06, 0xa1, 0x02, 0xc1, 0x01 };
	static const uint8_t floating[] = { 0x06, 0xa1, 0x02, 0xf9, 0x3c,
	    0x00 };
	static const uint8_t short_cdh[] = { 0x01, 0xa1, 0x01, 0x41, 0x00 };
	static const uint8_t not_map[] = { 0x02, 0x80 };
	static const uint8_t no_sub[] = { 0x06, 0xa1, 0x01, 0x02 };
	static const uint8_t bad_sub[] = { 0x06, 0xa2, 0x01, 0x02, 0x02,
	    0x18, 0x63 };
	/* setPIN with a point that is not on P-256. */
	uint8_t off_curve[256];
	uint8_t deep[64], big[SOFTFIDO_MAXMSG + 2], rcmd = 0;
	struct softfido *sf = NULL;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(softfido_open(&sf), 0);
	assert_int_equal(raw(sf, 0x10, huge_array, sizeof(huge_array), &rcmd),
	    0x12);
	assert_int_equal(rcmd, 0x10);
	assert_int_equal(raw(sf, 0x10, huge_map, sizeof(huge_map), &rcmd),
	    0x12);
	assert_int_equal(raw(sf, 0x10, huge_bytes, sizeof(huge_bytes), &rcmd),
	    0x12);
	assert_int_equal(raw(sf, 0x10, indefinite, sizeof(indefinite), &rcmd),
	    0x12);
	assert_int_equal(raw(sf, 0x10, trailing, sizeof(trailing), &rcmd),
	    0x12);
	assert_int_equal(raw(sf, 0x10, tagged, sizeof(tagged), &rcmd), 0x12);
	assert_int_equal(raw(sf, 0x10, floating, sizeof(floating), &rcmd),
	    0x12);
	deep[0] = 0x02;
	for (i = 1; i < sizeof(deep) - 1; i++)
		deep[i] = 0x81;		/* array of one ... */
	deep[sizeof(deep) - 1] = 0x00;
	assert_int_equal(raw(sf, 0x10, deep, sizeof(deep), &rcmd), 0x12);
	assert_int_equal(raw(sf, 0x10, short_cdh, sizeof(short_cdh), &rcmd),
	    0x03);
	assert_int_equal(raw(sf, 0x10, not_map, sizeof(not_map), &rcmd),
	    0x11);
	assert_int_equal(raw(sf, 0x10, no_sub, sizeof(no_sub), &rcmd), 0x14);
	assert_int_equal(raw(sf, 0x10, bad_sub, sizeof(bad_sub), &rcmd), 0x3e);
	/* Unknown CTAP2 command, empty CBOR command, oversize message. */
	assert_int_equal(raw(sf, 0x10, (const uint8_t *)"\x55", 1, &rcmd),
	    0x01);
	assert_int_equal(raw(sf, 0x10, NULL, 0, &rcmd), 0x03);
	assert_int_equal(rcmd, 0x3f);
	memset(big, 0, sizeof(big));
	big[0] = 0x04;
	assert_int_equal(raw(sf, 0x10, big, sizeof(big), &rcmd), 0x03);
	assert_int_equal(rcmd, 0x3f);
	assert_int_equal(raw(sf, 0x06, big, 7, &rcmd), 0x03);
	assert_int_equal(rcmd, 0x3f);
	assert_int_equal(raw(sf, 0x42, big, 1, &rcmd), 0x01);
	assert_int_equal(rcmd, 0x3f);

	/* clientPIN setPIN (protocol 2) with a key agreement point that is
	 * not on the curve. */
	off_curve[n++] = 0x06;
	off_curve[n++] = 0xa5;
	off_curve[n++] = 0x01; off_curve[n++] = 0x02;
	off_curve[n++] = 0x02; off_curve[n++] = 0x03;
	off_curve[n++] = 0x03; off_curve[n++] = 0xa5;
	off_curve[n++] = 0x01; off_curve[n++] = 0x02;
	off_curve[n++] = 0x03; off_curve[n++] = 0x38; off_curve[n++] = 0x18;
	off_curve[n++] = 0x20; off_curve[n++] = 0x01;
	off_curve[n++] = 0x21; off_curve[n++] = 0x58; off_curve[n++] = 32;
	memset(off_curve + n, 0x11, 32);
	n += 32;
	off_curve[n++] = 0x22; off_curve[n++] = 0x58; off_curve[n++] = 32;
	memset(off_curve + n, 0x22, 32);
	n += 32;
	off_curve[n++] = 0x04; off_curve[n++] = 0x58; off_curve[n++] = 32;
	memset(off_curve + n, 0, 32);
	n += 32;
	off_curve[n++] = 0x05; off_curve[n++] = 0x58; off_curve[n++] = 80;
	assert_true(n + 80 <= sizeof(off_curve));
	memset(off_curve + n, 0, 80);
	n += 80;
	assert_int_equal(raw(sf, 0x10, off_curve, n, &rcmd), 0x02);

	/* The device still works. */
	assert_int_equal(raw(sf, 0x10, (const uint8_t *)"\x04", 1, &rcmd), 0);
	softfido_free(&sf);
	assert_null(sf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_cred_es256_self,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_cred_eddsa_self,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_cred_ca, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_assert_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_uv_builtin_21,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_uv_builtin_20,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_assert_uv_unsupported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_finger_nomatch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_protocol2, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_protocol1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_ctap20, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_blocking, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_touch_deny, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_touch_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discoverable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cred_protect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_settings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
		    teardown),
	};

	/* libfido2 prints debug hex dumps if FIDO_DEBUG is set. */
	fido_init(0);
	return cmocka_run_group_tests_name("softfido", tests, NULL, NULL);
}
