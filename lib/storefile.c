/* The file store on disk: locking, reading, compare-and-swap (see za_storefile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "za_err.h"
#include "za_file.h"
#include "za_log.h"
#include "za_model.h"
#include "za_secret.h"
#include "za_storefile.h"

/* Open and check the store directory, then flock it (op LOCK_SH/LOCK_EX). */
static int
za_sf_lock(const char *dir, uid_t owner, int op, const struct za_log *lg,
    int *fdp)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	struct stat st;
	int fd, r, waited = 0;

	*fdp = -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		za_error(lg, "store %s: %s", dir, strerror(errno));
		return ZA_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		za_error(lg, "store %s: fstat: %s", dir, strerror(errno));
		r = ZA_ERR_IO;
		goto out;
	}
	if (st.st_uid != owner || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		za_error(lg, "store %s: must be owned by uid %lu and not "
		    "writable by group or others", dir, (unsigned long)owner);
		r = ZA_ERR_UNSAFE_FILE;
		goto out;
	}
	while (flock(fd, op | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			za_error(lg, "store %s: flock: %s", dir,
			    strerror(errno));
			r = ZA_ERR_IO;
			goto out;
		}
		if (waited >= ZA_STOREFILE_LOCK_MS) {
			za_error(lg, "store %s: still locked after %d ms", dir,
			    ZA_STOREFILE_LOCK_MS);
			r = ZA_ERR_TIMEOUT;
			goto out;
		}
		(void)nanosleep(&pause, NULL);
		waited += 10;
	}
	*fdp = fd;
	fd = -1;
	r = ZA_OK;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int
za_sf_path(const char *dir, char **pathp)
{
	if (asprintf(pathp, "%s/%s", dir, ZA_STOREFILE_NAME) < 0) {
		*pathp = NULL;
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}

/* Read and parse the store file; the caller holds the lock. */
static int
za_sf_read(const char *path, uid_t owner, const struct za_log *lg,
    struct za_store **out)
{
	struct za_file_policy pol;
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(&pol, 0, sizeof(pol));
	pol.owner = owner;
	pol.secret = 1;
	pol.max_size = ZA_STORE_MAX_SIZE;
	if ((r = za_file_read_checked(path, &pol, lg, &buf, &len)) != ZA_OK)
		goto out;
	if ((r = za_store_parse(buf, len, out, lg)) != ZA_OK)
		za_error_r(lg, r, "store %s", path);
out:
	if (buf != NULL)
		za_freezero(buf, len + 1);
	return r;
}

int
za_storefile_load(const char *dir, uid_t owner, const struct za_log *lg,
    struct za_store **out)
{
	char *path = NULL;
	int fd = -1, r;

	if (out != NULL)
		*out = NULL;
	if (dir == NULL || out == NULL)
		return ZA_ERR_ARG;
	if ((r = za_sf_path(dir, &path)) != ZA_OK)
		goto out;
	if ((r = za_sf_lock(dir, owner, LOCK_SH, lg, &fd)) != ZA_OK)
		goto out;
	r = za_sf_read(path, owner, lg, out);
out:
	if (fd >= 0)
		close(fd);	/* releases the lock */
	free(path);
	return r;
}

/*
 * Read-modify-write of the store under its exclusive lock: re-read the
 * file, let edit change the parsed store (its error aborts the write),
 * then replace the file atomically.
 */
static int
za_sf_update(const char *dir, uid_t owner,
    int (*edit)(struct za_store *s, void *arg), void *arg,
    const struct za_log *lg)
{
	struct za_store *s = NULL;
	char *path = NULL, *text = NULL;
	size_t len = 0;
	int fd = -1, r;

	if ((r = za_sf_path(dir, &path)) != ZA_OK)
		goto out;
	if ((r = za_sf_lock(dir, owner, LOCK_EX, lg, &fd)) != ZA_OK)
		goto out;
	if ((r = za_sf_read(path, owner, lg, &s)) != ZA_OK)
		goto out;
	if ((r = edit(s, arg)) != ZA_OK)
		goto out;
	if ((r = za_store_serialize(s, &text, &len, lg)) != ZA_OK)
		goto out;
	r = za_file_replace(path, text, len, 0600, lg);
out:
	if (text != NULL)
		za_freezero(text, len + 1);
	za_store_free(&s);
	if (fd >= 0)
		close(fd);	/* releases the lock */
	free(path);
	return r;
}

struct za_sf_otp_edit {
	const char *id;
	int had_old;
	uint64_t old, new_value;
};

/* The token's last step/counter must still be what the login read. */
static int
za_sf_otp_edit(struct za_store *s, void *arg)
{
	const struct za_sf_otp_edit *e = arg;
	struct za_otp_token *t;
	uint64_t cur;
	int have;

	if ((t = za_store_find_otp(s, e->id)) == NULL)
		return ZA_ERR_NOT_FOUND;
	have = t->kind == ZA_TOKEN_TOTP ? t->has_last_step : t->has_counter;
	cur = t->kind == ZA_TOKEN_TOTP ? t->last_step : t->counter;
	if ((have != 0) != (e->had_old != 0) || (have && cur != e->old))
		return ZA_ERR_CONFLICT;
	if (t->kind == ZA_TOKEN_TOTP) {
		t->has_last_step = true;
		t->last_step = e->new_value;
	} else {
		t->has_counter = true;
		t->counter = e->new_value;
	}
	return ZA_OK;
}

int
za_storefile_otp_advance(const char *dir, uid_t owner, const char *id,
    int had_old, uint64_t old, uint64_t new_value, const struct za_log *lg)
{
	struct za_sf_otp_edit e = { id, had_old, old, new_value };

	if (dir == NULL || id == NULL || (had_old && new_value <= old))
		return ZA_ERR_ARG;
	return za_sf_update(dir, owner, za_sf_otp_edit, &e, lg);
}

struct za_sf_fido2_edit {
	const char *id;
	int check_count;
	uint32_t old, new_value;
	enum za_token_status new_status;
};

/*
 * The credential must be active and, when check_count, still hold the
 * counter the login read; then set the new counter or status.
 */
static int
za_sf_fido2_edit(struct za_store *s, void *arg)
{
	const struct za_sf_fido2_edit *e = arg;
	struct za_fido2_cred *c;

	if ((c = za_store_find_fido2(s, e->id)) == NULL)
		return ZA_ERR_NOT_FOUND;
	if (c->status != ZA_TOKEN_ACTIVE ||
	    (e->check_count && c->sign_count != e->old))
		return ZA_ERR_CONFLICT;
	if (e->check_count)
		c->sign_count = e->new_value;
	c->status = e->new_status;
	return ZA_OK;
}

int
za_storefile_fido2_advance(const char *dir, uid_t owner, const char *id,
    uint32_t old, uint32_t new_value, const struct za_log *lg)
{
	struct za_sf_fido2_edit e = { id, 1, old, new_value, ZA_TOKEN_ACTIVE };

	if (dir == NULL || id == NULL || new_value <= old)
		return ZA_ERR_ARG;
	return za_sf_update(dir, owner, za_sf_fido2_edit, &e, lg);
}

int
za_storefile_fido2_mark_cloned(const char *dir, uid_t owner,
    const char *id, const struct za_log *lg)
{
	struct za_sf_fido2_edit e = { id, 0, 0, 0, ZA_TOKEN_CLONED };

	if (dir == NULL || id == NULL)
		return ZA_ERR_ARG;
	return za_sf_update(dir, owner, za_sf_fido2_edit, &e, lg);
}
