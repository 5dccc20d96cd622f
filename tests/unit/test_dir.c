/*
 * Directory access (lib/dir.c) against a real slapd on loopback.
 *
 * Run by tests/integration/dir.sh, which starts contrib/slapd-sandbox and
 * passes it in the environment:
 *   ZA_TEST_LDAP_URI       ldap://127.0.0.1:PORT/
 *   ZA_TEST_LDAPI_URI      ldapi://... (SASL EXTERNAL maps to the admin)
 *   ZA_TEST_BASE_DN        base DN with ou=people below it
 *   ZA_TEST_ADMIN_DN       rootdn
 *   ZA_TEST_ADMIN_PW_FILE  its password, mode 0600
 *   ZA_TEST_TMPDIR         a private writable directory
 * Without them the program skips (exit 77).  Every other address used is
 * a loopback listener or port created here: nothing leaves the machine.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <lber.h>
#include <ldap.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_log.h"

#define N_PAGED		1200
#define N_RACERS	20

static struct {
	const char *ldap_uri;
	const char *ldapi_uri;
	const char *base;
	const char *admin_dn;
	const char *admin_pw_file;
	const char *tmpdir;
	char *admin_pw;		/* file contents, for the log check */
	char *people;		/* ou=people,<base> */
} env;

/* ---------------------------------------------------------- log capture */

static struct {
	char *text;		/* all lines, each ending in '\n' */
	size_t len;
} logbuf;

static void
capture_emit(void *arg, int priority, const char *line)
{
	size_t n = strlen(line);
	char *p;

	(void)arg;
	if (getenv("ZA_TEST_VERBOSE") != NULL)
		fprintf(stderr, "log<%d>: %s\n", priority, line);
	p = realloc(logbuf.text, logbuf.len + n + 2);
	assert_non_null(p);
	logbuf.text = p;
	memcpy(logbuf.text + logbuf.len, line, n);
	logbuf.len += n;
	logbuf.text[logbuf.len++] = '\n';
	logbuf.text[logbuf.len] = '\0';
}

static const struct za_log test_log = { capture_emit, NULL, 1 };

static void
log_reset(void)
{
	if (logbuf.text != NULL)
		logbuf.text[0] = '\0';
	logbuf.len = 0;
}

static int
log_has(const char *s)
{
	return logbuf.text != NULL && strstr(logbuf.text, s) != NULL;
}

/* ---------------------------------------------------------- helpers */

static int64_t
now_ms(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static char *
xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return p;
}

/* A configuration with n URIs, simple bind as the admin. */
static void
cfg_init(struct za_dir_config *c, const char *const *uris, size_t n)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	assert_true(n <= ZA_CONF_MAX_URIS);
	for (i = 0; i < n; i++)
		c->uris[i] = xstrdup(uris[i]);
	c->n_uris = n;
	c->base_dn = xstrdup(env.base);
	c->users_dn = xstrdup(env.people);
	c->bind = ZA_BIND_SIMPLE;
	c->bind_dn = xstrdup(env.admin_dn);
	c->bind_password_file = xstrdup(env.admin_pw_file);
	c->connect_timeout_ms = 2000;
	c->op_timeout_ms = 5000;
	c->total_timeout_ms = 8000;
	c->page_size = 500;
}

static void
cfg_set(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? xstrdup(value) : NULL;
}

static void
cfg_free(struct za_dir_config *c)
{
	size_t i;

	for (i = 0; i < c->n_uris; i++)
		free(c->uris[i]);
	free(c->base_dn);
	free(c->users_dn);
	free(c->groups_dn);
	free(c->bind_dn);
	free(c->bind_password_file);
	free(c->tls_ca_file);
	memset(c, 0, sizeof(*c));
}

/* An admin connection over ldap:// (simple bind). */
static struct za_dir *
admin_open(void)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	const char *uris[] = { env.ldap_uri };

	cfg_init(&c, uris, 1);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	cfg_free(&c);
	return dir;
}

/* Write content to a new file under tmpdir with mode; return its path. */
static char *
write_file(const char *name, const char *content, mode_t mode)
{
	char *path = xprintf("%s/%s", env.tmpdir, name);
	int fd;
	size_t n = strlen(content);

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static char *
read_file(const char *path)
{
	char buf[4097];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return xstrdup(buf);
}

/* A loopback port nothing listens on (bound, then closed). */
static int
dead_port(void)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * A loopback listener that completes TCP handshakes (the kernel queues
 * them) but never accepts or answers: requests go unanswered.
 */
static int
silent_listener(int backlog, int *portp)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	*portp = ntohs(a.sin_port);
	return fd;
}

/*
 * A loopback listener whose accept queue is full, so the kernel drops
 * further SYNs and a connect() hangs until its timeout.  The sockets
 * filling the queue are returned in fill[] (closed by the caller).
 */
static int
syn_drop_listener(int *portp, int fill[8], int *nfill)
{
	struct sockaddr_in a;
	struct pollfd pfd;
	int fd, c, i;

	fd = silent_listener(0, portp);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)*portp);
	*nfill = 0;
	for (i = 0; i < 8; i++) {
		c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		assert_true(c >= 0);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
			assert_int_equal(errno, EINPROGRESS);
		pfd.fd = c;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 200) == 0) {
			close(c);	/* this one hung: the queue is full */
			break;
		}
		fill[(*nfill)++] = c;
	}
	assert_true(i < 8);
	return fd;
}

/* Collect the values of one attribute over the entries a search returns. */
struct collect {
	const char *attr;
	char vals[64][128];
	size_t n;
	size_t entries;
};

static int
collect_cb(LDAP *ld, LDAPMessage *entry, void *arg)
{
	struct collect *co = arg;
	struct berval **v;
	size_t i;

	co->entries++;
	v = ldap_get_values_len(ld, entry, co->attr);
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		assert_true(co->n < 64);
		assert_true(v[i]->bv_len < 128);
		memcpy(co->vals[co->n], v[i]->bv_val, v[i]->bv_len);
		co->vals[co->n][v[i]->bv_len] = '\0';
		co->n++;
	}
	ldap_value_free_len(v);
	return ZA_OK;
}

static void
read_attr(struct za_dir *dir, const char *dn, const char *attr,
    struct collect *co)
{
	const char *attrs[2] = { attr, NULL };

	memset(co, 0, sizeof(*co));
	co->attr = attr;
	assert_int_equal(za_dir_search(dir, dn, LDAP_SCOPE_BASE,
	    "(objectClass=*)", attrs, collect_cb, co), ZA_OK);
	assert_int_equal(co->entries, 1);
}

/* Add an inetOrgPerson uid=<uid>,ou=people with optional password. */
static char *
add_person(struct za_dir *dir, const char *uid, const char *password)
{
	char *dn = NULL;
	char *oc[] = { "inetOrgPerson", NULL };
	char *uidv[] = { (char *)(uintptr_t)uid, NULL };
	char *sn[] = { "Test", NULL };
	char *pw[] = { (char *)(uintptr_t)password, NULL };
	LDAPMod m_oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = oc } };
	LDAPMod m_uid = { LDAP_MOD_ADD, "uid", { .modv_strvals = uidv } };
	LDAPMod m_cn = { LDAP_MOD_ADD, "cn", { .modv_strvals = uidv } };
	LDAPMod m_sn = { LDAP_MOD_ADD, "sn", { .modv_strvals = sn } };
	LDAPMod m_pw = { LDAP_MOD_ADD, "userPassword",
	    { .modv_strvals = pw } };
	LDAPMod *mods[] = { &m_oc, &m_uid, &m_cn, &m_sn, NULL, NULL };

	if (password != NULL)
		mods[4] = &m_pw;
	assert_int_equal(za_escape_user_dn(uid, env.people, &dn), ZA_OK);
	assert_int_equal(za_dir_add(dir, dn, mods), ZA_OK);
	return dn;
}

/* ---------------------------------------------------------- tests */

static void
test_needs_tls_table(void **state)
{
	static const struct {
		const char *uri;
		int always;
		int want;
	} t[] = {
		{ "ldap://127.0.0.1", 0, 0 },
		{ "ldap://127.0.0.1:389/", 0, 0 },
		{ "ldap://127.5.5.5", 0, 0 },
		{ "ldap://[::1]", 0, 0 },
		{ "ldap://[::1]:10389/", 0, 0 },
		{ "ldap://localhost", 0, 0 },
		{ "ldap://LocalHost:389", 0, 0 },
		{ "ldap://[::ffff:127.0.0.1]", 0, 0 },
		{ "ldap://ldap.example.lg.jp", 0, 1 },
		{ "ldap://10.0.0.1", 0, 1 },
		{ "ldap://192.168.0.1", 0, 1 },
		{ "ldap://128.0.0.1", 0, 1 },
		{ "ldap://[::2]", 0, 1 },
		{ "ldap://127.0.0.1.example.lg.jp", 0, 1 },
		{ "ldap://localhost.example.lg.jp", 0, 1 },
		{ "ldap:///", 0, 1 },	/* library default host */
		{ "ldap://127.0.0.1", 1, 1 },
		{ "ldap://localhost", 1, 1 },
		{ "ldap://[::1]", 1, 1 },
		{ "ldaps://ldap.example.lg.jp", 0, 0 },
		{ "ldaps://127.0.0.1", 1, 0 },
		{ "ldapi://%2Frun%2Fslapd%2Fldapi", 0, 0 },
		{ "ldapi://%2Frun%2Fslapd%2Fldapi", 1, 0 },
		{ "ldapi:///", 1, 0 },
		{ "http://127.0.0.1", 0, ZA_ERR_CONFIG },
		{ "ldap://127.0.0.1 ldap://10.0.0.1", 0, ZA_ERR_CONFIG },
		{ "ldap://127.0.0.1,ldap://10.0.0.1", 0, ZA_ERR_CONFIG },
		{ "ldap://127.0.0.1/dc=example??sub", 0, ZA_ERR_CONFIG },
		{ "ldap://127.0.0.1/??base?(uid=x)", 0, ZA_ERR_CONFIG },
		{ "", 0, ZA_ERR_CONFIG },
		{ "127.0.0.1", 0, ZA_ERR_CONFIG },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (za_dir_uri_needs_tls(t[i].uri, t[i].always) != t[i].want)
			fail_msg("za_dir_uri_needs_tls(\"%s\", %d) = %d, "
			    "want %d", t[i].uri, t[i].always,
			    za_dir_uri_needs_tls(t[i].uri, t[i].always),
			    t[i].want);
	}
	assert_int_equal(za_dir_uri_needs_tls(NULL, 0), ZA_ERR_ARG);
}

static void
test_map_ldap_error(void **state)
{
	(void)state;
	assert_int_equal(za_dir_map_ldap_error(LDAP_SUCCESS), ZA_OK);
	assert_int_equal(za_dir_map_ldap_error(LDAP_SERVER_DOWN),
	    ZA_ERR_UNAVAIL);
	assert_int_equal(za_dir_map_ldap_error(LDAP_CONNECT_ERROR),
	    ZA_ERR_UNAVAIL);
	assert_int_equal(za_dir_map_ldap_error(LDAP_TIMEOUT), ZA_ERR_UNAVAIL);
	assert_int_equal(za_dir_map_ldap_error(LDAP_INVALID_CREDENTIALS),
	    ZA_ERR_AUTH);
	assert_int_equal(za_dir_map_ldap_error(LDAP_NO_SUCH_OBJECT),
	    ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_map_ldap_error(LDAP_ALREADY_EXISTS),
	    ZA_ERR_EXISTS);
	assert_int_equal(za_dir_map_ldap_error(LDAP_TYPE_OR_VALUE_EXISTS),
	    ZA_ERR_EXISTS);
	assert_int_equal(za_dir_map_ldap_error(LDAP_NO_SUCH_ATTRIBUTE),
	    ZA_ERR_CONFLICT);
	assert_int_equal(za_dir_map_ldap_error(LDAP_INSUFFICIENT_ACCESS),
	    ZA_ERR_LDAP);
	assert_int_equal(za_dir_map_ldap_error(LDAP_CONSTRAINT_VIOLATION),
	    ZA_ERR_LDAP);
	assert_int_equal(za_dir_map_ldap_error(LDAP_OTHER), ZA_ERR_LDAP);
}

static void
test_open_bad_config(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = (struct za_dir *)(uintptr_t)1;
	const char *uris[] = { env.ldap_uri };
	const char *bad[] = { "http://127.0.0.1/" };
	const char *list[] = { "ldap://127.0.0.1:1 ldap://127.0.0.1:2" };

	(void)state;
	assert_int_equal(za_dir_open(NULL, &test_log, &dir), ZA_ERR_ARG);
	cfg_init(&c, uris, 1);
	assert_int_equal(za_dir_open(&c, &test_log, NULL), ZA_ERR_ARG);
	c.n_uris = 0;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	assert_null(dir);
	c.n_uris = 1;
	/* sasl-external over TCP is refused: it needs ldapi:// */
	c.bind = ZA_BIND_SASL_EXTERNAL;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	c.bind = ZA_BIND_SIMPLE;
	cfg_set(&c.bind_dn, NULL);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	cfg_free(&c);
	cfg_init(&c, bad, 1);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	cfg_free(&c);
	cfg_init(&c, list, 1);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	cfg_free(&c);
	assert_null(dir);
}

static void
test_open_simple_ldap(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	struct berval *authzid = NULL;
	const char *uris[] = { env.ldap_uri };
	char *want;

	(void)state;
	cfg_init(&c, uris, 1);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	cfg_free(&c);	/* the handle must not need the configuration */
	assert_string_equal(za_dir_uri(dir), env.ldap_uri);
	assert_int_equal(ldap_whoami_s(za_dir_ld(dir), &authzid, NULL, NULL),
	    LDAP_SUCCESS);
	want = xprintf("dn:%s", env.admin_dn);
	assert_non_null(authzid);
	assert_int_equal(authzid->bv_len, strlen(want));
	assert_memory_equal(authzid->bv_val, want, strlen(want));
	free(want);
	ber_bvfree(authzid);
	za_dir_close(&dir);
	assert_null(dir);
	za_dir_close(&dir);
	za_dir_close(NULL);
}

static void
test_open_anonymous(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	struct berval *authzid = NULL;
	const char *uris[] = { env.ldap_uri };

	(void)state;
	cfg_init(&c, uris, 1);
	c.bind = ZA_BIND_ANONYMOUS;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	assert_int_equal(ldap_whoami_s(za_dir_ld(dir), &authzid, NULL, NULL),
	    LDAP_SUCCESS);
	/* anonymous: an empty authorization identity */
	assert_true(authzid == NULL || authzid->bv_len == 0);
	ber_bvfree(authzid);
	za_dir_close(&dir);
	cfg_free(&c);
}

static void
test_open_sasl_external_ldapi(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	struct berval *authzid = NULL;
	const char *uris[] = { env.ldapi_uri };

	(void)state;
	cfg_init(&c, uris, 1);
	c.bind = ZA_BIND_SASL_EXTERNAL;
	cfg_set(&c.bind_dn, NULL);
	cfg_set(&c.bind_password_file, NULL);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	assert_string_equal(za_dir_uri(dir), env.ldapi_uri);
	assert_int_equal(ldap_whoami_s(za_dir_ld(dir), &authzid, NULL, NULL),
	    LDAP_SUCCESS);
	/* Authenticated (not anonymous): the peer-credential identity. */
	assert_non_null(authzid);
	assert_true(authzid->bv_len > 3);
	assert_memory_equal(authzid->bv_val, "dn:", 3);
	ber_bvfree(authzid);
	za_dir_close(&dir);
	cfg_free(&c);
}

static void
test_wrong_password(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	const char *uris[] = { env.ldap_uri, env.ldapi_uri };
	char *pwfile;

	(void)state;
	pwfile = write_file("wrong.pw", "Wrong-Passw0rd-xyz\n", 0600);
	cfg_init(&c, uris, 2);
	cfg_set(&c.bind_password_file, pwfile);
	log_reset();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_AUTH);
	assert_null(dir);
	/* The second URI was not tried: it would refuse the same password. */
	assert_true(log_has(env.ldap_uri));
	assert_false(log_has(env.ldapi_uri));
	assert_false(log_has("Wrong-Passw0rd-xyz"));
	cfg_free(&c);
	free(pwfile);
}

static void
test_password_file_checks(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	const char *uris[] = { env.ldap_uri };
	char *content, *path;

	(void)state;
	content = xprintf("%s\n", env.admin_pw);
	cfg_init(&c, uris, 1);

	/* right password, trailing newline stripped */
	path = write_file("admin-nl.pw", content, 0600);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	za_dir_close(&dir);
	free(path);

	/* group-readable: refused before anything is sent */
	path = write_file("admin-640.pw", content, 0640);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir),
	    ZA_ERR_UNSAFE_FILE);
	assert_null(dir);
	free(path);

	path = write_file("admin-604.pw", content, 0604);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir),
	    ZA_ERR_UNSAFE_FILE);
	free(path);

	/* empty: would be an unauthenticated bind */
	path = write_file("empty.pw", "\n", 0600);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	free(path);

	path = write_file("two-lines.pw", "abc\ndef\n", 0600);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_CONFIG);
	free(path);

	path = xprintf("%s/no-such.pw", env.tmpdir);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_IO);
	free(path);

	/* a symlink is not followed */
	path = xprintf("%s/link.pw", env.tmpdir);
	(void)unlink(path);
	assert_int_equal(symlink(env.admin_pw_file, path), 0);
	cfg_set(&c.bind_password_file, path);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_IO);
	free(path);

	assert_null(dir);
	cfg_free(&c);
	free(content);
}

static void
test_failover_dead_port(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	char *dead;
	const char *uris[2];
	int64_t t0, ms;

	(void)state;
	dead = xprintf("ldap://127.0.0.1:%d/", dead_port());
	uris[0] = dead;
	uris[1] = env.ldap_uri;
	cfg_init(&c, uris, 2);
	log_reset();
	t0 = now_ms();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	ms = now_ms() - t0;
	assert_string_equal(za_dir_uri(dir), env.ldap_uri);
	assert_true(log_has(dead));	/* the failed URI is logged */
	assert_true(ms < 2000);		/* refused at once, not timed out */
	za_dir_close(&dir);
	cfg_free(&c);
	free(dead);
}

static void
test_failover_silent_server(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	char *hole;
	const char *uris[2];
	int64_t t0, ms;
	int lfd, port;

	(void)state;
	lfd = silent_listener(16, &port);
	hole = xprintf("ldap://127.0.0.1:%d/", port);
	uris[0] = hole;
	uris[1] = env.ldap_uri;
	cfg_init(&c, uris, 2);
	c.connect_timeout_ms = 500;
	c.op_timeout_ms = 700;
	c.total_timeout_ms = 5000;
	log_reset();
	t0 = now_ms();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	ms = now_ms() - t0;
	assert_string_equal(za_dir_uri(dir), env.ldap_uri);
	assert_true(log_has(hole));
	/* The bind to the silent server waited one operation timeout. */
	assert_true(ms >= 650);
	assert_true(ms < 700 + 1000);
	za_dir_close(&dir);
	cfg_free(&c);
	free(hole);
	close(lfd);
}

static void
test_failover_syn_dropped(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	char *hole;
	const char *uris[2];
	int64_t t0, ms;
	int lfd, port, fill[8], nfill, i;

	(void)state;
	lfd = syn_drop_listener(&port, fill, &nfill);
	hole = xprintf("ldap://127.0.0.1:%d/", port);
	uris[0] = hole;
	uris[1] = env.ldap_uri;
	cfg_init(&c, uris, 2);
	c.connect_timeout_ms = 400;
	c.op_timeout_ms = 3000;
	c.total_timeout_ms = 5000;
	log_reset();
	t0 = now_ms();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	ms = now_ms() - t0;
	assert_string_equal(za_dir_uri(dir), env.ldap_uri);
	assert_true(log_has(hole));
	/* connect() hung until the connect timeout, not the op timeout. */
	assert_true(ms >= 350);
	assert_true(ms < 400 + 1000);
	za_dir_close(&dir);
	cfg_free(&c);
	free(hole);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
}

static void
test_all_dead_bounded(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	char *u[4];
	const char *uris[4];
	int64_t t0, ms;
	int lfd[3], port, i;

	(void)state;
	/* Three silent servers (3 x 800 ms) cannot fit in 1000 ms. */
	for (i = 0; i < 3; i++) {
		lfd[i] = silent_listener(16, &port);
		u[i] = xprintf("ldap://127.0.0.1:%d/", port);
		uris[i] = u[i];
	}
	u[3] = xprintf("ldap://127.0.0.1:%d/", dead_port());
	uris[3] = u[3];
	cfg_init(&c, uris, 4);
	c.connect_timeout_ms = 800;
	c.op_timeout_ms = 800;
	c.total_timeout_ms = 1000;
	log_reset();
	t0 = now_ms();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_UNAVAIL);
	ms = now_ms() - t0;
	assert_null(dir);
	assert_true(ms < c.total_timeout_ms + 500);
	assert_true(ms >= 900);		/* it did use the whole budget */
	assert_true(log_has(u[0]));
	assert_true(log_has(u[1]));
	assert_true(log_has(u[2]));	/* reported as not tried */
	cfg_free(&c);

	/* Only refused ports: fails fast. */
	uris[0] = u[3];
	cfg_init(&c, uris, 1);
	c.total_timeout_ms = 3000;
	t0 = now_ms();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_UNAVAIL);
	ms = now_ms() - t0;
	assert_true(ms < 1000);
	cfg_free(&c);
	for (i = 0; i < 4; i++)
		free(u[i]);
	for (i = 0; i < 3; i++)
		close(lfd[i]);
}

static void
test_starttls_always(void **state)
{
	struct za_dir_config c;
	struct za_dir *dir = NULL;
	char *dead, *wrong;
	const char *uris[2];

	(void)state;
	uris[0] = env.ldap_uri;
	cfg_init(&c, uris, 1);
	c.starttls_always = 1;
	log_reset();
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_TLS);
	assert_null(dir);
	assert_true(log_has("StartTLS"));
	/*
	 * No plaintext fallback: with a wrong password a plaintext bind
	 * would have answered ZA_ERR_AUTH; it is still ZA_ERR_TLS.
	 */
	wrong = write_file("wrong2.pw", "Wrong-Passw0rd-abc\n", 0600);
	cfg_set(&c.bind_password_file, wrong);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_TLS);
	c.bind = ZA_BIND_ANONYMOUS;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_TLS);
	cfg_free(&c);

	/* TLS as the reason wins over a dead second URI. */
	dead = xprintf("ldap://127.0.0.1:%d/", dead_port());
	uris[1] = dead;
	cfg_init(&c, uris, 2);
	c.starttls_always = 1;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_TLS);
	cfg_free(&c);

	/* ldaps:// to the plain port: the handshake fails, no fallback. */
	free(dead);
	assert_memory_equal(env.ldap_uri, "ldap://", 7);
	dead = xprintf("ldaps%s", env.ldap_uri + 4);
	uris[0] = dead;
	cfg_init(&c, uris, 1);
	c.connect_timeout_ms = 1000;
	c.op_timeout_ms = 1000;
	c.total_timeout_ms = 2000;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_TLS);
	assert_null(dir);
	cfg_free(&c);
	free(dead);
	/* ...whereas ldaps:// to a closed port is plain unavailability. */
	dead = xprintf("ldaps://127.0.0.1:%d/", dead_port());
	uris[0] = dead;
	cfg_init(&c, uris, 1);
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_ERR_UNAVAIL);
	cfg_free(&c);
	free(dead);
	free(wrong);
}

/* ---- paged search */

struct paged {
	unsigned char seen[N_PAGED];
	size_t total, dups, bad, stop_after;
};

static int
paged_cb(LDAP *ld, LDAPMessage *entry, void *arg)
{
	struct paged *pg = arg;
	struct berval **v;
	unsigned idx;
	char buf[32];

	pg->total++;
	v = ldap_get_values_len(ld, entry, "uid");
	if (v == NULL || v[0] == NULL || v[0]->bv_len >= sizeof(buf)) {
		pg->bad++;
	} else {
		memcpy(buf, v[0]->bv_val, v[0]->bv_len);
		buf[v[0]->bv_len] = '\0';
		if (sscanf(buf, "zadir-p%u", &idx) != 1 || idx >= N_PAGED)
			pg->bad++;
		else if (pg->seen[idx]++ > 0)
			pg->dups++;
	}
	ldap_value_free_len(v);
	if (pg->stop_after != 0 && pg->total == pg->stop_after)
		return ZA_ERR_DENIED;
	return ZA_OK;
}

static void
test_paged_search(void **state)
{
	struct za_dir_config c;
	struct za_dir *adm, *dir = NULL;
	struct paged *pg;
	const char *uris[] = { env.ldap_uri };
	const char *attrs[] = { "uid", NULL };
	char uid[32], *dn, *missing;
	size_t i;

	(void)state;
	adm = admin_open();
	for (i = 0; i < N_PAGED; i++) {
		snprintf(uid, sizeof(uid), "zadir-p%04zu", i);
		dn = add_person(adm, uid, NULL);
		free(dn);
	}
	za_dir_close(&adm);

	cfg_init(&c, uris, 1);
	c.page_size = 100;
	assert_int_equal(za_dir_open(&c, &test_log, &dir), ZA_OK);
	pg = calloc(1, sizeof(*pg));
	assert_non_null(pg);
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_ONELEVEL,
	    "(uid=zadir-p*)", attrs, paged_cb, pg), ZA_OK);
	assert_int_equal(pg->total, N_PAGED);
	assert_int_equal(pg->dups, 0);
	assert_int_equal(pg->bad, 0);
	for (i = 0; i < N_PAGED; i++)
		assert_int_equal(pg->seen[i], 1);

	/* The callback's error stops the search and is returned. */
	memset(pg, 0, sizeof(*pg));
	pg->stop_after = 150;
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_ONELEVEL,
	    "(uid=zadir-p*)", attrs, paged_cb, pg), ZA_ERR_DENIED);
	assert_int_equal(pg->total, 150);

	/* A new search on the same connection after the early stop. */
	memset(pg, 0, sizeof(*pg));
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_ONELEVEL,
	    "(uid=zadir-p00*)", attrs, paged_cb, pg), ZA_OK);
	assert_int_equal(pg->total, 100);

	/* Nothing matched: ZA_OK, no callback. */
	memset(pg, 0, sizeof(*pg));
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_ONELEVEL,
	    "(uid=zadir-nobody)", attrs, paged_cb, pg), ZA_OK);
	assert_int_equal(pg->total, 0);

	/* A base that does not exist. */
	missing = xprintf("ou=missing,%s", env.base);
	assert_int_equal(za_dir_search(dir, missing, LDAP_SCOPE_SUBTREE,
	    "(objectClass=*)", attrs, paged_cb, pg), ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_SUBTREE,
	    "(uid=unbalanced", attrs, paged_cb, pg), ZA_ERR_LDAP);
	assert_int_equal(za_dir_search(NULL, env.people, LDAP_SCOPE_SUBTREE,
	    "(uid=x)", attrs, paged_cb, pg), ZA_ERR_ARG);
	free(missing);
	free(pg);
	za_dir_close(&dir);
	cfg_free(&c);
}

/* ---- filter injection */

static size_t
count_matches(struct za_dir *dir, const char *raw_uid)
{
	struct collect co;
	char *esc = NULL, *filter;

	memset(&co, 0, sizeof(co));
	co.attr = "uid";
	assert_int_equal(za_escape_filter_value(raw_uid, &esc), ZA_OK);
	filter = xprintf("(&(objectClass=inetOrgPerson)(uid=%s))", esc);
	assert_int_equal(za_dir_search(dir, env.people, LDAP_SCOPE_ONELEVEL,
	    filter, NULL, collect_cb, &co), ZA_OK);
	free(filter);
	free(esc);
	return co.entries;
}

static void
test_search_injection(void **state)
{
	struct za_dir *dir;
	struct collect co;
	LDAPDN ldn = NULL;
	char *dn[4];
	size_t i;
	const char *hostile = "x,ou=admins+cn=y";

	(void)state;
	dir = admin_open();
	dn[0] = add_person(dir, "zadir-inj-a", NULL);
	dn[1] = add_person(dir, "*", NULL);
	dn[2] = add_person(dir, "zadir-inj-a)(uid=*", NULL);
	dn[3] = add_person(dir, hostile, NULL);

	/* Escaped values match literally, never as wildcards or filters. */
	assert_int_equal(count_matches(dir, "zadir-inj-a"), 1);
	assert_int_equal(count_matches(dir, "*"), 1);	/* only uid "*" */
	assert_int_equal(count_matches(dir, "zadir-inj-*"), 0);
	assert_int_equal(count_matches(dir, "zadir-inj-a)(uid=*"), 1);
	assert_int_equal(count_matches(dir, "zadir-inj-a)(|(uid=*"), 0);
	assert_int_equal(count_matches(dir, "*)(objectClass=*"), 0);
	assert_int_equal(count_matches(dir, "\\2a"), 0);
	assert_int_equal(count_matches(dir, hostile), 1);

	/* The hostile uid became one RDN value under ou=people. */
	memset(&co, 0, sizeof(co));
	co.attr = "uid";
	assert_int_equal(za_dir_search(dir, dn[3], LDAP_SCOPE_BASE,
	    "(objectClass=*)", NULL, collect_cb, &co), ZA_OK);
	assert_int_equal(co.entries, 1);
	assert_string_equal(co.vals[0], hostile);
	assert_int_equal(ldap_str2dn(dn[3], &ldn, LDAP_DN_FORMAT_LDAPV3),
	    LDAP_SUCCESS);
	assert_null(ldn[0][1]);
	assert_int_equal(ldn[0][0]->la_value.bv_len, strlen(hostile));
	ldap_dnfree(ldn);
	for (i = 0; i < 4; i++) {
		assert_int_equal(za_dir_delete(dir, dn[i]), ZA_OK);
		free(dn[i]);
	}
	za_dir_close(&dir);
}

/* ---- writes */

static void
test_add_delete_modify(void **state)
{
	struct za_dir *dir;
	char *dn, *missing;
	char *desc[] = { "x", NULL };
	LDAPMod m = { LDAP_MOD_DELETE, "description", { .modv_strvals = desc } };
	LDAPMod *mods[] = { &m, NULL };
	char *oc[] = { "inetOrgPerson", NULL }, *v[] = { "dup", NULL };
	LDAPMod a1 = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = oc } };
	LDAPMod a2 = { LDAP_MOD_ADD, "cn", { .modv_strvals = v } };
	LDAPMod a3 = { LDAP_MOD_ADD, "sn", { .modv_strvals = v } };
	LDAPMod *amods[] = { &a1, &a2, &a3, NULL };

	(void)state;
	dir = admin_open();
	dn = add_person(dir, "zadir-adm", NULL);
	assert_int_equal(za_dir_add(dir, dn, amods), ZA_ERR_EXISTS);
	/* deleting a value that is not there: the CAS conflict code */
	assert_int_equal(za_dir_modify(dir, dn, mods), ZA_ERR_CONFLICT);
	m.mod_op = LDAP_MOD_ADD;
	assert_int_equal(za_dir_modify(dir, dn, mods), ZA_OK);
	assert_int_equal(za_dir_modify(dir, dn, mods), ZA_ERR_EXISTS);
	m.mod_op = LDAP_MOD_DELETE;
	assert_int_equal(za_dir_modify(dir, dn, mods), ZA_OK);
	missing = xprintf("uid=zadir-missing,%s", env.people);
	assert_int_equal(za_dir_modify(dir, missing, mods), ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_delete(dir, missing), ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_delete(dir, dn), ZA_OK);
	assert_int_equal(za_dir_delete(dir, dn), ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_modify(dir, NULL, mods), ZA_ERR_ARG);
	assert_int_equal(za_dir_add(dir, "", amods), ZA_ERR_ARG);
	assert_int_equal(za_dir_delete(NULL, dn), ZA_ERR_ARG);
	free(missing);
	free(dn);
	za_dir_close(&dir);
}

static void
test_cas(void **state)
{
	struct za_dir *dir;
	struct collect co;
	char *dn, *missing;

	(void)state;
	dir = admin_open();
	dn = add_person(dir, "zadir-cas", NULL);
	/* absent → add only */
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", NULL, "1"),
	    ZA_OK);
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", NULL, "9"),
	    ZA_ERR_CONFLICT);
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", NULL, "1"),
	    ZA_ERR_CONFLICT);
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", "1", "2"),
	    ZA_OK);
	/* the same old value again: someone moved it */
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", "1", "3"),
	    ZA_ERR_CONFLICT);
	read_attr(dir, dn, "employeeNumber", &co);
	assert_int_equal(co.n, 1);
	assert_string_equal(co.vals[0], "2");
	/* add-only also holds for a multi-valued attribute */
	assert_int_equal(za_dir_cas(dir, dn, "description", NULL, "a"), ZA_OK);
	assert_int_equal(za_dir_cas(dir, dn, "description", NULL, "b"),
	    ZA_ERR_CONFLICT);
	read_attr(dir, dn, "description", &co);
	assert_int_equal(co.n, 1);
	missing = xprintf("uid=zadir-missing,%s", env.people);
	assert_int_equal(za_dir_cas(dir, missing, "employeeNumber", "2", "3"),
	    ZA_ERR_NOT_FOUND);
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber)(x=*", NULL, "3"),
	    ZA_ERR_ARG);
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", "2", NULL),
	    ZA_ERR_ARG);
	free(missing);
	free(dn);
	za_dir_close(&dir);
}

/* Used by the racing children: admin over ldap://, logging discarded. */
static int
admin_open_quiet(struct za_dir **dirp)
{
	struct za_dir_config c;
	const char *uris[] = { env.ldap_uri };
	int r;

	cfg_init(&c, uris, 1);
	r = za_dir_open(&c, NULL, dirp);
	cfg_free(&c);
	return r;
}

/*
 * N_RACERS processes each open their own connection, wait at a barrier,
 * then try the same CAS from the same old value to new value base (same)
 * or base + i.  Exit 0: won, 1: ZA_ERR_CONFLICT, 2: anything else.
 */
static void
race(const char *dn, const char *old_value, int base, int same, int *won,
    int *lost, int *winner)
{
	pid_t pids[N_RACERS];
	int barrier[2], i, st, code, r;
	char newv[16], c;
	struct za_dir *dir;

	assert_int_equal(pipe(barrier), 0);
	for (i = 0; i < N_RACERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(barrier[1]);
			dir = NULL;
			code = 2;
			snprintf(newv, sizeof(newv), "%d",
			    same ? base : base + i);
			if (admin_open_quiet(&dir) == ZA_OK &&
			    read(barrier[0], &c, 1) == 0) {
				r = za_dir_cas(dir, dn, "employeeNumber",
				    old_value, newv);
				code = r == ZA_OK ? 0 :
				    r == ZA_ERR_CONFLICT ? 1 : 2;
			}
			za_dir_close(&dir);
			_exit(code);
		}
	}
	close(barrier[0]);
	usleep(300000);		/* let every child connect and block */
	close(barrier[1]);	/* release them all at once */
	*won = *lost = 0;
	*winner = -1;
	for (i = 0; i < N_RACERS; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) == 0) {
			(*won)++;
			*winner = i;
		} else if (WEXITSTATUS(st) == 1)
			(*lost)++;
	}
}

static void
test_cas_race(void **state)
{
	struct za_dir *dir;
	struct collect co;
	char *dn, want[16];
	int won, lost, winner;

	(void)state;
	dir = admin_open();
	dn = add_person(dir, "zadir-race", NULL);

	/* old NULL: exactly one add wins */
	race(dn, NULL, 1000, 0, &won, &lost, &winner);
	assert_int_equal(won, 1);
	assert_int_equal(lost, N_RACERS - 1);
	read_attr(dir, dn, "employeeNumber", &co);
	assert_int_equal(co.n, 1);
	snprintf(want, sizeof(want), "%d", 1000 + winner);
	assert_string_equal(co.vals[0], want);

	/* from the same old value: exactly one swap wins */
	race(dn, want, 2000, 0, &won, &lost, &winner);
	assert_int_equal(won, 1);
	assert_int_equal(lost, N_RACERS - 1);
	read_attr(dir, dn, "employeeNumber", &co);
	assert_int_equal(co.n, 1);
	snprintf(want, sizeof(want), "%d", 2000 + winner);
	assert_string_equal(co.vals[0], want);

	/* all with the same new value: still exactly one */
	race(dn, want, 3000, 1, &won, &lost, &winner);
	assert_int_equal(won, 1);
	assert_int_equal(lost, N_RACERS - 1);
	read_attr(dir, dn, "employeeNumber", &co);
	assert_int_equal(co.n, 1);
	assert_string_equal(co.vals[0], "3000");

	/* a swap to the same value would prove nothing: refused */
	assert_int_equal(za_dir_cas(dir, dn, "employeeNumber", "3000", "3000"),
	    ZA_ERR_ARG);
	free(dn);
	za_dir_close(&dir);
}

static void
test_add_value(void **state)
{
	struct za_dir *dir;
	struct collect co;
	char *dn;

	(void)state;
	dir = admin_open();
	dn = add_person(dir, "zadir-addval", NULL);
	assert_int_equal(za_dir_add_value(dir, dn, "description",
	    "20261124000000Z aaaa term1"), ZA_OK);
	assert_int_equal(za_dir_add_value(dir, dn, "description",
	    "20261124000001Z bbbb term2"), ZA_OK);
	assert_int_equal(za_dir_add_value(dir, dn, "description",
	    "20261124000002Z cccc term1"), ZA_OK);
	assert_int_equal(za_dir_add_value(dir, dn, "description",
	    "20261124000001Z bbbb term2"), ZA_ERR_EXISTS);
	read_attr(dir, dn, "description", &co);
	assert_int_equal(co.n, 3);
	assert_int_equal(za_dir_add_value(dir, dn, "bad attr", "x"),
	    ZA_ERR_ARG);
	free(dn);
	za_dir_close(&dir);
}

/* ---- user password checks and ppolicy */

static void
set_password_as_admin(struct za_dir *dir, const char *dn, const char *pw)
{
	struct berval user, newpw, got = { 0, NULL };

	user.bv_val = (char *)(uintptr_t)dn;
	user.bv_len = strlen(dn);
	newpw.bv_val = (char *)(uintptr_t)pw;
	newpw.bv_len = strlen(pw);
	assert_int_equal(ldap_passwd_s(za_dir_ld(dir), &user, NULL, &newpw,
	    &got, NULL, NULL), LDAP_SUCCESS);
	ber_memfree(got.bv_val);
}

static void
test_check_password(void **state)
{
	struct za_dir *dir;
	struct za_ppolicy pp;
	char *dn, *missing;
	int i, r;

	(void)state;
	dir = admin_open();
	dn = add_person(dir, "zadir-pw", "Correct-Horse-91");
	memset(&pp, 0x55, sizeof(pp));
	assert_int_equal(za_dir_check_password(dir, dn, "Correct-Horse-91",
	    &pp), ZA_OK);
	assert_int_equal(pp.error, ZA_PP_NONE);
	assert_int_equal(za_dir_check_password(dir, dn, "Correct-Horse-91",
	    NULL), ZA_OK);
	assert_int_equal(za_dir_check_password(dir, dn, "wrong-Horse-91",
	    &pp), ZA_ERR_AUTH);
	assert_int_equal(pp.error, ZA_PP_NONE);
	/* An empty password never reaches the server as an anonymous bind. */
	assert_int_equal(za_dir_check_password(dir, dn, "", &pp),
	    ZA_ERR_AUTH);
	missing = xprintf("uid=zadir-nobody,%s", env.people);
	assert_int_equal(za_dir_check_password(dir, missing, "whatever-1A",
	    &pp), ZA_ERR_AUTH);
	assert_int_equal(za_dir_check_password(dir, "", "x", &pp), ZA_ERR_ARG);
	assert_int_equal(za_dir_check_password(dir, dn, NULL, &pp),
	    ZA_ERR_ARG);
	/* the service connection is untouched (still the admin) */
	assert_int_equal(za_dir_add_value(dir, dn, "description", "still"),
	    ZA_OK);

	/* Reset by an administrator: the bind works, must change now. */
	set_password_as_admin(dir, dn, "Reset-By-Admin-73");
	memset(&pp, 0, sizeof(pp));
	assert_int_equal(za_dir_check_password(dir, dn, "Reset-By-Admin-73",
	    &pp), ZA_OK);
	assert_true(pp.present);
	assert_int_equal(pp.error, ZA_PP_CHANGE_AFTER_RESET);
	assert_int_equal(za_dir_check_password(dir, dn, "Correct-Horse-91",
	    &pp), ZA_ERR_AUTH);
	free(dn);

	/* Locked after repeated failures: even the right password fails. */
	dn = add_person(dir, "zadir-lock", "Correct-Horse-92");
	for (i = 0; i < 20; i++) {
		r = za_dir_check_password(dir, dn, "wrong-Horse-92", &pp);
		assert_int_equal(r, ZA_ERR_AUTH);
		if (pp.error == ZA_PP_LOCKED)
			break;
	}
	assert_true(i < 20);
	assert_true(i >= 1);	/* not locked by the first failure */
	memset(&pp, 0, sizeof(pp));
	assert_int_equal(za_dir_check_password(dir, dn, "Correct-Horse-92",
	    &pp), ZA_ERR_AUTH);
	assert_true(pp.present);
	assert_int_equal(pp.error, ZA_PP_LOCKED);
	free(dn);
	free(missing);
	za_dir_close(&dir);
}

/* Runs last: nothing logged by any test above holds a password. */
static void
test_log_has_no_secret(void **state)
{
	(void)state;
	assert_false(log_has(env.admin_pw));
	assert_false(log_has("Correct-Horse-9"));
	assert_false(log_has("wrong-Horse-9"));
	assert_false(log_has("Reset-By-Admin"));
	assert_false(log_has("Wrong-Passw0rd"));
}

/* ---------------------------------------------------------- main */

static int
getenv_all(void)
{
	static const char *names[] = { "ZA_TEST_LDAP_URI", "ZA_TEST_LDAPI_URI",
	    "ZA_TEST_BASE_DN", "ZA_TEST_ADMIN_DN", "ZA_TEST_ADMIN_PW_FILE",
	    "ZA_TEST_TMPDIR" };
	const char **dst[] = { &env.ldap_uri, &env.ldapi_uri, &env.base,
	    &env.admin_dn, &env.admin_pw_file, &env.tmpdir };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		*dst[i] = getenv(names[i]);
		if (*dst[i] == NULL || **dst[i] == '\0') {
			printf("SKIP: %s not set (run through "
			    "tests/integration/dir.sh)\n", names[i]);
			return 0;
		}
	}
	return 1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_tls_table),
		cmocka_unit_test(test_map_ldap_error),
		cmocka_unit_test(test_open_bad_config),
		cmocka_unit_test(test_open_simple_ldap),
		cmocka_unit_test(test_open_anonymous),
		cmocka_unit_test(test_open_sasl_external_ldapi),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_password_file_checks),
		cmocka_unit_test(test_failover_dead_port),
		cmocka_unit_test(test_failover_silent_server),
		cmocka_unit_test(test_failover_syn_dropped),
		cmocka_unit_test(test_all_dead_bounded),
		cmocka_unit_test(test_starttls_always),
		cmocka_unit_test(test_paged_search),
		cmocka_unit_test(test_search_injection),
		cmocka_unit_test(test_add_delete_modify),
		cmocka_unit_test(test_cas),
		cmocka_unit_test(test_cas_race),
		cmocka_unit_test(test_add_value),
		cmocka_unit_test(test_check_password),
		cmocka_unit_test(test_log_has_no_secret),
	};
	int r;

	if (!getenv_all())
		return 77;
	env.admin_pw = read_file(env.admin_pw_file);
	env.people = xprintf("ou=people,%s", env.base);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	free(env.admin_pw);
	free(env.people);
	free(logbuf.text);
	return r;
}
