/*
 * The factor policy (see za_policy.h): classes and methods, parsing the
 * values of "[rule NAME]" keys, checking the rules of a configuration,
 * choosing the rule of a login and checking what the user proved.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "za_config.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_policy.h"

struct za_bit_name {
	const char *name;
	unsigned int bit;
};

static const struct za_bit_name za_class_names[] = {
	{ "knowledge", ZA_CLASS_KNOWLEDGE },
	{ "possession", ZA_CLASS_POSSESSION },
	{ "inherence", ZA_CLASS_INHERENCE },
	{ NULL, 0 },
};

static const struct za_bit_name za_method_names[] = {
	{ "password", ZA_METHOD_PASSWORD },
	{ "totp", ZA_METHOD_TOTP },
	{ "hotp", ZA_METHOD_HOTP },
	{ "fido2", ZA_METHOD_FIDO2 },
	{ NULL, 0 },
};

/* The built-in rule of a configuration without rules. */
static const struct za_rule za_default_rule = {
	"(default)", NULL, 0, ZA_RULE_DEFAULT_CLASSES, 0, ZA_METHODS_AVAILABLE,
};

unsigned int
za_method_classes(unsigned int method)
{
	switch (method) {
	case ZA_METHOD_PASSWORD:
		return ZA_CLASS_KNOWLEDGE;
	case ZA_METHOD_TOTP:
	case ZA_METHOD_HOTP:
		return ZA_CLASS_POSSESSION;
	case ZA_METHOD_FIDO2:
		/* Presence, plus PIN (knowledge) or built-in UV (inherence). */
		return ZA_CLASS_ALL;
	default:
		return 0;
	}
}

unsigned int
za_methods_classes(unsigned int mask)
{
	unsigned int bit, out = 0;

	for (bit = 1; bit != 0 && bit <= mask; bit <<= 1)
		if ((mask & bit) != 0)
			out |= za_method_classes(bit);
	return out;
}

static const char *
za_bit_lookup(const struct za_bit_name *t, unsigned int bit)
{
	size_t i;

	for (i = 0; t[i].name != NULL; i++)
		if (t[i].bit == bit)
			return t[i].name;
	return "?";
}

const char *
za_class_name(unsigned int cls)
{
	return za_bit_lookup(za_class_names, cls);
}

const char *
za_method_name(unsigned int method)
{
	return za_bit_lookup(za_method_names, method);
}

unsigned int
za_mask_count(unsigned int mask)
{
	unsigned int n = 0;

	while (mask != 0) {
		n += mask & 1u;
		mask >>= 1;
	}
	return n;
}

int
za_mask_names(unsigned int mask, int is_method, char *buf, size_t bufsz)
{
	const struct za_bit_name *t = is_method ? za_method_names :
	    za_class_names;
	size_t i, off = 0;
	int n;

	if (buf == NULL || bufsz == 0)
		return ZA_ERR_ARG;
	buf[0] = '\0';
	if (mask == 0) {
		n = snprintf(buf, bufsz, "none");
		return n < 0 || (size_t)n >= bufsz ? ZA_ERR_TOO_LARGE : ZA_OK;
	}
	for (i = 0; t[i].name != NULL; i++) {
		if ((mask & t[i].bit) == 0)
			continue;
		n = snprintf(buf + off, bufsz - off, "%s%s", off > 0 ? "," : "",
		    t[i].name);
		if (n < 0 || (size_t)n >= bufsz - off)
			return ZA_ERR_TOO_LARGE;
		off += (size_t)n;
	}
	return ZA_OK;
}

/* ---------------------------------------------------------------- parsing */

static int
za_pol_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse a comma-separated list of names of table t into *mask.  what is
 * "method" or "class" for messages.
 */
static int
za_pol_parse_list(const char *s, const struct za_bit_name *t,
    const char *what, unsigned int *mask, char *why, size_t whylen)
{
	char item[64];
	const char *p = s, *start, *end;
	unsigned int out = 0;
	size_t i, len;

	if (s == NULL || *s == '\0') {
		snprintf(why, whylen, "empty list");
		return ZA_ERR_CONFIG;
	}
	for (;;) {
		while (za_pol_is_space(*p))
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && za_pol_is_space(end[-1]))
			end--;
		len = (size_t)(end - start);
		if (len == 0) {
			snprintf(why, whylen, "empty %s name in the list", what);
			return ZA_ERR_CONFIG;
		}
		if (len >= sizeof(item)) {
			snprintf(why, whylen, "unknown %s (name too long)", what);
			return ZA_ERR_CONFIG;
		}
		memcpy(item, start, len);
		item[len] = '\0';
		for (i = 0; t[i].name != NULL; i++)
			if (strcmp(item, t[i].name) == 0)
				break;
		if (t[i].name == NULL) {
			snprintf(why, whylen, "unknown %s \"%s\"", what, item);
			return ZA_ERR_CONFIG;
		}
		if ((out & t[i].bit) != 0) {
			snprintf(why, whylen, "%s \"%s\" listed twice", what,
			    item);
			return ZA_ERR_CONFIG;
		}
		out |= t[i].bit;
		if (*p == '\0')
			break;
		p++;	/* the comma */
	}
	*mask = out;
	return ZA_OK;
}

int
za_policy_parse_methods(const char *s, unsigned int *mask, char *why,
    size_t whylen)
{
	unsigned int m = 0;
	int r;

	if (mask == NULL || why == NULL)
		return ZA_ERR_ARG;
	if ((r = za_pol_parse_list(s, za_method_names, "method", &m, why,
	    whylen)) != ZA_OK)
		return r;
	*mask = m;
	return ZA_OK;
}

int
za_policy_parse_classes(const char *s, unsigned int *mask, char *why,
    size_t whylen)
{
	if (mask == NULL || why == NULL)
		return ZA_ERR_ARG;
	return za_pol_parse_list(s, za_class_names, "class", mask, why,
	    whylen);
}

int
za_rule_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= ZA_RULE_NAME_MAX)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	}
	return 1;
}

/* A group name: 1..ZA_GROUP_NAME_MAX bytes, no space, control or quote. */
static int
za_pol_group_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > ZA_GROUP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

static void
za_pol_free_selectors(struct za_selector **vp, size_t *np)
{
	size_t i;

	if (*vp != NULL)
		for (i = 0; i < *np; i++)
			free((*vp)[i].name);
	free(*vp);
	*vp = NULL;
	*np = 0;
}

/* Parse one selector word into sel (sel->name allocated). */
static int
za_pol_selector(const char *word, struct za_selector *sel, char *why,
    size_t whylen)
{
	const char *arg;

	memset(sel, 0, sizeof(*sel));
	if (strcmp(word, "any") == 0) {
		sel->kind = ZA_SEL_ANY;
		return ZA_OK;
	}
	if (strncmp(word, "user:", 5) == 0) {
		arg = word + 5;
		if (za_valid_uid(arg, NULL) != ZA_OK) {
			snprintf(why, whylen, "\"%.64s\": not a valid login "
			    "name after user:", word);
			return ZA_ERR_CONFIG;
		}
		sel->kind = ZA_SEL_USER;
	} else if (strncmp(word, "group:", 6) == 0) {
		arg = word + 6;
		if (!za_pol_group_ok(arg)) {
			snprintf(why, whylen, "\"%.64s\": missing or invalid "
			    "group name after group:", word);
			return ZA_ERR_CONFIG;
		}
		sel->kind = ZA_SEL_GROUP;
	} else if (strncmp(word, "zone:", 5) == 0) {
		arg = word + 5;
		sel->kind = ZA_SEL_ZONE;
		if (strcmp(arg, "general") == 0)
			sel->zone = ZA_ZONE_GENERAL;
		else if (strcmp(arg, "mynumber") == 0)
			sel->zone = ZA_ZONE_MYNUMBER;
		else {
			snprintf(why, whylen, "\"%.64s\": zone: takes general "
			    "or mynumber", word);
			return ZA_ERR_CONFIG;
		}
		return ZA_OK;
	} else {
		snprintf(why, whylen, "\"%.64s\" is not a selector (any, "
		    "user:NAME, group:NAME, zone:ZONE)", word);
		return ZA_ERR_CONFIG;
	}
	if ((sel->name = strdup(arg)) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

int
za_policy_parse_match(const char *s, struct za_selector **selp, size_t *np,
    char *why, size_t whylen)
{
	struct za_selector *v = NULL;
	char word[ZA_GROUP_NAME_MAX + 16];
	const char *p = s, *start;
	size_t n = 0, len;
	int r, any = 0;

	if (s == NULL || selp == NULL || np == NULL || why == NULL)
		return ZA_ERR_ARG;
	if ((v = calloc(ZA_RULE_MAX_SELECTORS, sizeof(*v))) == NULL)
		return ZA_ERR_NOMEM;
	while ((start = za_conf_next_word(&p, &len)) != NULL) {
		if (n == ZA_RULE_MAX_SELECTORS) {
			snprintf(why, whylen, "more than %d selectors",
			    ZA_RULE_MAX_SELECTORS);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		if (len >= sizeof(word)) {
			snprintf(why, whylen, "selector longer than %zu bytes",
			    sizeof(word) - 1);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		memcpy(word, start, len);
		word[len] = '\0';
		if ((r = za_pol_selector(word, &v[n], why, whylen)) != ZA_OK)
			goto out;
		if (v[n].kind == ZA_SEL_ANY)
			any = 1;
		n++;
	}
	if (n == 0) {
		snprintf(why, whylen, "no selector");
		r = ZA_ERR_CONFIG;
		goto out;
	}
	if (any && n > 1) {
		snprintf(why, whylen, "\"any\" cannot be combined with other "
		    "selectors");
		r = ZA_ERR_CONFIG;
		goto out;
	}
	*selp = v;
	*np = n;
	v = NULL;
	n = 0;
	r = ZA_OK;
out:
	if (v != NULL) {
		/* Names of the selectors parsed so far, and of a failed one. */
		n = n < ZA_RULE_MAX_SELECTORS ? n + 1 : n;
		za_pol_free_selectors(&v, &n);
	}
	return r;
}

/* ---------------------------------------------------------------- rules */

int
za_rule_init(struct za_rule *r, const char *name)
{
	if (r == NULL || name == NULL)
		return ZA_ERR_ARG;
	memset(r, 0, sizeof(*r));
	r->classes = ZA_RULE_DEFAULT_CLASSES;
	if ((r->name = strdup(name)) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

void
za_rule_clear(struct za_rule *r)
{
	if (r == NULL)
		return;
	free(r->name);
	za_pol_free_selectors(&r->match, &r->nmatch);
	memset(r, 0, sizeof(*r));
}

int
za_rule_copy(const struct za_rule *src, struct za_rule *dst)
{
	struct za_rule tmp;
	size_t i;
	int r = ZA_ERR_NOMEM;

	if (src == NULL || dst == NULL)
		return ZA_ERR_ARG;
	memset(&tmp, 0, sizeof(tmp));
	tmp.classes = src->classes;
	tmp.require = src->require;
	tmp.methods = src->methods;
	if (src->name != NULL && (tmp.name = strdup(src->name)) == NULL)
		goto out;
	if (src->nmatch > 0) {
		if ((tmp.match = calloc(src->nmatch, sizeof(*tmp.match))) ==
		    NULL)
			goto out;
		tmp.nmatch = src->nmatch;
		for (i = 0; i < src->nmatch; i++) {
			tmp.match[i].kind = src->match[i].kind;
			tmp.match[i].zone = src->match[i].zone;
			if (src->match[i].name != NULL &&
			    (tmp.match[i].name = strdup(src->match[i].name)) ==
			    NULL)
				goto out;
		}
	}
	*dst = tmp;
	memset(&tmp, 0, sizeof(tmp));
	r = ZA_OK;
out:
	za_rule_clear(&tmp);
	return r;
}

/* The methods a rule allows: its list, or every method of this build. */
static unsigned int
za_rule_methods(const struct za_rule *rule)
{
	return rule->methods != 0 ? rule->methods : ZA_METHODS_AVAILABLE;
}

int
za_policy_check(const struct za_config *cfg, const char *name,
    const struct za_log *lg)
{
	const struct za_rule *rule;
	struct za_plan plan;
	unsigned int provable;
	char have[64], need[64];
	size_t i, j;
	int r = ZA_OK;

	if (cfg == NULL)
		return ZA_ERR_ARG;
	if (name == NULL)
		name = "configuration";
	for (i = 0; i < cfg->nrules; i++) {
		rule = &cfg->rules[i];
		provable = za_methods_classes(za_rule_methods(rule));
		(void)za_mask_names(provable, 0, have, sizeof(have));
		if (rule->nmatch == 0) {
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: match "
			    "is not set", name, rule->name);
			r = ZA_ERR_CONFIG;
		}
		if (rule->classes < 1 || rule->classes > 3) {
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: "
			    "classes must be 1..3", name, rule->name);
			r = ZA_ERR_CONFIG;
			continue;
		}
		if (za_mask_count(rule->require) > (unsigned int)rule->classes) {
			(void)za_mask_names(rule->require, 0, need,
			    sizeof(need));
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: require "
			    "names %u classes (%s) but classes = %d", name,
			    rule->name, za_mask_count(rule->require), need,
			    rule->classes);
			r = ZA_ERR_CONFIG;
		}
		if ((rule->require & ~provable) != 0) {
			(void)za_mask_names(rule->require & ~provable, 0,
			    need, sizeof(need));
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: no "
			    "allowed method proves %s (the methods prove: %s)",
			    name, rule->name, need, have);
			r = ZA_ERR_CONFIG;
		}
		if (za_mask_count(provable) < (unsigned int)rule->classes) {
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: "
			    "classes = %d but the allowed methods prove only "
			    "%u (%s)", name, rule->name, rule->classes,
			    za_mask_count(provable), have);
			r = ZA_ERR_CONFIG;
		} else if ((rule->require & ~provable) == 0 &&
		    za_mask_count(rule->require) <=
		    (unsigned int)rule->classes &&
		    za_policy_plan(rule, &plan) != ZA_OK) {
			(void)za_mask_names(rule->require, 0, need,
			    sizeof(need));
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s: the "
			    "allowed methods cannot prove %d classes (require: "
			    "%s) in one login: a security key proves possession "
			    "and either knowledge (PIN) or inherence (built-in "
			    "verification), not both", name, rule->name,
			    rule->classes, need);
			r = ZA_ERR_CONFIG;
		}
		if (cfg->zone == ZA_ZONE_MYNUMBER && rule->classes < 2) {
			za_log_msg(lg, LOG_ERR, "config", "%s: rule %s admits "
			    "a login with one factor class, but zone = "
			    "mynumber requires at least two different classes "
			    "for every login; refusing this configuration",
			    name, rule->name);
			r = ZA_ERR_CONFIG;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->rules[j].name, rule->name) == 0) {
				za_log_msg(lg, LOG_ERR, "config", "%s: rule %s "
				    "defined twice", name, rule->name);
				r = ZA_ERR_CONFIG;
			}
		}
	}
	if (cfg->nrules > ZA_RULE_MAX) {
		za_log_msg(lg, LOG_ERR, "config", "%s: more than %d rules", name,
		    ZA_RULE_MAX);
		r = ZA_ERR_CONFIG;
	}
	return r;
}

/* Does sel match?  Group selectors ask is_member. */
static int
za_pol_sel_match(const struct za_config *cfg, const struct za_selector *sel,
    const char *user, za_group_check_fn is_member, void *arg, int *match)
{
	int member = 0, r;

	*match = 0;
	switch (sel->kind) {
	case ZA_SEL_ANY:
		*match = 1;
		break;
	case ZA_SEL_USER:
		*match = user != NULL && sel->name != NULL &&
		    strcmp(user, sel->name) == 0;
		break;
	case ZA_SEL_ZONE:
		*match = (int)cfg->zone == sel->zone;
		break;
	case ZA_SEL_GROUP:
		if (is_member == NULL || sel->name == NULL)
			break;
		if ((r = is_member(arg, sel->name, &member)) != ZA_OK)
			return r;
		*match = member != 0;
		break;
	}
	return ZA_OK;
}

int
za_policy_select(const struct za_config *cfg, const char *user,
    za_group_check_fn is_member, void *arg, const struct za_rule **rulep)
{
	const struct za_rule *rule;
	size_t i, j;
	int match = 0, r;

	if (cfg == NULL || rulep == NULL)
		return ZA_ERR_ARG;
	*rulep = NULL;
	if (cfg->nrules == 0) {
		*rulep = &za_default_rule;
		return ZA_OK;
	}
	for (i = 0; i < cfg->nrules; i++) {
		rule = &cfg->rules[i];
		for (j = 0; j < rule->nmatch; j++) {
			if ((r = za_pol_sel_match(cfg, &rule->match[j], user,
			    is_member, arg, &match)) != ZA_OK)
				return r;
			if (match) {
				*rulep = rule;
				return ZA_OK;
			}
		}
	}
	return ZA_ERR_NOT_FOUND;
}

/* Classes planned, an EITHER step counting as one. */
static unsigned int
za_pol_planned(const struct za_plan *p)
{
	return za_mask_count(p->classes) + (p->uv == ZA_PLAN_UV_EITHER);
}

/* Plan the key step: it proves possession and, with uv, one more class. */
static void
za_pol_key_step(struct za_plan *p, enum za_plan_uv uv)
{
	p->possession = 1;
	p->classes |= ZA_CLASS_POSSESSION;
	p->uv = uv;
	if (uv == ZA_PLAN_UV_PIN)
		p->classes |= ZA_CLASS_KNOWLEDGE;
	else if (uv == ZA_PLAN_UV_BUILTIN)
		p->classes |= ZA_CLASS_INHERENCE;
}

int
za_policy_plan(const struct za_rule *rule, struct za_plan *plan)
{
	struct za_plan p;
	unsigned int need, methods;
	int pw, otp, key, r = ZA_ERR_CONFIG;

	if (rule == NULL || plan == NULL)
		return ZA_ERR_ARG;
	memset(&p, 0, sizeof(p));
	methods = za_rule_methods(rule) & ZA_METHODS_AVAILABLE;
	p.methods = methods;
	pw = (methods & ZA_METHOD_PASSWORD) != 0;
	otp = (methods & (ZA_METHOD_TOTP | ZA_METHOD_HOTP)) != 0;
	key = (methods & ZA_METHOD_FIDO2) != 0;
	need = (unsigned int)(rule->classes < 0 ? 0 : rule->classes);
	if (rule->classes < 1 || rule->classes > 3)
		goto out;
	/* 1. The required classes. */
	if ((rule->require & ZA_CLASS_KNOWLEDGE) != 0) {
		if (pw) {
			p.password = 1;
			p.classes |= ZA_CLASS_KNOWLEDGE;
		} else if (key)
			za_pol_key_step(&p, ZA_PLAN_UV_PIN);
		else
			goto out;
	}
	if ((rule->require & ZA_CLASS_INHERENCE) != 0) {
		if (!key || p.uv == ZA_PLAN_UV_PIN)
			goto out;
		za_pol_key_step(&p, ZA_PLAN_UV_BUILTIN);
	}
	if ((rule->require & ZA_CLASS_POSSESSION) != 0) {
		if (!otp && !key)
			goto out;
		p.possession = 1;
		p.classes |= ZA_CLASS_POSSESSION;
	}
	/* 2. Top up: the password, a possession step, the key's UV. */
	if (za_pol_planned(&p) < need && pw && !p.password) {
		p.password = 1;
		p.classes |= ZA_CLASS_KNOWLEDGE;
	}
	if (za_pol_planned(&p) < need && (otp || key) && !p.possession) {
		p.possession = 1;
		p.classes |= ZA_CLASS_POSSESSION;
	}
	if (za_pol_planned(&p) < need && key && p.uv == ZA_PLAN_UV_NONE)
		za_pol_key_step(&p, (p.classes & ZA_CLASS_KNOWLEDGE) != 0 ?
		    ZA_PLAN_UV_BUILTIN : ZA_PLAN_UV_EITHER);
	if (za_pol_planned(&p) < need)
		goto out;
	p.fido2_only = p.possession && (p.uv != ZA_PLAN_UV_NONE || !otp);
	*plan = p;
	r = ZA_OK;
out:
	return r;
}

int
za_policy_satisfied(const struct za_rule *rule, unsigned int proven)
{
	if (rule == NULL || rule->classes < 1)
		return 0;
	if ((rule->require & ~proven) != 0)
		return 0;
	return za_mask_count(proven & ZA_CLASS_ALL) >=
	    (unsigned int)rule->classes;
}
