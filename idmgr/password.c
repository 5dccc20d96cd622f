/*
 * Initial passwords: drawn from getrandom(2) over an alphabet without
 * look-alike characters, set with the LDAP Password Modify extended
 * operation (RFC 3062) so that the password policy overlay treats it as
 * an administrator's reset (pwdReset: TRUE, change at first login).
 */
#include "config.h"

#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "za_dir.h"
#include "za_err.h"
#include "za_secret.h"

#include "idmgr.h"

/* No 0/O/o, 1/l/I: read aloud or copied from paper without mistakes. */
static const char alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

static int
has_classes(const char *pw)
{
	int up = 0, low = 0, dig = 0;

	for (; *pw != '\0'; pw++) {
		if (*pw >= 'A' && *pw <= 'Z')
			up = 1;
		else if (*pw >= 'a' && *pw <= 'z')
			low = 1;
		else if (*pw >= '0' && *pw <= '9')
			dig = 1;
	}
	return up && low && dig;
}

int
idmgr_password_generate(char *buf, size_t bufsz)
{
	const size_t n = sizeof(alphabet) - 1;
	/* Largest multiple of n below 256: reject above it (no bias). */
	const unsigned int limit = 256 - (256 % (unsigned int)n);
	unsigned char rnd[64];
	size_t len, i;
	int r = ZA_OK, tries;

	if (buf == NULL || bufsz < IDMGR_PASSWORD_LEN + 1)
		return ZA_ERR_ARG;
	for (tries = 0; tries < 100; tries++) {
		len = 0;
		while (len < IDMGR_PASSWORD_LEN) {
			if ((r = za_random(rnd, sizeof(rnd))) != ZA_OK)
				goto out;
			for (i = 0; i < sizeof(rnd) &&
			    len < IDMGR_PASSWORD_LEN; i++)
				if (rnd[i] < limit)
					buf[len++] = alphabet[rnd[i] % n];
		}
		buf[len] = '\0';
		if (has_classes(buf))
			goto out;
	}
	r = ZA_ERR_CRYPTO;
 out:
	za_wipe(rnd, sizeof(rnd));
	if (r != ZA_OK)
		za_wipe(buf, bufsz);
	return r;
}

int
idmgr_password_set(struct idmgr *im, const char *dn, const char *pw)
{
	struct berval user, newpw, gen = { 0, NULL };
	char diag[512];
	union {
		const char *c;
		char *m;
	} u;
	int rc, r;

	/* libldap does not write through these berval pointers. */
	u.c = dn;
	user.bv_val = u.m;
	user.bv_len = strlen(dn);
	u.c = pw;
	newpw.bv_val = u.m;
	newpw.bv_len = strlen(pw);
	rc = ldap_passwd_s(za_dir_ld(im->dir), &user, NULL, &newpw, &gen,
	    NULL, NULL);
	/* The server generates nothing when a password is supplied. */
	if (gen.bv_val != NULL) {
		za_wipe(gen.bv_val, gen.bv_len);
		ber_memfree(gen.bv_val);
	}
	r = za_dir_map_ldap_error(rc);
	if (r != ZA_OK)
		idmgr_fail(im, r, "password", "setting the initial password "
		    "of %s failed%s", dn, idmgr_ldap_diag(im, diag,
		    sizeof(diag)));
	return r;
}
