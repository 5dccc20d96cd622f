/*
 * softfido device core: configuration from the SOFTFIDO_* environment,
 * device life cycle, and CTAPHID command dispatch (INIT, PING, WINK, LOCK,
 * MSG, CBOR, CANCEL) as libfido2 hands them over through its transport
 * functions.  CTAP2 requests are bounded and validated here, before any
 * command handler reads them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sf_int.h"

#define DEFAULT_AAGUID		"736f6674-6669-646f-8000-000000000001"
#define DEFAULT_TIMEOUT_MS	2000U
#define MAX_TIMEOUT_MS		600000U
#define HID_ERR_INVALID_CMD	0x01
#define HID_ERR_INVALID_LEN	0x03
#define CAPS			(FIDO_CAP_WINK | FIDO_CAP_CBOR | FIDO_CAP_NMSG)

/* Look up an enumerated variable; NULL or "" means the default (0). */
static int
env_choice(const char *name, const char *const *values, size_t n, int *out)
{
	const char *v = getenv(name);
	size_t i;

	*out = 0;
	if (v == NULL || *v == '\0')
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(v, values[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	fprintf(stderr, "softfido: %s=%s: expected one of", name, v);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", values[i]);
	fputc('\n', stderr);
	return -1;
}

static int
parse_uuid(const char *s, uint8_t out[16])
{
	size_t i, o = 0;
	int hi, lo;

	if (strlen(s) != 36)
		return -1;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		hi = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
		    s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
		    s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
		lo = s[i + 1] >= '0' && s[i + 1] <= '9' ? s[i + 1] - '0' :
		    s[i + 1] >= 'a' && s[i + 1] <= 'f' ? s[i + 1] - 'a' + 10 :
		    s[i + 1] >= 'A' && s[i + 1] <= 'F' ? s[i + 1] - 'A' + 10 :
		    -1;
		if (hi < 0 || lo < 0 || o >= 16)
			return -1;
		out[o++] = (uint8_t)((hi << 4) | lo);
		i += 2;
	}
	return o == 16 ? 0 : -1;
}

static int
parse_protocols(const char *s, struct sf_conf *c)
{
	if (strcmp(s, "2,1") == 0) {
		c->protocols[0] = 2;
		c->protocols[1] = 1;
		c->nprotocols = 2;
	} else if (strcmp(s, "1,2") == 0) {
		c->protocols[0] = 1;
		c->protocols[1] = 2;
		c->nprotocols = 2;
	} else if (strcmp(s, "1") == 0 || strcmp(s, "2") == 0) {
		c->protocols[0] = (uint8_t)(s[0] - '0');
		c->nprotocols = 1;
	} else
		return -1;
	return 0;
}

static int
conf_from_env(struct sf_conf *c)
{
	static const char *const uv[] = { "none", "builtin" };
	static const char *const finger[] = { "match", "nomatch" };
	static const char *const touch[] = { "yes", "deny", "timeout" };
	static const char *const counter[] = { "normal", "regress", "zero" };
	static const char *const attest[] = { "self", "ca" };
	static const char *const version[] = { "2.1", "2.0" };
	const char *v;
	char *end, *slash;
	unsigned long ms;
	int x;

	memset(c, 0, sizeof(*c));
	if ((v = getenv("SOFTFIDO_STATE")) == NULL || *v == '\0' ||
	    strlen(v) >= sizeof(c->state_path) - 16) {
		fprintf(stderr, "softfido: SOFTFIDO_STATE must name the state "
		    "file\n");
		return -1;
	}
	memcpy(c->state_path, v, strlen(v) + 1);
	if ((v = getenv("SOFTFIDO_CA_DIR")) != NULL && *v != '\0') {
		if (strlen(v) >= sizeof(c->ca_dir) - 32)
			return -1;
		memcpy(c->ca_dir, v, strlen(v) + 1);
	} else {
		memcpy(c->ca_dir, c->state_path, sizeof(c->ca_dir));
		if ((slash = strrchr(c->ca_dir, '/')) == NULL)
			memcpy(c->ca_dir, ".", 2);
		else if (slash == c->ca_dir)
			c->ca_dir[1] = '\0';
		else
			*slash = '\0';
	}
	if (env_choice("SOFTFIDO_UV", uv, 2, &x) < 0)
		return -1;
	c->uv = x == 1 ? SF_UV_BUILTIN : SF_UV_NONE;
	if (env_choice("SOFTFIDO_FINGER", finger, 2, &x) < 0)
		return -1;
	c->finger_match = x == 0;
	if (env_choice("SOFTFIDO_TOUCH", touch, 3, &x) < 0)
		return -1;
	c->touch = (enum sf_touch)x;
	if (env_choice("SOFTFIDO_COUNTER", counter, 3, &x) < 0)
		return -1;
	c->counter = (enum sf_counter)x;
	if (env_choice("SOFTFIDO_ATTEST", attest, 2, &x) < 0)
		return -1;
	c->attest = (enum sf_attest)x;
	if (env_choice("SOFTFIDO_VERSION", version, 2, &x) < 0)
		return -1;
	c->ctap21 = x == 0;
	c->touch_timeout_ms = DEFAULT_TIMEOUT_MS;
	if ((v = getenv("SOFTFIDO_TOUCH_TIMEOUT_MS")) != NULL && *v != '\0') {
		errno = 0;
		ms = strtoul(v, &end, 10);
		if (errno != 0 || *end != '\0' || *v < '0' || *v > '9' ||
		    ms > MAX_TIMEOUT_MS) {
			fprintf(stderr, "softfido: SOFTFIDO_TOUCH_TIMEOUT_MS=%s: "
			    "expected 0..%u\n", v, MAX_TIMEOUT_MS);
			return -1;
		}
		c->touch_timeout_ms = (unsigned)ms;
	}
	v = getenv("SOFTFIDO_AAGUID");
	if (parse_uuid(v != NULL && *v != '\0' ? v : DEFAULT_AAGUID,
	    c->aaguid) < 0) {
		fprintf(stderr, "softfido: SOFTFIDO_AAGUID: expected a UUID\n");
		return -1;
	}
	v = getenv("SOFTFIDO_PIN_PROTOCOLS");
	if (parse_protocols(v != NULL && *v != '\0' ? v :
	    c->ctap21 ? "2,1" : "1", c) < 0) {
		fprintf(stderr, "softfido: SOFTFIDO_PIN_PROTOCOLS: expected "
		    "2,1 1,2 1 or 2\n");
		return -1;
	}
	if ((v = getenv("SOFTFIDO_PIN")) != NULL && *v != '\0') {
		if (strlen(v) < SF_PIN_MIN || strlen(v) > 63) {
			fprintf(stderr, "softfido: SOFTFIDO_PIN: 4 to 63 bytes\n");
			return -1;
		}
		memcpy(c->initial_pin, v, strlen(v) + 1);
		c->have_initial_pin = true;
	}
	return 0;
}

bool
softfido_env_absent(void)
{
	const char *v = getenv("SOFTFIDO_ABSENT");

	return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0);
}

/* Create the state file on first use, so SOFTFIDO_PIN applies once. */
static int
ensure_state(const struct sf_conf *conf)
{
	struct sf_state st;
	int lock, r = -1;

	memset(&st, 0, sizeof(st));
	if ((lock = sf_state_lock(conf, true)) < 0)
		return -1;
	if (access(conf->state_path, F_OK) == 0)
		r = 0;
	else if (errno == ENOENT && sf_state_load(conf, &st) == 0 &&
	    sf_state_save(conf, &st) == 0)
		r = 0;
	sf_state_clear(&st);
	sf_state_unlock(&lock);
	return r;
}

int
softfido_open(struct softfido **sfp)
{
	struct softfido *sf;
	int r = -1;

	*sfp = NULL;
	if ((sf = calloc(1, sizeof(*sf))) == NULL)
		return -1;
	atomic_init(&sf->cancelled, 0);
	if (conf_from_env(&sf->conf) < 0 || ensure_state(&sf->conf) < 0 ||
	    (sf->ka_key = sf_p256_generate()) == NULL)
		goto out;
	if (sf->conf.attest == SF_ATTEST_CA && sf_attest_setup(sf) < 0)
		goto out;
	*sfp = sf;
	sf = NULL;
	r = 0;
out:
	softfido_free(&sf);
	return r;
}

void
softfido_free(struct softfido **sfp)
{
	struct softfido *sf;

	if (sfp == NULL || (sf = *sfp) == NULL)
		return;
	EVP_PKEY_free(sf->ka_key);
	EVP_PKEY_free(sf->att_key);
	OPENSSL_free(sf->att_cert);
	explicit_bzero(sf, sizeof(*sf));
	free(sf);
	*sfp = NULL;
}

static void
hid_error(struct softfido *sf, uint8_t code)
{
	sf->reply_cmd = SF_HID_ERROR;
	sf->reply[0] = code;
	sf->reply_len = 1;
}

static void
cbor_command(struct softfido *sf, const uint8_t *req, size_t len)
{
	struct sf_out o = { sf->reply + 1, sizeof(sf->reply) - 1, 0, false };
	const uint8_t *body = req + 1;
	size_t blen = len - 1;
	uint8_t cmd = req[0], st;

	if (cmd != SF_CMD_NEXT_ASSERT)
		memset(&sf->next, 0, sizeof(sf->next));
	if (blen > 0 && sf_cbor_validate(body, blen) < 0) {
		st = SF_ERR_INVALID_CBOR;
		goto out;
	}
	switch (cmd) {
	case SF_CMD_GET_INFO:
		st = sf_ctap_get_info(sf, &o);
		break;
	case SF_CMD_MAKE_CRED:
	case SF_CMD_GET_ASSERT:
	case SF_CMD_CLIENT_PIN:
		if (blen == 0) {
			st = SF_ERR_MISSING_PARAMETER;
			break;
		}
		st = cmd == SF_CMD_MAKE_CRED ? sf_ctap_make_cred(sf, body, blen,
		    &o) : cmd == SF_CMD_GET_ASSERT ? sf_ctap_get_assert(sf,
		    body, blen, &o) : sf_pin_command(sf, body, blen, &o);
		break;
	case SF_CMD_NEXT_ASSERT:
		st = sf_ctap_next_assert(sf, &o);
		break;
	case SF_CMD_RESET:
		st = sf_ctap_reset(sf);
		break;
	case SF_CMD_SELECTION:
		st = sf->conf.ctap21 ? sf_ctap_touch(sf) :
		    SF_ERR_INVALID_COMMAND;
		break;
	default:
		st = SF_ERR_INVALID_COMMAND;
		break;
	}
	if (st == SF_OK && o.err)
		st = SF_ERR_OTHER;
out:
	sf->reply_cmd = SF_HID_CBOR;
	sf->reply[0] = st;
	sf->reply_len = st == SF_OK ? 1 + o.len : 1;
	if (st != SF_OK)
		explicit_bzero(sf->reply + 1, sizeof(sf->reply) - 1);
}

int
softfido_transact(struct softfido *sf, uint8_t cmd, const uint8_t *req,
    size_t len)
{
	uint8_t cid[4];

	if (sf == NULL || (len > 0 && req == NULL))
		return -1;
	if (cmd == SF_HID_CANCEL) {
		/* Leaves a pending (held back) reply in place. */
		atomic_store(&sf->cancelled, 1);
		return 0;
	}
	atomic_store(&sf->cancelled, 0);
	sf->reply_ready = true;
	sf->reply_delay_ms = 0;
	sf->reply_len = 0;
	sf->reply_cmd = cmd;
	if (len > SOFTFIDO_MAXMSG) {
		hid_error(sf, HID_ERR_INVALID_LEN);
		return 0;
	}
	switch (cmd) {
	case SF_HID_INIT:
		if (len != 8) {
			hid_error(sf, HID_ERR_INVALID_LEN);
			break;
		}
		if (sf_random(cid, sizeof(cid)) < 0)
			return -1;
		memcpy(sf->reply, req, 8);		/* nonce */
		memcpy(sf->reply + 8, cid, 4);		/* channel */
		sf->reply[12] = 2;			/* CTAPHID version */
		sf->reply[13] = 1;			/* device version */
		sf->reply[14] = 0;
		sf->reply[15] = 0;
		sf->reply[16] = CAPS;
		sf->reply_len = 17;
		break;
	case SF_HID_PING:
		if (len > 0)
			memcpy(sf->reply, req, len);
		sf->reply_len = len;
		break;
	case SF_HID_WINK:
	case SF_HID_LOCK:
		break;
	case SF_HID_MSG:
		/* No U2F: SW_INS_NOT_SUPPORTED (and FIDO_CAP_NMSG is set). */
		sf->reply[0] = 0x6d;
		sf->reply[1] = 0x00;
		sf->reply_len = 2;
		break;
	case SF_HID_CBOR:
		if (len == 0) {
			hid_error(sf, HID_ERR_INVALID_LEN);
			break;
		}
		cbor_command(sf, req, len);
		break;
	default:
		hid_error(sf, HID_ERR_INVALID_CMD);
		break;
	}
	return 0;
}

int
softfido_reply(const struct softfido *sf, uint8_t *cmd,
    const uint8_t **payload, size_t *len, unsigned *delay_ms)
{
	if (sf == NULL || !sf->reply_ready)
		return -1;
	*cmd = sf->reply_cmd;
	*payload = sf->reply;
	*len = sf->reply_len;
	*delay_ms = sf->reply_delay_ms;
	return 0;
}

void
softfido_reply_taken(struct softfido *sf)
{
	if (sf == NULL)
		return;
	explicit_bzero(sf->reply, sf->reply_len);
	sf->reply_len = 0;
	sf->reply_ready = false;
	sf->reply_delay_ms = 0;
}
