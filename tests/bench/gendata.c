/*
 * gendata: the benchmark's users, one random TOTP seed each, written as
 * the same users in both stores.
 *
 *   gendata N BASE_DN PARAMS_DN OUTDIR
 *
 * Users are bu000001 .. buNNNNNN (1 <= N <= 999999).  Each gets 20 random
 * bytes (getrandom) as its TOTP seed.  Writes, mode 0600:
 *   OUTDIR/users.ldif   for slapadd: per user an entry
 *                       uid=U,ou=people,BASE_DN (inetOrgPerson,
 *                       posixAccount, zoneauthAccount, active staff) and
 *                       its token zaTokenId=ID,uid=U,ou=people,BASE_DN
 *                       (zoneauthToken + oathTOTPToken, active, oathSecret,
 *                       oathTOTPParams: PARAMS_DN).  No oathTOTPUser link,
 *                       so the otp overlay leaves the users' binds alone.
 *   OUTDIR/users.oath   pam_oath usersfile: "HOTP/T30 U - HEXSEED"
 *   OUTDIR/seeds        "U HEXSEED", line i for user i
 * Exit 0 on success, 1 on error, 2 on usage errors.
 */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEED_LEN	20
#define TOKEN_ID_LEN	8	/* random bytes, written as 16 hex digits */
#define MAX_USERS	999999UL

struct outputs {
	FILE *ldif;
	FILE *oath;
	FILE *seeds;
};

static void
usage(void)
{
	fprintf(stderr, "usage: gendata N BASE_DN PARAMS_DN OUTDIR\n");
}

static int
fill_random(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void
to_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* out must hold 4 * ((len + 2) / 3) + 1 bytes. */
static void
to_base64(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = alphabet[(v >> 6) & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = i + 1 < len ? alphabet[(v >> 6) & 0x3f] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static FILE *
open_out(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f = NULL;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "gendata: path too long: %s/%s\n", dir, name);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "gendata: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
out:
	return f;
}

static int
close_out(FILE **f)
{
	int r = 0;

	if (f == NULL || *f == NULL)
		return 0;
	if (ferror(*f) || fclose(*f) != 0)
		r = -1;
	*f = NULL;
	return r;
}

static int
write_user(struct outputs *o, unsigned long i, const char *base,
    const char *params, const char *now)
{
	unsigned char seed[SEED_LEN], tid[TOKEN_ID_LEN];
	char hex[2 * SEED_LEN + 1], b64[4 * ((SEED_LEN + 2) / 3) + 1];
	char tid_hex[2 * TOKEN_ID_LEN + 1], uid[16];
	int r = -1;

	if (fill_random(seed, sizeof(seed)) != 0 ||
	    fill_random(tid, sizeof(tid)) != 0) {
		fprintf(stderr, "gendata: getrandom: %s\n", strerror(errno));
		goto out;
	}
	to_hex(seed, sizeof(seed), hex);
	to_base64(seed, sizeof(seed), b64);
	to_hex(tid, sizeof(tid), tid_hex);
	snprintf(uid, sizeof(uid), "bu%06lu", i);

	fprintf(o->ldif,
	    "dn: uid=%s,ou=people,%s\n"
	    "objectClass: inetOrgPerson\n"
	    "objectClass: posixAccount\n"
	    "objectClass: zoneauthAccount\n"
	    "uid: %s\n"
	    "cn: Bench User %06lu\n"
	    "sn: User%06lu\n"
	    "givenName: Bench\n"
	    "employeeNumber: %lu\n"
	    "departmentNumber: bench\n"
	    "mail: %s@example.lg.jp\n"
	    "uidNumber: %lu\n"
	    "gidNumber: 10999\n"
	    "homeDirectory: /home/%s\n"
	    "loginShell: /bin/bash\n"
	    "zaEmploymentType: staff\n"
	    "zaAccountStatus: active\n"
	    "zaCreatedBy: bench\n"
	    "\n"
	    "dn: zaTokenId=t%s,uid=%s,ou=people,%s\n"
	    "objectClass: zoneauthToken\n"
	    "objectClass: oathTOTPToken\n"
	    "zaTokenId: t%s\n"
	    "zaTokenKind: totp\n"
	    "zaTokenLabel: bench token\n"
	    "zaTokenStatus: active\n"
	    "zaTokenCreatedTime: %s\n"
	    "oathSecret:: %s\n"
	    "oathTOTPParams: %s\n"
	    "\n",
	    uid, base, uid, i, i, 5000000 + i, uid, 1000000 + i, uid,
	    tid_hex, uid, base, tid_hex, now, b64, params);
	fprintf(o->oath, "HOTP/T30 %s - %s\n", uid, hex);
	fprintf(o->seeds, "%s %s\n", uid, hex);
	r = 0;
out:
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(b64, sizeof(b64));
	return r;
}

int
main(int argc, char **argv)
{
	struct outputs o = { NULL, NULL, NULL };
	unsigned long n, i;
	char now[32], *end;
	struct tm tm;
	time_t t;
	int bad, ret = 1;

	if (argc != 5) {
		usage();
		return 2;
	}
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || argv[1][0] == '-' || n < 1 ||
	    n > MAX_USERS) {
		fprintf(stderr, "gendata: N must be 1..%lu\n", MAX_USERS);
		return 2;
	}
	t = time(NULL);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(now, sizeof(now), "%Y%m%d%H%M%SZ", &tm) == 0)
		goto out;
	if ((o.ldif = open_out(argv[4], "users.ldif")) == NULL ||
	    (o.oath = open_out(argv[4], "users.oath")) == NULL ||
	    (o.seeds = open_out(argv[4], "seeds")) == NULL)
		goto out;
	for (i = 1; i <= n; i++)
		if (write_user(&o, i, argv[2], argv[3], now) != 0)
			goto out;
	ret = 0;
out:
	bad = close_out(&o.ldif) != 0;
	bad |= close_out(&o.oath) != 0;
	bad |= close_out(&o.seeds) != 0;
	if (bad && ret == 0) {
		fprintf(stderr, "gendata: write error in %s\n", argv[4]);
		ret = 1;
	}
	return ret;
}
