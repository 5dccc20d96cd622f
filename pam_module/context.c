/*
 * The per-call context: configuration, terminal name, user name and the
 * directory connection.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_log.h"
#include "za_model.h"
#include "za_pam.h"
#include "za_secret.h"

#define _(s)	za_pam_text(s)

static void
za_pam_emit(void *arg, int priority, const char *line)
{
	pam_handle_t *pamh = arg;

	pam_syslog(pamh, priority, "%s", line);
}

/*
 * Append s to buf (of bufsz, holding *len bytes) as a terminal name may
 * be written: printable ASCII without space; anything else becomes '?'.
 */
static void
za_pam_term_append(char *buf, size_t bufsz, size_t *len, const char *s)
{
	for (; *s != '\0' && *len + 1 < bufsz; s++)
		buf[(*len)++] = (*s > 0x20 && *s < 0x7f) ? *s : '?';
	buf[*len] = '\0';
}

/*
 * The terminal a login comes from, for logs and the central records:
 * PAM_RHOST for a remote login, else "<host>:<tty>" (PAM_TTY without
 * "/dev/"), else the host name.
 */
static void
za_pam_terminal(struct za_pam_ctx *ctx)
{
	const void *item = NULL;
	const char *rhost = NULL, *tty = NULL;
	char host[256];
	size_t len = 0, sz = sizeof(ctx->terminal);

	ctx->terminal[0] = '\0';
	if (pam_get_item(ctx->pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		rhost = item;
	item = NULL;
	if (pam_get_item(ctx->pamh, PAM_TTY, &item) == PAM_SUCCESS)
		tty = item;
	if (rhost != NULL && *rhost != '\0') {
		za_pam_term_append(ctx->terminal, sz, &len, rhost);
		return;
	}
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	za_pam_term_append(ctx->terminal, sz, &len, host);
	if (tty != NULL && *tty != '\0') {
		if (strncmp(tty, "/dev/", 5) == 0)
			tty += 5;
		za_pam_term_append(ctx->terminal, sz, &len, ":");
		za_pam_term_append(ctx->terminal, sz, &len, tty);
	}
	if (len == 0)
		za_pam_term_append(ctx->terminal, sz, &len, "-");
}

int
za_pam_ctx_init(struct za_pam_ctx *ctx, pam_handle_t *pamh, int flags,
    int argc, const char **argv)
{
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pamh = pamh;
	ctx->silent = (flags & (int)PAM_SILENT) != 0;
	ctx->log.emit = za_pam_emit;
	ctx->log.arg = pamh;
	ctx->log.debug = 0;
	ctx->now = time(NULL);
	if ((ctx->cfg = za_config_new()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	/* Root in production; the effective user for a non-root host. */
	if ((r = za_config_from_args(ctx->cfg, argc, argv, ZA_DEFAULT_CONF,
	    geteuid(), &ctx->log)) != ZA_OK)
		goto out;
	if ((r = za_config_finish(ctx->cfg, &ctx->log)) != ZA_OK)
		goto out;
	ctx->log.debug = ctx->cfg->debug;
	za_pam_i18n_init(ctx->cfg);
	za_pam_terminal(ctx);
	r = ZA_OK;
out:
	if (r != ZA_OK) {
		pam_syslog(pamh, LOG_ERR, "configuration rejected: %s; "
		    "denying", za_strerror(r));
		za_pam_i18n_init(NULL);
	}
	return r;
}

void
za_pam_ctx_cleanup(struct za_pam_ctx *ctx)
{
	za_dir_close(&ctx->dir);
	free(ctx->user_dn);
	ctx->user_dn = NULL;
	za_config_free(&ctx->cfg);
	if (ctx->fido2_dl != NULL)
		dlclose(ctx->fido2_dl);
	ctx->fido2_dl = NULL;
	ctx->fido2 = NULL;
}

int
za_pam_get_user(struct za_pam_ctx *ctx)
{
	const char *user = NULL;
	int r;

	if (pam_get_user(ctx->pamh, &user, NULL) != PAM_SUCCESS ||
	    user == NULL || *user == '\0') {
		pam_syslog(ctx->pamh, LOG_NOTICE, "no user name; denying");
		return ZA_ERR_AUTH;
	}
	ctx->user = user;
	ctx->user_valid = za_valid_uid(user, NULL) == ZA_OK;
	if (!ctx->user_valid)
		return ZA_OK;
	if ((r = za_escape_user_dn(user, ctx->cfg->dir.users_dn,
	    &ctx->user_dn)) != ZA_OK)
		return r;
	return ZA_OK;
}

int
za_pam_dir_open(struct za_pam_ctx *ctx)
{
	int r;

	if (ctx->dir != NULL)
		return ZA_OK;
	if ((r = za_dir_open(&ctx->cfg->dir, &ctx->log, &ctx->dir)) !=
	    ZA_OK) {
		pam_syslog(ctx->pamh, LOG_ERR, "directory unavailable: %s; "
		    "denying (terminal %s)", za_strerror(r), ctx->terminal);
		za_pam_error(ctx, "%s", _("The authentication directory "
		    "cannot be reached. Contact the system administrator."));
		/* A refused service bind is a configuration problem here. */
		if (r == ZA_ERR_AUTH || r == ZA_ERR_LDAP)
			r = ZA_ERR_UNAVAIL;
	}
	return r;
}

const char *
za_pam_log_name(const struct za_pam_ctx *ctx, int known)
{
	if (ctx->user == NULL)
		return "(none)";
	if (known || ctx->cfg->log_unknown_users)
		return ctx->user;
	return "(unknown)";
}

void
za_pam_fail_delay(const struct za_pam_ctx *ctx)
{
	struct timespec ts;
	unsigned int rnd = 0;
	int ms;

	ms = ctx->cfg != NULL ? ctx->cfg->lockout_delay_ms : 2000;
	if (ms <= 0)
		return;
	/* Up to a quarter more, at random, blurs differences in work done. */
	if (za_random(&rnd, sizeof(rnd)) == ZA_OK)
		ms += (int)(rnd % ((unsigned int)ms / 4 + 1));
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}
