/*
 * zoneauth configuration: one parser for /etc/zoneauth/zoneauth.conf and
 * for PAM module arguments, shared by the module and idmgr.
 *
 * File format (INI style, UTF-8; CRLF line ends and a leading byte order
 * mark are accepted):
 *   # comment            ; comment    (only as the first non-blank)
 *   [section]
 *   key = value          (whitespace around '=' and at line ends ignored;
 *                         the value is the rest of the line, so '#' and
 *                         ';' inside it are literal)
 * Sections: [general] [directory] [store] [audit] [auth] [otp] [fido2]
 * [lockout] [session], and named sections "[rule NAME]" (policy rules, in file
 * order; see za_policy.h).  Every key is known;
 * an unknown section or key, a key before any section, a malformed or
 * out-of-range value, an empty value (except for optional paths and DNs
 * and fido2.aaguids, where it unsets), a key set twice in one file, invalid UTF-8, a NUL or
 * control character, a line longer than ZA_CONF_MAX_LINE is an error
 * logged as "NAME:LINE: message"; all errors of a file are logged (up to
 * a cap) and the first is returned.  Durations are "N" or "Ns" (seconds),
 * "Nms", "Nm" (minutes) or "Nh" (hours).  See zoneauth.conf(5).
 *
 * Named sections: "[rule NAME]" appears at most once per file; its keys
 * are set at most once per section.  A rule of the same name from a later
 * source (a second file) replaces the earlier one in its place; new names
 * are appended.  Rules cannot be set by module arguments.
 *
 * Module arguments: "conf=PATH" (must come first when present), then
 * overrides "section.key=value" and the flag "debug" (= general.debug=yes).
 *
 * Every function that changes cfg is transactional: it works on a copy and
 * cfg is left exactly as it was when it returns an error.
 */
#ifndef ZA_CONFIG_H
#define ZA_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "za_policy.h"	/* struct za_rule */

struct za_log;

#define ZA_CONF_MAX_SIZE	(256 * 1024)	/* bytes */
#define ZA_CONF_MAX_LINE	4096		/* bytes per line */
#define ZA_CONF_MAX_URIS	8
#define ZA_CONF_MAX_AAGUIDS	32		/* fido2.aaguids entries */
#define ZA_CONF_AAGUID_LEN	16		/* = ZA_AAGUID_LEN (za_model.h) */
#define ZA_FIDO2_DEFAULT_RP_ID	"pam://zoneauth"

enum za_zone {
	ZA_ZONE_GENERAL = 0,	/* ordinary terminal */
	ZA_ZONE_MYNUMBER,	/* マイナンバー利用事務系: two classes minimum */
};

enum za_bind_method {
	ZA_BIND_SASL_EXTERNAL = 0,	/* ldapi:// peer credentials */
	ZA_BIND_SIMPLE,			/* bind_dn + bind_password_file */
	ZA_BIND_ANONYMOUS,
};

enum za_password_source {
	ZA_PASSWORD_DIRECTORY = 0,	/* bind to the directory as the user */
	ZA_PASSWORD_STACK,		/* trust PAM_AUTHTOK of an earlier module */
};

struct za_dir_config {
	char *uris[ZA_CONF_MAX_URIS];	/* ordered: first reachable wins */
	size_t n_uris;
	char *base_dn;			/* required */
	char *users_dn;			/* default "ou=people,<base>" */
	char *groups_dn;		/* default "ou=groups,<base>" */
	enum za_bind_method bind;	/* default sasl-external */
	char *bind_dn;			/* required for simple */
	char *bind_password_file;	/* required for simple; root-only */
	char *tls_ca_file;		/* CA bundle for ldaps/StartTLS */
	int starttls_always;		/* starttls = always|auto; auto: non-loopback ldap:// only */
	int connect_timeout_ms;		/* per URI; default 2000, 100..60000 */
	int op_timeout_ms;		/* per operation; default 5000, 100..120000 */
	int total_timeout_ms;		/* all URIs; default 8000, 100..300000 */
	int page_size;			/* paged search; default 500, 1..10000 */
};

/*
 * [fido2]: security keys, read by the module at login and by idmgr at
 * enrolment.
 */
struct za_fido2_config {
	/* rp_id: relying party id, 1..ZA_RP_ID_MAX printable ASCII bytes
	 * without space; default ZA_FIDO2_DEFAULT_RP_ID.  Every terminal
	 * of a zone must use the same one: a credential works only for
	 * the rp id it was made for. */
	char *rp_id;
	/* aaguids: space-separated 8-4-4-4-12 AAGUIDs, each once; empty
	 * or unset (naaguids 0): any key model.  A credential whose stored
	 * AAGUID is not listed is refused at enrolment and at login. */
	unsigned char aaguids[ZA_CONF_MAX_AAGUIDS][ZA_CONF_AAGUID_LEN];
	size_t naaguids;
	/* attestation_ca: absolute path of a PEM CA bundle; when set,
	 * enrolment needs full attestation chaining to it.  NULL: unset. */
	char *attestation_ca;
	/* touch_timeout: waiting for the key to be plugged in, and for
	 * the touch (and built-in UV); default 30s, 1s..120s. */
	int touch_timeout_ms;
	/* require_uv = yes|no (default no): every FIDO2 login verifies the
	 * user on the key (built-in UV, else PIN), whatever the rule. */
	int require_uv;
	/* plugin: absolute path of the FIDO2 plug-in the module loads
	 * when a login may use a security key (za_fido2_plugin.h).  NULL:
	 * the one installed with the module (ZA_FIDO2_PLUGIN). */
	char *plugin;
};

struct za_config {
	char *path;			/* file loaded, or NULL */
	/* [general] */
	enum za_zone zone;		/* zone = general|mynumber */
	int debug;			/* debug = yes|no */
	int log_unknown_users;		/* log_unknown_user_names = yes|no */
	/* [directory] */
	struct za_dir_config dir;
	/* [store] */
	char *store_path;		/* file store directory; NULL: directory only */
	/* [audit] */
	char *audit_log;		/* default /var/log/zoneauth/audit.log */
	char *audit_hmac_key_file;	/* optional; root-only */
	/* [general] (continued) */
	char *localedir;		/* message catalogues; NULL: LOCALEDIR */
	/* [auth] */
	enum za_password_source password;	/* password = directory|stack */
	/* [otp] */
	int otp_window;			/* window = 0..10 TOTP steps; -1: token's */
	int otp_lookahead;		/* lookahead = 0..100 HOTP; -1: token's */
	/* [fido2] */
	struct za_fido2_config fido2;
	/* [lockout] */
	int lockout_deny;		/* deny = 1..100; default 5 */
	int lockout_window_ms;		/* window; default 15m, 1s..24h */
	int lockout_unlock_ms;		/* unlock_time; default 15m; 0 admin only */
	int lockout_delay_ms;		/* delay after a failure; default 2s */
	int lockout_ppolicy;		/* ppolicy = yes|no; default no */
	/* [session] */
	int session_last_login;		/* last_login = yes|no; default yes */
	char *session_banner;		/* banner = path; optional */
	int session_record_ms;		/* record_interval; default 5m */
	/* [rule NAME] sections, in order */
	struct za_rule *rules;
	size_t nrules;
};

/* Return a configuration holding the defaults, or NULL on allocation failure. */
struct za_config *za_config_new(void);

/* Free cfg and its strings; *cfgp is set to NULL.  NULL is accepted. */
void za_config_free(struct za_config **cfgp);

/*
 * Parse the file at path into cfg (keys set there override earlier values)
 * and set cfg->path.  The file is opened safely (O_NOFOLLOW, regular file)
 * and must be owned by owner, not writable by group or other and at most
 * ZA_CONF_MAX_SIZE bytes.  Errors are logged as "PATH:LINE: message" and
 * returned: ZA_ERR_CONFIG, ZA_ERR_IO, ZA_ERR_UNSAFE_FILE, ZA_ERR_TOO_LARGE
 * or ZA_ERR_NOMEM; on error cfg is left as it was before the call.
 */
int za_config_load(struct za_config *cfg, const char *path, uid_t owner,
    const struct za_log *lg);

/*
 * Parse len bytes at buf (need not be NUL-terminated); name is used in
 * messages.  Same contract as za_config_load(); cfg->path is not changed.
 */
int za_config_parse(struct za_config *cfg, const char *name, const char *buf,
    size_t len, const struct za_log *lg);

/*
 * Apply PAM module arguments.  "conf=PATH" (absolute; only as argv[0])
 * loads PATH; otherwise default_path is loaded first (the module passes
 * ZA_DEFAULT_CONF; NULL loads no file).  A file that cannot be loaded is an
 * error.  Then each "section.key=value" overrides (parsed by the same key
 * table; the same key twice is an error) and "debug" enables debugging.
 * Unknown or malformed arguments are errors naming the argument; a value
 * is echoed only once its key is known and not secret.  Errors in the file
 * and in the arguments are all logged; cfg is changed only if none.
 */
int za_config_from_args(struct za_config *cfg, int argc, const char **argv,
    const char *default_path, uid_t owner, const struct za_log *lg);

/*
 * Check cross-field rules after loading and fill derived defaults.  Rules:
 * at least one URI; base_dn set; bind = simple has bind_dn and
 * bind_password_file, other methods have neither; sasl-external has an
 * ldapi:// URI; total_timeout_ms >= connect_timeout_ms; the policy rules
 * pass za_policy_check() (zone mynumber: no rule below two classes).
 * Then users_dn and groups_dn default to "ou=people,<base>" and
 * "ou=groups,<base>".  Every
 * broken rule is logged ("PATH: message"); returns ZA_OK, ZA_ERR_CONFIG
 * (cfg unchanged) or ZA_ERR_NOMEM.  Calling it again is harmless.
 */
int za_config_finish(struct za_config *cfg, const struct za_log *lg);

/*
 * The next word of a value that lists words separated by spaces and tabs
 * (directory.uri, fido2.aaguids, a rule's match): skips the separators at
 * *pp, returns the word's start with its length in *lenp and moves *pp
 * past it; NULL at the end of the value.
 */
const char *za_conf_next_word(const char **pp, size_t *lenp);

#endif /* ZA_CONFIG_H */
