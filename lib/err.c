/* Error code descriptions. */
#include "config.h"

#include "za_err.h"

const char *
za_strerror(int r)
{
	switch (r) {
	case ZA_OK:			return "success";
	case ZA_ERR_NOMEM:		return "out of memory";
	case ZA_ERR_ARG:		return "invalid argument";
	case ZA_ERR_CONFIG:		return "invalid configuration";
	case ZA_ERR_UNSAFE_FILE:	return "unsafe file ownership, mode or type";
	case ZA_ERR_IO:			return "input/output error";
	case ZA_ERR_TOO_LARGE:		return "input too large";
	case ZA_ERR_PARSE:		return "malformed input";
	case ZA_ERR_RANGE:		return "value out of range";
	case ZA_ERR_UNAVAIL:		return "directory unavailable";
	case ZA_ERR_LDAP:		return "directory operation failed";
	case ZA_ERR_NOT_FOUND:		return "not found";
	case ZA_ERR_CONFLICT:		return "concurrent update detected";
	case ZA_ERR_EXISTS:		return "already exists";
	case ZA_ERR_AUTH:		return "authentication failed";
	case ZA_ERR_TLS:		return "TLS required but not available";
	case ZA_ERR_TIMEOUT:		return "timed out";
	case ZA_ERR_CRYPTO:		return "cryptographic operation failed";
	case ZA_ERR_INTERNAL:		return "internal error";
	case ZA_ERR_DENIED:		return "denied";
	case ZA_ERR_LOCKED:		return "locked";
	}
	return "unknown error";
}
