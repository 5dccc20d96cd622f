/*
 * idmgr audit verify [FILE]: check the hash chain of the audit log and
 * say where it was broken (edited, deleted, inserted, reordered ...).
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_err.h"

#include "idmgr.h"

static int cmd_audit_verify(struct idmgr *, int, char **);

const struct idmgr_cmd idmgr_audit_cmds[] = {
	{ "audit", "verify", cmd_audit_verify, "[FILE] [--key-file KEY]",
	    "check the audit log's hash chain; report the first broken record",
	    "  FILE             the log (default: [audit] log of the "
	    "configuration)\n"
	    "  -k, --key-file KEY  HMAC key file (default: [audit] "
	    "hmac_key_file when\n"
	    "                   FILE is not given, else none)\n"
	    "  --no-key         verify a plain SHA-256 chain\n"
	    "\nExit status 0 when the chain is intact, 1 when a record was "
	    "edited, deleted,\ninserted or reordered (the line is named) or "
	    "the log cannot be read.\nCutting records off the end leaves the "
	    "chain intact: compare the last seq\nand hash printed here with "
	    "the syslog copies.\n" },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

static int
verify_output(struct idmgr *im, const char *path,
    const struct za_audit_verify_result *res, int r)
{
	json_object *jo;

	if (!im->json) {
		if (r == ZA_OK)
			printf("%s: intact, %" PRIu64 " record%s, last seq "
			    "%" PRId64 " hash %s\n", path, res->records,
			    res->records == 1 ? "" : "s", res->last_seq,
			    res->last_hash[0] != '\0' ? res->last_hash : "-");
		else
			printf("%s: %s\n", path, res->message);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	json_object_object_add(jo, "file", json_object_new_string(path));
	json_object_object_add(jo, "intact", json_object_new_boolean(r ==
	    ZA_OK));
	json_object_object_add(jo, "records",
	    json_object_new_int64((int64_t)res->records));
	json_object_object_add(jo, "problem", r == ZA_ERR_PARSE ?
	    json_object_new_string(za_audit_problem_name(res->problem)) :
	    NULL);
	json_object_object_add(jo, "bad_line", res->bad_line > 0 ?
	    json_object_new_int64((int64_t)res->bad_line) : NULL);
	json_object_object_add(jo, "last_seq",
	    json_object_new_int64(res->last_seq));
	json_object_object_add(jo, "last_hash",
	    idmgr_json_str(res->last_hash[0] != '\0' ? res->last_hash : NULL));
	json_object_object_add(jo, "message",
	    json_object_new_string(res->message));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

static int
cmd_audit_verify(struct idmgr *im, int argc, char **argv)
{
	enum { O_NOKEY = 0x200 };
	static const struct option opts[] = {
		{ "key-file",	required_argument,	NULL, 'k' },
		{ "no-key",	no_argument,		NULL, O_NOKEY },
		{ NULL,		0,			NULL, 0 }
	};
	static const char *const names[] = { "file" };
	const struct idmgr_cmd *cmd = idmgr_cmd_find("audit", "verify");
	struct za_audit_verify_result res;
	const char *pos[1], *path, *key = NULL;
	int ch, r, nokey = 0;

	memset(&res, 0, sizeof(res));
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "k:", opts)) != -1) {
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case O_NOKEY:
			nokey = 1;
			break;
		case IDMGR_OPT_HELP:
			return ZA_OK;
		default:
			return ZA_ERR_ARG;
		}
	}
	if ((r = idmgr_positional(im, argc, argv, 0, 1, names, pos)) != ZA_OK)
		return r;
	if (key != NULL && nokey)
		return idmgr_usage(im, "key-file", "--key-file and --no-key "
		    "exclude each other");
	path = pos[0];
	if (path == NULL) {
		/* The configured log, with the configured key. */
		if ((r = idmgr_load_config(im)) != ZA_OK)
			return r;
		path = im->cfg->audit_log;
		if (key == NULL && !nokey)
			key = im->cfg->audit_hmac_key_file;
	}
	r = za_audit_verify_file(path, key, &res, &im->log);
	if (r != ZA_OK && r != ZA_ERR_PARSE)
		return idmgr_fail(im, r, "file", "%s: cannot verify: %s", path,
		    res.message[0] != '\0' ? res.message : za_strerror(r));
	if (verify_output(im, path, &res, r) != ZA_OK)
		return ZA_ERR_NOMEM;
	if (r == ZA_ERR_PARSE)
		return idmgr_fail(im, r, "file", "%s", res.message);
	return ZA_OK;
}
