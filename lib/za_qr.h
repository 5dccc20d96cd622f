/*
 * Drawing a QR code in a terminal, for TOTP/HOTP enrolment.
 *
 * The symbol is encoded with libqrencode (byte mode, error correction
 * level M) and drawn with UTF-8 half-block characters: each character
 * cell holds two module rows, the upper one in its top half and the lower
 * one in its bottom half, so the code stays roughly square on a terminal
 * whose cells are about twice as tall as they are wide.
 */
#ifndef ZA_QR_H
#define ZA_QR_H

#include <stdio.h>

/* Quiet zone drawn on every side, in modules (ISO/IEC 18004 asks for 4). */
#define ZA_QR_QUIET		4

/* Longest text accepted, in bytes (a version 40-M symbol holds 2331). */
#define ZA_QR_MAX_TEXT		2048

/*
 * Encode the NUL-terminated text as a QR code and write it to out.
 *
 * With invert == 0 the dark modules are drawn with block characters and
 * the light modules (quiet zone included) are left as spaces: right for
 * dark text on a light background.  With invert != 0 the light modules
 * are drawn instead: right for the usual light text on a dark terminal,
 * where the blocks must be the light part of the symbol.
 *
 * The output is (W + 1) / 2 lines, W = symbol width + 2 * ZA_QR_QUIET,
 * each of exactly W characters (U+2588, U+2580, U+2584 or a space)
 * followed by '\n'.  When W is odd the lower half of the last line lies
 * outside the symbol and is never drawn.
 *
 * Returns ZA_OK, ZA_ERR_ARG (text or out NULL, text empty),
 * ZA_ERR_TOO_LARGE (text longer than ZA_QR_MAX_TEXT or than a QR code
 * holds), ZA_ERR_NOMEM, ZA_ERR_INTERNAL (libqrencode failed otherwise) or
 * ZA_ERR_IO (writing to out failed; part of the code may have been
 * written).
 */
int za_qr_render(const char *text, FILE *out, int invert);

#endif /* ZA_QR_H */
