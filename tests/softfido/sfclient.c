/*
 * sfclient: a small, ordinary libfido2 program (nothing softfido-specific)
 * that shim.sh runs under LD_PRELOAD=libsoftfido_shim.so, the way the PAM
 * module and idmgr use a key:
 *
 *   sfclient list
 *   sfclient enroll CREDFILE [PIN]        register; write id and key
 *   sfclient login CREDFILE [PIN] [uv]    assert and verify
 *   sfclient login-info CREDFILE          same, via fido_dev_open_with_info
 *
 * It prints one "key value" line per fact and exits 0 on success, 1 on a
 * FIDO error (printed as "error NAME"), 2 on misuse.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fido.h>
#include <fido/es256.h>

#define RP		"login.zoneauth.test"
#define MAX_DEVS	8
#define CRED_MAX	512

static const unsigned char cdh[32] = "sfclient client data hash 012345";

/* Find the first device; returns an opened device or NULL. */
static fido_dev_t *
open_first(bool with_info, int *r)
{
	fido_dev_info_t *devs;
	const fido_dev_info_t *di;
	fido_dev_t *dev = NULL;
	size_t n = 0;

	if ((devs = fido_dev_info_new(MAX_DEVS)) == NULL) {
		*r = FIDO_ERR_INTERNAL;
		return NULL;
	}
	if ((*r = fido_dev_info_manifest(devs, MAX_DEVS, &n)) != FIDO_OK)
		goto out;
	if (n == 0) {
		*r = FIDO_ERR_NOTFOUND;
		goto out;
	}
	di = fido_dev_info_ptr(devs, 0);
	if (with_info) {
		if ((dev = fido_dev_new_with_info(di)) == NULL)
			*r = FIDO_ERR_INTERNAL;
		else
			*r = fido_dev_open_with_info(dev);
	} else {
		if ((dev = fido_dev_new()) == NULL)
			*r = FIDO_ERR_INTERNAL;
		else
			*r = fido_dev_open(dev, fido_dev_info_path(di));
	}
	if (*r != FIDO_OK)
		fido_dev_free(&dev);
out:
	fido_dev_info_free(&devs, MAX_DEVS);
	return dev;
}

static int
list(void)
{
	fido_dev_info_t *devs;
	size_t n = 0, i;
	int r;

	if ((devs = fido_dev_info_new(MAX_DEVS)) == NULL)
		return FIDO_ERR_INTERNAL;
	if ((r = fido_dev_info_manifest(devs, MAX_DEVS, &n)) == FIDO_OK) {
		printf("devices %zu\n", n);
		for (i = 0; i < n; i++)
			printf("path %s\n",
			    fido_dev_info_path(fido_dev_info_ptr(devs, i)));
	}
	fido_dev_info_free(&devs, MAX_DEVS);
	return r;
}

static void
put_hex(FILE *f, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

static int
enroll(const char *path, const char *pin)
{
	fido_dev_t *dev;
	fido_cred_t *cred = NULL;
	FILE *f = NULL;
	int r;

	if ((dev = open_first(false, &r)) == NULL)
		return r;
	if ((cred = fido_cred_new()) == NULL) {
		r = FIDO_ERR_INTERNAL;
		goto out;
	}
	if ((r = fido_cred_set_type(cred, COSE_ES256)) != FIDO_OK ||
	    (r = fido_cred_set_clientdata_hash(cred, cdh, sizeof(cdh))) !=
	    FIDO_OK ||
	    (r = fido_cred_set_rp(cred, RP, "zoneauth")) != FIDO_OK ||
	    (r = fido_cred_set_user(cred, (const unsigned char *)"u1", 2,
	    "user1", NULL, NULL)) != FIDO_OK ||
	    (r = fido_dev_make_cred(dev, cred, pin)) != FIDO_OK)
		goto out;
	if (fido_cred_x5c_len(cred) > 0) {
		r = fido_cred_verify(cred);
		printf("attestation full %s\n", fido_strerr(r));
	} else {
		r = fido_cred_verify_self(cred);
		printf("attestation self %s\n", fido_strerr(r));
	}
	if (r != FIDO_OK)
		goto out;
	if ((f = fopen(path, "w")) == NULL) {
		r = FIDO_ERR_INTERNAL;
		goto out;
	}
	put_hex(f, fido_cred_id_ptr(cred), fido_cred_id_len(cred));
	put_hex(f, fido_cred_pubkey_ptr(cred), fido_cred_pubkey_len(cred));
	if (fclose(f) != 0)
		r = FIDO_ERR_INTERNAL;
	printf("enrolled %zu-byte credential\n", fido_cred_id_len(cred));
out:
	fido_cred_free(&cred);
	fido_dev_close(dev);
	fido_dev_free(&dev);
	return r;
}

static int
unhex_line(FILE *f, unsigned char *out, size_t *len)
{
	char line[2 * CRED_MAX + 2];
	size_t n, i;
	unsigned int b;

	if (fgets(line, sizeof(line), f) == NULL)
		return -1;
	n = strcspn(line, "\n");
	if (n % 2 != 0 || n / 2 > CRED_MAX)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(line + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	*len = n / 2;
	return 0;
}

static int
login(const char *path, const char *pin, bool uv, bool with_info)
{
	fido_dev_t *dev = NULL;
	fido_assert_t *a = NULL;
	es256_pk_t *pk = NULL;
	unsigned char id[CRED_MAX], key[CRED_MAX];
	size_t idlen = 0, keylen = 0;
	FILE *f;
	int r = FIDO_ERR_INTERNAL;

	if ((f = fopen(path, "r")) == NULL)
		return FIDO_ERR_INTERNAL;
	if (unhex_line(f, id, &idlen) < 0 || unhex_line(f, key, &keylen) < 0) {
		fclose(f);
		return FIDO_ERR_INTERNAL;
	}
	fclose(f);
	if ((pk = es256_pk_new()) == NULL ||
	    es256_pk_from_ptr(pk, key, keylen) != FIDO_OK ||
	    (a = fido_assert_new()) == NULL)
		goto out;
	if ((dev = open_first(with_info, &r)) == NULL)
		goto out;
	if ((r = fido_assert_set_clientdata_hash(a, cdh, sizeof(cdh))) !=
	    FIDO_OK || (r = fido_assert_set_rp(a, RP)) != FIDO_OK ||
	    (r = fido_assert_allow_cred(a, id, idlen)) != FIDO_OK ||
	    (uv && (r = fido_assert_set_uv(a, FIDO_OPT_TRUE)) != FIDO_OK) ||
	    (r = fido_dev_get_assert(dev, a, pin)) != FIDO_OK ||
	    (r = fido_assert_verify(a, 0, COSE_ES256, pk)) != FIDO_OK)
		goto out;
	printf("verified\ncounter %u\nflags %02x\n", fido_assert_sigcount(a, 0),
	    fido_assert_flags(a, 0));
out:
	fido_assert_free(&a);
	es256_pk_free(&pk);
	if (dev != NULL)
		fido_dev_close(dev);
	fido_dev_free(&dev);
	return r;
}

int
main(int argc, char **argv)
{
	const char *pin;
	int r;

	fido_init(0);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		r = list();
	else if (argc >= 3 && argc <= 4 && strcmp(argv[1], "enroll") == 0)
		r = enroll(argv[2], argc == 4 ? argv[3] : NULL);
	else if (argc >= 3 && argc <= 5 && strcmp(argv[1], "login") == 0) {
		pin = argc >= 4 && strcmp(argv[3], "-") != 0 ? argv[3] : NULL;
		r = login(argv[2], pin, argc == 5 && strcmp(argv[4], "uv") == 0,
		    false);
	} else if (argc == 3 && strcmp(argv[1], "login-info") == 0)
		r = login(argv[2], NULL, false, true);
	else {
		fprintf(stderr, "usage: sfclient list | enroll CREDFILE [PIN] "
		    "| login CREDFILE [PIN|-] [uv] | login-info CREDFILE\n");
		return 2;
	}
	if (r != FIDO_OK) {
		printf("error %s\n", fido_strerr(r));
		return 1;
	}
	return 0;
}
