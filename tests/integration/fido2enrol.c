/*
 * fido2enrol: register a FIDO2 credential on the first security key found
 * (the softfido shim, preloaded, in the tests) with za_fido2_enrol() and
 * print the directory entry for it as LDIF, encoded by the model
 * (za_fido2_cred_to_mods), for ldapadd.  The PAM tests enrol with it so
 * that they depend on the library only, not on idmgr.
 *
 *   fido2enrol [-u none|pin|builtin] [-r RP_ID] [-l LABEL] [-t MS]
 *              USER TOKEN_ID USERS_DN
 *   fido2enrol -s [-u none|pin|builtin] [-r RP_ID] [-l LABEL] [-t MS]
 *              USER TOKEN_ID
 *
 * The entry is zaTokenId=TOKEN_ID,uid=USER,USERS_DN.  With -s a whole
 * file store (zoneauth.store) holding the user and the credential is
 * printed instead, written by the model (za_store_serialize).  With -u pin the PIN
 * is read from the environment variable ZA_TEST_FIDO2_PIN (a test tool:
 * never on the command line).  Self attestation is accepted.  Exit 0 on
 * success, 1 on failure (the reason on stderr), 2 on usage errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>
#include <openssl/evp.h>

#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"

static void
emit(void *arg, int priority, const char *line)
{
	(void)arg;
	(void)priority;
	fprintf(stderr, "fido2enrol: %s\n", line);
}

static int
usage(void)
{
	fprintf(stderr, "usage: fido2enrol [-u none|pin|builtin] [-r RP_ID] "
	    "[-l LABEL] [-t MS] USER TOKEN_ID USERS_DN\n"
	    "       fido2enrol -s [-u none|pin|builtin] [-r RP_ID] "
	    "[-l LABEL] [-t MS] USER TOKEN_ID\n");
	return 2;
}

/* Print one attribute value as "type:: base64". */
static int
print_value(const char *type, const struct berval *bv)
{
	unsigned char *b64;
	size_t cap;

	if (bv->bv_len > 1024 * 1024)
		return ZA_ERR_TOO_LARGE;
	cap = 4 * ((bv->bv_len + 2) / 3) + 1;
	if ((b64 = malloc(cap)) == NULL)
		return ZA_ERR_NOMEM;
	(void)EVP_EncodeBlock(b64, (const unsigned char *)bv->bv_val,
	    (int)bv->bv_len);
	printf("%s:: %s\n", type, (const char *)b64);
	free(b64);
	return ZA_OK;
}

/* Print a file store holding user uid and credential *cp (taken). */
static int
print_store(const char *uid, struct za_fido2_cred **cp, const struct za_log *lg)
{
	struct za_store *s = NULL;
	struct za_user *u = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	if ((r = za_store_new(&s)) != ZA_OK || (r = za_user_new(&u)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((u->uid = strdup(uid)) == NULL ||
	    ((*cp)->owner = strdup(uid)) == NULL)
		goto out;
	if ((r = za_user_list_append(&s->users, &u)) != ZA_OK ||
	    (r = za_fido2_cred_list_append(&s->fido2, cp)) != ZA_OK ||
	    (r = za_store_serialize(s, &text, &len, lg)) != ZA_OK)
		goto out;
	r = fwrite(text, 1, len, stdout) == len ? ZA_OK : ZA_ERR_IO;
out:
	if (text != NULL)
		za_freezero(text, len + 1);
	za_user_free(&u);
	za_store_free(&s);
	return r;
}

int
main(int argc, char **argv)
{
	struct za_log lg = { emit, NULL, 0 };
	struct za_fido2_enrol_req req;
	struct za_fido2_result res;
	struct za_fido2_cred *c = NULL;
	LDAPMod **mods = NULL;
	const char *rp_id = "pam://zoneauth", *label = NULL, *pin;
	enum za_uv_kind uv = ZA_UV_NONE;
	size_t i, j;
	long ms = 10000;
	int ch, r, store = 0;

	while ((ch = getopt(argc, argv, "su:r:l:t:")) != -1) {
		switch (ch) {
		case 's':
			store = 1;
			break;
		case 'u':
			if (za_uv_kind_from_string(optarg, &uv) != ZA_OK)
				return usage();
			break;
		case 'r':
			rp_id = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 't':
			ms = strtol(optarg, NULL, 10);
			if (ms < 1 || ms > ZA_FIDO2_TIMEOUT_MAX_MS)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != (store ? 2 : 3))
		return usage();
	memset(&res, 0, sizeof(res));
	memset(&req, 0, sizeof(req));
	req.rp_id = rp_id;
	req.user.name = argv[optind];
	req.uv = uv;
	pin = getenv("ZA_TEST_FIDO2_PIN");
	req.pin = uv == ZA_UV_PIN ? pin : NULL;
	req.timeout_ms = (int)ms;
	if ((r = za_fido2_enrol(NULL, &req, NULL, &c, &res, &lg)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((c->id = strdup(argv[optind + 1])) == NULL ||
	    (label != NULL && (c->label = strdup(label)) == NULL))
		goto out;
	c->created = time(NULL);
	if (store) {
		if ((r = print_store(argv[optind], &c, &lg)) == ZA_OK)
			r = fflush(stdout) == 0 ? ZA_OK : ZA_ERR_IO;
		goto out;
	}
	if ((r = za_fido2_cred_to_mods(c, &mods, &lg)) != ZA_OK)
		goto out;
	printf("dn: zaTokenId=%s,uid=%s,%s\n", argv[optind + 1], argv[optind],
	    argv[optind + 2]);
	for (i = 0; mods[i] != NULL; i++)
		for (j = 0; mods[i]->mod_bvalues != NULL &&
		    mods[i]->mod_bvalues[j] != NULL; j++)
			if ((r = print_value(mods[i]->mod_type,
			    mods[i]->mod_bvalues[j])) != ZA_OK)
				goto out;
	printf("\n");
	r = fflush(stdout) == 0 ? ZA_OK : ZA_ERR_IO;
out:
	if (r != ZA_OK)
		fprintf(stderr, "fido2enrol: %s%s%s\n", za_strerror(r),
		    res.msg[0] != '\0' ? ": " : "", res.msg);
	za_ldap_mods_free(&mods);
	za_fido2_cred_free(&c);
	return r == ZA_OK ? 0 : 1;
}
