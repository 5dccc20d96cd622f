/* Safe opening, reading and replacing of files (see za_file.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "za_codec.h"
#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_secret.h"

int
za_file_open_checked(const char *path, const struct za_file_policy *pol,
    const struct za_log *lg, int *fdp)
{
	struct stat st;
	int fd = -1, r;

	*fdp = -1;
	/* O_NONBLOCK: a FIFO planted at path must not hang the caller. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd < 0) {
		za_error(lg, "%s: %s", path, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		za_error(lg, "%s: fstat: %s", path, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		za_error(lg, "%s: not a regular file", path);
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	if (st.st_uid != pol->owner && st.st_uid != 0) {
		za_error(lg, "%s: owned by uid %lu, expected root or uid %lu",
		    path,
		    (unsigned long)st.st_uid, (unsigned long)pol->owner);
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		za_error(lg, "%s: writable by group or others (mode %04o)",
		    path, (unsigned)(st.st_mode & 07777));
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	if (pol->secret && (st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
		za_error(lg, "%s: secret readable by group or others "
		    "(mode %04o)", path, (unsigned)(st.st_mode & 07777));
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	if (pol->max_size != 0 && (size_t)st.st_size > pol->max_size) {
		za_error(lg, "%s: larger than %zu bytes", path, pol->max_size);
		r = ZA_ERR_TOO_LARGE;
		goto out;
	}
	*fdp = fd;
	fd = -1;
	r = ZA_OK;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int
za_file_read_checked(const char *path, const struct za_file_policy *pol,
    const struct za_log *lg, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd = -1, r;

	*bufp = NULL;
	*lenp = 0;
	if ((r = za_file_open_checked(path, pol, lg, &fd)) != ZA_OK)
		goto out;
	if (fstat(fd, &st) != 0) {
		r = ZA_ERR_IO;
		goto out;
	}
	/* Allocate for the size seen at open; a file that grows is cut at cap. */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	while (len < cap - 1) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			za_error(lg, "%s: read: %s", path, strerror(errno));
			r = ZA_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		za_error(lg, "%s: contains a NUL byte", path);
		r = ZA_ERR_PARSE;
		goto out;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = ZA_OK;
out:
	if (buf != NULL)
		za_freezero(buf, cap);
	if (fd >= 0)
		close(fd);
	return r;
}

static int
za_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ZA_ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return ZA_OK;
}

int
za_file_replace(const char *path, const void *data, size_t len, mode_t mode,
    const struct za_log *lg)
{
	char *tmp = NULL, *dircopy = NULL;
	unsigned char rnd[8];
	int fd = -1, dfd = -1, r;
	char suffix[sizeof(rnd) * 2 + 1];

	if ((r = za_random(rnd, sizeof(rnd))) != ZA_OK)
		goto out;
	za_hex_encode(rnd, sizeof(rnd), suffix);
	if (asprintf(&tmp, "%s.tmp.%s", path, suffix) < 0) {
		tmp = NULL;
		r = ZA_ERR_NOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, mode);
	if (fd < 0) {
		za_error(lg, "%s: %s", tmp, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (fchmod(fd, mode) != 0 ||
	    za_write_all(fd, data, len) != ZA_OK || fsync(fd) != 0) {
		za_error(lg, "%s: write: %s", tmp, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = ZA_ERR_IO;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		za_error(lg, "rename %s to %s: %s", tmp, path, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((dircopy = strdup(path)) == NULL) {
		r = ZA_ERR_NOMEM;
		goto out;
	}
	dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	r = ZA_OK;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	if (dfd >= 0)
		close(dfd);
	free(dircopy);
	return r;
}
