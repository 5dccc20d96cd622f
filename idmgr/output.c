/*
 * What idmgr prints: aligned tables measured in display columns (so
 * 田中 花子 lines up with tanaka), "key  value" blocks, errors that name
 * the field, and the one JSON document of --json.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <json-c/json.h>

#include "za_err.h"
#include "za_secret.h"
#include "za_time.h"

#include "idmgr.h"

/* ---------------------------------------------------------------- errors */

static void report(struct idmgr *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
report(struct idmgr *im, const char *field, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (field != NULL)
		fprintf(stderr, "idmgr: %s: %s\n", field, msg);
	else
		fprintf(stderr, "idmgr: %s\n", msg);
	if (im->err_msg != NULL)
		return;
	im->err_msg = strdup(msg);
	if (field != NULL)
		im->err_field = strdup(field);
}

int
idmgr_fail(struct idmgr *im, int r, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(im, field, fmt, ap);
	va_end(ap);
	return r;
}

int
idmgr_usage(struct idmgr *im, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(im, field, fmt, ap);
	va_end(ap);
	im->usage = 1;
	return ZA_ERR_ARG;
}

/* ---------------------------------------------------------------- width */

size_t
idmgr_display_width(const char *s)
{
	mbstate_t st;
	size_t w = 0, len, n;
	wchar_t wc;
	int cw;

	if (s == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	len = strlen(s);
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not text in this locale: one column per byte. */
			memset(&st, 0, sizeof(st));
			w++;
			s++;
			len--;
			continue;
		}
		cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
		s += n;
		len -= n;
	}
	return w;
}

void
idmgr_print_padded(FILE *f, const char *s, size_t w)
{
	size_t have = idmgr_display_width(s);

	fputs(s, f);
	while (have++ < w)
		fputc(' ', f);
}

/* ---------------------------------------------------------------- table */

struct idmgr_table {
	size_t ncols;
	char **cells;		/* row-major, headers first */
	size_t nrows;		/* data rows */
	size_t cap;		/* rows allocated, headers included */
};

int
idmgr_table_new(struct idmgr_table **tp, size_t ncols,
    const char *const *headers)
{
	struct idmgr_table *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ZA_ERR_NOMEM;
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = 0;
	if ((r = idmgr_table_add(t, headers)) != ZA_OK) {
		idmgr_table_free(&t);
		return r;
	}
	t->nrows = 0;	/* the headers are row "-1" */
	*tp = t;
	return ZA_OK;
}

int
idmgr_table_add(struct idmgr_table *t, const char *const *cells)
{
	size_t used = t->cells == NULL ? 0 : t->nrows + 1, i, ncap;
	char **nc;

	if (used + 1 > t->cap) {
		ncap = t->cap == 0 ? 16 : t->cap * 2;
		if ((nc = reallocarray(t->cells, ncap * t->ncols,
		    sizeof(*nc))) == NULL)
			return ZA_ERR_NOMEM;
		t->cells = nc;
		t->cap = ncap;
	}
	for (i = 0; i < t->ncols; i++) {
		t->cells[used * t->ncols + i] = strdup(cells[i] != NULL ?
		    cells[i] : "-");
		if (t->cells[used * t->ncols + i] == NULL) {
			while (i-- > 0)
				free(t->cells[used * t->ncols + i]);
			return ZA_ERR_NOMEM;
		}
	}
	if (used > 0)
		t->nrows++;
	return ZA_OK;
}

size_t
idmgr_table_rows(const struct idmgr_table *t)
{
	return t->nrows;
}

void
idmgr_table_print(const struct idmgr_table *t, FILE *f)
{
	size_t *w, r, c, cw;

	if ((w = calloc(t->ncols, sizeof(*w))) == NULL)
		return;
	for (r = 0; r <= t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			cw = idmgr_display_width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c + 1 == t->ncols) {
				fputs(t->cells[r * t->ncols + c], f);
				break;
			}
			idmgr_print_padded(f, t->cells[r * t->ncols + c], w[c]);
			fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

void
idmgr_table_free(struct idmgr_table **tp)
{
	struct idmgr_table *t;
	size_t i;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->cells != NULL)
		for (i = 0; i < (t->nrows + 1) * t->ncols; i++)
			free(t->cells[i]);
	free(t->cells);
	free(t);
	*tp = NULL;
}

void
idmgr_print_fields(FILE *f, const char *const *pairs)
{
	size_t i, w = 0, kw;

	for (i = 0; pairs[i] != NULL; i += 2)
		if ((kw = idmgr_display_width(pairs[i])) > w)
			w = kw;
	for (i = 0; pairs[i] != NULL; i += 2) {
		idmgr_print_padded(f, pairs[i], w);
		fprintf(f, "  %s\n", pairs[i + 1] != NULL ? pairs[i + 1] : "-");
	}
}

/* ---------------------------------------------------------------- time */

const char *
idmgr_fmt_time(time_t t, char *buf, size_t bufsz)
{
	if (t == 0 || za_time_format_iso_local(t, buf, bufsz) != ZA_OK)
		snprintf(buf, bufsz, "-");
	return buf;
}

const char *
idmgr_fmt_date(time_t t, char *buf, size_t bufsz)
{
	if (t == 0 || za_time_format_date_local(t, buf, bufsz) != ZA_OK)
		snprintf(buf, bufsz, "-");
	return buf;
}

/* ---------------------------------------------------------------- JSON */

json_object *
idmgr_json_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

json_object *
idmgr_json_time(time_t t)
{
	char buf[ZA_TIME_ISO_BUFSZ];

	if (t == 0 || za_time_format_iso_local(t, buf, sizeof(buf)) != ZA_OK)
		return NULL;
	return json_object_new_string(buf);
}

json_object *
idmgr_json_date(time_t t)
{
	char buf[ZA_TIME_DATE_BUFSZ];

	if (t == 0 || za_time_format_date_local(t, buf, sizeof(buf)) != ZA_OK)
		return NULL;
	return json_object_new_string(buf);
}

void
idmgr_set_result(struct idmgr *im, json_object *jo, int secret)
{
	json_object_put(im->result);
	im->result = jo;
	im->result_secret = secret;
}

/* json-c hands out const pointers to buffers it owns; wipe them anyway. */
static void
wipe_const(const char *p, size_t n)
{
	if (p != NULL)
		za_wipe((void *)(uintptr_t)p, n);
}

static void
wipe_json(json_object *jo)
{
	size_t i, n;

	switch (json_object_get_type(jo)) {
	case json_type_string:
		wipe_const(json_object_get_string(jo),
		    (size_t)json_object_get_string_len(jo));
		break;
	case json_type_array:
		n = json_object_array_length(jo);
		for (i = 0; i < n; i++)
			wipe_json(json_object_array_get_idx(jo, i));
		break;
	case json_type_object: {
		json_object_object_foreach(jo, key, val) {
			(void)key;
			wipe_json(val);
		}
		break;
	}
	default:
		break;
	}
}

static void
print_json(json_object *jo, int secret)
{
	const char *s;
	size_t len = 0;

	s = json_object_to_json_string_length(jo, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return;
	fwrite(s, 1, len, stdout);
	fputc('\n', stdout);
	if (secret) {
		fflush(stdout);
		wipe_const(s, len);
	}
}

static void
add_error(const struct idmgr *im, json_object *jo, int r, int status)
{
	json_object_object_add(jo, "error", idmgr_json_str(
	    im->err_msg != NULL ? im->err_msg : za_strerror(r)));
	json_object_object_add(jo, "field", idmgr_json_str(im->err_field));
	json_object_object_add(jo, "code", json_object_new_string(
	    im->usage ? "usage" : za_strerror(r)));
	json_object_object_add(jo, "exit_status", json_object_new_int(status));
}

void
idmgr_output_finish(struct idmgr *im, int r, int status)
{
	json_object *jo = NULL;

	if (im->json) {
		if (r != ZA_OK && im->result != NULL) {
			/*
			 * Failed after a change (e.g. the audit append): the
			 * result still matters (an initial password), so the
			 * one document is the result with the error added.
			 */
			add_error(im, im->result, r, status);
			print_json(im->result, im->result_secret);
		} else if (r == ZA_OK && im->result != NULL) {
			print_json(im->result, im->result_secret);
		} else if (r != ZA_OK &&
		    (jo = json_object_new_object()) != NULL) {
			add_error(im, jo, r, status);
			print_json(jo, 0);
			json_object_put(jo);
		}
	}
	if (im->result != NULL && im->result_secret)
		wipe_json(im->result);
	json_object_put(im->result);
	im->result = NULL;
}
