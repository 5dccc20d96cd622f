/*
 * libFuzzer harness: the audit log verifier's line reader and record
 * parser (lib/audit.c), fed the input as a whole log.  Besides memory
 * errors it checks that the verdict is self-consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "za_audit.h"
#include "za_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct za_audit_verify_result res;
	int r;

	r = za_audit_verify_buffer(data, size, NULL, &res, NULL);
	if (memchr(res.message, '\0', sizeof(res.message)) == NULL ||
	    memchr(res.last_hash, '\0', sizeof(res.last_hash)) == NULL)
		abort();
	switch (r) {
	case ZA_OK:
		if (res.problem != ZA_AUDIT_INTACT || res.bad_line != 0 ||
		    (uint64_t)res.last_seq != res.records)
			abort();
		break;
	case ZA_ERR_PARSE:
		if (res.problem == ZA_AUDIT_INTACT ||
		    res.bad_line != res.records + 1 || res.message[0] == '\0')
			abort();
		break;
	case ZA_ERR_NOMEM:
		break;
	default:
		abort();
	}
	return 0;
}
