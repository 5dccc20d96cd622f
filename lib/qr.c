/* QR code drawn with UTF-8 half blocks (see za_qr.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "za_err.h"
#include "za_qr.h"

#define ZA_QR_FULL	"\xe2\x96\x88"	/* U+2588 FULL BLOCK */
#define ZA_QR_UPPER	"\xe2\x96\x80"	/* U+2580 UPPER HALF BLOCK */
#define ZA_QR_LOWER	"\xe2\x96\x84"	/* U+2584 LOWER HALF BLOCK */
#define ZA_QR_GLYPH_MAX	3		/* bytes of the longest glyph */

/*
 * Is the module at (x, y) of the framed symbol drawn?  Coordinates count
 * the quiet zone; rows at or past total lie outside the frame (the lower
 * half of an odd last line) and are never drawn.
 */
static int
za_qr_drawn(const QRcode *qr, int x, int y, int total, int invert)
{
	int sx = x - ZA_QR_QUIET, sy = y - ZA_QR_QUIET, dark = 0;

	if (y >= total)
		return 0;
	if (sx >= 0 && sy >= 0 && sx < qr->width && sy < qr->width)
		dark = qr->data[sy * qr->width + sx] & 1;
	return invert ? !dark : dark;
}

/* Map a failed libqrencode call (errno set by it) to a za_err code. */
static int
za_qr_encode_error(int err)
{
	switch (err) {
	case ENOMEM:
		return ZA_ERR_NOMEM;
	case ERANGE:
		return ZA_ERR_TOO_LARGE;
	default:
		return ZA_ERR_INTERNAL;
	}
}

int
za_qr_render(const char *text, FILE *out, int invert)
{
	QRcode *qr = NULL;
	char *line = NULL;
	const char *glyph;
	size_t len, pos;
	int total, x, y, top, bottom, r;

	if (text == NULL || out == NULL || text[0] == '\0') {
		r = ZA_ERR_ARG;
		goto out;
	}
	if (strnlen(text, ZA_QR_MAX_TEXT + 1) > ZA_QR_MAX_TEXT) {
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	errno = 0;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL) {
		r = za_qr_encode_error(errno);
		goto out;
	}
	if (qr->width <= 0 || qr->width > 177) {
		r = ZA_ERR_INTERNAL;
		goto out;
	}
	total = qr->width + 2 * ZA_QR_QUIET;
	/* One glyph per column plus the newline. */
	len = (size_t)total * ZA_QR_GLYPH_MAX + 1;
	if ((line = malloc(len)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	for (y = 0; y < total; y += 2) {
		pos = 0;
		for (x = 0; x < total; x++) {
			top = za_qr_drawn(qr, x, y, total, invert);
			bottom = za_qr_drawn(qr, x, y + 1, total, invert);
			if (top && bottom)
				glyph = ZA_QR_FULL;
			else if (top)
				glyph = ZA_QR_UPPER;
			else if (bottom)
				glyph = ZA_QR_LOWER;
			else
				glyph = " ";
			memcpy(line + pos, glyph, strlen(glyph));
			pos += strlen(glyph);
		}
		line[pos++] = '\n';
		if (fwrite(line, 1, pos, out) != pos) {
			r = ZA_ERR_IO;
			goto out;
		}
	}
	r = fflush(out) == 0 && !ferror(out) ? ZA_OK : ZA_ERR_IO;
out:
	free(line);
	if (qr != NULL)
		QRcode_free(qr);
	return r;
}
