/*
 * pam_time: the time a PAM service's modules spend in pam_authenticate()
 * for a TOTP login, measured inside one process.
 *
 *   pam_time [-d DIGITS] [-s STEP_SECONDS] SERVICE < LIST
 *
 * LIST has one "USER HEXSEED" per line.  For each line: compute the
 * user's current TOTP code (RFC 6238, HMAC-SHA-1, default 6 digits and
 * 30 s, with liboath), pam_start(SERVICE, USER), then time
 * pam_authenticate() alone with CLOCK_MONOTONIC while the conversation
 * answers every prompt with the code, then pam_end().  Loading the
 * modules (pam_start) and unloading them (pam_end) are outside the
 * timed interval; everything the modules do to authenticate is inside.
 *
 * Prints "NANOSECONDS PAM_RESULT" per line on stdout; for a failed login
 * also "pam_time: USER: reason" and the module's messages on stderr.
 * Exit 0 when every login succeeded, 1 when one failed or on error,
 * 2 on usage errors.  Run it under pam_wrapper to use a private service
 * directory.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <security/pam_appl.h>

#define SEED_MAX	64
#define LINE_MAX_LEN	512
#define MSG_MAX		512

struct answer {
	char code[16];		/* the TOTP code given to every prompt */
	unsigned int prompts;	/* prompts answered */
	char last_msg[MSG_MAX];	/* last info/error text from a module */
};

static void
usage(void)
{
	fprintf(stderr, "usage: pam_time [-d DIGITS] [-s STEP_SECONDS] "
	    "SERVICE < LIST\n");
}

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct answer *a = data;
	struct pam_response *r = NULL;
	int i, ret = PAM_CONV_ERR;

	if (n <= 0 || n > PAM_MAX_NUM_MSG || resp == NULL)
		goto out;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL) {
		ret = PAM_BUF_ERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			if ((r[i].resp = strdup(a->code)) == NULL) {
				ret = PAM_BUF_ERR;
				goto out;
			}
			a->prompts++;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			snprintf(a->last_msg, sizeof(a->last_msg), "%s",
			    msg[i]->msg != NULL ? msg[i]->msg : "");
			break;
		default:
			goto out;
		}
	}
	*resp = r;
	r = NULL;
	ret = PAM_SUCCESS;
out:
	free_responses(r, n);
	return ret;
}

static uint64_t
ns_between(const struct timespec *a, const struct timespec *b)
{
	int64_t sec = (int64_t)b->tv_sec - (int64_t)a->tv_sec;
	int64_t nsec = (int64_t)b->tv_nsec - (int64_t)a->tv_nsec;

	return (uint64_t)(sec * 1000000000LL + nsec);
}

/* Parse "USER HEXSEED" in place; returns 0 and points user/hex into line. */
static int
split_line(char *line, char **user, char **hex)
{
	char *save = NULL;

	line[strcspn(line, "\r\n")] = '\0';
	*user = strtok_r(line, " \t", &save);
	*hex = strtok_r(NULL, " \t", &save);
	if (*user == NULL || *hex == NULL || strtok_r(NULL, " \t", &save))
		return -1;
	return 0;
}

/* One timed login.  Returns the PAM result; -1 if it could not run. */
static int
login_once(const char *service, const char *user, const char *hex,
    unsigned int digits, unsigned int step, uint64_t *ns, struct answer *a)
{
	char seed[SEED_MAX];
	size_t seed_len = sizeof(seed);
	struct pam_conv pc = { conv, a };
	pam_handle_t *pamh = NULL;
	struct timespec t0, t1;
	int rc, ret = -1;

	memset(a, 0, sizeof(*a));
	if (oath_hex2bin(hex, seed, &seed_len) != OATH_OK) {
		fprintf(stderr, "pam_time: %s: bad hex seed\n", user);
		goto out;
	}
	if (oath_totp_generate(seed, seed_len, time(NULL), step,
	    OATH_TOTP_DEFAULT_START_TIME, digits, a->code) != OATH_OK) {
		fprintf(stderr, "pam_time: %s: cannot compute code\n", user);
		goto out;
	}
	if ((rc = pam_start(service, user, &pc, &pamh)) != PAM_SUCCESS) {
		fprintf(stderr, "pam_time: pam_start: %s\n",
		    pam_strerror(NULL, rc));
		goto out;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
		goto out;
	rc = pam_authenticate(pamh, 0);
	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
		goto out;
	*ns = ns_between(&t0, &t1);
	if (rc != PAM_SUCCESS)
		fprintf(stderr, "pam_time: %s: %s (prompts %u, last message "
		    "\"%s\")\n", user, pam_strerror(pamh, rc), a->prompts,
		    a->last_msg);
	ret = rc;
out:
	if (pamh != NULL)
		pam_end(pamh, ret == PAM_SUCCESS ? PAM_SUCCESS : PAM_AUTH_ERR);
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(a->code, sizeof(a->code));
	return ret;
}

static int
parse_uint(const char *s, unsigned int lo, unsigned int hi, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '-' || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int digits = 6, step = 30;
	char line[LINE_MAX_LEN], *user, *hex;
	struct answer a;
	uint64_t ns = 0;
	int c, rc, failed = 0, ret = 1, oath_ready = 0;

	while ((c = getopt(argc, argv, "d:s:")) != -1) {
		switch (c) {
		case 'd':
			if (parse_uint(optarg, 6, 8, &digits) != 0) {
				usage();
				return 2;
			}
			break;
		case 's':
			if (parse_uint(optarg, 1, 3600, &step) != 0) {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage();
		return 2;
	}
	if (oath_init() != OATH_OK) {
		fprintf(stderr, "pam_time: oath_init failed\n");
		goto out;
	}
	oath_ready = 1;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (split_line(line, &user, &hex) != 0) {
			fprintf(stderr, "pam_time: malformed input line\n");
			goto out;
		}
		rc = login_once(argv[optind], user, hex, digits, step, &ns, &a);
		explicit_bzero(line, sizeof(line));
		if (rc < 0)
			goto out;
		if (rc != PAM_SUCCESS)
			failed++;
		printf("%llu %d\n", (unsigned long long)ns, rc);
	}
	if (ferror(stdin) || fflush(stdout) != 0)
		goto out;
	ret = failed == 0 ? 0 : 1;
out:
	explicit_bzero(line, sizeof(line));
	if (oath_ready)
		oath_done();
	return ret;
}
