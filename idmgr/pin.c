/*
 * Reading a security key's PIN for "token fido2-enroll --uv pin": from the
 * terminal with echo off (getpass is obsolete and reads through stdio,
 * which keeps copies of the PIN in its buffers), or from standard input
 * with --pin-stdin for scripts and tests.  Both read byte by byte with
 * read(2) into the caller's buffer, so the only copy is the one the
 * caller wipes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "za_err.h"
#include "za_model.h"
#include "za_secret.h"

#include "idmgr.h"

#define PIN_MIN_CHARS	4	/* CTAP 2.1: at least 4 code points */

/*
 * Read one line from fd into buf (NUL-terminated, without the line end).
 * A line longer than bufsz - 1 bytes is read to its end, wiped and
 * reported with *too_long.  Returns ZA_OK, ZA_ERR_IO or ZA_ERR_NOT_FOUND
 * (end of input before any byte).
 */
static int
read_line(int fd, char *buf, size_t bufsz, int *too_long)
{
	size_t n = 0;
	ssize_t got;
	char c;
	int any = 0, r;

	*too_long = 0;
	for (;;) {
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = ZA_ERR_IO;
			goto out;
		}
		if (got == 0) {
			r = any ? ZA_OK : ZA_ERR_NOT_FOUND;
			goto out;
		}
		any = 1;
		if (c == '\n') {
			r = ZA_OK;
			goto out;
		}
		if (n + 1 < bufsz)
			buf[n++] = c;
		else
			*too_long = 1;
	}
 out:
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	za_wipe(&c, sizeof(c));
	if (*too_long)
		za_wipe(buf, bufsz);
	return r;
}

/* Read from the controlling terminal with echo off. */
static int
read_tty(struct idmgr *im, const char *prompt, char *buf, size_t bufsz,
    int *too_long)
{
	struct termios old, quiet;
	sigset_t block, saved;
	int fd, r, restore = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return idmgr_usage(im, "pin", "no terminal to read the PIN "
		    "from (use --pin-stdin)");
	/*
	 * Signals that would stop us with echo off are held until the
	 * terminal is restored, then delivered.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &saved);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restore = 1;
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		r = ZA_ERR_IO;
	else
		r = read_line(fd, buf, bufsz, too_long);
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (r != ZA_OK)
		r = idmgr_fail(im, r, "pin", "no PIN read from the terminal");
	return r;
}

/* Code points of well-formed UTF-8 (checked by the caller). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
idmgr_pin_read(struct idmgr *im, int from_stdin, const char *prompt,
    char *buf, size_t bufsz)
{
	int too_long = 0, r;

	if (buf == NULL || bufsz < IDMGR_PIN_MAX + 1)
		return idmgr_fail(im, ZA_ERR_ARG, "pin", "no room for a PIN");
	buf[0] = '\0';
	if (from_stdin) {
		r = read_line(STDIN_FILENO, buf, IDMGR_PIN_MAX + 1, &too_long);
		if (r != ZA_OK) {
			r = idmgr_fail(im, r, "pin", "no PIN on standard "
			    "input");
			goto out;
		}
	} else if ((r = read_tty(im, prompt, buf, IDMGR_PIN_MAX + 1,
	    &too_long)) != ZA_OK)
		goto out;
	/* Messages below never include the PIN, nor does the log. */
	if (too_long) {
		r = idmgr_usage(im, "pin", "longer than %d bytes",
		    IDMGR_PIN_MAX);
		goto out;
	}
	if (za_valid_text(buf, IDMGR_PIN_MAX, "PIN", NULL) != ZA_OK ||
	    utf8_chars(buf) < PIN_MIN_CHARS) {
		r = idmgr_usage(im, "pin", "must be %d to %d bytes of UTF-8 "
		    "text (at least %d characters) without control characters",
		    PIN_MIN_CHARS, IDMGR_PIN_MAX, PIN_MIN_CHARS);
		goto out;
	}
	r = ZA_OK;
 out:
	if (r != ZA_OK)
		za_wipe(buf, bufsz);
	return r;
}
