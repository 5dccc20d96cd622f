/*
 * pamrun: drive a PAM service through real libpam (under pam_wrapper) and
 * check each operation's return code.
 *
 *   pamrun SERVICE USER [-p ECHO_OFF_ANSWER]... [-e ECHO_ON_ANSWER]...
 *          OP=PAM_CODE...
 * OP is auth, setcred, acct, open, close or chauthtok.  Messages the module
 * sends are printed as "info: ..." and "error: ...".  Exit 0 when every
 * operation returned the expected code, 1 otherwise (the mismatch is
 * printed with the code actually returned), 2 on usage errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>
#include <libpamtest.h>

#define PAMRUN_MAX	16

struct name_code {
	const char *name;
	int code;
};

static const struct name_code ops[] = {
	{ "auth", PAMTEST_AUTHENTICATE }, { "setcred", PAMTEST_SETCRED },
	{ "acct", PAMTEST_ACCOUNT }, { "open", PAMTEST_OPEN_SESSION },
	{ "close", PAMTEST_CLOSE_SESSION }, { "chauthtok", PAMTEST_CHAUTHTOK },
};

#define CODE(x) { #x, x }
static const struct name_code codes[] = {
	CODE(PAM_SUCCESS), CODE(PAM_AUTH_ERR), CODE(PAM_PERM_DENIED),
	CODE(PAM_SERVICE_ERR), CODE(PAM_SYSTEM_ERR), CODE(PAM_BUF_ERR),
	CODE(PAM_AUTHINFO_UNAVAIL), CODE(PAM_USER_UNKNOWN), CODE(PAM_MAXTRIES),
	CODE(PAM_ACCT_EXPIRED), CODE(PAM_NEW_AUTHTOK_REQD), CODE(PAM_IGNORE),
	CODE(PAM_CRED_INSUFFICIENT), CODE(PAM_CONV_ERR), CODE(PAM_ABORT),
	CODE(PAM_AUTHTOK_ERR), CODE(PAM_SESSION_ERR),
};

static int
lookup(const struct name_code *t, size_t n, const char *name, int *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].code;
			return 0;
		}
	}
	return -1;
}

static const char *
code_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].name;
	return "PAM_(other)";
}

int
main(int argc, char **argv)
{
	struct pam_testcase cases[PAMRUN_MAX];
	const char *echo_off[PAMRUN_MAX + 1], *echo_on[PAMRUN_MAX + 1];
	char *out_info[PAMRUN_MAX + 1], *out_err[PAMRUN_MAX + 1];
	struct pamtest_conv_data conv;
	enum pamtest_err perr;
	size_t n_cases = 0, n_off = 0, n_on = 0, i;
	int op, code, a, status = 0;
	char *eq;

	if (argc < 4) {
		fprintf(stderr, "usage: pamrun SERVICE USER [-p ANSWER] "
		    "[-e ANSWER] OP=PAM_CODE...\n");
		return 2;
	}
	memset(cases, 0, sizeof(cases));
	memset(echo_off, 0, sizeof(echo_off));
	memset(echo_on, 0, sizeof(echo_on));
	for (a = 3; a < argc; a++) {
		if ((strcmp(argv[a], "-p") == 0 || strcmp(argv[a], "-e") == 0)
		    && a + 1 < argc) {
			if (argv[a][1] == 'p' && n_off < PAMRUN_MAX)
				echo_off[n_off++] = argv[++a];
			else if (argv[a][1] == 'e' && n_on < PAMRUN_MAX)
				echo_on[n_on++] = argv[++a];
			else
				return 2;
			continue;
		}
		if ((eq = strchr(argv[a], '=')) == NULL || n_cases == PAMRUN_MAX) {
			fprintf(stderr, "pamrun: bad argument %s\n", argv[a]);
			return 2;
		}
		*eq = '\0';
		if (lookup(ops, sizeof(ops) / sizeof(ops[0]), argv[a], &op) != 0 ||
		    lookup(codes, sizeof(codes) / sizeof(codes[0]), eq + 1,
		    &code) != 0) {
			fprintf(stderr, "pamrun: unknown op or code %s=%s\n",
			    argv[a], eq + 1);
			return 2;
		}
		cases[n_cases].pam_operation = (enum pamtest_ops)op;
		cases[n_cases].expected_rv = code;
		n_cases++;
	}
	for (i = 0; i < PAMRUN_MAX; i++) {
		if ((out_info[i] = calloc(1, PAM_MAX_MSG_SIZE)) == NULL ||
		    (out_err[i] = calloc(1, PAM_MAX_MSG_SIZE)) == NULL)
			return 2;
	}
	out_info[PAMRUN_MAX] = out_err[PAMRUN_MAX] = NULL;
	conv.in_echo_off = echo_off;
	conv.in_echo_on = echo_on;
	conv.out_info = out_info;
	conv.out_err = out_err;

	perr = _pamtest(argv[1], argv[2], &conv, cases, n_cases, NULL);
	for (i = 0; i < PAMRUN_MAX && out_info[i][0] != '\0'; i++)
		printf("info: %s\n", out_info[i]);
	for (i = 0; i < PAMRUN_MAX && out_err[i][0] != '\0'; i++)
		printf("error: %s\n", out_err[i]);
	for (i = 0; i < n_cases; i++) {
		if (cases[i].op_rv != cases[i].expected_rv) {
			printf("mismatch: op %zu returned %s, expected %s\n", i,
			    code_name(cases[i].op_rv),
			    code_name(cases[i].expected_rv));
			status = 1;
		}
	}
	if (perr != PAMTEST_ERR_OK && perr != PAMTEST_ERR_CASE) {
		printf("pamtest: %s\n", pamtest_strerror(perr));
		status = 1;
	}
	for (i = 0; i < PAMRUN_MAX; i++) {
		free(out_info[i]);
		free(out_err[i]);
	}
	return status;
}
