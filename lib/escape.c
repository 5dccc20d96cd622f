/* RFC 4514 DN value and RFC 4515 filter value escaping (see za_escape.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "za_err.h"
#include "za_escape.h"

enum za_escape_kind {
	ZA_ESC_DN,
	ZA_ESC_FILTER,
};

/*
 * Length of the well-formed UTF-8 sequence (RFC 3629) starting at p, of
 * which left bytes are available, or 0 if the bytes there are not one.
 */
static size_t
za_utf8_seq_len(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	/* The second byte's range excludes overlongs, surrogates, > U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Does ASCII byte c need a backslash-character escape in a DN value? */
static int
za_dn_special(unsigned char c)
{
	return c != '\0' && strchr("\"+,;<>\\=", c) != NULL;
}

/* Does ASCII byte c need a \XX escape in a filter value? */
static int
za_filter_special(unsigned char c)
{
	return c != '\0' && strchr("*()\\", c) != NULL;
}

static void
za_put_hex(char **op, unsigned char c, const char *digits)
{
	char *o = *op;

	*o++ = '\\';
	*o++ = digits[c >> 4];
	*o++ = digits[c & 0x0f];
	*op = o;
}

static int
za_escape(enum za_escape_kind kind, const char *in, size_t len, char **out)
{
	const unsigned char *p = (const unsigned char *)in;
	const char *digits = kind == ZA_ESC_DN ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	char *buf = NULL, *o;
	size_t i, n;
	unsigned char c;
	int r;

	if (out == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	*out = NULL;
	if (in == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	if (len > ZA_ESCAPE_MAX_IN) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	/* Every input byte becomes at most three output bytes. */
	if ((buf = malloc(len * 3 + 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	o = buf;
	for (i = 0; i < len; i += n) {
		c = p[i];
		n = za_utf8_seq_len(p + i, len - i);
		if (n > 1) {
			memcpy(o, p + i, n);
			o += n;
			continue;
		}
		n = 1;
		if (c == 0 || c < 0x20 || c == 0x7f || c >= 0x80) {
			/* NUL, control character or a byte of invalid UTF-8 */
			za_put_hex(&o, c, digits);
		} else if (kind == ZA_ESC_FILTER) {
			if (za_filter_special(c))
				za_put_hex(&o, c, digits);
			else
				*o++ = (char)c;
		} else if (za_dn_special(c) ||
		    (i == 0 && (c == ' ' || c == '#')) ||
		    (i == len - 1 && c == ' ')) {
			*o++ = '\\';
			*o++ = (char)c;
		} else
			*o++ = (char)c;
	}
	*o = '\0';
	*out = buf;
	buf = NULL;
	r = ZA_OK;
out:
	free(buf);
	return r;
}

int
za_escape_dn_value_len(const char *in, size_t len, char **out)
{
	return za_escape(ZA_ESC_DN, in, len, out);
}

int
za_escape_dn_value(const char *in, char **out)
{
	if (in == NULL) {
		if (out != NULL)
			*out = NULL;
		return ZA_ERR_ARG;
	}
	return za_escape(ZA_ESC_DN, in, strlen(in), out);
}

int
za_escape_filter_value_len(const char *in, size_t len, char **out)
{
	return za_escape(ZA_ESC_FILTER, in, len, out);
}

int
za_escape_filter_value(const char *in, char **out)
{
	if (in == NULL) {
		if (out != NULL)
			*out = NULL;
		return ZA_ERR_ARG;
	}
	return za_escape(ZA_ESC_FILTER, in, strlen(in), out);
}

int
za_escape_user_dn(const char *uid, const char *users_dn, char **out)
{
	char *val = NULL, *dn = NULL;
	size_t vlen, blen;
	int r;

	if (out == NULL) {
		r = ZA_ERR_ARG;
		goto out;
	}
	*out = NULL;
	if (uid == NULL || users_dn == NULL || *uid == '\0' ||
	    *users_dn == '\0') {
		r = ZA_ERR_ARG;
		goto out;
	}
	if ((r = za_escape_dn_value(uid, &val)) != ZA_OK)
		goto out;
	vlen = strlen(val);
	blen = strlen(users_dn);
	if (blen > ZA_ESCAPE_MAX_IN) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	/* "uid=" + value + "," + base + NUL */
	if ((dn = malloc(4 + vlen + 1 + blen + 1)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	memcpy(dn, "uid=", 4);
	memcpy(dn + 4, val, vlen);
	dn[4 + vlen] = ',';
	memcpy(dn + 4 + vlen + 1, users_dn, blen + 1);
	*out = dn;
	dn = NULL;
	r = ZA_OK;
out:
	free(val);
	free(dn);
	return r;
}
