/*
 * idmgr user disable / enable / unlock / delete: the status life of an ID
 * and its safety rules.  Each refusal is journalled and exits 3.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_lockout.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_time.h"

#include "idmgr.h"

/* ppolicy's "locked by the administrator until unlocked" value. */
#define PWD_LOCK_PERMANENT	"000001010000Z"

struct state_args {
	const char *uid;
	const char *reason;
	int force;
	long long grace_days;
};

/* Parse "UID [--reason R]" (+ --force, --grace-days for delete). */
static int
parse_state_args(struct idmgr *im, const char *verb, int argc, char **argv,
    int need_reason, int is_delete, struct state_args *a, int *help)
{
	static const struct option opts[] = {
		{ "reason",	required_argument,	NULL, 'r' },
		{ "force",	no_argument,		NULL, 'F' },
		{ "grace-days",	required_argument,	NULL, 'G' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct idmgr_cmd *cmd = idmgr_cmd_find("user", verb);
	const char *grace = NULL;
	int ch, r;

	memset(a, 0, sizeof(*a));
	a->grace_days = IDMGR_DELETE_GRACE_DAYS;
	*help = 0;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "r:", opts)) != -1) {
		switch (ch) {
		case 'r':
			a->reason = optarg;
			break;
		case 'F':
		case 'G':
			if (!is_delete)
				return idmgr_usage(im, NULL, "user %s: unknown "
				    "option \"%s\"", verb, argv[optind - 1]);
			if (ch == 'F')
				a->force = 1;
			else
				grace = optarg;
			break;
		case IDMGR_OPT_HELP:
			*help = 1;
			return ZA_OK;
		default:
			return ZA_ERR_ARG;
		}
	}
	if ((r = idmgr_positional_uid(im, argc, argv, &a->uid)) != ZA_OK)
		return r;
	if (grace != NULL && (r = idmgr_parse_long(im, "grace-days", grace, 0,
	    IDMGR_GRACE_DAYS_MAX, &a->grace_days)) != ZA_OK)
		return r;
	if (a->reason == NULL && (need_reason || a->force))
		return idmgr_usage(im, "reason", "required (--reason TEXT)%s",
		    a->force ? " with --force" : "");
	if (a->reason != NULL &&
	    (r = idmgr_check_reason(im, "reason", a->reason)) != ZA_OK)
		return r;
	return ZA_OK;
}

static const char *
status_word(enum za_account_status st)
{
	const char *s = NULL;

	return za_account_status_to_string(st, &s) == ZA_OK ? s : "unset";
}

/* Status change common to disable and enable. */
static int
status_changes(struct idmgr *im, const struct idmgr_entry *e,
    const char *status, const char *reason, struct idmgr_changes *c)
{
	char now[ZA_TIME_GENTIME_BUFSZ];
	const char *a1[2] = { status, NULL }, *a2[2] = { reason, NULL },
	    *a3[2] = { now, NULL };
	int r;

	if ((r = za_time_format_gentime(im->now, now, sizeof(now))) != ZA_OK)
		return r;
	if ((r = idmgr_changes_set(c, ZA_AT_ACCOUNT_STATUS,
	    idmgr_entry_values(e, ZA_AT_ACCOUNT_STATUS), a1)) != ZA_OK ||
	    (r = idmgr_changes_set(c, ZA_AT_STATUS_REASON,
	    idmgr_entry_values(e, ZA_AT_STATUS_REASON), a2)) != ZA_OK ||
	    (r = idmgr_changes_set(c, ZA_AT_STATUS_TIME,
	    idmgr_entry_values(e, ZA_AT_STATUS_TIME), a3)) != ZA_OK)
		return r;
	return ZA_OK;
}

int
idmgr_user_disable(struct idmgr *im, int argc, char **argv)
{
	struct state_args a;
	struct za_user *u = NULL;
	struct idmgr_entry *e = NULL;
	struct idmgr_changes ch = { NULL, 0 };
	const char *lock[2] = { PWD_LOCK_PERMANENT, NULL };
	char t[IDMGR_TIMEBUF];
	int r, help;

	if ((r = parse_state_args(im, "disable", argc, argv, 1, 0, &a,
	    &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, &e)) != ZA_OK)
		goto out;
	if (u->status == ZA_ACCOUNT_DISABLED) {
		r = idmgr_refuse(im, "user.disable", u->dn, "uid", "%s is "
		    "already disabled (since %s); disabling it again would "
		    "restart its deletion grace period", u->uid,
		    idmgr_fmt_time(u->status_time, t, sizeof(t)));
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if (status_changes(im, e, "disabled", a.reason, &ch) != ZA_OK)
		goto nomem;
	/* Password binds must fail too: the directory's own lock. */
	if (idmgr_entry_values(e, ZA_AT_PWD_LOCKED_TIME) == NULL &&
	    idmgr_changes_set(&ch, ZA_AT_PWD_LOCKED_TIME, NULL, lock) != ZA_OK)
		goto nomem;
	r = idmgr_user_apply(im, "user.disable", u->uid, u->dn, &ch, a.reason,
	    "disabled");
	goto out;
 nomem:
	r = idmgr_fail(im, r, NULL, "cannot build the change: %s",
	    za_strerror(r));
 out:
	idmgr_changes_clear(&ch);
	idmgr_entry_free(&e);
	za_user_free(&u);
	return r;
}

int
idmgr_user_enable(struct idmgr *im, int argc, char **argv)
{
	struct state_args a;
	struct za_user *u = NULL;
	struct idmgr_entry *e = NULL;
	struct idmgr_changes ch = { NULL, 0 };
	char d[IDMGR_TIMEBUF];
	int r, help;

	if ((r = parse_state_args(im, "enable", argc, argv, 1, 0, &a,
	    &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, &e)) != ZA_OK)
		goto out;
	if (u->status == ZA_ACCOUNT_ACTIVE) {
		r = idmgr_refuse(im, "user.enable", u->dn, "uid",
		    "%s is already active", u->uid);
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if (status_changes(im, e, "active", a.reason, &ch) != ZA_OK)
		goto nomem;
	/* The lock "user disable" set goes with the status. */
	if (u->status == ZA_ACCOUNT_DISABLED &&
	    idmgr_changes_set(&ch, ZA_AT_PWD_LOCKED_TIME,
	    idmgr_entry_values(e, ZA_AT_PWD_LOCKED_TIME), NULL) != ZA_OK)
		goto nomem;
	/* Back from secondment or leave: the suspension dates go. */
	if (idmgr_changes_set(&ch, ZA_AT_SUSPEND_FROM,
	    idmgr_entry_values(e, ZA_AT_SUSPEND_FROM), NULL) != ZA_OK ||
	    idmgr_changes_set(&ch, ZA_AT_RETURN_DATE,
	    idmgr_entry_values(e, ZA_AT_RETURN_DATE), NULL) != ZA_OK)
		goto nomem;
	if (u->expiry != 0 && u->expiry < im->now)
		za_warn(&im->log, "%s expired on %s and still cannot log in; "
		    "set a new date with \"idmgr user modify %s --expiry "
		    "YYYY-MM-DD\"", u->uid, idmgr_fmt_date(u->expiry, d,
		    sizeof(d)), u->uid);
	r = idmgr_user_apply(im, "user.enable", u->uid, u->dn, &ch, a.reason,
	    "enabled");
	goto out;
 nomem:
	r = idmgr_fail(im, r, NULL, "cannot build the change: %s",
	    za_strerror(r));
 out:
	idmgr_changes_clear(&ch);
	idmgr_entry_free(&e);
	za_user_free(&u);
	return r;
}

/* What an unlock clears: lockout records and both locks. */
static const char *const lock_attrs[] = { ZA_AT_PWD_LOCKED_TIME,
	ZA_AT_LOCKED_UNTIL, ZA_AT_AUTH_FAILURE, ZA_AT_PWD_FAILURE_TIME, NULL };

int
idmgr_user_unlock(struct idmgr *im, int argc, char **argv)
{
	struct state_args a;
	struct za_user *u = NULL;
	struct idmgr_entry *e = NULL, *after = NULL;
	struct idmgr_changes ch = { NULL, 0 };
	size_t i, present = 0;
	int r, help;

	if ((r = parse_state_args(im, "unlock", argc, argv, 0, 0, &a,
	    &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, &e)) != ZA_OK)
		goto out;
	if (u->status == ZA_ACCOUNT_DISABLED) {
		r = idmgr_refuse(im, "user.unlock", u->dn, "uid", "%s is "
		    "disabled; its lock goes with \"idmgr user enable\"",
		    u->uid);
		goto out;
	}
	for (i = 0; lock_attrs[i] != NULL; i++)
		if (idmgr_entry_values(e, lock_attrs[i]) != NULL)
			present++;
	if (present == 0) {
		r = idmgr_user_change_result(im, u->uid, u->dn, "user.unlock",
		    "not locked; nothing to do", &ch);
		goto out;
	}
	/* The lockout module's own unlock (ppolicy failure times included). */
	if ((r = za_lockout_unlock(im->dir, u->dn, &im->log)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "unlocking %s failed: %s", u->uid,
		    za_strerror(r));
		(void)idmgr_journal(im, "user.unlock", u->dn,
		    ZA_AUDIT_RESULT_ERROR, im->err_msg, NULL);
		goto out;
	}
	/* Record what actually changed: read the entry again. */
	if ((r = idmgr_find_user(im, a.uid, NULL, &after)) != ZA_OK)
		goto out;
	for (i = 0; lock_attrs[i] != NULL; i++) {
		if (idmgr_changes_set(&ch, lock_attrs[i],
		    idmgr_entry_values(e, lock_attrs[i]),
		    idmgr_entry_values(after, lock_attrs[i])) != ZA_OK) {
			r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
	}
	r = idmgr_journal(im, "user.unlock", u->dn, ZA_AUDIT_RESULT_OK,
	    a.reason, &ch);
	if (idmgr_user_change_result(im, u->uid, u->dn, "user.unlock",
	    "unlocked", &ch) != ZA_OK && r == ZA_OK)
		r = ZA_ERR_NOMEM;
 out:
	idmgr_changes_clear(&ch);
	idmgr_entry_free(&after);
	idmgr_entry_free(&e);
	za_user_free(&u);
	return r;
}

/* ---------------------------------------------------------------- delete */

struct group_refs {
	struct idmgr_entry **v;
	size_t n;
};

static int
group_ref_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct group_refs *g = arg;
	struct idmgr_entry **nv;
	int r;

	if (g->n >= 100000 ||
	    (nv = reallocarray(g->v, g->n + 1, sizeof(*nv))) == NULL)
		return ZA_ERR_NOMEM;
	g->v = nv;
	if ((r = idmgr_entry_from_ldap(ld, e, &g->v[g->n])) != ZA_OK)
		return r;
	g->n++;
	return ZA_OK;
}

static void
group_refs_clear(struct group_refs *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		idmgr_entry_free(&g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

/* The groups naming the user, with their member values. */
static int
find_group_refs(struct idmgr *im, const struct za_user *u,
    struct group_refs *g)
{
	static const char *const attrs[] = { ZA_AT_OBJECT_CLASS, ZA_AT_CN,
	    ZA_AT_MEMBER_UID, ZA_AT_MEMBER, NULL };
	char *euid = NULL, *edn = NULL, *filter = NULL;
	int r;

	if ((r = za_escape_filter_value(u->uid, &euid)) != ZA_OK ||
	    (r = za_escape_filter_value(u->dn, &edn)) != ZA_OK)
		goto out;
	if (asprintf(&filter, "(|(%s=%s)(%s=%s))", ZA_AT_MEMBER_UID, euid,
	    ZA_AT_MEMBER, edn) < 0) {
		filter = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	r = za_dir_search(im->dir, im->cfg->dir.groups_dn, LDAP_SCOPE_SUBTREE,
	    filter, attrs, group_ref_cb, g);
	if (r == ZA_ERR_NOT_FOUND)
		r = ZA_OK;
 out:
	if (r != ZA_OK)
		r = idmgr_fail(im, r, NULL, "cannot read the groups of %s: %s",
		    u->uid, za_strerror(r));
	free(euid);
	free(edn);
	free(filter);
	return r;
}

/* The member values of g that name dn (DN comparison, not string). */
static int
member_values(const struct idmgr_entry *g, const char *dn, char ***out)
{
	const char *const *v = idmgr_entry_values(g, ZA_AT_MEMBER);
	char *want = NULL, *norm, **res = NULL, **nv;
	size_t i, n = 0;
	int r = ZA_OK;

	*out = NULL;
	if (v == NULL)
		return ZA_OK;
	if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &want,
	    LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return ZA_ERR_PARSE;
	for (i = 0; v[i] != NULL && r == ZA_OK; i++) {
		norm = NULL;
		if (ldap_dn_normalize(v[i], LDAP_DN_FORMAT_LDAPV3, &norm,
		    LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS && norm != NULL &&
		    strcasecmp(norm, want) == 0) {
			if ((nv = reallocarray(res, n + 2,
			    sizeof(*nv))) == NULL ||
			    (nv[n] = strdup(v[i])) == NULL) {
				if (nv != NULL)
					res = nv;
				r = ZA_ERR_NOMEM;
			} else {
				res = nv;
				res[++n] = NULL;
			}
		}
		ldap_memfree(norm);
	}
	ldap_memfree(want);
	if (r == ZA_OK)
		*out = res;
	else
		idmgr_strv_free(&res);
	return r;
}

static size_t
count_values(const char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Changes that take the user out of group g. */
static int
group_changes(const struct idmgr_entry *g, const struct za_user *u,
    struct idmgr_changes *c, int *empties)
{
	const char *const *uids = idmgr_entry_values(g, ZA_AT_MEMBER_UID);
	const char *const *members = idmgr_entry_values(g, ZA_AT_MEMBER);
	char **mine = NULL;
	size_t i, n;
	int r;

	*empties = 0;
	for (i = 0; uids != NULL && uids[i] != NULL; i++) {
		if (strcmp(uids[i], u->uid) == 0) {
			const char *b[2] = { uids[i], NULL };

			if ((r = idmgr_changes_set(c, ZA_AT_MEMBER_UID, b,
			    NULL)) != ZA_OK)
				return r;
			break;
		}
	}
	if ((r = member_values(g, u->dn, &mine)) != ZA_OK)
		return r;
	if (mine != NULL) {
		n = count_values((const char *const *)mine);
		/* groupOfNames must keep one member. */
		if (n >= count_values(members))
			*empties = 1;
		else
			r = idmgr_changes_set(c, ZA_AT_MEMBER,
			    (const char *const *)mine, NULL);
	}
	idmgr_strv_free(&mine);
	return r;
}

static int
delete_result(struct idmgr *im, const struct za_user *u, size_t ntokens,
    const struct group_refs *g, int forced)
{
	json_object *jo, *arr;
	const char *cn;
	size_t i;

	if (!im->json) {
		printf("%s: deleted %s (%zu token%s, %zu group membership%s "
		    "removed)%s\n", u->uid, u->dn, ntokens,
		    ntokens == 1 ? "" : "s", g->n, g->n == 1 ? "" : "s",
		    forced ? " [forced]" : "");
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < g->n; i++)
		if ((cn = idmgr_entry_value(g->v[i], ZA_AT_CN)) != NULL)
			json_object_array_add(arr, json_object_new_string(cn));
	json_object_object_add(jo, "uid", json_object_new_string(u->uid));
	json_object_object_add(jo, "dn", json_object_new_string(u->dn));
	json_object_object_add(jo, "action",
	    json_object_new_string("user.delete"));
	json_object_object_add(jo, "result", json_object_new_string("deleted"));
	json_object_object_add(jo, "forced", json_object_new_boolean(forced));
	json_object_object_add(jo, "tokens_deleted",
	    json_object_new_int64((int64_t)ntokens));
	json_object_object_add(jo, "groups", arr);
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

/* Safety rules; ZA_OK when the deletion may go ahead. */
static int
delete_allowed(struct idmgr *im, const struct state_args *a,
    const struct za_user *u)
{
	char t[IDMGR_TIMEBUF], until[IDMGR_TIMEBUF];
	time_t end = 0;
	long long days;

	if (a->force)
		return ZA_OK;
	if (u->priv.is_privileged)
		return idmgr_refuse(im, "user.delete", u->dn, "uid", "%s is a "
		    "privileged ID; delete it only with --force --reason",
		    u->uid);
	if (u->status != ZA_ACCOUNT_DISABLED)
		return idmgr_refuse(im, "user.delete", u->dn, "uid", "%s is %s;"
		    " disable it first and delete it after the %lld-day grace "
		    "period", u->uid, status_word(u->status), a->grace_days);
	if (u->status_time == 0)
		return idmgr_refuse(im, "user.delete", u->dn, "uid", "%s has no"
		    " record of when it was disabled; use --force --reason",
		    u->uid);
	days = (long long)((im->now - u->status_time) / 86400);
	if (im->now < u->status_time || days < a->grace_days) {
		(void)za_time_add_days(u->status_time, a->grace_days, &end);
		return idmgr_refuse(im, "user.delete", u->dn, "uid", "%s was "
		    "disabled on %s, %lld day%s ago; the grace period of %lld "
		    "days ends on %s", u->uid, idmgr_fmt_time(u->status_time,
		    t, sizeof(t)), days, days == 1 ? "" : "s", a->grace_days,
		    idmgr_fmt_time(end, until, sizeof(until)));
	}
	return ZA_OK;
}

int
idmgr_user_delete(struct idmgr *im, int argc, char **argv)
{
	struct state_args a;
	struct za_user *u = NULL;
	struct idmgr_entry *e = NULL;
	struct idmgr_tokens tokens = { NULL, 0 };
	struct group_refs groups = { NULL, 0 };
	struct idmgr_changes *gch = NULL, ch = { NULL, 0 };
	char diag[512], reason[ZA_REASON_MAX + 16];
	size_t i, done_tokens = 0;
	int r, help, empties;

	if ((r = parse_state_args(im, "delete", argc, argv, 0, 1, &a,
	    &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, &e)) != ZA_OK)
		goto out;
	if ((r = delete_allowed(im, &a, u)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_tokens(im, u->dn, &tokens)) != ZA_OK ||
	    (r = find_group_refs(im, u, &groups)) != ZA_OK)
		goto out;
	/* Plan every write before the first one. */
	if (groups.n > 0 && (gch = calloc(groups.n, sizeof(*gch))) == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < groups.n; i++) {
		if ((r = group_changes(groups.v[i], u, &gch[i],
		    &empties)) != ZA_OK) {
			r = idmgr_fail(im, r, NULL, "cannot plan the group "
			    "change: %s", za_strerror(r));
			goto out;
		}
		if (empties) {
			r = idmgr_fail(im, ZA_ERR_CONFLICT, "group", "%s is the "
			    "last member of %s, which must keep one; add "
			    "another member first", u->uid, groups.v[i]->dn);
			goto out;
		}
	}
	if ((r = idmgr_changes_from_entry(&ch, e, 1)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "out of memory");
		goto out;
	}
	snprintf(reason, sizeof(reason), "%s%s", a.force ? "forced: " : "",
	    a.reason != NULL ? a.reason : "grace period over");
	/* Writes: group memberships, tokens, then the entry itself. */
	for (i = 0; i < groups.n; i++) {
		if (gch[i].n == 0)
			continue;
		if ((r = idmgr_apply_changes(im, "group.remove-member",
		    groups.v[i]->dn, &gch[i], reason)) != ZA_OK)
			goto out;
	}
	for (i = 0; i < tokens.n; i++) {
		struct idmgr_changes tch = { NULL, 0 };

		if ((r = za_dir_delete(im->dir, tokens.v[i].entry->dn)) !=
		    ZA_OK && r != ZA_ERR_NOT_FOUND) {
			r = idmgr_fail(im, r, NULL, "deleting token %s failed: "
			    "%s%s", tokens.v[i].entry->dn, za_strerror(r),
			    idmgr_ldap_diag(im, diag, sizeof(diag)));
			(void)idmgr_journal(im, "token.delete",
			    tokens.v[i].entry->dn, ZA_AUDIT_RESULT_ERROR,
			    im->err_msg, NULL);
			goto out;
		}
		done_tokens++;
		if (idmgr_changes_from_entry(&tch, tokens.v[i].entry, 1) !=
		    ZA_OK) {
			idmgr_changes_clear(&tch);
			r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		r = idmgr_journal(im, "token.delete", tokens.v[i].entry->dn,
		    ZA_AUDIT_RESULT_OK, reason, &tch);
		idmgr_changes_clear(&tch);
		if (r != ZA_OK)
			goto out;
	}
	if ((r = za_dir_delete(im->dir, u->dn)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "deleting %s failed: %s%s", u->dn,
		    za_strerror(r), idmgr_ldap_diag(im, diag, sizeof(diag)));
		(void)idmgr_journal(im, "user.delete", u->dn,
		    ZA_AUDIT_RESULT_ERROR, im->err_msg, NULL);
		goto out;
	}
	r = idmgr_journal(im, "user.delete", u->dn, ZA_AUDIT_RESULT_OK, reason,
	    &ch);
	if (delete_result(im, u, done_tokens, &groups, a.force) != ZA_OK &&
	    r == ZA_OK)
		r = ZA_ERR_NOMEM;
 out:
	for (i = 0; gch != NULL && i < groups.n; i++)
		idmgr_changes_clear(&gch[i]);
	free(gch);
	group_refs_clear(&groups);
	idmgr_tokens_clear(&tokens);
	idmgr_changes_clear(&ch);
	idmgr_entry_free(&e);
	za_user_free(&u);
	return r;
}
