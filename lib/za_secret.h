/*
 * Secret hygiene: wiping, randomness and constant-time comparison.
 */
#ifndef ZA_SECRET_H
#define ZA_SECRET_H

#include <stddef.h>

/* Overwrite n bytes at p with zeros in a way the compiler cannot elide. */
void za_wipe(void *p, size_t n);

/* Wipe n bytes at p, then free(p); p may be NULL. */
void za_freezero(void *p, size_t n);

/* Wipe the NUL-terminated string *sp, free it and set *sp to NULL. */
void za_free_secret_str(char **sp);

/*
 * Fill buf with n bytes from the kernel CSPRNG (getrandom(2)), retrying
 * on EINTR and short reads.  Returns ZA_OK or ZA_ERR_CRYPTO.
 */
int za_random(void *buf, size_t n);

/* Return 1 if a and b (both n bytes) are equal, 0 otherwise, in time
 * independent of their contents. */
int za_ct_equal(const void *a, const void *b, size_t n);

#endif /* ZA_SECRET_H */
