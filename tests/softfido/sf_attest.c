/*
 * Full ("basic") packed attestation for softfido: a test CA kept in
 * SOFTFIDO_CA_DIR (softfido-ca.crt / softfido-ca.key, created on first use
 * under a lock) issues a fresh attestation certificate per device, shaped
 * as WebAuthn section 8.2.1 asks: version 3, OU "Authenticator
 * Attestation", CA:FALSE, and the id-fido-gen-ce-aaguid extension.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sf_int.h"

#define CA_CERT		"softfido-ca.crt"
#define CA_KEY		"softfido-ca.key"
#define CA_LOCK		"softfido-ca.lock"
#define OID_FIDO_AAGUID	"1.3.6.1.4.1.45724.1.1.4"

static int
ca_path(const struct sf_conf *conf, const char *name, char *buf, size_t n)
{
	return (size_t)snprintf(buf, n, "%s/%s", conf->ca_dir, name) < n ?
	    0 : -1;
}

static int
set_name(X509_NAME *nm, const char *ou, const char *cn)
{
	if (X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC,
	    (const unsigned char *)"JP", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
	    (const unsigned char *)"zoneauth softfido", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(nm, "OU", MBSTRING_ASC,
	    (const unsigned char *)ou, -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	return 0;
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	char buf[128];
	int r;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", value) >= sizeof(buf))
		return -1;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, buf)) == NULL)
		return -1;
	r = X509_add_ext(cert, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return r;
}

/* A certificate for key, signed by signkey (issuer NULL: self-signed). */
static X509 *
make_cert(EVP_PKEY *key, EVP_PKEY *signkey, X509 *issuer, bool ca,
    const char *ou, const char *cn)
{
	X509 *cert;
	BIGNUM *bn = NULL;
	uint8_t serial[16];
	bool ok = false;

	if ((cert = X509_new()) == NULL)
		return NULL;
	if (sf_random(serial, sizeof(serial)) < 0)
		goto out;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, (int)sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL ||
	    X509_set_version(cert, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 86400) ==
	    NULL ||
	    set_name(X509_get_subject_name(cert), ou, cn) < 0 ||
	    X509_set_issuer_name(cert, issuer != NULL ?
	    X509_get_subject_name(issuer) : X509_get_subject_name(cert)) != 1 ||
	    X509_set_pubkey(cert, key) != 1)
		goto out;
	if (ca) {
		if (add_ext(cert, cert, NID_basic_constraints,
		    "critical,CA:TRUE") < 0 ||
		    add_ext(cert, cert, NID_key_usage,
		    "critical,keyCertSign,cRLSign") < 0 ||
		    add_ext(cert, cert, NID_subject_key_identifier, "hash") < 0)
			goto out;
	} else if (add_ext(cert, issuer, NID_basic_constraints,
	    "critical,CA:FALSE") < 0)
		goto out;
	if (X509_sign(cert, signkey, EVP_sha256()) <= 0)
		goto out;
	ok = true;
out:
	BN_free(bn);
	if (!ok) {
		X509_free(cert);
		cert = NULL;
	}
	return cert;
}

/* Write PEM output of one object to path via an O_EXCL temp + rename. */
static int
write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, r = -1;
	bool created = false;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp) || (fd = mkstemp(tmp)) < 0)
		goto out;
	created = true;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto out;
	}
	if ((cert != NULL && PEM_write_X509(f, cert) != 1) ||
	    (key != NULL && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
	    NULL) != 1) || fflush(f) != 0 || fsync(fileno(f)) < 0)
		goto out;
	r = fclose(f) == 0 ? 0 : -1;
	f = NULL;
	if (r == 0 && rename(tmp, path) < 0)
		r = -1;
	if (r == 0)
		created = false;
out:
	if (f != NULL)
		fclose(f);
	if (created)
		unlink(tmp);
	return r;
}

static int
read_pem(const char *path, X509 **cert, EVP_PKEY **key)
{
	struct stat sb;
	FILE *f;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > 64 * 1024 || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	if (cert != NULL)
		r = (*cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL ? 0 : -1;
	else
		r = (*key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) != NULL ?
		    0 : -1;
	fclose(f);
	return r;
}

/* Load the CA, creating it first if this is the first use of ca_dir. */
static int
load_ca(const struct sf_conf *conf, X509 **cert, EVP_PKEY **key)
{
	char pcert[PATH_MAX], pkey[PATH_MAX], plock[PATH_MAX];
	int lock = -1, r = -1;

	if (ca_path(conf, CA_CERT, pcert, sizeof(pcert)) < 0 ||
	    ca_path(conf, CA_KEY, pkey, sizeof(pkey)) < 0 ||
	    ca_path(conf, CA_LOCK, plock, sizeof(plock)) < 0)
		goto out;
	if ((lock = open(plock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) < 0 || flock(lock, LOCK_EX) < 0)
		goto out;
	if (access(pcert, F_OK) < 0 && errno == ENOENT) {
		/* Key first: a certificate means both are complete. */
		if ((*key = sf_p256_generate()) == NULL ||
		    (*cert = make_cert(*key, *key, NULL, true, "Test CA",
		    "softfido test CA")) == NULL ||
		    write_pem(pkey, NULL, *key) < 0 ||
		    write_pem(pcert, *cert, NULL) < 0)
			goto out;
	} else if (read_pem(pcert, cert, NULL) < 0 ||
	    read_pem(pkey, NULL, key) < 0 ||
	    X509_check_private_key(*cert, *key) != 1)
		goto out;
	r = 0;
out:
	if (r < 0) {
		fprintf(stderr, "softfido: cannot load or create the test CA "
		    "in %s\n", conf->ca_dir);
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
	if (lock >= 0)
		close(lock);
	return r;
}

/* The AAGUID extension: extnValue holds OCTET STRING (16 bytes). */
static int
add_aaguid(X509 *cert, const uint8_t aaguid[16])
{
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	uint8_t der[18];
	int r = -1;

	der[0] = 0x04;
	der[1] = 16;
	memcpy(der + 2, aaguid, 16);
	if ((obj = OBJ_txt2obj(OID_FIDO_AAGUID, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(os, der, (int)sizeof(der)) != 1 ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) == NULL ||
	    X509_add_ext(cert, ext, -1) != 1)
		goto out;
	r = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return r;
}

int
sf_attest_setup(struct softfido *sf)
{
	X509 *ca = NULL, *leaf = NULL;
	EVP_PKEY *cakey = NULL;
	unsigned char *der = NULL;
	int len, r = -1;

	if (load_ca(&sf->conf, &ca, &cakey) < 0)
		goto out;
	if ((sf->att_key = sf_p256_generate()) == NULL ||
	    (leaf = make_cert(sf->att_key, cakey, ca, false,
	    "Authenticator Attestation", "softfido attestation")) == NULL ||
	    add_aaguid(leaf, sf->conf.aaguid) < 0 ||
	    X509_sign(leaf, cakey, EVP_sha256()) <= 0 ||
	    (len = i2d_X509(leaf, &der)) <= 0)
		goto out;
	sf->att_cert = der;
	sf->att_cert_len = (size_t)len;
	der = NULL;
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return r;
}
