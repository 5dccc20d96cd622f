/*
 * idmgr internals shared by the command files.
 *
 * main.c parses the global options and dispatches "NOUN VERB" through the
 * command tables below; each noun lives in its own file (user*.c, token.c,
 * audit.c, config_cmd.c).  A command returns a za_err code; main() maps it
 * to the exit status:
 *   0 success, 1 error, 2 usage error (im->usage set), 3 refused by a
 *   safety rule (ZA_ERR_DENIED).
 * Errors are reported with idmgr_fail()/idmgr_usage(), which remember the
 * first message and the field it concerns for the --json error object.
 */
#ifndef IDMGR_H
#define IDMGR_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_log.h"

struct za_config;
struct za_dir;
struct za_user;
struct za_audit_record;

#define IDMGR_EXIT_OK		0
#define IDMGR_EXIT_ERROR	1
#define IDMGR_EXIT_USAGE	2
#define IDMGR_EXIT_REFUSED	3

/* Default grace period before a disabled ID may be deleted, in days. */
#define IDMGR_DELETE_GRACE_DAYS	30
#define IDMGR_GRACE_DAYS_MAX	3650

/* The run of one idmgr command. */
struct idmgr {
	const char *conf_path;
	int json;		/* --json: one JSON document on stdout */
	int verbose;
	time_t now;		/* one clock reading for the whole command */
	struct za_log log;	/* stderr (+ syslog authpriv) sink */
	struct za_config *cfg;	/* loaded on demand */
	struct za_dir *dir;	/* opened on demand */
	char *operator_dn;	/* directory identity (whoami), or NULL */
	char *operator_user;	/* local login name, or NULL */
	/* Outcome */
	int usage;		/* non-zero: exit status 2 */
	char *err_msg;		/* first error reported */
	char *err_field;	/* the field it concerns, or NULL */
	json_object *result;	/* --json: document printed on success */
	int result_secret;	/* result holds a secret: wipe after print */
};

/* One command: "idmgr NOUN VERB ARGS". argv[0] is the verb. */
struct idmgr_cmd {
	const char *noun;
	const char *verb;
	int (*run)(struct idmgr *im, int argc, char **argv);
	const char *args;	/* synopsis after "idmgr NOUN VERB" */
	const char *summary;	/* one line */
	const char *help;	/* options and details, lines end with \n */
};

/* Command tables, each ended by an entry with noun == NULL. */
extern const struct idmgr_cmd idmgr_user_cmds[];
extern const struct idmgr_cmd idmgr_token_cmds[];
extern const struct idmgr_cmd idmgr_audit_cmds[];
extern const struct idmgr_cmd idmgr_config_cmds[];

/* ---------------------------------------------------------------- help.c */
/*
 * Print help: everything (noun NULL), one noun, or one command.  Unknown
 * noun or verb: idmgr_usage() error.  With --json a document listing the
 * commands is stored as the result instead.
 */
int idmgr_help(struct idmgr *im, const char *noun, const char *verb);

/* Print the usage summary to f (for usage errors). */
void idmgr_usage_summary(FILE *f);

/* Look a command up; NULL if unknown. */
const struct idmgr_cmd *idmgr_cmd_find(const char *noun, const char *verb);

/* Does a noun of that name exist? */
int idmgr_noun_exists(const char *noun);

/* ---------------------------------------------------------------- args.c */
/*
 * Option parsing for verbs.  idmgr_opt_begin() resets getopt; idmgr_opt_next
 * wraps getopt_long() with "--json" and "-h/--help" added to every verb and
 * turns unknown options and missing values into usage errors.  Returns the
 * option character, -1 at the end, or IDMGR_OPT_ERR (error reported) or
 * IDMGR_OPT_HELP (help printed; the command returns ZA_OK).
 */
#define IDMGR_OPT_ERR	(-2)
#define IDMGR_OPT_HELP	(-3)
#define IDMGR_OPT_JSON	0x100	/* internal value of --json */
#define IDMGR_OPT_HELPV	0x101	/* internal value of --help */

struct option;
void idmgr_opt_begin(void);
int idmgr_opt_next(struct idmgr *im, const struct idmgr_cmd *cmd, int argc,
    char **argv, const char *shortopts, const struct option *longopts);

/*
 * After the options: require between min and max positional arguments
 * (names for messages in names[], e.g. {"USER", "TOKEN"}).  Stores them
 * in out[].  Usage error otherwise.
 */
int idmgr_positional(struct idmgr *im, int argc, char **argv, int min,
    int max, const char *const *names, const char **out);
/* The same for exactly one argument, a login name, checked as such. */
int idmgr_positional_uid(struct idmgr *im, int argc, char **argv,
    const char **uid);

/* Parse a decimal integer option in [min, max]; usage error naming field. */
int idmgr_parse_long(struct idmgr *im, const char *field, const char *s,
    long long min, long long max, long long *out);

/* ---------------------------------------------------------------- output.c */
/* Record an error (first one wins for --json), print it to stderr. */
int idmgr_fail(struct idmgr *im, int r, const char *field, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* Same, and mark it a usage error (exit status 2).  Returns ZA_ERR_ARG. */
int idmgr_usage(struct idmgr *im, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Display width of UTF-8 text in the current locale (wcwidth). */
size_t idmgr_display_width(const char *s);

/* Print s padded with spaces to display width w (no padding if wider). */
void idmgr_print_padded(FILE *f, const char *s, size_t w);

/*
 * An aligned text table: idmgr_table_new() with ncols header strings
 * (copied); ZA_OK or ZA_ERR_NOMEM.
 */
struct idmgr_table;
int idmgr_table_new(struct idmgr_table **tp, size_t ncols,
    const char *const *headers);
/* Add a row of ncols strings (NULL prints as "-"); copied. */
int idmgr_table_add(struct idmgr_table *t, const char *const *cells);
/* Rows so far. */
size_t idmgr_table_rows(const struct idmgr_table *t);
/* Print headers and rows, columns separated by two spaces. */
void idmgr_table_print(const struct idmgr_table *t, FILE *f);
/* Free *tp (NULL allowed) and set it to NULL. */
void idmgr_table_free(struct idmgr_table **tp);

/* Print "key  value" lines with the keys aligned (pairs: NULL-ended). */
void idmgr_print_fields(FILE *f, const char *const *pairs);

/*
 * JSON values: a string (NULL → null), a time as local ISO 8601 with
 * offset, a date "YYYY-MM-DD" (time 0 → null).
 */
json_object *idmgr_json_str(const char *s);
json_object *idmgr_json_time(time_t t);
json_object *idmgr_json_date(time_t t);

/* Set the result document (takes ownership); secret: wipe after print. */
void idmgr_set_result(struct idmgr *im, json_object *jo, int secret);

/*
 * Print the result (success) or the error object (failure) when --json is
 * on, then release it (wiping it when it holds a secret).
 */
void idmgr_output_finish(struct idmgr *im, int r, int status);

/* Format t as local ISO-8601 / local date into buf; "-" when t == 0. */
const char *idmgr_fmt_time(time_t t, char *buf, size_t bufsz);
const char *idmgr_fmt_date(time_t t, char *buf, size_t bufsz);
#define IDMGR_TIMEBUF	32

/* ---------------------------------------------------------------- dirops.c */
/* Load and check the configuration once (im->cfg). */
int idmgr_load_config(struct idmgr *im);
/* Connect once (im->dir) and learn the operator's identity. */
int idmgr_connect(struct idmgr *im);

/* An entry as strings: secrets redacted, binary values as "base64:...". */
struct idmgr_attr {
	char *name;
	char **vals;		/* NULL-terminated */
	size_t n;
	int display_only;	/* some value is redacted or re-encoded */
};

struct idmgr_entry {
	char *dn;
	struct idmgr_attr *attrs;
	size_t n;
};

/* Copy entry e; ZA_OK, ZA_ERR_NOMEM, ZA_ERR_PARSE, ZA_ERR_TOO_LARGE. */
int idmgr_entry_from_ldap(LDAP *ld, LDAPMessage *e, struct idmgr_entry **out);
/* Free *ep (NULL allowed) and set it to NULL. */
void idmgr_entry_free(struct idmgr_entry **ep);
/* Values of attr (case-insensitive), NULL-terminated, or NULL if absent. */
const char *const *idmgr_entry_values(const struct idmgr_entry *e,
    const char *attr);
/* First value or NULL. */
const char *idmgr_entry_value(const struct idmgr_entry *e, const char *attr);

/* Attributes read for a user: user attributes and ppolicy state. */
extern const char *const idmgr_user_attrs[];

/*
 * Find the user uid (already validated with za_valid_uid): decoded into
 * *up and as strings into *ep (either may be NULL).  ZA_ERR_NOT_FOUND is
 * reported as an error of field "uid".
 */
int idmgr_find_user(struct idmgr *im, const char *uid, struct za_user **up,
    struct idmgr_entry **ep);

/* A user's lockout state by the rules pam_zoneauth applies. */
struct idmgr_lock {
	int locked;		/* refused now: any lock below */
	int directory;		/* ppolicy pwdAccountLockedTime present */
	int by_count;		/* enough recent failures */
	time_t until;		/* zaLockedUntil in force, or 0 */
	int admin_only;		/* until an administrator unlocks */
	size_t counted;		/* failures counting toward the limit */
	size_t since_login;	/* failures since the last MFA login */
};

/*
 * Evaluate the lockout of the user entry e with the configured [lockout]
 * policy at im->now.  Returns ZA_OK or the decoder's error.
 */
int idmgr_user_lock(struct idmgr *im, LDAP *ld, LDAPMessage *e,
    struct idmgr_lock *out);

/* idmgr_find_user() that also evaluates the lockout into *lock. */
int idmgr_find_user_lock(struct idmgr *im, const char *uid,
    struct za_user **up, struct idmgr_entry **ep, struct idmgr_lock *lock);

/* Does uid exist?  Quiet: only a failed search is reported. */
int idmgr_probe_user(struct idmgr *im, const char *uid, int *exists);

/* Validate a login name given on the command line (usage error, field). */
int idmgr_check_uid(struct idmgr *im, const char *field, const char *uid);

/* Token entries under a user (one level), as strings and decoded. */
struct idmgr_token {
	struct idmgr_entry *entry;
	char *id;
	char *kind;		/* "totp", "hotp", "fido2" */
	char *label;
	char *status;
	time_t created, last_used, revoked;
	char *revoke_reason;
	char *params_dn;	/* OTP only */
};

struct idmgr_tokens {
	struct idmgr_token *v;
	size_t n;
};

/*
 * Read the tokens under user_dn (one level, oldest first; secrets are not
 * even requested).  Errors are reported.  Release with idmgr_tokens_clear.
 */
int idmgr_find_tokens(struct idmgr *im, const char *user_dn,
    struct idmgr_tokens *out);
/* Free what *t holds and leave it empty; NULL allowed. */
void idmgr_tokens_clear(struct idmgr_tokens *t);

/*
 * Names (cn) of the groups uid (memberUid) or user_dn (member) belongs
 * to, sorted; *out is NULL-terminated, free it with idmgr_strv_free.
 */
int idmgr_find_groups(struct idmgr *im, const char *uid, const char *user_dn,
    char ***out, size_t *nout);
/* Free a NULL-terminated string array (NULL allowed); *vp = NULL. */
void idmgr_strv_free(char ***vp);

/* Text of the last LDAP result on the connection ("" if none). */
const char *idmgr_ldap_diag(struct idmgr *im, char *buf, size_t bufsz);

/* ---------------------------------------------------------------- changes.c */
/*
 * A set of attribute changes: drives both the LDAP modify and the
 * audit record, so what is written and what is recorded cannot differ.
 */
struct idmgr_change {
	char *attr;
	char **before;		/* NULL-terminated or NULL */
	char **after;
	int display_only;	/* values are redacted/encoded: never written */
};

struct idmgr_changes {
	struct idmgr_change *v;
	size_t n;
};

/*
 * Record attr going from before to after (NULL-terminated lists, NULL
 * for none).  Nothing is recorded when both hold the same values.
 */
int idmgr_changes_set(struct idmgr_changes *c, const char *attr,
    const char *const *before, const char *const *after);
/* Single-valued convenience: before/after NULL for absent. */
int idmgr_changes_set1(struct idmgr_changes *c, const char *attr,
    const char *before, const char *after);
/* Every attribute of e as removed (after none) or added (before none). */
int idmgr_changes_from_entry(struct idmgr_changes *c,
    const struct idmgr_entry *e, int removed);
/* Every attribute of an add's mods as added; secrets redacted. */
int idmgr_changes_from_mods(struct idmgr_changes *c, LDAPMod **mods);
/* The attribute's change, or NULL. */
const struct idmgr_change *idmgr_changes_get(const struct idmgr_changes *c,
    const char *attr);
/*
 * Modify operations: for each change, delete exactly the old values and
 * add the new ones, so a concurrent change of the same attribute makes
 * the whole modify fail (ZA_ERR_CONFLICT) instead of being overwritten.
 */
int idmgr_changes_to_mods(const struct idmgr_changes *c, LDAPMod ***out);
/* Free mods made by idmgr_changes_to_mods (NULL allowed); *mp = NULL. */
void idmgr_mods_free(LDAPMod ***mp);
/* Add every change to an audit record (secrets are redacted there). */
int idmgr_changes_to_record(const struct idmgr_changes *c,
    struct za_audit_record *rec);
/* {"attr": {"before": [...], "after": [...]}, ...} */
json_object *idmgr_changes_json(const struct idmgr_changes *c);
/* "  attr  before -> after" lines. */
void idmgr_changes_print(const struct idmgr_changes *c, FILE *f);
/* Free what *c holds and leave it empty; NULL allowed. */
void idmgr_changes_clear(struct idmgr_changes *c);

/* ---------------------------------------------------------------- journal.c */
/*
 * Append an audit record (and its syslog copy): action, target, result
 * (ZA_AUDIT_RESULT_*), reason (may be NULL) and changes (may be NULL),
 * with the operator's directory identity and local user.  A failure is
 * reported (the change itself, if any, has been made) and returned.
 */
int idmgr_journal(struct idmgr *im, const char *action, const char *target,
    int result, const char *reason, const struct idmgr_changes *c);

/*
 * Report a refusal by a safety rule: journal it and return ZA_ERR_DENIED
 * with the message for field.
 */
int idmgr_refuse(struct idmgr *im, const char *action, const char *target,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Emit the logging sink's lines (stderr, syslog). */
void idmgr_log_emit(void *arg, int priority, const char *line);

/* ---------------------------------------------------------------- input.c */
/* Field validators for command-line input; usage errors name the field. */
int idmgr_check_text(struct idmgr *im, const char *field, const char *s,
    size_t max);
int idmgr_check_kana(struct idmgr *im, const char *field, const char *s);
int idmgr_check_mail(struct idmgr *im, const char *field, const char *s);
int idmgr_check_reason(struct idmgr *im, const char *field, const char *s);
/* "YYYY-MM-DD" → last second of that local day. */
int idmgr_parse_date(struct idmgr *im, const char *field, const char *s,
    time_t *out);
/* Split "姓 名" at the first ASCII or ideographic space. */
int idmgr_split_name(const char *name, char **sn, char **given);

/* ---------------------------------------------------------------- password.c */
#define IDMGR_PASSWORD_LEN	16
/*
 * Generate a random password of IDMGR_PASSWORD_LEN characters from an
 * alphabet without look-alikes (no 0/O, 1/l/I), with at least one upper
 * case letter, one lower case letter and one digit, into buf (>= LEN+1).
 */
int idmgr_password_generate(char *buf, size_t bufsz);
/*
 * Set dn's password with the LDAP Password Modify extended operation as
 * the operator, so the password policy marks it for change (pwdReset).
 */
int idmgr_password_set(struct idmgr *im, const char *dn, const char *pw);

/* ---------------------------------------------------------------- pin.c */
#define IDMGR_PIN_MAX	63	/* bytes (CTAP2 clientPIN) */
/*
 * Read a security key PIN into buf (>= IDMGR_PIN_MAX + 1 bytes): one line
 * from standard input (from_stdin) or from /dev/tty with echo off after
 * printing prompt there.  It must be 4..63 bytes of UTF-8 text of at least
 * 4 characters.  Errors name the field "pin" and never the PIN; on error
 * buf is wiped.  The caller wipes buf after use.
 */
int idmgr_pin_read(struct idmgr *im, int from_stdin, const char *prompt,
    char *buf, size_t bufsz);

/* ---------------------------------------------------------------- fido2.c */
struct za_fido2_cred;
struct za_fido2_cred_list;

/* The [fido2] settings (pointers into im->cfg). */
struct idmgr_fido2_conf {
	const char *rp_id;
	const unsigned char (*aaguids)[16];	/* allowlist; none: any */
	size_t naaguids;
	const char *attestation_ca;		/* NULL: self attestation ok */
	int touch_timeout_ms;
	int require_uv;
};

/* Load the configuration and fill *out; errors are reported. */
int idmgr_fido2_settings(struct idmgr *im, struct idmgr_fido2_conf *out);

/*
 * The FIDO2 credentials under user_dn, decoded and validated, oldest
 * first.  An entry that does not decode is skipped with a warning naming
 * its DN and counted in *nbad (may be NULL).  Errors are reported; on
 * error out is left empty.  Release with za_fido2_cred_list_clear().
 */
int idmgr_fido2_find_creds(struct idmgr *im, const char *user_dn,
    struct za_fido2_cred_list *out, size_t *nbad);

/* "es256", "eddsa", "rs256" or "unknown". */
const char *idmgr_fido2_alg_name(int alg);

/*
 * The first bytes of the credential id in hex, "..." when there are more:
 * enough to tell credentials apart, never the whole id.
 */
#define IDMGR_CRED_PREFIX_BUF	32
const char *idmgr_fido2_cred_prefix(const struct za_fido2_cred *c, char *buf,
    size_t bufsz);

/* {"aaguid","uv","sign_count","algorithm","rp_id","credential"} of c. */
json_object *idmgr_fido2_cred_json(const struct za_fido2_cred *c);

/*
 * The changes of an add (za_fido2_cred_to_mods): every attribute as
 * added, the binary credential id and public key as "base64:...", for
 * the audit record and the JSON result.
 */
int idmgr_fido2_changes_from_mods(struct idmgr_changes *c, LDAPMod **mods);

/* ---------------------------------------------------------------- commands */
/* Entry points of commands whose table lives in another file. */
int idmgr_token_fido2_enroll(struct idmgr *im, int argc, char **argv);
int idmgr_token_export_sssd(struct idmgr *im, int argc, char **argv);
int idmgr_token_import_u2f(struct idmgr *im, int argc, char **argv);
int idmgr_user_show(struct idmgr *im, int argc, char **argv);
int idmgr_user_list(struct idmgr *im, int argc, char **argv);
int idmgr_user_disable(struct idmgr *im, int argc, char **argv);
int idmgr_user_enable(struct idmgr *im, int argc, char **argv);
int idmgr_user_unlock(struct idmgr *im, int argc, char **argv);
int idmgr_user_delete(struct idmgr *im, int argc, char **argv);

/* ---------------------------------------------------------------- user.c */
/* Print (or store for --json) the outcome of a change to one user. */
int idmgr_user_change_result(struct idmgr *im, const char *uid,
    const char *dn, const char *action, const char *what,
    const struct idmgr_changes *c);
/*
 * Apply c to dn in one modify (old values deleted, new added: a concurrent
 * change makes it fail) and journal the outcome as action with reason.
 */
int idmgr_apply_changes(struct idmgr *im, const char *action, const char *dn,
    const struct idmgr_changes *c, const char *reason);
/* The same, then report it as what ("disabled", ...). */
int idmgr_user_apply(struct idmgr *im, const char *action, const char *uid,
    const char *dn, const struct idmgr_changes *c, const char *reason,
    const char *what);

/* ---------------------------------------------------------------- user_view.c */
/* JSON of a user; lock, tokens and groups may be NULL. */
json_object *idmgr_user_json(const struct za_user *u,
    const struct idmgr_lock *lock, const struct idmgr_tokens *tokens,
    char **groups, size_t ngroups, time_t now);
/* JSON of one token. */
json_object *idmgr_token_json(const struct idmgr_token *t);
/* Print a token table. */
int idmgr_tokens_print(const struct idmgr_tokens *t, FILE *f);

#endif /* IDMGR_H */
