/*
 * Replay driver for the fuzz harnesses: without libFuzzer, each harness is
 * linked with this main(), which feeds it every file named on the command
 * line (or every regular file in a directory named there), so the corpus
 * runs as a regression test in `make check`.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT	(1024 * 1024)

static int
replay_file(const char *path, off_t size)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int r = -1;

	if (size < 0 || size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "%s: not a corpus file of at most %d bytes\n",
		    path, REPLAY_MAX_INPUT);
		goto out;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	/* An exact-size buffer, so ASan sees any read past the input. */
	if ((buf = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		goto out;
	len = fread(buf, 1, (size_t)size, f);
	(void)LLVMFuzzerTestOneInput(buf, len);
	r = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return r;
}

static int
replay_path(const char *path, unsigned *count)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char child[4096];
	int r = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path, st.st_size);
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		r = replay_path(child, count);
	}
	closedir(d);
	return r;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int i;

	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return 1;
	printf("replayed %u inputs\n", count);
	return count > 0 ? 0 : 1;
}
