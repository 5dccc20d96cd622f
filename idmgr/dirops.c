/*
 * idmgr's directory reads: configuration and connection on demand, the
 * operator's identity, users, their tokens and groups, and entries kept
 * as strings for the before/after values of the audit log.
 *
 * Every value that came from the command line is escaped with za_escape
 * before it reaches a DN or a filter.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>
#include <openssl/evp.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_lockout.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

#include "idmgr.h"

/* Values per attribute / attributes per entry we are willing to hold. */
#define ENTRY_VALUES_MAX	100000
#define ENTRY_ATTRS_MAX		1000

const char *const idmgr_user_attrs[] = {
	"*", ZA_AT_PWD_LOCKED_TIME, ZA_AT_PWD_RESET, ZA_AT_PWD_FAILURE_TIME,
	ZA_AT_CREATE_TIMESTAMP, ZA_AT_MODIFY_TIMESTAMP, NULL
};

/* Token attributes: everything shown or audited, never the secret. */
static const char *const token_attrs[] = {
	ZA_AT_OBJECT_CLASS, ZA_AT_TOKEN_ID, ZA_AT_TOKEN_KIND,
	ZA_AT_TOKEN_LABEL, ZA_AT_TOKEN_STATUS, ZA_AT_TOKEN_CREATED,
	ZA_AT_TOKEN_LAST_USED, ZA_AT_TOKEN_REVOKED, ZA_AT_TOKEN_REVOKE_REASON,
	ZA_AT_OATH_TOTP_PARAMS, ZA_AT_OATH_HOTP_PARAMS, ZA_AT_OATH_LAST_STEP,
	ZA_AT_OATH_HOTP_COUNTER, ZA_AT_FIDO2_CRED_ID, ZA_AT_FIDO2_ALG,
	ZA_AT_FIDO2_AAGUID, ZA_AT_FIDO2_SIGN_COUNT, ZA_AT_FIDO2_UV_KIND,
	ZA_AT_FIDO2_RP_ID, ZA_AT_CREATE_TIMESTAMP, NULL
};

/* ---------------------------------------------------------------- setup */

int
idmgr_load_config(struct idmgr *im)
{
	int r;

	if (im->cfg != NULL)
		return ZA_OK;
	if ((im->cfg = za_config_new()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	if ((r = za_config_load(im->cfg, im->conf_path, geteuid(),
	    &im->log)) != ZA_OK ||
	    (r = za_config_finish(im->cfg, &im->log)) != ZA_OK) {
		za_config_free(&im->cfg);
		return idmgr_fail(im, r, "config", "%s: %s", im->conf_path,
		    za_strerror(r));
	}
	return ZA_OK;
}

/* The authorization identity of the connection ("dn:..." stripped). */
static void
learn_operator(struct idmgr *im)
{
	struct berval *authzid = NULL;
	const char *s;
	size_t len;

	if (ldap_whoami_s(za_dir_ld(im->dir), &authzid, NULL, NULL) ==
	    LDAP_SUCCESS && authzid != NULL && authzid->bv_val != NULL &&
	    authzid->bv_len > 0) {
		s = authzid->bv_val;
		len = authzid->bv_len;
		if (len > 3 && strncmp(s, "dn:", 3) == 0) {
			s += 3;
			len -= 3;
		}
		if (memchr(s, '\0', len) == NULL)
			im->operator_dn = strndup(s, len);
	}
	ber_bvfree(authzid);
	if (im->operator_dn == NULL && im->cfg->dir.bind_dn != NULL)
		im->operator_dn = strdup(im->cfg->dir.bind_dn);
}

int
idmgr_connect(struct idmgr *im)
{
	int r;

	if (im->dir != NULL)
		return ZA_OK;
	if ((r = idmgr_load_config(im)) != ZA_OK)
		return r;
	if ((r = za_dir_open(&im->cfg->dir, &im->log, &im->dir)) != ZA_OK)
		return idmgr_fail(im, r, "directory", "cannot connect: %s",
		    za_strerror(r));
	learn_operator(im);
	za_debug(&im->log, "connected to %s as %s", za_dir_uri(im->dir),
	    im->operator_dn != NULL ? im->operator_dn : "(anonymous)");
	return ZA_OK;
}

const char *
idmgr_ldap_diag(struct idmgr *im, char *buf, size_t bufsz)
{
	char *diag = NULL;
	int rc = LDAP_SUCCESS;
	LDAP *ld;

	buf[0] = '\0';
	if (im->dir == NULL || (ld = za_dir_ld(im->dir)) == NULL)
		return buf;
	if (ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc) !=
	    LDAP_OPT_SUCCESS || rc == LDAP_SUCCESS)
		return buf;
	(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	snprintf(buf, bufsz, " (%s%s%s)", ldap_err2string(rc),
	    diag != NULL && *diag != '\0' ? ": " : "",
	    diag != NULL ? diag : "");
	ldap_memfree(diag);
	return buf;
}

/* ---------------------------------------------------------------- entries */

static int
is_text(const struct berval *bv)
{
	char *s;
	int ok;

	if (bv->bv_len == 0)
		return 1;
	if (bv->bv_val == NULL || bv->bv_len > ZA_AUDIT_FIELD_MAX ||
	    memchr(bv->bv_val, '\0', bv->bv_len) != NULL)
		return 0;
	if ((s = strndup(bv->bv_val, bv->bv_len)) == NULL)
		return 0;
	ok = za_valid_text(s, bv->bv_len, "value", NULL) == ZA_OK;
	free(s);
	return ok;
}

/* "base64:..." of a binary value, truncated to keep audit lines short. */
static char *
encode_binary(const struct berval *bv)
{
	size_t n = bv->bv_len > 1024 ? 1024 : bv->bv_len;
	size_t outlen = 4 * ((n + 2) / 3) + sizeof("base64:") + 4;
	char *out;

	if ((out = malloc(outlen)) == NULL)
		return NULL;
	memcpy(out, "base64:", 7);
	EVP_EncodeBlock((unsigned char *)out + 7,
	    (const unsigned char *)bv->bv_val, (int)n);
	if (n < bv->bv_len)
		strcat(out, "...");
	return out;
}

static int
attr_fill(struct idmgr_attr *a, const char *name, struct berval **vals)
{
	size_t n = 0, i;
	int secret = za_audit_attr_is_secret(name);

	while (vals != NULL && vals[n] != NULL)
		n++;
	if (n > ENTRY_VALUES_MAX)
		return ZA_ERR_TOO_LARGE;
	if ((a->name = strdup(name)) == NULL ||
	    (a->vals = calloc(n + 1, sizeof(*a->vals))) == NULL)
		return ZA_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (secret) {
			/* Never copied: only its presence is recorded. */
			za_wipe(vals[i]->bv_val, vals[i]->bv_len);
			a->vals[i] = strdup(ZA_AUDIT_REDACTED);
			a->display_only = 1;
		} else if (is_text(vals[i])) {
			a->vals[i] = strndup(vals[i]->bv_len > 0 ?
			    vals[i]->bv_val : "", vals[i]->bv_len);
		} else {
			a->vals[i] = encode_binary(vals[i]);
			a->display_only = 1;
		}
		if (a->vals[i] == NULL)
			return ZA_ERR_NOMEM;
		a->n++;
	}
	return ZA_OK;
}

int
idmgr_entry_from_ldap(LDAP *ld, LDAPMessage *e, struct idmgr_entry **out)
{
	struct idmgr_entry *en = NULL;
	struct idmgr_attr *na;
	struct berval **vals = NULL;
	BerElement *ber = NULL;
	char *dn = NULL, *a;
	size_t cap = 0;
	int r = ZA_ERR_NOMEM;

	if ((en = calloc(1, sizeof(*en))) == NULL)
		goto out;
	if ((dn = ldap_get_dn(ld, e)) == NULL) {
		r = ZA_ERR_PARSE;
		goto out;
	}
	if ((en->dn = strdup(dn)) == NULL)
		goto out;
	for (a = ldap_first_attribute(ld, e, &ber); a != NULL;
	    a = ldap_next_attribute(ld, e, ber)) {
		if (en->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if (cap > ENTRY_ATTRS_MAX) {
				ldap_memfree(a);
				r = ZA_ERR_TOO_LARGE;
				goto out;
			}
			if ((na = reallocarray(en->attrs, cap,
			    sizeof(*na))) == NULL) {
				ldap_memfree(a);
				goto out;
			}
			en->attrs = na;
		}
		memset(&en->attrs[en->n], 0, sizeof(en->attrs[0]));
		vals = ldap_get_values_len(ld, e, a);
		r = attr_fill(&en->attrs[en->n], a, vals);
		en->n++;
		ldap_value_free_len(vals);
		vals = NULL;
		ldap_memfree(a);
		if (r != ZA_OK)
			goto out;
	}
	*out = en;
	en = NULL;
	r = ZA_OK;
 out:
	ber_free(ber, 0);
	ldap_memfree(dn);
	idmgr_entry_free(&en);
	return r;
}

void
idmgr_entry_free(struct idmgr_entry **ep)
{
	struct idmgr_entry *e;
	size_t i;

	if (ep == NULL || (e = *ep) == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->attrs[i].name);
		idmgr_strv_free(&e->attrs[i].vals);
	}
	free(e->attrs);
	free(e->dn);
	free(e);
	*ep = NULL;
}

const char *const *
idmgr_entry_values(const struct idmgr_entry *e, const char *attr)
{
	size_t i;
	union {
		char **m;
		const char *const *c;
	} u;

	if (e == NULL)
		return NULL;
	for (i = 0; i < e->n; i++) {
		if (strcasecmp(e->attrs[i].name, attr) == 0 &&
		    e->attrs[i].n > 0) {
			u.m = e->attrs[i].vals;
			return u.c;
		}
	}
	return NULL;
}

const char *
idmgr_entry_value(const struct idmgr_entry *e, const char *attr)
{
	const char *const *v = idmgr_entry_values(e, attr);

	return v != NULL ? v[0] : NULL;
}

void
idmgr_strv_free(char ***vp)
{
	char **v;
	size_t i;

	if (vp == NULL || (v = *vp) == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	*vp = NULL;
}

/* ---------------------------------------------------------------- users */

int
idmgr_check_uid(struct idmgr *im, const char *field, const char *uid)
{
	if (uid == NULL || za_valid_uid(uid, NULL) != ZA_OK)
		return idmgr_usage(im, field, "not a valid login name "
		    "(1-32 of a-z 0-9 . _ -, starting with a letter or _)");
	return ZA_OK;
}

struct user_found {
	struct idmgr *im;
	struct za_user *u;
	struct idmgr_entry *e;
	struct idmgr_lock *lock;
	int n;
	int want_user;
	int want_entry;
};

int
idmgr_user_lock(struct idmgr *im, LDAP *ld, LDAPMessage *e,
    struct idmgr_lock *out)
{
	struct za_lockout_policy p;
	struct za_lockout_record rec;
	struct za_lockout_status st;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	za_lockout_policy_from_config(im->cfg, &p);
	if ((r = za_lockout_from_entry(ld, e, &im->log, &rec)) != ZA_OK ||
	    (r = za_lockout_evaluate(&p, &rec, im->now, &st)) != ZA_OK)
		goto out;
	out->directory = rec.pwd_locked;
	out->until = st.locked_until;
	out->admin_only = st.locked_until == ZA_LOCKOUT_ADMIN_TIME;
	out->by_count = st.locked && st.locked_until == 0;
	out->counted = st.counted;
	out->since_login = st.since_login;
	out->locked = st.locked || rec.pwd_locked;
 out:
	za_lockout_record_clear(&rec);
	return r;
}

static int
user_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct user_found *f = arg;
	int r;

	if (f->n++ > 0)
		return ZA_ERR_INTERNAL;
	if (f->want_user &&
	    (r = za_user_from_entry(ld, e, &f->u, &f->im->log)) != ZA_OK)
		return r;
	if (f->want_entry && (r = idmgr_entry_from_ldap(ld, e, &f->e)) != ZA_OK)
		return r;
	if (f->lock != NULL && (r = idmgr_user_lock(f->im, ld, e,
	    f->lock)) != ZA_OK)
		return r;
	return ZA_OK;
}

int
idmgr_find_user(struct idmgr *im, const char *uid, struct za_user **up,
    struct idmgr_entry **ep)
{
	return idmgr_find_user_lock(im, uid, up, ep, NULL);
}

int
idmgr_find_user_lock(struct idmgr *im, const char *uid, struct za_user **up,
    struct idmgr_entry **ep, struct idmgr_lock *lock)
{
	struct user_found f;
	char *dn = NULL;
	int r;

	memset(&f, 0, sizeof(f));
	f.im = im;
	f.lock = lock;
	f.want_user = up != NULL;
	f.want_entry = ep != NULL;
	if ((r = idmgr_connect(im)) != ZA_OK)
		goto out;
	if ((r = za_escape_user_dn(uid, im->cfg->dir.users_dn, &dn)) !=
	    ZA_OK) {
		r = idmgr_fail(im, r, "uid", "cannot build the DN: %s",
		    za_strerror(r));
		goto out;
	}
	r = za_dir_search(im->dir, dn, LDAP_SCOPE_BASE,
	    "(objectClass=" ZA_OC_INET_ORG_PERSON ")", idmgr_user_attrs,
	    user_cb, &f);
	if (r == ZA_OK && f.n == 0)
		r = ZA_ERR_NOT_FOUND;
	if (r == ZA_ERR_NOT_FOUND) {
		r = idmgr_fail(im, r, "uid", "no such user: %s", uid);
		goto out;
	}
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, "uid", "cannot read user %s: %s", uid,
		    za_strerror(r));
		goto out;
	}
	if (up != NULL) {
		*up = f.u;
		f.u = NULL;
	}
	if (ep != NULL) {
		*ep = f.e;
		f.e = NULL;
	}
 out:
	za_user_free(&f.u);
	idmgr_entry_free(&f.e);
	free(dn);
	return r;
}

int
idmgr_probe_user(struct idmgr *im, const char *uid, int *exists)
{
	struct user_found f;
	char *dn = NULL;
	int r;

	*exists = 0;
	memset(&f, 0, sizeof(f));
	f.im = im;
	if ((r = idmgr_connect(im)) != ZA_OK)
		goto out;
	if ((r = za_escape_user_dn(uid, im->cfg->dir.users_dn, &dn)) !=
	    ZA_OK) {
		r = idmgr_fail(im, r, "uid", "cannot build the DN: %s",
		    za_strerror(r));
		goto out;
	}
	r = za_dir_search(im->dir, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    idmgr_user_attrs, user_cb, &f);
	if (r == ZA_ERR_NOT_FOUND)
		r = ZA_OK;
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, "uid", "cannot look %s up: %s", uid,
		    za_strerror(r));
		goto out;
	}
	*exists = f.n > 0;
 out:
	free(dn);
	return r;
}

/* ---------------------------------------------------------------- tokens */

static time_t
entry_time(const struct idmgr_entry *e, const char *attr)
{
	const char *v = idmgr_entry_value(e, attr);
	time_t t = 0;

	if (v == NULL || za_time_parse_gentime(v, strlen(v), &t) != ZA_OK)
		return 0;
	return t;
}

static int
dup_value(const struct idmgr_entry *e, const char *attr, char **out)
{
	const char *v = idmgr_entry_value(e, attr);

	if (v == NULL)
		return ZA_OK;
	return (*out = strdup(v)) != NULL ? ZA_OK : ZA_ERR_NOMEM;
}

static int
token_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct idmgr_tokens *ts = arg;
	struct idmgr_token *t, *nv;
	int r;

	if (ts->n >= 10000)
		return ZA_ERR_TOO_LARGE;
	if ((nv = reallocarray(ts->v, ts->n + 1, sizeof(*nv))) == NULL)
		return ZA_ERR_NOMEM;
	ts->v = nv;
	t = &ts->v[ts->n];
	memset(t, 0, sizeof(*t));
	ts->n++;
	if ((r = idmgr_entry_from_ldap(ld, e, &t->entry)) != ZA_OK)
		return r;
	if ((r = dup_value(t->entry, ZA_AT_TOKEN_ID, &t->id)) != ZA_OK ||
	    (r = dup_value(t->entry, ZA_AT_TOKEN_KIND, &t->kind)) != ZA_OK ||
	    (r = dup_value(t->entry, ZA_AT_TOKEN_LABEL, &t->label)) != ZA_OK ||
	    (r = dup_value(t->entry, ZA_AT_TOKEN_STATUS, &t->status)) != ZA_OK ||
	    (r = dup_value(t->entry, ZA_AT_TOKEN_REVOKE_REASON,
	    &t->revoke_reason)) != ZA_OK)
		return r;
	if ((r = dup_value(t->entry, ZA_AT_OATH_TOTP_PARAMS,
	    &t->params_dn)) != ZA_OK ||
	    (t->params_dn == NULL && (r = dup_value(t->entry,
	    ZA_AT_OATH_HOTP_PARAMS, &t->params_dn)) != ZA_OK))
		return r;
	t->created = entry_time(t->entry, ZA_AT_TOKEN_CREATED);
	t->last_used = entry_time(t->entry, ZA_AT_TOKEN_LAST_USED);
	t->revoked = entry_time(t->entry, ZA_AT_TOKEN_REVOKED);
	return ZA_OK;
}

static int
token_cmp(const void *a, const void *b)
{
	const struct idmgr_token *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id != NULL ? x->id : "", y->id != NULL ? y->id : "");
}

int
idmgr_find_tokens(struct idmgr *im, const char *user_dn,
    struct idmgr_tokens *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = idmgr_connect(im)) != ZA_OK)
		return r;
	r = za_dir_search(im->dir, user_dn, LDAP_SCOPE_ONELEVEL,
	    "(objectClass=" ZA_OC_TOKEN ")", token_attrs, token_cb, out);
	if (r != ZA_OK) {
		idmgr_tokens_clear(out);
		return idmgr_fail(im, r, NULL, "cannot read the tokens of %s: "
		    "%s", user_dn, za_strerror(r));
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), token_cmp);
	return ZA_OK;
}

void
idmgr_tokens_clear(struct idmgr_tokens *ts)
{
	size_t i;
	struct idmgr_token *t;

	if (ts == NULL)
		return;
	for (i = 0; i < ts->n; i++) {
		t = &ts->v[i];
		idmgr_entry_free(&t->entry);
		free(t->id);
		free(t->kind);
		free(t->label);
		free(t->status);
		free(t->revoke_reason);
		free(t->params_dn);
	}
	free(ts->v);
	ts->v = NULL;
	ts->n = 0;
}

/* ---------------------------------------------------------------- groups */

struct names {
	char **v;
	size_t n;
};

static int
group_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct names *g = arg;
	struct berval **vals;
	char **nv;
	int r = ZA_OK;

	if ((vals = ldap_get_values_len(ld, e, ZA_AT_CN)) == NULL ||
	    vals[0] == NULL || !is_text(vals[0]))
		goto out;
	if (g->n >= 100000) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	if ((nv = reallocarray(g->v, g->n + 2, sizeof(*nv))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	g->v = nv;
	if ((g->v[g->n] = strndup(vals[0]->bv_val, vals[0]->bv_len)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	g->v[++g->n] = NULL;
 out:
	ldap_value_free_len(vals);
	return r;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
idmgr_find_groups(struct idmgr *im, const char *uid, const char *user_dn,
    char ***out, size_t *nout)
{
	static const char *const attrs[] = { ZA_AT_CN, NULL };
	struct names g = { NULL, 0 };
	char *euid = NULL, *edn = NULL, *filter = NULL;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = idmgr_connect(im)) != ZA_OK)
		goto out;
	if ((r = za_escape_filter_value(uid, &euid)) != ZA_OK ||
	    (r = za_escape_filter_value(user_dn, &edn)) != ZA_OK)
		goto fail;
	if (asprintf(&filter, "(|(%s=%s)(%s=%s))", ZA_AT_MEMBER_UID, euid,
	    ZA_AT_MEMBER, edn) < 0) {
		filter = NULL;
		r = ZA_ERR_NOMEM;
		goto fail;
	}
	r = za_dir_search(im->dir, im->cfg->dir.groups_dn, LDAP_SCOPE_SUBTREE,
	    filter, attrs, group_cb, &g);
	if (r == ZA_ERR_NOT_FOUND)	/* no groups container: no groups */
		r = ZA_OK;
	if (r != ZA_OK)
		goto fail;
	if (g.n > 1)
		qsort(g.v, g.n, sizeof(g.v[0]), str_cmp);
	*out = g.v;
	*nout = g.n;
	g.v = NULL;
	goto out;
 fail:
	r = idmgr_fail(im, r, NULL, "cannot read the groups of %s: %s", uid,
	    za_strerror(r));
 out:
	idmgr_strv_free(&g.v);
	free(euid);
	free(edn);
	free(filter);
	return r;
}
