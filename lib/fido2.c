/*
 * FIDO2 common ground: libfido2 set-up with its log silenced, error
 * mapping, device discovery and opening, device capabilities, public key
 * conversion and the signature-counter rule.  Enrolment is fido2_enrol.c,
 * authentication fido2_assert.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fido2_int.h"
#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"

#define POLL_MS		100	/* device discovery retry interval */
#define RETRY_QUERY_MS	2000	/* reading PIN/UV retries after a miss */

/* ------------------------------------------------------------------ setup */
/*
 * libfido2's log lines may carry CTAP traffic in hex (PIN tokens,
 * encrypted PINs): drop them all.  See za_fido2.h.
 */
static void
discard_log(const char *line)
{
	(void)line;
}

void
za_fido2_setup(void)
{
	/*
	 * fido_init() turns libfido2's log on (to stderr) when FIDO_DEBUG is
	 * set; the handler installed right after it, in this thread, is the
	 * one every later line of this thread goes to.
	 */
	fido_init(0);
	fido_set_log_handler(discard_log);
}

/* ------------------------------------------------------------------ results */
void
za_fido2_result_clear(struct za_fido2_result *res)
{
	if (res == NULL)
		return;
	memset(res, 0, sizeof(*res));
	res->reason = ZA_FIDO2_R_NONE;
	res->retries = -1;
}

void
za_fido2_fail(struct za_fido2_result *res, enum za_fido2_reason why,
    int fido_err, const struct za_log *lg, int priority, const char *func,
    const char *fmt, ...)
{
	char msg[ZA_FIDO2_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fido_err != FIDO_OK)
		za_log_msg(lg, priority, func, "%s (libfido2: %s)", msg,
		    fido_strerr(fido_err));
	else
		za_log_msg(lg, priority, func, "%s", msg);
	if (res == NULL)
		return;
	res->reason = why;
	res->fido_err = fido_err;
	memcpy(res->msg, msg, sizeof(res->msg));
}

const char *
za_fido2_reason_name(enum za_fido2_reason reason)
{
	switch (reason) {
	case ZA_FIDO2_R_NONE:			return "none";
	case ZA_FIDO2_R_NO_DEVICE:		return "no-device";
	case ZA_FIDO2_R_NO_CREDENTIAL:		return "no-credential";
	case ZA_FIDO2_R_PIN_INVALID:		return "pin-invalid";
	case ZA_FIDO2_R_PIN_BLOCKED:		return "pin-blocked";
	case ZA_FIDO2_R_PIN_AUTH_BLOCKED:	return "pin-auth-blocked";
	case ZA_FIDO2_R_PIN_NOT_SET:		return "pin-not-set";
	case ZA_FIDO2_R_PIN_REQUIRED:		return "pin-required";
	case ZA_FIDO2_R_UV_FAILED:		return "uv-failed";
	case ZA_FIDO2_R_UV_BLOCKED:		return "uv-blocked";
	case ZA_FIDO2_R_UV_UNSUPPORTED:		return "uv-unsupported";
	case ZA_FIDO2_R_NOT_TOUCHED:		return "not-touched";
	case ZA_FIDO2_R_DENIED:			return "denied";
	case ZA_FIDO2_R_BAD_SIGNATURE:		return "bad-signature";
	case ZA_FIDO2_R_FLAGS:			return "flags";
	case ZA_FIDO2_R_CLONED:			return "cloned";
	case ZA_FIDO2_R_ATTESTATION:		return "attestation";
	case ZA_FIDO2_R_AAGUID:			return "aaguid";
	case ZA_FIDO2_R_EXCLUDED:		return "excluded";
	case ZA_FIDO2_R_UNSUPPORTED:		return "unsupported";
	case ZA_FIDO2_R_DEVICE:			return "device";
	}
	return "unknown";
}

int
za_fido2_map_error(int fr, int timed_out, enum za_fido2_reason *why)
{
	int r;

	switch (fr) {
	case FIDO_ERR_PIN_INVALID:
		*why = ZA_FIDO2_R_PIN_INVALID;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_PIN_BLOCKED:
		*why = ZA_FIDO2_R_PIN_BLOCKED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_PIN_AUTH_BLOCKED:
		*why = ZA_FIDO2_R_PIN_AUTH_BLOCKED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_PIN_NOT_SET:
		*why = ZA_FIDO2_R_PIN_NOT_SET;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_PIN_REQUIRED:
	case FIDO_ERR_UP_REQUIRED:
		*why = ZA_FIDO2_R_PIN_REQUIRED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_UV_INVALID:
		*why = ZA_FIDO2_R_UV_FAILED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_UV_BLOCKED:
		*why = ZA_FIDO2_R_UV_BLOCKED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_OPERATION_DENIED:
	case FIDO_ERR_NOT_ALLOWED:
	case FIDO_ERR_KEEPALIVE_CANCEL:
		*why = ZA_FIDO2_R_DENIED;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_USER_ACTION_TIMEOUT:
	case FIDO_ERR_ACTION_TIMEOUT:
	case FIDO_ERR_TIMEOUT:
		*why = ZA_FIDO2_R_NOT_TOUCHED;
		r = ZA_ERR_TIMEOUT;
		break;
	case FIDO_ERR_NO_CREDENTIALS:
	case FIDO_ERR_INVALID_CREDENTIAL:
		*why = ZA_FIDO2_R_NO_CREDENTIAL;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_CREDENTIAL_EXCLUDED:
		*why = ZA_FIDO2_R_EXCLUDED;
		r = ZA_ERR_EXISTS;
		break;
	case FIDO_ERR_INVALID_SIG:
		*why = ZA_FIDO2_R_BAD_SIGNATURE;
		r = ZA_ERR_AUTH;
		break;
	case FIDO_ERR_UNSUPPORTED_OPTION:
	case FIDO_ERR_INVALID_OPTION:
	case FIDO_ERR_UNSUPPORTED_ALGORITHM:
	case FIDO_ERR_UNSUPPORTED_EXTENSION:
		*why = ZA_FIDO2_R_UNSUPPORTED;
		r = ZA_ERR_DENIED;
		break;
	case FIDO_ERR_NOTFOUND:
		*why = ZA_FIDO2_R_NO_DEVICE;
		r = ZA_ERR_NOT_FOUND;
		break;
	case FIDO_ERR_RX:
	case FIDO_ERR_TX:
		/* libfido2 gives up on a silent device with an rx error. */
		if (timed_out) {
			*why = ZA_FIDO2_R_NOT_TOUCHED;
			r = ZA_ERR_TIMEOUT;
		} else {
			*why = ZA_FIDO2_R_DEVICE;
			r = ZA_ERR_IO;
		}
		break;
	default:
		*why = ZA_FIDO2_R_DEVICE;
		r = ZA_ERR_IO;
		break;
	}
	return r;
}

void
za_fido2_note_retries(struct za_fido2_dev *d, struct za_fido2_result *res)
{
	int n = -1;

	if (res == NULL || d == NULL || d->dev == NULL ||
	    fido_dev_set_timeout(d->dev, RETRY_QUERY_MS) != FIDO_OK)
		return;
	switch (res->reason) {
	case ZA_FIDO2_R_PIN_INVALID:
	case ZA_FIDO2_R_PIN_AUTH_BLOCKED:
	case ZA_FIDO2_R_PIN_BLOCKED:
		if (fido_dev_get_retry_count(d->dev, &n) == FIDO_OK)
			res->retries = n;
		break;
	case ZA_FIDO2_R_UV_FAILED:
	case ZA_FIDO2_R_UV_BLOCKED:
		if (fido_dev_get_uv_retry_count(d->dev, &n) == FIDO_OK)
			res->retries = n;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ time */
uint64_t
za_fido2_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
za_fido2_timed_out(uint64_t t0, int budget_ms)
{
	return za_fido2_now_ms() - t0 + ZA_FIDO2_TIMEOUT_SLACK_MS >=
	    (uint64_t)budget_ms;
}

int
za_fido2_touch_failed(struct za_fido2_dev *d, int fr, uint64_t t0,
    int budget_ms, const char *what, struct za_fido2_result *res,
    const struct za_log *lg, const char *func)
{
	enum za_fido2_reason why;
	int r;

	r = za_fido2_map_error(fr, za_fido2_timed_out(t0, budget_ms), &why);
	za_fido2_fail(res, why, fr, lg, LOG_NOTICE, func, "the key on %s %s: %s",
	    d->path, what, za_fido2_reason_name(why));
	za_fido2_note_retries(d, res);
	if (r == ZA_ERR_TIMEOUT)
		(void)fido_dev_cancel(d->dev);
	return r;
}

int
za_fido2_ms_left(uint64_t deadline)
{
	uint64_t now = za_fido2_now_ms();

	if (now >= deadline)
		return 0;
	if (deadline - now > (uint64_t)ZA_FIDO2_TIMEOUT_MAX_MS)
		return ZA_FIDO2_TIMEOUT_MAX_MS;
	return (int)(deadline - now);
}

int
za_fido2_timeout_ok(int timeout_ms)
{
	return timeout_ms > 0 && timeout_ms <= ZA_FIDO2_TIMEOUT_MAX_MS;
}

int
za_fido2_rp_id_ok(const char *rp_id, const struct za_log *lg)
{
	size_t i;

	if (rp_id == NULL || *rp_id == '\0')
		goto bad;
	for (i = 0; rp_id[i] != '\0'; i++)
		if (i >= ZA_RP_ID_MAX || rp_id[i] <= 0x20 || rp_id[i] >= 0x7f)
			goto bad;
	return 1;
bad:
	za_error(lg, "relying party id: 1..%d printable ASCII characters "
	    "without spaces required", ZA_RP_ID_MAX);
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ devices */
static void
copy_str(char *dst, size_t dstsz, const char *src)
{
	size_t n;

	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
za_fido2_find_devices(int timeout_ms, struct za_fido2_devinfo *out,
    size_t max, size_t *n, const struct za_log *lg)
{
	fido_dev_info_t *devs = NULL;
	const fido_dev_info_t *di;
	const char *path;
	uint64_t deadline;
	size_t found = 0, i, k;
	int fr, r = ZA_ERR_ARG;

	if (n != NULL)
		*n = 0;
	if (out == NULL || n == NULL || max == 0 ||
	    max > ZA_FIDO2_MAX_DEVICES || timeout_ms < 0 ||
	    timeout_ms > ZA_FIDO2_TIMEOUT_MAX_MS)
		goto out;
	za_fido2_setup();
	r = ZA_ERR_NOMEM;
	if ((devs = fido_dev_info_new(max)) == NULL)
		goto out;
	deadline = za_fido2_now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		found = 0;
		if ((fr = fido_dev_info_manifest(devs, max, &found)) !=
		    FIDO_OK) {
			za_error(lg, "cannot list FIDO devices: %s",
			    fido_strerr(fr));
			r = ZA_ERR_IO;
			goto out;
		}
		if (found > 0 || za_fido2_ms_left(deadline) == 0)
			break;
		sleep_ms(za_fido2_ms_left(deadline) < POLL_MS ?
		    za_fido2_ms_left(deadline) : POLL_MS);
	}
	for (i = 0, k = 0; i < found && i < max; i++) {
		if ((di = fido_dev_info_ptr(devs, i)) == NULL ||
		    (path = fido_dev_info_path(di)) == NULL ||
		    *path == '\0' || strlen(path) > ZA_FIDO2_PATH_MAX) {
			za_warn(lg, "skipping a FIDO device with an unusable "
			    "path");
			continue;
		}
		memset(&out[k], 0, sizeof(out[k]));
		copy_str(out[k].path, sizeof(out[k].path), path);
		copy_str(out[k].manufacturer, sizeof(out[k].manufacturer),
		    fido_dev_info_manufacturer_string(di));
		copy_str(out[k].product, sizeof(out[k].product),
		    fido_dev_info_product_string(di));
		out[k].vendor_id = (uint16_t)fido_dev_info_vendor(di);
		out[k].product_id = (uint16_t)fido_dev_info_product(di);
		k++;
	}
	*n = k;
	za_debug(lg, "%zu FIDO device(s) found", k);
	r = ZA_OK;
out:
	if (devs != NULL)
		fido_dev_info_free(&devs, max);
	return r;
}

void
za_fido2_dev_close(struct za_fido2_dev **dp)
{
	struct za_fido2_dev *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	if (d->dev != NULL) {
		(void)fido_dev_close(d->dev);
		fido_dev_free(&d->dev);
	}
	fido_cbor_info_free(&d->info);
	free(d);
	*dp = NULL;
}

int
za_fido2_dev_open(const char *path, int timeout_ms,
    struct za_fido2_dev **out, struct za_fido2_result *res,
    const struct za_log *lg)
{
	struct za_fido2_dev *d = NULL;
	enum za_fido2_reason why;
	uint64_t t0;
	int fr, r = ZA_ERR_ARG;

	za_fido2_result_clear(res);
	if (out != NULL)
		*out = NULL;
	if (path == NULL || *path == '\0' ||
	    strlen(path) > ZA_FIDO2_PATH_MAX || out == NULL ||
	    !za_fido2_timeout_ok(timeout_ms))
		goto out;
	za_fido2_setup();
	r = ZA_ERR_NOMEM;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->dev = fido_dev_new()) == NULL)
		goto out;
	copy_str(d->path, sizeof(d->path), path);
	t0 = za_fido2_now_ms();
	/* The bound applies to CTAPHID INIT and getInfo inside the open. */
	if ((fr = fido_dev_set_timeout(d->dev, timeout_ms)) != FIDO_OK ||
	    (fr = fido_dev_open(d->dev, path)) != FIDO_OK) {
		r = za_fido2_map_error(fr,
		    za_fido2_timed_out(t0, timeout_ms), &why);
		if (r != ZA_ERR_TIMEOUT) {
			r = ZA_ERR_NOT_FOUND;
			why = ZA_FIDO2_R_NO_DEVICE;
		}
		za_fido2_fail(res, why, fr, lg, LOG_NOTICE, __func__,
		    "cannot open FIDO device %s", path);
		goto out;
	}
	if (fido_dev_is_fido2(d->dev)) {
		if ((d->info = fido_cbor_info_new()) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		if ((fr = fido_dev_get_cbor_info(d->dev, d->info)) !=
		    FIDO_OK) {
			r = za_fido2_map_error(fr,
			    za_fido2_timed_out(t0, timeout_ms), &why);
			za_fido2_fail(res, why, fr, lg, LOG_NOTICE, __func__,
			    "FIDO device %s does not answer getInfo", path);
			goto out;
		}
	}
	*out = d;
	d = NULL;
	r = ZA_OK;
out:
	/* fido_dev_close() of a device that did not open is harmless. */
	za_fido2_dev_close(&d);
	if (r == ZA_ERR_ARG)
		za_error(lg, "invalid device path or timeout");
	return r;
}

int
za_fido2_dev_open_first(int timeout_ms, struct za_fido2_dev **out,
    struct za_fido2_result *res, const struct za_log *lg)
{
	struct za_fido2_devinfo devs[ZA_FIDO2_MAX_DEVICES];
	uint64_t deadline;
	size_t n = 0;
	int left, r = ZA_ERR_ARG;

	za_fido2_result_clear(res);
	if (out != NULL)
		*out = NULL;
	if (out == NULL || !za_fido2_timeout_ok(timeout_ms))
		goto out;
	deadline = za_fido2_now_ms() + (uint64_t)timeout_ms;
	if ((r = za_fido2_find_devices(timeout_ms, devs, ZA_FIDO2_MAX_DEVICES,
	    &n, lg)) != ZA_OK)
		goto out;
	if (n == 0) {
		r = ZA_ERR_NOT_FOUND;
		za_fido2_fail(res, ZA_FIDO2_R_NO_DEVICE, FIDO_OK, lg,
		    LOG_NOTICE, __func__, "no FIDO security key found");
		goto out;
	}
	/* Opening needs a moment even when the wait used up the budget. */
	if ((left = za_fido2_ms_left(deadline)) < 1000)
		left = 1000;
	r = za_fido2_dev_open(devs[0].path, left, out, res, lg);
out:
	return r;
}

const char *
za_fido2_dev_path(const struct za_fido2_dev *d)
{
	return d != NULL ? d->path : NULL;
}

int
za_fido2_dev_caps(const struct za_fido2_dev *d, struct za_fido2_caps *caps)
{
	const unsigned char *ag;
	size_t i, nalg;
	int cose, seen_es256 = 0, r = ZA_ERR_ARG;

	if (d == NULL || d->dev == NULL || caps == NULL)
		goto out;
	memset(caps, 0, sizeof(*caps));
	caps->fido2 = fido_dev_is_fido2(d->dev);
	caps->pin_supported = fido_dev_supports_pin(d->dev);
	caps->pin_set = fido_dev_has_pin(d->dev);
	caps->uv_builtin = fido_dev_has_uv(d->dev);
	caps->es256 = 1;
	if (d->info != NULL) {
		nalg = fido_cbor_info_algorithm_count(d->info);
		if (nalg > 0)
			caps->es256 = 0;
		for (i = 0; i < nalg; i++) {
			cose = fido_cbor_info_algorithm_cose(d->info, i);
			if (cose == COSE_ES256) {
				caps->es256 = 1;
				seen_es256 = 1;
			} else if (cose == COSE_EDDSA) {
				if (!caps->eddsa && !seen_es256)
					caps->prefers_eddsa = 1;
				caps->eddsa = 1;
			}
		}
		if (fido_cbor_info_aaguid_len(d->info) == ZA_AAGUID_LEN &&
		    (ag = fido_cbor_info_aaguid_ptr(d->info)) != NULL)
			memcpy(caps->aaguid, ag, ZA_AAGUID_LEN);
		caps->max_creds_in_list =
		    (size_t)fido_cbor_info_maxcredcntlst(d->info);
		caps->max_cred_id_len =
		    (size_t)fido_cbor_info_maxcredidlen(d->info);
	}
	r = ZA_OK;
out:
	return r;
}

int
za_fido2_dev_pin_retries(struct za_fido2_dev *d, int timeout_ms,
    int *retries, struct za_fido2_result *res, const struct za_log *lg)
{
	enum za_fido2_reason why;
	uint64_t t0;
	int fr, n = -1, r = ZA_ERR_ARG;

	za_fido2_result_clear(res);
	if (retries != NULL)
		*retries = -1;
	if (d == NULL || d->dev == NULL || retries == NULL ||
	    !za_fido2_timeout_ok(timeout_ms))
		goto out;
	za_fido2_setup();
	t0 = za_fido2_now_ms();
	if ((fr = fido_dev_set_timeout(d->dev, timeout_ms)) != FIDO_OK ||
	    (fr = fido_dev_get_retry_count(d->dev, &n)) != FIDO_OK) {
		r = za_fido2_map_error(fr, za_fido2_timed_out(t0, timeout_ms),
		    &why);
		za_fido2_fail(res, why, fr, lg, LOG_NOTICE, __func__,
		    "cannot read the PIN retry counter of %s", d->path);
		goto out;
	}
	*retries = n;
	if (res != NULL)
		res->retries = n;
	r = ZA_OK;
out:
	return r;
}

/* ------------------------------------------------------------------ keys */
int
za_fido2_pubkey_from_raw(int alg, const unsigned char *raw, size_t len,
    unsigned char **der, size_t *derlen, const struct za_log *lg)
{
	es256_pk_t *es = NULL;
	eddsa_pk_t *ed = NULL;
	rs256_pk_t *rs = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *buf = NULL, *p;
	int n, r = ZA_ERR_ARG;

	if (der != NULL)
		*der = NULL;
	if (derlen != NULL)
		*derlen = 0;
	if (raw == NULL || len == 0 || der == NULL || derlen == NULL)
		goto out;
	/* libfido2's *_from_ptr() ignore trailing bytes: insist on sizes. */
	r = ZA_ERR_PARSE;
	if ((alg == ZA_COSE_ES256 && len != 64 && (len != 65 ||
	    raw[0] != 0x04)) || (alg == ZA_COSE_EDDSA && len != 32) ||
	    (alg == ZA_COSE_RS256 && len != 259))
		goto bad;
	r = ZA_ERR_NOMEM;
	switch (alg) {
	case ZA_COSE_ES256:
		if ((es = es256_pk_new()) == NULL)
			goto out;
		r = ZA_ERR_PARSE;
		if (es256_pk_from_ptr(es, raw, len) != FIDO_OK ||
		    (pkey = es256_pk_to_EVP_PKEY(es)) == NULL)
			goto bad;
		break;
	case ZA_COSE_EDDSA:
		if ((ed = eddsa_pk_new()) == NULL)
			goto out;
		r = ZA_ERR_PARSE;
		if (eddsa_pk_from_ptr(ed, raw, len) != FIDO_OK ||
		    (pkey = eddsa_pk_to_EVP_PKEY(ed)) == NULL)
			goto bad;
		break;
	case ZA_COSE_RS256:
		if ((rs = rs256_pk_new()) == NULL)
			goto out;
		r = ZA_ERR_PARSE;
		if (rs256_pk_from_ptr(rs, raw, len) != FIDO_OK ||
		    (pkey = rs256_pk_to_EVP_PKEY(rs)) == NULL)
			goto bad;
		break;
	default:
		r = ZA_ERR_ARG;
		za_error(lg, "COSE algorithm %d not supported", alg);
		goto out;
	}
	r = ZA_ERR_CRYPTO;
	if ((n = i2d_PUBKEY(pkey, NULL)) <= 0)
		goto out;
	if (n > ZA_PUBKEY_MAX) {
		r = ZA_ERR_TOO_LARGE;
		za_error(lg, "public key: %d bytes of DER, at most %d", n,
		    ZA_PUBKEY_MAX);
		goto out;
	}
	r = ZA_ERR_NOMEM;
	if ((buf = malloc((size_t)n)) == NULL)
		goto out;
	p = buf;
	r = ZA_ERR_CRYPTO;
	if (i2d_PUBKEY(pkey, &p) != n)
		goto out;
	*der = buf;
	*derlen = (size_t)n;
	buf = NULL;
	r = ZA_OK;
	goto out;
bad:
	za_error(lg, "public key: not a valid %zu-byte key for COSE "
	    "algorithm %d", len, alg);
out:
	free(buf);
	EVP_PKEY_free(pkey);
	es256_pk_free(&es);
	eddsa_pk_free(&ed);
	rs256_pk_free(&rs);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ counter */
int
za_fido2_counter_check(uint32_t stored, uint32_t reported)
{
	if (stored == 0 && reported == 0)
		return ZA_OK;
	return reported > stored ? ZA_OK : ZA_ERR_DENIED;
}
