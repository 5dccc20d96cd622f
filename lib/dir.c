/* Directory (OpenLDAP) access: connect, fail over, bind, search, CAS. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_secret.h"

struct za_dir {
	LDAP *ld;
	char *uri;			/* the URI connected to */
	char *tls_ca_file;		/* copy of the configuration's, or NULL */
	int starttls_always;
	int connect_timeout_ms;
	int op_timeout_ms;
	int total_timeout_ms;
	int page_size;
	const struct za_log *lg;	/* kept by pointer: outlives the handle */
};

enum za_uri_kind {
	ZA_URI_LDAP,
	ZA_URI_LDAPS,
	ZA_URI_LDAPI,
};

/* The one place where const is dropped for libldap (see za_dir.h). */
char *
za_dir_unconst(const char *s)
{
	union {
		const char *c;
		char *m;
	} u;

	u.c = s;
	return u.m;
}

static int64_t
za_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
za_ms_to_tv(int64_t ms, struct timeval *tv)
{
	if (ms < 1)
		ms = 1;
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)((ms % 1000) * 1000);
}

/* Is host (as found in a parsed LDAP URL) a loopback address? */
static int
za_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (host == NULL || *host == '\0')
		return 0;	/* library default host: could be anywhere */
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		/* ::ffff:127.x.y.z */
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

/*
 * Check that uri is exactly one plain ldap/ldaps/ldapi URL and say what it
 * is.  libldap would also take a list ("URL URL" or "URL,URL") or a URL
 * with a DN and filter; a configured URI must be one server, nothing else.
 */
static int
za_uri_classify(const char *uri, enum za_uri_kind *kindp, int *loopbackp)
{
	LDAPURLDesc *lud = NULL;
	int r;

	*kindp = ZA_URI_LDAP;
	*loopbackp = 0;
	if (uri == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if (strpbrk(uri, " \t\r\n,") != NULL ||
	    ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS || lud == NULL ||
	    lud->lud_scheme == NULL) {
		r = ZA_ERR_CONFIG;
		goto out;
	}
	if ((lud->lud_dn != NULL && *lud->lud_dn != '\0') ||
	    lud->lud_attrs != NULL || lud->lud_filter != NULL ||
	    lud->lud_exts != NULL) {
		r = ZA_ERR_CONFIG;
		goto out;
	}
	if (strcasecmp(lud->lud_scheme, "ldap") == 0)
		*kindp = ZA_URI_LDAP;
	else if (strcasecmp(lud->lud_scheme, "ldaps") == 0)
		*kindp = ZA_URI_LDAPS;
	else if (strcasecmp(lud->lud_scheme, "ldapi") == 0)
		*kindp = ZA_URI_LDAPI;
	else {
		r = ZA_ERR_CONFIG;
		goto out;
	}
	*loopbackp = *kindp == ZA_URI_LDAPI ||
	    za_host_is_loopback(lud->lud_host);
	r = ZA_OK;
out:
	if (lud != NULL)
		ldap_free_urldesc(lud);
	return r;
}

int
za_dir_uri_needs_tls(const char *uri, int starttls_always)
{
	enum za_uri_kind kind;
	int loopback, r;

	if ((r = za_uri_classify(uri, &kind, &loopback)) != ZA_OK)
		return r;
	if (kind != ZA_URI_LDAP)
		return 0;
	return (starttls_always || !loopback) ? 1 : 0;
}

int
za_dir_map_ldap_error(int rc)
{
	switch (rc) {
	case LDAP_SUCCESS:
		return ZA_OK;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		return ZA_ERR_UNAVAIL;
	case LDAP_INVALID_CREDENTIALS:
		return ZA_ERR_AUTH;
	case LDAP_NO_SUCH_OBJECT:
		return ZA_ERR_NOT_FOUND;
	case LDAP_ALREADY_EXISTS:
	case LDAP_TYPE_OR_VALUE_EXISTS:
		return ZA_ERR_EXISTS;
	case LDAP_NO_SUCH_ATTRIBUTE:
	case LDAP_ASSERTION_FAILED:
		return ZA_ERR_CONFLICT;
	case LDAP_NO_MEMORY:
		return ZA_ERR_NOMEM;
	}
	return ZA_ERR_LDAP;
}

/* Log why uri failed at step what, with the server's diagnostic text. */
static void
za_dir_warn_ldap(const struct za_log *lg, const char *uri, const char *what,
    LDAP *ld, int rc)
{
	char *diag = NULL;

	if (ld != NULL)
		(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	/* Named after the module: the helper's own name would say nothing. */
	za_log_msg(lg, LOG_WARNING, "za_dir", "%s: %s: %s%s%s%s", uri, what,
	    ldap_err2string(rc),
	    diag != NULL && *diag != '\0' ? " (" : "",
	    diag != NULL ? diag : "",
	    diag != NULL && *diag != '\0' ? ")" : "");
	ldap_memfree(diag);
}

/*
 * Did the last failure leave a diagnostic message?  libldap sets none for
 * a refused or timed-out TCP connect and the TLS layer's error text for a
 * failed handshake, which tells the two apart for ldaps://.
 */
static int
za_dir_has_diag(LDAP *ld)
{
	char *diag = NULL;
	int has;

	(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	has = diag != NULL && *diag != '\0';
	ldap_memfree(diag);
	return has;
}

/*
 * Set the socket and operation timeouts of ld to net_ms and op_ms, each
 * cut to what is left before deadline.  ZA_ERR_TIMEOUT if nothing is left.
 */
static int
za_dir_set_timeouts(LDAP *ld, int net_ms, int op_ms, int64_t deadline)
{
	struct timeval tv;
	int64_t left;

	left = deadline - za_now_ms();
	if (left <= 0)
		return ZA_ERR_TIMEOUT;
	za_ms_to_tv(net_ms < left ? net_ms : left, &tv);
	if (ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS)
		return ZA_ERR_LDAP;
	za_ms_to_tv(op_ms < left ? op_ms : left, &tv);
	if (ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS)
		return ZA_ERR_LDAP;
	return ZA_OK;
}

/* Options every handle gets; TLS verification when tls is set. */
static int
za_dir_set_options(const struct za_dir *dir, const char *uri, LDAP *ld,
    int tls)
{
	int version = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND;
	int tlsmin = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2, server = 0, rc;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) !=
	    LDAP_OPT_SUCCESS) {
		za_warn(dir->lg, "%s: cannot set connection options", uri);
		return ZA_ERR_LDAP;
	}
	if (!tls)
		return ZA_OK;
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) !=
	    LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsmin) !=
	    LDAP_OPT_SUCCESS) {
		za_warn(dir->lg, "%s: cannot set TLS options", uri);
		return ZA_ERR_TLS;
	}
	if (dir->tls_ca_file != NULL && ldap_set_option(ld,
	    LDAP_OPT_X_TLS_CACERTFILE, dir->tls_ca_file) != LDAP_OPT_SUCCESS) {
		za_warn(dir->lg, "%s: cannot use CA file %s", uri,
		    dir->tls_ca_file);
		return ZA_ERR_TLS;
	}
	/* A context of this handle's own, built from the options above. */
	if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &server)) !=
	    LDAP_OPT_SUCCESS) {
		za_dir_warn_ldap(dir->lg, uri, "TLS context", ld, rc);
		return ZA_ERR_TLS;
	}
	return ZA_OK;
}

/*
 * zoneauth binds with simple, anonymous or SASL EXTERNAL, and libsasl2
 * has EXTERNAL built in: no SASL plug-in is ever needed.  libldap
 * initialises libsasl2 once per process, which by default loads every
 * installed plug-in (and through them Berkeley DB and libcrypto) into the
 * login process: attack surface, and milliseconds on every login.  So,
 * unless something in this process has initialised libsasl2 already (its
 * mechanism list is then set, and its plug-ins stay as they are), point
 * its plug-in path at nothing before libldap initialises it.
 */
static void
za_dir_sasl_builtin_only(void)
{
	char none[] = "";

	if (sasl_global_listmech() == NULL)
		(void)sasl_set_path(SASL_PATH_TYPE_PLUGIN, none);
}

/*
 * Open a connection to uri (TCP or socket, then StartTLS when required)
 * within the handle's timeouts and before deadline.  Returns ZA_OK with
 * *ldp set, ZA_ERR_UNAVAIL, ZA_ERR_TLS, ZA_ERR_CONFIG, ZA_ERR_LDAP or
 * ZA_ERR_NOMEM; failures are logged.
 */
static int
za_dir_connect(const struct za_dir *dir, const char *uri, int64_t deadline,
    LDAP **ldp)
{
	LDAP *ld = NULL;
	enum za_uri_kind kind;
	int loopback, starttls, rc, r;

	*ldp = NULL;
	if ((r = za_uri_classify(uri, &kind, &loopback)) != ZA_OK) {
		za_warn(dir->lg, "%s: not a single ldap://, ldaps:// or "
		    "ldapi:// URI", uri != NULL ? uri : "(null)");
		goto out;
	}
	starttls = kind == ZA_URI_LDAP && (dir->starttls_always || !loopback);
	za_dir_sasl_builtin_only();
	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
		za_warn(dir->lg, "%s: %s", uri, ldap_err2string(rc));
		r = rc == LDAP_NO_MEMORY ? ZA_ERR_NOMEM : ZA_ERR_CONFIG;
		goto out;
	}
	if ((r = za_dir_set_options(dir, uri, ld,
	    kind == ZA_URI_LDAPS || starttls)) != ZA_OK)
		goto out;
	if (za_dir_set_timeouts(ld, dir->connect_timeout_ms,
	    dir->op_timeout_ms, deadline) != ZA_OK) {
		za_warn(dir->lg, "%s: not tried, total timeout of %d ms "
		    "reached", uri, dir->total_timeout_ms);
		r = ZA_ERR_UNAVAIL;
		goto out;
	}
	if ((rc = ldap_connect(ld)) != LDAP_SUCCESS) {
		za_dir_warn_ldap(dir->lg, uri, "connect", ld, rc);
		if (rc == LDAP_NO_MEMORY)
			r = ZA_ERR_NOMEM;
		else if (kind == ZA_URI_LDAPS && za_dir_has_diag(ld))
			r = ZA_ERR_TLS;
		else
			r = ZA_ERR_UNAVAIL;
		goto out;
	}
	if (starttls) {
		if (za_dir_set_timeouts(ld, dir->connect_timeout_ms,
		    dir->op_timeout_ms, deadline) != ZA_OK) {
			za_warn(dir->lg, "%s: StartTLS not tried, total "
			    "timeout of %d ms reached", uri,
			    dir->total_timeout_ms);
			r = ZA_ERR_UNAVAIL;
			goto out;
		}
		if ((rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
			za_dir_warn_ldap(dir->lg, uri,
			    "StartTLS failed, no plaintext fallback", ld, rc);
			/* A silent or vanished server is unavailability. */
			r = (rc == LDAP_TIMEOUT || rc == LDAP_SERVER_DOWN) ?
			    ZA_ERR_UNAVAIL : ZA_ERR_TLS;
			goto out;
		}
	}
	*ldp = ld;
	ld = NULL;
	r = ZA_OK;
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

/*
 * SASL EXTERNAL asks at most for an authorization identity, which is
 * optional: leaving it unanswered authorizes as the authenticated identity
 * (the peer credentials of the ldapi:// socket).  Nothing else is asked.
 */
static int
za_sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *interact)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	(void)interact;
	return LDAP_SUCCESS;
}

/* How a failed bind result affects the URI loop. */
static int
za_dir_bind_error(int rc)
{
	switch (rc) {
	case LDAP_INVALID_CREDENTIALS:
		return ZA_ERR_AUTH;
	case LDAP_NO_MEMORY:
		return ZA_ERR_NOMEM;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		return ZA_ERR_UNAVAIL;
	}
	return ZA_ERR_LDAP;
}

/* Bind ld as the service per cfg; cred is the simple-bind password. */
static int
za_dir_bind_service(const struct za_dir *dir, const struct za_dir_config *cfg,
    const char *uri, LDAP *ld, struct berval *cred, int64_t deadline)
{
	struct berval empty = { 0, NULL };
	int rc, r;

	if (za_dir_set_timeouts(ld, dir->connect_timeout_ms,
	    dir->op_timeout_ms, deadline) != ZA_OK) {
		za_warn(dir->lg, "%s: bind not tried, total timeout of %d ms "
		    "reached", uri, dir->total_timeout_ms);
		r = ZA_ERR_UNAVAIL;
		goto out;
	}
	switch (cfg->bind) {
	case ZA_BIND_SASL_EXTERNAL:
		rc = ldap_sasl_interactive_bind_s(ld, NULL, "EXTERNAL", NULL,
		    NULL, LDAP_SASL_QUIET, za_sasl_interact, NULL);
		break;
	case ZA_BIND_SIMPLE:
		rc = ldap_sasl_bind_s(ld, cfg->bind_dn, LDAP_SASL_SIMPLE, cred,
		    NULL, NULL, NULL);
		break;
	case ZA_BIND_ANONYMOUS:
	default:
		rc = ldap_sasl_bind_s(ld, "", LDAP_SASL_SIMPLE, &empty, NULL,
		    NULL, NULL);
		break;
	}
	if (rc != LDAP_SUCCESS) {
		za_dir_warn_ldap(dir->lg, uri, "bind", ld, rc);
		r = za_dir_bind_error(rc);
		goto out;
	}
	r = ZA_OK;
out:
	return r;
}

/* Reject configurations za_dir_open() cannot honour safely. */
static int
za_dir_check_config(const struct za_dir_config *cfg, const struct za_log *lg)
{
	enum za_uri_kind kind;
	int loopback;
	size_t i;

	if (cfg->n_uris == 0 || cfg->n_uris > ZA_CONF_MAX_URIS) {
		za_error(lg, "directory: %zu URIs configured (1 to %d allowed)",
		    cfg->n_uris, ZA_CONF_MAX_URIS);
		return ZA_ERR_CONFIG;
	}
	for (i = 0; i < cfg->n_uris; i++) {
		if (za_uri_classify(cfg->uris[i], &kind, &loopback) != ZA_OK) {
			za_error(lg, "directory: %s: not a single ldap://, "
			    "ldaps:// or ldapi:// URI", cfg->uris[i] != NULL ?
			    cfg->uris[i] : "(null)");
			return ZA_ERR_CONFIG;
		}
		if (cfg->bind == ZA_BIND_SASL_EXTERNAL &&
		    kind != ZA_URI_LDAPI) {
			za_error(lg, "directory: %s: bind = sasl-external needs "
			    "ldapi:// URIs only", cfg->uris[i]);
			return ZA_ERR_CONFIG;
		}
	}
	if (cfg->connect_timeout_ms <= 0 || cfg->op_timeout_ms <= 0 ||
	    cfg->total_timeout_ms <= 0 || cfg->page_size <= 0) {
		za_error(lg, "directory: timeouts and page size must be "
		    "positive");
		return ZA_ERR_CONFIG;
	}
	switch (cfg->bind) {
	case ZA_BIND_SASL_EXTERNAL:
	case ZA_BIND_ANONYMOUS:
		break;
	case ZA_BIND_SIMPLE:
		if (cfg->bind_dn == NULL || *cfg->bind_dn == '\0' ||
		    cfg->bind_password_file == NULL ||
		    *cfg->bind_password_file == '\0') {
			za_error(lg, "directory: bind = simple needs bind_dn "
			    "and bind_password_file");
			return ZA_ERR_CONFIG;
		}
		break;
	default:
		za_error(lg, "directory: unknown bind method %d",
		    (int)cfg->bind);
		return ZA_ERR_CONFIG;
	}
	return ZA_OK;
}

/*
 * Read the service password from path: owned by root or by the effective
 * uid (za_file_read_checked accepts both), secret mode, one line.  *bufp is released with
 * za_freezero(*bufp, *capp); cred points into it.
 */
static int
za_dir_read_password(const char *path, const struct za_log *lg, char **bufp,
    size_t *capp, struct berval *cred)
{
	struct za_file_policy pol;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r;

	*bufp = NULL;
	*capp = 0;
	pol.owner = geteuid();
	pol.secret = 1;
	pol.max_size = ZA_DIR_MAX_PASSWORD_FILE;
	if ((r = za_file_read_checked(path, &pol, lg, &buf, &len)) != ZA_OK)
		goto out;
	cap = len + 1;
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
	}
	if (len == 0) {
		/* An empty simple bind is an unauthenticated bind. */
		za_error(lg, "%s: empty bind password", path);
		r = ZA_ERR_CONFIG;
		goto out;
	}
	if (memchr(buf, '\n', len) != NULL) {
		za_error(lg, "%s: bind password file has more than one line",
		    path);
		r = ZA_ERR_CONFIG;
		goto out;
	}
	cred->bv_val = buf;
	cred->bv_len = len;
	*bufp = buf;
	*capp = cap;
	buf = NULL;
	r = ZA_OK;
out:
	if (buf != NULL)
		za_freezero(buf, cap != 0 ? cap : len + 1);
	return r;
}

int
za_dir_open(const struct za_dir_config *cfg, const struct za_log *lg,
    struct za_dir **dirp)
{
	struct za_dir *dir = NULL;
	struct berval cred = { 0, NULL };
	char *pwbuf = NULL;
	size_t pwcap = 0, i;
	LDAP *ld = NULL;
	int64_t deadline;
	int r, ur, saw_tls = 0, saw_ldap = 0;

	if (dirp != NULL)
		*dirp = NULL;
	if (dirp == NULL || cfg == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_dir_check_config(cfg, lg)) != ZA_OK)
		goto out;
	if (cfg->bind == ZA_BIND_SIMPLE &&
	    (r = za_dir_read_password(cfg->bind_password_file, lg, &pwbuf,
	    &pwcap, &cred)) != ZA_OK)
		goto out;
	if ((dir = calloc(1, sizeof(*dir))) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	dir->starttls_always = cfg->starttls_always;
	dir->connect_timeout_ms = cfg->connect_timeout_ms;
	dir->op_timeout_ms = cfg->op_timeout_ms;
	dir->total_timeout_ms = cfg->total_timeout_ms;
	dir->page_size = cfg->page_size;
	dir->lg = lg;
	if (cfg->tls_ca_file != NULL && *cfg->tls_ca_file != '\0' &&
	    (dir->tls_ca_file = strdup(cfg->tls_ca_file)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	deadline = za_now_ms() + cfg->total_timeout_ms;
	r = ZA_ERR_UNAVAIL;
	for (i = 0; i < cfg->n_uris; i++) {
		if (za_now_ms() >= deadline) {
			za_warn(lg, "%s and later URIs not tried: total timeout "
			    "of %d ms reached", cfg->uris[i],
			    cfg->total_timeout_ms);
			break;
		}
		ur = za_dir_connect(dir, cfg->uris[i], deadline, &ld);
		if (ur == ZA_OK)
			ur = za_dir_bind_service(dir, cfg, cfg->uris[i], ld,
			    &cred, deadline);
		if (ur == ZA_OK) {
			if ((dir->uri = strdup(cfg->uris[i])) == NULL) {
				r = ZA_ERR_NOMEM;
				goto out;
			}
			r = ZA_OK;
			break;
		}
		if (ld != NULL) {
			ldap_unbind_ext_s(ld, NULL, NULL);
			ld = NULL;
		}
		if (ur == ZA_ERR_AUTH || ur == ZA_ERR_NOMEM ||
		    ur == ZA_ERR_CONFIG) {
			r = ur;
			goto out;
		}
		if (ur == ZA_ERR_TLS)
			saw_tls = 1;
		else if (ur == ZA_ERR_LDAP)
			saw_ldap = 1;
	}
	if (r != ZA_OK) {
		r = saw_tls ? ZA_ERR_TLS : saw_ldap ? ZA_ERR_LDAP :
		    ZA_ERR_UNAVAIL;
		za_error_r(lg, r, "no directory server of %zu usable",
		    cfg->n_uris);
		goto out;
	}
	/* From now on each operation gets the full operation timeout. */
	if ((r = za_dir_set_timeouts(ld, dir->connect_timeout_ms,
	    dir->op_timeout_ms, INT64_MAX)) != ZA_OK)
		goto out;
	dir->ld = ld;
	ld = NULL;
	*dirp = dir;
	dir = NULL;
	r = ZA_OK;
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	za_dir_close(&dir);
	if (pwbuf != NULL)
		za_freezero(pwbuf, pwcap);
	return r;
}

void
za_dir_close(struct za_dir **dirp)
{
	struct za_dir *dir;

	if (dirp == NULL || *dirp == NULL)
		return;
	dir = *dirp;
	if (dir->ld != NULL)
		ldap_unbind_ext_s(dir->ld, NULL, NULL);
	free(dir->uri);
	free(dir->tls_ca_file);
	free(dir);
	*dirp = NULL;
}

const char *
za_dir_uri(const struct za_dir *dir)
{
	return dir != NULL ? dir->uri : NULL;
}

LDAP *
za_dir_ld(const struct za_dir *dir)
{
	return dir != NULL ? dir->ld : NULL;
}

static enum za_ppolicy_error
za_ppolicy_map(LDAPPasswordPolicyError e)
{
	switch (e) {
	case PP_noError:			return ZA_PP_NONE;
	case PP_passwordExpired:		return ZA_PP_EXPIRED;
	case PP_accountLocked:			return ZA_PP_LOCKED;
	case PP_changeAfterReset:		return ZA_PP_CHANGE_AFTER_RESET;
	case PP_passwordModNotAllowed:		return ZA_PP_MOD_NOT_ALLOWED;
	case PP_mustSupplyOldPassword:		return ZA_PP_MUST_SUPPLY_OLD;
	case PP_insufficientPasswordQuality:	return ZA_PP_INSUFFICIENT_QUALITY;
	case PP_passwordTooShort:		return ZA_PP_TOO_SHORT;
	case PP_passwordTooYoung:		return ZA_PP_TOO_YOUNG;
	case PP_passwordInHistory:		return ZA_PP_IN_HISTORY;
	case PP_passwordTooLong:		return ZA_PP_TOO_LONG;
	}
	return ZA_PP_OTHER;
}

/* Fill pp from the response controls of a bind, if any. */
static void
za_ppolicy_parse(LDAP *ld, LDAPControl **ctrls, struct za_ppolicy *pp)
{
	LDAPControl *c;
	LDAPPasswordPolicyError err = PP_noError;
	ber_int_t expire = -1, grace = -1;

	if (ctrls == NULL || (c = ldap_control_find(
	    LDAP_CONTROL_PASSWORDPOLICYRESPONSE, ctrls, NULL)) == NULL)
		return;
	if (ldap_parse_passwordpolicy_control(ld, c, &expire, &grace,
	    &err) != LDAP_SUCCESS)
		return;
	pp->present = 1;
	pp->error = za_ppolicy_map(err);
	pp->grace = grace;
	pp->expire = expire;
}

int
za_dir_check_password(struct za_dir *dir, const char *dn,
    const char *password, struct za_ppolicy *pp)
{
	struct za_ppolicy dummy;
	struct berval cred = { 0, NULL };
	struct timeval tv;
	LDAP *ld = NULL;
	LDAPControl *ppreq = NULL, *sctrls[2] = { NULL, NULL };
	LDAPControl **rctrls = NULL;
	LDAPMessage *res = NULL;
	int64_t deadline, left;
	int msgid = -1, err = LDAP_OTHER, rc, r;

	if (pp == NULL)
		pp = &dummy;
	pp->present = 0;
	pp->error = ZA_PP_NONE;
	pp->grace = -1;
	pp->expire = -1;
	if (dir == NULL || dir->uri == NULL || dn == NULL || *dn == '\0' ||
	    password == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if (*password == '\0') {
		/* An empty simple bind would be unauthenticated and succeed. */
		r = ZA_ERR_AUTH;
		goto out;
	}
	deadline = za_now_ms() + dir->total_timeout_ms;
	if ((r = za_dir_connect(dir, dir->uri, deadline, &ld)) != ZA_OK)
		goto out;
	if ((rc = ldap_create_passwordpolicy_control(ld, &ppreq)) !=
	    LDAP_SUCCESS) {
		r = za_dir_map_ldap_error(rc);
		goto out;
	}
	sctrls[0] = ppreq;
	cred.bv_len = strlen(password);
	if ((cred.bv_val = malloc(cred.bv_len + 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	memcpy(cred.bv_val, password, cred.bv_len + 1);
	rc = ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, sctrls, NULL,
	    &msgid);
	if (rc != LDAP_SUCCESS) {
		za_dir_warn_ldap(dir->lg, dir->uri, "user bind", ld, rc);
		r = za_dir_bind_error(rc);
		goto out;
	}
	left = deadline - za_now_ms();
	za_ms_to_tv(dir->op_timeout_ms < left ? dir->op_timeout_ms : left,
	    &tv);
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc <= 0 || res == NULL) {
		if (rc == 0)
			rc = LDAP_TIMEOUT;
		else
			(void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
		za_dir_warn_ldap(dir->lg, dir->uri, "user bind", ld, rc);
		r = ZA_ERR_UNAVAIL;
		goto out;
	}
	rc = ldap_parse_result(ld, res, &err, NULL, NULL, NULL, &rctrls, 0);
	if (rc != LDAP_SUCCESS) {
		za_dir_warn_ldap(dir->lg, dir->uri, "user bind result", ld, rc);
		r = za_dir_bind_error(rc);
		goto out;
	}
	za_ppolicy_parse(ld, rctrls, pp);
	if (err == LDAP_SUCCESS)
		r = ZA_OK;
	else {
		za_debug(dir->lg, "%s: user bind: %s", dir->uri,
		    ldap_err2string(err));
		r = za_dir_bind_error(err);
	}
out:
	if (cred.bv_val != NULL)
		za_freezero(cred.bv_val, cred.bv_len + 1);
	ldap_msgfree(res);
	ldap_controls_free(rctrls);
	ldap_control_free(ppreq);
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

/* Find the paged-results response of res and copy its cookie. */
static int
za_dir_page_cookie(LDAP *ld, LDAPMessage *res, struct berval *cookie)
{
	LDAPControl **rctrls = NULL, *c;
	ber_int_t estimate = 0;
	int err = LDAP_OTHER, rc, r;

	cookie->bv_val = NULL;
	cookie->bv_len = 0;
	rc = ldap_parse_result(ld, res, &err, NULL, NULL, NULL, &rctrls, 0);
	if (rc != LDAP_SUCCESS) {
		r = za_dir_map_ldap_error(rc);
		goto out;
	}
	if (err != LDAP_SUCCESS) {
		r = za_dir_map_ldap_error(err);
		goto out;
	}
	/* No response control: the server did not page; that was all. */
	if (rctrls == NULL || (c = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS,
	    rctrls, NULL)) == NULL) {
		r = ZA_OK;
		goto out;
	}
	if ((rc = ldap_parse_pageresponse_control(ld, c, &estimate,
	    cookie)) != LDAP_SUCCESS) {
		r = za_dir_map_ldap_error(rc);
		goto out;
	}
	r = ZA_OK;
out:
	ldap_controls_free(rctrls);
	return r;
}

/*
 * One search, all pages when paged, otherwise at most size_limit entries
 * in one request (size_limit 0: the server's limit).
 */
static int
za_dir_search_pages(struct za_dir *dir, const char *base, int scope,
    const char *filter, const char *const *attrs, int paged, int size_limit,
    za_dir_entry_cb cb, void *arg)
{
	union {
		const char *const *c;
		char **m;
	} ua;
	struct berval cookie = { 0, NULL };
	struct timeval tv;
	LDAPControl *page = NULL, *sctrls[2] = { NULL, NULL };
	LDAPMessage *res = NULL, *e;
	int rc, r;

	if (dir == NULL || dir->ld == NULL || base == NULL || filter == NULL ||
	    cb == NULL || size_limit < 0) {
		r = ZA_ERR_ARG;
		goto out;
	}
	ua.c = attrs;	/* libldap takes char ** but does not write */
	do {
		if (paged) {
			rc = ldap_create_page_control(dir->ld, dir->page_size,
			    cookie.bv_val != NULL ? &cookie : NULL, 0, &page);
			if (rc != LDAP_SUCCESS) {
				r = za_dir_map_ldap_error(rc);
				goto out;
			}
		}
		ldap_memfree(cookie.bv_val);
		cookie.bv_val = NULL;
		cookie.bv_len = 0;
		sctrls[0] = page;
		za_ms_to_tv(dir->op_timeout_ms, &tv);
		rc = ldap_search_ext_s(dir->ld, base, scope, filter, ua.m, 0,
		    sctrls, NULL, &tv, paged ? LDAP_NO_LIMIT : size_limit, &res);
		ldap_control_free(page);
		page = NULL;
		if (rc != LDAP_SUCCESS) {
			za_debug(dir->lg, "search %s %s: %s", base, filter,
			    ldap_err2string(rc));
			r = rc == LDAP_SIZELIMIT_EXCEEDED ? ZA_ERR_TOO_LARGE :
			    za_dir_map_ldap_error(rc);
			goto out;
		}
		for (e = ldap_first_entry(dir->ld, res); e != NULL;
		    e = ldap_next_entry(dir->ld, e)) {
			if ((r = cb(dir->ld, e, arg)) != ZA_OK)
				goto out;
		}
		if ((r = za_dir_page_cookie(dir->ld, res, &cookie)) != ZA_OK)
			goto out;
		ldap_msgfree(res);
		res = NULL;
	} while (cookie.bv_val != NULL && cookie.bv_len > 0);
	r = ZA_OK;
out:
	ldap_msgfree(res);
	ldap_control_free(page);
	ldap_memfree(cookie.bv_val);
	return r;
}

int
za_dir_search(struct za_dir *dir, const char *base, int scope,
    const char *filter, const char *const *attrs, za_dir_entry_cb cb,
    void *arg)
{
	return za_dir_search_pages(dir, base, scope, filter, attrs, 1, 0, cb,
	    arg);
}

int
za_dir_lookup(struct za_dir *dir, const char *base, int scope,
    const char *filter, const char *const *attrs, int size_limit,
    za_dir_entry_cb cb, void *arg)
{
	if (size_limit <= 0)
		return ZA_ERR_ARG;
	return za_dir_search_pages(dir, base, scope, filter, attrs, 0,
	    size_limit, cb, arg);
}

/* A plain attribute description: keystring or OID, with options. */
static int
za_attr_ok(const char *attr)
{
	const char *p;

	if (attr == NULL || *attr == '\0')
		return 0;
	for (p = attr; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == ';'))
			return 0;
	}
	return 1;
}

static int
za_dir_modify_ctrls(struct za_dir *dir, const char *dn, LDAPMod **mods,
    LDAPControl **sctrls)
{
	int rc;

	if (dir == NULL || dir->ld == NULL || dn == NULL || *dn == '\0' ||
	    mods == NULL || mods[0] == NULL)
		return ZA_ERR_ARG;
	rc = ldap_modify_ext_s(dir->ld, dn, mods, sctrls, NULL);
	if (rc != LDAP_SUCCESS)
		za_debug(dir->lg, "modify %s: %s", dn, ldap_err2string(rc));
	return za_dir_map_ldap_error(rc);
}

int
za_dir_modify(struct za_dir *dir, const char *dn, LDAPMod **mods)
{
	return za_dir_modify_ctrls(dir, dn, mods, NULL);
}

int
za_dir_cas(struct za_dir *dir, const char *dn, const char *attr,
    const char *old_value, const char *new_value)
{
	char *oldv[2] = { NULL, NULL }, *newv[2] = { NULL, NULL };
	char *assertion = NULL;
	LDAPMod del, add, *mods[3] = { NULL, NULL, NULL };
	LDAPControl *assert_ctrl = NULL, *sctrls[2] = { NULL, NULL };
	size_t alen;
	int rc, r;

	/* old == new would succeed for every writer: no proof of anything. */
	if (dir == NULL || dir->ld == NULL || !za_attr_ok(attr) ||
	    new_value == NULL ||
	    (old_value != NULL && strcmp(old_value, new_value) == 0)) {
		r = ZA_ERR_ARG;
		goto out;
	}
	memset(&del, 0, sizeof(del));
	memset(&add, 0, sizeof(add));
	newv[0] = za_dir_unconst(new_value);
	add.mod_op = LDAP_MOD_ADD;
	add.mod_type = za_dir_unconst(attr);
	add.mod_values = newv;
	if (old_value != NULL) {
		oldv[0] = za_dir_unconst(old_value);
		del.mod_op = LDAP_MOD_DELETE;
		del.mod_type = za_dir_unconst(attr);
		del.mod_values = oldv;
		mods[0] = &del;
		mods[1] = &add;
		r = za_dir_modify_ctrls(dir, dn, mods, NULL);
		goto out;
	}
	/* Add only, and only if the attribute has no value at all. */
	alen = strlen(attr) + sizeof("(!(=*))");
	if ((assertion = malloc(alen)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	snprintf(assertion, alen, "(!(%s=*))", attr);
	if ((rc = ldap_create_assertion_control(dir->ld, assertion, 1,
	    &assert_ctrl)) != LDAP_SUCCESS) {
		r = za_dir_map_ldap_error(rc);
		goto out;
	}
	sctrls[0] = assert_ctrl;
	mods[0] = &add;
	r = za_dir_modify_ctrls(dir, dn, mods, sctrls);
	/* Another writer's add won: value present, or single-valued full. */
	if (r == ZA_ERR_EXISTS ||
	    (r == ZA_ERR_LDAP && ldap_get_option(dir->ld,
	    LDAP_OPT_RESULT_CODE, &rc) == LDAP_OPT_SUCCESS &&
	    rc == LDAP_CONSTRAINT_VIOLATION))
		r = ZA_ERR_CONFLICT;
out:
	ldap_control_free(assert_ctrl);
	free(assertion);
	return r;
}

int
za_dir_add_value(struct za_dir *dir, const char *dn, const char *attr,
    const char *value)
{
	char *vals[2] = { NULL, NULL };
	LDAPMod add, *mods[2] = { NULL, NULL };

	if (!za_attr_ok(attr) || value == NULL)
		return ZA_ERR_ARG;
	memset(&add, 0, sizeof(add));
	vals[0] = za_dir_unconst(value);
	add.mod_op = LDAP_MOD_ADD;
	add.mod_type = za_dir_unconst(attr);
	add.mod_values = vals;
	mods[0] = &add;
	return za_dir_modify_ctrls(dir, dn, mods, NULL);
}

int
za_dir_add(struct za_dir *dir, const char *dn, LDAPMod **mods)
{
	int rc;

	if (dir == NULL || dir->ld == NULL || dn == NULL || *dn == '\0' ||
	    mods == NULL || mods[0] == NULL)
		return ZA_ERR_ARG;
	rc = ldap_add_ext_s(dir->ld, dn, mods, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		za_debug(dir->lg, "add %s: %s", dn, ldap_err2string(rc));
	return za_dir_map_ldap_error(rc);
}

int
za_dir_delete(struct za_dir *dir, const char *dn)
{
	int rc;

	if (dir == NULL || dir->ld == NULL || dn == NULL || *dn == '\0')
		return ZA_ERR_ARG;
	rc = ldap_delete_ext_s(dir->ld, dn, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		za_debug(dir->lg, "delete %s: %s", dn, ldap_err2string(rc));
	return za_dir_map_ldap_error(rc);
}
