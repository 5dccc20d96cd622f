/* The hash-chained audit log: records, append and verify (see za_audit.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "za_audit.h"
#include "za_codec.h"
#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

#define HASH_LEN	32
#define TAIL_OPEN	",\"hash\":\""
#define TAIL_OPEN_LEN	(sizeof(TAIL_OPEN) - 1)
#define TAIL_LEN	(TAIL_OPEN_LEN + ZA_AUDIT_HASH_HEX + 2)	/* ...hex"} */
#define KID_BYTES	8
#define KID_HEX		(2 * KID_BYTES)
#define KID_LABEL	"zoneauth-audit-kid-v1"
#define KEY_MIN		32
#define KEY_FILE_MAX	4096
#define ATTR_MAX	128
#define JSON_DEPTH	8
#define LOCK_WAIT_MS	10000
#define OPEN_TRIES	5
#define SUMMARY_MAX	200

struct za_audit_record {
	char *action;
	char *target;
	char *reason;
	char *op_dn;
	char *op_user;
	uid_t op_uid;
	enum za_audit_result result;
	time_t when;
	int have_when;
	json_object *before;	/* attr -> array of strings, or NULL */
	json_object *after;	/* same keys as before */
};

/* How records are hashed: plain SHA-256 or HMAC with a loaded key. */
struct audit_key {
	int hmac;
	char *buf;		/* key file contents; wiped on free */
	size_t bufsz;		/* allocation size of buf */
	size_t keylen;		/* key bytes at buf */
	EVP_MAC *mac;
	char kid[KID_HEX + 1];
};

/* The parts of one line that chaining needs. */
struct audit_line {
	int64_t seq;
	int hmac;
	char kid[KID_HEX + 1];
	unsigned char prev[HASH_LEN];
	unsigned char hash[HASH_LEN];
};

/* Streams lines from a descriptor (bounded buffer) or a memory buffer. */
struct line_reader {
	int fd;			/* -1: read from mem */
	const char *mem;
	size_t memlen;
	size_t mempos;
	uint64_t left;		/* fd: bytes still to read */
	char *buf;		/* fd: ZA_AUDIT_LINE_MAX bytes */
	size_t start;
	size_t end;
};

#define READER_EOF	1

static const char *const secret_attrs[] = {
	ZA_AT_USER_PASSWORD,
	ZA_AT_OATH_SECRET,
	ZA_AT_PRIV_ESCROW,
	ZA_AT_PRIV_ESCROW_HIST,
};

static const char *const result_names[] = {
	[ZA_AUDIT_RESULT_OK] = "ok",
	[ZA_AUDIT_RESULT_REFUSED] = "refused",
	[ZA_AUDIT_RESULT_ERROR] = "error",
};

/* ------------------------------------------------------------ helpers */

/* Return 1 if the n bytes at s are well-formed UTF-8 (RFC 3629). */
static int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			need = 1;
			cp = p[i] & 0x1fu;
			min = 0x80;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			cp = p[i] & 0x0fu;
			min = 0x800;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			cp = p[i] & 0x07u;
			min = 0x10000;
		} else
			return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Copy a UTF-8 field of at most ZA_AUDIT_FIELD_MAX bytes (NULL: none). */
static int
field_dup(const char *s, char **out)
{
	size_t n;

	*out = NULL;
	if (s == NULL)
		return ZA_OK;
	n = strlen(s);
	if (n > ZA_AUDIT_FIELD_MAX)
		return ZA_ERR_TOO_LARGE;
	if (!utf8_valid(s, n))
		return ZA_ERR_ARG;
	if ((*out = strdup(s)) == NULL)
		return ZA_ERR_NOMEM;
	return ZA_OK;
}

/*
 * Is the JSON string v exactly 2 * n lowercase hex digits?  Decode it.
 * ZA_OK or ZA_ERR_PARSE.
 */
static int
json_hex(json_object *v, unsigned char *out, size_t n)
{
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) != 2 * n)
		return ZA_ERR_PARSE;
	return za_hex_decode(json_object_get_string(v), n, 1, out);
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* flock(op) waiting at most LOCK_WAIT_MS: ZA_OK, ZA_ERR_TIMEOUT, ZA_ERR_IO. */
static int
lock_bounded(int fd, int op)
{
	struct timespec nap;
	int64_t deadline = now_ms() + LOCK_WAIT_MS;
	long ms = 1;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return ZA_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return ZA_ERR_IO;
		if (now_ms() >= deadline)
			return ZA_ERR_TIMEOUT;
		nap.tv_sec = 0;
		nap.tv_nsec = ms * 1000000L;
		(void)nanosleep(&nap, NULL);
		if (ms < 16)
			ms *= 2;
	}
}

/* Copy s for a log line: at most SUMMARY_MAX bytes, controls as '?'. */
static void
summary_str(const char *s, char *out, size_t outsz)
{
	size_t i;

	if (s == NULL)
		s = "-";
	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7f) ? '?' : s[i];
	}
	out[i] = '\0';
}

/* ------------------------------------------------------------ keys */

static void
key_clear(struct audit_key *k)
{
	if (k->buf != NULL)
		za_freezero(k->buf, k->bufsz);
	EVP_MAC_free(k->mac);
	za_wipe(k, sizeof(*k));
}

/* out = MAC over the concatenation of a (an bytes) and b (bn bytes). */
static int
key_digest(const struct audit_key *k, const void *a, size_t an,
    const void *b, size_t bn, unsigned char out[HASH_LEN])
{
	EVP_MD_CTX *md = NULL;
	EVP_MAC_CTX *mc = NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	unsigned int mdlen = 0;
	size_t maclen = 0;
	int r = ZA_ERR_CRYPTO;

	if (!k->hmac) {
		if ((md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(md, a, an) != 1 ||
		    EVP_DigestUpdate(md, b, bn) != 1 ||
		    EVP_DigestFinal_ex(md, out, &mdlen) != 1 ||
		    mdlen != HASH_LEN)
			goto out;
	} else {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((mc = EVP_MAC_CTX_new(k->mac)) == NULL ||
		    EVP_MAC_init(mc, (const unsigned char *)k->buf, k->keylen,
		    params) != 1 ||
		    EVP_MAC_update(mc, a, an) != 1 ||
		    EVP_MAC_update(mc, b, bn) != 1 ||
		    EVP_MAC_final(mc, out, &maclen, HASH_LEN) != 1 ||
		    maclen != HASH_LEN)
			goto out;
	}
	r = ZA_OK;
out:
	EVP_MD_CTX_free(md);
	EVP_MAC_CTX_free(mc);
	return r;
}

/* Load the key from path, or select plain SHA-256 if path is NULL. */
static int
key_load(const char *path, struct audit_key *k, const struct za_log *lg)
{
	struct za_file_policy pol = { geteuid(), 1, KEY_FILE_MAX };
	unsigned char id[HASH_LEN];
	size_t len = 0;
	int r;

	memset(k, 0, sizeof(*k));
	if (path == NULL)
		return ZA_OK;
	k->hmac = 1;
	r = za_file_read_checked(path, &pol, lg, &k->buf, &len);
	if (r != ZA_OK) {
		if (r != ZA_ERR_NOMEM)
			r = ZA_ERR_CONFIG;
		goto out;
	}
	k->bufsz = len + 1;
	while (len > 0 && (k->buf[len - 1] == '\n' || k->buf[len - 1] == '\r'))
		len--;
	k->keylen = len;
	if (len < KEY_MIN) {
		za_error(lg, "%s: audit HMAC key shorter than %d bytes", path,
		    KEY_MIN);
		r = ZA_ERR_CONFIG;
		goto out;
	}
	if ((k->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		r = ZA_ERR_CRYPTO;
		goto out;
	}
	if ((r = key_digest(k, KID_LABEL, strlen(KID_LABEL), "", 0, id)) !=
	    ZA_OK)
		goto out;
	za_hex_encode(id, KID_BYTES, k->kid);
	r = ZA_OK;
out:
	za_wipe(id, sizeof(id));
	if (r != ZA_OK)
		key_clear(k);
	return r;
}

/* ------------------------------------------------------------ records */

int
za_audit_attr_is_secret(const char *attr)
{
	size_t base, i;

	if (attr == NULL)
		return 0;
	/* A numeric OID could name any attribute: treat it as secret. */
	if (attr[0] >= '0' && attr[0] <= '9')
		return 1;
	base = strcspn(attr, ";");
	for (i = 0; i < sizeof(secret_attrs) / sizeof(secret_attrs[0]); i++)
		if (strlen(secret_attrs[i]) == base &&
		    strncasecmp(attr, secret_attrs[i], base) == 0)
			return 1;
	return 0;
}

int
za_audit_record_new(struct za_audit_record **recp, const char *action)
{
	struct za_audit_record *rec = NULL;
	size_t i, n;
	int r;

	if (recp == NULL)
		return ZA_ERR_ARG;
	*recp = NULL;
	if (action == NULL || (n = strlen(action)) == 0 ||
	    n > ZA_AUDIT_FIELD_MAX) {
		r = ZA_ERR_ARG;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char c = action[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')) {
			r = ZA_ERR_ARG;
			goto out;
		}
	}
	if ((rec = calloc(1, sizeof(*rec))) == NULL ||
	    (rec->action = strdup(action)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	rec->op_uid = getuid();
	rec->result = ZA_AUDIT_RESULT_OK;
	*recp = rec;
	rec = NULL;
	r = ZA_OK;
out:
	za_audit_record_free(&rec);
	return r;
}

void
za_audit_record_free(struct za_audit_record **recp)
{
	struct za_audit_record *rec;

	if (recp == NULL || (rec = *recp) == NULL)
		return;
	free(rec->action);
	free(rec->target);
	free(rec->reason);
	free(rec->op_dn);
	free(rec->op_user);
	json_object_put(rec->before);
	json_object_put(rec->after);
	free(rec);
	*recp = NULL;
}

int
za_audit_record_set_target(struct za_audit_record *rec, const char *target)
{
	char *t;
	int r;

	if (rec == NULL)
		return ZA_ERR_ARG;
	if ((r = field_dup(target, &t)) != ZA_OK)
		return r;
	free(rec->target);
	rec->target = t;
	return ZA_OK;
}

int
za_audit_record_set_result(struct za_audit_record *rec,
    enum za_audit_result result, const char *reason)
{
	char *t;
	int r;

	if (rec == NULL || (result != ZA_AUDIT_RESULT_OK &&
	    result != ZA_AUDIT_RESULT_REFUSED &&
	    result != ZA_AUDIT_RESULT_ERROR))
		return ZA_ERR_ARG;
	if ((r = field_dup(reason, &t)) != ZA_OK)
		return r;
	free(rec->reason);
	rec->reason = t;
	rec->result = result;
	return ZA_OK;
}

int
za_audit_record_set_operator(struct za_audit_record *rec, const char *dn,
    const char *user, uid_t uid)
{
	char *d = NULL, *u = NULL;
	int r;

	if (rec == NULL)
		return ZA_ERR_ARG;
	if ((r = field_dup(dn, &d)) != ZA_OK ||
	    (r = field_dup(user, &u)) != ZA_OK)
		goto out;
	free(rec->op_dn);
	free(rec->op_user);
	rec->op_dn = d;
	rec->op_user = u;
	rec->op_uid = uid;
	d = u = NULL;
	r = ZA_OK;
out:
	free(d);
	free(u);
	return r;
}

void
za_audit_record_set_time(struct za_audit_record *rec, time_t t)
{
	if (rec == NULL)
		return;
	rec->when = t;
	rec->have_when = 1;
}

/* Add json value v under key to object o; on failure release v. */
static int
obj_put(json_object *o, const char *key, json_object *v)
{
	if (v == NULL)
		return ZA_ERR_NOMEM;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}

/* A string value, or JSON null for NULL. */
static int
obj_put_str(json_object *o, const char *key, const char *s)
{
	if (s == NULL)
		return json_object_object_add(o, key, NULL) == 0 ?
		    ZA_OK : ZA_ERR_NOMEM;
	return obj_put(o, key, json_object_new_string(s));
}

/* A JSON array of vals (NULL-terminated, may be NULL), or redacted. */
static int
values_array(const char *const *vals, int redact, json_object **out)
{
	json_object *a = NULL, *s;
	size_t i, n;
	int r;

	*out = NULL;
	if ((a = json_object_new_array()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	for (i = 0; vals != NULL && vals[i] != NULL; i++) {
		if (!redact) {
			n = strlen(vals[i]);
			if (n > ZA_AUDIT_FIELD_MAX) {
				r = ZA_ERR_TOO_LARGE;
				goto out;
			}
			if (!utf8_valid(vals[i], n)) {
				r = ZA_ERR_ARG;
				goto out;
			}
		}
		s = json_object_new_string(redact ? ZA_AUDIT_REDACTED : vals[i]);
		if (s == NULL || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			r = ZA_ERR_NOMEM;
			goto out;
		}
	}
	*out = a;
	a = NULL;
	r = ZA_OK;
out:
	json_object_put(a);
	return r;
}

int
za_audit_record_add_change(struct za_audit_record *rec, const char *attr,
    const char *const *before, const char *const *after)
{
	json_object *b = NULL, *a = NULL;
	size_t i, n;
	int redact, r;

	if (rec == NULL || attr == NULL || (n = strlen(attr)) == 0 ||
	    n > ATTR_MAX) {
		r = ZA_ERR_ARG;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char c = attr[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == ';' ||
		    c == '-')) {
			r = ZA_ERR_ARG;
			goto out;
		}
	}
	redact = za_audit_attr_is_secret(attr);
	if (rec->before == NULL) {
		if ((rec->before = json_object_new_object()) == NULL ||
		    (rec->after = json_object_new_object()) == NULL) {
			json_object_put(rec->before);
			rec->before = NULL;
			r = ZA_ERR_NOMEM;
			goto out;
		}
	}
	if (json_object_object_get_ex(rec->before, attr, NULL)) {
		r = ZA_ERR_EXISTS;
		goto out;
	}
	if ((r = values_array(before, redact, &b)) != ZA_OK ||
	    (r = values_array(after, redact, &a)) != ZA_OK)
		goto out;
	if ((r = obj_put(rec->before, attr, b)) != ZA_OK) {
		b = NULL;
		goto out;
	}
	b = NULL;
	if ((r = obj_put(rec->after, attr, a)) != ZA_OK) {
		a = NULL;
		json_object_object_del(rec->before, attr);
		goto out;
	}
	a = NULL;
	r = ZA_OK;
out:
	json_object_put(b);
	json_object_put(a);
	return r;
}

/* For an oversized record: each value list becomes ["<N values omitted>"]. */
static int
changes_omitted(json_object *src, json_object **out)
{
	json_object *o = NULL, *a = NULL, *s;
	char note[64];
	size_t n;
	int r;

	*out = NULL;
	if ((o = json_object_new_object()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	json_object_object_foreach(src, key, val) {
		if ((a = json_object_new_array()) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		n = json_object_array_length(val);
		if (n > 0) {
			snprintf(note, sizeof(note), "<%zu values omitted>", n);
			s = json_object_new_string(note);
			if (s == NULL || json_object_array_add(a, s) != 0) {
				json_object_put(s);
				r = ZA_ERR_NOMEM;
				goto out;
			}
		}
		r = obj_put(o, key, a);
		a = NULL;
		if (r != ZA_OK)
			goto out;
	}
	*out = o;
	o = NULL;
	r = ZA_OK;
out:
	json_object_put(a);
	json_object_put(o);
	return r;
}

/*
 * Serialize rec as the complete JSON object without "hash", in the fixed
 * key order documented in za_audit.h.  *outp is malloc'ed.
 */
static int
record_json(const struct za_audit_record *rec, int64_t seq, const char *when,
    const struct audit_key *k, const char *prev_hex, int omit, char **outp,
    size_t *lenp)
{
	json_object *o = NULL, *op = NULL, *b = NULL, *a = NULL;
	const char *s;
	size_t len;
	int r;

	*outp = NULL;
	*lenp = 0;
	if ((o = json_object_new_object()) == NULL ||
	    (op = json_object_new_object()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if ((r = obj_put(o, "v", json_object_new_int(1))) != ZA_OK ||
	    (r = obj_put(o, "seq", json_object_new_int64(seq))) != ZA_OK ||
	    (r = obj_put_str(o, "time", when)) != ZA_OK ||
	    (r = obj_put_str(o, "alg", k->hmac ? "hmac-sha256" : "sha256")) !=
	    ZA_OK)
		goto out;
	if (k->hmac && (r = obj_put_str(o, "kid", k->kid)) != ZA_OK)
		goto out;
	if ((r = obj_put_str(o, "prev", prev_hex)) != ZA_OK ||
	    (r = obj_put_str(op, "dn", rec->op_dn)) != ZA_OK ||
	    (r = obj_put_str(op, "user", rec->op_user)) != ZA_OK ||
	    (r = obj_put(op, "uid",
	    json_object_new_int64((int64_t)rec->op_uid))) != ZA_OK)
		goto out;
	r = obj_put(o, "operator", op);
	op = NULL;
	if (r != ZA_OK ||
	    (r = obj_put_str(o, "action", rec->action)) != ZA_OK ||
	    (r = obj_put_str(o, "target", rec->target)) != ZA_OK ||
	    (r = obj_put_str(o, "result", result_names[rec->result])) != ZA_OK)
		goto out;
	if (rec->reason != NULL &&
	    (r = obj_put_str(o, "reason", rec->reason)) != ZA_OK)
		goto out;
	if (rec->before != NULL) {
		if (omit) {
			if ((r = changes_omitted(rec->before, &b)) != ZA_OK ||
			    (r = changes_omitted(rec->after, &a)) != ZA_OK)
				goto out;
		} else {
			b = json_object_get(rec->before);
			a = json_object_get(rec->after);
		}
		r = obj_put(o, "before", b);
		b = NULL;
		if (r != ZA_OK)
			goto out;
		r = obj_put(o, "after", a);
		a = NULL;
		if (r != ZA_OK)
			goto out;
	}
	if (omit && (r = obj_put(o, "omitted",
	    json_object_new_boolean(1))) != ZA_OK)
		goto out;
	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	len = strlen(s);
	if (len < 2 || s[0] != '{' || s[len - 1] != '}') {
		r = ZA_ERR_INTERNAL;
		goto out;
	}
	if ((*outp = strdup(s)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	*lenp = len;
	r = ZA_OK;
out:
	json_object_put(b);
	json_object_put(a);
	json_object_put(op);
	json_object_put(o);
	return r;
}

/*
 * Build the complete line (newline included) for rec chained to prev:
 * body = the JSON object without its closing brace; hash over prev||body.
 */
static int
record_line(const struct za_audit_record *rec, int64_t seq, const char *when,
    const struct audit_key *k, const unsigned char prev[HASH_LEN],
    char **linep, size_t *lenp, unsigned char hash[HASH_LEN])
{
	char prev_hex[ZA_AUDIT_HASH_HEX + 1], hash_hex[ZA_AUDIT_HASH_HEX + 1];
	char *json = NULL, *line = NULL;
	size_t jlen = 0, body, total;
	int omit, r = ZA_ERR_INTERNAL;

	*linep = NULL;
	*lenp = 0;
	za_hex_encode(prev, HASH_LEN, prev_hex);
	for (omit = 0; omit < 2; omit++) {
		free(json);
		json = NULL;
		r = record_json(rec, seq, when, k, prev_hex, omit, &json, &jlen);
		if (r != ZA_OK)
			goto out;
		if (jlen - 1 + TAIL_LEN + 1 <= ZA_AUDIT_LINE_MAX)
			break;
		r = ZA_ERR_TOO_LARGE;
	}
	if (r != ZA_OK)
		goto out;
	body = jlen - 1;
	total = body + TAIL_LEN + 1;
	if ((r = key_digest(k, prev, HASH_LEN, json, body, hash)) != ZA_OK)
		goto out;
	za_hex_encode(hash, HASH_LEN, hash_hex);
	if ((line = malloc(total + 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	memcpy(line, json, body);
	snprintf(line + body, total + 1 - body, "%s%s\"}\n", TAIL_OPEN,
	    hash_hex);
	*linep = line;
	*lenp = total;
	line = NULL;
	r = ZA_OK;
out:
	free(json);
	free(line);
	return r;
}

/* ------------------------------------------------------------ parsing */

static const char *const known_keys[] = {
	"v", "seq", "time", "alg", "kid", "prev", "operator", "action",
	"target", "result", "reason", "before", "after", "omitted", "hash",
};

static int
is_string_or_null(json_object *v)
{
	return v == NULL || json_object_is_type(v, json_type_string);
}

/* before/after: an object of arrays of strings. */
static int
changes_valid(json_object *c)
{
	size_t i, n;

	if (!json_object_is_type(c, json_type_object))
		return 0;
	json_object_object_foreach(c, key, val) {
		(void)key;
		if (!json_object_is_type(val, json_type_array))
			return 0;
		n = json_object_array_length(val);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(val,
			    i), json_type_string))
				return 0;
	}
	return 1;
}

/* Check the fields of a parsed record; fill out; NULL or a reason. */
static const char *
record_fields(json_object *o, const char *tail_hex, struct audit_line *out)
{
	json_object *v, *op;
	const char *s;
	size_t i, nk = sizeof(known_keys) / sizeof(known_keys[0]);
	int known;

	json_object_object_foreach(o, key, val) {
		(void)val;
		for (known = 0, i = 0; i < nk && !known; i++)
			known = strcmp(key, known_keys[i]) == 0;
		if (!known)
			return "unknown field";
	}
	if (!json_object_object_get_ex(o, "v", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != 1)
		return "missing or unsupported format version \"v\"";
	if (!json_object_object_get_ex(o, "seq", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (out->seq = json_object_get_int64(v)) < 1 || out->seq == INT64_MAX)
		return "bad \"seq\"";
	if (!json_object_object_get_ex(o, "time", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return "bad \"time\"";
	if (!json_object_object_get_ex(o, "alg", &v) ||
	    !json_object_is_type(v, json_type_string))
		return "bad \"alg\"";
	s = json_object_get_string(v);
	if (strcmp(s, "sha256") == 0)
		out->hmac = 0;
	else if (strcmp(s, "hmac-sha256") == 0)
		out->hmac = 1;
	else
		return "unknown \"alg\"";
	out->kid[0] = '\0';
	if (json_object_object_get_ex(o, "kid", &v)) {
		unsigned char kid[KID_BYTES];

		if (!out->hmac || json_hex(v, kid, KID_BYTES) != ZA_OK)
			return "bad \"kid\"";
		memcpy(out->kid, json_object_get_string(v), KID_HEX + 1);
	} else if (out->hmac)
		return "missing \"kid\"";
	if (!json_object_object_get_ex(o, "prev", &v) ||
	    json_hex(v, out->prev, HASH_LEN) != ZA_OK)
		return "bad \"prev\"";
	if (!json_object_object_get_ex(o, "operator", &op) ||
	    !json_object_is_type(op, json_type_object) ||
	    !json_object_object_get_ex(op, "uid", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    !json_object_object_get_ex(op, "dn", &v) || !is_string_or_null(v) ||
	    !json_object_object_get_ex(op, "user", &v) || !is_string_or_null(v) ||
	    json_object_object_length(op) != 3)
		return "bad \"operator\"";
	if (!json_object_object_get_ex(o, "action", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return "bad \"action\"";
	if (!json_object_object_get_ex(o, "target", &v) || !is_string_or_null(v))
		return "bad \"target\"";
	if (!json_object_object_get_ex(o, "result", &v) ||
	    !json_object_is_type(v, json_type_string))
		return "bad \"result\"";
	s = json_object_get_string(v);
	if (strcmp(s, "ok") != 0 && strcmp(s, "refused") != 0 &&
	    strcmp(s, "error") != 0)
		return "bad \"result\"";
	if (json_object_object_get_ex(o, "reason", &v) &&
	    !json_object_is_type(v, json_type_string))
		return "bad \"reason\"";
	if (json_object_object_get_ex(o, "before", &v) && !changes_valid(v))
		return "bad \"before\"";
	if (json_object_object_get_ex(o, "after", &v) && !changes_valid(v))
		return "bad \"after\"";
	if (json_object_object_get_ex(o, "omitted", &v) &&
	    !json_object_is_type(v, json_type_boolean))
		return "bad \"omitted\"";
	if (!json_object_object_get_ex(o, "hash", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), tail_hex) != 0)
		return "bad \"hash\"";
	return NULL;
}

/*
 * Parse one line (len bytes, newline excluded).  Returns ZA_OK or
 * ZA_ERR_PARSE with *why set.
 */
static int
line_parse(json_tokener *tok, const char *line, size_t len,
    struct audit_line *out, const char **why)
{
	json_object *o = NULL;
	char tail_hex[ZA_AUDIT_HASH_HEX + 1];
	const char *tail;
	int r = ZA_ERR_PARSE;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (len < TAIL_LEN + 2 || len >= ZA_AUDIT_LINE_MAX) {
		*why = "wrong length for a record";
		goto out;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL byte";
		goto out;
	}
	tail = line + len - TAIL_LEN;
	if (line[0] != '{' ||
	    memcmp(tail, TAIL_OPEN, TAIL_OPEN_LEN) != 0 ||
	    memcmp(tail + TAIL_LEN - 2, "\"}", 2) != 0 ||
	    za_hex_decode(tail + TAIL_OPEN_LEN, HASH_LEN, 1, out->hash) !=
	    ZA_OK) {
		*why = "does not end in a \"hash\" field";
		goto out;
	}
	memcpy(tail_hex, tail + TAIL_OPEN_LEN, ZA_AUDIT_HASH_HEX);
	tail_hex[ZA_AUDIT_HASH_HEX] = '\0';
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o == NULL) {
		*why = "not valid JSON";
		goto out;
	}
	if (json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		*why = "not one JSON object";
		goto out;
	}
	if ((*why = record_fields(o, tail_hex, out)) != NULL)
		goto out;
	r = ZA_OK;
out:
	json_object_put(o);
	return r;
}

/*
 * Parse a line and check it on its own: mode and key, and its hash over
 * its own prev and body.  Returns ZA_OK with *problem set (INTACT when the
 * line is good), or ZA_ERR_NOMEM / ZA_ERR_CRYPTO.
 */
static int
line_check(json_tokener *tok, const struct audit_key *k, const char *line,
    size_t len, struct audit_line *out, enum za_audit_problem *problem,
    const char **why)
{
	unsigned char calc[HASH_LEN];
	int r;

	*problem = ZA_AUDIT_INTACT;
	r = line_parse(tok, line, len, out, why);
	if (r == ZA_ERR_PARSE) {
		*problem = ZA_AUDIT_MALFORMED;
		return ZA_OK;
	}
	if (r != ZA_OK)
		return r;
	if (out->hmac && !k->hmac) {
		*problem = ZA_AUDIT_KEY_MISSING;
		*why = "record is HMAC'd but no key was given";
	} else if (!out->hmac && k->hmac) {
		*problem = ZA_AUDIT_UNKEYED;
		*why = "record is not HMAC'd but a key was given";
	} else if (k->hmac && strcmp(out->kid, k->kid) != 0) {
		*problem = ZA_AUDIT_WRONG_KEY;
		*why = "record was HMAC'd with another key";
	} else {
		r = key_digest(k, out->prev, HASH_LEN, line, len - TAIL_LEN,
		    calc);
		if (r != ZA_OK)
			return r;
		if (!za_ct_equal(calc, out->hash, HASH_LEN)) {
			*problem = ZA_AUDIT_EDITED;
			*why = "hash does not match the record's contents";
		}
	}
	return ZA_OK;
}

/* ------------------------------------------------------------ reading */

/*
 * Next line: *linep and *lenp (newline excluded), *nlp whether it ended in a
 * newline.  Returns ZA_OK, READER_EOF, ZA_ERR_TOO_LARGE or ZA_ERR_IO.
 */
static int
reader_next(struct line_reader *rd, const char **linep, size_t *lenp,
    int *nlp)
{
	const char *p, *nl;
	size_t rest, want;
	ssize_t n;

	if (rd->fd < 0) {
		rest = rd->memlen - rd->mempos;
		if (rest == 0)
			return READER_EOF;
		p = rd->mem + rd->mempos;
		nl = memchr(p, '\n',
		    rest < ZA_AUDIT_LINE_MAX ? rest : ZA_AUDIT_LINE_MAX);
		if (nl == NULL && rest >= ZA_AUDIT_LINE_MAX)
			return ZA_ERR_TOO_LARGE;
		*linep = p;
		*lenp = nl != NULL ? (size_t)(nl - p) : rest;
		*nlp = nl != NULL;
		rd->mempos += *lenp + (nl != NULL);
		return ZA_OK;
	}
	for (;;) {
		p = rd->buf + rd->start;
		nl = memchr(p, '\n', rd->end - rd->start);
		if (nl != NULL) {
			*linep = p;
			*lenp = (size_t)(nl - p);
			*nlp = 1;
			rd->start += *lenp + 1;
			return ZA_OK;
		}
		if (rd->end - rd->start >= ZA_AUDIT_LINE_MAX)
			return ZA_ERR_TOO_LARGE;
		if (rd->left == 0) {
			if (rd->end == rd->start)
				return READER_EOF;
			*linep = p;
			*lenp = rd->end - rd->start;
			*nlp = 0;
			rd->start = rd->end;
			return ZA_OK;
		}
		if (rd->start > 0) {
			memmove(rd->buf, p, rd->end - rd->start);
			rd->end -= rd->start;
			rd->start = 0;
		}
		want = ZA_AUDIT_LINE_MAX - rd->end;
		if (want > rd->left)
			want = (size_t)rd->left;
		n = read(rd->fd, rd->buf + rd->end, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ZA_ERR_IO;
		if (n == 0)
			rd->left = 0;
		else {
			rd->end += (size_t)n;
			rd->left -= (uint64_t)n;
		}
	}
}

/* ------------------------------------------------------------ verify */

const char *
za_audit_problem_name(enum za_audit_problem p)
{
	switch (p) {
	case ZA_AUDIT_INTACT:		return "intact";
	case ZA_AUDIT_EDITED:		return "edited";
	case ZA_AUDIT_DELETED:		return "deleted";
	case ZA_AUDIT_INSERTED:		return "inserted";
	case ZA_AUDIT_REORDERED:	return "reordered";
	case ZA_AUDIT_TRUNCATED:	return "truncated";
	case ZA_AUDIT_MALFORMED:	return "malformed";
	case ZA_AUDIT_WRONG_KEY:	return "wrong key";
	case ZA_AUDIT_KEY_MISSING:	return "key missing";
	case ZA_AUDIT_UNKEYED:		return "not HMAC'd";
	}
	return "unknown problem";
}

static void
set_problem(struct za_audit_verify_result *res, uint64_t line,
    enum za_audit_problem p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
set_problem(struct za_audit_verify_result *res, uint64_t line,
    enum za_audit_problem p, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	res->problem = p;
	res->bad_line = line;
	snprintf(res->message, sizeof(res->message), "line %" PRIu64 ": %s: %s",
	    line, za_audit_problem_name(p), detail);
}

/* Chain state of a verification. */
struct chain {
	uint64_t lineno;
	int64_t expect;			/* seq the next record must carry */
	unsigned char last[HASH_LEN];	/* hash of the last good record */
	unsigned char before_last[HASH_LEN];
};

/*
 * cur (at ch->lineno) does not continue the chain.  Say how, using the
 * following line (next, or NULL if absent or itself bad) to tell an
 * insertion from a deletion or a swap.
 */
static void
classify_break(const struct chain *ch, const struct audit_line *cur,
    const struct audit_line *next, struct za_audit_verify_result *res)
{
	int next_resumes = next != NULL && next->seq == ch->expect &&
	    memcmp(next->prev, ch->last, HASH_LEN) == 0;

	if (cur->seq > ch->expect) {
		if (next_resumes && memcmp(cur->prev, next->hash, HASH_LEN) == 0)
			set_problem(res, ch->lineno, ZA_AUDIT_REORDERED,
			    "seq %" PRId64 " comes before seq %" PRId64,
			    cur->seq, ch->expect);
		else if (next_resumes)
			set_problem(res, ch->lineno, ZA_AUDIT_INSERTED,
			    "seq %" PRId64 " does not belong to the chain",
			    cur->seq);
		else
			set_problem(res, ch->lineno, ZA_AUDIT_DELETED,
			    "expected seq %" PRId64 ", found %" PRId64
			    " (records missing)", ch->expect, cur->seq);
	} else if (cur->seq == ch->expect && !next_resumes && next != NULL &&
	    ch->lineno > 1 && next->seq == cur->seq + 1 &&
	    memcmp(next->prev, cur->hash, HASH_LEN) == 0) {
		/* The chain goes on from here: the line before was rewritten
		 * and its hash recomputed. */
		set_problem(res, ch->lineno - 1, ZA_AUDIT_EDITED,
		    "record rewritten: the next record's \"prev\" does not "
		    "match its hash");
		res->records--;
		res->last_seq--;
		if (res->records > 0)
			za_hex_encode(ch->before_last, HASH_LEN, res->last_hash);
		else
			res->last_hash[0] = '\0';
	} else if (cur->seq == ch->expect)
		set_problem(res, ch->lineno, ZA_AUDIT_INSERTED,
		    "seq %" PRId64 " does not chain to the previous record",
		    cur->seq);
	else
		set_problem(res, ch->lineno, ZA_AUDIT_INSERTED,
		    "seq %" PRId64 " repeats or goes back (expected %" PRId64 ")",
		    cur->seq, ch->expect);
}

static int
verify_stream(struct line_reader *rd, const struct audit_key *k,
    struct za_audit_verify_result *res)
{
	struct chain ch;
	struct audit_line cur, next;
	enum za_audit_problem p;
	json_tokener *tok = NULL;
	const char *line, *why;
	size_t len;
	int nl, r;

	memset(&ch, 0, sizeof(ch));
	ch.expect = 1;
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	for (;;) {
		r = reader_next(rd, &line, &len, &nl);
		if (r == READER_EOF)
			break;
		ch.lineno++;
		if (r == ZA_ERR_TOO_LARGE) {
			set_problem(res, ch.lineno, ZA_AUDIT_MALFORMED,
			    "longer than %d bytes", ZA_AUDIT_LINE_MAX);
			r = ZA_ERR_PARSE;
			goto out;
		}
		if (r != ZA_OK)
			goto out;
		if (!nl) {
			set_problem(res, ch.lineno, ZA_AUDIT_TRUNCATED,
			    "last line is incomplete (no newline)");
			r = ZA_ERR_PARSE;
			goto out;
		}
		if ((r = line_check(tok, k, line, len, &cur, &p, &why)) !=
		    ZA_OK)
			goto out;
		if (p != ZA_AUDIT_INTACT) {
			set_problem(res, ch.lineno, p, "%s", why);
			r = ZA_ERR_PARSE;
			goto out;
		}
		if (cur.seq == ch.expect &&
		    memcmp(cur.prev, ch.last, HASH_LEN) == 0) {
			memcpy(ch.before_last, ch.last, HASH_LEN);
			memcpy(ch.last, cur.hash, HASH_LEN);
			ch.expect++;
			res->records++;
			res->last_seq = cur.seq;
			za_hex_encode(cur.hash, HASH_LEN, res->last_hash);
			continue;
		}
		/* A break in the chain: look one line ahead to name it. */
		r = reader_next(rd, &line, &len, &nl);
		if (r == ZA_OK && nl) {
			if ((r = line_check(tok, k, line, len, &next, &p,
			    &why)) != ZA_OK)
				goto out;
		} else
			p = ZA_AUDIT_MALFORMED;
		classify_break(&ch, &cur, p == ZA_AUDIT_INTACT ? &next : NULL,
		    res);
		r = ZA_ERR_PARSE;
		goto out;
	}
	r = ZA_OK;
out:
	if (tok != NULL)	/* json-c 0.16 crashes on NULL */
		json_tokener_free(tok);
	return r;
}

static void
result_init(struct za_audit_verify_result *res)
{
	memset(res, 0, sizeof(*res));
}

/* Fill in res->message for a failure to check at all. */
static void
result_fail(struct za_audit_verify_result *res, int r, const char *what)
{
	uint64_t records = res->records;

	result_init(res);
	res->records = records;
	snprintf(res->message, sizeof(res->message), "%s: %s", what,
	    za_strerror(r));
}

int
za_audit_verify_buffer(const void *buf, size_t len,
    const char *hmac_key_file, struct za_audit_verify_result *res,
    const struct za_log *lg)
{
	struct line_reader rd;
	struct audit_key k;
	int r;

	memset(&k, 0, sizeof(k));
	if (res == NULL)
		return ZA_ERR_ARG;
	result_init(res);
	if (buf == NULL && len > 0) {
		r = ZA_ERR_ARG;
		result_fail(res, r, "verify");
		goto out;
	}
	if ((r = key_load(hmac_key_file, &k, lg)) != ZA_OK) {
		result_fail(res, r, "audit key");
		goto out;
	}
	memset(&rd, 0, sizeof(rd));
	rd.fd = -1;
	rd.mem = buf;
	rd.memlen = len;
	r = verify_stream(&rd, &k, res);
	if (r != ZA_OK && r != ZA_ERR_PARSE)
		result_fail(res, r, "verify");
out:
	key_clear(&k);
	return r;
}

int
za_audit_verify_file(const char *path, const char *hmac_key_file,
    struct za_audit_verify_result *res, const struct za_log *lg)
{
	struct line_reader rd;
	struct audit_key k;
	struct stat st;
	int fd = -1, r;

	memset(&k, 0, sizeof(k));
	memset(&rd, 0, sizeof(rd));
	if (res == NULL)
		return ZA_ERR_ARG;
	result_init(res);
	if (path == NULL) {
		r = ZA_ERR_ARG;
		result_fail(res, r, "verify");
		goto out;
	}
	if ((r = key_load(hmac_key_file, &k, lg)) != ZA_OK) {
		result_fail(res, r, "audit key");
		goto out;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = errno == ELOOP ? ZA_ERR_UNSAFE_FILE : ZA_ERR_IO;
		za_error(lg, "%s: %s", path, strerror(errno));
		result_fail(res, r, path);
		goto out;
	}
	/* Appenders hold the lock while writing: a size seen under a
	 * shared lock ends on a record boundary. */
	if ((r = lock_bounded(fd, LOCK_SH)) != ZA_OK) {
		za_error_r(lg, r, "%s: lock", path);
		result_fail(res, r, path);
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = ZA_ERR_UNSAFE_FILE;
		za_error(lg, "%s: not a regular file", path);
		result_fail(res, r, path);
		goto out;
	}
	(void)flock(fd, LOCK_UN);
	if ((rd.buf = malloc(ZA_AUDIT_LINE_MAX)) == NULL) {
		r = ZA_ERR_NOMEM;
		result_fail(res, r, path);
		goto out;
	}
	rd.fd = fd;
	rd.left = (uint64_t)st.st_size;
	r = verify_stream(&rd, &k, res);
	if (r != ZA_OK && r != ZA_ERR_PARSE) {
		za_error_r(lg, r, "%s: verify", path);
		result_fail(res, r, path);
	}
out:
	free(rd.buf);
	if (fd >= 0)
		close(fd);
	key_clear(&k);
	return r;
}

/* ------------------------------------------------------------ append */

/* Split path into its directory (opened) and last component. */
static int
open_parent(const char *path, int *dfdp, const char **basep,
    const struct za_log *lg)
{
	struct stat st;
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int dfd = -1, r;

	*dfdp = -1;
	*basep = slash != NULL ? slash + 1 : path;
	if (**basep == '\0' || strcmp(*basep, ".") == 0 ||
	    strcmp(*basep, "..") == 0) {
		za_error(lg, "%s: not a file name", path);
		r = ZA_ERR_ARG;
		goto out;
	}
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		za_error(lg, "%s: %s", dir, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (fstat(dfd, &st) != 0) {
		r = ZA_ERR_IO;
		goto out;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0)) {
		za_error(lg, "%s: directory owned by uid %lu, mode %04o: "
		    "others could replace the audit log", dir,
		    (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	*dfdp = dfd;
	dfd = -1;
	r = ZA_OK;
out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return r;
}

/* Open (or create) base in dfd for appending and check it. */
static int
open_log(const char *path, int dfd, const char *base, int *fdp,
    int *createdp, const struct za_log *lg)
{
	const int flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd = -1, tries, r;

	*fdp = -1;
	*createdp = 0;
	for (tries = 0; fd < 0 && tries < OPEN_TRIES; tries++) {
		if ((fd = openat(dfd, base, flags)) >= 0 || errno != ENOENT)
			break;
		fd = openat(dfd, base, flags | O_CREAT | O_EXCL, 0600);
		if (fd >= 0)
			*createdp = 1;
		else if (errno != EEXIST)
			break;
	}
	if (fd < 0) {
		za_error(lg, "%s: %s", path, strerror(errno));
		r = errno == ELOOP ? ZA_ERR_UNSAFE_FILE : ZA_ERR_IO;
		goto out;
	}
	if (*createdp && fchmod(fd, 0600) != 0) {
		r = ZA_ERR_IO;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		r = ZA_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		za_error(lg, "%s: unsafe audit log: %s, uid %lu, mode %04o "
		    "(need a regular file of uid %lu not writable by group "
		    "or others)", path, S_ISREG(st.st_mode) ? "file" :
		    "not a file", (unsigned long)st.st_uid,
		    (unsigned)(st.st_mode & 07777), (unsigned long)geteuid());
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	*fdp = fd;
	fd = -1;
	r = ZA_OK;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* Is fd still the file named base in dfd (not rotated away)? */
static int
still_linked(int dfd, const char *base, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) != 0 ||
	    fstatat(dfd, base, &b, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	return a.st_nlink > 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Read the last line of fd (size bytes, ending in a newline) into buf of
 * ZA_AUDIT_LINE_MAX bytes.  *linep is NULL for an empty file.
 */
static int
read_last_line(int fd, off_t size, char *buf, const char **linep,
    size_t *lenp)
{
	size_t w, got = 0;
	const char *nl;
	ssize_t n;

	*linep = NULL;
	*lenp = 0;
	if (size == 0)
		return ZA_OK;
	w = (uint64_t)size < ZA_AUDIT_LINE_MAX ? (size_t)size :
	    ZA_AUDIT_LINE_MAX;
	while (got < w) {
		n = pread(fd, buf + got, w - got, size - (off_t)w + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ZA_ERR_IO;
		got += (size_t)n;
	}
	if (buf[w - 1] != '\n')
		return ZA_ERR_PARSE;
	nl = w > 1 ? memrchr(buf, '\n', w - 1) : NULL;
	if (nl != NULL) {
		*linep = nl + 1;
		*lenp = (size_t)(buf + w - 1 - (nl + 1));
	} else if ((uint64_t)size == w) {
		*linep = buf;
		*lenp = w - 1;
	} else
		return ZA_ERR_PARSE;
	return ZA_OK;
}

/* Write the whole line with one write(2); on a short write cut it off. */
static int
write_line(int fd, off_t size, const char *line, size_t len)
{
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n == len)
		return ZA_OK;
	if (n > 0)
		(void)ftruncate(fd, size);
	return ZA_ERR_IO;
}

/* The syslog copy: who did what to whom, never values or reasons. */
static void
log_summary(const struct za_log *lg, const struct za_audit_record *rec,
    int64_t seq, const unsigned char hash[HASH_LEN])
{
	char target[SUMMARY_MAX], user[SUMMARY_MAX];
	char hex[ZA_AUDIT_HASH_HEX + 1];

	summary_str(rec->target, target, sizeof(target));
	summary_str(rec->op_user, user, sizeof(user));
	za_hex_encode(hash, HASH_LEN, hex);
	za_notice(lg, "audit seq=%" PRId64 " action=%s target=%s "
	    "operator=%s uid=%lu result=%s hash=%.16s", seq, rec->action,
	    target, user, (unsigned long)rec->op_uid,
	    result_names[rec->result], hex);
}

int
za_audit_append(const char *path, const char *hmac_key_file,
    const struct za_audit_record *rec, const struct za_log *lg)
{
	struct audit_key k;
	struct audit_line last;
	struct stat st;
	enum za_audit_problem p;
	json_tokener *tok = NULL;
	unsigned char prev[HASH_LEN], hash[HASH_LEN];
	char when[ZA_TIME_ISO_BUFSZ];
	char *buf = NULL, *line = NULL;
	const char *base = NULL, *lastline, *why = NULL;
	size_t lastlen, linelen = 0;
	int64_t seq;
	int dfd = -1, fd = -1, created = 0, tries, r;

	memset(&k, 0, sizeof(k));
	if (path == NULL || rec == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = key_load(hmac_key_file, &k, lg)) != ZA_OK) {
		za_error_r(lg, r, "audit HMAC key");
		goto out;
	}
	if ((r = za_time_format_iso_local(rec->have_when ? rec->when :
	    time(NULL), when, sizeof(when))) != ZA_OK)
		goto out;
	if ((buf = malloc(ZA_AUDIT_LINE_MAX)) == NULL ||
	    (tok = json_tokener_new_ex(JSON_DEPTH)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	if ((r = open_parent(path, &dfd, &base, lg)) != ZA_OK)
		goto out;
	/* Lock, then make sure the file was not rotated away meanwhile. */
	for (tries = 0; ; tries++) {
		if ((r = open_log(path, dfd, base, &fd, &created, lg)) != ZA_OK)
			goto out;
		if ((r = lock_bounded(fd, LOCK_EX)) != ZA_OK) {
			za_error_r(lg, r, "%s: lock", path);
			goto out;
		}
		if (still_linked(dfd, base, fd))
			break;
		close(fd);
		fd = -1;
		if (tries + 1 >= OPEN_TRIES) {
			za_error(lg, "%s: keeps being replaced", path);
			r = ZA_ERR_IO;
			goto out;
		}
	}
	if (fstat(fd, &st) != 0) {
		r = ZA_ERR_IO;
		goto out;
	}
	if ((r = read_last_line(fd, st.st_size, buf, &lastline, &lastlen)) !=
	    ZA_OK) {
		za_error_r(lg, r, "%s: last line incomplete or too long; "
		    "run audit verify", path);
		goto out;
	}
	if (lastline == NULL) {
		memset(prev, 0, sizeof(prev));
		seq = 1;
	} else {
		if ((r = line_check(tok, &k, lastline, lastlen, &last, &p,
		    &why)) != ZA_OK)
			goto out;
		if (p == ZA_AUDIT_KEY_MISSING || p == ZA_AUDIT_UNKEYED ||
		    p == ZA_AUDIT_WRONG_KEY) {
			za_error(lg, "%s: last record: %s; rotate the log to "
			    "change the audit key or mode", path, why);
			r = ZA_ERR_CONFIG;
			goto out;
		}
		if (p != ZA_AUDIT_INTACT) {
			za_error(lg, "%s: last record %s: %s; run audit verify",
			    path, za_audit_problem_name(p), why);
			r = ZA_ERR_PARSE;
			goto out;
		}
		memcpy(prev, last.hash, HASH_LEN);
		seq = last.seq + 1;
	}
	if ((r = record_line(rec, seq, when, &k, prev, &line, &linelen,
	    hash)) != ZA_OK) {
		za_error_r(lg, r, "%s: record", path);
		goto out;
	}
	if ((r = write_line(fd, st.st_size, line, linelen)) != ZA_OK) {
		za_error(lg, "%s: write: %s", path, strerror(errno));
		goto out;
	}
	if (fsync(fd) != 0 || (created && fsync(dfd) != 0)) {
		za_error(lg, "%s: fsync: %s", path, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	log_summary(lg, rec, seq, hash);
	r = ZA_OK;
out:
	if (fd >= 0)
		close(fd);	/* releases the lock */
	if (dfd >= 0)
		close(dfd);
	if (tok != NULL)	/* json-c 0.16 crashes on NULL */
		json_tokener_free(tok);
	free(buf);
	free(line);
	key_clear(&k);
	return r;
}
