/*
 * Opening configuration and state files safely.
 *
 * Files are opened with O_NOFOLLOW|O_CLOEXEC|O_NOCTTY and checked on the
 * open descriptor (fstat): regular file, owned by root or by the expected
 * uid, not writable by group or other, and at most max_size bytes.  The
 * expected owner is a parameter so the same checks run unchanged in tests;
 * a root-owned file is always accepted (a screen locker running as the
 * user still reads the root-owned /etc/zoneauth/zoneauth.conf).
 */
#ifndef ZA_FILE_H
#define ZA_FILE_H

#include <stddef.h>
#include <sys/types.h>

struct za_log;

/* Checks requested from za_file_open_checked(). */
struct za_file_policy {
	uid_t owner;		/* required owner (root is accepted too) */
	int secret;		/* non-zero: also refuse group/other read */
	size_t max_size;	/* refuse larger files; 0 means no bound */
};

/*
 * Open path read-only and verify it against pol.  On success *fdp holds
 * the descriptor.  Returns ZA_OK, ZA_ERR_IO (cannot open; errno kept),
 * ZA_ERR_UNSAFE_FILE or ZA_ERR_TOO_LARGE; failures are logged with the path.
 */
int za_file_open_checked(const char *path, const struct za_file_policy *pol,
    const struct za_log *lg, int *fdp);

/*
 * Read the whole of path (checked as above) into a NUL-terminated buffer.
 * *bufp must be released with za_freezero(*bufp, *lenp + 1) when pol->secret
 * is set, free() otherwise.  Files containing a NUL byte are ZA_ERR_PARSE.
 */
int za_file_read_checked(const char *path, const struct za_file_policy *pol,
    const struct za_log *lg, char **bufp, size_t *lenp);

/*
 * Replace path atomically with len bytes of data: write a temporary file
 * beside it (O_EXCL, mode), fsync, rename over path, fsync the directory.
 */
int za_file_replace(const char *path, const void *data, size_t len,
    mode_t mode, const struct za_log *lg);

#endif /* ZA_FILE_H */
