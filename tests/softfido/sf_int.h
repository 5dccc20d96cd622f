/*
 * softfido internals shared by its source files; not for clients (they use
 * softfido.h).  Functions named sf_ctap_* and sf_pin_* return a CTAP status
 * byte (SF_OK or one of SF_ERR_*); the other helpers return 0 or -1.
 */
#ifndef SF_INT_H
#define SF_INT_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "softfido.h"

/* CTAPHID commands (without the 0x80 frame-init bit). */
#define SF_HID_PING		0x01
#define SF_HID_MSG		0x03
#define SF_HID_LOCK		0x04
#define SF_HID_INIT		0x06
#define SF_HID_WINK		0x08
#define SF_HID_CBOR		0x10
#define SF_HID_CANCEL		0x11
#define SF_HID_ERROR		0x3f

/* CTAP2 command bytes. */
#define SF_CMD_MAKE_CRED	0x01
#define SF_CMD_GET_ASSERT	0x02
#define SF_CMD_GET_INFO		0x04
#define SF_CMD_CLIENT_PIN	0x06
#define SF_CMD_RESET		0x07
#define SF_CMD_NEXT_ASSERT	0x08
#define SF_CMD_SELECTION	0x0b

/* CTAP status codes. */
#define SF_OK				0x00
#define SF_ERR_INVALID_COMMAND		0x01
#define SF_ERR_INVALID_PARAMETER	0x02
#define SF_ERR_INVALID_LENGTH		0x03
#define SF_ERR_CBOR_UNEXPECTED_TYPE	0x11
#define SF_ERR_INVALID_CBOR		0x12
#define SF_ERR_MISSING_PARAMETER	0x14
#define SF_ERR_LIMIT_EXCEEDED		0x15
#define SF_ERR_CREDENTIAL_EXCLUDED	0x19
#define SF_ERR_UNSUPPORTED_ALGORITHM	0x26
#define SF_ERR_OPERATION_DENIED		0x27
#define SF_ERR_KEY_STORE_FULL		0x28
#define SF_ERR_UNSUPPORTED_OPTION	0x2b
#define SF_ERR_INVALID_OPTION		0x2c
#define SF_ERR_KEEPALIVE_CANCEL		0x2d
#define SF_ERR_NO_CREDENTIALS		0x2e
#define SF_ERR_USER_ACTION_TIMEOUT	0x2f
#define SF_ERR_NOT_ALLOWED		0x30
#define SF_ERR_PIN_INVALID		0x31
#define SF_ERR_PIN_BLOCKED		0x32
#define SF_ERR_PIN_AUTH_INVALID		0x33
#define SF_ERR_PIN_AUTH_BLOCKED		0x34
#define SF_ERR_PIN_NOT_SET		0x35
#define SF_ERR_PUAT_REQUIRED		0x36
#define SF_ERR_PIN_POLICY_VIOLATION	0x37
#define SF_ERR_UV_BLOCKED		0x3c
#define SF_ERR_INVALID_SUBCOMMAND	0x3e
#define SF_ERR_UV_INVALID		0x3f
#define SF_ERR_UNAUTHORIZED_PERMISSION	0x40
#define SF_ERR_OTHER			0x7f

/* COSE algorithm identifiers. */
#define SF_COSE_ES256		(-7)
#define SF_COSE_EDDSA		(-8)
#define SF_COSE_ECDH_ES_HKDF	(-25)

/* pinUvAuthToken permissions (CTAP 2.1). */
#define SF_PERM_MC		0x01
#define SF_PERM_GA		0x02

/* Bounds. */
#define SF_CREDID_LEN		32
#define SF_RPID_MAX		253	/* a DNS name */
#define SF_USERID_MAX		64
#define SF_NAME_MAX		64
#define SF_KEYDER_MAX		256
#define SF_MAX_CREDS		512
#define SF_MAX_LIST		64	/* allowList / excludeList entries */
#define SF_PIN_RETRIES		8
#define SF_UV_RETRIES		5
#define SF_PIN_MIN		4
#define SF_CBOR_DEPTH		8

enum sf_uv { SF_UV_NONE, SF_UV_BUILTIN };
enum sf_touch { SF_TOUCH_YES, SF_TOUCH_DENY, SF_TOUCH_TIMEOUT };
enum sf_counter { SF_COUNTER_NORMAL, SF_COUNTER_REGRESS, SF_COUNTER_ZERO };
enum sf_attest { SF_ATTEST_SELF, SF_ATTEST_CA };

/* Behaviour chosen by the SOFTFIDO_* environment (see README.md). */
struct sf_conf {
	char		state_path[PATH_MAX];
	char		ca_dir[PATH_MAX];
	enum sf_uv	uv;
	bool		finger_match;
	enum sf_touch	touch;
	unsigned	touch_timeout_ms;
	enum sf_counter	counter;
	enum sf_attest	attest;
	uint8_t		aaguid[16];
	bool		ctap21;		/* FIDO_2_1 + pinUvAuthToken */
	uint8_t		protocols[2];	/* pinUvAuthProtocols, in order */
	size_t		nprotocols;
	char		initial_pin[64];	/* set when the state is created */
	bool		have_initial_pin;
};

/* One credential as kept in the state file. */
struct sf_cred {
	int		alg;
	uint8_t		id[SF_CREDID_LEN];
	uint8_t		key[SF_KEYDER_MAX];	/* PKCS#8 DER private key */
	size_t		key_len;
	char		rpid[SF_RPID_MAX + 1];
	uint8_t		user_id[SF_USERID_MAX];
	size_t		user_id_len;
	char		user_name[SF_NAME_MAX + 1];
	char		display_name[SF_NAME_MAX + 1];
	bool		rk;
	uint8_t		cred_protect;	/* 0 = not requested, else 1..3 */
	uint32_t	counter;
	uint64_t	serial;		/* creation order, newest is largest */
};

/* The persistent authenticator state (one file, shared by processes). */
struct sf_state {
	bool		pin_set;
	uint8_t		pin_hash[16];	/* LEFT(SHA-256(pin), 16) */
	unsigned	pin_retries;
	unsigned	uv_retries;
	uint64_t	next_serial;
	struct sf_cred	*creds;
	size_t		ncreds;
};

/* A pending authenticatorGetNextAssertion sequence. */
struct sf_next {
	size_t		count;		/* credentials left to return */
	uint8_t		ids[SF_MAX_LIST][SF_CREDID_LEN];
	uint8_t		cdh[32];
	char		rpid[SF_RPID_MAX + 1];
	uint8_t		flags;
};

/* One open device (the libfido2 io handle). */
struct softfido {
	struct sf_conf	conf;
	EVP_PKEY	*ka_key;	/* clientPIN key agreement (P-256) */
	EVP_PKEY	*att_key;	/* attestation key (ca mode) */
	uint8_t		*att_cert;	/* attestation certificate, DER */
	size_t		att_cert_len;
	uint8_t		token[32];	/* pinUvAuthToken */
	bool		token_valid;
	uint8_t		token_perms;
	char		token_rpid[SF_RPID_MAX + 1];	/* "" if unbound */
	unsigned	pin_fails;	/* consecutive, this "power cycle" */
	struct sf_next	next;
	/* The reply to the last command, handed out by rx. */
	uint8_t		reply_cmd;
	uint8_t		reply[SOFTFIDO_MAXMSG];
	size_t		reply_len;
	bool		reply_ready;
	unsigned	reply_delay_ms;
	atomic_int	cancelled;
};

/* ---- sf_cbor.c: bounded CBOR reading and writing ---- */

/* A decoded CBOR data item head, with its extent in the input. */
struct sf_cbor {
	uint8_t		major;		/* 0..7 */
	uint64_t	val;		/* integer, length or count */
	const uint8_t	*data;		/* string payload (major 2, 3) */
	const uint8_t	*next;		/* first byte after the whole item */
	const uint8_t	*body;		/* first byte after the head */
};

/*
 * Check that buf[0..len) is exactly one well-formed item: definite lengths
 * only, no tags or floats, nesting at most SF_CBOR_DEPTH, every length and
 * count bounded by the bytes present.  Returns 0 or -1.
 */
int sf_cbor_validate(const uint8_t *buf, size_t len);

/* Parse the item at p (< end) into *it.  Returns 0 or -1. */
int sf_cbor_item(const uint8_t *p, const uint8_t *end, struct sf_cbor *it);

/*
 * Iterate over a map: *pos starts at map->body; each call yields the next
 * key and value.  Returns 1 for a pair, 0 at the end, -1 on error.
 */
int sf_cbor_map_next(const struct sf_cbor *map, const uint8_t *end,
    const uint8_t **pos, size_t *idx, struct sf_cbor *key,
    struct sf_cbor *val);

/* Return true if item is a text string equal to s. */
bool sf_cbor_text_is(const struct sf_cbor *it, const char *s);

/* Read a signed integer (major 0 or 1) into *v.  Returns 0 or -1. */
int sf_cbor_int(const struct sf_cbor *it, int64_t *v);

/* Copy a text string into a NUL-terminated buffer of size n; fails if it
 * does not fit or contains NUL.  Returns 0 or -1. */
int sf_cbor_text(const struct sf_cbor *it, char *dst, size_t n);

/* Bounded output buffer; err is set on overflow and stays set. */
struct sf_out {
	uint8_t		*p;
	size_t		cap;
	size_t		len;
	bool		err;
};

/* Append raw bytes, or one CBOR item (heads use the shortest encoding;
 * maps and arrays take their element count, then the elements). */
void sf_put_raw(struct sf_out *o, const void *p, size_t n);
void sf_put_uint(struct sf_out *o, uint64_t v);
void sf_put_int(struct sf_out *o, int64_t v);
void sf_put_bytes(struct sf_out *o, const void *p, size_t n);
void sf_put_text(struct sf_out *o, const char *s);
void sf_put_bool(struct sf_out *o, bool b);
void sf_put_map(struct sf_out *o, size_t npairs);
void sf_put_array(struct sf_out *o, size_t n);

/* ---- sf_state.c: the state file ---- */

/* Take the state lock (exclusive or shared); returns an fd or -1. */
int sf_state_lock(const struct sf_conf *conf, bool exclusive);
void sf_state_unlock(int *fd);

/*
 * Load the state (creating a fresh one, with the configured initial PIN,
 * if the file does not exist).  Hold the lock.  Returns 0 or -1.
 */
int sf_state_load(const struct sf_conf *conf, struct sf_state *st);

/* Write the state atomically (temp file with O_EXCL, fsync, rename). */
int sf_state_save(const struct sf_conf *conf, const struct sf_state *st);

/* Wipe and release what st holds. */
void sf_state_clear(struct sf_state *st);

/* Append a zeroed credential (the caller sets its serial); returns it,
 * or NULL when full. */
struct sf_cred *sf_state_add(struct sf_state *st);

/* Remove credential i. */
void sf_state_remove(struct sf_state *st, size_t i);

/* ---- sf_crypto.c: all return 0 or -1 (or NULL) ---- */

/* OpenSSL's CSPRNG. */
int sf_random(void *buf, size_t n);
int sf_sha256(const void *p, size_t n, uint8_t out[32]);
/* HMAC-SHA-256 over p || p2 (n2 may be 0). */
int sf_hmac_sha256(const uint8_t *key, size_t keylen, const void *p,
    size_t n, const void *p2, size_t n2, uint8_t out[32]);
/* AES-256-CBC without padding; n must be a multiple of 16. */
int sf_aes256_cbc(bool enc, const uint8_t key[32], const uint8_t iv[16],
    const uint8_t *in, size_t n, uint8_t *out);
/* HKDF-SHA-256 with a 32-byte zero salt (PIN/UV protocol 2). */
int sf_hkdf_sha256(const uint8_t *ikm, size_t ikmlen, const char *info,
    uint8_t out[32]);

/* Generate a credential key for alg; store PKCS#8 DER in cred. */
int sf_key_generate(int alg, struct sf_cred *cred);
/* Load cred's key. */
EVP_PKEY *sf_key_load(const struct sf_cred *cred);
/* Sign msg (ES256: SHA-256 + DER ECDSA; EdDSA: pure Ed25519). */
int sf_sign(EVP_PKEY *key, int alg, const uint8_t *msg, size_t msglen,
    const uint8_t *msg2, size_t msg2len, uint8_t *sig, size_t *siglen);
/* Write the COSE_Key of key's public half. */
int sf_cose_put(struct sf_out *o, EVP_PKEY *key, int alg);
/* P-256 affine coordinates of key. */
int sf_p256_xy(EVP_PKEY *key, uint8_t x[32], uint8_t y[32]);
/* ECDH of our P-256 key with the peer's point: Z = x coordinate. */
int sf_ecdh(EVP_PKEY *ours, const uint8_t px[32], const uint8_t py[32],
    uint8_t z[32]);
/* A fresh P-256 key pair. */
EVP_PKEY *sf_p256_generate(void);

/* ---- sf_attest.c ---- */

/* Load or create the test CA in conf->ca_dir and issue the attestation
 * certificate for this device.  Returns 0 or -1. */
int sf_attest_setup(struct softfido *sf);

/* ---- sf_pin.c ---- */

/* authenticatorClientPIN: req is the validated parameter map. */
uint8_t sf_pin_command(struct softfido *sf, const uint8_t *req, size_t len,
    struct sf_out *o);
/*
 * Check a pinUvAuthParam over cdh for permission perm on rpid; on success
 * bind the token to rpid if it was unbound.
 */
uint8_t sf_pin_check_param(struct softfido *sf, uint64_t protocol,
    const struct sf_cbor *param, const uint8_t cdh[32], uint8_t perm,
    const char *rpid);
/* Built-in user verification per SOFTFIDO_FINGER, counting st's UV
 * retries (the caller holds the state lock and saves st). */
uint8_t sf_pin_builtin_uv(struct softfido *sf, struct sf_state *st);
/* Is protocol one of the configured pinUvAuthProtocols? */
bool sf_protocol_supported(const struct softfido *sf, uint64_t protocol);

/* ---- sf_ctap.c: each writes its response map to o ---- */

uint8_t sf_ctap_get_info(struct softfido *sf, struct sf_out *o);
uint8_t sf_ctap_make_cred(struct softfido *sf, const uint8_t *req,
    size_t len, struct sf_out *o);
uint8_t sf_ctap_get_assert(struct softfido *sf, const uint8_t *req,
    size_t len, struct sf_out *o);
uint8_t sf_ctap_next_assert(struct softfido *sf, struct sf_out *o);
uint8_t sf_ctap_reset(struct softfido *sf);
/* User presence per SOFTFIDO_TOUCH: SF_OK or an error; a timeout also
 * asks the transport to hold the reply back. */
uint8_t sf_ctap_touch(struct softfido *sf);

#endif /* SF_INT_H */
