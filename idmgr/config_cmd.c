/*
 * idmgr config check: the configuration parses and the directory answers.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"

#include "idmgr.h"

static int cmd_config_check(struct idmgr *, int, char **);

const struct idmgr_cmd idmgr_config_cmds[] = {
	{ "config", "check", cmd_config_check, "",
	    "parse the configuration and connect to the directory",
	    "Errors in the file name the file and line.  Prints the URI "
	    "reached, the bind\nidentity and the time the connection took.\n" },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

static int
cmd_config_check(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("config", "check");
	const char *none[1] = { NULL };
	struct timespec t0, t1;
	json_object *jo = NULL;
	long ms;
	int ch, r;

	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "", NULL)) != -1)
		return ch == IDMGR_OPT_HELP ? ZA_OK : ZA_ERR_ARG;
	if ((r = idmgr_positional(im, argc, argv, 0, 0, none, none)) != ZA_OK ||
	    (r = idmgr_load_config(im)) != ZA_OK)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = idmgr_connect(im);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (im->json) {
		if ((jo = json_object_new_object()) == NULL)
			return idmgr_fail(im, ZA_ERR_NOMEM, NULL,
			    "out of memory");
		json_object_object_add(jo, "config",
		    json_object_new_string(im->conf_path));
		json_object_object_add(jo, "zone", json_object_new_string(
		    im->cfg->zone == ZA_ZONE_MYNUMBER ? "mynumber" :
		    "general"));
		json_object_object_add(jo, "directory", r == ZA_OK ?
		    json_object_new_string(za_dir_uri(im->dir)) : NULL);
		json_object_object_add(jo, "operator",
		    idmgr_json_str(im->operator_dn));
		json_object_object_add(jo, "audit_log",
		    idmgr_json_str(im->cfg->audit_log));
		json_object_object_add(jo, "connect_ms",
		    json_object_new_int64(ms));
		json_object_object_add(jo, "result",
		    json_object_new_string(za_strerror(r)));
		idmgr_set_result(im, jo, 0);
	} else if (r == ZA_OK) {
		printf("configuration %s: valid\n", im->conf_path);
		printf("zone:      %s\n", im->cfg->zone == ZA_ZONE_MYNUMBER ?
		    "mynumber" : "general");
		printf("directory: %s (connected in %ld ms)\n",
		    za_dir_uri(im->dir), ms);
		printf("operator:  %s\n", im->operator_dn != NULL ?
		    im->operator_dn : "(anonymous)");
		printf("audit log: %s\n", im->cfg->audit_log);
	}
	return r;
}
