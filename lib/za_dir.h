/*
 * Directory (OpenLDAP) access.
 *
 * A za_dir is one authenticated connection to the first reachable URI of
 * the configured ordered list.  Connecting tries each URI in order, each
 * with LDAP_OPT_NETWORK_TIMEOUT = connect_timeout_ms and LDAP_OPT_TIMEOUT =
 * op_timeout_ms, both cut to what is left of total_timeout_ms, which bounds
 * the whole attempt across all URIs (ZA_ERR_UNAVAIL when it runs out).
 * Any ldap:// URI whose host is not a loopback address (127.0.0.0/8, ::1,
 * "localhost"), and every ldap:// URI when starttls_always is set, gets
 * StartTLS, and a failure to establish it is ZA_ERR_TLS for that URI, never
 * a fallback to plaintext (a server that goes silent or drops the
 * connection during StartTLS counts as unreachable; a failed ldaps://
 * handshake is ZA_ERR_TLS).  ldaps:// and StartTLS verify the server
 * certificate (TLS_REQCERT demand, tls_ca_file as the CA bundle, a new TLS
 * context per handle).  Referrals are never chased.
 *
 * Writes that must move forward only use za_dir_cas(): one modify that
 * deletes the old value and adds the new one, so a concurrent writer makes
 * the delete fail (noSuchAttribute) and the call returns ZA_ERR_CONFLICT.
 *
 * Lifetime and threads: za_dir_open() copies everything it needs from the
 * configuration, so cfg may be freed once it returns; the log sink lg is
 * kept by pointer and must outlive the handle.  There is no global state:
 * distinct handles may be used from distinct threads at the same time; one
 * handle must not be used by two threads at once.
 */
#ifndef ZA_DIR_H
#define ZA_DIR_H

#include <stddef.h>

#include <ldap.h>

struct za_log;
struct za_dir_config;

struct za_dir;

/* Largest bind password file accepted, in bytes. */
#define ZA_DIR_MAX_PASSWORD_FILE	4096

/*
 * Connect and bind as configured (cfg->bind):
 *   sasl-external  SASL EXTERNAL, allowed only when every URI is ldapi://;
 *   simple         bind_dn with the password read from bind_password_file
 *                  (owned by root or by the effective uid, no group or other
 *                  access, at most ZA_DIR_MAX_PASSWORD_FILE bytes, one line;
 *                  a trailing newline is stripped; wiped after use);
 *   anonymous      an anonymous simple bind (proves the server answers).
 * Invalid credentials stop at once (ZA_ERR_AUTH): the other URIs would
 * refuse them too.  An unreachable or silent server, a failed StartTLS or
 * a refused bind moves on to the next URI; each failure is logged at
 * warning with the URI and the reason.  When no URI works the result is
 * ZA_ERR_TLS if TLS was a reason, else ZA_ERR_LDAP if a server refused the
 * bind for another reason, else ZA_ERR_UNAVAIL.  On success *dirp owns the
 * connection.  Returns ZA_OK, ZA_ERR_UNAVAIL, ZA_ERR_TLS, ZA_ERR_AUTH,
 * ZA_ERR_LDAP, ZA_ERR_CONFIG, ZA_ERR_UNSAFE_FILE, ZA_ERR_IO, ZA_ERR_TOO_LARGE,
 * ZA_ERR_PARSE (NUL in the password file), ZA_ERR_ARG or ZA_ERR_NOMEM.
 */
int za_dir_open(const struct za_dir_config *cfg, const struct za_log *lg,
    struct za_dir **dirp);

/* Unbind and free; *dirp is set to NULL.  NULL is accepted. */
void za_dir_close(struct za_dir **dirp);

/* The URI actually connected to (owned by dir). */
const char *za_dir_uri(const struct za_dir *dir);

/* The underlying handle, for operations this module does not wrap. */
LDAP *za_dir_ld(const struct za_dir *dir);

/*
 * Decide whether uri needs StartTLS: 1 for ldap:// to a host that is not
 * loopback (127.0.0.0/8, ::1, "localhost"; an empty host means the library
 * default and is not loopback) or for any ldap:// when starttls_always is
 * non-zero; 0 for loopback ldap:// otherwise, for ldaps:// (TLS from the
 * first byte) and for ldapi:// (a local socket).  Pure: resolves and
 * connects nothing.  Returns 1, 0, ZA_ERR_ARG (uri NULL) or ZA_ERR_CONFIG
 * (not exactly one ldap/ldaps/ldapi URL, or one with a DN, attributes,
 * filter or extensions).
 */
int za_dir_uri_needs_tls(const char *uri, int starttls_always);

/* Password policy error reported by the server (draft-behera ppolicy). */
enum za_ppolicy_error {
	ZA_PP_NONE = 0,			/* no error in the control */
	ZA_PP_EXPIRED,			/* passwordExpired */
	ZA_PP_LOCKED,			/* accountLocked */
	ZA_PP_CHANGE_AFTER_RESET,	/* changeAfterReset: must change now */
	ZA_PP_MOD_NOT_ALLOWED,		/* passwordModNotAllowed */
	ZA_PP_MUST_SUPPLY_OLD,		/* mustSupplyOldPassword */
	ZA_PP_INSUFFICIENT_QUALITY,	/* insufficientPasswordQuality */
	ZA_PP_TOO_SHORT,		/* passwordTooShort */
	ZA_PP_TOO_YOUNG,		/* passwordTooYoung */
	ZA_PP_IN_HISTORY,		/* passwordInHistory */
	ZA_PP_TOO_LONG,			/* passwordTooLong */
	ZA_PP_OTHER,			/* a code this build does not know */
};

/* The password policy response control of a bind. */
struct za_ppolicy {
	int present;			/* non-zero: the server sent the control */
	enum za_ppolicy_error error;
	int grace;			/* grace binds left; -1 not reported */
	int expire;			/* seconds before expiry; -1 not reported */
};

/*
 * Bind as dn with password on a fresh connection to the same URI (same TLS
 * rules; the service connection is left as it is), with the password
 * policy request control, then unbind.  When pp is not NULL it receives
 * the policy response (present = 0 when the server sent none), also when
 * the bind failed: a locked account is ZA_ERR_AUTH with pp->error ==
 * ZA_PP_LOCKED; a password that must be changed binds (ZA_OK) with
 * pp->error == ZA_PP_CHANGE_AFTER_RESET.  An empty password is ZA_ERR_AUTH
 * without contacting the server (it would be an unauthenticated bind).
 * Returns ZA_OK, ZA_ERR_AUTH (invalid credentials), ZA_ERR_ARG,
 * ZA_ERR_UNAVAIL, ZA_ERR_TLS, ZA_ERR_NOMEM or ZA_ERR_LDAP.
 */
int za_dir_check_password(struct za_dir *dir, const char *dn,
    const char *password, struct za_ppolicy *pp);

/*
 * Called by za_dir_search() for each entry; return ZA_OK to continue or
 * an error to stop the search (returned to the caller).
 */
typedef int (*za_dir_entry_cb)(LDAP *ld, LDAPMessage *entry, void *arg);

/*
 * Search with the paged-results control (page size from the config), all
 * pages, within op_timeout_ms per page.  filter must already be escaped.
 * attrs is NULL-terminated or NULL for all user attributes.  A server that
 * ignores the (non-critical) control is read as one page.
 * Returns ZA_OK (also when nothing matched), ZA_ERR_NOT_FOUND when base does
 * not exist, ZA_ERR_UNAVAIL, ZA_ERR_ARG, ZA_ERR_NOMEM, ZA_ERR_LDAP or the
 * callback's error.
 */
int za_dir_search(struct za_dir *dir, const char *base, int scope,
    const char *filter, const char *const *attrs, za_dir_entry_cb cb,
    void *arg);

/*
 * A bounded point lookup (an entry and its children, a parameter entry):
 * one plain search of at most size_limit (> 0) entries, within
 * op_timeout_ms, without the paged-results control.  Use it instead of
 * za_dir_search() for small results: OpenLDAP's back-mdb pages a subtree
 * search by walking every candidate of the whole database, which costs
 * about 120 ms with 100,000 users even when the subtree holds two entries.
 * Returns as za_dir_search(), and ZA_ERR_TOO_LARGE when more than
 * size_limit entries match.
 */
int za_dir_lookup(struct za_dir *dir, const char *base, int scope,
    const char *filter, const char *const *attrs, int size_limit,
    za_dir_entry_cb cb, void *arg);

/*
 * Compare-and-swap an attribute value: delete old_value, add new_value, in
 * one modify.  old_value NULL means "the attribute must be absent": the add
 * carries a critical assertion control (!(attr=*)), so a concurrent add
 * (assertion failed, typeOrValueExists, or a constraint violation of a
 * single-valued attribute) is ZA_ERR_CONFLICT too.  attr must be a plain
 * attribute description (letters, digits, '-', '.', ';').  old_value equal
 * to new_value is ZA_ERR_ARG: every concurrent writer would "win" it.
 * Returns ZA_OK, ZA_ERR_CONFLICT, ZA_ERR_NOT_FOUND, ZA_ERR_UNAVAIL, ZA_ERR_ARG
 * or ZA_ERR_LDAP.
 */
int za_dir_cas(struct za_dir *dir, const char *dn, const char *attr,
    const char *old_value, const char *new_value);

/*
 * Add one value to a multi-valued attribute (e.g. a failure record), which
 * the server applies atomically.  ZA_ERR_EXISTS if the value is already
 * there; otherwise as za_dir_modify().
 */
int za_dir_add_value(struct za_dir *dir, const char *dn, const char *attr,
    const char *value);

/*
 * Apply mods (NULL-terminated) to dn in one modify.  Returns ZA_OK or
 * za_dir_map_ldap_error() of the result (ZA_ERR_CONFLICT for
 * noSuchAttribute, ZA_ERR_EXISTS, ZA_ERR_NOT_FOUND, ZA_ERR_UNAVAIL,
 * ZA_ERR_LDAP, ...), or ZA_ERR_ARG.
 */
int za_dir_modify(struct za_dir *dir, const char *dn, LDAPMod **mods);

/*
 * s with const dropped, for filling libldap's structures (LDAPMod,
 * LDAPControl) given to za_dir_modify() and za_dir_add(): they are not
 * const-qualified although libldap never writes through them.  Nothing
 * may write through the result.
 */
char *za_dir_unconst(const char *s);

/* Add an entry.  ZA_ERR_EXISTS if it is already there. */
int za_dir_add(struct za_dir *dir, const char *dn, LDAPMod **mods);

/* Delete an entry (no children).  ZA_ERR_NOT_FOUND if absent. */
int za_dir_delete(struct za_dir *dir, const char *dn);

/*
 * Map an LDAP result code to a za_err code: success → ZA_OK; server down,
 * connect error, timeout, unavailable, busy → ZA_ERR_UNAVAIL; invalid
 * credentials → ZA_ERR_AUTH; noSuchObject → ZA_ERR_NOT_FOUND; alreadyExists
 * and typeOrValueExists → ZA_ERR_EXISTS; noSuchAttribute and
 * assertionFailed → ZA_ERR_CONFLICT; no memory → ZA_ERR_NOMEM; anything
 * else → ZA_ERR_LDAP.
 */
int za_dir_map_ldap_error(int rc);

#endif /* ZA_DIR_H */
