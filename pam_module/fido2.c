/*
 * The FIDO2 security-key method: possession by the touch, plus knowledge
 * when the key checks its PIN, or inherence when it verifies the user
 * itself (a fingerprint).
 *
 * What happens depends only on the rule, the configuration and the key
 * that is plugged in, never on what the user has enrolled: the first key
 * found is used; it is asked for built-in verification or its PIN as the
 * plan and fido2.require_uv say and as the key can do; a user who is
 * unknown, or has no usable credential, gets the same prompts and the
 * same touch, against a random credential id that no key holds, and
 * fails like a user whose key is not registered.
 *
 * Usable credentials: status active (revoked and cloned ones are never
 * loaded), made for fido2.rp_id, and of a key model (AAGUID) on the
 * fido2.aaguids allowlist when there is one.  The assertion is verified
 * by the library (signature with the stored public key, UP and requested
 * UV flags, the clone rule for the signature counter); storing the new
 * counter (compare-and-swap) and marking a clone are separate steps the
 * flow takes (auth.c), in the directory for a directory credential and
 * under the store's exclusive lock for a file-store one.  PINs are wiped
 * after use and never logged.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_fido2.h"
#include "za_log.h"
#include "za_model.h"
#include "za_pam.h"
#include "za_policy.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_storefile.h"

#define _(s)	za_pam_text(s)

#define ZA_PAM_DUMMY_ID_MAX	64	/* bytes of the random credential id */
#define ZA_PAM_DUMMY_KEY_LEN	65	/* bytes of its (never used) key */
#define ZA_PAM_CRED_PREFIX	4	/* credential id bytes logged */

static int
za_pam_aaguid_allowed(const struct za_fido2_config *f,
    const unsigned char *aaguid)
{
	size_t i;

	if (f->naaguids == 0)
		return 1;
	for (i = 0; i < f->naaguids; i++)
		if (memcmp(f->aaguids[i], aaguid, ZA_AAGUID_LEN) == 0)
			return 1;
	return 0;
}

static void
za_pam_aaguid_text(const unsigned char *aaguid, char *buf, size_t bufsz)
{
	if (za_aaguid_format(aaguid, buf, bufsz) != ZA_OK)
		snprintf(buf, bufsz, "-");
}

/*
 * The user's usable credentials into v[0..*n); a credential of a key
 * model outside the allowlist is logged and left out.
 */
static void
za_pam_usable(struct za_pam_ctx *ctx, struct za_pam_user *pu,
    struct za_fido2_cred **v, size_t *n)
{
	struct za_fido2_cred *c;
	char aaguid[ZA_AAGUID_TEXT_LEN + 1];
	size_t i;

	*n = 0;
	for (i = 0; pu != NULL && i < pu->fido2.n && *n < ZA_FIDO2_MAX_CREDS;
	    i++) {
		c = pu->fido2.v[i];
		if (c == NULL || c->status != ZA_TOKEN_ACTIVE ||
		    c->rp_id == NULL || (c->dn == NULL && c->owner == NULL))
			continue;
		if (strcmp(c->rp_id, ctx->cfg->fido2.rp_id) != 0) {
			za_debug(&ctx->log, "fido2: token %s is for relying "
			    "party %s, not %s; skipped", c->id, c->rp_id,
			    ctx->cfg->fido2.rp_id);
			continue;
		}
		if (!za_pam_aaguid_allowed(&ctx->cfg->fido2, c->aaguid)) {
			za_pam_aaguid_text(c->aaguid, aaguid, sizeof(aaguid));
			pam_syslog(ctx->pamh, LOG_NOTICE, "fido2: user=%s "
			    "token=%s: key model %s is not in fido2.aaguids; "
			    "credential not usable", ctx->user, c->id, aaguid);
			continue;
		}
		v[(*n)++] = c;
	}
}

/*
 * A credential no key holds: a random id of a length the key accepts
 * and random bytes for a public key that is never used.
 */
static int
za_pam_dummy_cred(const struct za_pam_ctx *ctx,
    const struct za_fido2_caps *caps, struct za_fido2_cred **out)
{
	struct za_fido2_cred *c = NULL;
	size_t idlen = ZA_PAM_DUMMY_ID_MAX;
	int r;

	*out = NULL;
	if (caps->max_cred_id_len > 0 && caps->max_cred_id_len < idlen)
		idlen = caps->max_cred_id_len;
	if ((r = za_fido2_cred_new(&c)) != ZA_OK)
		goto out;
	r = ZA_ERR_NOMEM;
	if ((c->id = strdup("-")) == NULL ||
	    (c->rp_id = strdup(ctx->cfg->fido2.rp_id)) == NULL ||
	    (c->cred_id = malloc(idlen)) == NULL ||
	    (c->pubkey = malloc(ZA_PAM_DUMMY_KEY_LEN)) == NULL)
		goto out;
	c->cred_id_len = idlen;
	c->pubkey_len = ZA_PAM_DUMMY_KEY_LEN;
	c->status = ZA_TOKEN_ACTIVE;
	c->alg = ZA_COSE_ES256;
	c->uv = ZA_UV_NONE;
	if ((r = za_random(c->cred_id, idlen)) != ZA_OK ||
	    (r = za_random(c->pubkey, ZA_PAM_DUMMY_KEY_LEN)) != ZA_OK)
		goto out;
	*out = c;
	c = NULL;
	r = ZA_OK;
out:
	za_fido2_cred_free(&c);
	return r;
}

/*
 * What the key must verify: the plan's, raised to "either" by
 * fido2.require_uv, fitted to the key (built-in verification first).
 * ZA_ERR_DENIED when the key cannot give it; *need then says what was
 * needed.
 */
static int
za_pam_choose_uv(const struct za_pam_ctx *ctx, const struct za_plan *plan,
    const struct za_fido2_caps *caps, enum za_uv_kind *uv, const char **need)
{
	enum za_plan_uv want = plan->uv;

	if (want == ZA_PLAN_UV_NONE && ctx->cfg->fido2.require_uv)
		want = ZA_PLAN_UV_EITHER;
	*need = want == ZA_PLAN_UV_PIN ? "PIN" : want == ZA_PLAN_UV_BUILTIN ?
	    "built-in verification" : "built-in verification or PIN";
	switch (want) {
	case ZA_PLAN_UV_NONE:
		*uv = ZA_UV_NONE;
		return ZA_OK;
	case ZA_PLAN_UV_PIN:
		*uv = ZA_UV_PIN;
		return caps->pin_set ? ZA_OK : ZA_ERR_DENIED;
	case ZA_PLAN_UV_BUILTIN:
		*uv = ZA_UV_BUILTIN;
		return caps->uv_builtin ? ZA_OK : ZA_ERR_DENIED;
	case ZA_PLAN_UV_EITHER:
		*uv = caps->uv_builtin ? ZA_UV_BUILTIN : ZA_UV_PIN;
		return caps->uv_builtin || caps->pin_set ? ZA_OK :
		    ZA_ERR_DENIED;
	}
	return ZA_ERR_DENIED;
}

static const char *
za_pam_uv_name(enum za_uv_kind uv)
{
	const char *s = "?";

	(void)za_uv_kind_to_string(uv, &s);
	return s;
}

/* Tell the user what went wrong, where the key alone decides it. */
static void
za_pam_key_say(struct za_pam_ctx *ctx, const struct za_fido2_result *res)
{
	switch (res->reason) {
	case ZA_FIDO2_R_NOT_TOUCHED:
		za_pam_error(ctx, "%s", _("The security key was not touched in "
		    "time."));
		break;
	case ZA_FIDO2_R_NO_DEVICE:
		za_pam_error(ctx, "%s", _("No security key was found."));
		break;
	case ZA_FIDO2_R_PIN_INVALID:
		za_pam_error(ctx, "%s", _("Wrong PIN for the security key."));
		if (res->retries >= 0)
			za_pam_error(ctx, za_pam_ntext("%d PIN attempt is left "
			    "before the security key blocks its PIN.",
			    "%d PIN attempts are left before the security key "
			    "blocks its PIN.", (unsigned long)res->retries),
			    res->retries);
		break;
	case ZA_FIDO2_R_PIN_AUTH_BLOCKED:
		za_pam_error(ctx, "%s", _("Too many wrong PINs: remove the "
		    "security key, insert it again and retry."));
		break;
	case ZA_FIDO2_R_PIN_BLOCKED:
		za_pam_error(ctx, "%s", _("The PIN of this security key is "
		    "blocked. Contact the ID administrator."));
		break;
	case ZA_FIDO2_R_UV_FAILED:
	case ZA_FIDO2_R_UV_BLOCKED:
		za_pam_error(ctx, "%s", _("The security key did not recognise "
		    "your fingerprint."));
		break;
	case ZA_FIDO2_R_PIN_NOT_SET:
	case ZA_FIDO2_R_UV_UNSUPPORTED:
		za_pam_error(ctx, "%s", _("This security key cannot check a "
		    "fingerprint or a PIN, which this login requires."));
		break;
	default:
		/* No credential on the key, refused, bad signature ...: the
		 * flow's "Authentication failed." says enough. */
		break;
	}
}

/* The attempt's syslog line for the key step. */
static void
za_pam_key_log(struct za_pam_ctx *ctx, int known,
    const struct za_fido2_caps *caps, const struct za_pam_key *k,
    uint32_t count, const char *result)
{
	char aaguid[ZA_AAGUID_TEXT_LEN + 1], cred[2 * ZA_PAM_CRED_PREFIX + 4];
	const struct za_fido2_cred *c = k->cred;
	size_t i, n;

	if (c != NULL)
		za_pam_aaguid_text(c->aaguid, aaguid, sizeof(aaguid));
	else if (caps != NULL)
		za_pam_aaguid_text(caps->aaguid, aaguid, sizeof(aaguid));
	else
		snprintf(aaguid, sizeof(aaguid), "-");
	snprintf(cred, sizeof(cred), "-");
	if (c != NULL && c->cred_id != NULL) {
		n = c->cred_id_len < ZA_PAM_CRED_PREFIX ? c->cred_id_len :
		    ZA_PAM_CRED_PREFIX;
		for (i = 0; i < n; i++)
			snprintf(cred + 2 * i, sizeof(cred) - 2 * i, "%02x",
			    c->cred_id[i]);
		snprintf(cred + 2 * n, sizeof(cred) - 2 * n, "..");
	}
	pam_syslog(ctx->pamh, k->proves != 0 ? LOG_INFO : LOG_NOTICE,
	    "fido2: user=%s terminal=%s token=%s aaguid=%s credential=%s "
	    "uv=%s counter=%" PRIu32 " result=%s reason=%s",
	    za_pam_log_name(ctx, known), ctx->terminal,
	    c != NULL && c->id != NULL ? c->id : "-", aaguid, cred,
	    za_pam_uv_name(k->asked), count, result,
	    k->why[0] != '\0' ? k->why : "-");
}

int
za_pam_fido2_present(struct za_pam_ctx *ctx)
{
	const struct za_fido2_plugin *fp = za_pam_fido2_plugin(ctx);
	struct za_fido2_devinfo info;
	size_t n = 0;

	if (fp == NULL || fp->find_devices(0, &info, 1, &n, &ctx->log) !=
	    ZA_OK)
		return 0;
	return n > 0;
}

int
za_pam_fido2_login(struct za_pam_ctx *ctx, struct za_pam_user *pu,
    const struct za_plan *plan, struct za_pam_key *out)
{
	const struct za_fido2_plugin *fp = za_pam_fido2_plugin(ctx);
	struct za_fido2_cred *creds[ZA_FIDO2_MAX_CREDS];
	struct za_fido2_cred *dummy = NULL;
	struct za_fido2_dev *dev = NULL;
	struct za_fido2_caps caps;
	struct za_fido2_auth_req req;
	struct za_fido2_assertion as;
	struct za_fido2_result res;
	const struct za_fido2_caps *capsp = NULL;
	const char *result = "failure", *need = "";
	char *pin = NULL;
	size_t ncreds = 0;
	int timeout = ctx->cfg->fido2.touch_timeout_ms, r;

	memset(out, 0, sizeof(*out));
	memset(&as, 0, sizeof(as));
	memset(&caps, 0, sizeof(caps));
	out->asked = ZA_UV_NONE;
	if (fp == NULL) {
		snprintf(out->why, sizeof(out->why), "FIDO2 plug-in not "
		    "loaded");
		za_pam_error(ctx, "%s", _("Security keys cannot be used on "
		    "this terminal now. Contact the ID administrator."));
		r = ZA_OK;
		goto out;
	}
	za_pam_usable(ctx, pu, creds, &ncreds);
	if (!za_pam_fido2_present(ctx))
		za_pam_info(ctx, "%s", _("Insert your security key."));
	r = fp->dev_open_first(timeout, &dev, &res, &ctx->log);
	if (r == ZA_ERR_NOMEM)
		goto out;
	if (r != ZA_OK) {
		snprintf(out->why, sizeof(out->why), "no security key");
		za_pam_error(ctx, "%s", _("No security key was found."));
		r = ZA_OK;
		goto out;
	}
	if ((r = fp->dev_caps(dev, &caps)) != ZA_OK)
		goto out;
	capsp = &caps;
	if (za_pam_choose_uv(ctx, plan, &caps, &out->asked, &need) != ZA_OK) {
		snprintf(out->why, sizeof(out->why), "security key cannot "
		    "verify the user (%s needed)", need);
		za_pam_error(ctx, "%s", _("This security key cannot check a "
		    "fingerprint or a PIN, which this login requires."));
		goto out;
	}
	if (ncreds == 0) {
		if ((r = za_pam_dummy_cred(ctx, &caps, &dummy)) != ZA_OK)
			goto out;
		creds[ncreds++] = dummy;
	}
	if (out->asked == ZA_UV_PIN) {
		if ((r = za_pam_ask(ctx, 0, _("Security key PIN: "), &pin)) !=
		    ZA_OK)
			goto out;
		if (*pin == '\0') {
			snprintf(out->why, sizeof(out->why), "security key: "
			    "empty PIN");
			za_pam_error(ctx, "%s", _("Wrong PIN for the security "
			    "key."));
			goto out;
		}
	}
	za_pam_info(ctx, "%s", out->asked == ZA_UV_BUILTIN ?
	    _("Touch the fingerprint sensor of your security key.") :
	    _("Touch your security key."));
	memset(&req, 0, sizeof(req));
	req.rp_id = ctx->cfg->fido2.rp_id;
	req.creds = creds;
	req.ncreds = ncreds;
	req.need = out->asked;
	req.pin = out->asked == ZA_UV_PIN ? pin : NULL;
	req.timeout_ms = timeout;
	r = fp->authenticate(dev, &req, &as, &res, &ctx->log);
	za_free_secret_str(&pin);
	if (r == ZA_ERR_NOMEM)
		goto out;
	if (as.index < ncreds && creds[as.index] != dummy &&
	    (r == ZA_OK || (r == ZA_ERR_DENIED &&
	    res.reason == ZA_FIDO2_R_CLONED)))
		out->cred = creds[as.index];
	if (r == ZA_OK && out->cred != NULL) {
		out->proves = as.proves;
		out->new_count = as.sign_count;
		result = "verified";
	} else if (r == ZA_ERR_DENIED && out->cred != NULL) {
		out->cloned = 1;
		out->new_count = as.sign_count;
		snprintf(out->why, sizeof(out->why), "cloned security key "
		    "(signature counter %" PRIu32 " after %" PRIu32 ")",
		    as.sign_count, out->cred->sign_count);
		result = "cloned";
	} else {
		snprintf(out->why, sizeof(out->why), "security key: %s",
		    fp->reason_name(r == ZA_OK ?
		    ZA_FIDO2_R_NO_CREDENTIAL : res.reason));
		za_pam_key_say(ctx, &res);
	}
	r = ZA_OK;
out:
	if (r == ZA_OK)
		za_pam_key_log(ctx, pu != NULL, capsp, out, as.sign_count,
		    result);
	za_free_secret_str(&pin);
	if (fp != NULL)
		fp->dev_close(&dev);
	za_fido2_cred_free(&dummy);
	return r;
}

int
za_pam_fido2_commit(struct za_pam_ctx *ctx, const struct za_pam_key *k)
{
	char oldv[16], newv[16];

	if (k->cred == NULL || (k->cred->dn == NULL &&
	    (k->cred->owner == NULL || ctx->cfg->store_path == NULL)))
		return ZA_ERR_ARG;
	/* Both 0: a key without a counter; there is nothing to advance. */
	if (k->new_count == k->cred->sign_count)
		return ZA_OK;
	if (k->cred->dn == NULL)
		return za_storefile_fido2_advance(ctx->cfg->store_path,
		    geteuid(), k->cred->id, k->cred->sign_count, k->new_count,
		    &ctx->log);
	snprintf(oldv, sizeof(oldv), "%" PRIu32, k->cred->sign_count);
	snprintf(newv, sizeof(newv), "%" PRIu32, k->new_count);
	return za_dir_cas(ctx->dir, k->cred->dn, ZA_AT_FIDO2_SIGN_COUNT, oldv,
	    newv);
}

int
za_pam_fido2_mark_cloned(struct za_pam_ctx *ctx, const struct za_pam_key *k)
{
	char aaguid[ZA_AAGUID_TEXT_LEN + 1];
	const char *status = "active", *cloned = "cloned";
	int r;

	if (k->cred == NULL || (k->cred->dn == NULL &&
	    (k->cred->owner == NULL || ctx->cfg->store_path == NULL)))
		return ZA_ERR_ARG;
	(void)za_token_status_to_string(ZA_TOKEN_ACTIVE, &status);
	(void)za_token_status_to_string(ZA_TOKEN_CLONED, &cloned);
	za_pam_aaguid_text(k->cred->aaguid, aaguid, sizeof(aaguid));
	if (k->cred->dn == NULL)
		r = za_storefile_fido2_mark_cloned(ctx->cfg->store_path,
		    geteuid(), k->cred->id, &ctx->log);
	else
		r = za_dir_cas(ctx->dir, k->cred->dn, ZA_AT_TOKEN_STATUS,
		    status, cloned);
	/* A conflict: someone changed the status first (revoked it). */
	pam_syslog(ctx->pamh, LOG_ERR, "fido2: user=%s token=%s aaguid=%s: "
	    "signature counter %" PRIu32 " is not above the stored %" PRIu32
	    ": the key may have been cloned; %s", ctx->user, k->cred->id,
	    aaguid, k->new_count, k->cred->sign_count, r == ZA_OK ?
	    "credential marked cloned" : r == ZA_ERR_CONFLICT ?
	    "its status had changed already" : za_strerror(r));
	return r == ZA_ERR_CONFLICT ? ZA_OK : r;
}
