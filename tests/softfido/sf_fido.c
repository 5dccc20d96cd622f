/*
 * libfido2 glue for softfido.  libfido2 1.12 passes whole CTAPHID commands
 * to transport functions (no HID framing), but insists on io functions as
 * well: open() creates the device from the environment and becomes the io
 * handle; read() and write() are never reached while the transport
 * functions are set.  rx honours libfido2's remaining timeout while the
 * simulated user is slow, and a CANCEL sent meanwhile.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "sf_int.h"

#define WAIT_SLICE_MS	10

static void *
io_open(const char *path)
{
	struct softfido *sf = NULL;

	if (path == NULL || strcmp(path, SOFTFIDO_PATH) != 0 ||
	    softfido_open(&sf) < 0)
		return NULL;
	return sf;
}

static void
io_close(void *handle)
{
	struct softfido *sf = handle;

	softfido_free(&sf);
}

static int
io_read(void *handle, unsigned char *buf, size_t len, int ms)
{
	(void)handle;
	(void)buf;
	(void)len;
	(void)ms;
	return -1;
}

static int
io_write(void *handle, const unsigned char *buf, size_t len)
{
	(void)handle;
	(void)buf;
	(void)len;
	return -1;
}

static int
tx(fido_dev_t *dev, uint8_t cmd, const unsigned char *buf, size_t len)
{
	struct softfido *sf = fido_dev_io_handle(dev);

	if (sf == NULL || softfido_transact(sf, cmd, buf, len) < 0)
		return -1;
	return 0;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Wait up to delay ms (less if libfido2's ms runs out or a CANCEL comes).
 * Returns 0 when the delay passed, 1 on cancel, -1 on timeout. */
static int
hold(struct softfido *sf, unsigned delay, int ms)
{
	struct timespec t0, slice = { 0, WAIT_SLICE_MS * 1000000L };
	long e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (atomic_load(&sf->cancelled))
			return 1;
		e = elapsed_ms(&t0);
		if (e >= (long)delay)
			return 0;
		if (ms >= 0 && e >= ms)
			return -1;
		nanosleep(&slice, NULL);
	}
}

static int
rx(fido_dev_t *dev, uint8_t cmd, unsigned char *buf, size_t len, int ms)
{
	struct softfido *sf = fido_dev_io_handle(dev);
	const uint8_t *payload;
	size_t n;
	unsigned delay;
	uint8_t rcmd, cancel = SF_ERR_KEEPALIVE_CANCEL;
	int r = -1, h;

	if (sf == NULL || softfido_reply(sf, &rcmd, &payload, &n, &delay) < 0)
		return -1;
	if (delay > 0 && (h = hold(sf, delay, ms)) != 0) {
		if (h < 0)
			goto out;	/* silence until libfido2 gives up */
		if (rcmd == SF_HID_CBOR) {
			payload = &cancel;
			n = 1;
		}
	}
	if (rcmd != cmd || n > len || n > INT_MAX)
		goto out;
	if (n > 0)
		memcpy(buf, payload, n);
	r = (int)n;
out:
	softfido_reply_taken(sf);
	return r;
}

const fido_dev_io_t softfido_io = {
	io_open, io_close, io_read, io_write
};

const fido_dev_transport_t softfido_transport = { rx, tx };

int
softfido_dev_attach(fido_dev_t *dev)
{
	int r;

	if ((r = fido_dev_set_io_functions(dev, &softfido_io)) != FIDO_OK)
		return r;
	return fido_dev_set_transport_functions(dev, &softfido_transport);
}
