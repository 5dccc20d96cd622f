/*
 * idmgr help [NOUN [VERB]]: the command tables of the noun files are the
 * one source for dispatch and for help, so help cannot miss a command.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "za_err.h"

#include "idmgr.h"

struct noun {
	const char *name;
	const char *summary;
	const struct idmgr_cmd *cmds;
};

static const struct noun nouns[] = {
	{ "user", "IDs in the directory: add, show, list, modify, "
	    "disable, enable, unlock, delete", idmgr_user_cmds },
	{ "token", "TOTP/HOTP tokens and FIDO2 keys: enrol, list, revoke, "
	    "export to SSSD, import from pam_u2f",
	    idmgr_token_cmds },
	{ "audit", "the hash-chained audit log: verify", idmgr_audit_cmds },
	{ "config", "the configuration: check", idmgr_config_cmds },
};
#define NNOUNS	(sizeof(nouns) / sizeof(nouns[0]))

static const struct noun *
noun_find(const char *name)
{
	size_t i;

	for (i = 0; i < NNOUNS; i++)
		if (strcmp(nouns[i].name, name) == 0)
			return &nouns[i];
	return NULL;
}

int
idmgr_noun_exists(const char *noun)
{
	return noun_find(noun) != NULL;
}

const struct idmgr_cmd *
idmgr_cmd_find(const char *noun, const char *verb)
{
	const struct noun *n;
	const struct idmgr_cmd *c;

	if (noun == NULL || verb == NULL || (n = noun_find(noun)) == NULL)
		return NULL;
	for (c = n->cmds; c->noun != NULL; c++)
		if (strcmp(c->verb, verb) == 0)
			return c;
	return NULL;
}

static const char global_text[] =
    "options (before NOUN):\n"
    "  -c, --config CONF  configuration file (default " ZA_DEFAULT_CONF ")\n"
    "  --json             one JSON document on standard output, also for\n"
    "                     errors: {\"error\": ..., \"field\": ..., ...}\n"
    "  -v, --verbose      debug messages on standard error\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 success, 1 error, 2 usage error (bad command line or\n"
    "value), 3 refused by a safety rule\n";

void
idmgr_usage_summary(FILE *f)
{
	fputs("usage: idmgr [-c CONF] [--json] [-v] NOUN VERB [ARGS]\n"
	    "       idmgr help [NOUN [VERB]]\n"
	    "       idmgr version\n", f);
}

static void
print_synopsis(const struct idmgr_cmd *c, FILE *f)
{
	fprintf(f, "idmgr %s %s%s%s\n", c->noun, c->verb,
	    c->args[0] != '\0' ? " " : "", c->args);
}

static void
print_all(FILE *f)
{
	const struct idmgr_cmd *c;
	size_t i;
	int w = (int)sizeof("help [NOUN [VERB]]") - 1, n;

	idmgr_usage_summary(f);
	fputs("\ncommands:\n", f);
	for (i = 0; i < NNOUNS; i++)
		for (c = nouns[i].cmds; c->noun != NULL; c++)
			if ((n = (int)(strlen(c->noun) + 1 +
			    strlen(c->verb))) > w)
				w = n;
	for (i = 0; i < NNOUNS; i++) {
		for (c = nouns[i].cmds; c->noun != NULL; c++) {
			n = (int)(strlen(c->noun) + 1 + strlen(c->verb));
			fprintf(f, "  %s %s%*s  %s\n", c->noun, c->verb,
			    w - n, "", c->summary);
		}
	}
	fprintf(f, "  %-*s  describe the commands\n", w, "help [NOUN [VERB]]");
	fprintf(f, "  %-*s  print the version\n\n", w, "version");
	fputs(global_text, f);
	fputs("\n\"idmgr help NOUN VERB\" describes a command's arguments.\n",
	    f);
}

static void
print_noun(const struct noun *n, FILE *f)
{
	const struct idmgr_cmd *c;

	fprintf(f, "idmgr %s: %s\n\n", n->name, n->summary);
	for (c = n->cmds; c->noun != NULL; c++) {
		fputs("  ", f);
		print_synopsis(c, f);
		fprintf(f, "      %s\n", c->summary);
	}
	fprintf(f, "\n\"idmgr help %s VERB\" describes a command's "
	    "options.\n", n->name);
}

static void
print_cmd(const struct idmgr_cmd *c, FILE *f)
{
	fputs("usage: ", f);
	print_synopsis(c, f);
	fprintf(f, "\n%s\n", c->summary);
	if (c->help[0] != '\0')
		fprintf(f, "\n%s", c->help);
	fputs("\n  --json       machine-readable output\n"
	    "  -h, --help   this help\n", f);
}

static json_object *
cmd_json(const struct idmgr_cmd *c, int details)
{
	json_object *jo = json_object_new_object();

	if (jo == NULL)
		return NULL;
	json_object_object_add(jo, "noun", json_object_new_string(c->noun));
	json_object_object_add(jo, "verb", json_object_new_string(c->verb));
	json_object_object_add(jo, "args", json_object_new_string(c->args));
	json_object_object_add(jo, "summary",
	    json_object_new_string(c->summary));
	if (details)
		json_object_object_add(jo, "help",
		    json_object_new_string(c->help));
	return jo;
}

static int
help_json(struct idmgr *im, const struct noun *only_noun,
    const struct idmgr_cmd *only_cmd)
{
	json_object *jo = NULL, *arr = NULL;
	const struct idmgr_cmd *c;
	size_t i;

	if ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL)
		goto nomem;
	for (i = 0; i < NNOUNS; i++) {
		if (only_noun != NULL && &nouns[i] != only_noun)
			continue;
		for (c = nouns[i].cmds; c->noun != NULL; c++) {
			if (only_cmd != NULL && c != only_cmd)
				continue;
			json_object_array_add(arr, cmd_json(c,
			    only_noun != NULL));
		}
	}
	json_object_object_add(jo, "commands", arr);
	arr = NULL;
	json_object_object_add(jo, "exit_status", json_object_new_string(
	    "0 success, 1 error, 2 usage error, 3 refused by a safety rule"));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
 nomem:
	json_object_put(arr);
	json_object_put(jo);
	return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
}

int
idmgr_help(struct idmgr *im, const char *noun, const char *verb)
{
	const struct noun *n = NULL;
	const struct idmgr_cmd *c = NULL;

	if (noun != NULL && (n = noun_find(noun)) == NULL)
		return idmgr_usage(im, NULL, "no help for unknown command "
		    "\"%s\"", noun);
	if (verb != NULL && (c = idmgr_cmd_find(noun, verb)) == NULL)
		return idmgr_usage(im, NULL, "no help for unknown command "
		    "\"%s %s\"", noun, verb);
	if (im->json)
		return help_json(im, n, c);
	if (c != NULL)
		print_cmd(c, stdout);
	else if (n != NULL)
		print_noun(n, stdout);
	else
		print_all(stdout);
	return ZA_OK;
}
