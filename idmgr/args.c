/*
 * Command-line parsing for verbs: getopt_long with the options every verb
 * shares (--json, -h/--help), usage errors that name the option, and
 * positional arguments and numbers checked the same way everywhere.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "za_err.h"

#include "idmgr.h"

#define LONGOPTS_MAX	48

void
idmgr_opt_begin(void)
{
	optind = 0;	/* GNU: full re-initialisation */
	opterr = 0;
}

static size_t
count_opts(const struct option *o)
{
	size_t n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

int
idmgr_opt_next(struct idmgr *im, const struct idmgr_cmd *cmd, int argc,
    char **argv, const char *shortopts, const struct option *longopts)
{
	struct option all[LONGOPTS_MAX];
	char optstring[64];
	size_t n = count_opts(longopts);
	int ch;

	if (n + 3 > LONGOPTS_MAX || strlen(shortopts) + 3 > sizeof(optstring)) {
		idmgr_fail(im, ZA_ERR_INTERNAL, NULL, "too many options");
		return IDMGR_OPT_ERR;
	}
	/* Leading ':' reports a missing value apart from an unknown option. */
	snprintf(optstring, sizeof(optstring), ":%sh", shortopts);
	if (n > 0)
		memcpy(all, longopts, n * sizeof(all[0]));
	all[n].name = "json";
	all[n].has_arg = no_argument;
	all[n].flag = NULL;
	all[n].val = IDMGR_OPT_JSON;
	all[n + 1].name = "help";
	all[n + 1].has_arg = no_argument;
	all[n + 1].flag = NULL;
	all[n + 1].val = IDMGR_OPT_HELPV;
	memset(&all[n + 2], 0, sizeof(all[0]));
	for (;;) {
		ch = getopt_long(argc, argv, optstring, all, NULL);
		switch (ch) {
		case IDMGR_OPT_JSON:
			im->json = 1;
			continue;
		case 'h':
		case IDMGR_OPT_HELPV:
			if (idmgr_help(im, cmd->noun, cmd->verb) != ZA_OK)
				return IDMGR_OPT_ERR;
			return IDMGR_OPT_HELP;
		case ':':
			idmgr_usage(im, NULL, "%s %s: option \"%s\" needs a "
			    "value", cmd->noun, cmd->verb, argv[optind - 1]);
			return IDMGR_OPT_ERR;
		case '?':
			idmgr_usage(im, NULL, "%s %s: unknown option \"%s\"",
			    cmd->noun, cmd->verb, argv[optind - 1]);
			return IDMGR_OPT_ERR;
		default:
			return ch;
		}
	}
}

int
idmgr_positional(struct idmgr *im, int argc, char **argv, int min, int max,
    const char *const *names, const char **out)
{
	int n = argc - optind, i;

	if (n < min)
		return idmgr_usage(im, names[n], "missing");
	if (n > max)
		return idmgr_usage(im, NULL, "unexpected argument \"%s\"",
		    argv[optind + max]);
	for (i = 0; i < max; i++)
		out[i] = i < n ? argv[optind + i] : NULL;
	return ZA_OK;
}

int
idmgr_positional_uid(struct idmgr *im, int argc, char **argv,
    const char **uid)
{
	static const char *const names[] = { "uid" };
	int r;

	if ((r = idmgr_positional(im, argc, argv, 1, 1, names, uid)) != ZA_OK)
		return r;
	return idmgr_check_uid(im, "uid", *uid);
}

int
idmgr_parse_long(struct idmgr *im, const char *field, const char *s,
    long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return idmgr_usage(im, field, "not a number");
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return idmgr_usage(im, field, "not a number in %lld..%lld",
		    min, max);
	*out = v;
	return ZA_OK;
}
