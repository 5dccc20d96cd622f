/*
 * The softfido state file: PIN, retry counters and credentials, shared by
 * every process that opens the device.  A versioned text format, one
 * record per line, every variable field hex-encoded:
 *
 *	softfido-state 1
 *	pin <32 hex digits>|-
 *	pin_retries <n>
 *	uv_retries <n>
 *	next_serial <n>
 *	cred <serial> <alg> <rk> <protect> <counter> <id> <key> <rpid> <uid> <name> <display>
 *	end
 *
 * Readers and writers hold flock on "<state>.lock" (the state file itself
 * is replaced by rename, so it cannot carry the lock); writes go to an
 * O_EXCL temporary file that is fsync'ed and renamed over the state.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sf_int.h"

#define STATE_MAGIC	"softfido-state 1"
#define STATE_MAX	(4 * 1024 * 1024)
#define LINE_MAX_LEN	4096

int
sf_state_lock(const struct sf_conf *conf, bool exclusive)
{
	char path[PATH_MAX];
	int fd = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s.lock", conf->state_path)
	    >= sizeof(path))
		goto fail;
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0600)) < 0)
		goto fail;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			goto fail;
	return fd;
fail:
	fprintf(stderr, "softfido: cannot lock %s.lock: %s\n",
	    conf->state_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void
sf_state_unlock(int *fd)
{
	if (*fd >= 0) {
		(void)flock(*fd, LOCK_UN);
		close(*fd);
	}
	*fd = -1;
}

void
sf_state_clear(struct sf_state *st)
{
	if (st->creds != NULL) {
		explicit_bzero(st->creds, st->ncreds * sizeof(*st->creds));
		free(st->creds);
	}
	explicit_bzero(st, sizeof(*st));
}

struct sf_cred *
sf_state_add(struct sf_state *st)
{
	struct sf_cred *n;

	if (st->ncreds >= SF_MAX_CREDS)
		return NULL;
	/* Always a fresh array, so no key material is left behind by
	 * realloc moving the old one. */
	if ((n = calloc(st->ncreds + 1, sizeof(*n))) == NULL)
		return NULL;
	if (st->ncreds > 0)
		memcpy(n, st->creds, st->ncreds * sizeof(*n));
	if (st->creds != NULL) {
		explicit_bzero(st->creds, st->ncreds * sizeof(*st->creds));
		free(st->creds);
	}
	st->creds = n;
	return &st->creds[st->ncreds++];
}

void
sf_state_remove(struct sf_state *st, size_t i)
{
	if (i >= st->ncreds)
		return;
	memmove(&st->creds[i], &st->creds[i + 1],
	    (st->ncreds - i - 1) * sizeof(*st->creds));
	st->ncreds--;
	explicit_bzero(&st->creds[st->ncreds], sizeof(*st->creds));
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode hex (or "-" for empty) into dst of at most cap bytes. */
static int
unhex(const char *s, uint8_t *dst, size_t cap, size_t *outlen)
{
	size_t n, i;
	int hi, lo;

	if (strcmp(s, "-") == 0) {
		*outlen = 0;
		return 0;
	}
	n = strlen(s);
	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if ((hi = hexval(s[2 * i])) < 0 ||
		    (lo = hexval(s[2 * i + 1])) < 0)
			return -1;
		dst[i] = (uint8_t)((hi << 4) | lo);
	}
	*outlen = n / 2;
	return 0;
}

/* Decode a hex string field into a NUL-terminated string. */
static int
unhex_str(const char *s, char *dst, size_t cap)
{
	size_t n;

	if (cap == 0 || unhex(s, (uint8_t *)dst, cap - 1, &n) < 0 ||
	    memchr(dst, '\0', n) != NULL)
		return -1;
	dst[n] = '\0';
	return 0;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*v = x;
	return 0;
}

static int
parse_cred(char **f, size_t nf, struct sf_state *st)
{
	struct sf_cred *c;
	uint64_t serial, rk, prot, counter;
	int64_t alg;
	size_t n;

	if (nf != 12 || parse_u64(f[1], UINT64_MAX - 1, &serial) < 0 ||
	    (strcmp(f[2], "-7") != 0 && strcmp(f[2], "-8") != 0) ||
	    parse_u64(f[3], 1, &rk) < 0 || parse_u64(f[4], 3, &prot) < 0 ||
	    parse_u64(f[5], UINT32_MAX, &counter) < 0)
		return -1;
	alg = strcmp(f[2], "-7") == 0 ? SF_COSE_ES256 : SF_COSE_EDDSA;
	if ((c = sf_state_add(st)) == NULL)
		return -1;
	c->serial = serial;
	c->alg = (int)alg;
	c->rk = rk == 1;
	c->cred_protect = (uint8_t)prot;
	c->counter = (uint32_t)counter;
	if (unhex(f[6], c->id, sizeof(c->id), &n) < 0 || n != SF_CREDID_LEN ||
	    unhex(f[7], c->key, sizeof(c->key), &c->key_len) < 0 ||
	    c->key_len == 0 ||
	    unhex_str(f[8], c->rpid, sizeof(c->rpid)) < 0 ||
	    c->rpid[0] == '\0' ||
	    unhex(f[9], c->user_id, sizeof(c->user_id), &c->user_id_len) < 0 ||
	    unhex_str(f[10], c->user_name, sizeof(c->user_name)) < 0 ||
	    unhex_str(f[11], c->display_name, sizeof(c->display_name)) < 0)
		return -1;
	if (serial >= st->next_serial)
		st->next_serial = serial + 1;
	return 0;
}

/* Split line in place on single spaces; returns the number of fields. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line, *sp;

	while (n < max) {
		f[n++] = p;
		if ((sp = strchr(p, ' ')) == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return n;
}

static int
parse_state(char *text, struct sf_state *st)
{
	char *line, *save = NULL, *f[13];
	size_t nf, lineno = 0;
	uint64_t v;
	bool ended = false, have_pin = false;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (ended || strlen(line) > LINE_MAX_LEN)
			return -1;
		if (lineno++ == 0) {
			if (strcmp(line, STATE_MAGIC) != 0)
				return -1;
			continue;
		}
		nf = split(line, f, 13);
		if (strcmp(f[0], "end") == 0 && nf == 1) {
			ended = true;
		} else if (strcmp(f[0], "pin") == 0 && nf == 2 && !have_pin) {
			have_pin = true;
			if (strcmp(f[1], "-") == 0) {
				st->pin_set = false;
			} else if (unhex(f[1], st->pin_hash,
			    sizeof(st->pin_hash), &v) == 0 && v == 16) {
				st->pin_set = true;
			} else
				return -1;
		} else if (strcmp(f[0], "pin_retries") == 0 && nf == 2 &&
		    parse_u64(f[1], SF_PIN_RETRIES, &v) == 0) {
			st->pin_retries = (unsigned)v;
		} else if (strcmp(f[0], "uv_retries") == 0 && nf == 2 &&
		    parse_u64(f[1], SF_UV_RETRIES, &v) == 0) {
			st->uv_retries = (unsigned)v;
		} else if (strcmp(f[0], "next_serial") == 0 && nf == 2 &&
		    parse_u64(f[1], UINT64_MAX, &v) == 0) {
			if (v > st->next_serial)
				st->next_serial = v;
		} else if (strcmp(f[0], "cred") == 0) {
			if (parse_cred(f, nf, st) < 0)
				return -1;
		} else
			return -1;
	}
	return ended && have_pin ? 0 : -1;
}

static void
fresh_state(const struct sf_conf *conf, struct sf_state *st)
{
	uint8_t h[32];

	memset(st, 0, sizeof(*st));
	st->pin_retries = SF_PIN_RETRIES;
	st->uv_retries = SF_UV_RETRIES;
	st->next_serial = 1;
	if (conf->have_initial_pin) {
		if (sf_sha256(conf->initial_pin, strlen(conf->initial_pin),
		    h) == 0) {
			memcpy(st->pin_hash, h, sizeof(st->pin_hash));
			st->pin_set = true;
		}
		explicit_bzero(h, sizeof(h));
	}
}

int
sf_state_load(const struct sf_conf *conf, struct sf_state *st)
{
	struct stat sb;
	char *text = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = -1, r = -1;

	memset(st, 0, sizeof(*st));
	if ((fd = open(conf->state_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY)) < 0) {
		if (errno == ENOENT) {
			fresh_state(conf, st);
			r = 0;
		} else
			fprintf(stderr, "softfido: %s: %s\n", conf->state_path,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > STATE_MAX) {
		fprintf(stderr, "softfido: %s: not a regular file of at most "
		    "%d bytes\n", conf->state_path, STATE_MAX);
		goto out;
	}
	if ((text = calloc(1, (size_t)sb.st_size + 1)) == NULL)
		goto out;
	while (got < (size_t)sb.st_size) {
		n = read(fd, text + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	st->pin_retries = SF_PIN_RETRIES;
	st->uv_retries = SF_UV_RETRIES;
	st->next_serial = 1;
	if (memchr(text, '\0', got) != NULL || parse_state(text, st) < 0) {
		fprintf(stderr, "softfido: %s: malformed state file\n",
		    conf->state_path);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		sf_state_clear(st);
	if (text != NULL) {
		explicit_bzero(text, got);
		free(text);
	}
	if (fd >= 0)
		close(fd);
	return r;
}

static void
put_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void
put_hex_str(FILE *f, const char *s)
{
	put_hex(f, (const uint8_t *)s, strlen(s));
}

static void
write_state(FILE *f, const struct sf_state *st)
{
	const struct sf_cred *c;
	size_t i;

	fprintf(f, "%s\npin ", STATE_MAGIC);
	if (st->pin_set)
		put_hex(f, st->pin_hash, sizeof(st->pin_hash));
	else
		fputc('-', f);
	fprintf(f, "\npin_retries %u\nuv_retries %u\nnext_serial %" PRIu64
	    "\n", st->pin_retries, st->uv_retries, st->next_serial);
	for (i = 0; i < st->ncreds; i++) {
		c = &st->creds[i];
		fprintf(f, "cred %" PRIu64 " %d %d %u %" PRIu32 " ", c->serial,
		    c->alg, c->rk ? 1 : 0, (unsigned)c->cred_protect,
		    c->counter);
		put_hex(f, c->id, sizeof(c->id));
		fputc(' ', f);
		put_hex(f, c->key, c->key_len);
		fputc(' ', f);
		put_hex_str(f, c->rpid);
		fputc(' ', f);
		put_hex(f, c->user_id, c->user_id_len);
		fputc(' ', f);
		put_hex_str(f, c->user_name);
		fputc(' ', f);
		put_hex_str(f, c->display_name);
		fputc('\n', f);
	}
	fputs("end\n", f);
}

int
sf_state_save(const struct sf_conf *conf, const struct sf_state *st)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd = -1, r = -1;
	bool created = false;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", conf->state_path)
	    >= sizeof(tmp))
		goto out;
	/* mkstemp opens with O_EXCL and mode 0600. */
	if ((fd = mkstemp(tmp)) < 0)
		goto out;
	created = true;
	if ((f = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	write_state(f, st);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, conf->state_path) < 0)
		goto out;
	created = false;
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "softfido: cannot write %s: %s\n",
		    conf->state_path, strerror(errno));
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp);
	return r;
}
