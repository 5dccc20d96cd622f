/*
 * idmgr token import-u2f FILE: move the users of pam_u2f to zoneauth
 * without enrolling their keys again.
 *
 * Plan, then apply.  The whole authfile is parsed (lib/u2f_import.c) and
 * every credential checked before anything is written: its user exists
 * and is not disabled, its credential id is in the directory nowhere yet.
 * Then the plan (each credential and the entry it becomes) is printed;
 * --dry-run stops there.  Errors name FILE:LINE.  Each entry written is
 * journalled; a refusal is journalled once per problem.
 *
 * pam_u2f keeps no attestation, so an imported credential has AAGUID
 * zero and proves nothing about the key's model.  When [fido2] asks for
 * attestation or an AAGUID allowlist the import is refused unless the
 * administrator says --accept-unattested.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_file.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_u2f_import.h"

#include "idmgr.h"

#define ACTION_IMPORT	"token.import-u2f"
#define KNOWN_MAX	((size_t)4 << 20)	/* credentials in the directory */
#define CAPTURE_MAX	512

struct import_args {
	const char *file;
	const char *origin;
	const char *appid;
	int dry_run;
	int accept_unattested;
};

/* One credential of the plan. */
struct item {
	struct za_fido2_cred *c;	/* owned by the list */
	size_t line;			/* of its user in FILE */
	size_t index;			/* 1-based within the line */
	char *user_dn;
	char *dn;			/* entry to add */
	int done;
};

/* Credential ids already in the directory, sorted. */
struct known {
	unsigned char *id;
	size_t len;
	char *dn;
};

struct known_set {
	struct known *v;
	size_t n;
};

static int
parse_import(struct idmgr *im, const struct idmgr_cmd *cmd, int argc,
    char **argv, struct import_args *a, int *help)
{
	enum { O_ORIGIN = 0x200, O_APPID, O_DRY, O_UNATTESTED };
	static const struct option opts[] = {
		{ "origin",		required_argument,	NULL, O_ORIGIN },
		{ "appid",		required_argument,	NULL, O_APPID },
		{ "dry-run",		no_argument,		NULL, 'n' },
		{ "accept-unattested",	no_argument,		NULL,
		    O_UNATTESTED },
		{ NULL,			0,			NULL, 0 }
	};
	static const char *const names[] = { "file" };
	const char *pos[1];
	int ch, r;

	memset(a, 0, sizeof(*a));
	*help = 0;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "n", opts)) != -1) {
		switch (ch) {
		case O_ORIGIN: a->origin = optarg; break;
		case O_APPID: a->appid = optarg; break;
		case 'n': a->dry_run = 1; break;
		case O_UNATTESTED: a->accept_unattested = 1; break;
		case IDMGR_OPT_HELP:
			*help = 1;
			return ZA_OK;
		default:
			return ZA_ERR_ARG;
		}
	}
	if ((r = idmgr_positional(im, argc, argv, 1, 1, names, pos)) != ZA_OK)
		return r;
	a->file = pos[0];
	if ((r = idmgr_check_text(im, "file", a->file, ZA_STRING_MAX)) !=
	    ZA_OK)
		return r;
	return ZA_OK;
}

/* Printable ASCII without spaces, 1..ZA_RP_ID_MAX bytes. */
static int
check_rp_id(struct idmgr *im, const char *field, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ZA_RP_ID_MAX || s[i] <= 0x20 || s[i] >= 0x7f)
			break;
	if (i == 0 || s[i] != '\0')
		return idmgr_usage(im, field, "must be 1 to %d printable ASCII "
		    "characters without spaces", ZA_RP_ID_MAX);
	return ZA_OK;
}

/* Does the allowlist name the all-zero AAGUID ("unknown model")? */
static int
zero_aaguid_allowed(const struct idmgr_fido2_conf *fc)
{
	static const unsigned char zero[ZA_AAGUID_LEN];
	size_t i;

	for (i = 0; i < fc->naaguids; i++)
		if (memcmp(fc->aaguids[i], zero, ZA_AAGUID_LEN) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- read */

static int
read_file(struct idmgr *im, const char *path, char **bufp, size_t *lenp)
{
	struct za_file_policy pol = { geteuid(), 0, ZA_U2F_FILE_MAX };
	char *buf = NULL;
	size_t len = 0;
	ssize_t got;
	int fd = -1, r;

	if ((r = za_file_open_checked(path, &pol, &im->log, &fd)) != ZA_OK) {
		r = idmgr_fail(im, r, "file", "%s: %s", path, r == ZA_ERR_IO ?
		    strerror(errno) : za_strerror(r));
		goto out;
	}
	/* One byte more than allowed tells a file that grew meanwhile. */
	if ((buf = malloc(ZA_U2F_FILE_MAX + 2)) == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (;;) {
		got = read(fd, buf + len, ZA_U2F_FILE_MAX + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = idmgr_fail(im, ZA_ERR_IO, "file", "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > ZA_U2F_FILE_MAX) {
			r = idmgr_fail(im, ZA_ERR_TOO_LARGE, "file", "%s: "
			    "larger than %zu bytes", path, ZA_U2F_FILE_MAX);
			goto out;
		}
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = ZA_OK;
 out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

/*
 * The parser's messages go through this sink: the first error is kept
 * to be reported as FILE:LINE, anything else goes on to idmgr's sink.
 */
struct capture {
	struct idmgr *im;
	char first[CAPTURE_MAX];
	int have;
};

static void
capture_emit(void *arg, int priority, const char *line)
{
	struct capture *cap = arg;

	if (priority <= LOG_ERR) {
		if (!cap->have)
			snprintf(cap->first, sizeof(cap->first), "%s", line);
		cap->have = 1;
		return;
	}
	idmgr_log_emit(cap->im, priority, line);
}

/* Report the parser's error as "FILE:LINE: what". */
static int
parse_error(struct idmgr *im, int r, const char *file,
    const struct capture *cap)
{
	static const char pfx[] = "pam_u2f import: line ";
	const char *p, *rest;
	char *end = NULL;
	unsigned long line;

	if (!cap->have)
		return idmgr_fail(im, r, "file", "%s: %s", file,
		    za_strerror(r));
	p = cap->first;
	if (strncmp(p, pfx, sizeof(pfx) - 1) == 0) {
		p += sizeof(pfx) - 1;
		errno = 0;
		line = strtoul(p, &end, 10);
		if (errno == 0 && end != p && (strncmp(end, ", ", 2) == 0 ||
		    strncmp(end, ": ", 2) == 0)) {
			rest = end + 2;
			return idmgr_fail(im, r, "file", "%s:%lu: %s", file,
			    line, rest);
		}
	}
	/* Not about one line ("NAME: what"): drop the function name. */
	if ((rest = strstr(cap->first, ": ")) != NULL)
		return idmgr_fail(im, r, "file", "%s: %s", file, rest + 2);
	return idmgr_fail(im, r, "file", "%s: %s", file, cap->first);
}

/* Number of the line starting with "uid:" (the parser allows one). */
static size_t
user_line(const char *buf, size_t len, const char *uid)
{
	size_t ulen = strlen(uid), line = 1, i = 0;

	while (i < len) {
		if (len - i > ulen && memcmp(buf + i, uid, ulen) == 0 &&
		    buf[i + ulen] == ':')
			return line;
		while (i < len && buf[i] != '\n')
			i++;
		i++;
		line++;
	}
	return 0;
}

/* ---------------------------------------------------------------- known */

static int
known_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct known_set *ks = arg;
	struct berval **vals;
	struct known *nv, *k;
	char *dn = NULL;
	int r = ZA_OK;

	if ((vals = ldap_get_values_len(ld, e, ZA_AT_FIDO2_CRED_ID)) == NULL)
		return ZA_OK;
	if (vals[0] == NULL || vals[0]->bv_len == 0)
		goto out;
	if (ks->n >= KNOWN_MAX) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	if ((nv = reallocarray(ks->v, ks->n + 1, sizeof(*nv))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	ks->v = nv;
	k = &ks->v[ks->n];
	dn = ldap_get_dn(ld, e);
	k->len = vals[0]->bv_len;
	k->id = malloc(k->len);
	k->dn = strdup(dn != NULL ? dn : "");
	if (k->id == NULL || k->dn == NULL) {
		free(k->id);
		free(k->dn);
		r = ZA_ERR_NOMEM;
		goto out;
	}
	memcpy(k->id, vals[0]->bv_val, k->len);
	ks->n++;
 out:
	ldap_memfree(dn);
	ldap_value_free_len(vals);
	return r;
}

static int
known_cmp(const void *a, const void *b)
{
	const struct known *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if ((c = memcmp(x->id, y->id, n)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void
known_clear(struct known_set *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		free(ks->v[i].id);
		free(ks->v[i].dn);
	}
	free(ks->v);
	ks->v = NULL;
	ks->n = 0;
}

/* Every FIDO2 credential id under the users' subtree. */
static int
known_load(struct idmgr *im, struct known_set *ks)
{
	static const char *const attrs[] = { ZA_AT_FIDO2_CRED_ID, NULL };
	int r;

	r = za_dir_search(im->dir, im->cfg->dir.users_dn, LDAP_SCOPE_SUBTREE,
	    "(objectClass=" ZA_OC_FIDO2 ")", attrs, known_cb, ks);
	if (r == ZA_ERR_NOT_FOUND)
		r = ZA_OK;
	if (r != ZA_OK) {
		known_clear(ks);
		return idmgr_fail(im, r, NULL, "cannot read the FIDO2 "
		    "credentials under %s: %s", im->cfg->dir.users_dn,
		    za_strerror(r));
	}
	if (ks->n > 1)
		qsort(ks->v, ks->n, sizeof(ks->v[0]), known_cmp);
	return ZA_OK;
}

static const struct known *
known_find(const struct known_set *ks, const struct za_fido2_cred *c)
{
	struct known key;

	key.id = c->cred_id;
	key.len = c->cred_id_len;
	key.dn = NULL;
	if (ks->n == 0)
		return NULL;
	return bsearch(&key, ks->v, ks->n, sizeof(ks->v[0]), known_cmp);
}

/* ---------------------------------------------------------------- check */

/*
 * Check every credential of the plan; every problem is reported (the
 * first decides the exit status) and refusals are journalled.
 */
static int
check_plan(struct idmgr *im, const struct import_args *a, const char *buf,
    size_t len, struct item *items, size_t n)
{
	struct known_set ks = { NULL, 0 };
	const struct known *k;
	struct za_user *u = NULL;
	const char *prev = NULL;
	char *eid = NULL;
	size_t i, j;
	int r, first = ZA_OK, exists, user_ok = 0;

	if ((r = known_load(im, &ks)) != ZA_OK)
		return r;
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		const char *uid = it->c->owner;

		if (prev != NULL && strcmp(prev, uid) == 0) {
			it->line = items[i - 1].line;
			it->index = items[i - 1].index + 1;
			if (items[i - 1].user_dn != NULL &&
			    (it->user_dn = strdup(items[i - 1].user_dn)) ==
			    NULL)
				goto nomem;
		} else {
			prev = uid;
			it->line = user_line(buf, len, uid);
			it->index = 1;
			user_ok = 0;
			if ((r = idmgr_probe_user(im, uid, &exists)) != ZA_OK)
				goto out;
			if (!exists) {
				r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "uid",
				    "%s:%zu: no user %s in the directory",
				    a->file, it->line, uid);
			} else if ((r = idmgr_find_user(im, uid, &u, NULL)) !=
			    ZA_OK) {
				goto out;
			} else if (u->status == ZA_ACCOUNT_DISABLED) {
				r = idmgr_refuse(im, ACTION_IMPORT, u->dn,
				    "uid", "%s:%zu: %s is disabled; enable it "
				    "before importing its keys", a->file,
				    it->line, uid);
			} else if ((it->user_dn = strdup(u->dn)) == NULL) {
				goto nomem;
			} else
				user_ok = 1;
			za_user_free(&u);
			if (first == ZA_OK)
				first = r;
		}
		if (!user_ok)
			continue;
		if ((k = known_find(&ks, it->c)) != NULL) {
			r = idmgr_refuse(im, ACTION_IMPORT, k->dn, "file",
			    "%s:%zu: credential %zu of %s is in the directory "
			    "already (%s)", a->file, it->line, it->index, uid,
			    k->dn);
			if (first == ZA_OK)
				first = r;
			continue;
		}
		free(eid);
		eid = NULL;
		if (za_escape_dn_value(it->c->id, &eid) != ZA_OK ||
		    asprintf(&it->dn, "%s=%s,%s", ZA_AT_TOKEN_ID, eid,
		    it->user_dn) < 0) {
			it->dn = NULL;
			goto nomem;
		}
		/* The parser refused an id twice in the file: entries differ. */
		for (j = 0; j < i; j++)
			if (items[j].dn != NULL &&
			    strcmp(items[j].dn, it->dn) == 0)
				break;
		if (j < i) {
			r = idmgr_fail(im, ZA_ERR_EXISTS, "file", "%s:%zu: "
			    "credential %zu of %s gives the same token id as "
			    "line %zu", a->file, it->line, it->index, uid,
			    items[j].line);
			if (first == ZA_OK)
				first = r;
		}
	}
	r = first;
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	free(eid);
	za_user_free(&u);
	known_clear(&ks);
	return r;
}

/* ---------------------------------------------------------------- apply */

static int
apply_item(struct idmgr *im, const struct import_args *a, struct item *it)
{
	struct idmgr_changes ch = { NULL, 0 };
	LDAPMod **mods = NULL;
	char reason[ZA_STRING_MAX + 64], diag[512];
	char *owner;
	int r;

	snprintf(reason, sizeof(reason), "imported from %s:%zu", a->file,
	    it->line);
	/* The directory knows the owner from the DN. */
	owner = it->c->owner;
	it->c->owner = NULL;
	it->c->created = im->now;
	r = za_fido2_cred_to_mods(it->c, &mods, &im->log);
	it->c->owner = owner;
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, "file", "%s:%zu: credential %zu is not "
		    "valid: %s", a->file, it->line, it->index, za_strerror(r));
		goto out;
	}
	if ((r = idmgr_fido2_changes_from_mods(&ch, mods)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "out of memory");
		goto out;
	}
	if ((r = za_dir_add(im->dir, it->dn, mods)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "adding %s failed: %s%s", it->dn,
		    za_strerror(r), idmgr_ldap_diag(im, diag, sizeof(diag)));
		(void)idmgr_journal(im, ACTION_IMPORT, it->dn,
		    ZA_AUDIT_RESULT_ERROR, im->err_msg, NULL);
		goto out;
	}
	it->done = 1;
	r = idmgr_journal(im, ACTION_IMPORT, it->dn, ZA_AUDIT_RESULT_OK,
	    reason, &ch);
 out:
	za_ldap_mods_free(&mods);
	idmgr_changes_clear(&ch);
	return r;
}

/* ---------------------------------------------------------------- output */

static size_t
count_users(const struct item *items, size_t n)
{
	size_t i, users = 0;

	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(items[i].c->owner,
		    items[i - 1].c->owner) != 0)
			users++;
	return users;
}

static void
print_plan(const struct import_args *a, const char *rp, const struct item *items,
    size_t n)
{
	static const char *const hdr[] = { "LINE", "USER", "TOKEN", "UV",
	    "ALG", "CREDENTIAL" };
	struct idmgr_table *t = NULL;
	char line[32], pre[IDMGR_CRED_PREFIX_BUF];
	const char *row[6], *uv;
	size_t i;

	printf("%s: %zu credential%s of %zu user%s for relying party %s\n",
	    a->file, n, n == 1 ? "" : "s", count_users(items, n),
	    count_users(items, n) == 1 ? "" : "s", rp);
	if (idmgr_table_new(&t, 6, hdr) != ZA_OK)
		return;
	for (i = 0; i < n; i++) {
		uv = NULL;
		(void)za_uv_kind_to_string(items[i].c->uv, &uv);
		snprintf(line, sizeof(line), "%zu", items[i].line);
		row[0] = line;
		row[1] = items[i].c->owner;
		row[2] = items[i].c->id;
		row[3] = uv;
		row[4] = idmgr_fido2_alg_name(items[i].c->alg);
		row[5] = idmgr_fido2_cred_prefix(items[i].c, pre, sizeof(pre));
		if (idmgr_table_add(t, row) != ZA_OK)
			break;
	}
	idmgr_table_print(t, stdout);
	idmgr_table_free(&t);
	fflush(stdout);
}

static int
result_json(struct idmgr *im, const struct import_args *a, const char *rp,
    const struct item *items, size_t n)
{
	json_object *jo, *arr, *o, *f;
	size_t i, done = 0;
	const char *uv;

	if ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if ((o = json_object_new_object()) == NULL)
			continue;
		uv = NULL;
		(void)za_uv_kind_to_string(items[i].c->uv, &uv);
		done += items[i].done ? 1 : 0;
		json_object_object_add(o, "line",
		    json_object_new_int64((int64_t)items[i].line));
		json_object_object_add(o, "uid",
		    json_object_new_string(items[i].c->owner));
		json_object_object_add(o, "id",
		    json_object_new_string(items[i].c->id));
		json_object_object_add(o, "dn", idmgr_json_str(items[i].dn));
		json_object_object_add(o, "imported",
		    json_object_new_boolean(items[i].done));
		if ((f = idmgr_fido2_cred_json(items[i].c)) != NULL)
			json_object_object_add(o, "fido2", f);
		json_object_array_add(arr, o);
	}
	json_object_object_add(jo, "file", json_object_new_string(a->file));
	json_object_object_add(jo, "rp_id", json_object_new_string(rp));
	json_object_object_add(jo, "dry_run",
	    json_object_new_boolean(a->dry_run));
	json_object_object_add(jo, "users",
	    json_object_new_int64((int64_t)count_users(items, n)));
	json_object_object_add(jo, "credentials", arr);
	json_object_object_add(jo, "imported",
	    json_object_new_int64((int64_t)done));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

/* ---------------------------------------------------------------- command */

int
idmgr_token_import_u2f(struct idmgr *im, int argc, char **argv)
{
	struct import_args a;
	struct idmgr_fido2_conf fc;
	struct za_u2f_import_opts opts;
	struct za_fido2_cred_list creds = { NULL, 0, 0 };
	struct capture cap;
	struct za_log lg;
	struct item *items = NULL;
	char *buf = NULL;
	size_t len = 0, i, done = 0;
	int r, help, rr;

	if ((r = parse_import(im, idmgr_cmd_find("token", "import-u2f"), argc,
	    argv, &a, &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_fido2_settings(im, &fc)) != ZA_OK)
		goto out;
	if (a.origin == NULL)
		a.origin = fc.rp_id;
	if ((r = check_rp_id(im, "origin", a.origin)) != ZA_OK ||
	    (a.appid != NULL && (r = check_rp_id(im, "appid", a.appid)) !=
	    ZA_OK))
		goto out;
	if (strcmp(a.origin, fc.rp_id) != 0)
		za_warn(&im->log, "origin %s is not the configured relying "
		    "party %s: pam_zoneauth will not offer these credentials",
		    a.origin, fc.rp_id);
	if ((r = read_file(im, a.file, &buf, &len)) != ZA_OK)
		goto out;
	memset(&cap, 0, sizeof(cap));
	cap.im = im;
	lg.emit = capture_emit;
	lg.arg = &cap;
	lg.debug = im->log.debug;
	opts.origin = a.origin;
	opts.appid = a.appid;
	if ((r = za_u2f_import_parse(buf, len, &opts, &creds, &lg)) != ZA_OK) {
		r = parse_error(im, r, a.file, &cap);
		goto out;
	}
	if (creds.n == 0) {
		r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "file", "%s: no "
		    "credentials to import", a.file);
		goto out;
	}
	if (fc.naaguids > 0 && !zero_aaguid_allowed(&fc)) {
		r = idmgr_refuse(im, ACTION_IMPORT, a.file, "file", "[fido2] "
		    "aaguids is set, and pam_u2f credentials carry no AAGUID: "
		    "pam_zoneauth would refuse every one of them");
		goto out;
	}
	if (fc.attestation_ca != NULL && !a.accept_unattested) {
		r = idmgr_refuse(im, ACTION_IMPORT, a.file, "file", "[fido2] "
		    "attestation_ca is set, and pam_u2f credentials carry no "
		    "attestation (--accept-unattested imports them anyway)");
		goto out;
	}
	if ((items = calloc(creds.n, sizeof(*items))) == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < creds.n; i++)
		items[i].c = creds.v[i];
	if ((r = idmgr_connect(im)) != ZA_OK ||
	    (r = check_plan(im, &a, buf, len, items, creds.n)) != ZA_OK)
		goto out;
	if (!im->json)
		print_plan(&a, a.origin, items, creds.n);
	if (a.dry_run) {
		if (im->json)
			r = result_json(im, &a, a.origin, items, creds.n);
		else
			printf("dry run: nothing written\n");
		goto out;
	}
	if (a.accept_unattested && fc.attestation_ca != NULL)
		za_warn(&im->log, "importing credentials without attestation "
		    "(--accept-unattested)");
	/* Stop at the first failure: a write or its audit record. */
	for (i = 0; i < creds.n && r == ZA_OK; i++) {
		r = apply_item(im, &a, &items[i]);
		done += items[i].done ? 1 : 0;
	}
	if (!im->json)
		printf("imported %zu of %zu credential%s\n", done, creds.n,
		    creds.n == 1 ? "" : "s");
	else if ((rr = result_json(im, &a, a.origin, items, creds.n)) !=
	    ZA_OK && r == ZA_OK)
		r = rr;
 out:
	if (items != NULL) {
		for (i = 0; i < creds.n; i++) {
			free(items[i].user_dn);
			free(items[i].dn);
		}
	}
	free(items);
	za_fido2_cred_list_clear(&creds);
	free(buf);
	return r;
}
