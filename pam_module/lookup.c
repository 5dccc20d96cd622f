/*
 * Directory lookups of the module.  One login costs one subtree search at
 * the user's DN (the user entry and its token children -- OTP tokens and
 * FIDO2 credentials -- together), one base search per distinct OTP
 * parameter entry the tokens name, and one group search only when a rule
 * with a group selector is reached.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>
#include <security/pam_ext.h>

#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_fido2.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_model.h"
#include "za_pam.h"
#include "za_schema.h"
#include "za_storefile.h"

#define ZA_PAM_MAX_TOKENS	64	/* OTP tokens considered per user */
/* Bounds of the unpaged lookups: a user entry with its token entries, and
 * the groups a user belongs to.  More is refused (ZA_ERR_TOO_LARGE). */
#define ZA_PAM_MAX_USER_ENTRIES	512
#define ZA_PAM_MAX_GROUPS	1024

/* User and token attributes read at login. */
static const char *const za_pam_user_attrs[] = {
	ZA_AT_OBJECT_CLASS, ZA_AT_UID, ZA_AT_ACCOUNT_STATUS,
	ZA_AT_EMPLOYMENT_TYPE, ZA_AT_EXPIRY, ZA_AT_SUSPEND_FROM,
	ZA_AT_RETURN_DATE, ZA_AT_LAST_MFA_TIME, ZA_AT_LAST_MFA_TERMINAL,
	ZA_AT_LAST_LOGOUT_TIME, ZA_AT_LOCKED_UNTIL, ZA_AT_AUTH_FAILURE,
	ZA_AT_PWD_LOCKED_TIME, ZA_AT_PWD_RESET, ZA_AT_PRIV_CHECKOUT_BY,
	ZA_AT_PRIV_CHECKOUT_FROM, ZA_AT_PRIV_CHECKOUT_UNTIL,
	/* tokens */
	ZA_AT_TOKEN_ID, ZA_AT_TOKEN_KIND, ZA_AT_TOKEN_STATUS,
	ZA_AT_OATH_SECRET, ZA_AT_OATH_TOTP_PARAMS, ZA_AT_OATH_HOTP_PARAMS,
	ZA_AT_OATH_LAST_STEP, ZA_AT_OATH_HOTP_COUNTER,
	/* FIDO2 credentials */
	ZA_AT_TOKEN_LABEL, ZA_AT_FIDO2_CRED_ID, ZA_AT_FIDO2_PUBKEY,
	ZA_AT_FIDO2_ALG, ZA_AT_FIDO2_AAGUID, ZA_AT_FIDO2_SIGN_COUNT,
	ZA_AT_FIDO2_UV_KIND, ZA_AT_FIDO2_RP_ID,
	NULL,
};

static const char *const za_pam_params_attrs[] = {
	ZA_AT_OBJECT_CLASS, ZA_AT_OATH_OTP_LENGTH, ZA_AT_OATH_HMAC_ALG,
	ZA_AT_OATH_STEP_PERIOD, ZA_AT_OATH_STEP_WINDOW, ZA_AT_OATH_LOOKAHEAD,
	NULL,
};

struct za_pam_lookup {
	struct za_pam_ctx *ctx;
	struct za_pam_user *pu;
	int with_tokens;
	int seen_user;
	int err;		/* first decoding error of the user entry */
};

/*
 * The user decoder reads attributes through this source, which hides
 * zaAuthFailure: the failure records are read by za_lockout, which keeps
 * every value and skips malformed ones instead of refusing the entry.
 */
struct za_pam_src {
	LDAP *ld;
	LDAPMessage *e;
};

static struct berval **
za_pam_src_get(void *arg, const char *name)
{
	struct za_pam_src *s = arg;

	if (strcasecmp(name, ZA_AT_AUTH_FAILURE) == 0)
		return NULL;
	return ldap_get_values_len(s->ld, s->e, name);
}

static void
za_pam_src_release(void *arg, struct berval **vals)
{
	(void)arg;
	ldap_value_free_len(vals);
}

/* Does entry e have object class oc? */
static int
za_pam_has_class(LDAP *ld, LDAPMessage *e, const char *oc)
{
	struct berval **v;
	size_t i;
	int found = 0;

	if ((v = ldap_get_values_len(ld, e, ZA_AT_OBJECT_CLASS)) == NULL)
		return 0;
	for (i = 0; v[i] != NULL; i++)
		if (v[i]->bv_len == strlen(oc) &&
		    strncasecmp(v[i]->bv_val, oc, v[i]->bv_len) == 0)
			found = 1;
	ldap_value_free_len(v);
	return found;
}

static int
za_pam_decode_user(struct za_pam_lookup *a, LDAP *ld, LDAPMessage *e)
{
	struct za_attr_source src;
	struct za_pam_src s;
	char *dn = NULL;
	int r;

	if ((dn = ldap_get_dn(ld, e)) == NULL)
		return ZA_ERR_PARSE;
	s.ld = ld;
	s.e = e;
	src.dn = dn;
	src.get = za_pam_src_get;
	src.release = za_pam_src_release;
	src.arg = &s;
	if ((r = za_user_from_attrs(&src, &a->pu->user, &a->ctx->log)) !=
	    ZA_OK)
		goto out;
	r = za_lockout_from_entry(ld, e, &a->ctx->log, &a->pu->lock);
out:
	ldap_memfree(dn);
	return r;
}

/*
 * Keep an active FIDO2 credential; revoked and cloned ones are not
 * loaded, so they are refused on the very next attempt.
 */
static int
za_pam_decode_fido2(struct za_pam_lookup *a, LDAP *ld, LDAPMessage *e)
{
	struct za_fido2_cred *c = NULL;
	int r;

	if (a->pu->fido2.n >= ZA_FIDO2_MAX_CREDS)
		return ZA_OK;
	/* A damaged credential must not stop the user's other ones. */
	if (za_fido2_cred_from_entry(ld, e, &c, &a->ctx->log) != ZA_OK)
		return ZA_OK;
	if (c->status == ZA_TOKEN_ACTIVE &&
	    (r = za_fido2_cred_list_append(&a->pu->fido2, &c)) != ZA_OK) {
		za_fido2_cred_free(&c);
		return r;
	}
	za_fido2_cred_free(&c);
	return ZA_OK;
}

static int
za_pam_decode_token(struct za_pam_lookup *a, LDAP *ld, LDAPMessage *e)
{
	struct za_otp_token *t = NULL;
	int r;

	if (za_pam_has_class(ld, e, ZA_OC_FIDO2))
		return za_pam_decode_fido2(a, ld, e);
	if (!za_pam_has_class(ld, e, ZA_OC_OATH_TOTP_TOKEN) &&
	    !za_pam_has_class(ld, e, ZA_OC_OATH_HOTP_TOKEN))
		return ZA_OK;
	if (a->pu->tokens.n >= ZA_PAM_MAX_TOKENS)
		return ZA_OK;
	/* A damaged token must not stop the user's other tokens. */
	if (za_otp_token_from_entry(ld, e, &t, &a->ctx->log) != ZA_OK)
		return ZA_OK;
	if (t->status == ZA_TOKEN_ACTIVE && t->params_dn != NULL)
		if ((r = za_otp_token_list_append(&a->pu->tokens, &t)) !=
		    ZA_OK) {
			za_otp_token_free(&t);
			return r;
		}
	za_otp_token_free(&t);
	return ZA_OK;
}

static int
za_pam_lookup_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct za_pam_lookup *a = arg;

	if (za_pam_has_class(ld, e, ZA_OC_TOKEN))
		return a->with_tokens ? za_pam_decode_token(a, ld, e) : ZA_OK;
	/* The base of the search comes first: the user entry. */
	if (a->seen_user)
		return ZA_OK;
	a->seen_user = 1;
	a->err = za_pam_decode_user(a, ld, e);
	return ZA_OK;
}

struct za_pam_params_arg {
	struct za_pam_ctx *ctx;
	struct za_otp_params *p;
};

static int
za_pam_params_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct za_pam_params_arg *a = arg;

	if (a->p != NULL)
		return ZA_OK;
	return za_otp_params_from_entry(ld, e, &a->p, &a->ctx->log);
}

/*
 * Give every token its parameters: one base search per distinct params
 * DN.  Tokens whose parameters cannot be read are dropped.
 */
static int
za_pam_apply_params(struct za_pam_ctx *ctx, struct za_otp_token_list *l)
{
	struct za_pam_params_arg a;
	struct za_otp_token *t;
	size_t i, j;
	int r;

	for (i = 0; i < l->n; i++) {
		t = l->v[i];
		if (t == NULL || t->digits != 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.ctx = ctx;
		r = za_dir_lookup(ctx->dir, t->params_dn, LDAP_SCOPE_BASE,
		    "(objectClass=*)", za_pam_params_attrs, 1,
		    za_pam_params_cb, &a);
		if (r == ZA_ERR_UNAVAIL || r == ZA_ERR_NOMEM) {
			za_otp_params_free(&a.p);
			return r;
		}
		if (r != ZA_OK || a.p == NULL)
			za_warn(&ctx->log, "%s: parameters %s unusable: %s",
			    t->dn, t->params_dn, r != ZA_OK ? za_strerror(r) :
			    "no entry");
		/*
		 * Every token naming the same entry; this one (t) last, as
		 * the others are compared with its params DN.
		 */
		for (j = l->n; j-- > i;) {
			if (l->v[j] == NULL || l->v[j]->digits != 0 ||
			    strcasecmp(l->v[j]->params_dn, t->params_dn) != 0)
				continue;
			if (a.p == NULL || za_otp_token_apply_params(l->v[j],
			    a.p, &ctx->log) != ZA_OK)
				za_otp_token_free(&l->v[j]);
		}
		za_otp_params_free(&a.p);
	}
	/* Close the gaps left by dropped tokens. */
	for (i = 0, j = 0; i < l->n; i++)
		if (l->v[i] != NULL)
			l->v[j++] = l->v[i];
	l->n = j;
	return ZA_OK;
}

/*
 * Move the user's active OTP tokens and FIDO2 credentials of the file
 * store into the lists.
 */
static int
za_pam_store_tokens(struct za_pam_ctx *ctx, struct za_pam_user *pu)
{
	struct za_store *s = NULL;
	struct za_otp_token *t;
	struct za_fido2_cred *c;
	size_t i;
	int r;

	if ((r = za_storefile_load(ctx->cfg->store_path, geteuid(), &ctx->log,
	    &s)) != ZA_OK)
		goto out;
	for (i = 0; i < s->otp.n; i++) {
		t = s->otp.v[i];
		if (t == NULL || t->owner == NULL || t->status !=
		    ZA_TOKEN_ACTIVE || strcmp(t->owner, ctx->user) != 0 ||
		    pu->tokens.n >= ZA_PAM_MAX_TOKENS)
			continue;
		if ((r = za_otp_token_list_append(&pu->tokens, &s->otp.v[i])) !=
		    ZA_OK)
			goto out;
	}
	/* As in the directory: revoked and cloned ones are not loaded. */
	for (i = 0; i < s->fido2.n; i++) {
		c = s->fido2.v[i];
		if (c == NULL || c->owner == NULL || c->status !=
		    ZA_TOKEN_ACTIVE || strcmp(c->owner, ctx->user) != 0 ||
		    pu->fido2.n >= ZA_FIDO2_MAX_CREDS)
			continue;
		if ((r = za_fido2_cred_list_append(&pu->fido2,
		    &s->fido2.v[i])) != ZA_OK)
			goto out;
	}
	r = ZA_OK;
out:
	za_store_free(&s);
	return r;
}

int
za_pam_user_lookup(struct za_pam_ctx *ctx, int with_tokens,
    struct za_pam_user **out)
{
	struct za_pam_lookup a;
	struct za_pam_user *pu = NULL;
	int r;

	*out = NULL;
	if (ctx->dir == NULL || ctx->user_dn == NULL)
		return ZA_ERR_ARG;
	if ((pu = calloc(1, sizeof(*pu))) == NULL)
		return ZA_ERR_NOMEM;
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.pu = pu;
	a.with_tokens = with_tokens;
	/* Not paged: see za_dir_lookup(); a user holds far fewer entries. */
	r = za_dir_lookup(ctx->dir, ctx->user_dn, with_tokens ?
	    LDAP_SCOPE_SUBTREE : LDAP_SCOPE_BASE, "(objectClass=*)",
	    za_pam_user_attrs, ZA_PAM_MAX_USER_ENTRIES, za_pam_lookup_cb, &a);
	if (r != ZA_OK)
		goto out;
	if (!a.seen_user) {
		r = ZA_ERR_NOT_FOUND;
		goto out;
	}
	if ((r = a.err) != ZA_OK) {
		pam_syslog(ctx->pamh, LOG_ERR, "%s: user entry unusable: %s",
		    ctx->user_dn, za_strerror(r));
		goto out;
	}
	if (with_tokens) {
		if ((r = za_pam_apply_params(ctx, &pu->tokens)) != ZA_OK)
			goto out;
		/* A broken store must not keep directory tokens from working. */
		if (ctx->cfg->store_path != NULL &&
		    za_pam_store_tokens(ctx, pu) != ZA_OK)
			pam_syslog(ctx->pamh, LOG_ERR, "file store %s unusable; "
			    "using directory tokens and credentials only",
			    ctx->cfg->store_path);
	}
	*out = pu;
	pu = NULL;
	r = ZA_OK;
out:
	za_pam_user_free(&pu);
	return r;
}

void
za_pam_user_free(struct za_pam_user **pup)
{
	struct za_pam_user *pu;
	size_t i;

	if (pup == NULL || *pup == NULL)
		return;
	pu = *pup;
	za_user_free(&pu->user);
	za_lockout_record_clear(&pu->lock);
	za_otp_token_list_clear(&pu->tokens);
	za_fido2_cred_list_clear(&pu->fido2);
	for (i = 0; i < pu->ngroups; i++)
		free(pu->groups[i]);
	free(pu->groups);
	free(pu);
	*pup = NULL;
}

/* ---------------------------------------------------------------- groups */

struct za_pam_groups_arg {
	struct za_pam_user *pu;
	size_t cap;
};

static int
za_pam_groups_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct za_pam_groups_arg *a = arg;
	struct za_pam_user *pu = a->pu;
	struct berval **v;
	char **nv;
	size_t i;
	int r = ZA_OK;

	if ((v = ldap_get_values_len(ld, e, ZA_AT_CN)) == NULL)
		return ZA_OK;
	for (i = 0; v[i] != NULL && pu->ngroups < ZA_MAX_GROUPS; i++) {
		if (pu->ngroups == a->cap) {
			a->cap = a->cap == 0 ? 8 : a->cap * 2;
			if ((nv = reallocarray(pu->groups, a->cap,
			    sizeof(*nv))) == NULL) {
				r = ZA_ERR_NOMEM;
				break;
			}
			pu->groups = nv;
		}
		if ((pu->groups[pu->ngroups] = strndup(v[i]->bv_val,
		    v[i]->bv_len)) == NULL) {
			r = ZA_ERR_NOMEM;
			break;
		}
		pu->ngroups++;
	}
	ldap_value_free_len(v);
	return r;
}

/*
 * Fetch the names of the user's groups once: posixGroup by memberUid and
 * groupOfNames by member DN, in one search under the groups DN.
 */
static int
za_pam_fetch_groups(struct za_pam_ctx *ctx, struct za_pam_user *pu)
{
	static const char *const attrs[] = { ZA_AT_CN, NULL };
	struct za_pam_groups_arg a;
	char *uid = NULL, *dn = NULL, *filter = NULL;
	int r;

	if ((r = za_escape_filter_value(ctx->user, &uid)) != ZA_OK ||
	    (r = za_escape_filter_value(pu->user->dn != NULL ?
	    pu->user->dn : ctx->user_dn, &dn)) != ZA_OK)
		goto out;
	if (asprintf(&filter, "(|(&(objectClass=posixGroup)(memberUid=%s))"
	    "(&(objectClass=groupOfNames)(member=%s)))", uid, dn) < 0) {
		filter = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.pu = pu;
	r = za_dir_lookup(ctx->dir, ctx->cfg->dir.groups_dn,
	    LDAP_SCOPE_SUBTREE, filter, attrs, ZA_PAM_MAX_GROUPS,
	    za_pam_groups_cb, &a);
	if (r == ZA_ERR_NOT_FOUND)
		r = ZA_OK;	/* no groups subtree: no groups */
	if (r == ZA_OK)
		pu->groups_fetched = 1;
out:
	free(uid);
	free(dn);
	free(filter);
	return r;
}

int
za_pam_is_member(void *arg, const char *group, int *member)
{
	struct za_pam_cb *cb = arg;
	size_t i;
	int r;

	*member = 0;
	if (cb->pu == NULL)
		return ZA_OK;
	if (!cb->pu->groups_fetched &&
	    (r = za_pam_fetch_groups(cb->ctx, cb->pu)) != ZA_OK)
		return r;
	for (i = 0; i < cb->pu->ngroups; i++)
		if (strcmp(cb->pu->groups[i], group) == 0)
			*member = 1;
	return ZA_OK;
}
