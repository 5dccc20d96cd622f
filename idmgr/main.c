/*
 * idmgr: manage zoneauth IDs, tokens and privileged IDs in the directory.
 *
 * main() parses the global options, dispatches NOUN VERB and maps the
 * internal result to an exit status:
 *   0 success, 1 error, 2 usage error, 3 refused by a safety rule.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_log.h"

#define EXIT_USAGE	2
#define EXIT_REFUSED	3

struct idmgr {
	const char *conf_path;
	int json;
	struct za_log log;
	struct za_config *cfg;
};

static void
idmgr_emit(void *arg, int priority, const char *line)
{
	(void)arg;
	fprintf(stderr, "idmgr: %s%s\n",
	    priority <= LOG_ERR ? "error: " :
	    priority == LOG_WARNING ? "warning: " : "", line);
}

static void
usage(FILE *f)
{
	fputs("usage: idmgr [-c CONF] [--json] [-v] NOUN VERB [ARGS]\n"
	    "       idmgr help\n"
	    "       idmgr version\n"
	    "\n"
	    "commands:\n"
	    "  config check       parse the configuration and connect to the "
	    "directory\n"
	    "\n"
	    "options:\n"
	    "  -c, --config CONF  configuration file (default "
	    ZA_DEFAULT_CONF ")\n"
	    "  --json             machine-readable output\n"
	    "  -v, --verbose      debug messages on stderr\n"
	    "\n"
	    "exit status: 0 success, 1 error, 2 usage error, "
	    "3 refused by a safety rule\n", f);
}

static int
idmgr_load_config(struct idmgr *im)
{
	int r;

	if ((im->cfg = za_config_new()) == NULL)
		return ZA_ERR_NOMEM;
	if ((r = za_config_load(im->cfg, im->conf_path, geteuid(),
	    &im->log)) != ZA_OK)
		return r;
	return za_config_finish(im->cfg, &im->log);
}

/* config check: the file parses and the directory answers. */
static int
cmd_config_check(struct idmgr *im)
{
	struct za_dir *dir = NULL;
	struct timespec t0, t1;
	json_object *jo = NULL;
	long ms;
	int r;

	if ((r = idmgr_load_config(im)) != ZA_OK)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = za_dir_open(&im->cfg->dir, &im->log, &dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (im->json) {
		if ((jo = json_object_new_object()) == NULL) {
			r = ZA_ERR_NOMEM;
			goto out;
		}
		json_object_object_add(jo, "config",
		    json_object_new_string(im->conf_path));
		json_object_object_add(jo, "zone", json_object_new_string(
		    im->cfg->zone == ZA_ZONE_MYNUMBER ? "mynumber" : "general"));
		json_object_object_add(jo, "directory", r == ZA_OK ?
		    json_object_new_string(za_dir_uri(dir)) : NULL);
		json_object_object_add(jo, "connect_ms",
		    json_object_new_int64(ms));
		json_object_object_add(jo, "result",
		    json_object_new_string(za_strerror(r)));
		puts(json_object_to_json_string_ext(jo,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (r == ZA_OK) {
		printf("configuration %s: valid\n", im->conf_path);
		printf("zone:      %s\n", im->cfg->zone == ZA_ZONE_MYNUMBER ?
		    "mynumber" : "general");
		printf("directory: %s (connected in %ld ms)\n",
		    za_dir_uri(dir), ms);
	}
	if (r != ZA_OK)
		za_error_r(&im->log, r, "directory");
out:
	json_object_put(jo);
	za_dir_close(&dir);
	return r;
}

static int
exit_status(int r)
{
	switch (r) {
	case ZA_OK:
		return EXIT_SUCCESS;
	case ZA_ERR_DENIED:
		return EXIT_REFUSED;
	default:
		return EXIT_FAILURE;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct idmgr im;
	const char *noun, *verb;
	int ch, r;

	setlocale(LC_ALL, "");
	memset(&im, 0, sizeof(im));
	im.conf_path = ZA_DEFAULT_CONF;
	im.log.emit = idmgr_emit;
	while ((ch = getopt_long(argc, argv, "+c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			im.conf_path = optarg;
			break;
		case 'j':
			im.json = 1;
			break;
		case 'v':
			im.log.debug = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	noun = argv[0];
	verb = argc > 1 ? argv[1] : NULL;
	if (strcmp(noun, "help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(noun, "version") == 0) {
		printf("idmgr (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (strcmp(noun, "config") == 0 && verb != NULL &&
	    strcmp(verb, "check") == 0 && argc == 2) {
		r = cmd_config_check(&im);
		za_config_free(&im.cfg);
		return exit_status(r);
	}
	fprintf(stderr, "idmgr: unknown command \"%s%s%s\"\n", noun,
	    verb != NULL ? " " : "", verb != NULL ? verb : "");
	usage(stderr);
	return EXIT_USAGE;
}
