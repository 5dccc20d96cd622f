/*
 * libFuzzer harness for the configuration parser (lib/config.c).
 *
 * The input is parsed as a configuration file; when that succeeds the
 * cross-field checks run too.  The same bytes, split at newlines, are
 * then applied as module arguments (without conf=, so no file is read),
 * which exercises the argument parser on the same table.  Every message
 * goes through a sink that reads it, so a bad format argument or a value
 * that is not a terminated string shows up under the sanitizers.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "za_config.h"
#include "za_err.h"
#include "za_log.h"

#define FUZZ_MAX_ARGS	16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_emit(void *arg, int priority, const char *line)
{
	size_t *total = arg;

	(void)priority;
	*total += strlen(line);
}

/* Split a copy of the input at newlines into at most FUZZ_MAX_ARGS strings. */
static void
fuzz_args(struct za_config *cfg, const uint8_t *data, size_t size,
    const struct za_log *lg)
{
	const char *argv[FUZZ_MAX_ARGS];
	char *copy, *p, *nl;
	int argc = 0;

	if ((copy = malloc(size + 1)) == NULL)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	while (argc < FUZZ_MAX_ARGS && *p != '\0') {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		/* conf= as the first argument would read a file: skip it. */
		if (!(argc == 0 && strncmp(p, "conf=", 5) == 0))
			argv[argc++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	(void)za_config_from_args(cfg, argc, argv, NULL, getuid(), lg);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct za_config *cfg = NULL;
	struct za_log lg;
	size_t total = 0;

	memset(&lg, 0, sizeof(lg));
	lg.emit = fuzz_emit;
	lg.arg = &total;
	lg.debug = 1;
	if ((cfg = za_config_new()) == NULL)
		return 0;
	if (za_config_parse(cfg, "fuzz.conf", (const char *)data, size,
	    &lg) == ZA_OK)
		(void)za_config_finish(cfg, &lg);
	za_config_free(&cfg);

	if ((cfg = za_config_new()) == NULL)
		return 0;
	fuzz_args(cfg, data, size, &lg);
	if (za_config_finish(cfg, &lg) == ZA_OK && cfg->dir.users_dn == NULL)
		abort();	/* finish() succeeded without its defaults */
	za_config_free(&cfg);
	return 0;
}
