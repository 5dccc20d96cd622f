/*
 * Internals shared by fido2.c, fido2_enrol.c and fido2_assert.c; not for
 * other callers (they use za_fido2.h).
 */
#ifndef ZA_FIDO2_INT_H
#define ZA_FIDO2_INT_H

#include <stdint.h>

#include <fido.h>

#include "za_fido2.h"

struct za_fido2_dev {
	fido_dev_t *dev;
	fido_cbor_info_t *info;		/* NULL for a U2F-only device */
	char path[ZA_FIDO2_PATH_MAX + 1];
};

/*
 * fido_init(0), then a log handler that drops every line (za_fido2.h says
 * why); call at the start of every public entry point.
 */
void za_fido2_setup(void);

/* Zero *res (NULL is fine) and set retries to -1. */
void za_fido2_result_clear(struct za_fido2_result *res);

/*
 * Record a failure in res (NULL is fine): reason, libfido2 code and the
 * formatted message, which is also logged at priority as coming from
 * func.
 */
void za_fido2_fail(struct za_fido2_result *res, enum za_fido2_reason why,
    int fido_err, const struct za_log *lg, int priority, const char *func,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * The ZA_ERR_* code and reason for libfido2 code fr; timed_out says the
 * operation's time budget ran out (libfido2 reports that as an rx/tx
 * error).
 */
int za_fido2_map_error(int fr, int timed_out, enum za_fido2_reason *why);

/*
 * After a PIN or UV failure recorded in res, ask d how many tries are
 * left and store that in res->retries (left at -1 if it cannot tell).
 */
void za_fido2_note_retries(struct za_fido2_dev *d,
    struct za_fido2_result *res);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t za_fido2_now_ms(void);

/*
 * Whether a libfido2 call started at t0 (a za_fido2_now_ms() value) with a
 * budget of budget_ms ms ran out of time.  libfido2 gives up on a silent
 * device with an rx error, and it and the device count the budget down in
 * whole milliseconds from slightly later starts, so the call can return a
 * few ms before budget_ms has passed here: ZA_FIDO2_TIMEOUT_SLACK_MS
 * absorbs that.
 */
#define ZA_FIDO2_TIMEOUT_SLACK_MS	50
int za_fido2_timed_out(uint64_t t0, int budget_ms);

/*
 * A request that needed a touch (makeCredential, getAssertion), started at
 * t0 with budget_ms, failed on d with libfido2 code fr: record why in res
 * (logged from func as "the key on PATH <what>: <reason>"), note the PIN/UV
 * retries left, and on a timeout cancel the request so that a late touch
 * cannot complete it.  Returns the ZA_ERR_* code.
 */
int za_fido2_touch_failed(struct za_fido2_dev *d, int fr, uint64_t t0,
    int budget_ms, const char *what, struct za_fido2_result *res,
    const struct za_log *lg, const char *func);

/* Milliseconds left before deadline (a za_fido2_now_ms() value), >= 0. */
int za_fido2_ms_left(uint64_t deadline);

/* 1 if timeout_ms is a usable bound (1..ZA_FIDO2_TIMEOUT_MAX_MS). */
int za_fido2_timeout_ok(int timeout_ms);

/*
 * 1 if rp_id is a usable relying party id: 1..ZA_RP_ID_MAX printable
 * ASCII characters without spaces; otherwise logs why and returns 0.
 */
int za_fido2_rp_id_ok(const char *rp_id, const struct za_log *lg);

#endif /* ZA_FIDO2_INT_H */
