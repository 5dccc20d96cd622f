/*
 * idmgr token totp-enroll / hotp-enroll / list / revoke (FIDO2 enrolment,
 * SSSD export and the pam_u2f import live in token_fido2.c/token_u2f.c).
 *
 * A token is a child entry of its user (zaTokenId=<id>,uid=...) with the
 * otp overlay's oathTOTPToken/oathHOTPToken class, the secret in
 * oathSecret and a pointer to a parameter entry under ou=otp-params.  The
 * user entry itself is never linked to it (oathTOTPUser/oathTOTPToken on
 * the user would make the overlay demand password+code on every bind).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>
#include <ldap.h>

#include "za_audit.h"
#include "za_config.h"
#include "za_dir.h"
#include "za_err.h"
#include "za_escape.h"
#include "za_model.h"
#include "za_otpauth.h"
#include "za_qr.h"
#include "za_schema.h"
#include "za_secret.h"
#include "za_time.h"

#include "idmgr.h"

#define TOKEN_ID_RANDOM		5	/* bytes → 10 hex digits */
#define TOKEN_ADD_TRIES		3
#define DEFAULT_ISSUER		"zoneauth"

static int cmd_totp_enroll(struct idmgr *, int, char **);
static int cmd_hotp_enroll(struct idmgr *, int, char **);
static int cmd_token_list(struct idmgr *, int, char **);
static int cmd_token_revoke(struct idmgr *, int, char **);

#define ENROLL_HELP \
	"  -l, --label TEXT     label shown in lists (e.g. the device)\n" \
	"  --digits N           code length, 6 to 8 (default 6)\n" \
	"  --algorithm ALG      sha1, sha256 or sha512 (default sha1)\n" \
	"  --issuer TEXT        issuer in the authenticator app (default: the\n" \
	"                       base DN's dc= parts, e.g. example.lg.jp)\n" \
	"  --qr, --no-qr        draw the URI as a QR code (default: when\n" \
	"                       standard output is a terminal and not --json)\n" \
	"\nThe secret (from getrandom) is stored with the otp overlay's " \
	"classes and a\nparameter entry under ou=otp-params that matches " \
	"the options.  The otpauth://\nURI printed holds the secret: it is " \
	"shown once.  Refused (exit 3) for a\ndisabled ID.\n"

const struct idmgr_cmd idmgr_token_cmds[] = {
	{ "token", "totp-enroll", cmd_totp_enroll, "UID [options]",
	    "enrol a TOTP token (RFC 6238); prints its otpauth:// URI",
	    ENROLL_HELP
	    "  --period N           TOTP step in seconds (default 30)\n" },
	{ "token", "hotp-enroll", cmd_hotp_enroll, "UID [options]",
	    "enrol an HOTP token (RFC 4226); prints its otpauth:// URI",
	    ENROLL_HELP },
	{ "token", "fido2-enroll", idmgr_token_fido2_enroll,
	    "UID [--label TEXT] [--uv builtin|pin|none] [--pin-stdin]",
	    "enrol a FIDO2 security key (makeCredential on the local key)",
	    "  -l, --label TEXT     label shown in lists (e.g. the key)\n"
	    "  --uv KIND            what the key proves besides presence:\n"
	    "                       builtin (fingerprint), pin (its PIN) or\n"
	    "                       none (touch only; the default)\n"
	    "  --pin-stdin          with --uv pin: read the PIN from standard\n"
	    "                       input instead of the terminal\n"
	    "\nThe first key found is used; touch it within [fido2] "
	    "touch_timeout.\nThe attestation is verified (against [fido2] "
	    "attestation_ca when\nset) and the key's AAGUID must be in "
	    "[fido2] aaguids when that is set;\nonly then is the credential "
	    "stored.  The PIN is never stored, logged\nor audited.  Refused "
	    "(exit 3): a disabled ID, untrusted attestation, an\nAAGUID "
	    "outside the allowlist, a key without the verification asked "
	    "for,\na key registered already, --uv none when [fido2] "
	    "require_uv is set.\n" },
	{ "token", "list", cmd_token_list, "UID",
	    "list a user's tokens and FIDO2 credentials (never secrets)",
	    "\nFIDO2 credentials are also listed with their AAGUID, user\n"
	    "verification, signature counter, algorithm and the first bytes "
	    "of the\ncredential id.\n" },
	{ "token", "revoke", cmd_token_revoke, "UID TOKEN --reason TEXT",
	    "revoke a token or FIDO2 credential at once (e.g. lost, broken, "
	    "left)",
	    "  -r, --reason TEXT  why (required; recorded), e.g. lost, broken "
	    "or left\n"
	    "\nRefused (exit 3) when the token is already revoked.\n" },
	{ "token", "export-sssd", idmgr_token_export_sssd, "UID",
	    "print SSSD passkey mapping values of the active FIDO2 credentials",
	    "\nOne line per active credential: passkey:<base64 credential "
	    "id>,<base64\nDER public key>, the value SSSD reads from its "
	    "LDAP passkey attribute.\n" },
	{ "token", "import-u2f", idmgr_token_import_u2f,
	    "FILE [--dry-run] [--origin RPID] [--appid RPID] "
	    "[--accept-unattested]",
	    "import the credentials of a pam_u2f authfile",
	    "  -n, --dry-run        print the plan, write nothing\n"
	    "  --origin RPID        relying party of the new-format lines "
	    "(pam_u2f's\n"
	    "                       origin=; default [fido2] rp_id)\n"
	    "  --appid RPID         relying party of old-format lines "
	    "(pam_u2f's\n"
	    "                       appid=; default the origin)\n"
	    "  --accept-unattested  import although [fido2] asks for "
	    "attestation\n"
	    "                       or an AAGUID allowlist\n"
	    "\nEvery line is checked first (syntax, users exist and are not "
	    "disabled,\nno credential id already in the directory); errors "
	    "name FILE:LINE and\nnothing is written.  Then the plan is "
	    "printed and applied, each new\nentry audited.  Token ids are "
	    "u2f-<hash of the credential id>.\n" },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

struct enroll_args {
	const char *uid;
	const char *label;
	const char *issuer;
	unsigned int digits;
	unsigned int period;
	enum za_otp_alg alg;
	int qr;			/* -1 auto, 0 no, 1 yes */
};

static int
parse_enroll(struct idmgr *im, const struct idmgr_cmd *cmd,
    enum za_token_kind kind, int argc, char **argv, struct enroll_args *a,
    int *help)
{
	enum { O_DIGITS = 0x200, O_ALG, O_PERIOD, O_ISSUER, O_QR, O_NOQR };
	static const struct option opts[] = {
		{ "label",	required_argument,	NULL, 'l' },
		{ "digits",	required_argument,	NULL, O_DIGITS },
		{ "algorithm",	required_argument,	NULL, O_ALG },
		{ "period",	required_argument,	NULL, O_PERIOD },
		{ "issuer",	required_argument,	NULL, O_ISSUER },
		{ "qr",		no_argument,		NULL, O_QR },
		{ "no-qr",	no_argument,		NULL, O_NOQR },
		{ NULL,		0,			NULL, 0 }
	};
	const char *digits = NULL, *period = NULL, *alg = NULL;
	long long n;
	int ch, r;

	memset(a, 0, sizeof(*a));
	a->digits = 6;
	a->period = 30;
	a->alg = ZA_OTP_SHA1;
	a->qr = -1;
	*help = 0;
	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "l:", opts)) != -1) {
		switch (ch) {
		case 'l': a->label = optarg; break;
		case O_DIGITS: digits = optarg; break;
		case O_ALG: alg = optarg; break;
		case O_PERIOD:
			if (kind != ZA_TOKEN_TOTP)
				return idmgr_usage(im, "period", "only for "
				    "TOTP tokens");
			period = optarg;
			break;
		case O_ISSUER: a->issuer = optarg; break;
		case O_QR: a->qr = 1; break;
		case O_NOQR: a->qr = 0; break;
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
	if (a->issuer != NULL && ((r = idmgr_check_text(im, "issuer",
	    a->issuer, ZA_OTPAUTH_MAX_NAME)) != ZA_OK))
		return r;
	if (digits != NULL) {
		if ((r = idmgr_parse_long(im, "digits", digits,
		    ZA_OTP_DIGITS_MIN, ZA_OTP_DIGITS_MAX, &n)) != ZA_OK)
			return r;
		a->digits = (unsigned int)n;
	}
	if (period != NULL) {
		if ((r = idmgr_parse_long(im, "period", period,
		    ZA_TOTP_PERIOD_MIN, ZA_TOTP_PERIOD_MAX, &n)) != ZA_OK)
			return r;
		a->period = (unsigned int)n;
	}
	if (alg != NULL && za_otp_alg_from_string(alg, &a->alg) != ZA_OK)
		return idmgr_usage(im, "algorithm", "must be sha1, sha256 or "
		    "sha512");
	return ZA_OK;
}

/* "example.lg.jp" from dc=example,dc=lg,dc=jp; NULL without dc parts. */
static char *
issuer_from_base(const char *base)
{
	LDAPDN dn = NULL;
	char *out = NULL, *tmp;
	size_t i;
	LDAPAVA *ava;

	if (ldap_str2dn(base, &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	for (i = 0; dn != NULL && dn[i] != NULL; i++) {
		ava = dn[i][0];
		if (dn[i][1] != NULL || ava->la_attr.bv_len != 2 ||
		    strncasecmp(ava->la_attr.bv_val, "dc", 2) != 0 ||
		    memchr(ava->la_value.bv_val, '\0', ava->la_value.bv_len))
			continue;
		if (asprintf(&tmp, "%s%s%.*s", out != NULL ? out : "",
		    out != NULL ? "." : "", (int)ava->la_value.bv_len,
		    ava->la_value.bv_val) < 0) {
			free(out);
			out = NULL;
			break;
		}
		free(out);
		out = tmp;
	}
	ldap_dnfree(dn);
	return out;
}

struct params_found {
	struct idmgr *im;
	struct za_otp_params *best;
};

static int
params_cb(LDAP *ld, LDAPMessage *e, void *arg)
{
	struct params_found *pf = arg;
	struct za_otp_params *p = NULL;

	if (za_otp_params_from_entry(ld, e, &p, &pf->im->log) != ZA_OK)
		return ZA_OK;	/* a broken entry is not a candidate */
	/* Deterministic choice: the smallest DN. */
	if (pf->best == NULL || strcasecmp(p->dn, pf->best->dn) < 0) {
		za_otp_params_free(&pf->best);
		pf->best = p;
		p = NULL;
	}
	za_otp_params_free(&p);
	return ZA_OK;
}

static int
find_params(struct idmgr *im, enum za_token_kind kind,
    const struct enroll_args *a, struct za_otp_params **out)
{
	struct params_found pf = { im, NULL };
	const char *oid = NULL, *algname = NULL;
	char *base = NULL, *filter = NULL;
	int r;

	if (za_otp_alg_to_oid(a->alg, &oid) != ZA_OK ||
	    za_otp_alg_to_string(a->alg, &algname) != ZA_OK)
		return idmgr_fail(im, ZA_ERR_INTERNAL, "algorithm", "unknown");
	if (asprintf(&base, "ou=otp-params,%s", im->cfg->dir.base_dn) < 0)
		base = NULL;
	if (kind == ZA_TOKEN_TOTP) {
		if (asprintf(&filter, "(&(objectClass=%s)(%s=%u)(%s=%s)"
		    "(%s=%u))", ZA_OC_OATH_TOTP_PARAMS, ZA_AT_OATH_OTP_LENGTH,
		    a->digits, ZA_AT_OATH_HMAC_ALG, oid,
		    ZA_AT_OATH_STEP_PERIOD, a->period) < 0)
			filter = NULL;
	} else if (asprintf(&filter, "(&(objectClass=%s)(%s=%u)(%s=%s))",
	    ZA_OC_OATH_HOTP_PARAMS, ZA_AT_OATH_OTP_LENGTH, a->digits,
	    ZA_AT_OATH_HMAC_ALG, oid) < 0)
		filter = NULL;
	if (base == NULL || filter == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	r = za_dir_search(im->dir, base, LDAP_SCOPE_SUBTREE, filter, NULL,
	    params_cb, &pf);
	if (r != ZA_OK && r != ZA_ERR_NOT_FOUND) {
		r = idmgr_fail(im, r, "params", "cannot read %s: %s", base,
		    za_strerror(r));
		goto out;
	}
	if (pf.best == NULL) {
		if (kind == ZA_TOKEN_TOTP)
			r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "params", "no TOTP "
			    "parameter entry for %s, %u digits, %u s under %s",
			    algname, a->digits, a->period, base);
		else
			r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "params", "no HOTP "
			    "parameter entry for %s, %u digits under %s",
			    algname, a->digits, base);
		goto out;
	}
	*out = pf.best;
	pf.best = NULL;
	r = ZA_OK;
 out:
	za_otp_params_free(&pf.best);
	free(base);
	free(filter);
	return r;
}

static size_t
secret_len(enum za_otp_alg alg)
{
	switch (alg) {
	case ZA_OTP_SHA256:
		return 32;
	case ZA_OTP_SHA512:
		return 64;
	default:
		return 20;
	}
}

static int
new_token_id(enum za_token_kind kind, char **out)
{
	unsigned char rnd[TOKEN_ID_RANDOM];
	char hex[2 * TOKEN_ID_RANDOM + 1];
	size_t i;
	int r;

	if ((r = za_random(rnd, sizeof(rnd))) != ZA_OK)
		return r;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (asprintf(out, "%s-%s", kind == ZA_TOKEN_TOTP ? "totp" : "hotp",
	    hex) < 0) {
		*out = NULL;
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}

static int
enroll_output(struct idmgr *im, const struct za_user *u,
    const struct za_otp_token *t, const char *dn, const char *issuer,
    const char *uri, int qr)
{
	json_object *jo, *tj;
	const char *kind = NULL, *alg = NULL;
	char c[IDMGR_TIMEBUF];
	int r;

	(void)za_token_kind_to_string(t->kind, &kind);
	(void)za_otp_alg_to_string(t->alg, &alg);
	if (!im->json) {
		printf("%s: enrolled %s token %s%s%s%s\n", u->uid, kind, t->id,
		    t->label != NULL ? " (" : "",
		    t->label != NULL ? t->label : "",
		    t->label != NULL ? ")" : "");
		printf("  created  %s\n", idmgr_fmt_time(t->created, c,
		    sizeof(c)));
		printf("  issuer   %s\n  account  %s\n", issuer, u->uid);
		if (t->kind == ZA_TOKEN_TOTP)
			printf("  %s, %u digits, %u s steps\n", alg, t->digits,
			    t->period);
		else
			printf("  %s, %u digits, counter from 0\n", alg,
			    t->digits);
		printf("Add it to the authenticator app (shown once):\n%s\n",
		    uri);
		if (qr) {
			fflush(stdout);
			if ((r = za_qr_render(uri, stdout, 1)) != ZA_OK)
				za_warn(&im->log, "cannot draw the QR code: "
				    "%s", za_strerror(r));
		}
		fflush(stdout);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL ||
	    (tj = json_object_new_object()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	json_object_object_add(tj, "id", json_object_new_string(t->id));
	json_object_object_add(tj, "kind", json_object_new_string(kind));
	json_object_object_add(tj, "label", idmgr_json_str(t->label));
	json_object_object_add(tj, "status", json_object_new_string("active"));
	json_object_object_add(tj, "created", idmgr_json_time(t->created));
	json_object_object_add(tj, "digits", json_object_new_int(
	    (int)t->digits));
	json_object_object_add(tj, "algorithm", json_object_new_string(alg));
	if (t->kind == ZA_TOKEN_TOTP) {
		json_object_object_add(tj, "period",
		    json_object_new_int((int)t->period));
		json_object_object_add(tj, "window",
		    json_object_new_int((int)t->window));
	} else
		json_object_object_add(tj, "lookahead",
		    json_object_new_int((int)t->lookahead));
	json_object_object_add(tj, "params", idmgr_json_str(t->params_dn));
	json_object_object_add(tj, "dn", json_object_new_string(dn));
	json_object_object_add(jo, "uid", json_object_new_string(u->uid));
	json_object_object_add(jo, "token", tj);
	json_object_object_add(jo, "issuer", json_object_new_string(issuer));
	json_object_object_add(jo, "uri", json_object_new_string(uri));
	idmgr_set_result(im, jo, 1);
	return ZA_OK;
}

static int
enroll(struct idmgr *im, enum za_token_kind kind, int argc, char **argv)
{
	const char *verb = kind == ZA_TOKEN_TOTP ? "totp-enroll" :
	    "hotp-enroll";
	const char *action = kind == ZA_TOKEN_TOTP ? "token.totp-enroll" :
	    "token.hotp-enroll";
	struct enroll_args a;
	struct za_user *u = NULL;
	struct za_otp_params *params = NULL;
	struct za_otp_token *t = NULL;
	struct za_otpauth ou;
	struct idmgr_changes ch = { NULL, 0 };
	LDAPMod **mods = NULL;
	char *issuer = NULL, *uri = NULL, *eid = NULL, *dn = NULL;
	char diag[512];
	int r, help, tries, rj;

	memset(&ou, 0, sizeof(ou));
	if ((r = parse_enroll(im, idmgr_cmd_find("token", verb), kind, argc,
	    argv, &a, &help)) != ZA_OK || help)
		goto out;
	if ((r = idmgr_find_user(im, a.uid, &u, NULL)) != ZA_OK)
		goto out;
	if (u->status == ZA_ACCOUNT_DISABLED) {
		r = idmgr_refuse(im, action, u->dn, "uid", "%s is disabled; "
		    "enable it before enrolling a token", u->uid);
		goto out;
	}
	if ((r = find_params(im, kind, &a, &params)) != ZA_OK)
		goto out;
	if (params == NULL) {
		r = idmgr_fail(im, ZA_ERR_INTERNAL, "params", "none found");
		goto out;
	}
	if (a.issuer != NULL)
		issuer = strdup(a.issuer);
	else if ((issuer = issuer_from_base(im->cfg->dir.base_dn)) == NULL)
		issuer = strdup(DEFAULT_ISSUER);
	if (issuer == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (za_otp_token_new(&t) != ZA_OK)
		goto nomem;
	t->kind = kind;
	t->status = ZA_TOKEN_ACTIVE;
	t->created = im->now;
	if (a.label != NULL && (t->label = strdup(a.label)) == NULL)
		goto nomem;
	t->secret_len = secret_len(a.alg);
	if ((t->secret = malloc(t->secret_len)) == NULL)
		goto nomem;
	if ((r = za_random(t->secret, t->secret_len)) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "no random secret: %s",
		    za_strerror(r));
		goto out;
	}
	if ((r = za_otp_token_apply_params(t, params, &im->log)) != ZA_OK) {
		r = idmgr_fail(im, r, "params", "%s is not usable: %s",
		    params->dn, za_strerror(r));
		goto out;
	}
	/* The URI is built (and so checked) before anything is written. */
	ou.kind = kind;
	ou.issuer = issuer;
	ou.account = u->uid;
	ou.secret = t->secret;
	ou.secret_len = t->secret_len;
	ou.alg = t->alg;
	ou.digits = t->digits;
	ou.period = t->period;
	ou.counter = 0;
	if ((r = za_otpauth_uri(&ou, &uri)) != ZA_OK) {
		r = idmgr_fail(im, r, "issuer", "cannot build the otpauth URI: "
		    "%s", za_strerror(r));
		goto out;
	}
	for (tries = 0; tries < TOKEN_ADD_TRIES; tries++) {
		free(t->id);
		t->id = NULL;
		free(eid);
		free(dn);
		eid = dn = NULL;
		za_ldap_mods_free(&mods);
		idmgr_changes_clear(&ch);
		if (new_token_id(kind, &t->id) != ZA_OK ||
		    za_escape_dn_value(t->id, &eid) != ZA_OK)
			goto nomem;
		if (asprintf(&dn, "%s=%s,%s", ZA_AT_TOKEN_ID, eid, u->dn) < 0) {
			dn = NULL;
			goto nomem;
		}
		if ((r = za_otp_token_to_mods(t, &mods, &im->log)) != ZA_OK) {
			r = idmgr_fail(im, r, NULL, "the token is not valid: "
			    "%s", za_strerror(r));
			goto out;
		}
		if (idmgr_changes_from_mods(&ch, mods) != ZA_OK)
			goto nomem;
		if ((r = za_dir_add(im->dir, dn, mods)) != ZA_ERR_EXISTS)
			break;
	}
	if (r != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "adding the token %s failed: %s%s",
		    dn, za_strerror(r), idmgr_ldap_diag(im, diag,
		    sizeof(diag)));
		(void)idmgr_journal(im, action, dn, ZA_AUDIT_RESULT_ERROR,
		    im->err_msg, NULL);
		goto out;
	}
	/* Written: the URI is printed whatever happens to the journal. */
	rj = idmgr_journal(im, action, dn, ZA_AUDIT_RESULT_OK, NULL, &ch);
	r = enroll_output(im, u, t, dn, issuer, uri, a.qr == 1 ||
	    (a.qr == -1 && !im->json && isatty(STDOUT_FILENO)));
	if (r == ZA_OK)
		r = rj;
	goto out;
 nomem:
	r = idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
 out:
	za_free_secret_str(&uri);
	za_ldap_mods_free(&mods);
	idmgr_changes_clear(&ch);
	za_otp_token_free(&t);
	za_otp_params_free(&params);
	za_user_free(&u);
	free(issuer);
	free(eid);
	free(dn);
	return r;
}

static int
cmd_totp_enroll(struct idmgr *im, int argc, char **argv)
{
	return enroll(im, ZA_TOKEN_TOTP, argc, argv);
}

static int
cmd_hotp_enroll(struct idmgr *im, int argc, char **argv)
{
	return enroll(im, ZA_TOKEN_HOTP, argc, argv);
}

/* ---------------------------------------------------------------- list */

static const struct za_fido2_cred *
cred_by_id(const struct za_fido2_cred_list *creds, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < creds->n; i++)
		if (strcmp(creds->v[i]->id, id) == 0)
			return creds->v[i];
	return NULL;
}

static int
tokens_json(struct idmgr *im, const char *uid, const struct idmgr_tokens *ts,
    const struct za_fido2_cred_list *creds)
{
	json_object *jo, *arr, *tj;
	const struct za_fido2_cred *c;
	size_t i;

	if ((jo = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		json_object_put(jo);
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	}
	for (i = 0; i < ts->n; i++) {
		if ((tj = idmgr_token_json(&ts->v[i])) == NULL)
			continue;
		/* FIDO2 details; null when the entry does not decode. */
		if (ts->v[i].kind != NULL &&
		    strcmp(ts->v[i].kind, "fido2") == 0)
			json_object_object_add(tj, "fido2",
			    (c = cred_by_id(creds, ts->v[i].id)) != NULL ?
			    idmgr_fido2_cred_json(c) : NULL);
		json_object_array_add(arr, tj);
	}
	json_object_object_add(jo, "uid", json_object_new_string(uid));
	json_object_object_add(jo, "tokens", arr);
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

/* The FIDO2 details table printed below the token table. */
static int
fido2_print(const struct za_fido2_cred_list *creds, FILE *f)
{
	static const char *const hdr[] = { "FIDO2 ID", "AAGUID", "UV",
	    "COUNTER", "ALG", "RELYING PARTY", "CREDENTIAL" };
	struct idmgr_table *t = NULL;
	char ag[ZA_AAGUID_TEXT_LEN + 1], cnt[16], pre[IDMGR_CRED_PREFIX_BUF];
	const char *row[7], *uv;
	size_t i;
	int r;

	if ((r = idmgr_table_new(&t, 7, hdr)) != ZA_OK)
		return r;
	for (i = 0; i < creds->n; i++) {
		uv = NULL;
		(void)za_uv_kind_to_string(creds->v[i]->uv, &uv);
		if (za_aaguid_format(creds->v[i]->aaguid, ag, sizeof(ag)) !=
		    ZA_OK)
			snprintf(ag, sizeof(ag), "?");
		snprintf(cnt, sizeof(cnt), "%u",
		    (unsigned int)creds->v[i]->sign_count);
		row[0] = creds->v[i]->id;
		row[1] = ag;
		row[2] = uv;
		row[3] = cnt;
		row[4] = idmgr_fido2_alg_name(creds->v[i]->alg);
		row[5] = creds->v[i]->rp_id;
		row[6] = idmgr_fido2_cred_prefix(creds->v[i], pre, sizeof(pre));
		if ((r = idmgr_table_add(t, row)) != ZA_OK)
			goto out;
	}
	fputc('\n', f);
	idmgr_table_print(t, f);
 out:
	idmgr_table_free(&t);
	return r;
}

static int
cmd_token_list(struct idmgr *im, int argc, char **argv)
{
	const struct idmgr_cmd *cmd = idmgr_cmd_find("token", "list");
	struct za_user *u = NULL;
	struct idmgr_tokens ts = { NULL, 0 };
	struct za_fido2_cred_list creds = { NULL, 0, 0 };
	const char *uid = NULL;
	int ch, r;

	idmgr_opt_begin();
	while ((ch = idmgr_opt_next(im, cmd, argc, argv, "", NULL)) != -1)
		return ch == IDMGR_OPT_HELP ? ZA_OK : ZA_ERR_ARG;
	if ((r = idmgr_positional_uid(im, argc, argv, &uid)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_user(im, uid, &u, NULL)) != ZA_OK ||
	    (r = idmgr_find_tokens(im, u->dn, &ts)) != ZA_OK ||
	    (r = idmgr_fido2_find_creds(im, u->dn, &creds, NULL)) != ZA_OK)
		goto out;
	if (im->json)
		r = tokens_json(im, u->uid, &ts, &creds);
	else if (ts.n == 0)
		printf("%s has no tokens\n", u->uid);
	else if ((r = idmgr_tokens_print(&ts, stdout)) == ZA_OK &&
	    creds.n > 0)
		r = fido2_print(&creds, stdout);
 out:
	za_fido2_cred_list_clear(&creds);
	idmgr_tokens_clear(&ts);
	za_user_free(&u);
	return r;
}

/* ---------------------------------------------------------------- revoke */

static int
revoke_output(struct idmgr *im, const char *uid, const struct idmgr_token *t,
    const struct idmgr_changes *c)
{
	json_object *jo;

	if (!im->json) {
		printf("%s: token %s revoked\n", uid, t->id);
		idmgr_changes_print(c, stdout);
		return ZA_OK;
	}
	if ((jo = json_object_new_object()) == NULL)
		return idmgr_fail(im, ZA_ERR_NOMEM, NULL, "out of memory");
	json_object_object_add(jo, "uid", json_object_new_string(uid));
	json_object_object_add(jo, "token", json_object_new_string(t->id));
	json_object_object_add(jo, "dn", json_object_new_string(
	    t->entry->dn));
	json_object_object_add(jo, "action",
	    json_object_new_string("token.revoke"));
	json_object_object_add(jo, "result", json_object_new_string("revoked"));
	json_object_object_add(jo, "changes", idmgr_changes_json(c));
	idmgr_set_result(im, jo, 0);
	return ZA_OK;
}

static int
cmd_token_revoke(struct idmgr *im, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason",	required_argument,	NULL, 'r' },
		{ NULL,		0,			NULL, 0 }
	};
	static const char *const names[] = { "uid", "token" };
	const struct idmgr_cmd *cmd = idmgr_cmd_find("token", "revoke");
	struct za_user *u = NULL;
	struct idmgr_tokens ts = { NULL, 0 };
	struct idmgr_changes ch = { NULL, 0 };
	const struct idmgr_token *t = NULL;
	const char *pos[2], *reason = NULL;
	char now[ZA_TIME_GENTIME_BUFSZ];
	size_t i;
	int ch_, r;

	idmgr_opt_begin();
	while ((ch_ = idmgr_opt_next(im, cmd, argc, argv, "r:", opts)) != -1) {
		if (ch_ == 'r')
			reason = optarg;
		else
			return ch_ == IDMGR_OPT_HELP ? ZA_OK : ZA_ERR_ARG;
	}
	if ((r = idmgr_positional(im, argc, argv, 2, 2, names, pos)) != ZA_OK ||
	    (r = idmgr_check_uid(im, "uid", pos[0])) != ZA_OK)
		goto out;
	if (za_valid_token_id(pos[1], NULL) != ZA_OK) {
		r = idmgr_usage(im, "token", "not a token id (1-64 of "
		    "A-Z a-z 0-9 _ -)");
		goto out;
	}
	if (reason == NULL) {
		r = idmgr_usage(im, "reason", "required (--reason TEXT)");
		goto out;
	}
	if ((r = idmgr_check_reason(im, "reason", reason)) != ZA_OK)
		goto out;
	if ((r = idmgr_find_user(im, pos[0], &u, NULL)) != ZA_OK ||
	    (r = idmgr_find_tokens(im, u->dn, &ts)) != ZA_OK)
		goto out;
	for (i = 0; i < ts.n; i++)
		if (ts.v[i].id != NULL && strcmp(ts.v[i].id, pos[1]) == 0)
			t = &ts.v[i];
	if (t == NULL) {
		r = idmgr_fail(im, ZA_ERR_NOT_FOUND, "token", "%s has no token "
		    "%s", u->uid, pos[1]);
		goto out;
	}
	if (t->status != NULL && strcmp(t->status, "revoked") == 0) {
		r = idmgr_refuse(im, "token.revoke", t->entry->dn, "token",
		    "token %s is already revoked", t->id);
		goto out;
	}
	if ((r = za_time_format_gentime(im->now, now, sizeof(now))) != ZA_OK ||
	    (r = idmgr_changes_set1(&ch, ZA_AT_TOKEN_STATUS, t->status,
	    "revoked")) != ZA_OK ||
	    (r = idmgr_changes_set(&ch, ZA_AT_TOKEN_REVOKED,
	    idmgr_entry_values(t->entry, ZA_AT_TOKEN_REVOKED),
	    (const char *const[]){ now, NULL })) != ZA_OK ||
	    (r = idmgr_changes_set(&ch, ZA_AT_TOKEN_REVOKE_REASON,
	    idmgr_entry_values(t->entry, ZA_AT_TOKEN_REVOKE_REASON),
	    (const char *const[]){ reason, NULL })) != ZA_OK) {
		r = idmgr_fail(im, r, NULL, "cannot build the change: %s",
		    za_strerror(r));
		goto out;
	}
	r = idmgr_apply_changes(im, "token.revoke", t->entry->dn, &ch, reason);
	if (r == ZA_OK || (im->err_field != NULL &&
	    strcmp(im->err_field, "audit") == 0)) {
		int rr = revoke_output(im, u->uid, t, &ch);

		if (r == ZA_OK)
			r = rr;
	}
 out:
	idmgr_changes_clear(&ch);
	idmgr_tokens_clear(&ts);
	za_user_free(&u);
	return r;
}
