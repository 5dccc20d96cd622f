/*
 * Talking to the user: the PAM conversation, message catalogues (gettext
 * domain "zoneauth", in the application's locale) and the banner.
 *
 * The catalogue is bound with bindtextdomain() and looked up with
 * dgettext()/dngettext(): the module never calls textdomain() or
 * setlocale(), which belong to the host application.
 */
#include "config.h"

#include <libintl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_err.h"
#include "za_file.h"
#include "za_lockout.h"
#include "za_pam.h"
#include "za_secret.h"

#define _(s)	za_pam_text(s)

const char *
za_pam_text(const char *msgid)
{
	return dgettext(ZA_TEXTDOMAIN, msgid);
}

const char *
za_pam_ntext(const char *msgid, const char *plural, unsigned long n)
{
	return dngettext(ZA_TEXTDOMAIN, msgid, plural, n);
}

void
za_pam_i18n_init(const struct za_config *cfg)
{
	const char *dir = LOCALEDIR;

	if (cfg != NULL && cfg->localedir != NULL)
		dir = cfg->localedir;
	(void)bindtextdomain(ZA_TEXTDOMAIN, dir);
}

int
za_pam_ask(struct za_pam_ctx *ctx, int echo, const char *prompt,
    char **answerp)
{
	char *resp = NULL;
	int pr;

	*answerp = NULL;
	pr = pam_prompt(ctx->pamh, echo ? PAM_PROMPT_ECHO_ON :
	    PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt);
	if (pr != PAM_SUCCESS || resp == NULL) {
		if (resp != NULL)
			za_free_secret_str(&resp);
		ctx->conv_failed = 1;
		pam_syslog(ctx->pamh, LOG_NOTICE, "conversation failed: %s",
		    pam_strerror(ctx->pamh, pr != PAM_SUCCESS ? pr :
		    PAM_CONV_ERR));
		return ZA_ERR_IO;
	}
	*answerp = resp;
	return ZA_OK;
}

static void __attribute__((format(printf, 3, 0)))
za_pam_vsay(struct za_pam_ctx *ctx, int style, const char *fmt, va_list ap)
{
	char buf[PAM_MAX_MSG_SIZE];

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	/* Messages are best effort: a login never fails for want of one. */
	(void)pam_prompt(ctx->pamh, style, NULL, "%s", buf);
}

void
za_pam_info(struct za_pam_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->silent)
		return;
	va_start(ap, fmt);
	za_pam_vsay(ctx, PAM_TEXT_INFO, fmt, ap);
	va_end(ap);
}

void
za_pam_error(struct za_pam_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	za_pam_vsay(ctx, PAM_ERROR_MSG, fmt, ap);
	va_end(ap);
}

void
za_pam_format_time(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, bufsz, "?");
}

void
za_pam_say_locked(struct za_pam_ctx *ctx, time_t until)
{
	char when[64];

	if (until == 0 || until >= ZA_LOCKOUT_ADMIN_TIME)
		za_pam_error(ctx, "%s", _("This ID is locked after too many "
		    "failed logins. Ask the ID administrator to unlock it."));
	else {
		za_pam_format_time(until, when, sizeof(when));
		za_pam_error(ctx, _("This ID is locked after too many failed "
		    "logins until %s. If you need it sooner, ask the ID "
		    "administrator to unlock it."), when);
	}
}

/* UTF-8 text with tabs and newlines only; no other control characters. */
static int
za_pam_banner_text_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
		    c == 0x7f)
			return 0;
	}
	return 1;
}

int
za_pam_send_banner(struct za_pam_ctx *ctx, const char *path)
{
	struct za_file_policy pol;
	char *buf = NULL, chunk[PAM_MAX_MSG_SIZE];
	size_t len = 0, pos = 0, n, cut;
	int r;

	memset(&pol, 0, sizeof(pol));
	pol.owner = geteuid();
	pol.secret = 0;
	pol.max_size = ZA_PAM_BANNER_MAX;
	if ((r = za_file_read_checked(path, &pol, &ctx->log, &buf, &len)) !=
	    ZA_OK)
		goto out;
	if (!za_pam_banner_text_ok(buf, len)) {
		za_error(&ctx->log, "%s: banner holds control characters; "
		    "not shown", path);
		r = ZA_ERR_PARSE;
		goto out;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	/* One message per PAM_MAX_MSG_SIZE, cut after a newline if possible. */
	while (pos < len) {
		n = len - pos;
		if (n > sizeof(chunk) - 1) {
			n = sizeof(chunk) - 1;
			for (cut = n; cut > 0 && buf[pos + cut - 1] != '\n';
			    cut--)
				continue;
			if (cut > 0)
				n = cut;
			else
				/* Do not split a UTF-8 sequence. */
				while (n > 1 && ((unsigned char)buf[pos + n] &
				    0xc0) == 0x80)
					n--;
		}
		memcpy(chunk, buf + pos, n);
		chunk[n] = '\0';
		if (n > 0 && chunk[n - 1] == '\n')
			chunk[n - 1] = '\0';
		za_pam_info(ctx, "%s", chunk);
		pos += n;
	}
	r = ZA_OK;
out:
	free(buf);
	return r;
}
