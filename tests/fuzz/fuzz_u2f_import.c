/*
 * libFuzzer harness for the pam_u2f authfile import (lib/u2f_import.c).
 * Besides crashes and sanitizer reports it aborts when a property fails:
 * a parse either succeeds with records that each pass
 * za_fido2_cred_validate(), belong to a valid user and carry one of the
 * two RP ids passed in, or fails leaving the list empty.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "za_err.h"
#include "za_model.h"
#include "za_u2f_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct za_u2f_import_opts opts = {
		"pam://fuzz", "pam://fuzz-appid"
	};
	struct za_fido2_cred_list l = { NULL, 0, 0 };
	const struct za_fido2_cred *c;
	size_t i;
	int r;

	if (size > 4 * ZA_U2F_LINE_MAX)
		return 0;
	r = za_u2f_import_parse((const char *)data, size, &opts, &l, NULL);
	if (r != ZA_OK) {
		if (l.n != 0)
			abort();
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		c = l.v[i];
		if (za_fido2_cred_validate(c, NULL) != ZA_OK ||
		    c->owner == NULL || za_valid_uid(c->owner, NULL) != ZA_OK ||
		    (strcmp(c->rp_id, opts.origin) != 0 &&
		    strcmp(c->rp_id, opts.appid) != 0) ||
		    c->status != ZA_TOKEN_ACTIVE || c->sign_count != 0)
			abort();
	}
	za_fido2_cred_list_clear(&l);
	return 0;
}
