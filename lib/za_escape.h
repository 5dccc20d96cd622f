/*
 * Escaping untrusted values for LDAP distinguished names and filters.
 *
 * Every value that did not come from the configuration (a user name typed
 * at a login prompt, an HR feed column, a token label) must go through one
 * of these functions before it is pasted into a DN or a search filter.
 *
 * DN attribute values follow RFC 4514 section 2.4:
 *   - '"' '+' ',' ';' '<' '>' '\' and '=' become '\' followed by the
 *     character (the '=' is optional in the RFC; escaping it costs nothing);
 *   - a leading ' ' or '#' and a trailing ' ' become "\ " or "\#";
 *   - NUL, the control characters 0x01-0x1f and 0x7f become \XX (two
 *     upper-case hex digits);
 *   - bytes of well-formed UTF-8 sequences (e.g. 田中) pass through
 *     unchanged; each byte that is not part of a well-formed sequence
 *     (invalid UTF-8) becomes \XX, so the output is always pure UTF-8 and
 *     the unescaped value is still exactly the input bytes.
 *
 * Filter assertion values follow RFC 4515 section 3:
 *   - '*' '(' ')' '\' and NUL become \2a \28 \29 \5c \00;
 *   - control characters and invalid UTF-8 bytes also become \XX (lower
 *     case hex, as the RFC's examples), well-formed UTF-8 passes through.
 *
 * Outputs are NUL-terminated strings allocated with malloc(); the caller
 * frees them with free().  Inputs may contain NUL when the length variants
 * are used.  Inputs longer than ZA_ESCAPE_MAX_IN bytes are refused.
 */
#ifndef ZA_ESCAPE_H
#define ZA_ESCAPE_H

#include <stddef.h>

/* Longest input accepted by the functions below, in bytes. */
#define ZA_ESCAPE_MAX_IN	(64 * 1024)

/*
 * Escape len bytes at in as an RFC 4514 DN attribute value.  On success
 * *out holds the escaped string (possibly empty).  Returns ZA_OK,
 * ZA_ERR_ARG (in or out NULL), ZA_ERR_TOO_LARGE or ZA_ERR_NOMEM; on error
 * *out is NULL.
 */
int za_escape_dn_value_len(const char *in, size_t len, char **out);

/* Same for the NUL-terminated string in. */
int za_escape_dn_value(const char *in, char **out);

/*
 * Escape len bytes at in as an RFC 4515 filter assertion value.  Same
 * returns as za_escape_dn_value_len().
 */
int za_escape_filter_value_len(const char *in, size_t len, char **out);

/* Same for the NUL-terminated string in. */
int za_escape_filter_value(const char *in, char **out);

/*
 * Build "uid=<escaped uid>,<users_dn>" into *out.  users_dn comes from the
 * configuration and is used as it is.  An empty uid is ZA_ERR_ARG (it
 * would name a nonsensical entry).  Same returns as above.
 */
int za_escape_user_dn(const char *uid, const char *users_dn, char **out);

#endif /* ZA_ESCAPE_H */
