/*
 * Configuration: zoneauth.conf and PAM module arguments (see za_config.h).
 *
 * Every key is one row of za_conf_keys[]: section, name, value type, the
 * field it sets and the bounds of that value.  The file parser and the
 * module-argument parser both go through that table, so a key is checked
 * the same way wherever it comes from, and a new key is one new row.
 *
 * Changes are transactional: parsing works on a deep copy of the caller's
 * configuration, which replaces the caller's only when everything parsed.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "za_config.h"
#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_model.h"
#include "za_policy.h"

/* Enumerations are written through int pointers by the table. */
_Static_assert(sizeof(enum za_zone) == sizeof(int), "enum za_zone is not int-sized");
_Static_assert(sizeof(enum za_bind_method) == sizeof(int),
    "enum za_bind_method is not int-sized");
_Static_assert(sizeof(enum za_password_source) == sizeof(int),
    "enum za_password_source is not int-sized");
_Static_assert(ZA_CONF_AAGUID_LEN == ZA_AAGUID_LEN,
    "ZA_CONF_AAGUID_LEN differs from ZA_AAGUID_LEN");

#define ZA_CONF_MAX_ERRORS	16	/* messages per file or argument list */
#define ZA_CONF_SHOW_MAX	128	/* bytes of a value echoed in a message */
#define ZA_CONF_WHY_MAX		512	/* one value-error message */
#define ZA_CONF_DEFAULT_AUDIT_LOG	"/var/log/zoneauth/audit.log"

enum za_conf_type {
	ZA_CT_BOOL,	/* yes|no|true|false|on|off|1|0 -> int */
	ZA_CT_ENUM,	/* one name of enums[] -> int-sized enum */
	ZA_CT_INT,	/* decimal integer in min..max -> int */
	ZA_CT_MSEC,	/* duration N, Ns, Nms, Nm or Nh, in min..max ms -> int */
	ZA_CT_PATH,	/* absolute path -> char * */
	ZA_CT_DN,	/* LDAPv3 distinguished name -> char * */
	ZA_CT_URIS,	/* ldap/ldaps/ldapi URIs -> struct za_dir_config */
	ZA_CT_MATCH,	/* rule selectors -> struct za_rule match/nmatch */
	ZA_CT_CLASSES,	/* factor class list -> unsigned int mask */
	ZA_CT_METHODS,	/* login method list -> unsigned int mask */
	ZA_CT_RPID,	/* FIDO2 relying party id -> char * */
	ZA_CT_AAGUIDS,	/* AAGUID list -> struct za_fido2_config */
};

#define ZA_CK_EMPTY_OK	0x01u	/* an empty value unsets the field */
#define ZA_CK_SECRET	0x02u	/* never echo the value in a message */
#define ZA_CK_NAMED	0x04u	/* "[section NAME]": offset in struct za_rule */

struct za_conf_enum {
	const char *name;
	int value;
};

struct za_conf_key {
	const char *section;
	const char *key;
	enum za_conf_type type;
	size_t offset;		/* of the field in struct za_config */
	long long min, max;	/* ZA_CT_INT, ZA_CT_MSEC */
	const struct za_conf_enum *enums;	/* ZA_CT_ENUM; ends with NULL */
	unsigned int flags;	/* ZA_CK_* */
};

static const struct za_conf_enum za_zone_names[] = {
	{ "general", ZA_ZONE_GENERAL },
	{ "mynumber", ZA_ZONE_MYNUMBER },
	{ NULL, 0 },
};

static const struct za_conf_enum za_bind_names[] = {
	{ "sasl-external", ZA_BIND_SASL_EXTERNAL },
	{ "simple", ZA_BIND_SIMPLE },
	{ "anonymous", ZA_BIND_ANONYMOUS },
	{ NULL, 0 },
};

static const struct za_conf_enum za_starttls_names[] = {
	{ "auto", 0 },
	{ "always", 1 },
	{ NULL, 0 },
};

static const struct za_conf_enum za_password_names[] = {
	{ "directory", ZA_PASSWORD_DIRECTORY },
	{ "stack", ZA_PASSWORD_STACK },
	{ NULL, 0 },
};

#define ZA_OFF(f)	offsetof(struct za_config, f)
#define ZA_ROFF(f)	offsetof(struct za_rule, f)
#define ZA_MIN_MS	(60 * 1000)
#define ZA_HOUR_MS	(60 * ZA_MIN_MS)
#define ZA_DAY_MS	(24 * ZA_HOUR_MS)

/*
 * The keys.  Each field appears in at most one row: copying and freeing
 * walk this table to find the strings.  Rows flagged ZA_CK_NAMED belong to
 * a named section ("[rule NAME]"): their offsets are relative to the
 * struct za_rule of that name, which is copied and freed as a whole.
 */
static const struct za_conf_key za_conf_keys[] = {
	{ "general", "zone", ZA_CT_ENUM, ZA_OFF(zone), 0, 0,
	    za_zone_names, 0 },
	{ "general", "debug", ZA_CT_BOOL, ZA_OFF(debug), 0, 0, NULL, 0 },
	{ "general", "log_unknown_user_names", ZA_CT_BOOL,
	    ZA_OFF(log_unknown_users), 0, 0, NULL, 0 },
	{ "directory", "uri", ZA_CT_URIS, ZA_OFF(dir), 0, 0, NULL, 0 },
	{ "directory", "base", ZA_CT_DN, ZA_OFF(dir.base_dn), 0, 0, NULL, 0 },
	{ "directory", "users", ZA_CT_DN, ZA_OFF(dir.users_dn), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "directory", "groups", ZA_CT_DN, ZA_OFF(dir.groups_dn), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "directory", "bind", ZA_CT_ENUM, ZA_OFF(dir.bind), 0, 0,
	    za_bind_names, 0 },
	{ "directory", "bind_dn", ZA_CT_DN, ZA_OFF(dir.bind_dn), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "directory", "bind_password_file", ZA_CT_PATH,
	    ZA_OFF(dir.bind_password_file), 0, 0, NULL, ZA_CK_EMPTY_OK },
	{ "directory", "tls_ca_file", ZA_CT_PATH, ZA_OFF(dir.tls_ca_file),
	    0, 0, NULL, ZA_CK_EMPTY_OK },
	{ "directory", "starttls", ZA_CT_ENUM, ZA_OFF(dir.starttls_always),
	    0, 0, za_starttls_names, 0 },
	{ "directory", "connect_timeout", ZA_CT_MSEC,
	    ZA_OFF(dir.connect_timeout_ms), 100, 60000, NULL, 0 },
	{ "directory", "operation_timeout", ZA_CT_MSEC,
	    ZA_OFF(dir.op_timeout_ms), 100, 120000, NULL, 0 },
	{ "directory", "total_timeout", ZA_CT_MSEC,
	    ZA_OFF(dir.total_timeout_ms), 100, 300000, NULL, 0 },
	{ "directory", "page_size", ZA_CT_INT, ZA_OFF(dir.page_size),
	    1, 10000, NULL, 0 },
	{ "store", "path", ZA_CT_PATH, ZA_OFF(store_path), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "audit", "log", ZA_CT_PATH, ZA_OFF(audit_log), 0, 0, NULL, 0 },
	{ "audit", "hmac_key_file", ZA_CT_PATH, ZA_OFF(audit_hmac_key_file),
	    0, 0, NULL, ZA_CK_EMPTY_OK },
	{ "general", "localedir", ZA_CT_PATH, ZA_OFF(localedir), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "auth", "password", ZA_CT_ENUM, ZA_OFF(password), 0, 0,
	    za_password_names, 0 },
	{ "otp", "window", ZA_CT_INT, ZA_OFF(otp_window), 0, 10, NULL, 0 },
	{ "otp", "lookahead", ZA_CT_INT, ZA_OFF(otp_lookahead), 0, 100, NULL,
	    0 },
	{ "fido2", "rp_id", ZA_CT_RPID, ZA_OFF(fido2.rp_id), 0, 0, NULL, 0 },
	{ "fido2", "aaguids", ZA_CT_AAGUIDS, ZA_OFF(fido2), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "fido2", "attestation_ca", ZA_CT_PATH, ZA_OFF(fido2.attestation_ca),
	    0, 0, NULL, ZA_CK_EMPTY_OK },
	{ "fido2", "touch_timeout", ZA_CT_MSEC, ZA_OFF(fido2.touch_timeout_ms),
	    1000, 120000, NULL, 0 },
	{ "fido2", "require_uv", ZA_CT_BOOL, ZA_OFF(fido2.require_uv), 0, 0,
	    NULL, 0 },
	{ "fido2", "plugin", ZA_CT_PATH, ZA_OFF(fido2.plugin), 0, 0, NULL, 0 },
	{ "lockout", "deny", ZA_CT_INT, ZA_OFF(lockout_deny), 1, 100, NULL, 0 },
	{ "lockout", "window", ZA_CT_MSEC, ZA_OFF(lockout_window_ms), 1000,
	    ZA_DAY_MS, NULL, 0 },
	{ "lockout", "unlock_time", ZA_CT_MSEC, ZA_OFF(lockout_unlock_ms), 0,
	    7 * ZA_DAY_MS, NULL, 0 },
	{ "lockout", "delay", ZA_CT_MSEC, ZA_OFF(lockout_delay_ms), 0, 30000,
	    NULL, 0 },
	{ "lockout", "ppolicy", ZA_CT_BOOL, ZA_OFF(lockout_ppolicy), 0, 0, NULL,
	    0 },
	{ "session", "last_login", ZA_CT_BOOL, ZA_OFF(session_last_login), 0, 0,
	    NULL, 0 },
	{ "session", "banner", ZA_CT_PATH, ZA_OFF(session_banner), 0, 0, NULL,
	    ZA_CK_EMPTY_OK },
	{ "session", "record_interval", ZA_CT_MSEC, ZA_OFF(session_record_ms),
	    0, ZA_DAY_MS, NULL, 0 },
	{ "rule", "match", ZA_CT_MATCH, ZA_ROFF(match), 0, 0, NULL,
	    ZA_CK_NAMED },
	{ "rule", "classes", ZA_CT_INT, ZA_ROFF(classes), 1, 3, NULL,
	    ZA_CK_NAMED },
	{ "rule", "require", ZA_CT_CLASSES, ZA_ROFF(require), 0, 0, NULL,
	    ZA_CK_NAMED },
	{ "rule", "methods", ZA_CT_METHODS, ZA_ROFF(methods), 0, 0, NULL,
	    ZA_CK_NAMED },
};

#define ZA_CONF_NKEYS	(sizeof(za_conf_keys) / sizeof(za_conf_keys[0]))

/* State of one parse: a file or an argument list. */
struct za_conf_parse {
	struct za_config *cfg;		/* the working copy */
	const char *name;		/* file name, or NULL for arguments */
	const struct za_log *lg;
	const char *section;		/* current section (table string) */
	int in_bad_section;		/* after an unknown [section] */
	size_t seen[ZA_CONF_NKEYS];	/* line or argument (1-based) that set it */
	/* Named sections: the rule being set and its keys' lines. */
	struct za_rule *rule;
	size_t rule_seen[ZA_CONF_NKEYS];
	size_t rule_line[ZA_RULE_MAX];	/* by index in cfg->rules: header line */
	unsigned int nerr;
	int r;				/* first error */
};

/* A plain string field of struct za_config (named rows are not). */
static int
za_conf_is_string_key(const struct za_conf_key *k)
{
	return (k->type == ZA_CT_PATH || k->type == ZA_CT_DN ||
	    k->type == ZA_CT_RPID) && (k->flags & ZA_CK_NAMED) == 0;
}

static void
za_conf_free_rules(struct za_config *cfg)
{
	size_t i;

	for (i = 0; cfg->rules != NULL && i < cfg->nrules; i++)
		za_rule_clear(&cfg->rules[i]);
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->nrules = 0;
}

static char **
za_conf_str_field(struct za_config *cfg, const struct za_conf_key *k)
{
	return (char **)(void *)((char *)cfg + k->offset);
}

/* Release every string of cfg, leaving the pointers NULL. */
static void
za_conf_clear_strings(struct za_config *cfg)
{
	char **sp;
	size_t i;

	for (i = 0; i < ZA_CONF_NKEYS; i++) {
		if (!za_conf_is_string_key(&za_conf_keys[i]))
			continue;
		sp = za_conf_str_field(cfg, &za_conf_keys[i]);
		free(*sp);
		*sp = NULL;
	}
	for (i = 0; i < cfg->dir.n_uris; i++) {
		free(cfg->dir.uris[i]);
		cfg->dir.uris[i] = NULL;
	}
	cfg->dir.n_uris = 0;
	free(cfg->path);
	cfg->path = NULL;
	za_conf_free_rules(cfg);
}

static int
za_conf_dup_str(const char *s, char **dstp)
{
	*dstp = NULL;
	if (s == NULL)
		return ZA_OK;
	if ((*dstp = strdup(s)) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

/* Deep copy of src into a new configuration *dstp. */
static int
za_conf_copy(const struct za_config *src, struct za_config **dstp)
{
	struct za_config *dst = NULL;
	const char *s;
	char **sp;
	size_t i;
	int r = ZA_ERR_NOMEM;

	*dstp = NULL;
	if ((dst = malloc(sizeof(*dst))) == NULL)
		goto out;
	*dst = *src;
	/* Detach every string first, so a failed copy frees only its own. */
	for (i = 0; i < ZA_CONF_NKEYS; i++)
		if (za_conf_is_string_key(&za_conf_keys[i]))
			*za_conf_str_field(dst, &za_conf_keys[i]) = NULL;
	for (i = 0; i < ZA_CONF_MAX_URIS; i++)
		dst->dir.uris[i] = NULL;
	dst->dir.n_uris = 0;
	dst->path = NULL;
	dst->rules = NULL;
	dst->nrules = 0;

	if (src->nrules > 0) {
		if ((dst->rules = calloc(src->nrules, sizeof(*dst->rules))) ==
		    NULL)
			goto out;
		for (i = 0; i < src->nrules; i++) {
			if ((r = za_rule_copy(&src->rules[i], &dst->rules[i])) !=
			    ZA_OK)
				goto out;
			dst->nrules = i + 1;
		}
	}
	for (i = 0; i < ZA_CONF_NKEYS; i++) {
		if (!za_conf_is_string_key(&za_conf_keys[i]))
			continue;
		memcpy(&s, (const char *)src + za_conf_keys[i].offset,
		    sizeof(s));
		sp = za_conf_str_field(dst, &za_conf_keys[i]);
		if ((r = za_conf_dup_str(s, sp)) != ZA_OK)
			goto out;
	}
	for (i = 0; i < src->dir.n_uris; i++) {
		if ((r = za_conf_dup_str(src->dir.uris[i],
		    &dst->dir.uris[i])) != ZA_OK)
			goto out;
		dst->dir.n_uris = i + 1;
	}
	if ((r = za_conf_dup_str(src->path, &dst->path)) != ZA_OK)
		goto out;
	*dstp = dst;
	dst = NULL;
	r = ZA_OK;
out:
	za_config_free(&dst);
	return r;
}

/* Move the contents of *newp into cfg and free the old contents. */
static void
za_conf_commit(struct za_config *cfg, struct za_config **newp)
{
	struct za_config old;

	old = *cfg;
	*cfg = **newp;
	**newp = old;
	za_config_free(newp);
}

struct za_config *
za_config_new(void)
{
	struct za_config *cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	cfg->zone = ZA_ZONE_GENERAL;
	cfg->dir.bind = ZA_BIND_SASL_EXTERNAL;
	cfg->dir.starttls_always = 0;
	cfg->dir.connect_timeout_ms = 2000;
	cfg->dir.op_timeout_ms = 5000;
	cfg->dir.total_timeout_ms = 8000;
	cfg->dir.page_size = 500;
	cfg->password = ZA_PASSWORD_DIRECTORY;
	cfg->otp_window = -1;
	cfg->otp_lookahead = -1;
	cfg->fido2.touch_timeout_ms = 30 * 1000;
	cfg->fido2.require_uv = 0;
	cfg->fido2.naaguids = 0;
	cfg->lockout_deny = 5;
	cfg->lockout_window_ms = 15 * ZA_MIN_MS;
	cfg->lockout_unlock_ms = 15 * ZA_MIN_MS;
	cfg->lockout_delay_ms = 2000;
	cfg->lockout_ppolicy = 0;
	cfg->session_last_login = 1;
	cfg->session_record_ms = 5 * ZA_MIN_MS;
	if ((cfg->audit_log = strdup(ZA_CONF_DEFAULT_AUDIT_LOG)) == NULL ||
	    (cfg->fido2.rp_id = strdup(ZA_FIDO2_DEFAULT_RP_ID)) == NULL) {
		free(cfg->audit_log);
		free(cfg);
		return NULL;
	}
	return cfg;
}

void
za_config_free(struct za_config **cfgp)
{
	if (cfgp == NULL || *cfgp == NULL)
		return;
	za_conf_clear_strings(*cfgp);
	free(*cfgp);
	*cfgp = NULL;
}

/* ---------------------------------------------------------------- text */

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0.
 * Overlong forms, surrogates and code points above U+10FFFF are refused.
 */
static size_t
za_conf_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Check that n bytes at s are text we accept: no NUL, well-formed UTF-8,
 * no control characters but tab.  Returns NULL or why not.
 */
static const char *
za_conf_check_text(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l;

	if (memchr(s, '\0', n) != NULL)
		return "NUL byte";
	while (i < n) {
		if ((l = za_conf_utf8_len(u + i, n - i)) == 0)
			return "invalid UTF-8";
		if (l == 1 && ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f))
			return "control character";
		i += l;
	}
	return NULL;
}

static int
za_conf_is_space(char c)
{
	return c == ' ' || c == '\t';
}

const char *
za_conf_next_word(const char **pp, size_t *lenp)
{
	const char *p = *pp, *start = NULL;

	while (za_conf_is_space(*p))
		p++;
	if (*p != '\0') {
		start = p;
		while (*p != '\0' && !za_conf_is_space(*p))
			p++;
		*lenp = (size_t)(p - start);
	}
	*pp = p;
	return start;
}

/* Trim spaces and tabs at both ends of s, in place. */
static char *
za_conf_trim(char *s)
{
	size_t n;

	while (za_conf_is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && za_conf_is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * s for a message, in double quotes when quote is set: at most
 * ZA_CONF_SHOW_MAX bytes, cut on a character boundary (the text was
 * checked as UTF-8 before) and marked "..." when cut.
 */
static const char *
za_conf_excerpt(const char *s, int quote, char *buf, size_t len)
{
	const char *q = quote ? "\"" : "";
	size_t n = strlen(s);

	if (n <= ZA_CONF_SHOW_MAX) {
		snprintf(buf, len, "%s%s%s", q, s, q);
		return buf;
	}
	n = ZA_CONF_SHOW_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(buf, len, "%s%.*s...%s", q, (int)n, s, q);
	return buf;
}

static const char *
za_conf_quote(const char *s, char *buf, size_t len)
{
	return za_conf_excerpt(s, 1, buf, len);
}

/* The value of key k as shown in messages: quoted, or hidden if secret. */
static const char *
za_conf_show(const struct za_conf_key *k, const char *val, char *buf,
    size_t len)
{
	if ((k->flags & ZA_CK_SECRET) != 0)
		return "(value hidden)";
	return za_conf_quote(val, buf, len);
}

/* ---------------------------------------------------------------- values */

/*
 * Parse the unsigned decimal number at the start of s: digits only (no
 * sign, no space).  *endp is set past the digits.
 */
static int
za_conf_number(const char *s, const char **endp, long long *vp,
    const char **whyp)
{
	char *end = NULL;
	long long v;

	*endp = s;
	if (*s < '0' || *s > '9') {
		*whyp = "not a decimal number";
		return ZA_ERR_CONFIG;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE) {
		*whyp = "number too large";
		return ZA_ERR_CONFIG;
	}
	*endp = end;
	*vp = v;
	return ZA_OK;
}

static int
za_conf_set_bool(const char *val, int *ip)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*ip = 1;
			return ZA_OK;
		}
		if (strcasecmp(val, no[i]) == 0) {
			*ip = 0;
			return ZA_OK;
		}
	}
	return ZA_ERR_CONFIG;
}

static int
za_conf_set_enum(const struct za_conf_key *k, const char *val, int *ip,
    char *why, size_t whylen)
{
	char names[256] = "", shown[ZA_CONF_SHOW_MAX + 8];
	size_t i;

	for (i = 0; k->enums[i].name != NULL; i++) {
		if (strcasecmp(val, k->enums[i].name) == 0) {
			*ip = k->enums[i].value;
			return ZA_OK;
		}
	}
	for (i = 0; k->enums[i].name != NULL; i++) {
		if (i > 0)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, k->enums[i].name,
		    sizeof(names) - strlen(names) - 1);
	}
	snprintf(why, whylen, "%s is not one of: %s",
	    za_conf_show(k, val, shown, sizeof(shown)), names);
	return ZA_ERR_CONFIG;
}

static int
za_conf_set_int(const struct za_conf_key *k, const char *val, int *ip,
    char *why, size_t whylen)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	const char *end, *reason = NULL;
	long long v = 0;
	int r;

	if ((r = za_conf_number(val, &end, &v, &reason)) == ZA_OK &&
	    *end != '\0') {
		reason = "not a decimal number";
		r = ZA_ERR_CONFIG;
	}
	if (r != ZA_OK) {
		snprintf(why, whylen, "%s: %s",
		    za_conf_show(k, val, shown, sizeof(shown)), reason);
		return r;
	}
	if (v < k->min || v > k->max) {
		snprintf(why, whylen, "%s is out of range %lld..%lld",
		    za_conf_show(k, val, shown, sizeof(shown)), k->min, k->max);
		return ZA_ERR_CONFIG;
	}
	*ip = (int)v;
	return ZA_OK;
}

/* Durations: "N" or "Ns" (seconds), "Nms", "Nm" (minutes), "Nh" (hours). */
static int
za_conf_set_msec(const struct za_conf_key *k, const char *val, int *ip,
    char *why, size_t whylen)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	const char *end, *reason = NULL;
	long long v = 0, scale;
	int r;

	if ((r = za_conf_number(val, &end, &v, &reason)) != ZA_OK)
		goto bad;
	while (za_conf_is_space(*end))
		end++;
	if (*end == '\0' || strcmp(end, "s") == 0)
		scale = 1000;
	else if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "m") == 0)
		scale = ZA_MIN_MS;
	else if (strcmp(end, "h") == 0)
		scale = ZA_HOUR_MS;
	else {
		reason = "not a duration (N, Ns, Nms, Nm or Nh)";
		r = ZA_ERR_CONFIG;
		goto bad;
	}
	if (v > LLONG_MAX / scale || v * scale < k->min ||
	    v * scale > k->max) {
		snprintf(why, whylen, "%s is out of range %lldms..%lldms",
		    za_conf_show(k, val, shown, sizeof(shown)), k->min, k->max);
		return ZA_ERR_CONFIG;
	}
	*ip = (int)(v * scale);
	return ZA_OK;
bad:
	snprintf(why, whylen, "%s: %s",
	    za_conf_show(k, val, shown, sizeof(shown)), reason);
	return r;
}

static int
za_conf_check_dn(const struct za_conf_key *k, const char *val, char *why,
    size_t whylen)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	LDAPDN dn = NULL;

	if (ldap_str2dn(val, &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    dn == NULL) {
		if (dn != NULL)
			ldap_dnfree(dn);
		snprintf(why, whylen, "%s is not a valid DN",
		    za_conf_show(k, val, shown, sizeof(shown)));
		return ZA_ERR_CONFIG;
	}
	ldap_dnfree(dn);
	return ZA_OK;
}

/* Check one URI: ldap, ldaps or ldapi, host and port only. */
static int
za_conf_check_uri(const char *uri, char *why, size_t whylen)
{
	static const char *const schemes[] = { "ldap://", "ldaps://",
	    "ldapi://", NULL };
	char shown[ZA_CONF_SHOW_MAX + 8];
	LDAPURLDesc *lud = NULL;
	const char *host;
	size_t i;
	int r = ZA_ERR_CONFIG;

	for (i = 0; schemes[i] != NULL; i++)
		if (strncasecmp(uri, schemes[i], strlen(schemes[i])) == 0)
			break;
	if (schemes[i] == NULL) {
		snprintf(why, whylen, "%s: scheme must be ldap://, ldaps:// "
		    "or ldapi://", za_conf_quote(uri, shown, sizeof(shown)));
		goto out;
	}
	/* "ldap://a,ldap://b" is one list for libldap, but one URI here. */
	host = strstr(uri, "://") + 3;
	if (strcspn(host, ",") < strcspn(host, "/")) {
		snprintf(why, whylen, "%s: separate URIs with spaces",
		    za_conf_quote(uri, shown, sizeof(shown)));
		goto out;
	}
	if (strchr(uri, '?') != NULL) {
		snprintf(why, whylen, "%s: a server URI takes no attributes, "
		    "scope, filter or extensions",
		    za_conf_quote(uri, shown, sizeof(shown)));
		goto out;
	}
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS || lud == NULL) {
		snprintf(why, whylen, "%s is not a valid LDAP URI",
		    za_conf_quote(uri, shown, sizeof(shown)));
		goto out;
	}
	if (lud->lud_dn != NULL && lud->lud_dn[0] != '\0') {
		snprintf(why, whylen, "%s: a server URI takes no DN "
		    "(set directory.base)", za_conf_quote(uri, shown,
		    sizeof(shown)));
		goto out;
	}
	if (lud->lud_port < 0 || lud->lud_port > 65535) {
		snprintf(why, whylen, "%s: port out of range 1..65535",
		    za_conf_quote(uri, shown, sizeof(shown)));
		goto out;
	}
	r = ZA_OK;
out:
	if (lud != NULL)
		ldap_free_urldesc(lud);
	return r;
}

/* Replace the URI list with the space-separated URIs of val. */
static int
za_conf_set_uris(struct za_config *cfg, const char *val, char *why,
    size_t whylen)
{
	char *uris[ZA_CONF_MAX_URIS];
	const char *p = val, *start;
	size_t n = 0, i, len;
	int r;

	while ((start = za_conf_next_word(&p, &len)) != NULL) {
		if (n == ZA_CONF_MAX_URIS) {
			snprintf(why, whylen, "more than %d URIs",
			    ZA_CONF_MAX_URIS);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		if ((uris[n] = strndup(start, len)) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		n++;
		if ((r = za_conf_check_uri(uris[n - 1], why, whylen)) != ZA_OK)
			goto out;
	}
	for (i = 0; i < cfg->dir.n_uris; i++) {
		free(cfg->dir.uris[i]);
		cfg->dir.uris[i] = NULL;
	}
	for (i = 0; i < n; i++)
		cfg->dir.uris[i] = uris[i];
	cfg->dir.n_uris = n;
	n = 0;
	r = ZA_OK;
out:
	for (i = 0; i < n; i++)
		free(uris[i]);
	return r;
}

/* A relying party id: printable ASCII without space, ZA_RP_ID_MAX bytes. */
static int
za_conf_check_rp_id(const struct za_conf_key *k, const char *val, char *why,
    size_t whylen)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	size_t i;

	for (i = 0; val[i] != '\0'; i++) {
		if (i >= ZA_RP_ID_MAX) {
			snprintf(why, whylen, "longer than %d bytes",
			    ZA_RP_ID_MAX);
			return ZA_ERR_CONFIG;
		}
		if ((unsigned char)val[i] <= 0x20 ||
		    (unsigned char)val[i] >= 0x7f) {
			snprintf(why, whylen, "%s: a relying party id is "
			    "printable ASCII without spaces",
			    za_conf_show(k, val, shown, sizeof(shown)));
			return ZA_ERR_CONFIG;
		}
	}
	return ZA_OK;
}

/*
 * Replace the AAGUID allowlist with the space-separated AAGUIDs of val
 * (8-4-4-4-12 hex, each once); an empty value empties it.
 */
static int
za_conf_set_aaguids(struct za_fido2_config *f, const char *val, char *why,
    size_t whylen)
{
	unsigned char v[ZA_CONF_MAX_AAGUIDS][ZA_CONF_AAGUID_LEN];
	char word[ZA_AAGUID_TEXT_LEN + 1];
	const char *p = val, *start;
	size_t n = 0, i, len;

	while ((start = za_conf_next_word(&p, &len)) != NULL) {
		if (n == ZA_CONF_MAX_AAGUIDS) {
			snprintf(why, whylen, "more than %d AAGUIDs",
			    ZA_CONF_MAX_AAGUIDS);
			return ZA_ERR_CONFIG;
		}
		if (len != ZA_AAGUID_TEXT_LEN ||
		    za_aaguid_parse(start, len, v[n]) != ZA_OK) {
			snprintf(why, whylen, "\"%.*s\" is not an AAGUID "
			    "(8-4-4-4-12 hexadecimal digits)",
			    len > 48 ? 48 : (int)len, start);
			return ZA_ERR_CONFIG;
		}
		for (i = 0; i < n; i++) {
			if (memcmp(v[i], v[n], ZA_CONF_AAGUID_LEN) == 0) {
				memcpy(word, start, len);
				word[len] = '\0';
				snprintf(why, whylen, "AAGUID %s listed twice",
				    word);
				return ZA_ERR_CONFIG;
			}
		}
		n++;
	}
	memset(f->aaguids, 0, sizeof(f->aaguids));
	memcpy(f->aaguids, v, n * sizeof(v[0]));
	f->naaguids = n;
	return ZA_OK;
}

/* Replace the selectors of rule with those of val. */
static int
za_conf_set_match(struct za_rule *rule, const char *val, char *why,
    size_t whylen)
{
	struct za_rule old;
	struct za_selector *v = NULL;
	size_t n = 0;
	int r;

	if (rule == NULL)
		return ZA_ERR_ARG;
	if ((r = za_policy_parse_match(val, &v, &n, why, whylen)) != ZA_OK)
		return r;
	memset(&old, 0, sizeof(old));
	old.match = rule->match;
	old.nmatch = rule->nmatch;
	za_rule_clear(&old);
	rule->match = v;
	rule->nmatch = n;
	return ZA_OK;
}

/*
 * Set the field of key k from val (trimmed, checked text): a field of cfg,
 * or of rule for the keys of a named section.  On ZA_ERR_CONFIG, why says
 * what is wrong with the value.
 */
static int
za_conf_set(struct za_config *cfg, struct za_rule *rule,
    const struct za_conf_key *k, const char *val, char *why, size_t whylen)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	char *copy = NULL, **sp;
	void *base = cfg;
	int *ip;
	int r;

	if ((k->flags & ZA_CK_NAMED) != 0) {
		if (rule == NULL) {
			snprintf(why, whylen, "not inside a named section");
			return ZA_ERR_CONFIG;
		}
		base = rule;
	}
	ip = (int *)(void *)((char *)base + k->offset);
	if (*val == '\0' && (k->flags & ZA_CK_EMPTY_OK) == 0) {
		snprintf(why, whylen, "empty value");
		return ZA_ERR_CONFIG;
	}
	switch (k->type) {
	case ZA_CT_BOOL:
		if ((r = za_conf_set_bool(val, ip)) != ZA_OK)
			snprintf(why, whylen, "%s is not yes or no",
			    za_conf_show(k, val, shown, sizeof(shown)));
		return r;
	case ZA_CT_ENUM:
		return za_conf_set_enum(k, val, ip, why, whylen);
	case ZA_CT_INT:
		return za_conf_set_int(k, val, ip, why, whylen);
	case ZA_CT_MSEC:
		return za_conf_set_msec(k, val, ip, why, whylen);
	case ZA_CT_URIS:
		return za_conf_set_uris(cfg, val, why, whylen);
	case ZA_CT_MATCH:
		return za_conf_set_match(rule, val, why, whylen);
	case ZA_CT_CLASSES:
		return za_policy_parse_classes(val,
		    (unsigned int *)(void *)((char *)base + k->offset), why,
		    whylen);
	case ZA_CT_METHODS:
		return za_policy_parse_methods(val,
		    (unsigned int *)(void *)((char *)base + k->offset), why,
		    whylen);
	case ZA_CT_AAGUIDS:
		return za_conf_set_aaguids((struct za_fido2_config *)(void *)
		    ((char *)base + k->offset), val, why, whylen);
	case ZA_CT_RPID:
		if ((r = za_conf_check_rp_id(k, val, why, whylen)) != ZA_OK)
			return r;
		break;
	case ZA_CT_PATH:
		if (*val != '\0' && *val != '/') {
			snprintf(why, whylen, "%s is not an absolute path",
			    za_conf_show(k, val, shown, sizeof(shown)));
			return ZA_ERR_CONFIG;
		}
		break;
	case ZA_CT_DN:
		if (*val != '\0' &&
		    (r = za_conf_check_dn(k, val, why, whylen)) != ZA_OK)
			return r;
		break;
	}
	/* A string type: an empty value unsets the field. */
	if (*val != '\0' && (copy = strdup(val)) == NULL)
		return ZA_ERR_NOMEM;
	sp = (char **)(void *)((char *)base + k->offset);
	free(*sp);
	*sp = copy;
	return ZA_OK;
}

static const struct za_conf_key *
za_conf_lookup(const char *section, const char *key, size_t *indexp)
{
	size_t i;

	for (i = 0; i < ZA_CONF_NKEYS; i++) {
		if (strcmp(za_conf_keys[i].section, section) == 0 &&
		    strcmp(za_conf_keys[i].key, key) == 0) {
			*indexp = i;
			return &za_conf_keys[i];
		}
	}
	return NULL;
}

/* The table's spelling of a known plain section, or NULL. */
static const char *
za_conf_section(const char *name)
{
	size_t i;

	for (i = 0; i < ZA_CONF_NKEYS; i++)
		if (strcmp(za_conf_keys[i].section, name) == 0 &&
		    (za_conf_keys[i].flags & ZA_CK_NAMED) == 0)
			return za_conf_keys[i].section;
	return NULL;
}

/* The table's spelling of a known named-section kind ("rule"), or NULL. */
static const char *
za_conf_named_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < ZA_CONF_NKEYS; i++)
		if (strcmp(za_conf_keys[i].section, kind) == 0 &&
		    (za_conf_keys[i].flags & ZA_CK_NAMED) != 0)
			return za_conf_keys[i].section;
	return NULL;
}

/* ---------------------------------------------------------------- files */

/*
 * Log one error of a parse as "NAME:LINE: message" (or "NAME: message"
 * when line is 0, or the bare message for arguments) and remember the
 * first error code.
 */
static void __attribute__((format(printf, 4, 5)))
za_conf_fail(struct za_conf_parse *p, int r, size_t line, const char *fmt,
    ...)
{
	char msg[ZA_CONF_WHY_MAX + ZA_CONF_SHOW_MAX + 128];
	va_list ap;

	if (p->r == ZA_OK)
		p->r = r;
	if (p->nerr++ >= ZA_CONF_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->name == NULL)
		za_log_msg(p->lg, LOG_ERR, "config", "%s", msg);
	else if (line == 0)
		za_log_msg(p->lg, LOG_ERR, "config", "%s: %s", p->name, msg);
	else
		za_log_msg(p->lg, LOG_ERR, "config", "%s:%zu: %s", p->name,
		    line, msg);
	if (p->nerr == ZA_CONF_MAX_ERRORS)
		za_log_msg(p->lg, LOG_ERR, "config", "%s: too many errors, "
		    "not reporting more", p->name != NULL ? p->name :
		    "module arguments");
}

/*
 * "[rule NAME]": start rule NAME of this parse.  A rule of that name from
 * an earlier source is replaced in its place; a new name is appended.
 */
static void
za_conf_named_section(struct za_conf_parse *p, size_t lineno,
    const char *kind, char *name)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	struct za_config *cfg = p->cfg;
	struct za_rule *v, fresh;
	size_t i;
	int r;

	name = za_conf_trim(name);
	if (!za_rule_name_ok(name)) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "[%s %s]: a %s name is "
		    "1..%d characters of A-Z a-z 0-9 _ . -", kind,
		    za_conf_excerpt(name, 0, shown, sizeof(shown)), kind,
		    ZA_RULE_NAME_MAX);
		return;
	}
	for (i = 0; i < cfg->nrules; i++)
		if (strcmp(cfg->rules[i].name, name) == 0)
			break;
	if (i < cfg->nrules && p->rule_line[i] != 0) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "duplicate section "
		    "[%s %s] (first on line %zu)", kind, name,
		    p->rule_line[i]);
		return;
	}
	if (i == cfg->nrules && cfg->nrules >= ZA_RULE_MAX) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "more than %d [%s] "
		    "sections", ZA_RULE_MAX, kind);
		return;
	}
	if ((r = za_rule_init(&fresh, name)) != ZA_OK) {
		za_conf_fail(p, r, lineno, "out of memory");
		return;
	}
	if (i == cfg->nrules) {
		v = realloc(cfg->rules, (cfg->nrules + 1) * sizeof(*v));
		if (v == NULL) {
			za_rule_clear(&fresh);
			za_conf_fail(p, ZA_ERR_NOMEM, lineno, "out of memory");
			return;
		}
		cfg->rules = v;
		cfg->nrules++;
	} else
		za_rule_clear(&cfg->rules[i]);
	cfg->rules[i] = fresh;
	p->rule_line[i] = lineno;
	p->rule = &cfg->rules[i];
	memset(p->rule_seen, 0, sizeof(p->rule_seen));
	p->section = kind;
	p->in_bad_section = 0;
}

static void
za_conf_section_line(struct za_conf_parse *p, size_t lineno, char *s)
{
	char shown[ZA_CONF_SHOW_MAX + 8];
	const char *kind;
	char *close, *name, *sp;

	p->section = NULL;
	p->rule = NULL;
	p->in_bad_section = 1;	/* until it proves good */
	if ((close = strchr(s, ']')) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "unterminated section header (missing ']')");
		return;
	}
	if (close[1] != '\0') {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "text after ']' in section header");
		return;
	}
	*close = '\0';
	name = za_conf_trim(s + 1);
	if (*name == '\0') {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "empty section name");
		return;
	}
	if ((sp = strpbrk(name, " \t")) != NULL) {
		*sp = '\0';
		if ((kind = za_conf_named_kind(name)) != NULL) {
			za_conf_named_section(p, lineno, kind, sp + 1);
			return;
		}
		*sp = ' ';
	} else if ((kind = za_conf_named_kind(name)) != NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "section [%s] needs a "
		    "name: [%s NAME]", kind, kind);
		return;
	}
	if ((p->section = za_conf_section(name)) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "unknown section [%s]",
		    za_conf_excerpt(name, 0, shown, sizeof(shown)));
		return;
	}
	p->in_bad_section = 0;
}

static void
za_conf_key_line(struct za_conf_parse *p, size_t lineno, char *s)
{
	char why[ZA_CONF_WHY_MAX], shown[ZA_CONF_SHOW_MAX + 8];
	const struct za_conf_key *k;
	char *eq, *key, *val;
	size_t idx = 0;
	int r;

	if ((eq = strchr(s, '=')) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "expected \"key = value\" or \"[section]\"");
		return;
	}
	*eq = '\0';
	key = za_conf_trim(s);
	val = za_conf_trim(eq + 1);
	if (*key == '\0') {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "missing key before '='");
		return;
	}
	if (p->in_bad_section)
		return;		/* the section header was reported */
	if (p->section == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "key %s outside any [section]",
		    za_conf_quote(key, shown, sizeof(shown)));
		return;
	}
	if ((k = za_conf_lookup(p->section, key, &idx)) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "unknown key %s in section [%s%s%s]",
		    za_conf_quote(key, shown, sizeof(shown)), p->section,
		    p->rule != NULL ? " " : "",
		    p->rule != NULL ? p->rule->name : "");
		return;
	}
	if ((k->flags & ZA_CK_NAMED) != 0) {
		if (p->rule_seen[idx] != 0) {
			za_conf_fail(p, ZA_ERR_CONFIG, lineno,
			    "duplicate key %s in [%s %s] (first set on line "
			    "%zu)", k->key, k->section, p->rule->name,
			    p->rule_seen[idx]);
			return;
		}
		p->rule_seen[idx] = lineno;
		if ((r = za_conf_set(p->cfg, p->rule, k, val, why,
		    sizeof(why))) == ZA_OK)
			return;
		if (r == ZA_ERR_NOMEM)
			za_conf_fail(p, r, lineno, "[%s %s] %s: out of memory",
			    k->section, p->rule->name, k->key);
		else
			za_conf_fail(p, r, lineno, "[%s %s] %s: %s",
			    k->section, p->rule->name, k->key, why);
		return;
	}
	if (p->seen[idx] != 0) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "duplicate key %s.%s (first set on line %zu)",
		    k->section, k->key, p->seen[idx]);
		return;
	}
	p->seen[idx] = lineno;
	if ((r = za_conf_set(p->cfg, NULL, k, val, why, sizeof(why))) !=
	    ZA_OK) {
		if (r == ZA_ERR_NOMEM)
			za_conf_fail(p, r, lineno, "%s.%s: out of memory",
			    k->section, k->key);
		else
			za_conf_fail(p, r, lineno, "%s.%s: %s", k->section,
			    k->key, why);
	}
}

static void
za_conf_line(struct za_conf_parse *p, size_t lineno, const char *text,
    size_t n)
{
	char line[ZA_CONF_MAX_LINE + 1];
	const char *bad;
	char *s;

	if (n > ZA_CONF_MAX_LINE) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno,
		    "line longer than %d bytes", ZA_CONF_MAX_LINE);
		return;
	}
	if ((bad = za_conf_check_text(text, n)) != NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, lineno, "%s", bad);
		return;
	}
	memcpy(line, text, n);
	line[n] = '\0';
	s = za_conf_trim(line);
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[')
		za_conf_section_line(p, lineno, s);
	else
		za_conf_key_line(p, lineno, s);
}

/* Parse buf into cfg in place (no transaction); returns the first error. */
static int
za_conf_parse_buf(struct za_config *cfg, const char *name, const char *buf,
    size_t len, const struct za_log *lg)
{
	struct za_conf_parse p;
	const char *nl;
	size_t pos = 0, end, next, n, lineno = 0;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = name;
	p.lg = lg;
	if (len > ZA_CONF_MAX_SIZE) {
		za_conf_fail(&p, ZA_ERR_TOO_LARGE, 0,
		    "larger than %d bytes", ZA_CONF_MAX_SIZE);
		return p.r;
	}
	/* A byte order mark, as some Windows editors write. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		lineno++;
		nl = memchr(buf + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - buf) : len;
		next = nl != NULL ? end + 1 : len;
		n = end - pos;
		if (n > 0 && buf[end - 1] == '\r')
			n--;
		za_conf_line(&p, lineno, buf + pos, n);
		pos = next;
	}
	return p.r;
}

int
za_config_parse(struct za_config *cfg, const char *name, const char *buf,
    size_t len, const struct za_log *lg)
{
	struct za_config *work = NULL;
	int r;

	if (cfg == NULL || name == NULL || (buf == NULL && len != 0))
		return ZA_ERR_ARG;
	if ((r = za_conf_copy(cfg, &work)) != ZA_OK)
		goto out;
	if ((r = za_conf_parse_buf(work, name, buf != NULL ? buf : "", len,
	    lg)) != ZA_OK)
		goto out;
	za_conf_commit(cfg, &work);
out:
	za_config_free(&work);
	return r;
}

/* Read and parse path into work (no transaction) and record the path. */
static int
za_conf_load_into(struct za_config *work, const char *path, uid_t owner,
    const struct za_log *lg)
{
	struct za_file_policy pol;
	char *buf = NULL, *copy = NULL;
	size_t len = 0;
	int r;

	memset(&pol, 0, sizeof(pol));
	pol.owner = owner;
	pol.secret = 0;
	pol.max_size = ZA_CONF_MAX_SIZE;
	r = za_file_read_checked(path, &pol, lg, &buf, &len);
	if (r == ZA_ERR_PARSE)
		r = ZA_ERR_CONFIG;	/* NUL byte, reported by za_file */
	if (r != ZA_OK)
		goto out;
	if ((r = za_conf_parse_buf(work, path, buf, len, lg)) != ZA_OK)
		goto out;
	if ((copy = strdup(path)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	free(work->path);
	work->path = copy;
	r = ZA_OK;
out:
	free(buf);
	return r;
}

int
za_config_load(struct za_config *cfg, const char *path, uid_t owner,
    const struct za_log *lg)
{
	struct za_config *work = NULL;
	int r;

	if (cfg == NULL || path == NULL)
		return ZA_ERR_ARG;
	if ((r = za_conf_copy(cfg, &work)) != ZA_OK)
		goto out;
	if ((r = za_conf_load_into(work, path, owner, lg)) != ZA_OK)
		goto out;
	za_conf_commit(cfg, &work);
out:
	za_config_free(&work);
	return r;
}

/* ---------------------------------------------------------------- arguments */

/* Apply argument number i (0-based) of the module's list. */
static void
za_conf_arg(struct za_conf_parse *p, size_t i, const char *arg)
{
	char why[ZA_CONF_WHY_MAX], shown[ZA_CONF_SHOW_MAX + 8];
	char sec[ZA_CONF_SHOW_MAX + 8], key[ZA_CONF_SHOW_MAX + 8];
	char buf[ZA_CONF_MAX_LINE + 1], *dot, *val;
	const struct za_conf_key *k;
	const char *eq, *bad;
	size_t idx = 0, n;
	int r;

	if (arg == NULL) {
		za_conf_fail(p, ZA_ERR_ARG, 0, "argument %zu is NULL", i + 1);
		return;
	}
	n = strlen(arg);
	if (n > ZA_CONF_MAX_LINE) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument %zu: longer than "
		    "%d bytes", i + 1, ZA_CONF_MAX_LINE);
		return;
	}
	if ((bad = za_conf_check_text(arg, n)) != NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument %zu: %s", i + 1,
		    bad);
		return;
	}
	if (strcmp(arg, "debug") == 0) {
		p->cfg->debug = 1;
		return;
	}
	if ((eq = strchr(arg, '=')) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument %s: unknown "
		    "argument", za_conf_quote(arg, shown, sizeof(shown)));
		return;
	}
	if (strncmp(arg, "conf=", 5) == 0) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument %s: conf= must be "
		    "the first argument", za_conf_quote(arg, shown,
		    sizeof(shown)));
		return;
	}
	/* Until the key is known, echo only its name: the value may be secret. */
	memcpy(buf, arg, n + 1);
	buf[eq - arg] = '\0';
	if ((dot = strchr(buf, '.')) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument \"%s=...\": "
		    "expected section.key=value or debug",
		    za_conf_excerpt(buf, 0, sec, sizeof(sec)));
		return;
	}
	*dot = '\0';
	za_conf_excerpt(buf, 0, sec, sizeof(sec));
	za_conf_excerpt(dot + 1, 0, key, sizeof(key));
	if (za_conf_named_kind(buf) != NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument \"%s.%s=...\": "
		    "[%s NAME] sections can only be set in the configuration "
		    "file", sec, key, sec);
		return;
	}
	if (za_conf_section(buf) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument \"%s.%s=...\": "
		    "unknown section [%s]", sec, key, sec);
		return;
	}
	if ((k = za_conf_lookup(buf, dot + 1, &idx)) == NULL) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument \"%s.%s=...\": "
		    "unknown key in section [%s]", sec, key, sec);
		return;
	}
	val = za_conf_trim(buf + (eq - arg) + 1);
	if ((k->flags & ZA_CK_SECRET) != 0)
		snprintf(shown, sizeof(shown), "...");
	else
		za_conf_excerpt(val, 0, shown, sizeof(shown));
	if (p->seen[idx] != 0) {
		za_conf_fail(p, ZA_ERR_CONFIG, 0, "argument \"%s.%s=%s\": "
		    "duplicate (also argument %zu)", k->section, k->key, shown,
		    p->seen[idx]);
		return;
	}
	p->seen[idx] = i + 1;
	if ((r = za_conf_set(p->cfg, NULL, k, val, why, sizeof(why))) == ZA_OK)
		return;
	if (r == ZA_ERR_NOMEM)
		za_conf_fail(p, r, 0, "argument \"%s.%s=%s\": out of memory",
		    k->section, k->key, shown);
	else
		za_conf_fail(p, r, 0, "argument \"%s.%s=%s\": %s",
		    k->section, k->key, shown, why);
}

int
za_config_from_args(struct za_config *cfg, int argc, const char **argv,
    const char *default_path, uid_t owner, const struct za_log *lg)
{
	struct za_conf_parse p;
	struct za_config *work = NULL;
	char shown[ZA_CONF_SHOW_MAX + 8];
	const char *path = default_path, *bad;
	size_t first = 0, i;
	int r;

	if (cfg == NULL || argc < 0 || (argc > 0 && argv == NULL))
		return ZA_ERR_ARG;
	if ((r = za_conf_copy(cfg, &work)) != ZA_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.cfg = work;
	p.name = NULL;
	p.lg = lg;
	if (argc > 0 && argv[0] != NULL && strncmp(argv[0], "conf=", 5) == 0) {
		first = 1;
		path = argv[0] + 5;
		if ((bad = za_conf_check_text(path, strlen(path))) != NULL) {
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "argument 1: %s",
			    bad);
			path = NULL;
		} else if (path[0] != '/') {
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "argument %s: conf= "
			    "needs an absolute path", za_conf_quote(argv[0],
			    shown, sizeof(shown)));
			path = NULL;
		}
	}
	if (path != NULL && (r = za_conf_load_into(work, path, owner, lg)) !=
	    ZA_OK && p.r == ZA_OK)
		p.r = r;
	for (i = first; i < (size_t)argc; i++)
		za_conf_arg(&p, i, argv[i]);
	if ((r = p.r) != ZA_OK)
		goto out;
	za_conf_commit(cfg, &work);
out:
	za_config_free(&work);
	return r;
}

/* ---------------------------------------------------------------- finish */

int
za_config_finish(struct za_config *cfg, const struct za_log *lg)
{
	struct za_conf_parse p;
	char *users = NULL, *groups = NULL;
	size_t i;
	int has_ldapi = 0, r;

	if (cfg == NULL)
		return ZA_ERR_ARG;
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = cfg->path != NULL ? cfg->path : "configuration";
	p.lg = lg;
	for (i = 0; i < cfg->dir.n_uris; i++)
		if (strncasecmp(cfg->dir.uris[i], "ldapi://", 8) == 0)
			has_ldapi = 1;
	if (cfg->dir.n_uris == 0)
		za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.uri is not set");
	if (cfg->dir.base_dn == NULL)
		za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.base is not set");
	switch (cfg->dir.bind) {
	case ZA_BIND_SIMPLE:
		if (cfg->dir.bind_dn == NULL)
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.bind = "
			    "simple needs directory.bind_dn");
		if (cfg->dir.bind_password_file == NULL)
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.bind = "
			    "simple needs directory.bind_password_file");
		break;
	case ZA_BIND_SASL_EXTERNAL:
	case ZA_BIND_ANONYMOUS:
		if (cfg->dir.bind_dn != NULL)
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.bind_dn "
			    "is only used with directory.bind = simple");
		if (cfg->dir.bind_password_file != NULL)
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory."
			    "bind_password_file is only used with "
			    "directory.bind = simple");
		if (cfg->dir.bind == ZA_BIND_SASL_EXTERNAL &&
		    cfg->dir.n_uris > 0 && !has_ldapi)
			za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.bind = "
			    "sasl-external needs an ldapi:// URI in "
			    "directory.uri");
		break;
	}
	if (cfg->dir.total_timeout_ms < cfg->dir.connect_timeout_ms)
		za_conf_fail(&p, ZA_ERR_CONFIG, 0, "directory.total_timeout "
		    "(%dms) is shorter than directory.connect_timeout (%dms)",
		    cfg->dir.total_timeout_ms, cfg->dir.connect_timeout_ms);
	/* Rules: each problem is logged there; count it as one error here. */
	if (za_policy_check(cfg, p.name, lg) != ZA_OK && p.r == ZA_OK)
		p.r = ZA_ERR_CONFIG;
	if ((r = p.r) != ZA_OK)
		goto out;
	if (cfg->dir.users_dn == NULL && asprintf(&users, "ou=people,%s",
	    cfg->dir.base_dn) < 0) {
		users = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if (cfg->dir.groups_dn == NULL && asprintf(&groups, "ou=groups,%s",
	    cfg->dir.base_dn) < 0) {
		groups = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if (users != NULL) {
		cfg->dir.users_dn = users;
		users = NULL;
	}
	if (groups != NULL) {
		cfg->dir.groups_dn = groups;
		groups = NULL;
	}
	r = ZA_OK;
out:
	free(users);
	free(groups);
	return r;
}
