/*
 * Unit tests: secret hygiene (lib/secret.c), safe files (lib/file.c),
 * error texts (lib/err.c), the logging sink (lib/log.c) and the file
 * store's compare-and-swap updates (lib/storefile.c).
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
#include <unistd.h>

#include <cmocka.h>

#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"
#include "za_storefile.h"

struct captured {
	char last[2048];
	int priority;
	int count;
};

static void
capture_emit(void *arg, int priority, const char *line)
{
	struct captured *c = arg;

	snprintf(c->last, sizeof(c->last), "%s", line);
	c->priority = priority;
	c->count++;
}

static char tmpdir[256];	/* short: paths below are built from it */

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/za-file-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_wipe_and_compare(void **state)
{
	unsigned char a[32], b[32];
	size_t i;

	(void)state;
	memset(a, 0xa5, sizeof(a));
	za_wipe(a, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_int_equal(za_ct_equal(a, b, sizeof(a)), 1);
	b[31] ^= 1;
	assert_int_equal(za_ct_equal(a, b, sizeof(a)), 0);
	b[31] ^= 1;
	b[0] ^= 0x80;
	assert_int_equal(za_ct_equal(a, b, sizeof(a)), 0);
	assert_int_equal(za_ct_equal(a, b, 0), 1);
	za_wipe(NULL, 10);		/* accepted */
	za_freezero(NULL, 10);		/* accepted */
}

static void
test_free_secret_str(void **state)
{
	char *s = strdup("123456");
	char *none = NULL;

	(void)state;
	assert_non_null(s);
	za_free_secret_str(&s);
	assert_null(s);
	za_free_secret_str(&none);
	za_free_secret_str(NULL);
}

static void
test_random(void **state)
{
	unsigned char a[64], b[64];

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(za_random(a, sizeof(a)), ZA_OK);
	assert_int_equal(za_random(b, sizeof(b)), ZA_OK);
	/* Two 512-bit draws are equal with probability 2^-512. */
	assert_int_equal(za_ct_equal(a, b, sizeof(a)), 0);
	assert_int_equal(za_random(a, 0), ZA_OK);
}

static void
test_strerror_total(void **state)
{
	int r;

	(void)state;
	for (r = ZA_ERR_LOCKED; r <= ZA_OK; r++) {
		assert_non_null(za_strerror(r));
		assert_string_not_equal(za_strerror(r), "unknown error");
	}
	assert_string_equal(za_strerror(-9999), "unknown error");
	assert_string_equal(za_strerror(1), "unknown error");
}

static void
test_log_sink(void **state)
{
	struct captured c;
	struct za_log lg = { capture_emit, &c, 0 };

	(void)state;
	memset(&c, 0, sizeof(c));
	za_error(&lg, "value %d", 42);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.priority, LOG_ERR);
	assert_string_equal(c.last, "test_log_sink: value 42");
	za_debug(&lg, "hidden");
	assert_int_equal(c.count, 1);		/* debug off: dropped */
	lg.debug = 1;
	za_debug(&lg, "shown");
	assert_int_equal(c.count, 2);
	za_warn_r(&lg, ZA_ERR_UNAVAIL, "ldap://x");
	assert_string_equal(c.last,
	    "test_log_sink: ldap://x: directory unavailable");
	assert_int_equal(c.priority, LOG_WARNING);
	za_error(NULL, "no sink");		/* accepted */
}

static void
test_read_checked_ok(void **state)
{
	struct captured c;
	struct za_log lg = { capture_emit, &c, 0 };
	struct za_file_policy pol = { getuid(), 1, 64 };
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	write_file(path, "secret\n", 7, 0600);
	assert_int_equal(za_file_read_checked(path, &pol, &lg, &buf, &len),
	    ZA_OK);
	assert_int_equal(len, 7);
	assert_string_equal(buf, "secret\n");
	za_freezero(buf, len + 1);
	assert_int_equal(c.count, 0);
}

static void
check_refused(const char *path, const struct za_file_policy *pol, int want,
    const char *needle)
{
	struct captured c;
	struct za_log lg = { capture_emit, &c, 0 };
	char *buf = (char *)0x1;
	size_t len = 99;

	memset(&c, 0, sizeof(c));
	assert_int_equal(za_file_read_checked(path, pol, &lg, &buf, &len),
	    want);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(c.count, 1);
	assert_non_null(strstr(c.last, path));
	assert_non_null(strstr(c.last, needle));
}

static void
test_read_checked_refusals(void **state)
{
	struct za_file_policy pol = { getuid(), 0, 64 };
	struct za_file_policy secret = { getuid(), 1, 64 };
	/* Root-owned files are always accepted: as root, the file is given
	 * away below and root is the expected owner. */
	struct za_file_policy other_owner = { getuid() == 0 ? 0 : getuid() + 1,
	    0, 64 };
	char path[PATH_MAX], link[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/gw", tmpdir);
	write_file(path, "x", 1, 0620);
	check_refused(path, &pol, ZA_ERR_UNSAFE_FILE, "writable");
	write_file(path, "x", 1, 0602);
	check_refused(path, &pol, ZA_ERR_UNSAFE_FILE, "writable");
	write_file(path, "x", 1, 0640);
	check_refused(path, &secret, ZA_ERR_UNSAFE_FILE, "readable");
	write_file(path, "x", 1, 0644);
	if (getuid() == 0)
		assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
	check_refused(path, &other_owner, ZA_ERR_UNSAFE_FILE, "owned by");

	snprintf(link, sizeof(link), "%s/link", tmpdir);
	write_file(path, "x", 1, 0600);
	assert_int_equal(symlink(path, link), 0);
	check_refused(link, &pol, ZA_ERR_IO, "symbolic links");

	check_refused(tmpdir, &pol, ZA_ERR_UNSAFE_FILE, "regular");

	/* A FIFO with no writer is refused without blocking the caller. */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	check_refused(path, &pol, ZA_ERR_UNSAFE_FILE, "regular");

	snprintf(path, sizeof(path), "%s/big", tmpdir);
	write_file(path, "0123456789012345678901234567890123456789"
	    "01234567890123456789012345678", 69, 0600);
	check_refused(path, &pol, ZA_ERR_TOO_LARGE, "larger");

	snprintf(path, sizeof(path), "%s/nul", tmpdir);
	write_file(path, "ab\0cd", 5, 0600);
	check_refused(path, &pol, ZA_ERR_PARSE, "NUL");

	snprintf(path, sizeof(path), "%s/absent", tmpdir);
	check_refused(path, &pol, ZA_ERR_IO, "No such file");
}

static void
test_replace(void **state)
{
	struct za_file_policy pol = { getuid(), 1, 0 };
	char path[PATH_MAX], *buf = NULL, cmd[PATH_MAX + 64];
	struct stat st;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	assert_int_equal(za_file_replace(path, "v1\n", 3, 0600, NULL), ZA_OK);
	assert_int_equal(za_file_replace(path, "version 2\n", 10, 0600, NULL),
	    ZA_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(za_file_read_checked(path, &pol, NULL, &buf, &len),
	    ZA_OK);
	assert_string_equal(buf, "version 2\n");
	za_freezero(buf, len + 1);
	/* No temporary file is left behind. */
	snprintf(cmd, sizeof(cmd), "test $(ls '%s' | grep -c tmp) -eq 0",
	    tmpdir);
	assert_int_equal(system(cmd), 0);
	/* A missing directory is an error, not a crash. */
	snprintf(path, sizeof(path), "%s/missing/state", tmpdir);
	assert_int_equal(za_file_replace(path, "x", 1, 0600, NULL), ZA_ERR_IO);
}

/* The file store: a FIDO2 credential f1 of alice and one of bob. */
#define ST_HEAD	"zoneauth-store 1\nuser alice\nuser bob\n"
#define ST_KEY	" pubkey=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq21MmP2S" \
		"UFlnnKQBn78EZ0agrT0yuCZMvmCw38FSXzbx5vBPI8aV7w405" \
		"Lqh6U3x3PyiRH73J+szE03/N6CIxA== alg=-7 " \
		"aaguid=cb69481e-8ff7-4039-93ec-0a2729a154a8 uv=none rp_id=pam://x"
#define ST_F1	"fido2 alice id=f1 status=active cred_id=AQID_v8QIDBAUGBwgJCgsA" \
		ST_KEY " sign_count=%u\n"
#define ST_F2	"fido2 bob id=f2 status=active cred_id=Y3JlZGVudGlhbC10d28" \
		ST_KEY " sign_count=7\n"

static void
store_dir(char *dir, size_t dirsz, const char *name, unsigned int count)
{
	char path[PATH_MAX], text[2048];
	int n;

	assert_true(strlen(tmpdir) + strlen(name) + 2 <= dirsz);
	snprintf(dir, dirsz, "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, ZA_STOREFILE_NAME);
	n = snprintf(text, sizeof(text), ST_HEAD ST_F1 ST_F2, count);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	write_file(path, text, (size_t)n, 0600);
}

/* Load the store of dir and return credential id (the store in *sp). */
static struct za_fido2_cred *
store_cred(const char *dir, const char *id, struct za_store **sp)
{
	struct za_fido2_cred *c;

	assert_int_equal(za_storefile_load(dir, getuid(), NULL, sp), ZA_OK);
	c = za_store_find_fido2(*sp, id);
	assert_non_null(c);
	return c;
}

static void
test_store_fido2_advance(void **state)
{
	struct za_store *s = NULL;
	struct za_fido2_cred *c;
	char dir[512], path[PATH_MAX];
	struct stat st;

	(void)state;
	store_dir(dir, sizeof(dir), "fadv", 3);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 3, 5,
	    NULL), ZA_OK);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->sign_count, 5);
	assert_int_equal(c->status, ZA_TOKEN_ACTIVE);
	assert_string_equal(c->owner, "alice");
	c = za_store_find_fido2(s, "f2");	/* the other one untouched */
	assert_non_null(c);
	assert_int_equal(c->sign_count, 7);
	za_store_free(&s);
	snprintf(path, sizeof(path), "%s/%s", dir, ZA_STOREFILE_NAME);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* The login read 3, someone stored 5 since: conflict, no write. */
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 3, 4,
	    NULL), ZA_ERR_CONFLICT);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 3, 9,
	    NULL), ZA_ERR_CONFLICT);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->sign_count, 5);
	za_store_free(&s);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 5, 6,
	    NULL), ZA_OK);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->sign_count, 6);
	za_store_free(&s);

	/* Forward only; unknown ids; OTP ids are not FIDO2 credentials. */
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 6, 6,
	    NULL), ZA_ERR_ARG);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 6, 2,
	    NULL), ZA_ERR_ARG);
	assert_int_equal(za_storefile_fido2_advance(NULL, getuid(), "f1", 6,
	    7, NULL), ZA_ERR_ARG);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), NULL, 6,
	    7, NULL), ZA_ERR_ARG);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "nope", 6,
	    7, NULL), ZA_ERR_NOT_FOUND);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->sign_count, 6);
	za_store_free(&s);

	/* An unsafe directory is refused before anything is read. */
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 6, 7,
	    NULL), ZA_ERR_UNSAFE_FILE);
	assert_int_equal(chmod(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/absent", tmpdir);
	assert_int_equal(za_storefile_fido2_advance(path, getuid(), "f1", 6, 7,
	    NULL), ZA_ERR_IO);
}

static void
test_store_fido2_cloned(void **state)
{
	struct za_store *s = NULL;
	struct za_fido2_cred *c;
	char dir[512];

	(void)state;
	store_dir(dir, sizeof(dir), "fclone", 4);
	assert_int_equal(za_storefile_fido2_mark_cloned(dir, getuid(), "f1",
	    NULL), ZA_OK);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->status, ZA_TOKEN_CLONED);
	assert_int_equal(c->sign_count, 4);	/* counter kept */
	c = za_store_find_fido2(s, "f2");
	assert_non_null(c);
	assert_int_equal(c->status, ZA_TOKEN_ACTIVE);
	za_store_free(&s);
	/* Marked already: a conflict; and a cloned credential never moves. */
	assert_int_equal(za_storefile_fido2_mark_cloned(dir, getuid(), "f1",
	    NULL), ZA_ERR_CONFLICT);
	assert_int_equal(za_storefile_fido2_advance(dir, getuid(), "f1", 4, 5,
	    NULL), ZA_ERR_CONFLICT);
	c = store_cred(dir, "f1", &s);
	assert_int_equal(c->status, ZA_TOKEN_CLONED);
	assert_int_equal(c->sign_count, 4);
	za_store_free(&s);
	assert_int_equal(za_storefile_fido2_mark_cloned(dir, getuid(), "nope",
	    NULL), ZA_ERR_NOT_FOUND);
	assert_int_equal(za_storefile_fido2_mark_cloned(dir, getuid(), NULL,
	    NULL), ZA_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wipe_and_compare),
		cmocka_unit_test(test_free_secret_str),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_strerror_total),
		cmocka_unit_test(test_log_sink),
		cmocka_unit_test(test_read_checked_ok),
		cmocka_unit_test(test_read_checked_refusals),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_store_fido2_advance),
		cmocka_unit_test(test_store_fido2_cloned),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
