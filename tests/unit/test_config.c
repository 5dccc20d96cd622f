/*
 * Unit tests: configuration file and module-argument parsing
 * (lib/config.c).  Every error is checked for its return code and for the
 * "NAME:LINE:" prefix and key in the message it logs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "za_config.h"
#include "za_err.h"
#include "za_log.h"

#define CAP_LINES	64
#define PREFIX		"config: "	/* how lib/config.c tags its messages */

/* Per-test state: a log sink that keeps every line, a temp directory. */
struct fx {
	struct za_log lg;
	char lines[CAP_LINES][1300];
	int n;
	char dir[256];
	char path[512];
};

static void
cap_emit(void *arg, int priority, const char *line)
{
	struct fx *f = arg;

	assert_int_equal(priority, LOG_ERR);
	if (f->n < CAP_LINES)
		snprintf(f->lines[f->n], sizeof(f->lines[f->n]), "%s", line);
	f->n++;
}

static void
cap_reset(struct fx *f)
{
	f->n = 0;
}

static int
setup(void **state)
{
	struct fx *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->lg.emit = cap_emit;
	f->lg.arg = f;
	snprintf(f->dir, sizeof(f->dir), "%s/za-config-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/zoneauth.conf", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];
	int r;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	r = system(cmd);
	free(f);
	return r == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* Assert that log line i starts with PREFIX want and contains each needle. */
static void
assert_line(const struct fx *f, int i, const char *want, const char *needle1,
    const char *needle2)
{
	char prefix[600];

	if (i >= f->n)
		fail_msg("expected log line %d, only %d logged", i, f->n);
	snprintf(prefix, sizeof(prefix), "%s%s", PREFIX, want);
	if (strncmp(f->lines[i], prefix, strlen(prefix)) != 0)
		fail_msg("log line \"%s\" does not start with \"%s\"",
		    f->lines[i], prefix);
	if (needle1 != NULL && strstr(f->lines[i], needle1) == NULL)
		fail_msg("log line \"%s\" lacks \"%s\"", f->lines[i], needle1);
	if (needle2 != NULL && strstr(f->lines[i], needle2) == NULL)
		fail_msg("log line \"%s\" lacks \"%s\"", f->lines[i], needle2);
}

/* Assert no logged line contains s. */
static void
assert_not_logged(const struct fx *f, const char *s)
{
	int i;

	for (i = 0; i < f->n && i < CAP_LINES; i++)
		if (strstr(f->lines[i], s) != NULL)
			fail_msg("log line \"%s\" contains \"%s\"", f->lines[i],
			    s);
}

static int
parse_str(struct fx *f, struct za_config *cfg, const char *text)
{
	return za_config_parse(cfg, "t.conf", text, strlen(text), &f->lg);
}

static const char full_conf[] =
    "# zoneauth test configuration\n"
    "  ; indented comment\n"
    "\n"
    "[general]\n"
    "zone = mynumber\n"
    "debug = on\n"
    "log_unknown_user_names = TRUE\n"
    "\n"
    "[directory]\n"
    "uri = ldapi://%2Frun%2Fslapd%2Fldapi   ldaps://ldap1.example.jp:636 "
    "ldap://[::1]:389/\n"
    "base = dc=example,dc=jp\n"
    "users = ou=職員,dc=example,dc=jp\n"
    "groups = ou=groups2,dc=example,dc=jp\n"
    "bind = simple\n"
    "bind_dn = cn=zoneauth,ou=services,dc=example,dc=jp\n"
    "bind_password_file = /etc/zoneauth/bind.pw\n"
    "tls_ca_file = /etc/ssl/certs/ca-certificates.crt\n"
    "starttls = always\n"
    "connect_timeout = 1500ms\n"
    "operation_timeout = 4\n"
    "total_timeout = 10s\n"
    "page_size = 1000\n"
    "[store]\n"
    "\tpath\t=\t/var/lib/zoneauth#1\t\n"
    "[ audit ]\n"
    "log = /var/log/zoneauth/a.log\n"
    "hmac_key_file = /etc/zoneauth/audit.key\n";

static void
check_full(const struct za_config *cfg)
{
	assert_int_equal(cfg->zone, ZA_ZONE_MYNUMBER);
	assert_int_equal(cfg->debug, 1);
	assert_int_equal(cfg->log_unknown_users, 1);
	assert_int_equal(cfg->dir.n_uris, 3);
	assert_string_equal(cfg->dir.uris[0], "ldapi://%2Frun%2Fslapd%2Fldapi");
	assert_string_equal(cfg->dir.uris[1], "ldaps://ldap1.example.jp:636");
	assert_string_equal(cfg->dir.uris[2], "ldap://[::1]:389/");
	assert_null(cfg->dir.uris[3]);
	assert_string_equal(cfg->dir.base_dn, "dc=example,dc=jp");
	assert_string_equal(cfg->dir.users_dn, "ou=職員,dc=example,dc=jp");
	assert_string_equal(cfg->dir.groups_dn, "ou=groups2,dc=example,dc=jp");
	assert_int_equal(cfg->dir.bind, ZA_BIND_SIMPLE);
	assert_string_equal(cfg->dir.bind_dn,
	    "cn=zoneauth,ou=services,dc=example,dc=jp");
	assert_string_equal(cfg->dir.bind_password_file,
	    "/etc/zoneauth/bind.pw");
	assert_string_equal(cfg->dir.tls_ca_file,
	    "/etc/ssl/certs/ca-certificates.crt");
	assert_int_equal(cfg->dir.starttls_always, 1);
	assert_int_equal(cfg->dir.connect_timeout_ms, 1500);
	assert_int_equal(cfg->dir.op_timeout_ms, 4000);
	assert_int_equal(cfg->dir.total_timeout_ms, 10000);
	assert_int_equal(cfg->dir.page_size, 1000);
	assert_string_equal(cfg->store_path, "/var/lib/zoneauth#1");
	assert_string_equal(cfg->audit_log, "/var/log/zoneauth/a.log");
	assert_string_equal(cfg->audit_hmac_key_file, "/etc/zoneauth/audit.key");
}

/* ---------------------------------------------------------------- valid */

static void
test_defaults(void **state)
{
	struct za_config *cfg;
	size_t i;

	(void)state;
	cfg = za_config_new();
	assert_non_null(cfg);
	assert_null(cfg->path);
	assert_int_equal(cfg->zone, ZA_ZONE_GENERAL);
	assert_int_equal(cfg->debug, 0);
	assert_int_equal(cfg->log_unknown_users, 0);
	assert_int_equal(cfg->dir.n_uris, 0);
	for (i = 0; i < ZA_CONF_MAX_URIS; i++)
		assert_null(cfg->dir.uris[i]);
	assert_null(cfg->dir.base_dn);
	assert_null(cfg->dir.users_dn);
	assert_null(cfg->dir.groups_dn);
	assert_int_equal(cfg->dir.bind, ZA_BIND_SASL_EXTERNAL);
	assert_null(cfg->dir.bind_dn);
	assert_null(cfg->dir.bind_password_file);
	assert_null(cfg->dir.tls_ca_file);
	assert_int_equal(cfg->dir.starttls_always, 0);
	assert_int_equal(cfg->dir.connect_timeout_ms, 2000);
	assert_int_equal(cfg->dir.op_timeout_ms, 5000);
	assert_int_equal(cfg->dir.total_timeout_ms, 8000);
	assert_int_equal(cfg->dir.page_size, 500);
	assert_null(cfg->store_path);
	assert_string_equal(cfg->audit_log, "/var/log/zoneauth/audit.log");
	assert_null(cfg->audit_hmac_key_file);
	assert_string_equal(cfg->fido2.rp_id, "pam://zoneauth");
	assert_string_equal(cfg->fido2.rp_id, ZA_FIDO2_DEFAULT_RP_ID);
	assert_int_equal(cfg->fido2.naaguids, 0);
	assert_null(cfg->fido2.attestation_ca);
	assert_int_equal(cfg->fido2.touch_timeout_ms, 30000);
	assert_int_equal(cfg->fido2.require_uv, 0);
	za_config_free(&cfg);
	assert_null(cfg);
	za_config_free(&cfg);
	za_config_free(NULL);
}

static void
test_full_valid(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse_str(f, cfg, full_conf), ZA_OK);
	assert_int_equal(f->n, 0);
	check_full(cfg);
	assert_null(cfg->path);	/* parse() reads no file */
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	assert_int_equal(f->n, 0);
	/* Explicit users/groups are kept by finish(). */
	check_full(cfg);
	za_config_free(&cfg);
}

/* CRLF line ends, a byte order mark, no newline at the end. */
static void
test_crlf_bom(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char *text, *p;
	const char *s;
	size_t n = 0;

	text = malloc(2 * sizeof(full_conf) + 4);
	assert_non_null(text);
	memcpy(text, "\xef\xbb\xbf", 3);
	p = text + 3;
	for (s = full_conf; *s != '\0'; s++) {
		if (*s == '\n')
			*p++ = '\r';
		*p++ = *s;
	}
	/* Drop the final "\r\n": the last line has no end. */
	p -= 2;
	n = (size_t)(p - text);
	assert_int_equal(za_config_parse(cfg, "crlf.conf", text, n, &f->lg),
	    ZA_OK);
	assert_int_equal(f->n, 0);
	check_full(cfg);
	free(text);
	za_config_free(&cfg);
}

static void
test_values(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse_str(f, cfg,
	    "[directory]\n"
	    "connect_timeout = 2\n"
	    "operation_timeout = 100ms\n"
	    "total_timeout = 300 s\n"
	    "page_size = 10000\n"
	    "bind = ANONYMOUS\n"
	    "[general]\n"
	    "debug = 1\n"
	    "zone = General\n"
	    "log_unknown_user_names = off\n"), ZA_OK);
	assert_int_equal(cfg->dir.connect_timeout_ms, 2000);
	assert_int_equal(cfg->dir.op_timeout_ms, 100);
	assert_int_equal(cfg->dir.total_timeout_ms, 300000);
	assert_int_equal(cfg->dir.page_size, 10000);
	assert_int_equal(cfg->dir.bind, ZA_BIND_ANONYMOUS);
	assert_int_equal(cfg->debug, 1);
	assert_int_equal(cfg->zone, ZA_ZONE_GENERAL);
	assert_int_equal(cfg->log_unknown_users, 0);

	/* The boundaries of each range are accepted. */
	assert_int_equal(parse_str(f, cfg,
	    "[directory]\nconnect_timeout = 60s\noperation_timeout = 120000ms\n"
	    "page_size = 1\n"
	    "[general]\ndebug = false\n"), ZA_OK);
	assert_int_equal(cfg->dir.connect_timeout_ms, 60000);
	assert_int_equal(cfg->dir.op_timeout_ms, 120000);
	assert_int_equal(cfg->dir.page_size, 1);
	assert_int_equal(cfg->debug, 0);
	/* A later file overrides: values of earlier ones stay. */
	assert_int_equal(cfg->dir.total_timeout_ms, 300000);
	assert_int_equal(f->n, 0);
	za_config_free(&cfg);
}

/* A later uri replaces the whole list; an empty optional value unsets. */
static void
test_replace_and_unset(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse_str(f, cfg,
	    "[directory]\nuri = ldap://a ldap://b ldap://c\n"
	    "tls_ca_file = /ca.pem\n[store]\npath = /var/lib/za\n"), ZA_OK);
	assert_int_equal(cfg->dir.n_uris, 3);
	assert_int_equal(parse_str(f, cfg,
	    "[directory]\nuri = ldaps://d\ntls_ca_file =\n[store]\npath=\n"),
	    ZA_OK);
	assert_int_equal(cfg->dir.n_uris, 1);
	assert_string_equal(cfg->dir.uris[0], "ldaps://d");
	assert_null(cfg->dir.uris[1]);
	assert_null(cfg->dir.tls_ca_file);
	assert_null(cfg->store_path);
	/* Eight URIs is the maximum. */
	assert_int_equal(parse_str(f, cfg,
	    "[directory]\nuri = ldap://1 ldap://2 ldap://3 ldap://4 ldap://5 "
	    "ldap://6 ldap://7 ldapi:///\n"), ZA_OK);
	assert_int_equal(cfg->dir.n_uris, ZA_CONF_MAX_URIS);
	assert_string_equal(cfg->dir.uris[7], "ldapi:///");
	assert_int_equal(f->n, 0);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- errors */

struct bad_case {
	const char *text;
	int line;		/* 0: message without line number */
	const char *needle1;
	const char *needle2;
};

static const struct bad_case bad_cases[] = {
	/* structure */
	{ "[general]\n[bogus]\ndebug = yes\n", 2, "unknown section [bogus]",
	    NULL },
	{ "[rules admins]\n", 1, "unknown section [rules admins]", NULL },
	{ "[general]\nzone = general\nfoo = 1\n", 3, "unknown key \"foo\"",
	    "[general]" },
	{ "[store]\nuri = ldap://x\n", 2, "unknown key \"uri\"", "[store]" },
	{ "# c\nzone = general\n", 2, "outside any [section]", "\"zone\"" },
	{ "[general]\ndebug = yes\n[directory]\npage_size = 5\n[general]\n"
	    "debug = no\n", 6, "duplicate key general.debug",
	    "first set on line 2" },
	{ "[directory]\nuri = ldap://a\nuri = ldap://b\n", 3,
	    "duplicate key directory.uri", "line 2" },
	{ "[general]\ndebug\n", 2, "expected \"key = value\"", NULL },
	{ "[general\ndebug = yes\n", 1, "unterminated section header", NULL },
	{ "[general] # comment\n", 1, "text after ']'", NULL },
	{ "[]\n", 1, "empty section name", NULL },
	{ "[general]\n = yes\n", 2, "missing key", NULL },
	/* numbers */
	{ "[directory]\npage_size = 12x\n", 2, "directory.page_size",
	    "\"12x\": not a decimal number" },
	{ "[directory]\npage_size = +5\n", 2, "directory.page_size",
	    "not a decimal number" },
	{ "[directory]\npage_size = -5\n", 2, "directory.page_size",
	    "not a decimal number" },
	{ "[directory]\npage_size = 0x10\n", 2, "directory.page_size",
	    "not a decimal number" },
	{ "[directory]\npage_size = 1 000\n", 2, "directory.page_size",
	    "not a decimal number" },
	{ "[directory]\npage_size = 99999999999999999999999\n", 2,
	    "directory.page_size", "too large" },
	{ "[directory]\npage_size = 0\n", 2, "directory.page_size",
	    "out of range 1..10000" },
	{ "[directory]\npage_size = 10001\n", 2, "directory.page_size",
	    "out of range" },
	{ "[directory]\npage_size = 4294967297\n", 2, "directory.page_size",
	    "out of range" },
	{ "[directory]\npage_size =\n", 2, "directory.page_size",
	    "empty value" },
	/* durations */
	{ "[directory]\nconnect_timeout = 99ms\n", 2,
	    "directory.connect_timeout", "out of range 100ms..60000ms" },
	{ "[directory]\nconnect_timeout = 61s\n", 2,
	    "directory.connect_timeout", "out of range" },
	{ "[directory]\noperation_timeout = 121\n", 2,
	    "directory.operation_timeout", "out of range 100ms..120000ms" },
	{ "[directory]\ntotal_timeout = 0\n", 2, "directory.total_timeout",
	    "out of range 100ms..300000ms" },
	{ "[directory]\ntotal_timeout = 9223372036854775807s\n", 2,
	    "directory.total_timeout", "out of range" },
	{ "[directory]\ntotal_timeout = 5d\n", 2, "directory.total_timeout",
	    "not a duration" },
	{ "[directory]\ntotal_timeout = 5 sec\n", 2, "directory.total_timeout",
	    "not a duration" },
	{ "[directory]\ntotal_timeout = ms\n", 2, "directory.total_timeout",
	    "not a decimal number" },
	{ "[directory]\ntotal_timeout = -1s\n", 2, "directory.total_timeout",
	    "not a decimal number" },
	/* enums and booleans */
	{ "[general]\nzone = office\n", 2, "general.zone",
	    "\"office\" is not one of: general, mynumber" },
	{ "[directory]\nbind = kerberos\n", 2, "directory.bind",
	    "sasl-external, simple, anonymous" },
	{ "[directory]\nstarttls = never\n", 2, "directory.starttls",
	    "auto, always" },
	{ "[general]\ndebug = maybe\n", 2, "general.debug",
	    "\"maybe\" is not yes or no" },
	{ "[general]\nlog_unknown_user_names = yess\n", 2,
	    "general.log_unknown_user_names", "not yes or no" },
	/* paths */
	{ "[store]\npath = var/lib/zoneauth\n", 2, "store.path",
	    "not an absolute path" },
	{ "[audit]\nlog = audit.log\n", 2, "audit.log",
	    "not an absolute path" },
	{ "[audit]\nlog =\n", 2, "audit.log", "empty value" },
	{ "[audit]\nhmac_key_file = ~/key\n", 2, "audit.hmac_key_file",
	    "not an absolute path" },
	{ "[directory]\ntls_ca_file = ./ca.pem\n", 2, "directory.tls_ca_file",
	    "not an absolute path" },
	{ "[directory]\nbind_password_file = pw\n", 2,
	    "directory.bind_password_file", "not an absolute path" },
	/* URIs */
	{ "[directory]\nuri = http://ldap.example.jp\n", 2, "directory.uri",
	    "scheme must be" },
	{ "[directory]\nuri = ldapi:/// ldap.example.jp\n", 2,
	    "directory.uri", "\"ldap.example.jp\": scheme must be" },
	{ "[directory]\nuri = ldap://h:abc\n", 2, "directory.uri",
	    "not a valid LDAP URI" },
	{ "[directory]\nuri = ldap://a,ldap://b\n", 2, "directory.uri",
	    "separate URIs with spaces" },
	{ "[directory]\nuri = ldap://h/dc=example,dc=jp\n", 2,
	    "directory.uri", "takes no DN" },
	{ "[directory]\nuri = ldap://h/??sub\n", 2, "directory.uri",
	    "takes no attributes" },
	{ "[directory]\nuri = ldaps://h:99999\n", 2, "directory.uri",
	    "port out of range" },
	{ "[directory]\nuri = ldap://1 ldap://2 ldap://3 ldap://4 ldap://5 "
	    "ldap://6 ldap://7 ldap://8 ldap://9\n", 2, "directory.uri",
	    "more than 8 URIs" },
	{ "[directory]\nuri =   \n", 2, "directory.uri", "empty value" },
	/* DNs */
	{ "[directory]\nbase = example.jp\n", 2, "directory.base",
	    "\"example.jp\" is not a valid DN" },
	{ "[directory]\nbind_dn = cn=x,\n", 2, "directory.bind_dn",
	    "not a valid DN" },
	{ "[directory]\nusers = =people\n", 2, "directory.users",
	    "not a valid DN" },
	{ "[directory]\ngroups = cn=\\zz\n", 2, "directory.groups",
	    "not a valid DN" },
	/* text */
	{ "[general]\n# \xff\n", 2, "invalid UTF-8", NULL },
	{ "[general]\n# \xc0\xaf overlong\n", 2, "invalid UTF-8", NULL },
	{ "[general]\n# \xed\xa0\x80 surrogate\n", 2, "invalid UTF-8", NULL },
	{ "[general]\n# \xf4\x90\x80\x80 above U+10FFFF\n", 2,
	    "invalid UTF-8", NULL },
	{ "[general]\n\n# cut \xe3\x81", 3, "invalid UTF-8", NULL },
	{ "[general]\ndebug = yes\x1b[0m\n", 2, "control character", NULL },
	{ "[general]\ndebug = yes\rno\n", 2, "control character", NULL },
};

static void
test_errors(void **state)
{
	struct fx *f = *state;
	const struct bad_case *c;
	struct za_config *cfg;
	char want[64];
	size_t i;
	int r;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		c = &bad_cases[i];
		cfg = za_config_new();
		assert_non_null(cfg);
		cap_reset(f);
		r = parse_str(f, cfg, c->text);
		if (r != ZA_ERR_CONFIG)
			fail_msg("case %zu (%s): returned %d", i, c->text, r);
		if (f->n != 1)
			fail_msg("case %zu (%s): %d lines logged", i, c->text,
			    f->n);
		if (c->line > 0)
			snprintf(want, sizeof(want), "t.conf:%d: ", c->line);
		else
			snprintf(want, sizeof(want), "t.conf: ");
		assert_line(f, 0, want, c->needle1, c->needle2);
		za_config_free(&cfg);
	}
}

/* A NUL byte inside the buffer (the length says where it ends). */
static void
test_nul_byte(void **state)
{
	static const char text[] = "[general]\ndebug = y\0es\n";
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(za_config_parse(cfg, "t.conf", text,
	    sizeof(text) - 1, &f->lg), ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "t.conf:2: ", "NUL byte", NULL);
	assert_int_equal(cfg->debug, 0);
	za_config_free(&cfg);
}

static void
test_long_line(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char *text;
	size_t n;

	/* "[general]\n" then a comment of exactly ZA_CONF_MAX_LINE bytes. */
	n = 10 + ZA_CONF_MAX_LINE + 2;
	text = malloc(n + 2);
	assert_non_null(text);
	memcpy(text, "[general]\n", 10);
	memset(text + 10, 'a', ZA_CONF_MAX_LINE);
	text[10] = '#';
	/* CR of CRLF does not count. */
	memcpy(text + 10 + ZA_CONF_MAX_LINE, "\r\n", 2);
	assert_int_equal(za_config_parse(cfg, "t.conf", text, n, &f->lg),
	    ZA_OK);
	assert_int_equal(f->n, 0);
	/* One byte more is too long. */
	memcpy(text + 10 + ZA_CONF_MAX_LINE, "a\n", 2);
	assert_int_equal(za_config_parse(cfg, "t.conf", text, n, &f->lg),
	    ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "t.conf:2: ", "line longer than 4096 bytes", NULL);
	free(text);
	za_config_free(&cfg);
}

static void
test_too_large(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char *text;
	size_t i;

	text = malloc(ZA_CONF_MAX_SIZE + 1);
	assert_non_null(text);
	/* Lines of 63 '#' and a newline: all comments. */
	for (i = 0; i < ZA_CONF_MAX_SIZE + 1; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	assert_int_equal(za_config_parse(cfg, "t.conf", text,
	    ZA_CONF_MAX_SIZE, &f->lg), ZA_OK);
	assert_int_equal(f->n, 0);
	assert_int_equal(za_config_parse(cfg, "t.conf", text,
	    ZA_CONF_MAX_SIZE + 1, &f->lg), ZA_ERR_TOO_LARGE);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "t.conf: ", "larger than 262144 bytes", NULL);
	free(text);
	za_config_free(&cfg);
}

/* Several errors are all reported (up to a cap); the first code wins. */
static void
test_many_errors(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char text[4096];
	size_t i, off = 0;

	assert_int_equal(parse_str(f, cfg,
	    "[general]\nzone = x\n\n[directory]\npage_size = y\n"),
	    ZA_ERR_CONFIG);
	assert_int_equal(f->n, 2);
	assert_line(f, 0, "t.conf:2: ", "general.zone", NULL);
	assert_line(f, 1, "t.conf:5: ", "directory.page_size", NULL);

	cap_reset(f);
	off = (size_t)snprintf(text, sizeof(text), "[general]\n");
	for (i = 0; i < 50; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "bad%zu\n", i);
	assert_int_equal(parse_str(f, cfg, text), ZA_ERR_CONFIG);
	assert_true(f->n > 2);
	assert_true(f->n < 50);
	assert_line(f, 0, "t.conf:2: ", "expected", NULL);
	assert_line(f, f->n - 1, "t.conf: ", "too many errors", NULL);
	za_config_free(&cfg);
}

/* Keys under an unknown section are not reported again, one by one. */
static void
test_unknown_section_keys(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse_str(f, cfg,
	    "[lokout]\nmax_failures = 5\nwindow = 15m\n[general]\n"
	    "debug = yes\n"), ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "t.conf:1: ", "unknown section [lokout]", NULL);
	assert_int_equal(cfg->debug, 0);
	za_config_free(&cfg);
}

/* Values in messages are cut short on a character boundary. */
static void
test_long_value_cut(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char text[1200];
	size_t off, i;

	off = (size_t)snprintf(text, sizeof(text), "[general]\nzone = x");
	/* 3-byte characters, so 128 bytes cannot end on a boundary. */
	for (i = 0; i < 100; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "職");
	snprintf(text + off, sizeof(text) - off, "\n");
	assert_int_equal(parse_str(f, cfg, text), ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "t.conf:2: ", "general.zone", "...\"");
	assert_true(strlen(f->lines[0]) < 400);
	/* Cut after "x" + 42 characters of 3 bytes = 127 bytes. */
	assert_non_null(strstr(f->lines[0], "職職...\""));
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- transactions */

static const char base_conf[] =
    "[directory]\n"
    "uri = ldapi:/// ldap://backup.example.jp\n"
    "base = dc=example,dc=jp\n"
    "page_size = 42\n"
    "[store]\n"
    "path = /var/lib/zoneauth\n";

static void
check_base(const struct za_config *cfg)
{
	assert_int_equal(cfg->dir.n_uris, 2);
	assert_string_equal(cfg->dir.uris[0], "ldapi:///");
	assert_string_equal(cfg->dir.uris[1], "ldap://backup.example.jp");
	assert_null(cfg->dir.uris[2]);
	assert_string_equal(cfg->dir.base_dn, "dc=example,dc=jp");
	assert_int_equal(cfg->dir.page_size, 42);
	assert_string_equal(cfg->store_path, "/var/lib/zoneauth");
	assert_int_equal(cfg->zone, ZA_ZONE_GENERAL);
	assert_int_equal(cfg->debug, 0);
	assert_int_equal(cfg->dir.connect_timeout_ms, 2000);
	assert_null(cfg->dir.tls_ca_file);
	assert_string_equal(cfg->audit_log, "/var/log/zoneauth/audit.log");
}

/* Every valid line before and after the error must not reach cfg. */
static const char bad_after_good[] =
    "[general]\n"
    "zone = mynumber\n"
    "debug = yes\n"
    "[directory]\n"
    "uri = ldaps://other.example.jp\n"
    "base = dc=other,dc=jp\n"
    "page_size = 7\n"
    "connect_timeout = 1s\n"
    "tls_ca_file = /etc/ca.pem\n"
    "starttls = bogus\n"
    "[store]\n"
    "path =\n"
    "[audit]\n"
    "log = /tmp/other.log\n";

static void
test_transactional_parse(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(parse_str(f, cfg, base_conf), ZA_OK);
	check_base(cfg);
	assert_int_equal(parse_str(f, cfg, bad_after_good), ZA_ERR_CONFIG);
	assert_line(f, 0, "t.conf:10: ", "directory.starttls", NULL);
	check_base(cfg);
	za_config_free(&cfg);
}

static void
test_transactional_load(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char want[600];

	write_file(f->path, base_conf, strlen(base_conf), 0644);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg), ZA_OK);
	assert_int_equal(f->n, 0);
	check_base(cfg);
	assert_string_equal(cfg->path, f->path);

	write_file(f->path, bad_after_good, strlen(bad_after_good), 0644);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:10: ", f->path);
	assert_line(f, 0, want, "directory.starttls", "\"bogus\"");
	check_base(cfg);
	assert_string_equal(cfg->path, f->path);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- files */

static void
test_load_unsafe(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char link[600], sub[600], fifo[600];
	int wfd;

	write_file(f->path, base_conf, strlen(base_conf), 0664);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_UNSAFE_FILE);
	assert_non_null(strstr(f->lines[0], "writable by group or others"));
	assert_int_equal(cfg->dir.n_uris, 0);

	cap_reset(f);
	write_file(f->path, base_conf, strlen(base_conf), 0602);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_UNSAFE_FILE);
	assert_non_null(strstr(f->lines[0], "writable by group or others"));

	cap_reset(f);
	write_file(f->path, base_conf, strlen(base_conf), 0644);
	/* Root-owned files are always accepted: as root, give it away. */
	if (getuid() == 0)
		assert_int_equal(chown(f->path, 65534, (gid_t)-1), 0);
	assert_int_equal(za_config_load(cfg, f->path,
	    getuid() == 0 ? 0 : getuid() + 1, &f->lg), ZA_ERR_UNSAFE_FILE);
	assert_non_null(strstr(f->lines[0], "owned by uid"));

	/* A symbolic link is refused even when its target is fine. */
	cap_reset(f);
	snprintf(link, sizeof(link), "%s/link.conf", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_equal(za_config_load(cfg, link, getuid(), &f->lg),
	    ZA_ERR_IO);
	assert_true(f->n >= 1);
	assert_non_null(strstr(f->lines[0], link));

	cap_reset(f);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(za_config_load(cfg, sub, getuid(), &f->lg),
	    ZA_ERR_UNSAFE_FILE);
	assert_non_null(strstr(f->lines[0], "not a regular file"));

	/*
	 * A FIFO: hold it open for writing so the loader's read-only open
	 * does not wait for a writer.
	 */
	cap_reset(f);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	wfd = open(fifo, O_RDWR | O_NONBLOCK);
	assert_true(wfd >= 0);
	assert_int_equal(za_config_load(cfg, fifo, getuid(), &f->lg),
	    ZA_ERR_UNSAFE_FILE);
	assert_non_null(strstr(f->lines[0], "not a regular file"));
	close(wfd);

	cap_reset(f);
	snprintf(sub, sizeof(sub), "%s/missing.conf", f->dir);
	assert_int_equal(za_config_load(cfg, sub, getuid(), &f->lg),
	    ZA_ERR_IO);
	assert_non_null(strstr(f->lines[0], "missing.conf"));

	/* Nothing of the refused files reached cfg. */
	assert_int_equal(cfg->dir.n_uris, 0);
	assert_null(cfg->path);
	za_config_free(&cfg);
}

static void
test_load_size_and_nul(void **state)
{
	static const char bad_utf8[] = "[general]\n\ndebug = y\xc3\n";
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char *text;
	char want[600];
	size_t i;

	text = malloc(ZA_CONF_MAX_SIZE + 1);
	assert_non_null(text);
	for (i = 0; i < ZA_CONF_MAX_SIZE + 1; i++)
		text[i] = (i % 64 == 63) ? '\n' : ';';
	write_file(f->path, text, ZA_CONF_MAX_SIZE, 0600);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg), ZA_OK);
	assert_int_equal(f->n, 0);
	write_file(f->path, text, ZA_CONF_MAX_SIZE + 1, 0600);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_TOO_LARGE);
	assert_int_equal(f->n, 1);
	assert_non_null(strstr(f->lines[0], "larger than"));
	free(text);

	cap_reset(f);
	write_file(f->path, "[general]\ndebug = y\0es\n", 23, 0600);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_non_null(strstr(f->lines[0], "NUL byte"));
	assert_non_null(strstr(f->lines[0], f->path));

	cap_reset(f);
	write_file(f->path, bad_utf8, sizeof(bad_utf8) - 1, 0600);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:3: ", f->path);
	assert_line(f, 0, want, "invalid UTF-8", NULL);
	assert_int_equal(cfg->debug, 0);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- arguments */

static void
test_args_conf_first(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char conf[600];
	const char *argv[4];

	write_file(f->path, base_conf, strlen(base_conf), 0644);
	snprintf(conf, sizeof(conf), "conf=%s", f->path);
	argv[0] = conf;
	argv[1] = "directory.page_size=7";
	argv[2] = "debug";
	argv[3] = "directory.uri=ldapi:/// ldaps://a.example.jp  ";
	/* The default path does not exist: conf= replaces it. */
	assert_int_equal(za_config_from_args(cfg, 4, argv, "/nonexistent",
	    getuid(), &f->lg), ZA_OK);
	assert_int_equal(f->n, 0);
	assert_string_equal(cfg->path, f->path);
	assert_int_equal(cfg->dir.page_size, 7);	/* argument wins */
	assert_int_equal(cfg->debug, 1);
	assert_string_equal(cfg->dir.base_dn, "dc=example,dc=jp");
	assert_int_equal(cfg->dir.n_uris, 2);
	assert_string_equal(cfg->dir.uris[1], "ldaps://a.example.jp");
	assert_string_equal(cfg->store_path, "/var/lib/zoneauth");
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	za_config_free(&cfg);
}

static void
test_args_default_path(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const char *argv[] = { "general.zone=mynumber" };

	write_file(f->path, base_conf, strlen(base_conf), 0644);
	assert_int_equal(za_config_from_args(cfg, 1, argv, f->path, getuid(),
	    &f->lg), ZA_OK);
	assert_string_equal(cfg->path, f->path);
	assert_int_equal(cfg->zone, ZA_ZONE_MYNUMBER);
	assert_int_equal(cfg->dir.page_size, 42);
	za_config_free(&cfg);

	/* No default path, no arguments: only the defaults. */
	cfg = za_config_new();
	assert_int_equal(za_config_from_args(cfg, 0, NULL, NULL, getuid(),
	    &f->lg), ZA_OK);
	assert_null(cfg->path);
	assert_int_equal(cfg->dir.page_size, 500);
	/* A missing default file is an error. */
	assert_int_equal(za_config_from_args(cfg, 0, NULL, "/nonexistent/z",
	    getuid(), &f->lg), ZA_ERR_IO);
	assert_non_null(strstr(f->lines[0], "/nonexistent/z"));
	assert_int_equal(f->n, 1);
	za_config_free(&cfg);
}

struct arg_case {
	const char *args[3];
	int argc;
	int r;
	const char *needle1;
	const char *needle2;
	const char *absent;	/* must not appear in the message */
};

static const struct arg_case arg_cases[] = {
	{ { "debug", "conf=/etc/zoneauth/x.conf" }, 2, ZA_ERR_CONFIG,
	    "argument \"conf=/etc/zoneauth/x.conf\"",
	    "conf= must be the first argument", NULL },
	{ { "conf=relative.conf" }, 1, ZA_ERR_CONFIG,
	    "argument \"conf=relative.conf\"", "needs an absolute path", NULL },
	{ { "conf=" }, 1, ZA_ERR_CONFIG, "argument \"conf=\"",
	    "needs an absolute path", NULL },
	{ { "nodebug" }, 1, ZA_ERR_CONFIG, "argument \"nodebug\"",
	    "unknown argument", NULL },
	{ { "use_first_pass=1" }, 1, ZA_ERR_CONFIG,
	    "argument \"use_first_pass=...\"", "expected section.key=value",
	    "=1" },
	{ { "directory.bind_pasword=hunter2" }, 1, ZA_ERR_CONFIG,
	    "argument \"directory.bind_pasword=...\"",
	    "unknown key in section [directory]", "hunter2" },
	{ { "ldap.uri=ldap://x" }, 1, ZA_ERR_CONFIG,
	    "argument \"ldap.uri=...\"", "unknown section [ldap]", "ldap://x" },
	{ { "directory.page_size=abc" }, 1, ZA_ERR_CONFIG,
	    "argument \"directory.page_size=abc\"", "not a decimal number",
	    NULL },
	{ { "directory.uri=http://x" }, 1, ZA_ERR_CONFIG,
	    "argument \"directory.uri=http://x\"", "scheme must be", NULL },
	{ { "general.zone=" }, 1, ZA_ERR_CONFIG,
	    "argument \"general.zone=\"", "empty value", NULL },
	{ { "store.path=relative" }, 1, ZA_ERR_CONFIG,
	    "argument \"store.path=relative\"", "not an absolute path", NULL },
	{ { "directory.page_size=5", "directory.page_size=6" }, 2,
	    ZA_ERR_CONFIG, "argument \"directory.page_size=6\"",
	    "duplicate (also argument 1)", NULL },
	{ { "general.debug=\xff" }, 1, ZA_ERR_CONFIG, "argument 1",
	    "invalid UTF-8", NULL },
	{ { "debug", "general.zone=a\tb\x07" }, 2, ZA_ERR_CONFIG, "argument 2",
	    "control character", NULL },
	{ { "debug", NULL }, 2, ZA_ERR_ARG, "argument 2 is NULL", NULL,
	    NULL },
};

static void
test_args_errors(void **state)
{
	struct fx *f = *state;
	const struct arg_case *c;
	struct za_config *cfg;
	const char *argv[3];
	size_t i;
	int r;

	for (i = 0; i < sizeof(arg_cases) / sizeof(arg_cases[0]); i++) {
		c = &arg_cases[i];
		cfg = za_config_new();
		assert_non_null(cfg);
		cap_reset(f);
		memcpy(argv, c->args, sizeof(argv));
		r = za_config_from_args(cfg, c->argc, argv, NULL, getuid(),
		    &f->lg);
		if (r != c->r)
			fail_msg("case %zu: returned %d, expected %d", i, r,
			    c->r);
		if (f->n != 1)
			fail_msg("case %zu: %d lines logged", i, f->n);
		assert_line(f, 0, "", c->needle1, c->needle2);
		if (c->absent != NULL)
			assert_not_logged(f, c->absent);
		/* Nothing applied, not even the valid arguments. */
		assert_int_equal(cfg->debug, 0);
		assert_int_equal(cfg->dir.page_size, 500);
		za_config_free(&cfg);
	}
}

static void
test_args_long(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const char *argv[1];
	char *arg;

	arg = malloc(ZA_CONF_MAX_LINE + 2);
	assert_non_null(arg);
	memcpy(arg, "store.path=/", 12);
	memset(arg + 12, 'a', ZA_CONF_MAX_LINE - 12);
	arg[ZA_CONF_MAX_LINE] = '\0';
	argv[0] = arg;
	assert_int_equal(za_config_from_args(cfg, 1, argv, NULL, getuid(),
	    &f->lg), ZA_OK);
	assert_int_equal(strlen(cfg->store_path), ZA_CONF_MAX_LINE - 11);
	arg[ZA_CONF_MAX_LINE] = 'a';
	arg[ZA_CONF_MAX_LINE + 1] = '\0';
	assert_int_equal(za_config_from_args(cfg, 1, argv, NULL, getuid(),
	    &f->lg), ZA_ERR_CONFIG);
	assert_line(f, 0, "", "argument 1: longer than 4096 bytes", NULL);
	free(arg);
	za_config_free(&cfg);
}

/* A bad file and a bad argument are both reported; cfg is unchanged. */
static void
test_args_transactional(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const char *argv[] = { "general.zone=mynumber", "directory.page_size=0",
	    "debug" };
	char want[600];

	write_file(f->path, base_conf, strlen(base_conf), 0644);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg), ZA_OK);
	write_file(f->path, bad_after_good, strlen(bad_after_good), 0644);
	assert_int_equal(za_config_from_args(cfg, 3, argv, f->path, getuid(),
	    &f->lg), ZA_ERR_CONFIG);
	assert_int_equal(f->n, 2);
	snprintf(want, sizeof(want), "%s:10: ", f->path);
	assert_line(f, 0, want, "directory.starttls", NULL);
	assert_line(f, 1, "", "argument \"directory.page_size=0\"",
	    "out of range");
	check_base(cfg);

	/* A good file with one bad argument: still nothing applied. */
	cap_reset(f);
	write_file(f->path, full_conf, strlen(full_conf), 0644);
	assert_int_equal(za_config_from_args(cfg, 3, argv, f->path, getuid(),
	    &f->lg), ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	check_base(cfg);
	za_config_free(&cfg);
}

static void
test_args_bad_calls(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();

	assert_int_equal(za_config_from_args(NULL, 0, NULL, NULL, 0, &f->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_config_from_args(cfg, -1, NULL, NULL, 0, &f->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_config_from_args(cfg, 1, NULL, NULL, 0, &f->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_config_parse(NULL, "x", "", 0, &f->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_config_parse(cfg, "x", NULL, 1, &f->lg),
	    ZA_ERR_ARG);
	assert_int_equal(za_config_parse(cfg, "x", NULL, 0, &f->lg), ZA_OK);
	assert_int_equal(za_config_load(cfg, NULL, 0, &f->lg), ZA_ERR_ARG);
	assert_int_equal(za_config_finish(NULL, &f->lg), ZA_ERR_ARG);
	/* A NULL log sink is accepted. */
	assert_int_equal(za_config_parse(cfg, "x", "bad", 3, NULL),
	    ZA_ERR_CONFIG);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- fido2 */

static const unsigned char aaguid_soft[16] = {
	0x73, 0x6f, 0x66, 0x74, 0x66, 0x69, 0x64, 0x6f,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};
static const unsigned char aaguid_other[16] = {
	0xcb, 0x69, 0x48, 0x1e, 0x8f, 0xf7, 0x40, 0x39,
	0x93, 0xec, 0x0a, 0x27, 0x29, 0xa1, 0x54, 0xa8,
};

/* [fido2]: every key, its values and the defaults it replaces. */
static void
test_fido2_keys(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	const char *argv[] = { "fido2.touch_timeout=5s",
	    "fido2.aaguids=CB69481E-8FF7-4039-93EC-0A2729A154A8",
	    "fido2.require_uv=no" };

	assert_int_equal(parse_str(f, cfg, "[fido2]\n"
	    "rp_id = pam://rei-city.lg.jp/zone-a\n"
	    "aaguids = 736f6674-6669-646f-8000-000000000001 \t "
	    "cb69481e-8ff7-4039-93ec-0a2729a154a8\n"
	    "attestation_ca = /etc/zoneauth/fido2-ca.pem\n"
	    "touch_timeout = 45s\n"
	    "require_uv = yes\n"), ZA_OK);
	assert_int_equal(f->n, 0);
	assert_string_equal(cfg->fido2.rp_id, "pam://rei-city.lg.jp/zone-a");
	assert_int_equal(cfg->fido2.naaguids, 2);
	assert_memory_equal(cfg->fido2.aaguids[0], aaguid_soft, 16);
	assert_memory_equal(cfg->fido2.aaguids[1], aaguid_other, 16);
	assert_string_equal(cfg->fido2.attestation_ca,
	    "/etc/zoneauth/fido2-ca.pem");
	assert_int_equal(cfg->fido2.touch_timeout_ms, 45000);
	assert_int_equal(cfg->fido2.require_uv, 1);

	/* A later source: empty aaguids and attestation_ca unset them. */
	assert_int_equal(parse_str(f, cfg, "[fido2]\naaguids =\n"
	    "attestation_ca =\ntouch_timeout = 1s\n"), ZA_OK);
	assert_int_equal(cfg->fido2.naaguids, 0);
	assert_null(cfg->fido2.attestation_ca);
	assert_int_equal(cfg->fido2.touch_timeout_ms, 1000);
	assert_string_equal(cfg->fido2.rp_id, "pam://rei-city.lg.jp/zone-a");
	assert_int_equal(parse_str(f, cfg, "[fido2]\ntouch_timeout = 120s\n"
	    "require_uv = off\n"), ZA_OK);
	assert_int_equal(cfg->fido2.touch_timeout_ms, 120000);
	assert_int_equal(cfg->fido2.require_uv, 0);

	/* Module arguments, through the same table (either case). */
	assert_int_equal(za_config_from_args(cfg, 3, argv, NULL, getuid(),
	    &f->lg), ZA_OK);
	assert_int_equal(cfg->fido2.touch_timeout_ms, 5000);
	assert_int_equal(cfg->fido2.naaguids, 1);
	assert_memory_equal(cfg->fido2.aaguids[0], aaguid_other, 16);

	/* A failing parse leaves everything, the allowlist included. */
	assert_int_equal(parse_str(f, cfg, "[fido2]\nrp_id = x\n"
	    "aaguids = 736f6674-6669-646f-8000-000000000001\n"
	    "touch_timeout = 0s\n"), ZA_ERR_CONFIG);
	assert_string_equal(cfg->fido2.rp_id, "pam://rei-city.lg.jp/zone-a");
	assert_int_equal(cfg->fido2.naaguids, 1);
	assert_memory_equal(cfg->fido2.aaguids[0], aaguid_other, 16);
	assert_int_equal(cfg->fido2.touch_timeout_ms, 5000);

	/* Loading a file copies the configuration: the strings too. */
	write_file(f->path, "[fido2]\nrequire_uv = yes\n",
	    strlen("[fido2]\nrequire_uv = yes\n"), 0644);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg),
	    ZA_OK);
	assert_int_equal(cfg->fido2.require_uv, 1);
	assert_string_equal(cfg->fido2.rp_id, "pam://rei-city.lg.jp/zone-a");
	assert_int_equal(cfg->fido2.naaguids, 1);
	za_config_free(&cfg);
}

static const struct {
	const char *text;
	const char *needle1;
	const char *needle2;
} fido2_bad[] = {
	{ "[fido2]\nrp_id =\n", "fido2.rp_id: empty value", NULL },
	{ "[fido2]\nrp_id = pam://a b\n", "fido2.rp_id:",
	    "printable ASCII without spaces" },
	{ "[fido2]\nrp_id = pam://例\n", "fido2.rp_id:", "printable ASCII" },
	{ "[fido2]\naaguids = 736f6674-6669-646f-8000-00000000001\n",
	    "fido2.aaguids:", "is not an AAGUID" },
	{ "[fido2]\naaguids = 736f6674666964 6f-8000-000000000001\n",
	    "fido2.aaguids:", "is not an AAGUID" },
	{ "[fido2]\naaguids = 736f6674-6669-646f-8000-00000000000g\n",
	    "fido2.aaguids:", "(8-4-4-4-12 hexadecimal digits)" },
	{ "[fido2]\naaguids = 736f6674-6669-646f-8000-000000000001 "
	    "736F6674-6669-646F-8000-000000000001\n", "fido2.aaguids:",
	    "listed twice" },
	{ "[fido2]\nattestation_ca = ca.pem\n", "fido2.attestation_ca:",
	    "not an absolute path" },
	{ "[fido2]\ntouch_timeout = 999ms\n", "fido2.touch_timeout:",
	    "out of range 1000ms..120000ms" },
	{ "[fido2]\ntouch_timeout = 121s\n", "fido2.touch_timeout:",
	    "out of range" },
	{ "[fido2]\ntouch_timeout = soon\n", "fido2.touch_timeout:", NULL },
	{ "[fido2]\nrequire_uv = maybe\n", "fido2.require_uv:",
	    "not yes or no" },
	{ "[fido2]\nrequire_pin = yes\n", "unknown key \"require_pin\"",
	    "[fido2]" },
	{ "[fido2]\ntouch_timeout = 5s\ntouch_timeout = 6s\n",
	    "duplicate key fido2.touch_timeout", NULL },
};

static void
test_fido2_errors(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg;
	char many[40 * 33 + 32];
	size_t i, off;

	for (i = 0; i < sizeof(fido2_bad) / sizeof(fido2_bad[0]); i++) {
		cfg = za_config_new();
		assert_non_null(cfg);
		cap_reset(f);
		if (parse_str(f, cfg, fido2_bad[i].text) != ZA_ERR_CONFIG)
			fail_msg("accepted: %s", fido2_bad[i].text);
		assert_line(f, 0, "t.conf:", fido2_bad[i].needle1,
		    fido2_bad[i].needle2);
		assert_string_equal(cfg->fido2.rp_id, "pam://zoneauth");
		assert_int_equal(cfg->fido2.naaguids, 0);
		assert_int_equal(cfg->fido2.touch_timeout_ms, 30000);
		za_config_free(&cfg);
	}
	/* At most ZA_CONF_MAX_AAGUIDS entries. */
	off = (size_t)snprintf(many, sizeof(many), "[fido2]\naaguids =");
	for (i = 0; i <= ZA_CONF_MAX_AAGUIDS; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off,
		    " 00000000-0000-4000-8000-%012zx", i);
	assert_true(off < sizeof(many) - 2);
	many[off++] = '\n';
	many[off] = '\0';
	cfg = za_config_new();
	cap_reset(f);
	assert_int_equal(parse_str(f, cfg, many), ZA_ERR_CONFIG);
	assert_line(f, 0, "t.conf:2: ", "fido2.aaguids:", "more than 32");
	/* One fewer is fine. */
	many[off - 1 - 37] = '\n';
	many[off - 37] = '\0';
	cap_reset(f);
	assert_int_equal(parse_str(f, cfg, many), ZA_OK);
	assert_int_equal(cfg->fido2.naaguids, ZA_CONF_MAX_AAGUIDS);
	za_config_free(&cfg);
	/* A bad argument names the key; the AAGUID is shown, not hidden. */
	cfg = za_config_new();
	cap_reset(f);
	{
		const char *argv[] = { "fido2.aaguids=nope" };

		assert_int_equal(za_config_from_args(cfg, 1, argv, NULL,
		    getuid(), &f->lg), ZA_ERR_CONFIG);
	}
	assert_line(f, 0, "argument \"fido2.aaguids=nope\": ",
	    "is not an AAGUID", NULL);
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- finish */

static struct za_config *
finish_cfg(struct fx *f, const char *text, int expect)
{
	struct za_config *cfg = za_config_new();

	assert_non_null(cfg);
	cap_reset(f);
	assert_int_equal(parse_str(f, cfg, text), ZA_OK);
	assert_int_equal(za_config_finish(cfg, &f->lg), expect);
	return cfg;
}

static void
test_finish(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg;

	/* Nothing set: both required keys are reported. */
	cfg = finish_cfg(f, "", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 2);
	assert_line(f, 0, "configuration: ", "directory.uri is not set", NULL);
	assert_line(f, 1, "configuration: ", "directory.base is not set",
	    NULL);
	assert_null(cfg->dir.users_dn);
	za_config_free(&cfg);

	/* Derived defaults. */
	cfg = finish_cfg(f, "[directory]\nuri = ldapi:///\n"
	    "base = dc=example,dc=jp\n", ZA_OK);
	assert_int_equal(f->n, 0);
	assert_string_equal(cfg->dir.users_dn, "ou=people,dc=example,dc=jp");
	assert_string_equal(cfg->dir.groups_dn, "ou=groups,dc=example,dc=jp");
	/* Idempotent. */
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_OK);
	assert_string_equal(cfg->dir.users_dn, "ou=people,dc=example,dc=jp");
	za_config_free(&cfg);

	/* Only base: uri reported, and the defaults are not filled. */
	cfg = finish_cfg(f, "[directory]\nbase = dc=x\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "configuration: ", "directory.uri is not set", NULL);
	assert_null(cfg->dir.users_dn);
	assert_null(cfg->dir.groups_dn);
	za_config_free(&cfg);

	/* Simple bind needs its DN and password file. */
	cfg = finish_cfg(f, "[directory]\nuri = ldaps://h\nbase = dc=x\n"
	    "bind = simple\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 2);
	assert_line(f, 0, "configuration: ", "needs directory.bind_dn", NULL);
	assert_line(f, 1, "configuration: ",
	    "needs directory.bind_password_file", NULL);
	za_config_free(&cfg);
	cfg = finish_cfg(f, "[directory]\nuri = ldaps://h\nbase = dc=x\n"
	    "bind = simple\nbind_dn = cn=a,dc=x\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "configuration: ",
	    "needs directory.bind_password_file", NULL);
	za_config_free(&cfg);
	cfg = finish_cfg(f, "[directory]\nuri = ldaps://h\nbase = dc=x\n"
	    "bind = simple\nbind_dn = cn=a,dc=x\nbind_password_file = /pw\n",
	    ZA_OK);
	za_config_free(&cfg);

	/* SASL EXTERNAL needs an ldapi:// URI (default bind method). */
	cfg = finish_cfg(f, "[directory]\nuri = ldaps://h ldap://g\n"
	    "base = dc=x\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "configuration: ",
	    "sasl-external needs an ldapi:// URI", NULL);
	za_config_free(&cfg);
	cfg = finish_cfg(f, "[directory]\nuri = ldaps://h LDAPI:///\n"
	    "base = dc=x\n", ZA_OK);
	za_config_free(&cfg);

	/* bind_dn without simple bind is a mistake, not ignored. */
	cfg = finish_cfg(f, "[directory]\nuri = ldap://h\nbase = dc=x\n"
	    "bind = anonymous\nbind_dn = cn=a,dc=x\n"
	    "bind_password_file = /pw\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 2);
	assert_line(f, 0, "configuration: ", "directory.bind_dn is only used",
	    NULL);
	assert_line(f, 1, "configuration: ",
	    "directory.bind_password_file is only used", NULL);
	za_config_free(&cfg);
	cfg = finish_cfg(f, "[directory]\nuri = ldap://h\nbase = dc=x\n"
	    "bind = anonymous\n", ZA_OK);
	za_config_free(&cfg);

	/* total_timeout must cover at least one connect_timeout. */
	cfg = finish_cfg(f, "[directory]\nuri = ldapi:///\nbase = dc=x\n"
	    "connect_timeout = 3s\ntotal_timeout = 2999ms\n", ZA_ERR_CONFIG);
	assert_int_equal(f->n, 1);
	assert_line(f, 0, "configuration: ", "directory.total_timeout (2999ms)",
	    "directory.connect_timeout (3000ms)");
	za_config_free(&cfg);
	cfg = finish_cfg(f, "[directory]\nuri = ldapi:///\nbase = dc=x\n"
	    "connect_timeout = 3s\ntotal_timeout = 3000ms\n", ZA_OK);
	za_config_free(&cfg);
}

/* finish() names the file that was loaded. */
static void
test_finish_names_file(void **state)
{
	struct fx *f = *state;
	struct za_config *cfg = za_config_new();
	char want[600];

	write_file(f->path, "[general]\n", 10, 0644);
	assert_int_equal(za_config_load(cfg, f->path, getuid(), &f->lg), ZA_OK);
	assert_int_equal(za_config_finish(cfg, &f->lg), ZA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: ", f->path);
	assert_line(f, 0, want, "directory.uri is not set", NULL);
	za_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_fido2_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fido2_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_and_unset, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_value_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactional_parse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactional_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_unsafe, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_size_and_nul, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args_conf_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args_default_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args_transactional, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args_bad_calls, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_names_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
