/*
 * FIDO2 security keys through libfido2: finding and opening devices,
 * enrolment (makeCredential with attestation checks) and authentication
 * (getAssertion, verified against the stored public key), plus the
 * signature-counter rule that detects cloned keys.
 *
 * The PAM module and idmgr call these; what is stored is the model's
 * struct za_fido2_cred (za_model.h).  Nothing here touches the directory:
 * marking a credential cloned and advancing its counter with
 * compare-and-swap is the caller's job (za_dir).
 *
 * libfido2 logging.  libfido2 switches its debug log on by itself when
 * FIDO_DEBUG is in the environment (fido_init() reads it), and that log
 * holds hex dumps of every CTAP message: PIN/UV auth tokens, encrypted
 * PINs, key-agreement shares.  libfido2's log handler has no context
 * argument, so routing it to a za_log sink would need a process-wide
 * mutable pointer; instead every entry point below calls fido_init(0) and
 * then installs a handler that discards every line (libfido2 may keep
 * the handler per thread, so it is installed again on each call, in the
 * calling thread).  With or without FIDO_DEBUG nothing libfido2 logs ever
 * reaches stderr, syslog or a za_log sink (tests/unit/test_fido2.c checks
 * this with FIDO_DEBUG=1 around PIN operations).  Our own diagnostics go to the
 * caller's za_log sink; they never contain a PIN.
 *
 * Errors.  Functions return ZA_OK or a negative ZA_ERR_* code and, when
 * the caller passes a struct za_fido2_result, say why in its reason field
 * (and in one English line, which is also logged):
 *   ZA_ERR_AUTH       the user or key failed: wrong PIN, PIN blocked, built-
 *                     in UV did not match, user refused, no matching
 *                     credential on the key, signature or flags wrong
 *   ZA_ERR_TIMEOUT    the key was not touched (or UV not given) in time
 *   ZA_ERR_NOT_FOUND  no FIDO device present (or it went away at open)
 *   ZA_ERR_DENIED     refused by policy or state: attestation untrusted,
 *                     AAGUID not allowed, key lacks a required feature,
 *                     cloned key (counter did not advance)
 *   ZA_ERR_EXISTS     enrolment: the key already holds an excluded
 *                     credential (it is registered already)
 *   ZA_ERR_IO         device or protocol failure
 *   ZA_ERR_ARG, ZA_ERR_NOMEM, ZA_ERR_CRYPTO, ZA_ERR_PARSE as usual.
 */
#ifndef ZA_FIDO2_H
#define ZA_FIDO2_H

#include <stddef.h>
#include <stdint.h>

#include "za_model.h"

struct za_log;

#define ZA_FIDO2_MAX_DEVICES	16	/* devices listed by discovery */
#define ZA_FIDO2_PATH_MAX	255	/* device path, bytes */
#define ZA_FIDO2_MAX_CREDS	64	/* credentials in one authentication */
#define ZA_FIDO2_TIMEOUT_MAX_MS	600000	/* longest wait accepted */
#define ZA_FIDO2_USER_ID_MAX	64	/* user handle, bytes (CTAP2) */
#define ZA_FIDO2_USER_ID_LEN	32	/* random user handle, bytes */
#define ZA_FIDO2_MSG_MAX	256	/* za_fido2_result.msg */

/* Authenticator data flags (WebAuthn 6.1). */
#define ZA_FIDO2_FLAG_UP	0x01u	/* user present (touched) */
#define ZA_FIDO2_FLAG_UV	0x04u	/* user verified (PIN or built-in) */

/* Why an operation failed; ZA_FIDO2_R_NONE on success. */
enum za_fido2_reason {
	ZA_FIDO2_R_NONE = 0,
	ZA_FIDO2_R_NO_DEVICE,		/* no key present, or it went away */
	ZA_FIDO2_R_NO_CREDENTIAL,	/* the key holds none of the creds */
	ZA_FIDO2_R_PIN_INVALID,		/* wrong PIN (retries: PIN tries left) */
	ZA_FIDO2_R_PIN_BLOCKED,		/* no PIN tries left: key needs reset */
	ZA_FIDO2_R_PIN_AUTH_BLOCKED,	/* too many wrong PINs: reinsert key */
	ZA_FIDO2_R_PIN_NOT_SET,		/* PIN needed but the key has none */
	ZA_FIDO2_R_PIN_REQUIRED,	/* the key demands its PIN */
	ZA_FIDO2_R_UV_FAILED,		/* built-in UV did not match (retries) */
	ZA_FIDO2_R_UV_BLOCKED,		/* built-in UV blocked (use the PIN) */
	ZA_FIDO2_R_UV_UNSUPPORTED,	/* key has no configured built-in UV */
	ZA_FIDO2_R_NOT_TOUCHED,		/* no touch / UV within the timeout */
	ZA_FIDO2_R_DENIED,		/* the user refused on the key */
	ZA_FIDO2_R_BAD_SIGNATURE,	/* assertion does not verify */
	ZA_FIDO2_R_FLAGS,		/* UP or a requested UV flag missing */
	ZA_FIDO2_R_CLONED,		/* signature counter did not advance */
	ZA_FIDO2_R_ATTESTATION,		/* attestation missing or untrusted */
	ZA_FIDO2_R_AAGUID,		/* key model not in the allowlist */
	ZA_FIDO2_R_EXCLUDED,		/* key already registered (excluded) */
	ZA_FIDO2_R_UNSUPPORTED,		/* algorithm or option not supported */
	ZA_FIDO2_R_DEVICE,		/* device or protocol error */
};

/*
 * Details of a failure.  Every function taking one clears it first;
 * retries is -1 unless a PIN or UV failure told how many are left; msg
 * never holds a PIN.
 */
struct za_fido2_result {
	enum za_fido2_reason reason;
	int fido_err;			/* libfido2 code behind it, 0 if none */
	int retries;
	char msg[ZA_FIDO2_MSG_MAX];
};

/* Static short name of a reason ("pin-invalid", ...); never NULL. */
const char *za_fido2_reason_name(enum za_fido2_reason reason);

/* ------------------------------------------------------------------ devices */
struct za_fido2_devinfo {
	char path[ZA_FIDO2_PATH_MAX + 1];
	char manufacturer[64];		/* "" when unknown */
	char product[64];
	uint16_t vendor_id;
	uint16_t product_id;
};

/*
 * List up to max FIDO devices into out[0..*n).  When none is present,
 * look again every 100 ms until timeout_ms (0..ZA_FIDO2_TIMEOUT_MAX_MS)
 * has passed, so a caller can wait for the user to insert a key; 0 looks
 * once.  Returns ZA_OK (*n may be 0), ZA_ERR_ARG, ZA_ERR_NOMEM or
 * ZA_ERR_IO (libfido2 could not enumerate).
 */
int za_fido2_find_devices(int timeout_ms, struct za_fido2_devinfo *out,
    size_t max, size_t *n, const struct za_log *lg);

/* An open device; its getInfo answer is read once at open. */
struct za_fido2_dev;

/*
 * Open the device at path, bounding the open (CTAPHID INIT and getInfo)
 * by timeout_ms (1..ZA_FIDO2_TIMEOUT_MAX_MS).  *out is set on success.
 * ZA_ERR_NOT_FOUND (R_NO_DEVICE) when it cannot be opened, ZA_ERR_TIMEOUT,
 * ZA_ERR_IO, ZA_ERR_ARG, ZA_ERR_NOMEM.
 */
int za_fido2_dev_open(const char *path, int timeout_ms,
    struct za_fido2_dev **out, struct za_fido2_result *res,
    const struct za_log *lg);

/*
 * Wait up to timeout_ms for a device to appear (za_fido2_find_devices)
 * and open the first one listed, with the time that remains.
 * ZA_ERR_NOT_FOUND (R_NO_DEVICE) when there is none.
 */
int za_fido2_dev_open_first(int timeout_ms, struct za_fido2_dev **out,
    struct za_fido2_result *res, const struct za_log *lg);

/* Close and free *dp; NULL and *dp == NULL are fine; sets *dp = NULL. */
void za_fido2_dev_close(struct za_fido2_dev **dp);

/* The path the device was opened with; never NULL for an open device. */
const char *za_fido2_dev_path(const struct za_fido2_dev *d);

/* What an open device can do, from its getInfo answer. */
struct za_fido2_caps {
	int fido2;		/* CTAP2 device (0: U2F only: no PIN, no UV) */
	int pin_supported;	/* clientPin option present */
	int pin_set;		/* a PIN is set */
	int uv_builtin;		/* built-in UV present and configured */
	int es256;		/* ES256 credentials (assumed when unlisted) */
	int eddsa;		/* EdDSA credentials listed */
	int prefers_eddsa;	/* EdDSA listed before ES256 */
	unsigned char aaguid[ZA_AAGUID_LEN];	/* zero when not told */
	size_t max_creds_in_list;	/* 0: not told */
	size_t max_cred_id_len;		/* 0: not told */
};

/* Fill *caps for d.  ZA_OK or ZA_ERR_ARG. */
int za_fido2_dev_caps(const struct za_fido2_dev *d, struct za_fido2_caps *caps);

/*
 * Ask the key how many PIN tries are left (getPINRetries), bounded by
 * timeout_ms.  ZA_OK, or the errors of za_fido2_authenticate.
 */
int za_fido2_dev_pin_retries(struct za_fido2_dev *d, int timeout_ms,
    int *retries, struct za_fido2_result *res, const struct za_log *lg);

/* ------------------------------------------------------------------ keys */
/*
 * Convert a public key in libfido2's raw form (fido_cred_pubkey_ptr):
 * ES256 the 64-byte x||y (or the 65-byte uncompressed point 0x04||x||y),
 * EdDSA the 32-byte Ed25519 key, RS256 the 256-byte modulus followed by
 * the 3-byte exponent, into a malloc'd DER SubjectPublicKeyInfo (*der,
 * *derlen; free() it).  The point is checked to lie on the curve.
 * ZA_OK, ZA_ERR_PARSE (not a valid key of alg), ZA_ERR_ARG (alg unknown),
 * ZA_ERR_NOMEM, ZA_ERR_CRYPTO.
 */
int za_fido2_pubkey_from_raw(int alg, const unsigned char *raw, size_t len,
    unsigned char **der, size_t *derlen, const struct za_log *lg);

/* ------------------------------------------------------------------ enrol */
/*
 * The user entity of makeCredential.  The user handle (id) is not stored
 * by zoneauth and not needed later: credentials are non-resident and
 * found through the allowList.  When id is NULL, 32 bytes from the kernel
 * CSPRNG are used, so the key learns nothing about the person from it
 * (WebAuthn 14.6.1: no personal data in user handles).
 */
struct za_fido2_user {
	const char *name;		/* login name; required */
	const char *display_name;	/* NULL: name */
	const unsigned char *id;	/* NULL: random */
	size_t id_len;			/* 1..ZA_FIDO2_USER_ID_MAX if id set */
};

/*
 * What enrolment accepts.  A NULL policy means: self attestation
 * accepted, any AAGUID, ES256 only.
 *  - ca_file: a PEM bundle (owned by root or the caller, not writable by
 *    group or other, at most 1 MiB).  When set, the key must present full
 *    attestation (an x5c certificate): the attestation signature is
 *    checked with the certificate (fido_cred_verify), the certificate
 *    must chain to a certificate of the bundle (X509_verify_cert; a
 *    bundle certificate need not be self-signed to be an anchor), and if
 *    it carries the FIDO AAGUID extension (1.3.6.1.4.1.45724.1.1.4) that
 *    must equal the AAGUID the key reported.  Self attestation is then
 *    refused.  When NULL, full attestation is still signature-checked
 *    and self attestation is checked with fido_cred_verify_self;
 *    attestation "none" is refused either way.
 *  - aaguids[0..naaguids): allowed key models; none: any model.  Without
 *    ca_file the AAGUID is only what the key claims, so an allowlist
 *    keeps honest keys of other models out but proves nothing: configure
 *    both.
 *  - allow_eddsa: EdDSA credentials may be made (see alg below).
 */
struct za_fido2_attest_policy {
	const char *ca_file;
	const unsigned char (*aaguids)[ZA_AAGUID_LEN];
	size_t naaguids;
	int allow_eddsa;
};

struct za_fido2_enrol_req {
	const char *rp_id;		/* relying party id; required */
	const char *rp_name;		/* NULL: rp_id */
	struct za_fido2_user user;
	/*
	 * How the credential will be used, proved at enrolment:
	 *  ZA_UV_NONE     touch only; pin may be given for keys that demand
	 *                 their PIN for every makeCredential (CTAP 2.0)
	 *  ZA_UV_PIN      pin required; the key must have a PIN set
	 *  ZA_UV_BUILTIN  the key must have configured built-in UV (else
	 *                 ZA_ERR_DENIED, R_UV_UNSUPPORTED, before any touch);
	 *                 pin must be NULL
	 * The UV flag must then be set in the new credential's data.
	 */
	enum za_uv_kind uv;
	const char *pin;
	/*
	 * 0: ES256, or EdDSA when the policy allows it and the key lists
	 * EdDSA first (or only); ZA_COSE_ES256 or ZA_COSE_EDDSA to insist
	 * (EdDSA needs policy->allow_eddsa).
	 */
	int alg;
	int timeout_ms;			/* touch/UV: 1..ZA_FIDO2_TIMEOUT_MAX_MS */
	/* Credentials the user has already: a key holding one is refused
	 * (ZA_ERR_EXISTS, R_EXCLUDED).  Entries for other RP ids are skipped. */
	struct za_fido2_cred *const *exclude;
	size_t nexclude;
};

/*
 * Register a new credential on dev (NULL: the first device found within
 * req->timeout_ms), verify its attestation under pol and return it in
 * *out (allocated; free with za_fido2_cred_free): cred_id, pubkey (DER
 * SubjectPublicKeyInfo), alg, aaguid, sign_count (as reported), uv
 * (req->uv), rp_id, status ZA_TOKEN_ACTIVE.  id, label, owner and dates
 * are left for the caller, who then validates and stores it.
 * Errors: see the top of this file; attestation problems are
 * ZA_ERR_DENIED with R_ATTESTATION, an AAGUID outside the allowlist
 * ZA_ERR_DENIED with R_AAGUID and a message naming the AAGUID.
 */
int za_fido2_enrol(struct za_fido2_dev *dev, const struct za_fido2_enrol_req *req,
    const struct za_fido2_attest_policy *pol, struct za_fido2_cred **out,
    struct za_fido2_result *res, const struct za_log *lg);

/* ------------------------------------------------------------------ login */
struct za_fido2_auth_req {
	const char *rp_id;		/* required */
	/*
	 * The user's credentials.  Only those with status ZA_TOKEN_ACTIVE,
	 * this rp_id and a key of a supported algorithm are offered to the
	 * device; the rest are ignored (a revoked or cloned credential is
	 * simply never asked for).  At most ZA_FIDO2_MAX_CREDS.
	 */
	struct za_fido2_cred *const *creds;
	size_t ncreds;
	/*
	 * What the key must prove besides presence (user presence is always
	 * required):
	 *  ZA_UV_NONE     touch only                 -> possession
	 *  ZA_UV_PIN      clientPIN, pin required    -> possession+knowledge
	 *  ZA_UV_BUILTIN  built-in UV, pin NULL      -> possession+inherence
	 * pin must be NULL unless need is ZA_UV_PIN.
	 */
	enum za_uv_kind need;
	const char *pin;
	/* Bounds waiting for a device, the touch and the UV together. */
	int timeout_ms;
};

struct za_fido2_assertion {
	size_t index;		/* creds[index] made the assertion */
	uint32_t sign_count;	/* counter the key reported */
	uint8_t flags;		/* authenticator data flags seen */
	unsigned int proves;	/* ZA_CLASS_* bits (za_policy.h); 0 on error */
};

/*
 * Authenticate with one of req->creds on dev (NULL: every device present;
 * when there are several, a silent check-only assertion picks the one that
 * holds a credential).  A fresh random 32-byte clientDataHash is signed;
 * the assertion is verified with the stored DER public key of the
 * credential the key chose, the UP flag (and the UV flag when need is PIN
 * or BUILTIN) must be set, and za_fido2_counter_check() must pass.
 * On success *out is filled and ZA_OK returned; the caller advances the
 * stored counter to out->sign_count (compare-and-swap).  On a cloned
 * counter ZA_ERR_DENIED (R_CLONED) is returned with out->index and
 * out->sign_count set (proves 0) so the caller can mark that credential.
 * No usable credential at all: ZA_ERR_AUTH, R_NO_CREDENTIAL, without
 * asking the device.  Errors: see the top of this file.
 */
int za_fido2_authenticate(struct za_fido2_dev *dev,
    const struct za_fido2_auth_req *req, struct za_fido2_assertion *out,
    struct za_fido2_result *res, const struct za_log *lg);

/*
 * The clone-detection rule for a signature counter: ZA_OK when reported >
 * stored, or when both are 0 (keys without a counter); otherwise
 * ZA_ERR_DENIED (the key is a clone, or was used elsewhere with a counter
 * this one has not reached).
 */
int za_fido2_counter_check(uint32_t stored, uint32_t reported);

#endif /* ZA_FIDO2_H */
