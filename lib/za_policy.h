/*
 * The factor policy: which factor classes a login method proves, the
 * policy rules of zoneauth.conf ("[rule NAME]" sections) and how a rule is
 * chosen for a login and checked against what the user proved.
 *
 * Classes and methods are bit masks so that a rule can name several.  The
 * methods are password (knowledge), TOTP and HOTP (possession) and FIDO2
 * security keys: possession by the touch, plus knowledge when the key
 * checks its PIN or inherence when it verifies the user itself (a
 * fingerprint) -- one of those two per login, as one assertion carries
 * one user-verification flag.
 *
 * Rules are evaluated in file order and the first that matches wins.  A
 * rule matches when any of its selectors matches:
 *   any              every login
 *   user:NAME        the login name NAME
 *   group:NAME       members of group NAME (posixGroup memberUid or
 *                    groupOfNames member)
 *   zone:ZONE        terminals of zone ZONE (general or mynumber)
 * A configuration without rules behaves as one rule "match = any,
 * classes = 2, all methods".  No matching rule denies the login.
 */
#ifndef ZA_POLICY_H
#define ZA_POLICY_H

#include <stddef.h>

struct za_config;
struct za_log;

/* Factor classes (bits). */
#define ZA_CLASS_KNOWLEDGE	0x1u	/* 知識: something the user knows */
#define ZA_CLASS_POSSESSION	0x2u	/* 所持: something the user has */
#define ZA_CLASS_INHERENCE	0x4u	/* 存在: something the user is */
#define ZA_CLASS_ALL		0x7u

/* Login methods (bits). */
#define ZA_METHOD_PASSWORD	0x1u	/* directory bind or trusted stack */
#define ZA_METHOD_TOTP		0x2u	/* RFC 6238 */
#define ZA_METHOD_HOTP		0x4u	/* RFC 4226 */
#define ZA_METHOD_FIDO2		0x8u	/* FIDO2 security key */
/* The methods this build can verify. */
#define ZA_METHODS_AVAILABLE	(ZA_METHOD_PASSWORD | ZA_METHOD_TOTP | \
	ZA_METHOD_HOTP | ZA_METHOD_FIDO2)

#define ZA_RULE_NAME_MAX	64	/* bytes of [A-Za-z0-9_.-] */
#define ZA_RULE_MAX		256	/* rules per configuration */
#define ZA_RULE_MAX_SELECTORS	32	/* selectors per match */
#define ZA_GROUP_NAME_MAX	256	/* bytes of a group name */
#define ZA_RULE_DEFAULT_CLASSES	2

enum za_selector_kind {
	ZA_SEL_ANY = 1,
	ZA_SEL_USER,
	ZA_SEL_GROUP,
	ZA_SEL_ZONE,
};

struct za_selector {
	enum za_selector_kind kind;
	int zone;		/* ZA_SEL_ZONE: an enum za_zone value */
	char *name;		/* ZA_SEL_USER, ZA_SEL_GROUP */
};

/* One "[rule NAME]" section. */
struct za_rule {
	char *name;
	struct za_selector *match;	/* match = ...; required */
	size_t nmatch;
	int classes;		/* classes = 1..3; default 2 */
	unsigned int require;	/* require = ...: ZA_CLASS_* bits */
	unsigned int methods;	/* methods = ...: ZA_METHOD_* bits; 0: all */
};

/* What a security key must verify besides the touch (see za_plan). */
enum za_plan_uv {
	ZA_PLAN_UV_NONE = 0,	/* presence only (or no key at all) */
	ZA_PLAN_UV_PIN,		/* its PIN: + knowledge */
	ZA_PLAN_UV_BUILTIN,	/* built-in verification: + inherence */
	ZA_PLAN_UV_EITHER,	/* one more class: built-in verification if
				   the key has it, else its PIN */
};

/* What a chosen rule asks of a login. */
struct za_plan {
	/* The classes the steps prove; a ZA_PLAN_UV_EITHER step adds one
	 * more (knowledge or inherence, decided by the key). */
	unsigned int classes;
	unsigned int methods;	/* the methods allowed to prove them */
	int password;		/* step: the password (knowledge) */
	int possession;		/* step: a one-time code or a security key */
	int fido2_only;		/* that step can only be the security key */
	enum za_plan_uv uv;	/* what the key verifies besides presence */
};

/*
 * The classes method (one ZA_METHOD_* bit) can prove; 0 for an unknown
 * bit.  FIDO2 gives all three, but only two in one login (za_policy_plan).
 */
unsigned int za_method_classes(unsigned int method);

/* The classes any of the methods in mask can prove. */
unsigned int za_methods_classes(unsigned int mask);

/* Static English names: "knowledge", "password", ...; "?" if unknown. */
const char *za_class_name(unsigned int cls);
const char *za_method_name(unsigned int method);

/* Number of bits set in mask. */
unsigned int za_mask_count(unsigned int mask);

/*
 * Write the names of the bits of mask (classes when is_method is 0,
 * methods otherwise) into buf as "a,b,c" ("none" for 0).  Always
 * NUL-terminates when bufsz > 0; returns ZA_OK or ZA_ERR_TOO_LARGE.
 */
int za_mask_names(unsigned int mask, int is_method, char *buf, size_t bufsz);

/*
 * Parsers for the values of the rule keys, used by the configuration
 * parser.  On ZA_ERR_CONFIG, why (whylen bytes) says what is wrong; values
 * are quoted there only as far as they are names of the key's syntax.
 *   methods:  comma-separated method names, each once
 *   require:  comma-separated class names, each once
 *   match:    space-separated selectors (see above); "any" stands alone
 * ZA_ERR_NOMEM for allocation failures.
 */
int za_policy_parse_methods(const char *s, unsigned int *mask, char *why,
    size_t whylen);
int za_policy_parse_classes(const char *s, unsigned int *mask, char *why,
    size_t whylen);
int za_policy_parse_match(const char *s, struct za_selector **selp,
    size_t *np, char *why, size_t whylen);

/* A valid rule name: 1..ZA_RULE_NAME_MAX bytes of [A-Za-z0-9_.-]. */
int za_rule_name_ok(const char *s);

/* Set r to the defaults of a rule named name (copied).  ZA_ERR_NOMEM. */
int za_rule_init(struct za_rule *r, const char *name);

/* Free what r owns and zero it; NULL is accepted. */
void za_rule_clear(struct za_rule *r);

/* Deep copy of src into dst (dst overwritten).  ZA_ERR_NOMEM. */
int za_rule_copy(const struct za_rule *src, struct za_rule *dst);

/*
 * Check the rules of cfg after loading: every rule has a match; require
 * names at most `classes` classes; the allowed methods can prove the
 * required classes and `classes` distinct classes at all, and in one
 * login (za_policy_plan()); and in zone mynumber no rule admits fewer
 * than two classes.  Each problem is logged
 * as "NAME: rule RULE: message" (name: the file or "configuration").
 * Returns ZA_OK or ZA_ERR_CONFIG.
 */
int za_policy_check(const struct za_config *cfg, const char *name,
    const struct za_log *lg);

/*
 * Membership test used by za_policy_select(): set *member to 1 when the
 * user being authenticated is a member of group, else 0.  Returns ZA_OK
 * or an error that stops the selection.
 */
typedef int (*za_group_check_fn)(void *arg, const char *group, int *member);

/*
 * The first rule of cfg that matches user on this terminal (cfg->zone),
 * or the built-in default rule when cfg has no rules.  is_member may be
 * NULL (nobody is in any group, e.g. for an unknown user); it is called
 * only for group selectors reached before a match.  Returns ZA_OK with
 * *rulep set (owned by cfg or static), ZA_ERR_NOT_FOUND when no rule
 * matches, ZA_ERR_ARG, or the callback's error.
 */
int za_policy_select(const struct za_config *cfg, const char *user,
    za_group_check_fn is_member, void *arg, const struct za_rule **rulep);

/*
 * The steps of a login under rule, chosen from the rule alone (never from
 * what a user has enrolled, so an unknown user gets the same steps):
 *  1. the required classes: knowledge by the password if allowed, else
 *     by a security key's PIN; inherence by a key's built-in
 *     verification (not with a PIN); possession by a one-time code or a
 *     key;
 *  2. then, while fewer than `classes` classes are planned, in this
 *     fixed order: the password; a possession step (code or key); the
 *     key's verification -- built-in if knowledge is planned already,
 *     else ZA_PLAN_UV_EITHER (built-in if the key has it, else its PIN).
 * A key step always proves possession, so fido2_only is set when the
 * step must be the key (uv is not NONE, or no OTP method is allowed);
 * otherwise the caller picks between a code and a key.  ZA_ERR_CONFIG if
 * the rule cannot be satisfied in one login (za_policy_check() refuses
 * such rules), ZA_ERR_ARG.
 */
int za_policy_plan(const struct za_rule *rule, struct za_plan *plan);

/*
 * 1 when the classes in proven satisfy rule: at least `classes` distinct
 * classes and every required class; 0 otherwise.
 */
int za_policy_satisfied(const struct za_rule *rule, unsigned int proven);

#endif /* ZA_POLICY_H */
