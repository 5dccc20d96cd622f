/*
 * zoneauth internal error codes.
 *
 * Every function of the internal library returns ZA_OK (0) or one of the
 * negative codes below.  They are mapped to PAM_* codes only in the
 * pam_sm_* entry points and to exit statuses only in idmgr's main().
 */
#ifndef ZA_ERR_H
#define ZA_ERR_H

enum za_err {
	ZA_OK = 0,
	ZA_ERR_NOMEM = -1,		/* allocation failed */
	ZA_ERR_ARG = -2,		/* invalid argument (caller bug) */
	ZA_ERR_CONFIG = -3,		/* bad configuration */
	ZA_ERR_UNSAFE_FILE = -4,	/* file owner, mode or type not safe */
	ZA_ERR_IO = -5,			/* read/write/open failed */
	ZA_ERR_TOO_LARGE = -6,		/* input exceeds a size bound */
	ZA_ERR_PARSE = -7,		/* malformed input */
	ZA_ERR_RANGE = -8,		/* number out of range */
	ZA_ERR_UNAVAIL = -9,		/* directory unreachable (all URIs) */
	ZA_ERR_LDAP = -10,		/* directory refused an operation */
	ZA_ERR_NOT_FOUND = -11,		/* no such entry / user / token */
	ZA_ERR_CONFLICT = -12,		/* compare-and-swap lost: value moved */
	ZA_ERR_EXISTS = -13,		/* entry or value already exists */
	ZA_ERR_AUTH = -14,		/* credentials rejected */
	ZA_ERR_TLS = -15,		/* TLS required but not established */
	ZA_ERR_TIMEOUT = -16,		/* bounded time exceeded */
	ZA_ERR_CRYPTO = -17,		/* cryptographic primitive failed */
	ZA_ERR_INTERNAL = -18,		/* invariant violated */
	ZA_ERR_DENIED = -19,		/* refused by policy or state */
	ZA_ERR_LOCKED = -20,		/* account or resource locked */
};

/* Return a static English description of code r; never NULL. */
const char *za_strerror(int r);

#endif /* ZA_ERR_H */
