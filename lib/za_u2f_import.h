/*
 * Import of pam_u2f authfiles, for moving users of pam_u2f to zoneauth
 * without enrolling their keys again ("idmgr token import-u2f FILE").
 *
 * One line per user (pam_u2f(8), "Central Authorization Mapping"):
 *
 *   USER:CRED[:CRED...]
 *   CRED = KEYHANDLE,PUBLICKEY,COSETYPE,OPTIONS     pamu2fcfg >= 1.1
 *        | KEYHANDLE,PUBLICKEY,COSETYPE             same, no options
 *        | KEYHANDLE,PUBLICKEY                      old (U2F) format
 *
 *  - new format: KEYHANDLE is the credential id in standard base64 (with
 *    or without padding); "*" (a resident credential, no id) cannot be
 *    imported: zoneauth finds credentials by id.  PUBLICKEY is standard
 *    base64 of libfido2's raw key: es256 the 64-byte x||y (65 bytes with
 *    a leading 0x04 accepted), eddsa the 32-byte Ed25519 key, rs256 the
 *    256-byte modulus and 3-byte exponent.  COSETYPE is es256, eddsa or
 *    rs256 (any case).  OPTIONS is a concatenation, each at most once, of
 *    "+presence", "+verification" and "+pin"; zoneauth always requires
 *    presence, and takes the user verification kind from the rest:
 *    "+pin" (with or without "+verification") -> ZA_UV_PIN,
 *    "+verification" -> ZA_UV_BUILTIN, neither -> ZA_UV_NONE.
 *  - old format: KEYHANDLE in base64url (or standard base64), padding
 *    optional; PUBLICKEY the 65-byte uncompressed P-256 point in hex
 *    (130 digits); es256, presence only.
 *
 * The relying party id is not in the file: pam_u2f uses its origin=
 * option for new-format lines and appid= for old ones (both default to
 * "pam://$HOSTNAME" of the machine that ran pamu2fcfg), so the caller
 * passes what that pam_u2f was configured with.
 *
 * Parsing is strict: a bad field, an unknown option, a user listed twice,
 * a credential id seen twice, a carriage return or NUL byte is an error
 * naming the line (and credential) number, never a key or handle.  Blank
 * lines and lines starting with '#' are skipped.
 */
#ifndef ZA_U2F_IMPORT_H
#define ZA_U2F_IMPORT_H

#include <stddef.h>

#include "za_model.h"

struct za_log;

#define ZA_U2F_LINE_MAX		16384		/* bytes per line */
#define ZA_U2F_FILE_MAX		((size_t)16 << 20)	/* bytes per file */
#define ZA_U2F_CREDS_PER_LINE	64		/* pam_u2f's default is 24 */
#define ZA_U2F_MAX_CREDS	100000		/* credentials per file */
#define ZA_U2F_LABEL		"pam_u2f import"

struct za_u2f_import_opts {
	const char *origin;	/* RP id of new-format lines; required */
	const char *appid;	/* RP id of old-format lines; NULL: origin */
};

/*
 * Parse len bytes at buf (the whole authfile; the last line needs no
 * newline) and append one za_fido2_cred per credential to out, which
 * must be empty.  Each record has owner (the user name, checked with
 * za_valid_uid), id "u2f-" + 16 hex digits of SHA-256(credential id)
 * (so importing twice yields the same ids), label ZA_U2F_LABEL, status
 * active, cred_id, pubkey (DER SubjectPublicKeyInfo), alg, uv, rp_id,
 * sign_count 0 and a zero AAGUID (unknown), and passes
 * za_fido2_cred_validate().  On error out is left empty.  Returns ZA_OK,
 * ZA_ERR_PARSE, ZA_ERR_TOO_LARGE, ZA_ERR_NOMEM or ZA_ERR_ARG.
 */
int za_u2f_import_parse(const char *buf, size_t len,
    const struct za_u2f_import_opts *opts, struct za_fido2_cred_list *out,
    const struct za_log *lg);

#endif /* ZA_U2F_IMPORT_H */
