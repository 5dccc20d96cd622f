/*
 * Unit tests: the factor policy (lib/policy.c) and the configuration keys
 * that feed it and the PAM module (lib/config.c): [auth], [otp],
 * [lockout], [session], general.localedir, duration units, and the named
 * sections "[rule NAME]" with their checks, including the refusal of a
 * one-class rule under zone = mynumber.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "za_config.h"
#include "za_err.h"
#include "za_log.h"
#include "za_policy.h"

#define CAP_LINES	32

struct fx {
	struct za_log lg;
	char lines[CAP_LINES][1024];
	int n;
};

static void
cap_emit(void *arg, int priority, const char *line)
{
	struct fx *f = arg;

	(void)priority;
	if (f->n < CAP_LINES)
		snprintf(f->lines[f->n], sizeof(f->lines[f->n]), "%s", line);
	f->n++;
}

static int
setup(void **state)
{
	struct fx *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->lg.emit = cap_emit;
	f->lg.arg = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

/* Some logged line contains both needles (needle2 may be NULL). */
static void
assert_logged(const struct fx *f, const char *needle1, const char *needle2)
{
	int i;

	for (i = 0; i < f->n && i < CAP_LINES; i++)
		if (strstr(f->lines[i], needle1) != NULL && (needle2 == NULL ||
		    strstr(f->lines[i], needle2) != NULL))
			return;
	for (i = 0; i < f->n && i < CAP_LINES; i++)
		print_message("logged: %s\n", f->lines[i]);
	fail_msg("nothing logged with \"%s\" and \"%s\"", needle1,
	    needle2 != NULL ? needle2 : "");
}

static int
parse(struct fx *f, struct za_config *cfg, const char *text)
{
	f->n = 0;
	return za_config_parse(cfg, "t.conf", text, strlen(text), &f->lg);
}

/* The minimal [directory] a finished configuration needs. */
#define DIRSEC "[directory]\nuri = ldap://127.0.0.1/\nbase = dc=x\n" \
	"bind = anonymous\n"

/* ---------------------------------------------------------------- keys */

static void
test_defaults(void **state)
{
	struct za_config *cfg = za_config_new();

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(cfg->password, ZA_PASSWORD_DIRECTORY);
	assert_int_equal(cfg->otp_window, -1);
	assert_int_equal(cfg->otp_lookahead, -1);
	assert_int_equal(cfg->lockout_deny, 5);
	assert_int_equal(cfg->lockout_window_ms, 15 * 60 * 1000);
	assert_int_equal(cfg->lockout_unlock_ms, 15 * 60 * 1000);
	assert_int_equal(cfg->lockout_delay_ms, 2000);
	assert_int_equal(cfg->lockout_ppolicy, 0);
	assert_int_equal(cfg->session_last_login, 1);
	assert_null(cfg->session_banner);
	assert_int_equal(cfg->session_record_ms, 5 * 60 * 1000);
	assert_null(cfg->localedir);
	assert_int_equal(cfg->nrules, 0);
	assert_null(cfg->rules);
	za_config_free(&cfg);
}

static void
test_new_keys(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse(f, cfg,
	    "[general]\nlocaledir = /opt/zoneauth/locale\n"
	    "[auth]\npassword = Stack\n"
	    "[otp]\nwindow = 0\nlookahead = 100\n"
	    "[lockout]\ndeny = 100\nwindow = 1h\nunlock_time = 0\n"
	    "delay = 500ms\nppolicy = yes\n"
	    "[session]\nlast_login = no\nbanner = /etc/issue.zoneauth\n"
	    "record_interval = 90s\n"), ZA_OK);
	assert_string_equal(cfg->localedir, "/opt/zoneauth/locale");
	assert_int_equal(cfg->password, ZA_PASSWORD_STACK);
	assert_int_equal(cfg->otp_window, 0);
	assert_int_equal(cfg->otp_lookahead, 100);
	assert_int_equal(cfg->lockout_deny, 100);
	assert_int_equal(cfg->lockout_window_ms, 3600 * 1000);
	assert_int_equal(cfg->lockout_unlock_ms, 0);
	assert_int_equal(cfg->lockout_delay_ms, 500);
	assert_int_equal(cfg->lockout_ppolicy, 1);
	assert_int_equal(cfg->session_last_login, 0);
	assert_string_equal(cfg->session_banner, "/etc/issue.zoneauth");
	assert_int_equal(cfg->session_record_ms, 90 * 1000);
	/* Minutes, and an empty banner unsets it. */
	assert_int_equal(parse(f, cfg,
	    "[lockout]\nwindow = 30m\n[session]\nbanner =\n"), ZA_OK);
	assert_int_equal(cfg->lockout_window_ms, 30 * 60 * 1000);
	assert_null(cfg->session_banner);
	za_config_free(&cfg);
}

struct bad {
	const char *text;
	const char *needle1;
	const char *needle2;
};

static const struct bad bad_keys[] = {
	{ "[lockout]\ndeny = 0\n", "lockout.deny", "out of range 1..100" },
	{ "[lockout]\ndeny = 101\n", "lockout.deny", "out of range" },
	{ "[lockout]\nwindow = 0\n", "lockout.window", "out of range" },
	{ "[lockout]\nwindow = 25h\n", "lockout.window", "out of range" },
	{ "[lockout]\nunlock_time = 169h\n", "lockout.unlock_time",
	    "out of range" },
	{ "[lockout]\nunlock_time = 1d\n", "lockout.unlock_time",
	    "not a duration (N, Ns, Nms, Nm or Nh)" },
	{ "[lockout]\ndelay = 31s\n", "lockout.delay", "out of range" },
	{ "[lockout]\nppolicy = maybe\n", "lockout.ppolicy", "not yes or no" },
	{ "[auth]\npassword = kerberos\n", "auth.password",
	    "not one of: directory, stack" },
	{ "[otp]\nwindow = 11\n", "otp.window", "out of range 0..10" },
	{ "[otp]\nlookahead = -1\n", "otp.lookahead", "not a decimal" },
	{ "[session]\nbanner = etc/issue\n", "session.banner",
	    "not an absolute path" },
	{ "[session]\nrecord_interval = 2h 5m\n", "session.record_interval",
	    "not a duration" },
	{ "[general]\nlocaledir = locale\n", "general.localedir",
	    "not an absolute path" },
};

static void
test_bad_keys(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg;
	size_t i;

	for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		cfg = za_config_new();
		assert_non_null(cfg);
		if (parse(f, cfg, bad_keys[i].text) != ZA_ERR_CONFIG)
			fail_msg("accepted: %s", bad_keys[i].text);
		assert_logged(f, bad_keys[i].needle1, bad_keys[i].needle2);
		/* Unchanged on error. */
		assert_int_equal(cfg->lockout_deny, 5);
		assert_int_equal(cfg->password, ZA_PASSWORD_DIRECTORY);
		za_config_free(&cfg);
	}
}

/* ---------------------------------------------------------------- rules */

static void
test_rules_parse(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const struct za_rule *r;

	assert_int_equal(parse(f, cfg,
	    "[rule staff]\n"
	    "match = group:shimin  user:tanaka\tzone:mynumber\n"
	    "classes = 2\n"
	    "require = possession , knowledge\n"
	    "methods = password,totp\n"
	    "[general]\nzone = general\n"
	    "[rule contractors.2026-A]\nmatch = any\nclasses = 1\n"
	    "methods = hotp\n"), ZA_OK);
	assert_int_equal(cfg->nrules, 2);
	r = &cfg->rules[0];
	assert_string_equal(r->name, "staff");
	assert_int_equal(r->nmatch, 3);
	assert_int_equal(r->match[0].kind, ZA_SEL_GROUP);
	assert_string_equal(r->match[0].name, "shimin");
	assert_int_equal(r->match[1].kind, ZA_SEL_USER);
	assert_string_equal(r->match[1].name, "tanaka");
	assert_int_equal(r->match[2].kind, ZA_SEL_ZONE);
	assert_int_equal(r->match[2].zone, ZA_ZONE_MYNUMBER);
	assert_int_equal(r->classes, 2);
	assert_int_equal(r->require, ZA_CLASS_KNOWLEDGE | ZA_CLASS_POSSESSION);
	assert_int_equal(r->methods, ZA_METHOD_PASSWORD | ZA_METHOD_TOTP);
	r = &cfg->rules[1];
	assert_string_equal(r->name, "contractors.2026-A");
	assert_int_equal(r->nmatch, 1);
	assert_int_equal(r->match[0].kind, ZA_SEL_ANY);
	assert_int_equal(r->classes, 1);
	assert_int_equal(r->require, 0);
	assert_int_equal(r->methods, ZA_METHOD_HOTP);
	za_config_free(&cfg);
}

static const struct bad bad_rules[] = {
	{ "[rule]\n", "section [rule] needs a name", NULL },
	{ "[rule a b]\n", "[rule a b]: a rule name is", NULL },
	{ "[rule 規則]\n", "a rule name is", NULL },
	{ "[rule x]\nmatch = any\n[rule x]\n", "duplicate section [rule x]",
	    "first on line 1" },
	{ "[rule x]\nclasses = 2\nclasses = 3\n",
	    "duplicate key classes in [rule x]", "line 2" },
	{ "[rule x]\nmatchs = any\n", "unknown key \"matchs\"",
	    "[rule x]" },
	{ "[rule x]\nmethods = fido2,password,fido2\n", "[rule x] methods",
	    "\"fido2\" listed twice" },
	{ "[rule x]\nmethods = fido\n", "unknown method \"fido\"", NULL },
	{ "[rule x]\nmethods = password,totp,password\n", "[rule x] methods",
	    "\"password\" listed twice" },
	{ "[rule x]\nmethods = sms\n", "unknown method \"sms\"", NULL },
	{ "[rule x]\nmethods = password,,totp\n", "empty method name", NULL },
	{ "[rule x]\nrequire = soul\n", "unknown class \"soul\"", NULL },
	{ "[rule x]\nmatch = any user:tanaka\n",
	    "\"any\" cannot be combined", NULL },
	{ "[rule x]\nmatch = group:\n", "group name after group:", NULL },
	{ "[rule x]\nmatch = user:Tanaka\n", "not a valid login name", NULL },
	{ "[rule x]\nmatch = zone:office\n", "zone: takes general or mynumber",
	    NULL },
	{ "[rule x]\nmatch = department:zeimu\n", "is not a selector", NULL },
	{ "[rule x]\nclasses = 4\n", "[rule x] classes", "out of range 1..3" },
	{ "[rule x]\nclasses = 0\n", "[rule x] classes", "out of range" },
};

static void
test_rules_errors(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg;
	size_t i;

	for (i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		cfg = za_config_new();
		assert_non_null(cfg);
		if (parse(f, cfg, bad_rules[i].text) != ZA_ERR_CONFIG)
			fail_msg("accepted: %s", bad_rules[i].text);
		assert_logged(f, bad_rules[i].needle1, bad_rules[i].needle2);
		assert_int_equal(cfg->nrules, 0);
		za_config_free(&cfg);
	}
}

/* A later source replaces a rule of the same name in place; errors change nothing. */
static void
test_rules_sources(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const char *argv[] = { "rule.x.classes=3" };

	assert_int_equal(parse(f, cfg, "[rule a]\nmatch = user:tanaka\n"
	    "[rule b]\nmatch = any\nclasses = 3\n"), ZA_OK);
	assert_int_equal(parse(f, cfg, "[rule b]\nmatch = group:g1\n"
	    "[rule c]\nmatch = any\n"), ZA_OK);
	assert_int_equal(cfg->nrules, 3);
	assert_string_equal(cfg->rules[0].name, "a");
	assert_string_equal(cfg->rules[1].name, "b");
	assert_int_equal(cfg->rules[1].match[0].kind, ZA_SEL_GROUP);
	/* Replaced as a whole: classes back to the default. */
	assert_int_equal(cfg->rules[1].classes, ZA_RULE_DEFAULT_CLASSES);
	assert_string_equal(cfg->rules[2].name, "c");
	/* A failing source leaves the rules as they were. */
	assert_int_equal(parse(f, cfg, "[rule a]\nmatch = any\n[rule d]\n"
	    "match = any\nclasses = 9\n"), ZA_ERR_CONFIG);
	assert_int_equal(cfg->nrules, 3);
	assert_int_equal(cfg->rules[0].match[0].kind, ZA_SEL_USER);
	/* Not from module arguments. */
	f->n = 0;
	assert_int_equal(za_config_from_args(cfg, 1, argv, NULL, 0, &f->lg),
	    ZA_ERR_CONFIG);
	assert_logged(f, "rule.x.classes=...",
	    "can only be set in the configuration file");
	assert_int_equal(cfg->nrules, 3);
	za_config_free(&cfg);
}

static void
test_finish_rules(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg;
	static const struct bad bad[] = {
		{ "[rule r]\nclasses = 2\n", "rule r: match is not set", NULL },
		{ "[rule r]\nmatch = any\nclasses = 1\n"
		    "require = knowledge,possession\n",
		    "rule r: require names 2 classes", "classes = 1" },
		{ "[rule r]\nmatch = any\nclasses = 3\n"
		    "methods = password,totp,hotp\n",
		    "rule r: classes = 3 but the allowed methods prove only 2",
		    "knowledge,possession" },
		{ "[rule r]\nmatch = any\nclasses = 1\nrequire = inherence\n"
		    "methods = password,totp\n",
		    "rule r: no allowed method proves inherence", NULL },
		/* A key proves PIN or built-in UV per login, not both. */
		{ "[rule r]\nmatch = any\nclasses = 3\nmethods = fido2\n",
		    "rule r: the allowed methods cannot prove 3 classes",
		    "not both" },
		{ "[rule r]\nmatch = any\nclasses = 3\n"
		    "methods = fido2,totp,hotp\n",
		    "rule r: the allowed methods cannot prove 3 classes",
		    "(require: none) in one login" },
		{ "[rule r]\nmatch = any\nclasses = 2\nmethods = fido2\n"
		    "require = knowledge,inherence\n",
		    "rule r: the allowed methods cannot prove 2 classes",
		    "(require: knowledge,inherence)" },
		{ "[rule r]\nmatch = any\nclasses = 2\nmethods = totp,hotp\n",
		    "classes = 2 but the allowed methods prove only 1", NULL },
		{ "[rule r]\nmatch = any\nclasses = 1\nmethods = password\n"
		    "require = possession\n", "no allowed method proves "
		    "possession", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = za_config_new();
		assert_int_equal(parse(f, cfg, DIRSEC "[general]\n"
		    "zone = general\n"), ZA_OK);
		assert_int_equal(za_config_parse(cfg, "t.conf", bad[i].text,
		    strlen(bad[i].text), &f->lg), ZA_OK);
		f->n = 0;
		if (za_config_finish(cfg, &f->lg) != ZA_ERR_CONFIG)
			fail_msg("finish accepted: %s", bad[i].text);
		assert_logged(f, bad[i].needle1, bad[i].needle2);
		/* Named after the file, or "configuration" without one. */
		assert_logged(f, "configuration: rule r", NULL);
		za_config_free(&cfg);
	}
	/* FIDO2 rules that one login can satisfy. */
	static const char *const good[] = {
		"[rule r]\nmatch = any\nclasses = 2\nmethods = fido2\n",
		"[rule r]\nmatch = any\nclasses = 3\n",
		"[rule r]\nmatch = any\nclasses = 3\n"
		    "methods = password,fido2\n",
		"[rule r]\nmatch = any\nclasses = 2\nmethods = fido2,totp\n"
		    "require = knowledge\n",
		"[rule r]\nmatch = any\nclasses = 1\nrequire = inherence\n",
	};
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cfg = za_config_new();
		assert_int_equal(parse(f, cfg, DIRSEC "[general]\n"
		    "zone = general\n"), ZA_OK);
		assert_int_equal(za_config_parse(cfg, "t.conf", good[i],
		    strlen(good[i]), &f->lg), ZA_OK);
		f->n = 0;
		if (za_config_finish(cfg, &f->lg) != ZA_OK)
			fail_msg("finish refused: %s", good[i]);
		za_config_free(&cfg);
	}
	/* A good one in zone general, with one class. */
	cfg = za_config_new();
	assert_int_equal(parse(f, cfg, DIRSEC "[general]\nzone = general\n"
	    "[rule kiosk]\nmatch = any\nclasses = 1\nmethods = password\n"),
	    ZA_OK);
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	za_config_free(&cfg);
}

/* zone = mynumber: a rule under two classes makes the whole file invalid. */
static void
test_mynumber(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse(f, cfg, DIRSEC "[general]\nzone = mynumber\n"
	    "[rule staff]\nmatch = group:staff\nclasses = 2\n"
	    "[rule guests]\nmatch = any\nclasses = 1\n"), ZA_OK);
	f->n = 0;
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_ERR_CONFIG);
	assert_logged(f, "rule guests admits a login with one factor class",
	    "zone = mynumber");
	za_config_free(&cfg);
	/* No rules at all: the built-in rule needs two classes: fine. */
	cfg = za_config_new();
	assert_int_equal(parse(f, cfg, DIRSEC "[general]\nzone = mynumber\n"),
	    ZA_OK);
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	za_config_free(&cfg);
	/* The same rule with two classes is accepted. */
	cfg = za_config_new();
	assert_int_equal(parse(f, cfg, DIRSEC "[general]\nzone = mynumber\n"
	    "[rule any]\nmatch = any\nclasses = 2\nmethods = password,hotp\n"),
	    ZA_OK);
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- select */

struct groups {
	const char *const *names;
	int calls;
	int fail;
};

static int
is_member(void *arg, const char *group, int *member)
{
	struct groups *g = arg;
	size_t i;

	g->calls++;
	if (g->fail)
		return ZA_ERR_UNAVAIL;
	*member = 0;
	for (i = 0; g->names[i] != NULL; i++)
		if (strcmp(g->names[i], group) == 0)
			*member = 1;
	return ZA_OK;
}

static void
test_select(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	static const char *const none[] = { NULL };
	static const char *const shimin[] = { "other", "shimin", NULL };
	struct groups g = { none, 0, 0 };
	const struct za_rule *r = NULL;

	/* No rules: the built-in default. */
	assert_int_equal(za_policy_select(cfg, "tanaka", NULL, NULL, &r),
	    ZA_OK);
	assert_string_equal(r->name, "(default)");
	assert_int_equal(r->classes, 2);
	assert_int_equal(parse(f, cfg,
	    "[rule vip]\nmatch = user:sato\n"
	    "[rule dept]\nmatch = group:shimin\n"
	    "[rule gen]\nmatch = zone:general\n"), ZA_OK);
	/* First match wins; groups asked only when reached. */
	assert_int_equal(za_policy_select(cfg, "sato", is_member, &g, &r),
	    ZA_OK);
	assert_string_equal(r->name, "vip");
	assert_int_equal(g.calls, 0);
	g.names = shimin;
	assert_int_equal(za_policy_select(cfg, "tanaka", is_member, &g, &r),
	    ZA_OK);
	assert_string_equal(r->name, "dept");
	assert_int_equal(g.calls, 1);
	/* In no group, on a mynumber terminal: no rule matches. */
	g.names = none;
	cfg->zone = ZA_ZONE_MYNUMBER;
	assert_int_equal(za_policy_select(cfg, "kato", is_member, &g, &r),
	    ZA_ERR_NOT_FOUND);
	cfg->zone = ZA_ZONE_GENERAL;
	assert_int_equal(za_policy_select(cfg, "kato", is_member, &g, &r),
	    ZA_OK);
	assert_string_equal(r->name, "gen");
	/* Unknown users: no group callback; user: may still match. */
	cfg->zone = ZA_ZONE_MYNUMBER;
	assert_int_equal(za_policy_select(cfg, NULL, NULL, NULL, &r),
	    ZA_ERR_NOT_FOUND);
	assert_int_equal(za_policy_select(cfg, "sato", NULL, NULL, &r), ZA_OK);
	assert_string_equal(r->name, "vip");
	/* A failing group lookup stops the selection. */
	g.fail = 1;
	assert_int_equal(za_policy_select(cfg, "kato", is_member, &g, &r),
	    ZA_ERR_UNAVAIL);
	assert_int_equal(za_policy_select(NULL, "kato", NULL, NULL, &r),
	    ZA_ERR_ARG);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- plan */

static void
test_plan_satisfied(void **state)
{
	struct za_rule r;
	struct za_plan p;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.name = "r";
	r.classes = 2;
	assert_int_equal(za_policy_plan(&r, &p), ZA_OK);
	assert_int_equal(p.classes, ZA_CLASS_KNOWLEDGE | ZA_CLASS_POSSESSION);
	assert_int_equal(p.methods, ZA_METHODS_AVAILABLE);
	r.classes = 1;
	assert_int_equal(za_policy_plan(&r, &p), ZA_OK);
	assert_int_equal(p.classes, ZA_CLASS_KNOWLEDGE);
	r.require = ZA_CLASS_POSSESSION;
	assert_int_equal(za_policy_plan(&r, &p), ZA_OK);
	assert_int_equal(p.classes, ZA_CLASS_POSSESSION);
	r.require = 0;
	r.methods = ZA_METHOD_HOTP;
	assert_int_equal(za_policy_plan(&r, &p), ZA_OK);
	assert_int_equal(p.classes, ZA_CLASS_POSSESSION);
	assert_int_equal(p.methods, ZA_METHOD_HOTP);
	r.classes = 2;
	assert_int_equal(za_policy_plan(&r, &p), ZA_ERR_CONFIG);
	r.classes = 3;
	r.methods = ZA_METHOD_PASSWORD | ZA_METHOD_TOTP | ZA_METHOD_HOTP;
	assert_int_equal(za_policy_plan(&r, &p), ZA_ERR_CONFIG);
	r.classes = 4;
	r.methods = 0;
	assert_int_equal(za_policy_plan(&r, &p), ZA_ERR_CONFIG);
	assert_int_equal(za_policy_plan(NULL, &p), ZA_ERR_ARG);
	assert_int_equal(za_policy_plan(&r, NULL), ZA_ERR_ARG);

	r.classes = 2;
	r.require = 0;
	assert_false(za_policy_satisfied(&r, 0));
	assert_false(za_policy_satisfied(&r, ZA_CLASS_KNOWLEDGE));
	assert_false(za_policy_satisfied(&r, ZA_CLASS_POSSESSION));
	assert_true(za_policy_satisfied(&r, ZA_CLASS_KNOWLEDGE |
	    ZA_CLASS_POSSESSION));
	assert_true(za_policy_satisfied(&r, ZA_CLASS_KNOWLEDGE |
	    ZA_CLASS_INHERENCE));
	r.require = ZA_CLASS_POSSESSION;
	assert_false(za_policy_satisfied(&r, ZA_CLASS_KNOWLEDGE |
	    ZA_CLASS_INHERENCE));
	r.classes = 1;
	assert_true(za_policy_satisfied(&r, ZA_CLASS_POSSESSION));
	assert_false(za_policy_satisfied(NULL, ZA_CLASS_ALL));
}

/*
 * The steps za_policy_plan() chooses for FIDO2 rules: password first,
 * then possession, then what the key must verify.
 */
static const struct {
	int classes;
	unsigned int require, methods;
	/* expected */
	unsigned int pclasses;
	int password, possession, fido2_only;
	enum za_plan_uv uv;
} plans[] = {
#define K	ZA_CLASS_KNOWLEDGE
#define P	ZA_CLASS_POSSESSION
#define I	ZA_CLASS_INHERENCE
#define PW	ZA_METHOD_PASSWORD
#define OTP	(ZA_METHOD_TOTP | ZA_METHOD_HOTP)
#define KEY	ZA_METHOD_FIDO2
	/* every method: password + a code or a key (the terminal picks) */
	{ 2, 0, 0, K | P, 1, 1, 0, ZA_PLAN_UV_NONE },
	/* a key alone: its built-in UV, else its PIN */
	{ 2, 0, KEY, P, 0, 1, 1, ZA_PLAN_UV_EITHER },
	{ 2, 0, KEY | OTP, P, 0, 1, 1, ZA_PLAN_UV_EITHER },
	/* password + presence */
	{ 2, 0, PW | KEY, K | P, 1, 1, 1, ZA_PLAN_UV_NONE },
	/* three classes: password, then the key's built-in UV */
	{ 3, 0, 0, K | P | I, 1, 1, 1, ZA_PLAN_UV_BUILTIN },
	{ 3, 0, PW | KEY, K | P | I, 1, 1, 1, ZA_PLAN_UV_BUILTIN },
	/* inherence required: the fingerprint alone is two classes */
	{ 2, I, 0, P | I, 0, 1, 1, ZA_PLAN_UV_BUILTIN },
	{ 1, I, 0, P | I, 0, 1, 1, ZA_PLAN_UV_BUILTIN },
	/* knowledge required without a password: the key's PIN */
	{ 2, K, KEY | OTP, K | P, 0, 1, 1, ZA_PLAN_UV_PIN },
	{ 1, K, KEY, K | P, 0, 1, 1, ZA_PLAN_UV_PIN },
	/* knowledge with a password allowed: the password */
	{ 2, K, PW | KEY, K | P, 1, 1, 1, ZA_PLAN_UV_NONE },
	/* possession alone */
	{ 1, P, 0, P, 0, 1, 0, ZA_PLAN_UV_NONE },
	{ 1, 0, KEY, P, 0, 1, 1, ZA_PLAN_UV_NONE },
	{ 1, 0, OTP | KEY, P, 0, 1, 0, ZA_PLAN_UV_NONE },
	/* one class, password allowed: the password */
	{ 1, 0, 0, K, 1, 0, 0, ZA_PLAN_UV_NONE },
	/* knowledge and inherence: password + built-in UV */
	{ 2, K | I, 0, K | P | I, 1, 1, 1, ZA_PLAN_UV_BUILTIN },
	/* no OTP: password + the key's presence */
	{ 2, P, PW | KEY, K | P, 1, 1, 1, ZA_PLAN_UV_NONE },
	/* not satisfiable in one login: pclasses 0 */
	{ 3, 0, KEY, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
	{ 3, 0, KEY | OTP, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
	{ 2, K | I, KEY, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
	{ 2, K | I, KEY | OTP, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
	{ 1, I, PW | OTP, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
	{ 2, 0, OTP, 0, 0, 0, 0, ZA_PLAN_UV_NONE },
#undef K
#undef P
#undef I
#undef PW
#undef OTP
#undef KEY
};

static void
test_plan_fido2(void **state)
{
	struct za_rule r;
	struct za_plan p;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		memset(&r, 0, sizeof(r));
		memset(&p, 0xa5, sizeof(p));
		r.name = "r";
		r.classes = plans[i].classes;
		r.require = plans[i].require;
		r.methods = plans[i].methods;
		rc = za_policy_plan(&r, &p);
		if (plans[i].pclasses == 0) {
			if (rc != ZA_ERR_CONFIG)
				fail_msg("plan %zu: satisfiable?", i);
			continue;
		}
		if (rc != ZA_OK)
			fail_msg("plan %zu: %d", i, rc);
		if (p.classes != plans[i].pclasses ||
		    p.password != plans[i].password ||
		    p.possession != plans[i].possession ||
		    p.fido2_only != plans[i].fido2_only ||
		    p.uv != plans[i].uv)
			fail_msg("plan %zu: classes %#x password %d possession "
			    "%d fido2_only %d uv %d", i, p.classes, p.password,
			    p.possession, p.fido2_only, (int)p.uv);
		assert_int_equal(p.methods, plans[i].methods != 0 ?
		    plans[i].methods : ZA_METHODS_AVAILABLE);
		/* What the plan proves satisfies the rule (EITHER: K or I). */
		if (p.uv == ZA_PLAN_UV_EITHER) {
			assert_true(za_policy_satisfied(&r, p.classes |
			    ZA_CLASS_KNOWLEDGE));
			assert_true(za_policy_satisfied(&r, p.classes |
			    ZA_CLASS_INHERENCE));
			assert_false(za_policy_satisfied(&r, p.classes));
		} else
			assert_true(za_policy_satisfied(&r, p.classes));
	}
}

static void
test_names(void **state)
{
	char buf[ZA_RULE_NAME_MAX + 16];

	(void)state;
	assert_int_equal(za_method_classes(ZA_METHOD_PASSWORD),
	    ZA_CLASS_KNOWLEDGE);
	assert_int_equal(za_method_classes(ZA_METHOD_TOTP), ZA_CLASS_POSSESSION);
	assert_int_equal(za_method_classes(ZA_METHOD_HOTP), ZA_CLASS_POSSESSION);
	assert_int_equal(za_method_classes(0x100), 0);
	assert_int_equal(za_method_classes(ZA_METHOD_FIDO2), ZA_CLASS_ALL);
	assert_int_equal(za_methods_classes(ZA_METHOD_PASSWORD |
	    ZA_METHOD_TOTP | ZA_METHOD_HOTP),
	    ZA_CLASS_KNOWLEDGE | ZA_CLASS_POSSESSION);
	assert_int_equal(za_methods_classes(ZA_METHODS_AVAILABLE),
	    ZA_CLASS_ALL);
	assert_string_equal(za_method_name(ZA_METHOD_FIDO2), "fido2");
	assert_string_equal(za_class_name(ZA_CLASS_INHERENCE), "inherence");
	assert_string_equal(za_method_name(ZA_METHOD_HOTP), "hotp");
	assert_string_equal(za_method_name(3), "?");
	assert_int_equal(za_mask_count(0x7), 3);
	assert_int_equal(za_mask_names(ZA_METHOD_PASSWORD | ZA_METHOD_HOTP, 1,
	    buf, sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "password,hotp");
	assert_int_equal(za_mask_names(0, 0, buf, sizeof(buf)), ZA_OK);
	assert_string_equal(buf, "none");
	assert_int_equal(za_mask_names(ZA_CLASS_ALL, 0, buf, 12),
	    ZA_ERR_TOO_LARGE);
	assert_true(za_rule_name_ok("a-b_c.9"));
	assert_false(za_rule_name_ok(""));
	assert_false(za_rule_name_ok("a b"));
	memset(buf, 'a', sizeof(buf));
	buf[ZA_RULE_NAME_MAX] = '\0';
	assert_true(za_rule_name_ok(buf));
	buf[ZA_RULE_NAME_MAX] = 'a';
	buf[ZA_RULE_NAME_MAX + 1] = '\0';
	assert_false(za_rule_name_ok(buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_new_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_parse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rules_sources, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_finish_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mynumber, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select, setup, teardown),
		cmocka_unit_test(test_plan_satisfied),
		cmocka_unit_test(test_plan_fido2),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
