/*
 * idmgr user show / user list: reading IDs, as aligned text or JSON.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_model.h"
#include "za_schema.h"

#include "idmgr.h"

/* ---------------------------------------------------------------- render */

static const char *
employment_name(enum za_employment e)
{
	const char *s = NULL;

	if (za_employment_to_string(e, &s) != ZA_OK)
		return NULL;
	return s;
}

static const char *
status_name(enum za_account_status st)
{
	const char *s = NULL;

	if (za_account_status_to_string(st, &s) != ZA_OK)
		return NULL;
	return s;
}

static int
user_expired(const struct za_user *u, time_t now)
{
	return u->expiry != 0 && u->expiry < now;
}

json_object *
idmgr_token_json(const struct idmgr_token *t)
{
	json_object *jo;

	if ((jo = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(jo, "id", idmgr_json_str(t->id));
	json_object_object_add(jo, "kind", idmgr_json_str(t->kind));
	json_object_object_add(jo, "label", idmgr_json_str(t->label));
	json_object_object_add(jo, "status", idmgr_json_str(t->status));
	json_object_object_add(jo, "created", idmgr_json_time(t->created));
	json_object_object_add(jo, "last_used", idmgr_json_time(t->last_used));
	json_object_object_add(jo, "revoked", idmgr_json_time(t->revoked));
	json_object_object_add(jo, "revoke_reason",
	    idmgr_json_str(t->revoke_reason));
	json_object_object_add(jo, "params", idmgr_json_str(t->params_dn));
	json_object_object_add(jo, "dn", idmgr_json_str(t->entry != NULL ?
	    t->entry->dn : NULL));
	return jo;
}

int
idmgr_tokens_print(const struct idmgr_tokens *ts, FILE *f)
{
	static const char *const hdr[] = { "ID", "KIND", "STATUS", "CREATED",
	    "LAST USED", "LABEL" };
	struct idmgr_table *t = NULL;
	char c[IDMGR_TIMEBUF], l[IDMGR_TIMEBUF];
	const char *row[6];
	size_t i;
	int r;

	if ((r = idmgr_table_new(&t, 6, hdr)) != ZA_OK)
		return r;
	for (i = 0; i < ts->n; i++) {
		row[0] = ts->v[i].id;
		row[1] = ts->v[i].kind;
		row[2] = ts->v[i].status;
		row[3] = idmgr_fmt_time(ts->v[i].created, c, sizeof(c));
		row[4] = idmgr_fmt_time(ts->v[i].last_used, l, sizeof(l));
		row[5] = ts->v[i].label;
		if ((r = idmgr_table_add(t, row)) != ZA_OK)
			goto out;
	}
	idmgr_table_print(t, f);
 out:
	idmgr_table_free(&t);
	return r;
}

static json_object *
priv_json(const struct za_user *u)
{
	json_object *jo;

	if (!u->priv.is_privileged)
		return json_object_new_boolean(0);
	if ((jo = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(jo, "owner", idmgr_json_str(u->priv.owner_dn));
	json_object_object_add(jo, "purpose", idmgr_json_str(u->priv.purpose));
	json_object_object_add(jo, "default_name",
	    idmgr_json_str(u->priv.default_name));
	json_object_object_add(jo, "rotation_days",
	    json_object_new_int64(u->priv.rotation_days));
	json_object_object_add(jo, "last_rotation",
	    idmgr_json_time(u->priv.last_rotation));
	json_object_object_add(jo, "checkout_holder",
	    idmgr_json_str(u->priv.checkout_holder));
	json_object_object_add(jo, "checkout_start",
	    idmgr_json_time(u->priv.checkout_start));
	json_object_object_add(jo, "checkout_end",
	    idmgr_json_time(u->priv.checkout_end));
	return jo;
}

json_object *
idmgr_user_json(const struct za_user *u, const struct idmgr_lock *lock,
    const struct idmgr_tokens *tokens, char **groups, size_t ngroups,
    time_t now)
{
	json_object *jo, *o;
	size_t i;

	if ((jo = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(jo, "uid", idmgr_json_str(u->uid));
	json_object_object_add(jo, "dn", idmgr_json_str(u->dn));
	json_object_object_add(jo, "name", idmgr_json_str(u->cn));
	json_object_object_add(jo, "surname", idmgr_json_str(u->sn));
	json_object_object_add(jo, "given_name",
	    idmgr_json_str(u->given_name));
	json_object_object_add(jo, "kana", idmgr_json_str(u->name_kana));
	json_object_object_add(jo, "mail", idmgr_json_str(u->mail));
	json_object_object_add(jo, "employee_number",
	    idmgr_json_str(u->employee_number));
	json_object_object_add(jo, "department",
	    idmgr_json_str(u->department));
	json_object_object_add(jo, "type",
	    idmgr_json_str(employment_name(u->employment)));
	json_object_object_add(jo, "status",
	    idmgr_json_str(status_name(u->status)));
	json_object_object_add(jo, "status_reason",
	    idmgr_json_str(u->status_reason));
	json_object_object_add(jo, "status_changed",
	    idmgr_json_time(u->status_time));
	json_object_object_add(jo, "suspended_from",
	    idmgr_json_time(u->suspended_from));
	json_object_object_add(jo, "return_date",
	    idmgr_json_date(u->return_date));
	json_object_object_add(jo, "expiry", idmgr_json_date(u->expiry));
	json_object_object_add(jo, "expired",
	    json_object_new_boolean(user_expired(u, now)));
	json_object_object_add(jo, "project", idmgr_json_str(u->project));
	json_object_object_add(jo, "approval_ref",
	    idmgr_json_str(u->approval_ref));
	json_object_object_add(jo, "created_by",
	    idmgr_json_str(u->created_by));
	json_object_object_add(jo, "created", idmgr_json_time(u->create_time));
	json_object_object_add(jo, "password_must_change",
	    json_object_new_boolean(u->pwd_reset));
	if (lock != NULL) {
		json_object_object_add(jo, "locked",
		    json_object_new_boolean(lock->locked));
		if ((o = json_object_new_object()) != NULL) {
			json_object_object_add(o, "directory",
			    json_object_new_boolean(lock->directory));
			json_object_object_add(o, "until", lock->admin_only ?
			    json_object_new_string("administrator") :
			    idmgr_json_time(lock->until));
			json_object_object_add(o, "by_failures",
			    json_object_new_boolean(lock->by_count));
			json_object_object_add(o, "failures_counted",
			    json_object_new_int64((int64_t)lock->counted));
			json_object_object_add(o, "failures_since_login",
			    json_object_new_int64(
			    (int64_t)lock->since_login));
			json_object_object_add(jo, "lock", o);
		}
	}
	if ((o = json_object_new_object()) != NULL) {
		json_object_object_add(o, "time",
		    idmgr_json_time(u->last_mfa_time));
		json_object_object_add(o, "terminal",
		    idmgr_json_str(u->last_mfa_terminal));
		json_object_object_add(jo, "last_mfa_login", o);
	}
	json_object_object_add(jo, "privileged", priv_json(u));
	json_object_object_add(jo, "uid_number", u->uid_number >= 0 ?
	    json_object_new_int64(u->uid_number) : NULL);
	json_object_object_add(jo, "gid_number", u->gid_number >= 0 ?
	    json_object_new_int64(u->gid_number) : NULL);
	json_object_object_add(jo, "home", idmgr_json_str(u->home_directory));
	json_object_object_add(jo, "shell", idmgr_json_str(u->login_shell));
	if (groups != NULL && (o = json_object_new_array()) != NULL) {
		for (i = 0; i < ngroups; i++)
			json_object_array_add(o,
			    json_object_new_string(groups[i]));
		json_object_object_add(jo, "groups", o);
	}
	if (tokens != NULL && (o = json_object_new_array()) != NULL) {
		for (i = 0; i < tokens->n; i++)
			json_object_array_add(o,
			    idmgr_token_json(&tokens->v[i]));
		json_object_object_add(jo, "tokens", o);
	}
	return jo;
}

static const char *
lock_text(const struct idmgr_lock *l, char *buf, size_t bufsz)
{
	char t[IDMGR_TIMEBUF], until[IDMGR_TIMEBUF + 16];

	if (!l->locked) {
		snprintf(buf, bufsz, "not locked");
		return buf;
	}
	if (l->admin_only)
		snprintf(until, sizeof(until), "until an administrator "
		    "unlocks it");
	else if (l->until != 0)
		snprintf(until, sizeof(until), "until %s",
		    idmgr_fmt_time(l->until, t, sizeof(t)));
	else if (l->by_count)
		snprintf(until, sizeof(until), "by %zu recent failures",
		    l->counted);
	else
		until[0] = '\0';
	snprintf(buf, bufsz, "locked%s%s%s", until[0] != '\0' ? " " : "",
	    until, l->directory ? " (password binds locked in the directory)" :
	    "");
	return buf;
}

static void
print_user(const struct za_user *u, const struct idmgr_lock *l,
    const struct idmgr_tokens *tokens, char **groups, size_t ngroups,
    time_t now)
{
	char st[IDMGR_TIMEBUF], ex[IDMGR_TIMEBUF + 16], cr[IDMGR_TIMEBUF],
	    mfa[IDMGR_TIMEBUF + ZA_TERMINAL_MAX + 8], lock[192], fail[48],
	    priv[ZA_DN_MAX + 64], status[64], grp[1024], num[64];
	const char *pairs[64];
	size_t n = 0, i, gl;

	snprintf(status, sizeof(status), "%s%s",
	    status_name(u->status) != NULL ? status_name(u->status) : "-",
	    user_expired(u, now) ? " (expired)" : "");
	idmgr_fmt_date(u->expiry, ex, sizeof(ex));
	if (u->last_mfa_time != 0)
		snprintf(mfa, sizeof(mfa), "%s from %s",
		    idmgr_fmt_time(u->last_mfa_time, cr, sizeof(cr)),
		    u->last_mfa_terminal != NULL ? u->last_mfa_terminal :
		    "an unknown terminal");
	else
		snprintf(mfa, sizeof(mfa), "never");
	snprintf(fail, sizeof(fail), "%zu since the last MFA login",
	    l->since_login);
	if (u->priv.is_privileged)
		snprintf(priv, sizeof(priv), "yes (owner %s)",
		    u->priv.owner_dn != NULL ? u->priv.owner_dn : "unknown");
	else
		snprintf(priv, sizeof(priv), "no");
	grp[0] = '\0';
	for (i = 0, gl = 0; groups != NULL && i < ngroups; i++) {
		gl += (size_t)snprintf(grp + gl, sizeof(grp) - gl, "%s%s",
		    i > 0 ? ", " : "", groups[i]);
		if (gl >= sizeof(grp))
			break;
	}
	if (u->uid_number >= 0)
		snprintf(num, sizeof(num), "%lld / %lld",
		    (long long)u->uid_number, (long long)u->gid_number);
	else
		snprintf(num, sizeof(num), "-");
#define F(k, v)	do { pairs[n++] = (k); pairs[n++] = (v); } while (0)
	F("uid", u->uid);
	F("dn", u->dn);
	F("name", u->cn);
	F("kana", u->name_kana);
	F("employee number", u->employee_number);
	F("department", u->department);
	F("type", employment_name(u->employment));
	F("status", status);
	F("status reason", u->status_reason);
	F("status changed", idmgr_fmt_time(u->status_time, st, sizeof(st)));
	F("expiry", ex);
	F("password", u->pwd_reset ? "must be changed at next login" : "set");
	F("lock", lock_text(l, lock, sizeof(lock)));
	F("failed logins", fail);
	F("last MFA login", mfa);
	F("privileged", priv);
	F("groups", grp[0] != '\0' ? grp : "-");
	F("mail", u->mail);
	F("project", u->project);
	F("approval ref", u->approval_ref);
	F("uid/gid number", num);
	F("created", idmgr_fmt_time(u->create_time, cr, sizeof(cr)));
	F("created by", u->created_by);
#undef F
	pairs[n] = NULL;
	idmgr_print_fields(stdout, pairs);
	if (tokens != NULL) {
		if (tokens->n == 0)
			printf("tokens          none\n");
		else {
			printf("tokens:\n");
			idmgr_tokens_print(tokens, stdout);
		}
	}
}

/* ---------------------------------------------------------------- show */

int
idmgr_user_show(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("user", "show");
	struct za_user *u = NULL;
	struct idmgr_tokens tokens = { NULL, 0 };
	struct idmgr_lock lock;
	char **groups = NULL;
	size_t ngroups = 0;
	const char *uid = NULL;
	int ch, r;

	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "", NULL)) != -1) {
		if (ch == IDMGR_OPT_HELP)
			return ZA_OK;
		return ZA_ERR_ARG;
	}
	if ((r = idmgr_positional_uid(im, argc, argv, &uid)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_user_lock(im, uid, &u, NULL, &lock)) != ZA_OK ||
	    (r = idmgr_find_tokens(im, u->dn, &tokens)) != ZA_OK ||
	    (r = idmgr_find_groups(im, u->uid, u->dn, &groups,
	    &ngroups)) != ZA_OK)
		goto out;
	if (im->json) {
		json_object *jo = json_object_new_object();

		if (jo == NULL) {
			r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		json_object_object_add(jo, "user", idmgr_user_json(u, &lock,
		    &tokens, groups != NULL ? groups : (char *[]){ NULL },
		    ngroups, im->now));
		idmgr_set_result(im, jo, 0);
	} else
		print_user(u, &lock, &tokens, groups, ngroups, im->now);
 out:
	idmgr_strv_free(&groups);
	idmgr_tokens_clear(&tokens);
	za_user_free(&u);
	return r;
}

/* ---------------------------------------------------------------- list */

struct listed {
	struct za_user *u;
	struct idmgr_lock lock;
};

struct list_ctx {
	struct idmgr *im;
	struct listed *v;
	size_t n;
	size_t skipped;
	char **members;		/* sorted uids of --group, or NULL */
	size_t nmembers;
	int locked, expired;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct list_ctx *lc = arg;
	struct za_user *u = NULL;
	struct idmgr_lock lock;
	struct listed *nv;

	if (za_user_from_entry(ld, e, &u, &lc->im->log) != ZA_OK ||
	    idmgr_user_lock(lc->im, ld, e, &lock) != ZA_OK) {
		za_user_free(&u);
		lc->skipped++;
		return ZA_OK;
	}
	if ((lc->members != NULL && bsearch(&u->uid, lc->members,
	    lc->nmembers, sizeof(char *), cmp_str) == NULL) ||
	    (lc->locked && !lock.locked) ||
	    (lc->expired && !user_expired(u, lc->im->now))) {
		za_user_free(&u);
		return ZA_OK;
	}
	if (lc->n >= 16000000 ||
	    (nv = reallocarray(lc->v, lc->n + 1, sizeof(*nv))) == NULL) {
		za_user_free(&u);
		return ZA_ERR_NOMEM;
	}
	lc->v = nv;
	lc->v[lc->n].u = u;
	lc->v[lc->n].lock = lock;
	lc->n++;
	return ZA_OK;
}

static int
cmp_user(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return strcmp(x->u->uid, y->u->uid);
}

/* The uid of a member DN directly under users_dn, or NULL. */
static char *
member_uid(const char *dn, const char *users_dn)
{
	LDAPDN parsed = NULL, parent = NULL;
	char *uid = NULL, *pdn = NULL, *want = NULL;
	LDAPAVA *ava;
	int rc;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    parsed == NULL || parsed[0] == NULL || parsed[0][1] != NULL)
		goto out;
	ava = parsed[0][0];
	if (ava->la_attr.bv_len != 3 ||
	    strncasecmp(ava->la_attr.bv_val, "uid", 3) != 0 ||
	    memchr(ava->la_value.bv_val, '\0', ava->la_value.bv_len) != NULL)
		goto out;
	parent = &parsed[1];
	rc = ldap_dn2str(parent, &pdn, LDAP_DN_FORMAT_LDAPV3);
	if (rc != LDAP_SUCCESS || pdn == NULL ||
	    ldap_dn_normalize(users_dn, LDAP_DN_FORMAT_LDAPV3, &want,
	    LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || want == NULL)
		goto out;
	{
		char *npdn = NULL;

		if (ldap_dn_normalize(pdn, LDAP_DN_FORMAT_LDAPV3, &npdn,
		    LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS && npdn != NULL &&
		    strcasecmp(npdn, want) == 0)
			uid = strndup(ava->la_value.bv_val,
			    ava->la_value.bv_len);
		ldap_memfree(npdn);
	}
 out:
	ldap_memfree(pdn);
	ldap_memfree(want);
	ldap_dnfree(parsed);
	return uid;
}

struct group_members {
	struct idmgr *im;
	char **v;
	size_t n;
	int found;
};

static int
add_member(struct group_members *g, char *uid)
{
	char **nv;

	if (uid == NULL)
		return ZA_OK;
	if (g->n >= 1000000 ||
	    (nv = reallocarray(g->v, g->n + 2, sizeof(*nv))) == NULL) {
		free(uid);
		return ZA_ERR_NOMEM;
	}
	g->v = nv;
	g->v[g->n++] = uid;
	g->v[g->n] = NULL;
	return ZA_OK;
}

static int
members_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct group_members *g = arg;
	struct berval **v;
	size_t i;
	int r = ZA_OK;

	g->found++;
	v = ldap_get_values_len(ld, e, ZA_AT_MEMBER_UID);
	for (i = 0; v != NULL && v[i] != NULL && r == ZA_OK; i++)
		if (memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
			r = add_member(g, strndup(v[i]->bv_val,
			    v[i]->bv_len));
	ldap_value_free_len(v);
	v = ldap_get_values_len(ld, e, ZA_AT_MEMBER);
	for (i = 0; v != NULL && v[i] != NULL && r == ZA_OK; i++) {
		char *dn;

		if (memchr(v[i]->bv_val, '\0', v[i]->bv_len) != NULL ||
		    (dn = strndup(v[i]->bv_val, v[i]->bv_len)) == NULL)
			continue;
		r = add_member(g, member_uid(dn, g->im->cfg->dir.users_dn));
		free(dn);
	}
	ldap_value_free_len(v);
	return r;
}

static int
load_group(struct idmgr *im, const char *group, struct list_ctx *lc)
{
	static const char *const attrs[] = { ZA_AT_MEMBER_UID, ZA_AT_MEMBER,
	    NULL };
	struct group_members g;
	char *eg = NULL, *filter = NULL;
	int r;

	memset(&g, 0, sizeof(g));
	g.im = im;
	if ((r = za_escape_filter_value(group, &eg)) != ZA_OK)
		goto out;
	if (asprintf(&filter, "(&(|(objectClass=posixGroup)"
	    "(objectClass=groupOfNames))(cn=%s))", eg) < 0) {
		filter = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	r = za_dir_search(im->dir, im->cfg->dir.groups_dn, LDAP_SCOPE_SUBTREE,
	    filter, attrs, members_cb, &g);
	if (r == ZA_OK && g.found == 0)
		r = ZA_ERR_NOT_FOUND;
	if (r == ZA_ERR_NOT_FOUND) {
		r = idmgr_fail(im, r, "group", "no such group: %s", group);
		goto out;
	}
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, "group", "cannot read group %s: %s",
		    group, za_strerror(r));
		goto out;
	}
	if (g.n > 1)
		qsort(g.v, g.n, sizeof(g.v[0]), cmp_str);
	/* An empty group lists nobody: keep a non-NULL array. */
	if (g.v == NULL && (g.v = calloc(1, sizeof(*g.v))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	lc->members = g.v;
	lc->nmembers = g.n;
	g.v = NULL;
 out:
	idmgr_strv_free(&g.v);
	free(eg);
	free(filter);
	return r;
}

static int
print_list(const struct list_ctx *lc)
{
	static const char *const hdr[] = { "UID", "NAME", "KANA",
	    "DEPARTMENT", "TYPE", "STATUS", "EXPIRY" };
	struct idmgr_table *t = NULL;
	const struct za_user *u;
	char st[64], ex[IDMGR_TIMEBUF];
	const char *row[7];
	size_t i;
	int r;

	if ((r = idmgr_table_new(&t, 7, hdr)) != ZA_OK)
		return r;
	for (i = 0; i < lc->n; i++) {
		u = lc->v[i].u;
		snprintf(st, sizeof(st), "%s%s%s",
		    status_name(u->status) != NULL ? status_name(u->status) :
		    "-", lc->v[i].lock.locked ? ",locked" : "",
		    user_expired(u, lc->im->now) ? ",expired" : "");
		row[0] = u->uid;
		row[1] = u->cn;
		row[2] = u->name_kana;
		row[3] = u->department;
		row[4] = employment_name(u->employment);
		row[5] = st;
		row[6] = idmgr_fmt_date(u->expiry, ex, sizeof(ex));
		if ((r = idmgr_table_add(t, row)) != ZA_OK)
			goto out;
	}
	if (lc->n > 0)
		idmgr_table_print(t, stdout);
	printf("%zu user%s\n", lc->n, lc->n == 1 ? "" : "s");
 out:
	idmgr_table_free(&t);
	return r;
}

static int
list_json(struct idmgr *im, const struct list_ctx *lc)
{
	json_object *jo, *arr;
	size_t i;

	if ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < lc->n; i++)
		json_object_array_add(arr, idmgr_user_json(lc->v[i].u,
		    &lc->v[i].lock, NULL, NULL, 0, im->now));
	json_object_object_add(jo, "users", arr);
	json_object_object_add(jo, "count",
	    json_object_new_int64((int64_t)lc->n));
	json_object_object_add(jo, "unreadable",
	    json_object_new_int64((int64_t)lc->skipped));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

int
idmgr_user_list(struct idmgr *im, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "department",	required_argument,	NULL, 'd' },
		{ "type",	required_argument,	NULL, 't' },
		{ "status",	required_argument,	NULL, 's' },
		{ "group",	required_argument,	NULL, 'g' },
		{ "locked",	no_argument,		NULL, 'l' },
		{ "expired",	no_argument,		NULL, 'x' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct idmgr_cmd *cmd = idmgr_cmd_find("user", "list");
	const char *dept = NULL, *type = NULL, *status = NULL, *group = NULL;
	const char *empty[1] = { NULL };
	struct list_ctx lc;
	enum za_employment emp = ZA_EMPLOYMENT_UNSET;
	enum za_account_status ast = ZA_ACCOUNT_UNSET;
	const char *name = NULL, *sname = NULL;
	char *edept = NULL, *filter = NULL;
	size_t i;
	int ch, r = ZA_OK;

	memset(&lc, 0, sizeof(lc));
	lc.im = im;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "d:t:s:g:",
	    opts)) != -1) {
		switch (ch) {
		case 'd': dept = optarg; break;
		case 't': type = optarg; break;
		case 's': status = optarg; break;
		case 'g': group = optarg; break;
		case 'l': lc.locked = 1; break;
		case 'x': lc.expired = 1; break;
		case IDMGR_OPT_HELP: goto out;
		default: r = ZA_ERR_ARG; goto out;
		}
	}
	if ((r = idmgr_positional(im, argc, argv, 0, 0, empty, empty)) != ZA_OK)
		goto out;
	if (dept != NULL &&
	    (r = idmgr_check_text(im, "department", dept, ZA_NAME_MAX)) != ZA_OK)
		goto out;
	if (group != NULL &&
	    (r = idmgr_check_text(im, "group", group, ZA_NAME_MAX)) != ZA_OK)
		goto out;
	if (type != NULL && (za_employment_from_string(type, &emp) != ZA_OK ||
	    za_employment_to_string(emp, &name) != ZA_OK)) {
		r = idmgr_usage(im, "type", "must be staff, temporary, "
		    "contractor or development");
		goto out;
	}
	if (status != NULL &&
	    (za_account_status_from_string(status, &ast) != ZA_OK ||
	    za_account_status_to_string(ast, &sname) != ZA_OK)) {
		r = idmgr_usage(im, "status", "must be active, suspended or "
		    "disabled");
		goto out;
	}
	if ((r = idmgr_connect(im)) != ZA_OK)
		goto out;
	if (group != NULL && (r = load_group(im, group, &lc)) != ZA_OK)
		goto out;
	if (dept != NULL && za_escape_filter_value(dept, &edept) != ZA_OK)
		goto nomem;
	if (asprintf(&filter, "(&(objectClass=%s)%s%s%s%s%s%s%s%s%s)",
	    ZA_OC_INET_ORG_PERSON,
	    edept != NULL ? "(" ZA_AT_DEPARTMENT "=" : "",
	    edept != NULL ? edept : "", edept != NULL ? ")" : "",
	    name != NULL ? "(" ZA_AT_EMPLOYMENT_TYPE "=" : "",
	    name != NULL ? name : "", name != NULL ? ")" : "",
	    sname != NULL ? "(" ZA_AT_ACCOUNT_STATUS "=" : "",
	    sname != NULL ? sname : "", sname != NULL ? ")" : "") < 0) {
		filter = NULL;
		goto nomem;
	}
	za_debug(&im->log, "filter %s", filter);
	r = za_dir_search(im->dir, im->cfg->dir.users_dn, LDAP_SCOPE_ONELEVEL,
	    filter, idmgr_user_attrs, list_cb, &lc);
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "cannot list users: %s",
		    za_strerror(r));
		goto out;
	}
	if (lc.n > 1)
		qsort(lc.v, lc.n, sizeof(lc.v[0]), cmp_user);
	if (lc.skipped > 0)
		za_warn(&im->log, "%zu entries could not be read (see the "
		    "messages above)", lc.skipped);
	r = im->json ? list_json(im, &lc) : print_list(&lc);
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	for (i = 0; i < lc.n; i++)
		za_user_free(&lc.v[i].u);
	free(lc.v);
	idmgr_strv_free(&lc.members);
	free(edept);
	free(filter);
	return r;
}
