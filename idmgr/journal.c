/*
 * Recording what idmgr does: every change and every refusal becomes one
 * audit log record (lib/audit.c chains and appends it, and sends a copy
 * through the log sink) and the sink copies notices to syslog (authpriv).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_err.h"

#include "idmgr.h"

void
idmgr_log_emit(void *arg, int priority, const char *line)
{
	const struct idmgr *im = arg;

	/* Notices and worse (audit copies, errors) go to syslog. */
	if (priority <= LOG_NOTICE)
		syslog(LOG_AUTHPRIV | priority, "%s", line);
	if (priority <= LOG_WARNING || (im != NULL && im->verbose))
		fprintf(stderr, "idmgr: %s%s\n",
		    priority <= LOG_ERR ? "error: " :
		    priority == LOG_WARNING ? "warning: " : "", line);
}

int
idmgr_journal(struct idmgr *im, const char *action, const char *target,
    int result, const char *reason, const struct idmgr_changes *c)
{
	struct za_audit_record *rec = NULL;
	int r;

	if ((r = idmgr_load_config(im)) != ZA_OK)
		goto out;
	if ((r = za_audit_record_new(&rec, action)) != ZA_OK ||
	    (r = za_audit_record_set_target(rec, target)) != ZA_OK ||
	    (r = za_audit_record_set_result(rec,
	    (enum za_audit_result)result, reason)) != ZA_OK ||
	    (r = za_audit_record_set_operator(rec, im->operator_dn,
	    im->operator_user, getuid())) != ZA_OK ||
	    (r = idmgr_changes_to_record(c, rec)) != ZA_OK)
		goto fail;
	if ((r = za_audit_append(im->cfg->audit_log,
	    im->cfg->audit_hmac_key_file, rec, &im->log)) != ZA_OK)
		goto fail;
	goto out;
 fail:
	r = idmgr_fail(im, r, "audit", "%s %s: cannot append to the audit "
	    "log %s: %s%s", action, target != NULL ? target : "",
	    im->cfg->audit_log, za_strerror(r),
	    result == ZA_AUDIT_RESULT_OK ?
	    " (the change itself was made)" : "");
 out:
	za_audit_record_free(&rec);
	return r;
}

int
idmgr_refuse(struct idmgr *im, const char *action, const char *target,
    const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	idmgr_fail(im, ZA_ERR_DENIED, field, "refused: %s", msg);
	(void)idmgr_journal(im, action, target, ZA_AUDIT_RESULT_REFUSED, msg,
	    NULL);
	return ZA_ERR_DENIED;
}
