/*
 * pamconv: drive a PAM service through real libpam (under pam_wrapper)
 * like a login program: in the user's locale, with PAM_RHOST/PAM_TTY set
 * if asked, printing every message of the conversation in order.
 *
 *   pamconv SERVICE USER [-s] [-r RHOST] [-t TTY] [-k AUTHTOK]
 *           [-a ANSWER]... OP[=PAM_CODE]...
 *
 * OP is auth, setcred, acct, open or close.  Each prompt takes the next
 * -a answer (none left: the conversation fails, as when a user presses
 * Ctrl-D).  -k sets PAM_AUTHTOK before the first operation (a password an
 * earlier module read).  -s passes PAM_SILENT to every operation.
 * Output, one line each, in order:
 *   prompt-off: TEXT | prompt-on: TEXT | info: TEXT | error: TEXT
 *   OP: PAM_CODE
 * Exit 0 when every OP=PAM_CODE matched, 1 otherwise, 2 on usage errors.
 * The program calls setlocale(LC_ALL, "") so that LANG/LC_ALL/LANGUAGE
 * choose the language of the module's messages.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#define PAMCONV_MAX	32

struct answers {
	const char *v[PAMCONV_MAX];
	size_t n;
	size_t next;
};

struct name_code {
	const char *name;
	int code;
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

static const char *
code_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].name;
	return "PAM_(other)";
}

static int
code_value(const char *name, int *out)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (strcmp(codes[i].name, name) == 0) {
			*out = codes[i].code;
			return 0;
		}
	}
	return -1;
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct answers *a = arg;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			printf("prompt-%s: %s\n", msg[i]->msg_style ==
			    PAM_PROMPT_ECHO_OFF ? "off" : "on", msg[i]->msg);
			if (a->next == a->n)
				goto fail;
			if ((r[i].resp = strdup(a->v[a->next++])) == NULL)
				goto fail;
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", msg[i]->msg);
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", msg[i]->msg);
			break;
		default:
			goto fail;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
fail:
	fflush(stdout);
	for (i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
	return PAM_CONV_ERR;
}

static int
run_op(pam_handle_t *pamh, const char *op, int flags, int *rc)
{
	if (strcmp(op, "auth") == 0)
		*rc = pam_authenticate(pamh, flags);
	else if (strcmp(op, "setcred") == 0)
		*rc = pam_setcred(pamh, flags | (int)PAM_ESTABLISH_CRED);
	else if (strcmp(op, "acct") == 0)
		*rc = pam_acct_mgmt(pamh, flags);
	else if (strcmp(op, "open") == 0)
		*rc = pam_open_session(pamh, flags);
	else if (strcmp(op, "close") == 0)
		*rc = pam_close_session(pamh, flags);
	else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct answers ans;
	struct pam_conv pc;
	pam_handle_t *pamh = NULL;
	const char *rhost = NULL, *tty = NULL, *authtok = NULL;
	char op[32], *eq;
	int a, rc, want, status = 0, last = PAM_SUCCESS, flags = 0;

	(void)setlocale(LC_ALL, "");
	if (argc < 4) {
		fprintf(stderr, "usage: pamconv SERVICE USER [-s] [-r RHOST] "
		    "[-t TTY] [-k AUTHTOK] [-a ANSWER]... OP[=PAM_CODE]...\n");
		return 2;
	}
	memset(&ans, 0, sizeof(ans));
	pc.conv = conv;
	pc.appdata_ptr = &ans;
	for (a = 3; a < argc && argv[a][0] == '-'; a += 2) {
		if (strcmp(argv[a], "-s") == 0) {
			flags = (int)PAM_SILENT;
			a--;	/* no value */
			continue;
		}
		if (a + 1 >= argc)
			return 2;
		if (strcmp(argv[a], "-a") == 0 && ans.n < PAMCONV_MAX)
			ans.v[ans.n++] = argv[a + 1];
		else if (strcmp(argv[a], "-r") == 0)
			rhost = argv[a + 1];
		else if (strcmp(argv[a], "-t") == 0)
			tty = argv[a + 1];
		else if (strcmp(argv[a], "-k") == 0)
			authtok = argv[a + 1];
		else
			return 2;
	}
	if ((rc = pam_start(argv[1], argv[2], &pc, &pamh)) != PAM_SUCCESS) {
		printf("pam_start: %s\n", code_name(rc));
		return 1;
	}
	if ((rhost != NULL && pam_set_item(pamh, PAM_RHOST, rhost) !=
	    PAM_SUCCESS) || (tty != NULL && pam_set_item(pamh, PAM_TTY, tty) !=
	    PAM_SUCCESS) || (authtok != NULL && pam_set_item(pamh,
	    PAM_AUTHTOK, authtok) != PAM_SUCCESS)) {
		printf("pam_set_item failed\n");
		status = 1;
		goto out;
	}
	for (; a < argc; a++) {
		snprintf(op, sizeof(op), "%s", argv[a]);
		want = -1;
		if ((eq = strchr(op, '=')) != NULL) {
			*eq = '\0';
			if (code_value(eq + 1, &want) != 0) {
				fprintf(stderr, "pamconv: unknown code %s\n",
				    eq + 1);
				status = 2;
				goto out;
			}
		}
		if (run_op(pamh, op, flags, &rc) != 0) {
			fprintf(stderr, "pamconv: unknown operation %s\n", op);
			status = 2;
			goto out;
		}
		last = rc;
		printf("%s: %s\n", op, code_name(rc));
		if (want >= 0 && rc != want) {
			printf("mismatch: %s returned %s, expected %s\n", op,
			    code_name(rc), code_name(want));
			status = 1;
		}
		fflush(stdout);
	}
out:
	pam_end(pamh, last);
	return status;
}
