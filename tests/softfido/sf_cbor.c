/*
 * Bounded CBOR for softfido: a validator that walks an untrusted request
 * before anything reads it (no allocation driven by declared sizes), a
 * cursor to read the validated data, and a writer into a fixed buffer.
 */
#include "config.h"

#include <string.h>

#include "sf_int.h"

/* Decode one head at p: major type, argument, and where the body starts. */
static int
head(const uint8_t *p, const uint8_t *end, uint8_t *major, uint64_t *val,
    const uint8_t **body)
{
	uint8_t ai;
	size_t n, i;

	if (p >= end)
		return -1;
	*major = (uint8_t)(*p >> 5);
	ai = (uint8_t)(*p & 0x1f);
	p++;
	if (ai < 24) {
		*val = ai;
		*body = p;
		return 0;
	}
	switch (ai) {
	case 24: n = 1; break;
	case 25: n = 2; break;
	case 26: n = 4; break;
	case 27: n = 8; break;
	default: return -1;	/* reserved, or indefinite length */
	}
	if ((size_t)(end - p) < n)
		return -1;
	*val = 0;
	for (i = 0; i < n; i++)
		*val = (*val << 8) | p[i];
	*body = p + n;
	return 0;
}

/* Skip one item at *pp, checking it; depth counts enclosing containers. */
static int
skip(const uint8_t **pp, const uint8_t *end, unsigned depth)
{
	const uint8_t *body;
	uint8_t major;
	uint64_t val, i, n;

	if (depth > SF_CBOR_DEPTH || head(*pp, end, &major, &val, &body) < 0)
		return -1;
	switch (major) {
	case 0:
	case 1:
		*pp = body;
		return 0;
	case 2:
	case 3:
		if (val > (uint64_t)(end - body))
			return -1;
		*pp = body + val;
		return 0;
	case 4:
	case 5:
		/* Every element takes at least one byte. */
		if (val > (uint64_t)(end - body) ||
		    (major == 5 && val > (uint64_t)(end - body) / 2))
			return -1;
		n = major == 5 ? val * 2 : val;
		*pp = body;
		for (i = 0; i < n; i++)
			if (skip(pp, end, depth + 1) < 0)
				return -1;
		return 0;
	case 7:
		/* false, true, null only: no floats or other simple values. */
		if (val < 20 || val > 22 || body != *pp + 1)
			return -1;
		*pp = body;
		return 0;
	default:
		return -1;	/* tags */
	}
}

int
sf_cbor_validate(const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf;

	if (buf == NULL || len == 0 || len > SOFTFIDO_MAXMSG)
		return -1;
	if (skip(&p, buf + len, 0) < 0 || p != buf + len)
		return -1;
	return 0;
}

int
sf_cbor_item(const uint8_t *p, const uint8_t *end, struct sf_cbor *it)
{
	const uint8_t *q = p;

	memset(it, 0, sizeof(*it));
	if (head(p, end, &it->major, &it->val, &it->body) < 0 ||
	    skip(&q, end, 0) < 0)
		return -1;
	if (it->major == 2 || it->major == 3)
		it->data = it->body;
	it->next = q;
	return 0;
}

int
sf_cbor_map_next(const struct sf_cbor *map, const uint8_t *end,
    const uint8_t **pos, size_t *idx, struct sf_cbor *key,
    struct sf_cbor *val)
{
	if (map->major != 5)
		return -1;
	if (*idx >= map->val)
		return 0;
	if (sf_cbor_item(*pos, end, key) < 0 ||
	    sf_cbor_item(key->next, end, val) < 0)
		return -1;
	*pos = val->next;
	(*idx)++;
	return 1;
}

bool
sf_cbor_text_is(const struct sf_cbor *it, const char *s)
{
	size_t n = strlen(s);

	return it->major == 3 && it->val == n && memcmp(it->data, s, n) == 0;
}

int
sf_cbor_int(const struct sf_cbor *it, int64_t *v)
{
	if ((it->major != 0 && it->major != 1) || it->val > INT64_MAX)
		return -1;
	*v = it->major == 0 ? (int64_t)it->val : -1 - (int64_t)it->val;
	return 0;
}

int
sf_cbor_text(const struct sf_cbor *it, char *dst, size_t n)
{
	if (it->major != 3 || it->val >= n ||
	    memchr(it->data, '\0', (size_t)it->val) != NULL)
		return -1;
	memcpy(dst, it->data, (size_t)it->val);
	dst[it->val] = '\0';
	return 0;
}

void
sf_put_raw(struct sf_out *o, const void *p, size_t n)
{
	if (o->err || n > o->cap - o->len) {
		o->err = true;
		return;
	}
	if (n > 0)
		memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
put_head(struct sf_out *o, uint8_t major, uint64_t v)
{
	uint8_t b[9];
	size_t n, i;

	if (v < 24) {
		b[0] = (uint8_t)(((uint64_t)major << 5) | v);
		n = 1;
	} else if (v <= 0xff) {
		b[0] = (uint8_t)((major << 5) | 24);
		n = 2;
	} else if (v <= 0xffff) {
		b[0] = (uint8_t)((major << 5) | 25);
		n = 3;
	} else if (v <= 0xffffffffU) {
		b[0] = (uint8_t)((major << 5) | 26);
		n = 5;
	} else {
		b[0] = (uint8_t)((major << 5) | 27);
		n = 9;
	}
	for (i = 1; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	sf_put_raw(o, b, n);
}

void
sf_put_uint(struct sf_out *o, uint64_t v)
{
	put_head(o, 0, v);
}

void
sf_put_int(struct sf_out *o, int64_t v)
{
	if (v >= 0)
		put_head(o, 0, (uint64_t)v);
	else
		put_head(o, 1, (uint64_t)(-1 - v));
}

void
sf_put_bytes(struct sf_out *o, const void *p, size_t n)
{
	put_head(o, 2, n);
	sf_put_raw(o, p, n);
}

void
sf_put_text(struct sf_out *o, const char *s)
{
	size_t n = strlen(s);

	put_head(o, 3, n);
	sf_put_raw(o, s, n);
}

void
sf_put_bool(struct sf_out *o, bool b)
{
	uint8_t v = b ? 0xf5 : 0xf4;

	sf_put_raw(o, &v, 1);
}

void
sf_put_map(struct sf_out *o, size_t npairs)
{
	put_head(o, 5, npairs);
}

void
sf_put_array(struct sf_out *o, size_t n)
{
	put_head(o, 4, n);
}
