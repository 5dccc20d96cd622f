/*
 * zaunlock: unlock one user with za_lockout_unlock(), as idmgr's
 * "user unlock" does, for the integration tests.
 *
 *   zaunlock CONF USER_DN
 *
 * CONF is a zoneauth.conf owned by the calling user; its directory
 * identity needs write access to the lockout attributes.  Exit 0 on
 * success, 1 on failure (the reason on stderr), 2 on usage errors.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_log.h"

static void
emit(void *arg, int priority, const char *line)
{
	(void)arg;
	(void)priority;
	fprintf(stderr, "zaunlock: %s\n", line);
}

int
main(int argc, char **argv)
{
	struct za_log lg = { emit, NULL, 0 };
	struct za_config *cfg = NULL;
	struct za_dir *dir = NULL;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: zaunlock CONF USER_DN\n");
		return 2;
	}
	if ((cfg = za_config_new()) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	if ((r = za_config_load(cfg, argv[1], geteuid(), &lg)) != ZA_OK ||
	    (r = za_config_finish(cfg, &lg)) != ZA_OK ||
	    (r = za_dir_open(&cfg->dir, &lg, &dir)) != ZA_OK)
		goto out;
	r = za_lockout_unlock(dir, argv[2], &lg);
out:
	if (r != ZA_OK)
		fprintf(stderr, "zaunlock: %s\n", za_strerror(r));
	za_dir_close(&dir);
	za_config_free(&cfg);
	return r == ZA_OK ? 0 : 1;
}
