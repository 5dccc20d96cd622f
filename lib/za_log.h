/*
 * Logging through a caller-supplied sink.
 *
 * The library never writes to syslog or stderr on its own: the PAM module
 * installs a sink that calls pam_syslog(), idmgr one that writes to stderr
 * and syslog.  A NULL sink discards messages.  Priorities are syslog's.
 */
#ifndef ZA_LOG_H
#define ZA_LOG_H

#include <stdarg.h>
#include <syslog.h>

struct za_log {
	/* Receives one formatted line without trailing newline. */
	void (*emit)(void *arg, int priority, const char *line);
	void *arg;
	int debug;	/* non-zero: LOG_DEBUG messages are emitted */
};

/* Format and emit one message; lg may be NULL. */
void za_log_msg(const struct za_log *lg, int priority, const char *func,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same, appending ": " and za_strerror(r). */
void za_log_err(const struct za_log *lg, int priority, const char *func,
    int r, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define za_error(lg, ...)	za_log_msg((lg), LOG_ERR, __func__, __VA_ARGS__)
#define za_warn(lg, ...)	za_log_msg((lg), LOG_WARNING, __func__, __VA_ARGS__)
#define za_notice(lg, ...)	za_log_msg((lg), LOG_NOTICE, __func__, __VA_ARGS__)
#define za_info(lg, ...)	za_log_msg((lg), LOG_INFO, __func__, __VA_ARGS__)
#define za_debug(lg, ...)	za_log_msg((lg), LOG_DEBUG, __func__, __VA_ARGS__)
/* With the error text of r appended, like OpenSSH's error_fr(). */
#define za_error_r(lg, r, ...)	za_log_err((lg), LOG_ERR, __func__, (r), __VA_ARGS__)
#define za_warn_r(lg, r, ...)	za_log_err((lg), LOG_WARNING, __func__, (r), __VA_ARGS__)
#define za_debug_r(lg, r, ...)	za_log_err((lg), LOG_DEBUG, __func__, (r), __VA_ARGS__)

#endif /* ZA_LOG_H */
