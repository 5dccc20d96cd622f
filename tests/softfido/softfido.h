/*
 * softfido: a software CTAP2 authenticator for tests.  libfido2 talks to it
 * through its transport functions (whole CTAPHID commands), so programs can
 * register and use FIDO2 credentials without hardware.  Behaviour is chosen
 * with SOFTFIDO_* environment variables (README.md); credentials live in a
 * state file so separate processes share one "device".
 */
#ifndef SOFTFIDO_H
#define SOFTFIDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fido.h>

/* Largest CTAPHID message (one init and 128 continuation frames). */
#define SOFTFIDO_MAXMSG		7609

/* The device path the manifest reports and fido_dev_open recognises. */
#define SOFTFIDO_PATH		"softfido"

struct softfido;

/*
 * Create a device configured from the environment (SOFTFIDO_STATE is
 * required).  Returns 0 and sets *sfp, or -1 with a reason on stderr for
 * a bad setting.  The state file itself is read per command.
 */
int softfido_open(struct softfido **sfp);

/* Destroy a device, wiping its secrets; *sfp may be NULL; sets it NULL. */
void softfido_free(struct softfido **sfp);

/*
 * Process one CTAPHID command cmd (without the 0x80 bit) with payload
 * req[0..len).  Its reply is kept in sf for softfido_reply(); CANCEL has
 * none.  Returns 0, or -1 if the command cannot be processed at all.
 */
int softfido_transact(struct softfido *sf, uint8_t cmd, const uint8_t *req,
    size_t len);

/*
 * The reply to the last command: CTAPHID command, payload, and how long the
 * simulated user keeps the device waiting before it is sent.  Returns 0,
 * or -1 if there is no reply pending.  The payload stays valid until the
 * next softfido_transact() or softfido_reply_taken().
 */
int softfido_reply(const struct softfido *sf, uint8_t *cmd,
    const uint8_t **payload, size_t *len, unsigned *delay_ms);

/* Mark the pending reply as consumed. */
void softfido_reply_taken(struct softfido *sf);

/* True if SOFTFIDO_ABSENT asks for an empty device manifest. */
bool softfido_env_absent(void);

/*
 * libfido2 glue: io functions (open creates a softfido from the
 * environment, read/write are never used for framing) and transport
 * functions carrying whole commands.  softfido_dev_attach() installs both
 * on a closed fido_dev_t; returns a FIDO_ERR_* code.
 */
extern const fido_dev_io_t softfido_io;
extern const fido_dev_transport_t softfido_transport;
int softfido_dev_attach(fido_dev_t *dev);

#endif /* SOFTFIDO_H */
