/*
 * Attribute change sets: one list of (attribute, values before, values
 * after) becomes the LDAP modify, the audit record's before/after and the
 * printed summary, so what is written and what is recorded agree.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_err.h"

#include "idmgr.h"

static size_t
strv_len(const char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static char **
strv_dup(const char *const *v)
{
	size_t n = strv_len(v), i;
	char **out;

	if (n == 0)
		return NULL;
	if ((out = calloc(n + 1, sizeof(*out))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((out[i] = strdup(v[i])) == NULL) {
			idmgr_strv_free(&out);
			return NULL;
		}
	}
	return out;
}

/* Same values regardless of order (multi-valued attributes are sets). */
static int
strv_same(const char *const *a, const char *const *b)
{
	size_t na = strv_len(a), nb = strv_len(b), i, j;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int
changes_add(struct idmgr_changes *c, const char *attr,
    const char *const *before, const char *const *after, int display_only)
{
	struct idmgr_change *nv, *ch;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].attr, attr) == 0)
			return ZA_ERR_EXISTS;
	if ((nv = reallocarray(c->v, c->n + 1, sizeof(*nv))) == NULL)
		return ZA_ERR_NOMEM;
	c->v = nv;
	ch = &c->v[c->n];
	memset(ch, 0, sizeof(*ch));
	ch->display_only = display_only;
	if ((ch->attr = strdup(attr)) == NULL ||
	    (strv_len(before) > 0 && (ch->before = strv_dup(before)) == NULL) ||
	    (strv_len(after) > 0 && (ch->after = strv_dup(after)) == NULL)) {
		free(ch->attr);
		idmgr_strv_free(&ch->before);
		idmgr_strv_free(&ch->after);
		return ZA_ERR_NOMEM;
	}
	c->n++;
	return ZA_OK;
}

int
idmgr_changes_set(struct idmgr_changes *c, const char *attr,
    const char *const *before, const char *const *after)
{
	if (strv_same(before, after))
		return ZA_OK;
	return changes_add(c, attr, before, after, 0);
}

int
idmgr_changes_set1(struct idmgr_changes *c, const char *attr,
    const char *before, const char *after)
{
	const char *b[2] = { before, NULL }, *a[2] = { after, NULL };

	return idmgr_changes_set(c, attr, b, a);
}

int
idmgr_changes_from_entry(struct idmgr_changes *c, const struct idmgr_entry *e,
    int removed)
{
	const struct idmgr_attr *a;
	union {
		char **m;
		const char *const *c;
	} u;
	size_t i;
	int r;

	for (i = 0; i < e->n; i++) {
		a = &e->attrs[i];
		u.m = a->vals;
		if ((r = changes_add(c, a->name, removed ? u.c : NULL,
		    removed ? NULL : u.c, a->display_only)) != ZA_OK)
			return r;
	}
	return ZA_OK;
}

int
idmgr_changes_from_mods(struct idmgr_changes *c, LDAPMod **mods)
{
	const char *redacted[2] = { ZA_AUDIT_REDACTED, NULL };
	struct berval **bv;
	char **vals = NULL;
	size_t i, j, n;
	int r = ZA_OK, secret;

	for (i = 0; mods != NULL && mods[i] != NULL && r == ZA_OK; i++) {
		secret = za_audit_attr_is_secret(mods[i]->mod_type);
		if (secret) {
			r = changes_add(c, mods[i]->mod_type, NULL, redacted, 1);
			continue;
		}
		bv = mods[i]->mod_bvalues;
		for (n = 0; bv != NULL && bv[n] != NULL; n++)
			;
		if ((vals = calloc(n + 1, sizeof(*vals))) == NULL)
			return ZA_ERR_NOMEM;
		for (j = 0; j < n; j++) {
			if ((vals[j] = strndup(bv[j]->bv_val,
			    bv[j]->bv_len)) == NULL) {
				r = ZA_ERR_NOMEM;
				break;
			}
		}
		if (r == ZA_OK) {
			union {
				char **m;
				const char *const *c;
			} u;

			u.m = vals;
			r = changes_add(c, mods[i]->mod_type, NULL, u.c, 0);
		}
		idmgr_strv_free(&vals);
	}
	return r;
}

const struct idmgr_change *
idmgr_changes_get(const struct idmgr_changes *c, const char *attr)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].attr, attr) == 0)
			return &c->v[i];
	return NULL;
}

static LDAPMod *
mod_new(int op, const char *attr, char **vals)
{
	LDAPMod *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->mod_op = op;
	if ((m->mod_type = strdup(attr)) == NULL ||
	    (m->mod_values = strv_dup((const char *const *)vals)) == NULL) {
		free(m->mod_type);
		free(m);
		return NULL;
	}
	return m;
}

int
idmgr_changes_to_mods(const struct idmgr_changes *c, LDAPMod ***out)
{
	LDAPMod **mods;
	size_t i, n = 0;

	*out = NULL;
	if ((mods = calloc(2 * c->n + 1, sizeof(*mods))) == NULL)
		return ZA_ERR_NOMEM;
	for (i = 0; i < c->n; i++) {
		if (c->v[i].display_only) {
			idmgr_mods_free(&mods);
			return ZA_ERR_INTERNAL;
		}
		if (c->v[i].before != NULL && (mods[n++] = mod_new(
		    LDAP_MOD_DELETE, c->v[i].attr, c->v[i].before)) == NULL)
			goto nomem;
		if (c->v[i].after != NULL && (mods[n++] = mod_new(
		    LDAP_MOD_ADD, c->v[i].attr, c->v[i].after)) == NULL)
			goto nomem;
	}
	*out = mods;
	return ZA_OK;
 nomem:
	idmgr_mods_free(&mods);
	return ZA_ERR_NOMEM;
}

void
idmgr_mods_free(LDAPMod ***mp)
{
	LDAPMod **m;
	size_t i;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	for (i = 0; m[i] != NULL; i++) {
		free(m[i]->mod_type);
		idmgr_strv_free(&m[i]->mod_values);
		free(m[i]);
	}
	free(m);
	*mp = NULL;
}

int
idmgr_changes_to_record(const struct idmgr_changes *c,
    struct za_audit_record *rec)
{
	union {
		char **m;
		const char *const *c;
	} b, a;
	size_t i;
	int r;

	for (i = 0; c != NULL && i < c->n; i++) {
		b.m = c->v[i].before;
		a.m = c->v[i].after;
		if ((r = za_audit_record_add_change(rec, c->v[i].attr, b.c,
		    a.c)) != ZA_OK)
			return r;
	}
	return ZA_OK;
}

static json_object *
strv_json(char **v)
{
	json_object *arr;
	size_t i;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; v != NULL && v[i] != NULL; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

json_object *
idmgr_changes_json(const struct idmgr_changes *c)
{
	json_object *jo, *one;
	size_t i;

	if ((jo = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; c != NULL && i < c->n; i++) {
		if ((one = json_object_new_object()) == NULL)
			break;
		json_object_object_add(one, "before", strv_json(c->v[i].before));
		json_object_object_add(one, "after", strv_json(c->v[i].after));
		json_object_object_add(jo, c->v[i].attr, one);
	}
	return jo;
}

static void
print_vals(char **v, FILE *f)
{
	size_t i;

	if (v == NULL) {
		fputs("(none)", f);
		return;
	}
	for (i = 0; v[i] != NULL; i++)
		fprintf(f, "%s%s", i > 0 ? ", " : "", v[i]);
}

void
idmgr_changes_print(const struct idmgr_changes *c, FILE *f)
{
	size_t i, w = 0, aw;

	for (i = 0; i < c->n; i++)
		if ((aw = strlen(c->v[i].attr)) > w)
			w = aw;
	for (i = 0; i < c->n; i++) {
		fputs("  ", f);
		idmgr_print_padded(f, c->v[i].attr, w);
		fputs("  ", f);
		print_vals(c->v[i].before, f);
		fputs(" -> ", f);
		print_vals(c->v[i].after, f);
		fputc('\n', f);
	}
}

void
idmgr_changes_clear(struct idmgr_changes *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].attr);
		idmgr_strv_free(&c->v[i].before);
		idmgr_strv_free(&c->v[i].after);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
