/*
 * idmgr: manage zoneauth IDs, tokens and the audit log in the directory.
 *
 * main() parses the global options, dispatches NOUN VERB to the file that
 * owns the noun and maps the internal result to an exit status:
 *   0 success, 1 error, 2 usage error, 3 refused by a safety rule.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <pwd.h>
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

#include "idmgr.h"

static int
exit_status(const struct idmgr *im, int r)
{
	if (r == ZA_OK)
		return IDMGR_EXIT_OK;
	if (im->usage)
		return IDMGR_EXIT_USAGE;
	if (r == ZA_ERR_DENIED)
		return IDMGR_EXIT_REFUSED;
	return IDMGR_EXIT_ERROR;
}

static int
cmd_version(struct idmgr *im)
{
	json_object *jo;

	if (!im->json) {
		printf("idmgr (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	json_object_object_add(jo, "program", json_object_new_string("idmgr"));
	json_object_object_add(jo, "package",
	    json_object_new_string(PACKAGE_NAME));
	json_object_object_add(jo, "version",
	    json_object_new_string(PACKAGE_VERSION));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

/* Dispatch "NOUN VERB ARGS" (argv[0] is the noun). */
static int
dispatch(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd;
	const char *noun = argv[0], *verb = argc > 1 ? argv[1] : NULL;

	if (strcmp(noun, "help") == 0) {
		if (argc > 3)
			return idmgr_usage(im, NULL,
			    "usage: idmgr help [NOUN [VERB]]");
		return idmgr_help(im, argc > 1 ? argv[1] : NULL,
		    argc > 2 ? argv[2] : NULL);
	}
	if (strcmp(noun, "version") == 0) {
		if (argc > 1)
			return idmgr_usage(im, NULL, "usage: idmgr version");
		return cmd_version(im);
	}
	if (!idmgr_noun_exists(noun))
		return idmgr_usage(im, NULL, "unknown command \"%s\" "
		    "(try \"idmgr help\")", noun);
	if (verb == NULL)
		return idmgr_usage(im, NULL, "\"%s\" needs a verb (try "
		    "\"idmgr help %s\")", noun, noun);
	if ((cmd = idmgr_cmd_find(noun, verb)) == NULL)
		return idmgr_usage(im, NULL, "unknown command \"%s %s\" "
		    "(try \"idmgr help %s\")", noun, verb, noun);
	return cmd->run(im, argc - 1, argv + 1);
}

static void
operator_user(struct idmgr *im)
{
	struct passwd *pw;

	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL)
		im->operator_user = strdup(pw->pw_name);
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
	int ch, r = ZA_OK, status;

	setlocale(LC_ALL, "");
	memset(&im, 0, sizeof(im));
	im.conf_path = ZA_DEFAULT_CONF;
	im.log.emit = idmgr_log_emit;
	im.log.arg = &im;
	im.now = time(NULL);
	openlog("idmgr", LOG_PID, LOG_AUTHPRIV);
	operator_user(&im);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:vh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			im.conf_path = optarg;
			break;
		case 'j':
			im.json = 1;
			break;
		case 'v':
			im.verbose = 1;
			im.log.debug = 1;
			break;
		case 'h':
			r = idmgr_help(&im, NULL, NULL);
			goto out;
		case ':':
			r = idmgr_usage(&im, NULL, "option \"%s\" needs a value",
			    argv[optind - 1]);
			goto out;
		default:
			r = idmgr_usage(&im, NULL, "unknown option \"%s\"",
			    argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		r = idmgr_usage(&im, NULL, "no command given");
		goto out;
	}
	r = dispatch(&im, argc - optind, argv + optind);
 out:
	status = exit_status(&im, r);
	/* Syntax errors get the summary; a bad value names its field. */
	if (im.usage && im.err_field == NULL && !im.json)
		idmgr_usage_summary(stderr);
	idmgr_output_finish(&im, r, status);
	za_dir_close(&im.dir);
	za_config_free(&im.cfg);
	free(im.operator_dn);
	free(im.operator_user);
	free(im.err_msg);
	free(im.err_field);
	closelog();
	if (fflush(stdout) != 0 && status == IDMGR_EXIT_OK)
		status = IDMGR_EXIT_ERROR;
	return status;
}
