/*
 * The file store on disk: DIR/zoneauth.store in the directory configured
 * as store.path (format and parser: za_model.h).
 *
 * The directory must be owned by the expected owner (root in production;
 * a parameter so tests run unchanged) and not writable by group or
 * others; the file likewise, and unreadable by group and others (it holds
 * OTP secrets).  Readers take a shared flock(2) on the directory, writers
 * an exclusive one, waiting at most ZA_STOREFILE_LOCK_MS; a writer
 * re-reads the file under its lock and replaces it by rename
 * (za_file_replace), so readers see either the old or the new file and
 * the lock, held on the directory, is never on a replaced inode.  flock
 * locks vanish with their process, so a crash leaves no stale lock.
 */
#ifndef ZA_STOREFILE_H
#define ZA_STOREFILE_H

#include <stdint.h>
#include <sys/types.h>

#include "za_model.h"

struct za_log;

#define ZA_STOREFILE_NAME	"zoneauth.store"
#define ZA_STOREFILE_LOCK_MS	5000

/*
 * Read and parse the store of directory dir under a shared lock.
 * Returns ZA_OK (*out owned by the caller: za_store_free), ZA_ERR_IO (no
 * such directory or file), ZA_ERR_UNSAFE_FILE, ZA_ERR_TOO_LARGE,
 * ZA_ERR_PARSE, ZA_ERR_TIMEOUT (lock not obtained), ZA_ERR_NOMEM or
 * ZA_ERR_ARG; errors are logged.
 */
int za_storefile_load(const char *dir, uid_t owner, const struct za_log *lg,
    struct za_store **out);

/*
 * Compare-and-swap the forward-only state of the OTP token id: under an
 * exclusive lock, re-read the store; the token's last step (TOTP) or
 * counter (HOTP) must still be old (had_old 0: absent), else
 * ZA_ERR_CONFLICT; then set it to new_value and replace the file.
 * new_value must be greater than old.  Returns ZA_OK, ZA_ERR_CONFLICT,
 * ZA_ERR_NOT_FOUND (no such token), the errors of za_storefile_load(),
 * or ZA_ERR_IO when writing fails.
 */
int za_storefile_otp_advance(const char *dir, uid_t owner, const char *id,
    int had_old, uint64_t old, uint64_t new_value, const struct za_log *lg);

/*
 * Compare-and-swap the signature counter of the FIDO2 credential id:
 * under an exclusive lock, re-read the store; the credential must still
 * be active with counter old, else ZA_ERR_CONFLICT; then set it to
 * new_value (greater than old, else ZA_ERR_ARG) and replace the file.
 * Returns ZA_OK, ZA_ERR_CONFLICT, ZA_ERR_NOT_FOUND (no such credential),
 * the errors of za_storefile_load(), or ZA_ERR_IO when writing fails.
 */
int za_storefile_fido2_advance(const char *dir, uid_t owner, const char *id,
    uint32_t old, uint32_t new_value, const struct za_log *lg);

/*
 * Mark the FIDO2 credential id cloned (a signature counter went back):
 * under an exclusive lock, re-read the store; its status must still be
 * active, else ZA_ERR_CONFLICT (revoked or marked by someone else); then
 * set status cloned and replace the file.  The counter is left as is.
 * Returns as za_storefile_fido2_advance().
 */
int za_storefile_fido2_mark_cloned(const char *dir, uid_t owner,
    const char *id, const struct za_log *lg);

#endif /* ZA_STOREFILE_H */
