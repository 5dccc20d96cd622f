/*
 * idmgr user add / user modify, and the table of the user commands.
 *
 * Everything typed is checked, and everything the directory must confirm
 * (the ID and employee number are free, the department exists) is read,
 * before the first write; a failed check changes nothing.
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

#include "idmgr.h"

#define UID_NUMBER_FIRST	20000	/* first number handed out */
#define POSIX_ID_MIN		1000
#define POSIX_ID_MAX		2147483647LL
#define DEFAULT_SHELL		"/bin/bash"
#define UID_NUMBER_RETRIES	16

static int cmd_user_add(struct idmgr *, int, char **);
static int cmd_user_modify(struct idmgr *, int, char **);

#define USER_FIELD_HELP \
	"  -e, --employee-number N  employee number (HR key, 1-20 digits)\n" \
	"  -n, --name NAME          name in kanji, surname first: \"田中 花子\"\n" \
	"  -k, --kana KANA          name in full-width katakana: \"タナカ ハナコ\"\n" \
	"  -d, --department DEPT    department code (departmentNumber); its\n" \
	"                           posixGroup gives the gid number\n" \
	"  -t, --type TYPE          staff, temporary, contractor or development\n" \
	"  --expiry YYYY-MM-DD      last day the ID may be used; required for\n" \
	"                           development IDs, not allowed for staff\n" \
	"  --mail ADDRESS           mail address\n" \
	"  --project TEXT           development project\n" \
	"  --approval REF           application/approval reference\n" \
	"  --shell PATH             login shell (default " DEFAULT_SHELL ")\n"

const struct idmgr_cmd idmgr_user_cmds[] = {
	{ "user", "add", cmd_user_add, "UID -e N -n NAME -k KANA -d DEPT "
	    "-t TYPE [options]",
	    "register an ID with a one-time initial password",
	    USER_FIELD_HELP
	    "  --uid-number N           uid number (default: next free from "
	    "20000)\n"
	    "  --gid-number N           gid number when DEPT has no posixGroup\n"
	    "\nThe initial password is random, printed once, and must be "
	    "changed at the\nfirst login (the password policy's pwdReset).\n" },
	{ "user", "show", idmgr_user_show, "UID",
	    "status, lock, tokens, last MFA login, privileged status, expiry",
	    "" },
	{ "user", "list", idmgr_user_list, "[options]",
	    "list IDs, optionally filtered",
	    "  -d, --department DEPT  only this department\n"
	    "  -t, --type TYPE        staff, temporary, contractor or "
	    "development\n"
	    "  -s, --status STATUS    active, suspended or disabled\n"
	    "  -g, --group GROUP      members of this posixGroup or "
	    "groupOfNames\n"
	    "  --locked               only locked IDs\n"
	    "  --expired              only IDs past their expiry\n" },
	{ "user", "modify", cmd_user_modify, "UID [options]",
	    "change an ID's attributes (before/after go to the audit log)",
	    USER_FIELD_HELP
	    "\n--expiry, --mail, --project and --approval take \"none\" to "
	    "remove the value.\nStatus changes have their own commands "
	    "(disable, enable, unlock).\n" },
	{ "user", "disable", idmgr_user_disable, "UID --reason TEXT",
	    "disable an ID (status disabled, password binds locked)",
	    "  -r, --reason TEXT  why (required; recorded)\n"
	    "\nRefused (exit 3) when the ID is already disabled: the time it "
	    "was disabled\nstarts the grace period before deletion.\n" },
	{ "user", "enable", idmgr_user_enable, "UID --reason TEXT",
	    "re-enable a disabled or suspended ID",
	    "  -r, --reason TEXT  why (required; recorded)\n"
	    "\nRefused (exit 3) when the ID is already active.\n" },
	{ "user", "unlock", idmgr_user_unlock, "UID [--reason TEXT]",
	    "clear a lockout (failed logins, zoneauth and directory locks)",
	    "  -r, --reason TEXT  why (recorded)\n"
	    "\nRefused (exit 3) for a disabled ID: use \"user enable\".\n" },
	{ "user", "delete", idmgr_user_delete,
	    "UID [--grace-days N] [--force --reason TEXT]",
	    "delete an ID disabled for longer than the grace period",
	    "  --grace-days N     grace period in days (default 30)\n"
	    "  --force            delete anyway (needs --reason)\n"
	    "  -r, --reason TEXT  why (required with --force; recorded)\n"
	    "\nRefused (exit 3) unless the ID has been disabled for longer "
	    "than the grace\nperiod, or is privileged, unless --force is "
	    "given with a reason.  Its tokens\nand group memberships are "
	    "removed with it.\n" },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

/* What the user typed for add / modify; NULL when not given. */
struct user_input {
	const char *uid;
	const char *employee_number;
	const char *name;
	const char *kana;
	const char *department;
	const char *type;
	const char *expiry;
	const char *mail;
	const char *project;
	const char *approval;
	const char *shell;
	const char *uid_number;
	const char *gid_number;
};

enum {
	OPT_EXPIRY = 0x200, OPT_MAIL, OPT_PROJECT, OPT_APPROVAL, OPT_SHELL,
	OPT_UIDNUM, OPT_GIDNUM
};

static const struct option user_opts[] = {
	{ "employee-number",	required_argument,	NULL, 'e' },
	{ "name",		required_argument,	NULL, 'n' },
	{ "kana",		required_argument,	NULL, 'k' },
	{ "department",		required_argument,	NULL, 'd' },
	{ "type",		required_argument,	NULL, 't' },
	{ "expiry",		required_argument,	NULL, OPT_EXPIRY },
	{ "mail",		required_argument,	NULL, OPT_MAIL },
	{ "project",		required_argument,	NULL, OPT_PROJECT },
	{ "approval",		required_argument,	NULL, OPT_APPROVAL },
	{ "shell",		required_argument,	NULL, OPT_SHELL },
	{ "uid-number",		required_argument,	NULL, OPT_UIDNUM },
	{ "gid-number",		required_argument,	NULL, OPT_GIDNUM },
	{ NULL,			0,			NULL, 0 }
};

/* Parse the options; allow_ids: --uid-number/--gid-number (add only). */
static int
parse_user_input(struct idmgr *im, const struct idmgr_cmd *cmd, int argc,
    char **argv, int allow_ids, struct user_input *in, int *help)
{
	int ch;

	memset(in, 0, sizeof(*in));
	*help = 0;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "e:n:k:d:t:",
	    user_opts)) != -1) {
		switch (ch) {
		case 'e': in->employee_number = optarg; break;
		case 'n': in->name = optarg; break;
		case 'k': in->kana = optarg; break;
		case 'd': in->department = optarg; break;
		case 't': in->type = optarg; break;
		case OPT_EXPIRY: in->expiry = optarg; break;
		case OPT_MAIL: in->mail = optarg; break;
		case OPT_PROJECT: in->project = optarg; break;
		case OPT_APPROVAL: in->approval = optarg; break;
		case OPT_SHELL: in->shell = optarg; break;
		case OPT_UIDNUM:
		case OPT_GIDNUM:
			if (!allow_ids)
				return idmgr_usage(im, ch == OPT_UIDNUM ?
				    "uid-number" : "gid-number",
				    "cannot be changed with modify");
			if (ch == OPT_UIDNUM)
				in->uid_number = optarg;
			else
				in->gid_number = optarg;
			break;
		case IDMGR_OPT_HELP:
			*help = 1;
			return ZA_OK;
		default:
			return ZA_ERR_ARG;
		}
	}
	return idmgr_positional_uid(im, argc, argv, &in->uid);
}

static int
is_none(const char *s)
{
	return s != NULL && strcmp(s, "none") == 0;
}

/* Check the fields given (syntax only); required ones for add. */
static int
check_input(struct idmgr *im, const struct user_input *in, int adding)
{
	enum za_employment emp;
	time_t t;
	long long n;
	int r;

	if (adding) {
		const struct { const char *v, *field; } req[] = {
			{ in->employee_number, "employee-number" },
			{ in->name, "name" }, { in->kana, "kana" },
			{ in->department, "department" }, { in->type, "type" },
		};
		size_t i;

		for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
			if (req[i].v == NULL)
				return idmgr_usage(im, req[i].field,
				    "required (--%s)", req[i].field);
	}
	if (in->employee_number != NULL &&
	    za_valid_employee_number(in->employee_number, NULL) != ZA_OK)
		return idmgr_usage(im, "employee-number", "must be 1 to %d "
		    "digits", ZA_EMPLOYEE_NUMBER_MAX);
	if ((in->name != NULL && (r = idmgr_check_text(im, "name", in->name,
	    ZA_NAME_MAX)) != ZA_OK) ||
	    (in->kana != NULL &&
	    (r = idmgr_check_kana(im, "kana", in->kana)) != ZA_OK) ||
	    (in->department != NULL && (r = idmgr_check_text(im, "department",
	    in->department, ZA_NAME_MAX)) != ZA_OK))
		return r;
	if (in->type != NULL && za_employment_from_string(in->type,
	    &emp) != ZA_OK)
		return idmgr_usage(im, "type", "must be staff, temporary, "
		    "contractor or development");
	if (in->expiry != NULL && !(is_none(in->expiry) && !adding)) {
		if ((r = idmgr_parse_date(im, "expiry", in->expiry,
		    &t)) != ZA_OK)
			return r;
		if (t < im->now)
			return idmgr_usage(im, "expiry", "%s is in the past",
			    in->expiry);
	}
	if (in->mail != NULL && !(is_none(in->mail) && !adding) &&
	    (r = idmgr_check_mail(im, "mail", in->mail)) != ZA_OK)
		return r;
	if ((in->project != NULL && !(is_none(in->project) && !adding) &&
	    (r = idmgr_check_text(im, "project", in->project,
	    ZA_NAME_MAX)) != ZA_OK) ||
	    (in->approval != NULL && !(is_none(in->approval) && !adding) &&
	    (r = idmgr_check_text(im, "approval", in->approval,
	    ZA_NAME_MAX)) != ZA_OK))
		return r;
	if (in->shell != NULL && (in->shell[0] != '/' ||
	    za_valid_text(in->shell, ZA_STRING_MAX, "shell", NULL) != ZA_OK ||
	    strchr(in->shell, ' ') != NULL))
		return idmgr_usage(im, "shell", "must be an absolute path");
	if (in->uid_number != NULL && (r = idmgr_parse_long(im, "uid-number",
	    in->uid_number, POSIX_ID_MIN, POSIX_ID_MAX, &n)) != ZA_OK)
		return r;
	if (in->gid_number != NULL && (r = idmgr_parse_long(im, "gid-number",
	    in->gid_number, POSIX_ID_MIN, POSIX_ID_MAX, &n)) != ZA_OK)
		return r;
	return ZA_OK;
}

/* Expiry rules for the final state of an ID. */
static int
check_expiry_rule(struct idmgr *im, enum za_employment emp, int has_expiry)
{
	if (emp == ZA_EMPLOYMENT_DEVELOPMENT && !has_expiry)
		return idmgr_usage(im, "expiry", "a development ID needs an "
		    "expiry date (policy 7.3: delete development IDs when the "
		    "work ends)");
	if (emp == ZA_EMPLOYMENT_STAFF && has_expiry)
		return idmgr_usage(im, "expiry", "staff IDs do not expire; "
		    "they are disabled when the person leaves");
	return ZA_OK;
}

/* ---------------------------------------------------------------- lookups */

struct first_value {
	const char *attr;
	char *value;
	int n;
};

static int
first_value_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct first_value *fv = arg;
	struct berval **v;

	if (fv->n++ > 0)
		return ZA_OK;
	if (fv->attr == NULL)
		return ZA_OK;
	v = ldap_get_values_len(ld, e, fv->attr);
	if (v != NULL && v[0] != NULL &&
	    memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL)
		fv->value = strndup(v[0]->bv_val, v[0]->bv_len);
	ldap_value_free_len(v);
	return ZA_OK;
}

/*
 * Search for entries matching "(&<filter_fmt with the escaped value>)":
 * *count entries, the first one's attr in *value (may stay NULL).
 */
static int
lookup(struct idmgr *im, const char *base, int scope, const char *pre,
    const char *value, const char *post, const char *attr, int *count,
    char **out)
{
	const char *const attrs[] = { attr != NULL ? attr : "1.1", NULL };
	struct first_value fv = { attr, NULL, 0 };
	char *ev = NULL, *filter = NULL;
	int r;

	if ((r = za_escape_filter_value(value, &ev)) != ZA_OK)
		goto out;
	if (asprintf(&filter, "%s%s%s", pre, ev, post) < 0) {
		filter = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	r = za_dir_search(im->dir, base, scope, filter, attrs,
	    first_value_cb, &fv);
	*count = fv.n;
	if (out != NULL) {
		*out = fv.value;
		fv.value = NULL;
	}
 out:
	free(fv.value);
	free(ev);
	free(filter);
	return r;
}

/* The employee number must belong to nobody else. */
static int
check_employee_number(struct idmgr *im, const char *num, const char *uid)
{
	char *other = NULL;
	int n = 0, r;

	r = lookup(im, im->cfg->dir.users_dn, LDAP_SCOPE_ONELEVEL,
	    "(" ZA_AT_EMPLOYEE_NUMBER "=", num, ")", ZA_AT_UID, &n, &other);
	if (r != ZA_OK)
		r = idmgr_fail(im, r, "employee-number", "cannot check: %s",
		    za_strerror(r));
	else if (n > 0 && (other == NULL || strcmp(other, uid) != 0))
		r = idmgr_fail(im, ZA_ERR_EXISTS, "employee-number",
		    "already used by %s", other != NULL ? other : "another ID");
	free(other);
	return r;
}

/*
 * The department must exist under ou=departments,<base> when that
 * container exists; its posixGroup (cn=DEPT under the groups DN) gives
 * the gid number, *gid = -1 when there is none.
 */
static int
check_department(struct idmgr *im, const char *dept, long long *gid)
{
	char *base = NULL, *g = NULL, *end = NULL;
	int n = 0, r;

	*gid = -1;
	if (asprintf(&base, "ou=departments,%s", im->cfg->dir.base_dn) < 0) {
		base = NULL;
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	r = lookup(im, base, LDAP_SCOPE_ONELEVEL, "(" ZA_AT_OU "=", dept, ")",
	    NULL, &n, NULL);
	if (r == ZA_OK && n == 0) {
		r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "department", "unknown "
		    "department %s (not under %s)", dept, base);
		goto out;
	}
	if (r != ZA_OK && r != ZA_ERR_NOT_FOUND) {
		r = idmgr_fail(im, r, "department", "cannot check: %s",
		    za_strerror(r));
		goto out;
	}
	r = lookup(im, im->cfg->dir.groups_dn, LDAP_SCOPE_SUBTREE,
	    "(&(objectClass=posixGroup)(cn=", dept, "))", ZA_AT_GID_NUMBER,
	    &n, &g);
	if (r == ZA_ERR_NOT_FOUND || (r == ZA_OK && (n == 0 || g == NULL))) {
		r = ZA_OK;
		goto out;
	}
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, "department", "cannot read its group: "
		    "%s", za_strerror(r));
		goto out;
	}
	*gid = strtoll(g, &end, 10);
	if (end == g || *end != '\0' || *gid < 0 || *gid > POSIX_ID_MAX) {
		*gid = -1;
		r = idmgr_fail(im, ZA_ERR_PARSE, "department", "its group has "
		    "a malformed gidNumber");
	}
 out:
	free(base);
	free(g);
	return r;
}

struct max_id {
	long long max;
	long long want;		/* count entries with this number */
	int hits;
};

static int
max_id_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct max_id *m = arg;
	struct berval **v;
	char buf[24], *end = NULL;
	long long x;

	v = ldap_get_values_len(ld, e, ZA_AT_UID_NUMBER);
	if (v == NULL || v[0] == NULL || v[0]->bv_len == 0 ||
	    v[0]->bv_len >= sizeof(buf))
		goto out;
	memcpy(buf, v[0]->bv_val, v[0]->bv_len);
	buf[v[0]->bv_len] = '\0';
	x = strtoll(buf, &end, 10);
	if (*end != '\0')
		goto out;
	if (x > m->max && x < POSIX_ID_MAX)
		m->max = x;
	if (x == m->want)
		m->hits++;
 out:
	ldap_value_free_len(v);
	return ZA_OK;
}

/* Scan the uid numbers: the largest, and how many hold `want`. */
static int
scan_uid_numbers(struct idmgr *im, long long want, struct max_id *m)
{
	static const char *const attrs[] = { ZA_AT_UID_NUMBER, NULL };
	int r;

	memset(m, 0, sizeof(*m));
	m->max = UID_NUMBER_FIRST - 1;
	m->want = want;
	r = za_dir_search(im->dir, im->cfg->dir.users_dn, LDAP_SCOPE_SUBTREE,
	    "(" ZA_AT_UID_NUMBER "=*)", attrs, max_id_cb, m);
	if (r != ZA_OK)
		return idmgr_fail(im, r, "uid-number", "cannot read the uid "
		    "numbers in use: %s", za_strerror(r));
	return ZA_OK;
}

/*
 * Two concurrent adds may pick the same next number.  Whoever finds its
 * number held twice after writing it moves on (compare-and-swap of its
 * own value) and checks again: of two writes to one number the later one
 * always sees the earlier, so no duplicate stays unnoticed.  A random
 * step keeps two movers from chasing each other.
 */
static int
settle_uid_number(struct idmgr *im, const char *dn, const char *uid,
    long long *num)
{
	struct max_id m;
	unsigned char step = 0;
	char oldv[24], newv[24];
	long long next;
	int r = ZA_OK, tries;

	for (tries = 0; tries < UID_NUMBER_RETRIES; tries++) {
		if ((r = scan_uid_numbers(im, *num, &m)) != ZA_OK)
			return r;
		if (m.hits <= 1)
			return ZA_OK;
		(void)za_random(&step, sizeof(step));
		next = m.max + 1 + (step % 8);
		if (next > POSIX_ID_MAX)
			break;
		snprintf(oldv, sizeof(oldv), "%lld", *num);
		snprintf(newv, sizeof(newv), "%lld", next);
		za_warn(&im->log, "uid number %s was taken concurrently; "
		    "moving %s to %s", oldv, uid, newv);
		if ((r = za_dir_cas(im->dir, dn, ZA_AT_UID_NUMBER, oldv,
		    newv)) != ZA_OK)
			return idmgr_fail(im, r, "uid-number", "cannot move "
			    "to a free uid number: %s", za_strerror(r));
		*num = next;
	}
	return idmgr_fail(im, ZA_ERR_CONFLICT, "uid-number", "no free uid "
	    "number after %d tries", UID_NUMBER_RETRIES);
}

/* ---------------------------------------------------------------- add */

struct add_plan {
	struct za_user *u;
	char *dn;
	long long uid_number;
	int auto_uid;
};

static int
build_user(struct idmgr *im, const struct user_input *in,
    struct add_plan *p)
{
	struct za_user *u = NULL;
	long long gid = -1, n;
	time_t expiry = 0;
	int r;

	if (in->name == NULL || in->kana == NULL ||
	    in->employee_number == NULL || in->department == NULL ||
	    in->type == NULL)
		return idmgr_fail(im, ZA_ERR_INTERNAL, NULL, "unchecked input");
	if (za_user_new(&u) != ZA_OK)
		goto nomem;
	p->u = u;
	if ((u->uid = strdup(in->uid)) == NULL ||
	    (u->cn = strdup(in->name)) == NULL ||
	    (u->display_name = strdup(in->name)) == NULL ||
	    (u->name_kana = strdup(in->kana)) == NULL ||
	    (u->employee_number = strdup(in->employee_number)) == NULL ||
	    (u->department = strdup(in->department)) == NULL)
		goto nomem;
	if (idmgr_split_name(in->name, &u->sn, &u->given_name) != ZA_OK)
		goto nomem;
	(void)za_employment_from_string(in->type, &u->employment);
	if (in->expiry != NULL)
		(void)za_time_parse_date_end_local(in->expiry, &expiry);
	if ((r = check_expiry_rule(im, u->employment, expiry != 0)) != ZA_OK)
		return r;
	u->expiry = expiry;
	u->status = ZA_ACCOUNT_ACTIVE;
	u->status_time = im->now;
	if ((in->mail != NULL && (u->mail = strdup(in->mail)) == NULL) ||
	    (in->project != NULL && (u->project = strdup(in->project)) ==
	    NULL) ||
	    (in->approval != NULL && (u->approval_ref = strdup(in->approval))
	    == NULL))
		goto nomem;
	if ((u->created_by = strdup(im->operator_dn != NULL ?
	    im->operator_dn : im->operator_user != NULL ?
	    im->operator_user : "idmgr")) == NULL)
		goto nomem;
	if (asprintf(&u->home_directory, "/home/%s", in->uid) < 0) {
		u->home_directory = NULL;
		goto nomem;
	}
	if ((u->login_shell = strdup(in->shell != NULL ? in->shell :
	    DEFAULT_SHELL)) == NULL)
		goto nomem;
	/* Directory checks: all reads, before anything is written. */
	if ((r = check_employee_number(im, in->employee_number,
	    in->uid)) != ZA_OK ||
	    (r = check_department(im, in->department, &gid)) != ZA_OK)
		return r;
	if (in->gid_number != NULL) {
		(void)idmgr_parse_long(im, "gid-number", in->gid_number,
		    POSIX_ID_MIN, POSIX_ID_MAX, &gid);
	} else if (gid < 0)
		return idmgr_usage(im, "gid-number", "department %s has no "
		    "posixGroup under %s: give --gid-number",
		    in->department, im->cfg->dir.groups_dn);
	u->gid_number = gid;
	if (in->uid_number != NULL) {
		struct max_id m;

		(void)idmgr_parse_long(im, "uid-number", in->uid_number,
		    POSIX_ID_MIN, POSIX_ID_MAX, &n);
		if ((r = scan_uid_numbers(im, n, &m)) != ZA_OK)
			return r;
		if (m.hits > 0)
			return idmgr_fail(im, ZA_ERR_EXISTS, "uid-number",
			    "%lld is already used", n);
		p->uid_number = n;
	} else {
		struct max_id m;

		if ((r = scan_uid_numbers(im, -1, &m)) != ZA_OK)
			return r;
		if (m.max + 1 > POSIX_ID_MAX)
			return idmgr_fail(im, ZA_ERR_RANGE, "uid-number",
			    "no uid number left");
		p->uid_number = m.max + 1;
		p->auto_uid = 1;
	}
	u->uid_number = p->uid_number;
	if ((r = za_escape_user_dn(in->uid, im->cfg->dir.users_dn,
	    &p->dn)) != ZA_OK)
		return idmgr_fail(im, r, "uid", "cannot build the DN: %s",
		    za_strerror(r));
	if ((u->dn = strdup(p->dn)) == NULL)
		goto nomem;
	return ZA_OK;
 nomem:
	return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
}

static int
add_result(struct idmgr *im, const struct za_user *u, int read_back,
    const char *pw)
{
	json_object *jo;

	if (!im->json) {
		printf("added %s (uid number %lld, gid number %lld)\n", u->dn,
		    (long long)u->uid_number, (long long)u->gid_number);
		printf("initial password: %s\n", pw);
		printf("Hand it to the user in person: it is shown only once "
		    "and must be changed at\nthe first login.\n");
		if (read_back && !u->pwd_reset)
			printf("WARNING: the directory did not mark it for "
			    "change (pwdReset); check the password policy.\n");
		fflush(stdout);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	json_object_object_add(jo, "user", idmgr_user_json(u, NULL, NULL, NULL,
	    0, im->now));
	json_object_object_add(jo, "initial_password",
	    json_object_new_string(pw));
	idmgr_set_result(im, jo, 1);
	return ZA_OK;
}

static int
cmd_user_add(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("user", "add");
	struct user_input in;
	struct add_plan p;
	struct za_user *added = NULL;
	struct idmgr_changes ch = { NULL, 0 };
	LDAPMod **mods = NULL;
	char pw[IDMGR_PASSWORD_LEN + 1], diag[512];
	int r, help = 0, rj, exists = 0;

	memset(&p, 0, sizeof(p));
	memset(pw, 0, sizeof(pw));
	if ((r = parse_user_input(im, cmd, argc, argv, 1, &in, &help)) !=
	    ZA_OK || help)
		goto out;
	if ((r = check_input(im, &in, 1)) != ZA_OK)
		goto out;
	if ((r = idmgr_probe_user(im, in.uid, &exists)) != ZA_OK)
		goto out;
	if (exists) {
		r = idmgr_fail(im, ZA_ERR_EXISTS, "uid", "%s already exists",
		    in.uid);
		goto out;
	}
	if ((r = build_user(im, &in, &p)) != ZA_OK)
		goto out;
	if (p.u == NULL || p.dn == NULL) {
		r = idmgr_fail(im, ZA_ERR_INTERNAL, NULL, "no entry planned");
		goto out;
	}
	if ((r = za_user_to_mods(p.u, &mods, &im->log)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "the new entry is not valid: %s",
		    za_strerror(r));
		goto out;
	}
	if ((r = idmgr_password_generate(pw, sizeof(pw))) != ZA_OK) {
		r = idmgr_fail(im, r, "password", "cannot generate: %s",
		    za_strerror(r));
		goto out;
	}
	if ((r = idmgr_changes_from_mods(&ch, mods)) != ZA_OK ||
	    (r = idmgr_changes_set1(&ch, ZA_AT_USER_PASSWORD, NULL,
	    ZA_AUDIT_REDACTED)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "out of memory");
		goto out;
	}
	/* First write. */
	if ((r = za_dir_add(im->dir, p.dn, mods)) != ZA_OK) {
		r = idmgr_fail(im, r, r == ZA_ERR_EXISTS ? "uid" : NULL,
		    "adding %s failed: %s%s", p.dn, za_strerror(r),
		    idmgr_ldap_diag(im, diag, sizeof(diag)));
		(void)idmgr_journal(im, "user.add", p.dn,
		    ZA_AUDIT_RESULT_ERROR, im->err_msg, NULL);
		goto out;
	}
	if ((r = idmgr_password_set(im, p.dn, pw)) != ZA_OK) {
		/* Undo: an ID nobody can log in to is of no use. */
		rj = za_dir_delete(im->dir, p.dn);
		(void)idmgr_journal(im, "user.add", p.dn,
		    ZA_AUDIT_RESULT_ERROR, rj == ZA_OK ?
		    "initial password refused; entry removed again" :
		    "initial password refused; removing the entry failed",
		    NULL);
		goto out;
	}
	/* From here on the ID exists: its password is always printed. */
	if (p.auto_uid) {
		r = settle_uid_number(im, p.dn, in.uid, &p.uid_number);
		p.u->uid_number = p.uid_number;
	}
	/* Read back what the directory holds (pwdReset, createTimestamp). */
	if (r == ZA_OK)
		r = idmgr_find_user(im, in.uid, &added, NULL);
	rj = add_result(im, added != NULL ? added : p.u, added != NULL, pw);
	if (r == ZA_OK)
		r = rj;
	rj = idmgr_journal(im, "user.add", p.dn, r == ZA_OK ?
	    ZA_AUDIT_RESULT_OK : ZA_AUDIT_RESULT_ERROR, r == ZA_OK ? NULL :
	    im->err_msg, &ch);
	if (r == ZA_OK)
		r = rj;
 out:
	za_wipe(pw, sizeof(pw));
	za_ldap_mods_free(&mods);
	idmgr_changes_clear(&ch);
	za_user_free(&added);
	za_user_free(&p.u);
	free(p.dn);
	return r;
}

/* ---------------------------------------------------------------- modify */

/* One single-valued attribute: from its current value to v (NULL: none). */
static int
set1(struct idmgr_changes *c, const struct idmgr_entry *e, const char *attr,
    const char *v)
{
	const char *after[2] = { v, NULL };

	return idmgr_changes_set(c, attr, idmgr_entry_values(e, attr), after);
}

static int
plan_modify(struct idmgr *im, const struct user_input *in,
    const struct za_user *u, const struct idmgr_entry *e,
    struct idmgr_changes *c)
{
	enum za_employment emp = u->employment;
	char *sn = NULL, *given = NULL, gt[ZA_TIME_GENTIME_BUFSZ], gbuf[24];
	time_t expiry = u->expiry;
	long long gid = -1;
	int r = ZA_OK;

	if (in->type != NULL)
		(void)za_employment_from_string(in->type, &emp);
	if (in->expiry != NULL) {
		expiry = 0;
		if (!is_none(in->expiry))
			(void)za_time_parse_date_end_local(in->expiry, &expiry);
	}
	if ((r = check_expiry_rule(im, emp, expiry != 0)) != ZA_OK)
		goto out;
	if (in->employee_number != NULL && (r = check_employee_number(im,
	    in->employee_number, in->uid)) != ZA_OK)
		goto out;
	if (in->department != NULL &&
	    (r = check_department(im, in->department, &gid)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if (in->name != NULL) {
		if (idmgr_split_name(in->name, &sn, &given) != ZA_OK ||
		    set1(c, e, ZA_AT_CN, in->name) != ZA_OK ||
		    set1(c, e, ZA_AT_DISPLAY_NAME, in->name) != ZA_OK ||
		    set1(c, e, ZA_AT_SN, sn) != ZA_OK ||
		    set1(c, e, ZA_AT_GIVEN_NAME, given) != ZA_OK)
			goto out;
	}
	if ((in->kana != NULL &&
	    set1(c, e, ZA_AT_NAME_KANA, in->kana) != ZA_OK) ||
	    (in->employee_number != NULL && set1(c, e, ZA_AT_EMPLOYEE_NUMBER,
	    in->employee_number) != ZA_OK) ||
	    (in->department != NULL && set1(c, e, ZA_AT_DEPARTMENT,
	    in->department) != ZA_OK))
		goto out;
	if (in->department != NULL && gid >= 0 && u->uid_number >= 0) {
		snprintf(gbuf, sizeof(gbuf), "%lld", gid);
		if (set1(c, e, ZA_AT_GID_NUMBER, gbuf) != ZA_OK)
			goto out;
	}
	if (in->type != NULL) {
		const char *name = NULL;

		if (za_employment_to_string(emp, &name) != ZA_OK ||
		    set1(c, e, ZA_AT_EMPLOYMENT_TYPE, name) != ZA_OK)
			goto out;
	}
	if (in->expiry != NULL) {
		if (expiry != 0 && za_time_format_gentime(expiry, gt,
		    sizeof(gt)) != ZA_OK) {
			r = idmgr_usage(im, "expiry", "out of range");
			goto out;
		}
		if (set1(c, e, ZA_AT_EXPIRY, expiry != 0 ? gt : NULL) != ZA_OK)
			goto out;
	}
	if ((in->mail != NULL && set1(c, e, ZA_AT_MAIL,
	    is_none(in->mail) ? NULL : in->mail) != ZA_OK) ||
	    (in->project != NULL && set1(c, e, ZA_AT_PROJECT,
	    is_none(in->project) ? NULL : in->project) != ZA_OK) ||
	    (in->approval != NULL && set1(c, e, ZA_AT_APPROVAL_REF,
	    is_none(in->approval) ? NULL : in->approval) != ZA_OK) ||
	    (in->shell != NULL && set1(c, e, ZA_AT_SHELL, in->shell) != ZA_OK))
		goto out;
	r = ZA_OK;
 out:
	if (r == ZA_ERR_NOMEM)
		r = idmgr_fail(im, r, NULL, "out of memory");
	free(sn);
	free(given);
	return r;
}

int
idmgr_user_change_result(struct idmgr *im, const char *uid, const char *dn,
    const char *action, const char *what, const struct idmgr_changes *c)
{
	json_object *jo;

	if (!im->json) {
		printf("%s: %s\n", uid, what);
		if (c != NULL)
			idmgr_changes_print(c, stdout);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	json_object_object_add(jo, "uid", json_object_new_string(uid));
	json_object_object_add(jo, "dn", idmgr_json_str(dn));
	json_object_object_add(jo, "action", json_object_new_string(action));
	json_object_object_add(jo, "result", json_object_new_string(what));
	json_object_object_add(jo, "changes", idmgr_changes_json(c));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

int
idmgr_apply_changes(struct idmgr *im, const char *action, const char *dn,
    const struct idmgr_changes *c, const char *reason)
{
	LDAPMod **mods = NULL;
	char diag[512];
	int r;

	if ((r = idmgr_changes_to_mods(c, &mods)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "cannot build the change: %s",
		    za_strerror(r));
		goto out;
	}
	if ((r = za_dir_modify(im->dir, dn, mods)) != ZA_OK) {
		if (r == ZA_ERR_CONFLICT)
			r = idmgr_fail(im, r, NULL, "%s was changed by someone "
			    "else meanwhile; nothing was changed, try again",
			    dn);
		else
			r = idmgr_fail(im, r, NULL, "changing %s failed: %s%s",
			    dn, za_strerror(r), idmgr_ldap_diag(im, diag,
			    sizeof(diag)));
		(void)idmgr_journal(im, action, dn, ZA_AUDIT_RESULT_ERROR,
		    im->err_msg, c);
		goto out;
	}
	r = idmgr_journal(im, action, dn, ZA_AUDIT_RESULT_OK, reason, c);
 out:
	idmgr_mods_free(&mods);
	return r;
}

int
idmgr_user_apply(struct idmgr *im, const char *action, const char *uid,
    const char *dn, const struct idmgr_changes *c, const char *reason,
    const char *what)
{
	int r, rr;

	r = idmgr_apply_changes(im, action, dn, c, reason);
	/* Applied but not journalled is still applied: say so. */
	if (r == ZA_OK || (im->err_field != NULL &&
	    strcmp(im->err_field, "audit") == 0)) {
		rr = idmgr_user_change_result(im, uid, dn, action, what, c);
		if (r == ZA_OK)
			r = rr;
	}
	return r;
}

static int
cmd_user_modify(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("user", "modify");
	struct user_input in;
	struct za_user *u = NULL;
	struct idmgr_entry *e = NULL;
	struct idmgr_changes ch = { NULL, 0 };
	int r, help = 0;

	if ((r = parse_user_input(im, cmd, argc, argv, 0, &in, &help)) !=
	    ZA_OK || help)
		goto out;
	if ((r = check_input(im, &in, 0)) != ZA_OK)
		goto out;
	if (in.employee_number == NULL && in.name == NULL && in.kana == NULL &&
	    in.department == NULL && in.type == NULL && in.expiry == NULL &&
	    in.mail == NULL && in.project == NULL && in.approval == NULL &&
	    in.shell == NULL) {
		r = idmgr_usage(im, NULL, "nothing to change (see \"idmgr help "
		    "user modify\")");
		goto out;
	}
	if ((r = idmgr_find_user(im, in.uid, &u, &e)) != ZA_OK ||
	    (r = plan_modify(im, &in, u, e, &ch)) != ZA_OK)
		goto out;
	if (ch.n == 0) {
		r = idmgr_user_change_result(im, u->uid, u->dn, "user.modify",
		    "unchanged (the values are already set)", &ch);
		goto out;
	}
	r = idmgr_user_apply(im, "user.modify", u->uid, u->dn, &ch, NULL,
	    "modified");
 out:
	idmgr_changes_clear(&ch);
	idmgr_entry_free(&e);
	za_user_free(&u);
	return r;
}
