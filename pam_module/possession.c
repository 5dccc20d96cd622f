/*
 * The TOTP and HOTP methods (possession).
 *
 * A code is checked against every usable token of the user (every token
 * is computed whatever matches, and an unknown user or one without
 * tokens is checked against a random dummy token), and nothing is stored
 * until the login has passed every other check.  Then the accepted time
 * step or counter is stored with a compare-and-swap: in the directory the
 * single modify that deletes the old value and adds the new one (added
 * under an assertion when there was none), in the file store a
 * re-read-and-compare under the store's exclusive lock.  Whoever stores
 * it first wins; every other terminal presenting the same code, at the
 * same time or later, gets ZA_ERR_CONFLICT: a replay.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_log.h"
#include "za_model.h"
#include "za_otp.h"
#include "za_pam.h"
#include "za_policy.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_storefile.h"

/* Rank verdicts so the log names the most telling one. */
static int
za_pam_verdict_rank(enum za_otp_verdict v)
{
	switch (v) {
	case ZA_OTP_ACCEPTED:
		return 3;
	case ZA_OTP_REPLAYED:
		return 2;
	case ZA_OTP_MISMATCH:
		return 1;
	default:
		return 0;
	}
}

static unsigned int
za_pam_totp_window(const struct za_pam_ctx *ctx, const struct za_otp_token *t)
{
	if (ctx->cfg->otp_window >= 0)
		return (unsigned int)ctx->cfg->otp_window;
	return t->window;
}

static unsigned int
za_pam_hotp_lookahead(const struct za_pam_ctx *ctx,
    const struct za_otp_token *t)
{
	if (ctx->cfg->otp_lookahead >= 0)
		return (unsigned int)ctx->cfg->otp_lookahead;
	return t->lookahead;
}

/* Verify code with one token; returns ZA_OK or a hard error. */
static int
za_pam_otp_one(struct za_pam_ctx *ctx, const struct za_otp_token *t,
    const char *code, enum za_otp_verdict *verdict, uint64_t *value)
{
	struct za_totp_params tp;
	struct za_hotp_params hp;
	int r;

	*verdict = ZA_OTP_MISMATCH;
	if (t->kind == ZA_TOKEN_TOTP) {
		tp.digits = t->digits;
		tp.alg = t->alg;
		tp.period = t->period;
		tp.window = za_pam_totp_window(ctx, t);
		r = za_totp_verify(&tp, t->secret, t->secret_len, code,
		    ctx->now, t->last_step, t->has_last_step, value, verdict);
	} else {
		hp.digits = t->digits;
		hp.alg = t->alg;
		hp.lookahead = za_pam_hotp_lookahead(ctx, t);
		r = za_hotp_verify(&hp, t->secret, t->secret_len, code,
		    t->counter, t->has_counter, value, verdict);
	}
	if (r == ZA_ERR_AUTH)
		return ZA_OK;
	if (r != ZA_OK) {
		za_warn_r(&ctx->log, r, "token %s unusable", t->id);
		*verdict = ZA_OTP_MISMATCH;
		return r == ZA_ERR_RANGE ? ZA_OK : r;
	}
	return ZA_OK;
}

/* The cost of one TOTP check, spent on a random secret. */
static int
za_pam_otp_dummy(struct za_pam_ctx *ctx, const char *code)
{
	struct za_totp_params tp;
	unsigned char secret[20];
	enum za_otp_verdict v;
	uint64_t step = 0;
	size_t n = strlen(code);
	int r;

	if ((r = za_random(secret, sizeof(secret))) != ZA_OK)
		return r;
	tp.digits = n >= ZA_OTP_DIGITS_MIN && n <= ZA_OTP_DIGITS_MAX ?
	    (unsigned int)n : ZA_OTP_DIGITS_MIN;
	tp.alg = ZA_OTP_SHA1;
	tp.period = 30;
	tp.window = ctx->cfg->otp_window >= 0 ?
	    (unsigned int)ctx->cfg->otp_window : 1;
	(void)za_totp_verify(&tp, secret, sizeof(secret), code, ctx->now, 0, 0,
	    &step, &v);
	za_wipe(secret, sizeof(secret));
	return ZA_OK;
}

int
za_pam_otp_verify(struct za_pam_ctx *ctx, struct za_pam_user *pu,
    unsigned int methods, const char *code, struct za_pam_otp *out)
{
	struct za_otp_token *t;
	enum za_otp_verdict v;
	uint64_t value = 0;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	out->verdict = ZA_OTP_MALFORMED;
	if (code == NULL)
		code = "";
	for (i = 0; pu != NULL && i < pu->tokens.n; i++) {
		t = pu->tokens.v[i];
		if (t == NULL || t->digits == 0 ||
		    (t->kind == ZA_TOKEN_TOTP &&
		    (methods & ZA_METHOD_TOTP) == 0) ||
		    (t->kind == ZA_TOKEN_HOTP &&
		    (methods & ZA_METHOD_HOTP) == 0))
			continue;
		out->ntokens++;
		if ((r = za_pam_otp_one(ctx, t, code, &v, &value)) != ZA_OK)
			return r;
		/* The first accepting token wins; the others are computed too. */
		if (v == ZA_OTP_ACCEPTED && out->token == NULL) {
			out->token = t;
			out->new_value = value;
		}
		if (za_pam_verdict_rank(v) > za_pam_verdict_rank(out->verdict))
			out->verdict = v;
	}
	if (out->ntokens == 0) {
		if ((r = za_pam_otp_dummy(ctx, code)) != ZA_OK)
			return r;
		out->verdict = ZA_OTP_MISMATCH;
	}
	return ZA_OK;
}

int
za_pam_otp_commit(struct za_pam_ctx *ctx, const struct za_pam_otp *res)
{
	const struct za_otp_token *t = res->token;
	char oldv[24], newv[24];
	const char *attr;
	int had, r;
	uint64_t old;

	if (t == NULL)
		return ZA_ERR_ARG;
	had = t->kind == ZA_TOKEN_TOTP ? t->has_last_step : t->has_counter;
	old = t->kind == ZA_TOKEN_TOTP ? t->last_step : t->counter;
	if (t->dn == NULL)
		return za_storefile_otp_advance(ctx->cfg->store_path,
		    geteuid(), t->id, had, old, res->new_value, &ctx->log);
	attr = t->kind == ZA_TOKEN_TOTP ? ZA_AT_OATH_LAST_STEP :
	    ZA_AT_OATH_HOTP_COUNTER;
	snprintf(oldv, sizeof(oldv), "%" PRIu64, old);
	snprintf(newv, sizeof(newv), "%" PRIu64, res->new_value);
	r = za_dir_cas(ctx->dir, t->dn, attr, had ? oldv : NULL, newv);
	return r;
}
