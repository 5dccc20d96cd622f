/* Logging through a caller-supplied sink (see za_log.h). */
#include "config.h"

#include <stdio.h>

#include "za_err.h"
#include "za_log.h"

static void __attribute__((format(printf, 5, 0)))
za_log_vemit(const struct za_log *lg, int priority, const char *func,
    const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024];
	char line[1200];

	if (lg == NULL || lg->emit == NULL)
		return;
	if (priority == LOG_DEBUG && !lg->debug)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (suffix != NULL)
		snprintf(line, sizeof(line), "%s: %s: %s", func, msg, suffix);
	else
		snprintf(line, sizeof(line), "%s: %s", func, msg);
	lg->emit(lg->arg, priority, line);
}

void
za_log_msg(const struct za_log *lg, int priority, const char *func,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	za_log_vemit(lg, priority, func, NULL, fmt, ap);
	va_end(ap);
}

void
za_log_err(const struct za_log *lg, int priority, const char *func, int r,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	za_log_vemit(lg, priority, func, za_strerror(r), fmt, ap);
	va_end(ap);
}
