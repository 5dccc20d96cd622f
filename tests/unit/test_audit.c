/*
 * Unit tests: the hash-chained audit log (lib/audit.c).
 *
 * Every tamper case rewrites a real log the library produced and checks
 * that verify names the right line and kind of problem.  Forgeries are
 * computed here with OpenSSL directly, from the scheme documented in
 * za_audit.h, so these tests also pin that scheme down.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "za_audit.h"
#include "za_err.h"
#include "za_log.h"

#define MAX_LINES	1100
#define TAIL_LEN	75	/* ,"hash":"<64 hex>"} */

struct fixture {
	char dir[256];
	char log[300];
	char key[300];
	char key2[300];
};

struct captured {
	char all[16384];
	int count;
	int priority;
};

static void
capture_emit(void *arg, int priority, const char *line)
{
	struct captured *c = arg;
	size_t used = strlen(c->all);

	snprintf(c->all + used, sizeof(c->all) - used, "%s\n", line);
	c->priority = priority;
	c->count++;
}

/* ------------------------------------------------------------ files */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Whole file as a NUL-terminated string; *lenp its length. */
static char *
slurp(const char *path, size_t *lenp)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	if (lenp != NULL)
		*lenp = (size_t)st.st_size;
	return buf;
}

struct lines {
	char *v[MAX_LINES];	/* each with its newline */
	size_t n;
};

static void
lines_read(const char *path, struct lines *l)
{
	char *buf = slurp(path, NULL), *p = buf, *nl;

	l->n = 0;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(l->n < MAX_LINES);
		l->v[l->n] = strndup(p, (size_t)(nl - p + 1));
		assert_non_null(l->v[l->n]);
		l->n++;
		p = nl + 1;
	}
	free(buf);
}

static void
lines_write(const char *path, const struct lines *l)
{
	size_t i, total = 0;
	char *buf;

	for (i = 0; i < l->n; i++)
		total += strlen(l->v[i]);
	buf = malloc(total + 1);
	assert_non_null(buf);
	buf[0] = '\0';
	for (i = 0, total = 0; i < l->n; i++) {
		memcpy(buf + total, l->v[i], strlen(l->v[i]));
		total += strlen(l->v[i]);
	}
	write_file(path, buf, total, 0600);
	free(buf);
}

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Remove line i (0-based). */
static void
lines_delete(struct lines *l, size_t i)
{
	free(l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
}

/* Insert s (taken over) before line i. */
static void
lines_insert(struct lines *l, size_t i, char *s)
{
	assert_true(l->n < MAX_LINES);
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(l->v[0]));
	l->v[i] = s;
	l->n++;
}

/* Replace the first occurrence of from in line *sp by to. */
static void
str_replace(char **sp, const char *from, const char *to)
{
	char *s = *sp, *at = strstr(s, from), *out;
	size_t n;

	assert_non_null(at);
	n = strlen(s) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(at - s), s, to,
	    at + strlen(from));
	free(s);
	*sp = out;
}

/* ------------------------------------------------------------ forging */

static void
hexdec(const char *s, unsigned char *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static void
hexenc(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* The 64 hex digits of field name ("prev" or "hash") in line. */
static void
field_hex(const char *line, const char *name, char out[65])
{
	char pat[32];
	const char *at;

	snprintf(pat, sizeof(pat), "\"%s\":\"", name);
	at = strstr(line, pat);
	assert_non_null(at);
	memcpy(out, at + strlen(pat), 64);
	out[64] = '\0';
}

/* Hash prev||body as the documented scheme says (key NULL: SHA-256). */
static void
scheme_hash(const char *key, const char *prev_hex, const char *body,
    size_t bodylen, unsigned char out[32])
{
	unsigned char *msg;
	unsigned int outlen = 0;

	msg = malloc(32 + bodylen);
	assert_non_null(msg);
	hexdec(prev_hex, msg, 32);
	memcpy(msg + 32, body, bodylen);
	if (key == NULL)
		assert_int_equal(EVP_Digest(msg, 32 + bodylen, out, &outlen,
		    EVP_sha256(), NULL), 1);
	else
		assert_non_null(HMAC(EVP_sha256(), key, (int)strlen(key), msg,
		    32 + bodylen, out, &outlen));
	assert_int_equal(outlen, 32);
	free(msg);
}

/* Recompute the hash at the end of *sp from its own prev and body. */
static void
reseal(char **sp, const char *key)
{
	char prev[65], hex[65];
	unsigned char h[32];
	size_t len = strlen(*sp);

	field_hex(*sp, "prev", prev);
	scheme_hash(key, prev, *sp, len - 1 - TAIL_LEN, h);
	hexenc(h, 32, hex);
	memcpy(*sp + len - 1 - TAIL_LEN + 9, hex, 64);
}

/* Set the prev field of *sp to hex. */
static void
set_prev(char **sp, const char *hex)
{
	char old[65];

	field_hex(*sp, "prev", old);
	memcpy(strstr(*sp, old), hex, 64);
}

/* Re-chain lines from index first on with plain SHA-256 (a forger). */
static void
rechain(struct lines *l, size_t first, const char *key)
{
	char hash[65];
	size_t i;

	for (i = first; i < l->n; i++) {
		if (i > 0) {
			field_hex(l->v[i - 1], "hash", hash);
			set_prev(&l->v[i], hash);
		}
		reseal(&l->v[i], key);
	}
}

/* ------------------------------------------------------------ records */

static void
append_one(const char *log, const char *key, int i, const struct za_log *lg)
{
	struct za_audit_record *rec = NULL;
	char target[64], before[64], after[64];
	const char *b[] = { before, NULL }, *a[] = { after, NULL };

	snprintf(target, sizeof(target), "uid=user%d,ou=people,dc=example", i);
	snprintf(before, sizeof(before), "old%d@example.jp", i);
	snprintf(after, sizeof(after), "new%d@example.jp", i);
	assert_int_equal(za_audit_record_new(&rec, "user.modify"), ZA_OK);
	assert_int_equal(za_audit_record_set_target(rec, target), ZA_OK);
	assert_int_equal(za_audit_record_set_operator(rec,
	    "uid=admin,ou=people,dc=example", "root", 0), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "mail", b, a), ZA_OK);
	assert_int_equal(za_audit_append(log, key, rec, lg), ZA_OK);
	za_audit_record_free(&rec);
	assert_null(rec);
}

static void
append_n(const char *log, const char *key, int n)
{
	int i;

	for (i = 1; i <= n; i++)
		append_one(log, key, i, NULL);
}

/* Verify path; expect the given problem at line (0: intact). */
static void
expect_verify(const char *path, const char *key, enum za_audit_problem p,
    uint64_t line, uint64_t records)
{
	struct za_audit_verify_result res;
	char want[32];
	int r;

	r = za_audit_verify_file(path, key, &res, NULL);
	if (p != res.problem || line != res.bad_line)
		print_error("verify: %s\n", res.message);
	assert_int_equal(res.problem, p);
	assert_int_equal(res.bad_line, line);
	assert_int_equal(res.records, records);
	assert_int_equal(r, p == ZA_AUDIT_INTACT ? ZA_OK : ZA_ERR_PARSE);
	if (p != ZA_AUDIT_INTACT) {
		snprintf(want, sizeof(want), "line %llu: ",
		    (unsigned long long)line);
		assert_non_null(strstr(res.message, want));
		assert_non_null(strstr(res.message, za_audit_problem_name(p)));
	}
}

/* ------------------------------------------------------------ fixture */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/za-audit.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->log, sizeof(f->log), "%s/audit.log", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/audit.key", f->dir);
	snprintf(f->key2, sizeof(f->key2), "%s/other.key", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

#define KEY1 "3b6f0e5c9d1a4f2e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
#define KEY2 "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

static void
make_keys(const struct fixture *f)
{
	write_file(f->key, KEY1 "\n", strlen(KEY1) + 1, 0600);
	write_file(f->key2, KEY2 "\n", strlen(KEY2) + 1, 0600);
}

/* ------------------------------------------------------------ tests */

static void
test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct captured cap;
	struct za_log lg = { capture_emit, &cap, 0 };
	struct za_audit_verify_result res, res2;
	struct lines l;
	struct stat st;
	char prev[65], hash[65], expect_prev[65], want[80];
	unsigned char h[32];
	json_object *o, *v, *op;
	char *buf;
	size_t i, len;

	memset(&cap, 0, sizeof(cap));
	for (i = 1; i <= 10; i++)
		append_one(f->log, NULL, (int)i, &lg);
	assert_int_equal(cap.count, 10);
	assert_int_equal(cap.priority, LOG_NOTICE);
	assert_non_null(strstr(cap.all, "seq=10 action=user.modify "
	    "target=uid=user10,ou=people,dc=example operator=root uid=0 "
	    "result=ok"));
	assert_null(strstr(cap.all, "@example.jp"));	/* values stay out */

	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(za_audit_verify_file(f->log, NULL, &res, NULL),
	    ZA_OK);
	assert_int_equal(res.problem, ZA_AUDIT_INTACT);
	assert_int_equal(res.records, 10);
	assert_int_equal(res.bad_line, 0);
	assert_int_equal(res.last_seq, 10);

	buf = slurp(f->log, &len);
	assert_int_equal(za_audit_verify_buffer(buf, len, NULL, &res2, NULL),
	    ZA_OK);
	assert_int_equal(res2.records, 10);
	assert_string_equal(res2.last_hash, res.last_hash);
	free(buf);

	/* Each line: the documented fields, and the documented chain. */
	lines_read(f->log, &l);
	assert_int_equal(l.n, 10);
	memset(expect_prev, '0', 64);
	expect_prev[64] = '\0';
	for (i = 0; i < l.n; i++) {
		len = strlen(l.v[i]);
		o = json_tokener_parse(l.v[i]);
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "seq", &v));
		assert_int_equal(json_object_get_int64(v), (int64_t)i + 1);
		assert_true(json_object_object_get_ex(o, "time", &v));
		/* YYYY-MM-DDTHH:MM:SS+hh:mm or ...Z */
		assert_true(json_object_get_string_len(v) == 25 ||
		    json_object_get_string_len(v) == 20);
		assert_int_equal(json_object_get_string(v)[10], 'T');
		assert_true(json_object_object_get_ex(o, "alg", &v));
		assert_string_equal(json_object_get_string(v), "sha256");
		assert_false(json_object_object_get_ex(o, "kid", NULL));
		assert_true(json_object_object_get_ex(o, "operator", &op));
		assert_true(json_object_object_get_ex(op, "dn", &v));
		assert_string_equal(json_object_get_string(v),
		    "uid=admin,ou=people,dc=example");
		assert_true(json_object_object_get_ex(op, "user", &v));
		assert_string_equal(json_object_get_string(v), "root");
		assert_true(json_object_object_get_ex(op, "uid", &v));
		assert_int_equal(json_object_get_int64(v), 0);
		assert_true(json_object_object_get_ex(o, "action", &v));
		assert_string_equal(json_object_get_string(v), "user.modify");
		assert_true(json_object_object_get_ex(o, "result", &v));
		assert_string_equal(json_object_get_string(v), "ok");
		assert_false(json_object_object_get_ex(o, "reason", NULL));
		assert_true(json_object_object_get_ex(o, "before", &v));
		assert_true(json_object_object_get_ex(v, "mail", &v));
		snprintf(want, sizeof(want), "old%zu@example.jp", i + 1);
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(v, 0)), want);
		assert_true(json_object_object_get_ex(o, "after", &v));
		assert_true(json_object_object_get_ex(v, "mail", &v));
		snprintf(want, sizeof(want), "new%zu@example.jp", i + 1);
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(v, 0)), want);
		json_object_put(o);

		field_hex(l.v[i], "prev", prev);
		field_hex(l.v[i], "hash", hash);
		assert_string_equal(prev, expect_prev);
		/* The line ends in the hash field, covering what precedes. */
		assert_int_equal(memcmp(l.v[i] + len - 1 - TAIL_LEN,
		    ",\"hash\":\"", 9), 0);
		scheme_hash(NULL, prev, l.v[i], len - 1 - TAIL_LEN, h);
		hexenc(h, 32, want);
		assert_string_equal(want, hash);
		memcpy(expect_prev, hash, 65);
	}
	assert_string_equal(res.last_hash, expect_prev);
	lines_free(&l);
}

static void
test_empty_and_missing(void **state)
{
	struct fixture *f = *state;
	struct za_audit_verify_result res;
	char link[320];

	write_file(f->log, "", 0, 0600);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 0);
	assert_int_equal(za_audit_verify_buffer(NULL, 0, NULL, &res, NULL),
	    ZA_OK);
	assert_int_equal(res.records, 0);
	assert_int_equal(za_audit_verify_file("/nonexistent/za/audit.log",
	    NULL, &res, NULL), ZA_ERR_IO);
	assert_int_equal(res.problem, ZA_AUDIT_INTACT);
	assert_true(res.message[0] != '\0');
	snprintf(link, sizeof(link), "%s/link.log", f->dir);
	assert_int_equal(symlink(f->log, link), 0);
	assert_int_equal(za_audit_verify_file(link, NULL, &res, NULL),
	    ZA_ERR_UNSAFE_FILE);
	/* An empty existing log starts the chain at seq 1. */
	append_n(f->log, NULL, 2);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 2);
}

static void
test_tamper_edit(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	str_replace(&l.v[4], "new5@example.jp", "evil@example.jp");
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_EDITED, 5, 4);
	/* Undo that and flip a result instead: found on its own line. */
	lines_free(&l);
	lines_read(f->log, &l);
	str_replace(&l.v[4], "evil@example.jp", "new5@example.jp");
	str_replace(&l.v[6], "\"result\":\"ok\"", "\"result\":\"error\"");
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_EDITED, 7, 6);
	lines_free(&l);
}

static void
test_tamper_rewritten(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	/* A record edited and its own hash recomputed (plain SHA-256):
	 * the next record's prev exposes it. */
	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	str_replace(&l.v[4], "new5@example.jp", "evil@example.jp");
	reseal(&l.v[4], NULL);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_EDITED, 5, 4);
	lines_free(&l);
}

static void
test_tamper_delete(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	lines_delete(&l, 4);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_DELETED, 5, 4);
	/* The head of the log cut away. */
	lines_delete(&l, 0);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_DELETED, 1, 0);
	lines_free(&l);
}

static void
test_tamper_insert(void **state)
{
	struct fixture *f = *state;
	struct lines l;
	char wrong[65], *forged;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	/* A forged seq 5 before the real one: self-consistent hash, but its
	 * prev is not record 4's hash. */
	forged = strdup(l.v[4]);
	assert_non_null(forged);
	str_replace(&forged, "uid=user5,", "uid=intruder,");
	field_hex(l.v[1], "hash", wrong);
	set_prev(&forged, wrong);
	reseal(&forged, NULL);
	lines_insert(&l, 4, forged);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_INSERTED, 5, 4);

	/* Same with a seq from further on: still an insertion, not a gap. */
	str_replace(&l.v[4], "\"seq\":5,", "\"seq\":42,");
	reseal(&l.v[4], NULL);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_INSERTED, 5, 4);

	/* A copy of an earlier record replayed at the end. */
	lines_delete(&l, 4);
	forged = strdup(l.v[2]);
	assert_non_null(forged);
	lines_insert(&l, l.n, forged);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_INSERTED, 11, 10);

	/* A forged next record at the end with the right seq, wrong prev. */
	lines_delete(&l, 10);
	forged = strdup(l.v[9]);
	assert_non_null(forged);
	str_replace(&forged, "\"seq\":10,", "\"seq\":11,");
	set_prev(&forged, wrong);
	reseal(&forged, NULL);
	lines_insert(&l, l.n, forged);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_INSERTED, 11, 10);
	lines_free(&l);
}

static void
test_tamper_swap(void **state)
{
	struct fixture *f = *state;
	struct lines l;
	char *t;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	t = l.v[3];
	l.v[3] = l.v[4];
	l.v[4] = t;
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_REORDERED, 4, 3);
	lines_free(&l);
}

static void
test_tamper_truncate(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	struct lines l;
	size_t i, off = 0;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	for (i = 0; i < 6; i++)
		off += strlen(l.v[i]);
	off += strlen(l.v[6]) / 2;
	assert_int_equal(truncate(f->log, (off_t)off), 0);
	expect_verify(f->log, NULL, ZA_AUDIT_TRUNCATED, 7, 6);
	/* The writer refuses to chain onto a broken tail. */
	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
	    ZA_ERR_PARSE);
	za_audit_record_free(&rec);
	lines_free(&l);
}

static void
test_tamper_garbage(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	struct lines l;
	char *big;
	size_t n = ZA_AUDIT_LINE_MAX + 10;

	append_n(f->log, NULL, 10);
	lines_read(f->log, &l);
	lines_insert(&l, l.n, strdup("garbage\n"));
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_MALFORMED, 11, 10);
	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
	    ZA_ERR_PARSE);

	/* An empty object, and a record with an unknown field. */
	free(l.v[10]);
	l.v[10] = strdup("{}\n");
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_MALFORMED, 11, 10);
	free(l.v[10]);
	l.v[10] = strdup(l.v[9]);
	str_replace(&l.v[10], "{\"v\":1,", "{\"v\":1,\"x\":1,");
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_MALFORMED, 11, 10);

	/* A line longer than the bound. */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n - 1] = '\n';
	big[n] = '\0';
	free(l.v[10]);
	l.v[10] = big;
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_MALFORMED, 11, 10);
	lines_free(&l);

	/* A too-long last line also stops the writer. */
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
	    ZA_ERR_PARSE);
	za_audit_record_free(&rec);
}

static void
test_hmac(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	struct lines l;
	char plain[320];
	char *s;

	make_keys(f);
	append_n(f->log, f->key, 10);
	expect_verify(f->log, f->key, ZA_AUDIT_INTACT, 0, 10);
	expect_verify(f->log, NULL, ZA_AUDIT_KEY_MISSING, 1, 0);
	expect_verify(f->log, f->key2, ZA_AUDIT_WRONG_KEY, 1, 0);
	s = slurp(f->log, NULL);
	assert_non_null(strstr(s, "\"alg\":\"hmac-sha256\",\"kid\":\""));
	assert_null(strstr(s, KEY1));
	free(s);

	/* The scheme: HMAC-SHA-256 keyed with the file's first line. */
	lines_read(f->log, &l);
	{
		char prev[65], hash[65], want[65];
		unsigned char h[32];
		size_t len = strlen(l.v[3]);

		field_hex(l.v[3], "prev", prev);
		field_hex(l.v[3], "hash", hash);
		scheme_hash(KEY1, prev, l.v[3], len - 1 - TAIL_LEN, h);
		hexenc(h, 32, want);
		assert_string_equal(want, hash);
	}

	/* A forger without the key edits record 5 and recomputes plain
	 * SHA-256 hashes from there on. */
	str_replace(&l.v[4], "new5@example.jp", "evil@example.jp");
	rechain(&l, 4, NULL);
	lines_write(f->log, &l);
	expect_verify(f->log, f->key, ZA_AUDIT_EDITED, 5, 4);

	/* ... or relabels the whole log as plain SHA-256: that passes
	 * without the key but not with it. */
	lines_free(&l);
	lines_read(f->log, &l);
	{
		size_t i;
		char kid[40];
		const char *at;

		for (i = 0; i < l.n; i++) {
			str_replace(&l.v[i], "\"alg\":\"hmac-sha256\"",
			    "\"alg\":\"sha256\"");
			at = strstr(l.v[i], ",\"kid\":\"");
			assert_non_null(at);
			snprintf(kid, sizeof(kid), "%.25s", at);
			str_replace(&l.v[i], kid, "");
		}
	}
	rechain(&l, 0, NULL);
	lines_write(f->log, &l);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 10);
	expect_verify(f->log, f->key, ZA_AUDIT_UNKEYED, 1, 0);
	lines_free(&l);

	/* One log, one mode, one key. */
	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);
	assert_int_equal(za_audit_append(f->log, f->key, rec, NULL),
	    ZA_ERR_CONFIG);
	snprintf(plain, sizeof(plain), "%s/keyed.log", f->dir);
	append_n(plain, f->key, 2);
	assert_int_equal(za_audit_append(plain, NULL, rec, NULL),
	    ZA_ERR_CONFIG);
	assert_int_equal(za_audit_append(plain, f->key2, rec, NULL),
	    ZA_ERR_CONFIG);
	assert_int_equal(za_audit_append(plain, f->key, rec, NULL), ZA_OK);
	expect_verify(plain, f->key, ZA_AUDIT_INTACT, 0, 3);
	za_audit_record_free(&rec);
}

static void
test_hmac_key_file(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	struct za_audit_verify_result res;

	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);
	/* Readable by group: refused. */
	write_file(f->key, KEY1 "\n", strlen(KEY1) + 1, 0640);
	assert_int_equal(za_audit_append(f->log, f->key, rec, NULL),
	    ZA_ERR_CONFIG);
	assert_int_equal(za_audit_verify_file(f->log, f->key, &res, NULL),
	    ZA_ERR_CONFIG);
	/* Too short to be a key. */
	write_file(f->key, "short\n", 6, 0600);
	assert_int_equal(za_audit_append(f->log, f->key, rec, NULL),
	    ZA_ERR_CONFIG);
	/* Missing. */
	assert_int_equal(za_audit_append(f->log, f->key2, rec, NULL),
	    ZA_ERR_CONFIG);
	/* Nothing was written by the refused attempts. */
	assert_int_equal(access(f->log, F_OK), -1);
	za_audit_record_free(&rec);
}

static void
test_redaction(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	struct captured cap;
	struct za_log lg = { capture_emit, &cap, 0 };
	const char *seed_old[] = { "JBSWY3DPEHPK3PXP", NULL };
	const char *seed_new[] = { "GEZDGNBVGY3TQOJQ", NULL };
	const char *pw_old[] = { "{SSHA}c2VjcmV0aGFzaA==", NULL };
	const char *pw_new[] = { "S3cret!Pass", "Second#Pass", NULL };
	const char *esc[] = { "sealed-escrow-blob", NULL };
	const char *hist[] = { "old-escrow-1", "old-escrow-2", NULL };
	const char *oid[] = { "oid-form-secret", NULL };
	const char *mail[] = { "taro@example.jp", NULL };
	json_object *o, *v, *a;
	char *s;

	assert_true(za_audit_attr_is_secret("userPassword"));
	assert_true(za_audit_attr_is_secret("USERPASSWORD"));
	assert_true(za_audit_attr_is_secret("userPassword;binary"));
	assert_true(za_audit_attr_is_secret("oathSecret"));
	assert_true(za_audit_attr_is_secret("zaPrivEscrow"));
	assert_true(za_audit_attr_is_secret("zaprivescrowhistory"));
	assert_true(za_audit_attr_is_secret("2.5.4.35"));
	assert_false(za_audit_attr_is_secret("mail"));
	assert_false(za_audit_attr_is_secret("userPasswordX"));
	assert_false(za_audit_attr_is_secret("oathSecretTime"));
	assert_false(za_audit_attr_is_secret(NULL));

	memset(&cap, 0, sizeof(cap));
	assert_int_equal(za_audit_record_new(&rec, "token.enrol"), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "oathSecret",
	    seed_old, seed_new), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "userPassword",
	    pw_old, pw_new), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "zaPrivEscrow",
	    NULL, esc), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec,
	    "zaPrivEscrowHistory", hist, NULL), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "2.5.4.35", NULL,
	    oid), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "mail", NULL, mail),
	    ZA_OK);
	assert_int_equal(za_audit_record_set_result(rec,
	    ZA_AUDIT_RESULT_OK, "enrolled"), ZA_OK);
	assert_int_equal(za_audit_append(f->log, NULL, rec, &lg), ZA_OK);
	za_audit_record_free(&rec);

	s = slurp(f->log, NULL);
	assert_null(strstr(s, "JBSWY3DPEHPK3PXP"));
	assert_null(strstr(s, "GEZDGNBVGY3TQOJQ"));
	assert_null(strstr(s, "c2VjcmV0aGFzaA"));
	assert_null(strstr(s, "S3cret!Pass"));
	assert_null(strstr(s, "Second#Pass"));
	assert_null(strstr(s, "sealed-escrow-blob"));
	assert_null(strstr(s, "old-escrow-"));
	assert_null(strstr(s, "oid-form-secret"));
	assert_null(strstr(cap.all, "S3cret"));
	assert_non_null(strstr(s, "taro@example.jp"));
	o = json_tokener_parse(s);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "after", &v));
	assert_true(json_object_object_get_ex(v, "userPassword", &a));
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(a, 1)), ZA_AUDIT_REDACTED);
	assert_true(json_object_object_get_ex(o, "before", &v));
	assert_true(json_object_object_get_ex(v, "zaPrivEscrow", &a));
	assert_int_equal(json_object_array_length(a), 0);
	json_object_put(o);
	free(s);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 1);
}

static void
test_unsafe_files(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	char path[400], sub[320], *before;
	size_t len1, len2;

	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);

	/* A symlink to a real log: refused, the target untouched. */
	append_n(f->log, NULL, 1);
	before = slurp(f->log, &len1);
	snprintf(path, sizeof(path), "%s/link.log", f->dir);
	assert_int_equal(symlink(f->log, path), 0);
	assert_int_equal(za_audit_append(path, NULL, rec, NULL),
	    ZA_ERR_UNSAFE_FILE);
	free(slurp(f->log, &len2));
	assert_int_equal(len1, len2);
	free(before);

	/* Group-writable, other-writable. */
	assert_int_equal(chmod(f->log, 0620), 0);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
	    ZA_ERR_UNSAFE_FILE);
	assert_int_equal(chmod(f->log, 0602), 0);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
	    ZA_ERR_UNSAFE_FILE);
	/* Readable by group is fine: the log holds no secrets. */
	assert_int_equal(chmod(f->log, 0640), 0);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL), ZA_OK);

	/* Not a regular file. */
	snprintf(path, sizeof(path), "%s/fifo.log", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(za_audit_append(path, NULL, rec, NULL),
	    ZA_ERR_UNSAFE_FILE);

	/* A directory others may write to (not sticky). */
	snprintf(sub, sizeof(sub), "%s/shared", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/audit.log", sub);
	assert_int_equal(za_audit_append(path, NULL, rec, NULL),
	    ZA_ERR_UNSAFE_FILE);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(chmod(sub, 01777), 0);		/* sticky: fine */
	assert_int_equal(za_audit_append(path, NULL, rec, NULL), ZA_OK);

	/* Owned by someone else. */
	if (geteuid() == 0) {
		assert_int_equal(chown(f->log, 65534, 65534), 0);
		assert_int_equal(za_audit_append(f->log, NULL, rec, NULL),
		    ZA_ERR_UNSAFE_FILE);
	} else
		print_message("other-owner case needs root to chown; "
		    "skipped\n");
	za_audit_record_free(&rec);
}

static void
test_concurrent(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec;
	struct lines l;
	pid_t pids[20];
	char target[64];
	int counts[20], child, i, status, bad;

	for (child = 0; child < 20; child++) {
		pids[child] = fork();
		assert_true(pids[child] >= 0);
		if (pids[child] != 0)
			continue;
		bad = 0;
		for (i = 0; i < 50; i++) {
			rec = NULL;
			snprintf(target, sizeof(target), "child%02d/%02d",
			    child, i);
			if (za_audit_record_new(&rec, "test.concurrent") !=
			    ZA_OK ||
			    za_audit_record_set_target(rec, target) != ZA_OK ||
			    za_audit_append(f->log, NULL, rec, NULL) != ZA_OK)
				bad++;
			za_audit_record_free(&rec);
		}
		_exit(bad == 0 ? 0 : 1);
	}
	for (child = 0; child < 20; child++) {
		assert_int_equal(waitpid(pids[child], &status, 0),
		    pids[child]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* Verify checks seq 1..1000 in order and the chain. */
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 1000);
	lines_read(f->log, &l);
	assert_int_equal(l.n, 1000);
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < 1000; i++) {
		const char *at = strstr(l.v[i], "\"target\":\"child");

		assert_non_null(at);
		child = atoi(at + strlen("\"target\":\"child"));
		assert_true(child >= 0 && child < 20);
		counts[child]++;
	}
	for (child = 0; child < 20; child++)
		assert_int_equal(counts[child], 50);
	lines_free(&l);
}

static void
test_japanese(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	const char *target = "uid=yamada,ou=人事課,dc=example,dc=jp";
	const char *reason = "異動のため無効化（人事発令 第１２３号）";
	const char *name_old[] = { "山田 太郎", NULL };
	const char *name_new[] = { "山田 太朗", NULL };
	const char cp932[] = { (char)0x8e, (char)0x52, (char)0x93, (char)0x63,
	    0 };
	json_object *o, *v;
	char *s;

	assert_int_equal(za_audit_record_new(&rec, "user.disable"), ZA_OK);
	assert_int_equal(za_audit_record_set_target(rec, target), ZA_OK);
	assert_int_equal(za_audit_record_set_result(rec,
	    ZA_AUDIT_RESULT_REFUSED, reason), ZA_OK);
	assert_int_equal(za_audit_record_set_operator(rec, NULL, "佐藤", 1001),
	    ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "cn", name_old,
	    name_new), ZA_OK);
	/* Shift_JIS bytes are not UTF-8: the caller must convert first. */
	assert_int_equal(za_audit_record_set_target(rec, cp932), ZA_ERR_ARG);
	assert_int_equal(za_audit_record_add_change(rec, "sn", NULL,
	    (const char *[]){ cp932, NULL }), ZA_ERR_ARG);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL), ZA_OK);
	za_audit_record_free(&rec);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 1);

	s = slurp(f->log, NULL);
	o = json_tokener_parse(s);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "target", &v));
	assert_string_equal(json_object_get_string(v), target);
	assert_true(json_object_object_get_ex(o, "reason", &v));
	assert_string_equal(json_object_get_string(v), reason);
	assert_true(json_object_object_get_ex(o, "result", &v));
	assert_string_equal(json_object_get_string(v), "refused");
	assert_true(json_object_object_get_ex(o, "operator", &v));
	assert_true(json_object_object_get_ex(v, "dn", &v));
	assert_null(v);		/* JSON null */
	assert_true(json_object_object_get_ex(o, "after", &v));
	assert_true(json_object_object_get_ex(v, "cn", &v));
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(v, 0)), "山田 太朗");
	assert_false(json_object_object_get_ex(v, "sn", NULL));
	json_object_put(o);
	free(s);
}

static void
test_fixed_time(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	char *s;

	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	assert_int_equal(za_audit_record_new(&rec, "login"), ZA_OK);
	/* 2026-11-24T00:00:00Z */
	za_audit_record_set_time(rec, (time_t)1795478400);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL), ZA_OK);
	za_audit_record_free(&rec);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	s = slurp(f->log, NULL);
	if (strstr(s, "+00:00") != NULL || strstr(s, "Z\",") != NULL)
		print_message("no Asia/Tokyo zone data; offset not checked\n");
	else
		assert_non_null(strstr(s,
		    "\"time\":\"2026-11-24T09:00:00+09:00\""));
	free(s);
}

static void
test_builder(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	char *big;
	const char *vals[2] = { NULL, NULL };

	(void)f;
	assert_int_equal(za_audit_record_new(NULL, "x"), ZA_ERR_ARG);
	assert_int_equal(za_audit_record_new(&rec, NULL), ZA_ERR_ARG);
	assert_int_equal(za_audit_record_new(&rec, ""), ZA_ERR_ARG);
	assert_int_equal(za_audit_record_new(&rec, "User Add"), ZA_ERR_ARG);
	assert_null(rec);
	za_audit_record_free(NULL);
	za_audit_record_free(&rec);

	assert_int_equal(za_audit_record_new(&rec, "user.add"), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "mail", NULL, NULL),
	    ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "mail", NULL, NULL),
	    ZA_ERR_EXISTS);
	assert_int_equal(za_audit_record_add_change(rec, "ma il", NULL, NULL),
	    ZA_ERR_ARG);
	assert_int_equal(za_audit_record_add_change(rec, "", NULL, NULL),
	    ZA_ERR_ARG);
	assert_int_equal(za_audit_record_set_result(rec,
	    (enum za_audit_result)7, NULL), ZA_ERR_ARG);
	big = malloc(ZA_AUDIT_FIELD_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', ZA_AUDIT_FIELD_MAX + 1);
	big[ZA_AUDIT_FIELD_MAX + 1] = '\0';
	assert_int_equal(za_audit_record_set_target(rec, big),
	    ZA_ERR_TOO_LARGE);
	vals[0] = big;
	assert_int_equal(za_audit_record_add_change(rec, "description", NULL,
	    vals), ZA_ERR_TOO_LARGE);
	/* A secret is never read, so its size does not matter. */
	assert_int_equal(za_audit_record_add_change(rec, "userPassword", NULL,
	    vals), ZA_OK);
	big[ZA_AUDIT_FIELD_MAX] = '\0';
	assert_int_equal(za_audit_record_set_target(rec, big), ZA_OK);
	assert_int_equal(za_audit_record_set_target(rec, NULL), ZA_OK);
	free(big);
	assert_int_equal(za_audit_append(NULL, NULL, rec, NULL), ZA_ERR_ARG);
	assert_int_equal(za_audit_append(f->log, NULL, NULL, NULL),
	    ZA_ERR_ARG);
	za_audit_record_free(&rec);
	assert_null(rec);
}

static void
test_oversized(void **state)
{
	struct fixture *f = *state;
	struct za_audit_record *rec = NULL;
	const char **vals;
	char (*store)[48];
	char *s;
	size_t i, n = 2000, len;

	vals = calloc(n + 1, sizeof(*vals));
	store = calloc(n, sizeof(*store));
	assert_non_null(vals);
	assert_non_null(store);
	for (i = 0; i < n; i++) {
		snprintf(store[i], sizeof(store[i]),
		    "uid=member%04zu,ou=people,dc=example", i);
		vals[i] = store[i];
	}
	assert_int_equal(za_audit_record_new(&rec, "group.modify"), ZA_OK);
	assert_int_equal(za_audit_record_add_change(rec, "member", NULL, vals),
	    ZA_OK);
	assert_int_equal(za_audit_append(f->log, NULL, rec, NULL), ZA_OK);
	za_audit_record_free(&rec);
	s = slurp(f->log, &len);
	assert_true(len <= ZA_AUDIT_LINE_MAX);
	assert_non_null(strstr(s, "\"after\":{\"member\":"
	    "[\"<2000 values omitted>\"]}"));
	assert_non_null(strstr(s, "\"omitted\":true"));
	assert_null(strstr(s, "member0001"));
	free(s);
	expect_verify(f->log, NULL, ZA_AUDIT_INTACT, 0, 1);
	free(vals);
	free(store);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_edit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_rewritten, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_insert, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_swap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_truncate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tamper_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hmac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hmac_key_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_redaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_japanese, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fixed_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_builder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
