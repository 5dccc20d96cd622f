/* Secret hygiene (see za_secret.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "za_err.h"
#include "za_secret.h"

void
za_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
za_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	za_wipe(p, n);
	free(p);
}

void
za_free_secret_str(char **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	za_freezero(*sp, strlen(*sp));
	*sp = NULL;
}

int
za_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t got;

	while (n > 0) {
		got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return ZA_ERR_CRYPTO;
		}
		p += got;
		n -= (size_t)got;
	}
	return ZA_OK;
}

int
za_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}
