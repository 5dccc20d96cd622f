/*
 * Central failure records and lockout (see za_lockout.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_codec.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

static const char *const za_lockout_attr_list[] = {
	ZA_AT_AUTH_FAILURE, ZA_AT_LOCKED_UNTIL, ZA_AT_LAST_MFA_TIME,
	ZA_AT_PWD_LOCKED_TIME, NULL,
};

/* One parsed value and its stored text, for sorting them together. */
struct za_lk_pair {
	struct za_auth_failure f;
	char *raw;
};

void
za_lockout_policy_from_config(const struct za_config *cfg,
    struct za_lockout_policy *p)
{
	p->deny = cfg->lockout_deny > 0 ? (unsigned int)cfg->lockout_deny : 1;
	p->window = (time_t)(cfg->lockout_window_ms / 1000);
	p->unlock_after = (time_t)(cfg->lockout_unlock_ms / 1000);
	/* A sub-second unlock_time still means "unlock by itself". */
	if (p->unlock_after == 0 && cfg->lockout_unlock_ms > 0)
		p->unlock_after = 1;
	p->ppolicy = cfg->lockout_ppolicy;
}

const char *const *
za_lockout_attrs(void)
{
	return za_lockout_attr_list;
}

void
za_lockout_record_clear(struct za_lockout_record *rec)
{
	size_t i;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->n; i++) {
		if (rec->f != NULL)
			za_auth_failure_clear(&rec->f[i]);
		if (rec->raw != NULL)
			free(rec->raw[i]);
	}
	free(rec->f);
	free(rec->raw);
	memset(rec, 0, sizeof(*rec));
}

static int
za_lk_pair_cmp(const void *a, const void *b)
{
	const struct za_lk_pair *x = a, *y = b;

	if (x->f.when != y->f.when)
		return x->f.when < y->f.when ? -1 : 1;
	return strcmp(x->f.nonce, y->f.nonce);
}

int
za_lockout_from_values(struct berval **vals, time_t locked_until,
    time_t last_login, int pwd_locked, const struct za_log *lg,
    struct za_lockout_record *rec)
{
	struct za_lk_pair *pairs = NULL;
	size_t nvals = 0, n = 0, i;
	int r;

	if (rec == NULL)
		return ZA_ERR_ARG;
	memset(rec, 0, sizeof(*rec));
	rec->locked_until = locked_until;
	rec->last_login = last_login;
	rec->pwd_locked = pwd_locked != 0;
	while (vals != NULL && vals[nvals] != NULL)
		nvals++;
	if (nvals > ZA_LOCKOUT_READ_MAX) {
		za_error(lg, "%s: more than %d values", ZA_AT_AUTH_FAILURE,
		    ZA_LOCKOUT_READ_MAX);
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	if (nvals == 0) {
		r = ZA_OK;
		goto out;
	}
	if ((pairs = calloc(nvals, sizeof(*pairs))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nvals; i++) {
		if (vals[i]->bv_val == NULL || za_auth_failure_parse(
		    vals[i]->bv_val, vals[i]->bv_len, &pairs[n].f) != ZA_OK) {
			rec->malformed++;
			continue;
		}
		if ((pairs[n].raw = strndup(vals[i]->bv_val,
		    vals[i]->bv_len)) == NULL) {
			za_auth_failure_clear(&pairs[n].f);
			r = ZA_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	if (rec->malformed > 0)
		za_warn(lg, "%zu malformed %s value(s) ignored", rec->malformed,
		    ZA_AT_AUTH_FAILURE);
	qsort(pairs, n, sizeof(*pairs), za_lk_pair_cmp);
	if (n > 0) {
		if ((rec->f = calloc(n, sizeof(*rec->f))) == NULL ||
		    (rec->raw = calloc(n, sizeof(*rec->raw))) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			rec->f[i] = pairs[i].f;
			rec->raw[i] = pairs[i].raw;
		}
		rec->n = n;
		n = 0;
	}
	r = ZA_OK;
out:
	for (i = 0; i < n; i++) {
		za_auth_failure_clear(&pairs[i].f);
		free(pairs[i].raw);
	}
	free(pairs);
	if (r != ZA_OK)
		za_lockout_record_clear(rec);
	return r;
}

/* The GeneralizedTime value of attr in e, 0 when absent. */
static int
za_lk_time(LDAP *ld, LDAPMessage *e, const char *attr,
    const struct za_log *lg, time_t *out)
{
	struct berval **v;
	int r = ZA_OK;

	*out = 0;
	if ((v = ldap_get_values_len(ld, e, attr)) == NULL)
		return ZA_OK;
	if (v[0] == NULL || v[0]->bv_val == NULL ||
	    za_time_parse_gentime(v[0]->bv_val, v[0]->bv_len, out) != ZA_OK) {
		za_error(lg, "attribute %s: not a GeneralizedTime", attr);
		r = ZA_ERR_PARSE;
	}
	ldap_value_free_len(v);
	return r;
}

int
za_lockout_from_entry(LDAP *ld, LDAPMessage *e, const struct za_log *lg,
    struct za_lockout_record *rec)
{
	struct berval **fail = NULL, **pl = NULL;
	time_t until = 0, last = 0;
	int r;

	if (ld == NULL || e == NULL || rec == NULL)
		return ZA_ERR_ARG;
	memset(rec, 0, sizeof(*rec));
	if ((r = za_lk_time(ld, e, ZA_AT_LOCKED_UNTIL, lg, &until)) != ZA_OK ||
	    (r = za_lk_time(ld, e, ZA_AT_LAST_MFA_TIME, lg, &last)) != ZA_OK)
		goto out;
	fail = ldap_get_values_len(ld, e, ZA_AT_AUTH_FAILURE);
	pl = ldap_get_values_len(ld, e, ZA_AT_PWD_LOCKED_TIME);
	r = za_lockout_from_values(fail, until, last, pl != NULL && pl[0] !=
	    NULL, lg, rec);
out:
	ldap_value_free_len(fail);
	ldap_value_free_len(pl);
	return r;
}

int
za_lockout_evaluate(const struct za_lockout_policy *p,
    const struct za_lockout_record *rec, time_t now,
    struct za_lockout_status *st)
{
	time_t floor = 0;
	size_t i;

	if (p == NULL || rec == NULL || st == NULL)
		return ZA_ERR_ARG;
	memset(st, 0, sizeof(*st));
	if (now > p->window)
		floor = now - p->window;
	/* Failures that caused an expired lock do not lock again. */
	if (rec->locked_until != 0 && rec->locked_until <= now &&
	    rec->locked_until > floor)
		floor = rec->locked_until;
	/*
	 * A success deletes the records it saw, so one left with the time
	 * (to the second) of the last login came after it: ">=".
	 */
	for (i = 0; i < rec->n; i++) {
		if (rec->f[i].when > floor &&
		    rec->f[i].when >= rec->last_login)
			st->counted++;
		if (rec->f[i].when >= rec->last_login)
			st->since_login++;
		if (rec->f[i].when > st->newest)
			st->newest = rec->f[i].when;
	}
	if (rec->locked_until > now) {
		st->locked = 1;
		st->locked_until = rec->locked_until;
	} else if (st->counted >= p->deny)
		st->locked = 1;
	return ZA_OK;
}

/* ---------------------------------------------------------------- reads */

struct za_lk_read {
	const struct za_log *lg;
	struct za_lockout_record *rec;
	int found;
	int extra;		/* pwdFailureTime present (unlock) */
	size_t nraw;		/* zaAuthFailure values, malformed too */
};

static int
za_lk_read_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct za_lk_read *a = arg;
	struct berval **v;
	int r;

	if (a->found)
		return ZA_OK;
	a->found = 1;
	if ((r = za_lockout_from_entry(ld, e, a->lg, a->rec)) != ZA_OK)
		return r;
	if ((v = ldap_get_values_len(ld, e, ZA_AT_PWD_FAILURE_TIME)) != NULL) {
		a->extra = v[0] != NULL;
		ldap_value_free_len(v);
	}
	if ((v = ldap_get_values_len(ld, e, ZA_AT_AUTH_FAILURE)) != NULL) {
		a->nraw = (size_t)ldap_count_values_len(v);
		ldap_value_free_len(v);
	}
	return ZA_OK;
}

static int
za_lk_search(struct za_dir *dir, const char *dn, const char *const *attrs,
    struct za_lk_read *a)
{
	int r;

	r = za_dir_lookup(dir, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 1,
	    za_lk_read_cb, a);
	if (r == ZA_OK && !a->found)
		r = ZA_ERR_NOT_FOUND;
	return r;
}

int
za_lockout_read(struct za_dir *dir, const char *dn, const struct za_log *lg,
    struct za_lockout_record *rec)
{
	struct za_lk_read a;
	int r;

	if (dir == NULL || dn == NULL || rec == NULL)
		return ZA_ERR_ARG;
	za_lockout_record_clear(rec);
	memset(&a, 0, sizeof(a));
	a.lg = lg;
	a.rec = rec;
	if ((r = za_lk_search(dir, dn, za_lockout_attr_list, &a)) != ZA_OK)
		za_lockout_record_clear(rec);
	return r;
}

/* ---------------------------------------------------------------- writes */

/* Delete the values vals[0..n) of attr from dn in one modify. */
static int
za_lk_delete_values(struct za_dir *dir, const char *dn, const char *attr,
    char *const *vals, size_t n)
{
	LDAPMod del, *mods[2] = { NULL, NULL };
	char **v = NULL;
	size_t i;
	int r;

	if (n == 0)
		return ZA_OK;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return ZA_ERR_NOMEM;
	for (i = 0; i < n; i++)
		v[i] = vals[i];
	memset(&del, 0, sizeof(del));
	del.mod_op = LDAP_MOD_DELETE;
	del.mod_type = za_dir_unconst(attr);
	del.mod_values = v;
	mods[0] = &del;
	r = za_dir_modify(dir, dn, mods);
	free(v);
	return r;
}

/* Write the lock: zaLockedUntil and, with ppolicy, pwdAccountLockedTime. */
static int
za_lk_lock(struct za_dir *dir, const char *dn,
    const struct za_lockout_policy *p, time_t now, const struct za_log *lg)
{
	char until[ZA_TIME_GENTIME_BUFSZ], pwd[ZA_TIME_GENTIME_BUFSZ];
	char *v1[2] = { NULL, NULL }, *v2[2] = { NULL, NULL };
	LDAPMod m1, m2, *mods[3] = { NULL, NULL, NULL };
	time_t end = ZA_LOCKOUT_ADMIN_TIME;
	int r;

	if (p->unlock_after > 0 &&
	    (za_time_add(now, (int64_t)p->unlock_after, &end) != ZA_OK ||
	    end > ZA_LOCKOUT_ADMIN_TIME))
		end = ZA_LOCKOUT_ADMIN_TIME;
	if ((r = za_time_format_gentime(end, until, sizeof(until))) != ZA_OK)
		return r;
	if (p->unlock_after == 0)
		snprintf(pwd, sizeof(pwd), "%s", ZA_LOCKOUT_PPOLICY_PERMANENT);
	else if ((r = za_time_format_gentime(now, pwd, sizeof(pwd))) != ZA_OK)
		return r;
	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	v1[0] = until;
	m1.mod_op = LDAP_MOD_REPLACE;
	m1.mod_type = za_dir_unconst(ZA_AT_LOCKED_UNTIL);
	m1.mod_values = v1;
	mods[0] = &m1;
	if (p->ppolicy) {
		v2[0] = pwd;
		m2.mod_op = LDAP_MOD_REPLACE;
		m2.mod_type = za_dir_unconst(ZA_AT_PWD_LOCKED_TIME);
		m2.mod_values = v2;
		mods[1] = &m2;
	}
	if ((r = za_dir_modify(dir, dn, mods)) != ZA_OK)
		za_error_r(lg, r, "%s: writing the lock", dn);
	return r;
}

int
za_lockout_fail(struct za_dir *dir, const char *dn,
    const struct za_lockout_policy *p, const char *terminal, time_t now,
    const struct za_log *lg, struct za_lockout_status *st, int *just_locked)
{
	struct za_lockout_record rec;
	struct za_lockout_status s;
	struct za_auth_failure f;
	unsigned char nonce[ZA_FAILURE_NONCE_LEN / 2];
	char *value = NULL;
	int r, pr;

	memset(&rec, 0, sizeof(rec));
	memset(&s, 0, sizeof(s));
	if (just_locked != NULL)
		*just_locked = 0;
	if (dir == NULL || dn == NULL || p == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	memset(&f, 0, sizeof(f));
	if ((r = za_random(nonce, sizeof(nonce))) != ZA_OK)
		goto out;
	za_hex_encode(nonce, sizeof(nonce), f.nonce);
	f.when = now;
	f.terminal = za_dir_unconst(terminal);
	if ((r = za_auth_failure_format(&f, &value)) != ZA_OK)
		goto out;
	if ((r = za_dir_add_value(dir, dn, ZA_AT_AUTH_FAILURE, value)) !=
	    ZA_OK) {
		za_error_r(lg, r, "%s: recording a failed login", dn);
		goto out;
	}
	if ((r = za_lockout_read(dir, dn, lg, &rec)) != ZA_OK)
		goto out;
	if ((r = za_lockout_evaluate(p, &rec, now, &s)) != ZA_OK)
		goto out;
	if (s.locked && s.locked_until == 0) {
		if ((r = za_lk_lock(dir, dn, p, now, lg)) != ZA_OK)
			goto out;
		if (just_locked != NULL)
			*just_locked = 1;
		s.locked_until = ZA_LOCKOUT_ADMIN_TIME;
		if (p->unlock_after > 0 && (za_time_add(now,
		    (int64_t)p->unlock_after, &s.locked_until) != ZA_OK ||
		    s.locked_until > ZA_LOCKOUT_ADMIN_TIME))
			s.locked_until = ZA_LOCKOUT_ADMIN_TIME;
	}
	/* Keep the newest records; a concurrent prune makes this one moot. */
	if (rec.n > ZA_LOCKOUT_KEEP) {
		pr = za_lk_delete_values(dir, dn, ZA_AT_AUTH_FAILURE, rec.raw,
		    rec.n - ZA_LOCKOUT_KEEP);
		if (pr != ZA_OK && pr != ZA_ERR_CONFLICT)
			za_warn_r(lg, pr, "%s: pruning old failure records", dn);
	}
	r = ZA_OK;
out:
	if (st != NULL)
		*st = s;
	free(value);
	za_lockout_record_clear(&rec);
	return r;
}

/* Delete the failures of rec and, when expired, the attribute zaLockedUntil. */
static int
za_lk_reset_once(struct za_dir *dir, const char *dn,
    const struct za_lockout_record *rec, time_t now)
{
	LDAPMod del, lock, *mods[3] = { NULL, NULL, NULL };
	char **v = NULL;
	size_t i, k = 0;
	int r;

	memset(&del, 0, sizeof(del));
	memset(&lock, 0, sizeof(lock));
	if (rec->n > 0) {
		if ((v = calloc(rec->n + 1, sizeof(*v))) == NULL)
			return ZA_ERR_NOMEM;
		for (i = 0; i < rec->n; i++)
			v[i] = rec->raw[i];
		del.mod_op = LDAP_MOD_DELETE;
		del.mod_type = za_dir_unconst(ZA_AT_AUTH_FAILURE);
		del.mod_values = v;
		mods[k++] = &del;
	}
	if (rec->locked_until != 0 && rec->locked_until <= now) {
		lock.mod_op = LDAP_MOD_DELETE;
		lock.mod_type = za_dir_unconst(ZA_AT_LOCKED_UNTIL);
		lock.mod_values = NULL;
		mods[k++] = &lock;
	}
	r = k == 0 ? ZA_OK : za_dir_modify(dir, dn, mods);
	free(v);
	return r;
}

int
za_lockout_reset(struct za_dir *dir, const char *dn,
    const struct za_lockout_record *rec, time_t now, const struct za_log *lg)
{
	struct za_lockout_record cur, keep;
	size_t i, j;
	int r;

	memset(&cur, 0, sizeof(cur));
	memset(&keep, 0, sizeof(keep));
	if (dir == NULL || dn == NULL || rec == NULL)
		return ZA_ERR_ARG;
	if ((r = za_lk_reset_once(dir, dn, rec, now)) != ZA_ERR_CONFLICT)
		goto out;
	/* Another terminal deleted some of them: retry with what is left. */
	if ((r = za_lockout_read(dir, dn, lg, &cur)) != ZA_OK)
		goto out;
	keep.locked_until = cur.locked_until;
	if (cur.n > 0 && ((keep.raw = calloc(cur.n, sizeof(*keep.raw))) ==
	    NULL)) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < cur.n; i++)
		for (j = 0; j < rec->n; j++)
			if (strcmp(cur.raw[i], rec->raw[j]) == 0) {
				keep.raw[keep.n++] = cur.raw[i];
				break;
			}
	r = za_lk_reset_once(dir, dn, &keep, now);
out:
	if (r != ZA_OK)
		za_warn_r(lg, r, "%s: clearing failure records after a "
		    "successful login", dn);
	free(keep.raw);
	za_lockout_record_clear(&cur);
	return r;
}

/*
 * pwdFailureTime is ppolicy's own count of failed binds.  It is
 * NO-USER-MODIFICATION: only the Relax Rules control lets an identity
 * with manage access delete it.  Without it the password policy still
 * counts the old failures until the next successful bind, so this is
 * tried, and a refusal only warned about.
 */
static void
za_lk_clear_ppolicy_failures(struct za_dir *dir, const char *dn,
    const struct za_log *lg)
{
	LDAPControl relax, *sctrls[2] = { NULL, NULL };
	LDAPMod del, *mods[2] = { NULL, NULL };
	int rc;

	memset(&relax, 0, sizeof(relax));
	relax.ldctl_oid = za_dir_unconst(LDAP_CONTROL_RELAX);
	relax.ldctl_iscritical = 1;
	sctrls[0] = &relax;
	memset(&del, 0, sizeof(del));
	del.mod_op = LDAP_MOD_DELETE;
	del.mod_type = za_dir_unconst(ZA_AT_PWD_FAILURE_TIME);
	mods[0] = &del;
	rc = ldap_modify_ext_s(za_dir_ld(dir), dn, mods, sctrls, NULL);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_ATTRIBUTE)
		za_warn(lg, "%s: %s not cleared (%s): the password policy "
		    "keeps counting those failures until the next successful "
		    "bind", dn, ZA_AT_PWD_FAILURE_TIME, ldap_err2string(rc));
}

int
za_lockout_unlock(struct za_dir *dir, const char *user_dn,
    const struct za_log *lg)
{
	static const char *const attrs[] = { ZA_AT_AUTH_FAILURE,
	    ZA_AT_LOCKED_UNTIL, ZA_AT_LAST_MFA_TIME, ZA_AT_PWD_LOCKED_TIME,
	    ZA_AT_PWD_FAILURE_TIME, NULL };
	struct za_lockout_record rec;
	struct za_lk_read a;
	LDAPMod m[3], *mods[4] = { NULL, NULL, NULL, NULL };
	size_t k = 0;
	int r;

	memset(&rec, 0, sizeof(rec));
	memset(&a, 0, sizeof(a));
	memset(m, 0, sizeof(m));
	if (dir == NULL || user_dn == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	a.lg = lg;
	a.rec = &rec;
	if ((r = za_lk_search(dir, user_dn, attrs, &a)) != ZA_OK)
		goto out;
	if (a.nraw > 0) {
		m[k].mod_op = LDAP_MOD_DELETE;
		m[k].mod_type = za_dir_unconst(ZA_AT_AUTH_FAILURE);
		mods[k] = &m[k];
		k++;
	}
	if (rec.locked_until != 0) {
		m[k].mod_op = LDAP_MOD_DELETE;
		m[k].mod_type = za_dir_unconst(ZA_AT_LOCKED_UNTIL);
		mods[k] = &m[k];
		k++;
	}
	if (rec.pwd_locked) {
		m[k].mod_op = LDAP_MOD_DELETE;
		m[k].mod_type = za_dir_unconst(ZA_AT_PWD_LOCKED_TIME);
		mods[k] = &m[k];
		k++;
	}
	if (k > 0 && (r = za_dir_modify(dir, user_dn, mods)) != ZA_OK) {
		za_error_r(lg, r, "%s: unlocking", user_dn);
		goto out;
	}
	if (a.extra)
		za_lk_clear_ppolicy_failures(dir, user_dn, lg);
	if (k > 0 || a.extra)
		za_info(lg, "%s: unlocked (%zu failure record(s) cleared)",
		    user_dn, a.nraw);
	r = ZA_OK;
out:
	za_lockout_record_clear(&rec);
	return r;
}
