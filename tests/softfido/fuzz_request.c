/*
 * libFuzzer harness for softfido's request parser: the first input byte is
 * the CTAPHID command, the rest its payload (for CBOR: the CTAP2 command
 * byte and its parameters).  One device, with built-in UV, lives for the
 * whole run; its state file sits in a private temporary directory that is
 * emptied every few hundred inputs so it cannot grow without bound.
 * Linked with tests/fuzz/replay_main.c, it replays tests/softfido/corpus.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "softfido.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRESH_STATE_EVERY	256

static char fuzz_dir[] = "/tmp/softfido-fuzz.XXXXXX";
static char fuzz_state[sizeof(fuzz_dir) + 16];
static struct softfido *fuzz_dev;

static void
remove_state(void)
{
	char lock[sizeof(fuzz_state) + 8];

	unlink(fuzz_state);
	snprintf(lock, sizeof(lock), "%s.lock", fuzz_state);
	unlink(lock);
}

static void
cleanup(void)
{
	softfido_free(&fuzz_dev);
	remove_state();
	rmdir(fuzz_dir);
}

static int
start(void)
{
	if (mkdtemp(fuzz_dir) == NULL)
		return -1;
	snprintf(fuzz_state, sizeof(fuzz_state), "%s/state", fuzz_dir);
	if (setenv("SOFTFIDO_STATE", fuzz_state, 1) != 0 ||
	    setenv("SOFTFIDO_UV", "builtin", 1) != 0 ||
	    setenv("SOFTFIDO_TOUCH", "yes", 1) != 0 ||
	    softfido_open(&fuzz_dev) != 0) {
		rmdir(fuzz_dir);
		return -1;
	}
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long runs;
	const uint8_t *payload;
	size_t len;
	unsigned delay;
	uint8_t cmd;

	if (fuzz_dev == NULL && start() < 0)
		abort();
	if (size < 1)
		return 0;
	if (++runs % FRESH_STATE_EVERY == 0)
		remove_state();
	if (softfido_transact(fuzz_dev, data[0], data + 1, size - 1) == 0 &&
	    softfido_reply(fuzz_dev, &cmd, &payload, &len, &delay) == 0) {
		/* The reply must fit a CTAPHID message. */
		if (len > SOFTFIDO_MAXMSG)
			abort();
		softfido_reply_taken(fuzz_dev);
	}
	return 0;
}
