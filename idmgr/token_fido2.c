/*
 * idmgr token fido2-enroll / export-sssd.
 *
 * A FIDO2 credential is a child entry of its user (zaTokenId=<id>,uid=...)
 * with objectClass zoneauthToken + zoneauthFido2Credential: credential id,
 * DER public key, algorithm, AAGUID, signature counter, the user
 * verification it was enrolled for, the relying party id.  Nothing on it
 * is secret; the key's private part never leaves the key.
 *
 * Enrolment makes the credential on the local key (makeCredential through
 * lib/fido2_enrol.c), which checks the attestation and the AAGUID
 * allowlist of [fido2]; only then is anything written.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_fido2.h"
#include "za_model.h"
#include "za_schema.h"
#include "za_secret.h"

#include "idmgr.h"

#define TOKEN_ID_RANDOM		5	/* bytes → 10 hex digits */
#define TOKEN_ADD_TRIES		3
#define ACTION_ENROLL		"token.fido2-enroll"

struct enroll_args {
	const char *uid;
	const char *label;
	enum za_uv_kind uv;
	int uv_given;
	int pin_stdin;
};

static int
parse_enroll(struct idmgr *im, const struct idmgr_cmd *cmd, int argc,
    char **argv, struct enroll_args *a, int *help)
{
	enum { O_UV = 0x200, O_PIN_STDIN };
	static const struct option opts[] = {
		{ "label",	required_argument,	NULL, 'l' },
		{ "uv",		required_argument,	NULL, O_UV },
		{ "pin-stdin",	no_argument,		NULL, O_PIN_STDIN },
		{ NULL,		0,			NULL, 0 }
	};
	const char *uv = NULL;
	int ch, r;

	memset(a, 0, sizeof(*a));
	a->uv = ZA_UV_NONE;
	*help = 0;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "l:", opts)) != -1) {
		switch (ch) {
		case 'l': a->label = optarg; break;
		case O_UV: uv = optarg; break;
		case O_PIN_STDIN: a->pin_stdin = 1; break;
		case IDMGR_OPT_HELP:
			*help = 1;
			return ZA_OK;
		default:
			return ZA_ERR_ARG;
		}
	}
	if ((r = idmgr_positional_uid(im, argc, argv, &a->uid)) != ZA_OK)
		return r;
	if (a->label != NULL && (r = idmgr_check_text(im, "label", a->label,
	    ZA_LABEL_MAX)) != ZA_OK)
		return r;
	if (uv != NULL) {
		if (za_uv_kind_from_string(uv, &a->uv) != ZA_OK)
			return idmgr_usage(im, "uv", "must be builtin, pin or "
			    "none");
		a->uv_given = 1;
	}
	if (a->pin_stdin && a->uv != ZA_UV_PIN)
		return idmgr_usage(im, "pin-stdin", "only with --uv pin");
	return ZA_OK;
}

static int
new_token_id(char **out)
{
	unsigned char rnd[TOKEN_ID_RANDOM];
	char hex[2 * TOKEN_ID_RANDOM + 1];
	size_t i;
	int r;

	if ((r = za_random(rnd, sizeof(rnd))) != ZA_OK)
		return r;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (asprintf(out, "fido2-%s", hex) < 0) {
		*out = NULL;
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}

/* The field an enrolment failure concerns. */
static const char *
reason_field(enum za_fido2_reason why)
{
	switch (why) {
	case ZA_FIDO2_R_PIN_INVALID:
	case ZA_FIDO2_R_PIN_BLOCKED:
	case ZA_FIDO2_R_PIN_AUTH_BLOCKED:
	case ZA_FIDO2_R_PIN_NOT_SET:
	case ZA_FIDO2_R_PIN_REQUIRED:
		return "pin";
	case ZA_FIDO2_R_UV_FAILED:
	case ZA_FIDO2_R_UV_BLOCKED:
	case ZA_FIDO2_R_UV_UNSUPPORTED:
		return "uv";
	case ZA_FIDO2_R_ATTESTATION:
		return "attestation";
	case ZA_FIDO2_R_AAGUID:
		return "aaguid";
	default:
		return "device";
	}
}

/*
 * Report a failed makeCredential.  Refusals (attestation, AAGUID, a key
 * without the feature asked for, a key registered already) are journalled
 * as refused and exit 3; a key the user did not touch, a wrong PIN or a
 * device error as errors; no key at all is only reported.
 */
static int
enrol_failed(struct idmgr *im, const struct za_user *u, int r,
    const struct za_fido2_result *res, int timeout_ms)
{
	const char *field = reason_field(res->reason);
	const char *why = za_fido2_reason_name(res->reason);
	char msg[ZA_FIDO2_MSG_MAX + 64];

	snprintf(msg, sizeof(msg), "%s", res->msg[0] != '\0' ? res->msg :
	    za_strerror(r));
	switch (r) {
	case ZA_ERR_DENIED:
		return idmgr_refuse(im, ACTION_ENROLL, u->dn, field, "%s", msg);
	case ZA_ERR_EXISTS:
		return idmgr_refuse(im, ACTION_ENROLL, u->dn, "device", "this "
		    "key already holds a credential of %s (registered "
		    "already)", u->uid);
	case ZA_ERR_NOT_FOUND:
		return idmgr_fail(im, r, "device", "no FIDO security key found "
		    "(insert one and try again)");
	case ZA_ERR_TIMEOUT:
		snprintf(msg, sizeof(msg), "the key was not touched within "
		    "%d s", timeout_ms / 1000);
		break;
	case ZA_ERR_AUTH:
		if (res->retries >= 0 && res->reason == ZA_FIDO2_R_PIN_INVALID)
			snprintf(msg, sizeof(msg), "wrong PIN (%d tries left "
			    "before the key blocks)", res->retries);
		else if (res->reason == ZA_FIDO2_R_DENIED)
			snprintf(msg, sizeof(msg), "the request was declined "
			    "on the key");
		break;
	case ZA_ERR_ARG:
	case ZA_ERR_NOMEM:
		return idmgr_fail(im, r, NULL, "cannot enrol: %s",
		    za_strerror(r));
	default:
		break;
	}
	r = idmgr_fail(im, r, field, "%s", msg);
	(void)idmgr_journal(im, ACTION_ENROLL, u->dn, ZA_AUDIT_RESULT_ERROR,
	    why, NULL);
	return r;
}

static int
enroll_output(struct idmgr *im, const struct za_user *u,
    const struct za_fido2_cred *c, const char *dn, const char *device)
{
	char cr[IDMGR_TIMEBUF], ag[ZA_AAGUID_TEXT_LEN + 1],
	    pre[IDMGR_CRED_PREFIX_BUF];
	const char *uv = NULL;
	json_object *jo, *tj;

	(void)za_uv_kind_to_string(c->uv, &uv);
	if (za_aaguid_format(c->aaguid, ag, sizeof(ag)) != ZA_OK)
		snprintf(ag, sizeof(ag), "?");
	if (!im->json) {
		printf("%s: enrolled fido2 credential %s%s%s%s\n", u->uid,
		    c->id, c->label != NULL ? " (" : "",
		    c->label != NULL ? c->label : "",
		    c->label != NULL ? ")" : "");
		printf("  created            %s\n", idmgr_fmt_time(c->created,
		    cr, sizeof(cr)));
		printf("  aaguid             %s\n", ag);
		printf("  user verification  %s\n", uv != NULL ? uv : "?");
		printf("  algorithm          %s\n",
		    idmgr_fido2_alg_name(c->alg));
		printf("  sign counter       %u\n", (unsigned int)c->sign_count);
		printf("  relying party      %s\n", c->rp_id);
		printf("  credential         %s\n", idmgr_fido2_cred_prefix(c,
		    pre, sizeof(pre)));
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL ||
	    (tj = json_object_new_object()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	json_object_object_add(tj, "id", json_object_new_string(c->id));
	json_object_object_add(tj, "kind", json_object_new_string("fido2"));
	json_object_object_add(tj, "label", idmgr_json_str(c->label));
	json_object_object_add(tj, "status", json_object_new_string("active"));
	json_object_object_add(tj, "created", idmgr_json_time(c->created));
	json_object_object_add(tj, "dn", json_object_new_string(dn));
	json_object_object_add(tj, "fido2", idmgr_fido2_cred_json(c));
	json_object_object_add(jo, "uid", json_object_new_string(u->uid));
	json_object_object_add(jo, "token", tj);
	json_object_object_add(jo, "device", idmgr_json_str(device));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

/* Store c under the user with a fresh token id; journal the outcome. */
static int
store_cred(struct idmgr *im, const struct za_user *u, struct za_fido2_cred *c,
    char **dnp)
{
	struct idmgr_changes ch = { NULL, 0 };
	LDAPMod **mods = NULL;
	char *eid = NULL, *dn = NULL, diag[512];
	int r = ZA_ERR_EXISTS, tries;

	for (tries = 0; tries < TOKEN_ADD_TRIES && r == ZA_ERR_EXISTS;
	    tries++) {
		free(c->id);
		c->id = NULL;
		free(eid);
		free(dn);
		eid = dn = NULL;
		za_ldap_mods_free(&mods);
		idmgr_changes_clear(&ch);
		if (new_token_id(&c->id) != ZA_OK ||
		    za_escape_dn_value(c->id, &eid) != ZA_OK ||
		    asprintf(&dn, "%s=%s,%s", ZA_AT_TOKEN_ID, eid, u->dn) < 0) {
			dn = NULL;
			goto nomem;
		}
		if ((r = za_fido2_cred_to_mods(c, &mods, &im->log)) != ZA_OK) {
			r = idmgr_fail(im, r, NULL, "the credential is not "
			    "valid: %s", za_strerror(r));
			goto out;
		}
		if (idmgr_fido2_changes_from_mods(&ch, mods) != ZA_OK)
			goto nomem;
		r = za_dir_add(im->dir, dn, mods);
	}
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "adding the credential %s failed: "
		    "%s%s", dn, za_strerror(r), idmgr_ldap_diag(im, diag,
		    sizeof(diag)));
		(void)idmgr_journal(im, ACTION_ENROLL, dn, ZA_AUDIT_RESULT_ERROR,
		    im->err_msg, NULL);
		goto out;
	}
	r = idmgr_journal(im, ACTION_ENROLL, dn, ZA_AUDIT_RESULT_OK, NULL, &ch);
	*dnp = dn;
	dn = NULL;
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	za_ldap_mods_free(&mods);
	idmgr_changes_clear(&ch);
	free(eid);
	free(dn);
	return r;
}

int
idmgr_token_fido2_enroll(struct idmgr *im, int argc, char **argv)
{
	struct enroll_args a;
	struct idmgr_fido2_conf fc;
	struct za_user *u = NULL;
	struct za_fido2_cred_list have = { NULL, 0, 0 };
	struct za_fido2_cred **excl = NULL, *c = NULL;
	struct za_fido2_dev *dev = NULL;
	struct za_fido2_enrol_req req;
	struct za_fido2_attest_policy pol;
	struct za_fido2_result res;
	char pin[IDMGR_PIN_MAX + 1], *dn = NULL, *device = NULL;
	size_t i, nexcl = 0;
	int r, rj, help;

	memset(pin, 0, sizeof(pin));
	memset(&req, 0, sizeof(req));
	memset(&pol, 0, sizeof(pol));
	memset(&res, 0, sizeof(res));
	if ((r = parse_enroll(im, idmgr_cmd_find("token", "fido2-enroll"),
	    argc, argv, &a, &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_fido2_settings(im, &fc)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, NULL)) != ZA_OK)
		goto out;
	if (u->status == ZA_ACCOUNT_DISABLED) {
		r = idmgr_refuse(im, ACTION_ENROLL, u->dn, "uid", "%s is "
		    "disabled; enable it before enrolling a key", u->uid);
		goto out;
	}
	if (fc.require_uv && a.uv == ZA_UV_NONE) {
		r = idmgr_refuse(im, ACTION_ENROLL, u->dn, "uv", "[fido2] "
		    "require_uv is set: enrol with --uv builtin or --uv pin");
		goto out;
	}
	/* Keys that hold a credential of the user already are refused. */
	if ((r = idmgr_fido2_find_creds(im, u->dn, &have, NULL)) != ZA_OK)
		goto out;
	if (have.n > 0 && (excl = calloc(have.n, sizeof(*excl))) == NULL)
		goto nomem;
	for (i = 0; i < have.n; i++)
		if (have.v[i]->status != ZA_TOKEN_REVOKED &&
		    strcmp(have.v[i]->rp_id, fc.rp_id) == 0)
			excl[nexcl++] = have.v[i];
	if (a.uv == ZA_UV_PIN && (r = idmgr_pin_read(im, a.pin_stdin,
	    "PIN of the security key: ", pin, sizeof(pin))) != ZA_OK)
		goto out;
	if ((r = za_fido2_dev_open_first(fc.touch_timeout_ms, &dev, &res,
	    &im->log)) != ZA_OK) {
		r = enrol_failed(im, u, r, &res, fc.touch_timeout_ms);
		goto out;
	}
	if ((device = strdup(za_fido2_dev_path(dev))) == NULL)
		goto nomem;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "Touch the security key (%s)%s...\n", device,
		    a.uv == ZA_UV_BUILTIN ? " with an enrolled finger" : "");
	req.rp_id = fc.rp_id;
	req.user.name = u->uid;
	req.uv = a.uv;
	req.pin = a.uv == ZA_UV_PIN ? pin : NULL;
	req.timeout_ms = fc.touch_timeout_ms;
	req.exclude = excl;
	req.nexclude = nexcl;
	pol.ca_file = fc.attestation_ca;
	pol.aaguids = fc.aaguids;
	pol.naaguids = fc.naaguids;
	r = za_fido2_enrol(dev, &req, &pol, &c, &res, &im->log);
	za_wipe(pin, sizeof(pin));
	za_fido2_dev_close(&dev);
	if (r != ZA_OK) {
		r = enrol_failed(im, u, r, &res, fc.touch_timeout_ms);
		goto out;
	}
	c->status = ZA_TOKEN_ACTIVE;
	c->created = im->now;
	if (a.label != NULL && (c->label = strdup(a.label)) == NULL)
		goto nomem;
	if ((r = store_cred(im, u, c, &dn)) != ZA_OK && dn == NULL)
		goto out;
	/* Written: report it whatever happened to the journal. */
	rj = r;
	r = enroll_output(im, u, c, dn, device);
	if (r == ZA_OK)
		r = rj;
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	za_wipe(pin, sizeof(pin));
	za_fido2_dev_close(&dev);
	za_fido2_cred_free(&c);
	za_fido2_cred_list_clear(&have);
	za_user_free(&u);
	free(excl);
	free(device);
	free(dn);
	return r;
}

/* ---------------------------------------------------------------- sssd */

int
idmgr_token_export_sssd(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("token", "export-sssd");
	struct za_user *u = NULL;
	struct za_fido2_cred_list creds = { NULL, 0, 0 };
	json_object *jo = NULL, *arr = NULL, *m;
	const char *uid = NULL;
	char *val = NULL;
	size_t i, nbad = 0, n = 0;
	int ch, r;

	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "", NULL)) != -1)
		return ch == IDMGR_OPT_HELP ? ZA_OK : ZA_ERR_ARG;
	if ((r = idmgr_positional_uid(im, argc, argv, &uid)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_user(im, uid, &u, NULL)) != ZA_OK ||
	    (r = idmgr_fido2_find_creds(im, u->dn, &creds, &nbad)) != ZA_OK)
		goto out;
	if (im->json && ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL))
		goto nomem;
	for (i = 0; i < creds.n; i++) {
		if (creds.v[i]->status != ZA_TOKEN_ACTIVE)
			continue;
		if ((r = za_fido2_cred_sssd_mapping(creds.v[i], &val)) !=
		    ZA_OK) {
			r = idmgr_fail(im, r, "token", "%s: no mapping: %s",
			    creds.v[i]->id, za_strerror(r));
			goto out;
		}
		n++;
		if (!im->json)
			printf("%s\n", val);
		else if ((m = json_object_new_object()) != NULL) {
			json_object_object_add(m, "id",
			    json_object_new_string(creds.v[i]->id));
			json_object_object_add(m, "rp_id",
			    json_object_new_string(creds.v[i]->rp_id));
			json_object_object_add(m, "value",
			    json_object_new_string(val));
			json_object_array_add(arr, m);
		}
		free(val);
		val = NULL;
	}
	if (nbad > 0)
		za_warn(&im->log, "%zu credential entr%s of %s could not be "
		    "read and %s not exported", nbad, nbad == 1 ? "y" : "ies",
		    u->uid, nbad == 1 ? "is" : "are");
	if (n == 0 && !im->json)
		fprintf(stderr, "idmgr: %s has no active FIDO2 credentials\n",
		    u->uid);
	if (im->json) {
		json_object_object_add(jo, "uid",
		    json_object_new_string(u->uid));
		json_object_object_add(jo, "mappings", arr);
		arr = NULL;
		idmgr_set_result(im, jo, 0);
		jo = NULL;
	}
	r = ZA_OK;
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	json_object_put(arr);
	json_object_put(jo);
	free(val);
	za_fido2_cred_list_clear(&creds);
	za_user_free(&u);
	return r;
}
