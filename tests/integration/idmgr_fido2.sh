#!/bin/sh
# idmgr token fido2-enroll / list / revoke / export-sssd / import-u2f
# against the sandbox, with the software authenticator (tests/softfido)
# preloaded into idmgr through its shim:
#  - enrolment with --uv none / builtin / pin; the stored entry checked
#    attribute by attribute, and its credential id and public key proved
#    to belong to the key by an assertion that fido2-assert (libfido2's
#    own tool, not our code) obtains from the key and verifies with the
#    stored key;
#  - attestation against [fido2] attestation_ca, the AAGUID allowlist,
#    require_uv, a key without built-in UV, no key, a refused or missing
#    touch, a wrong PIN, a key registered twice: refused or failed with
#    nothing written, refusals audited;
#  - list, revoke (audited), export-sssd values equal to those computed
#    here from the directory entries;
#  - import-u2f of an authfile written by pamu2fcfg: plan, --dry-run,
#    entries equal to the file's fields, duplicates, unknown users and
#    malformed or hostile lines refused with FILE:LINE, nothing written;
#  - no PIN in any output or in the audit log, audit chain intact.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
command -v openssl >/dev/null || za_skip "openssl not installed"
command -v fido2-assert >/dev/null ||
	za_skip "fido2-assert not installed (apt-get install fido2-tools)"
command -v base64 >/dev/null && command -v od >/dev/null ||
	za_skip "base64/od (coreutils) not found"

shim=${SOFTFIDO_SHIM:-$top_builddir/tests/softfido/.libs/libsoftfido_shim.so}
[ -f "$shim" ] || za_fail "$shim not built (make check builds it)"

# A sanitizer build needs the ASan runtime first in LD_PRELOAD (FACTS.md).
asan=
if [ "${ZA_SANITIZERS:-no}" = yes ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
elif command -v readelf >/dev/null 2>&1; then
	asan=$(readelf -d "$shim" 2>/dev/null |
	    sed -n 's/.*NEEDED.*\[\(libasan\.so[^]]*\)\].*/\1/p' | head -n 1)
fi
preload=$shim
[ -n "$asan" ] && preload="$asan $shim"

za_im_start --sample
tmp=$ZA_SANDBOX/fido2
mkdir "$tmp"
rp=pam://zoneauth
default_aaguid=736f6674-6669-646f-8000-000000000001
other_aaguid=0badc0de-0000-4000-8000-00000000beef

unset SOFTFIDO_ABSENT SOFTFIDO_TOUCH SOFTFIDO_UV SOFTFIDO_PIN SOFTFIDO_ATTEST \
    SOFTFIDO_COUNTER SOFTFIDO_FINGER SOFTFIDO_AAGUID SOFTFIDO_VERSION \
    SOFTFIDO_PIN_PROTOCOLS SOFTFIDO_TOUCH_TIMEOUT_MS FIDO_DEBUG
SOFTFIDO_CA_DIR=$tmp
export SOFTFIDO_CA_DIR
key1=$tmp/key1		# the key most tests use
pinkey=$tmp/pinkey	# a key with a PIN
pin=4711-zoneauth

# conf NAME LINES...: the sandbox configuration plus a [fido2] section.
conf() {
	_c=$tmp/$1.conf
	shift
	{ cat "$ZA_SANDBOX/zoneauth.conf"; echo '[fido2]'
	  for _l in "$@"; do echo "$_l"; done; } >"$_c"
	chmod 644 "$_c"
}
conf plain "touch_timeout = 3s"
conf short "touch_timeout = 1s"
conf uvreq "touch_timeout = 3s" "require_uv = yes"
conf allow "touch_timeout = 3s" "aaguids = $other_aaguid $default_aaguid"
conf deny "touch_timeout = 3s" "aaguids = $other_aaguid"
conf ca "touch_timeout = 3s" "attestation_ca = $tmp/softfido-ca.crt"

# run [K=V...] -- ARGS: idmgr with the shim, the knobs K=V, configuration
# $cf, standard input $in; sets out, err, st.  Replaces idmgrenv.sh's
# run, so its expect STATUS DESC [K=V...] -- ARGS runs this one.
cf=$tmp/plain.conf
in=/dev/null
run() {
	_k=
	while [ "$1" != -- ]; do _k="$_k $1"; shift; done
	shift
	set +e
	# shellcheck disable=SC2086
	out=$(env SOFTFIDO_STATE="$key1" $_k LD_PRELOAD="$preload" \
	    "$idmgr" -c "$cf" "$@" <"$in" 2>"$tmp/stderr")
	st=$?
	set -e
	err=$(cat "$tmp/stderr")
	cat "$tmp/stderr" >>"$tmp/all-stderr"
	# A sanitizer report fails the test whatever the exit status.
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$tmp/stderr"; then
		za_fail "sanitizer report from idmgr $*: $err"
	fi
	printf '%s\n' "$out" >>"$tmp/all-stdout"
}
# jexpect STATUS FIELD DESC [K=V...] -- ARGS: --json error naming FIELD
jexpect() {
	_want=$1 _field=$2 _desc=$3
	shift 3
	expect "$_want" "$_desc" "$@" --json
	[ "$(jget .field)" = "$_field" ] ||
	    za_fail "$_desc: field $(jget .field), expected $_field: $out"
	[ "$(jget .exit_status)" = "$_want" ] ||
	    za_fail "$_desc: exit_status in JSON: $out"
}
# attr_b64 DN ATTR: the value as base64 (ldapsearch prints printable
# values as text and the others as base64).
attr_b64() {
	_v=$(srch -b "$1" -s base "$2" | grep -i "^$2:")
	case $_v in
	*":: "*) printf '%s' "${_v#*:: }" ;;
	*) printf '%s' "${_v#*: }" | base64 -w0 ;;
	esac
}
attr() {
	srch -b "$1" -s base "$2" | sed -n "s/^$2: //p"
}
b64hex() {
	printf '%s' "$1" | base64 -d | od -An -tx1 -v | tr -d ' \n'
}
# nfido2 UID: FIDO2 credential entries under the user.
nfido2() {
	srch -b "uid=$1,$people" -s one "(objectClass=zoneauthFido2Credential)" \
	    dn | grep -c '^dn:' || true
}
audit_lines() {
	wc -l <"$audit" 2>/dev/null || echo 0
}
# proves_key DN: fido2-assert gets an assertion for the stored credential
# id from the key in $1's state and verifies it with the stored key.
proves_key() {
	_dn=$1 _state=$2
	_cid=$(attr_b64 "$_dn" zaFido2CredentialId)
	attr_b64 "$_dn" zaFido2PublicKey | base64 -d >"$tmp/pk.der"
	openssl pkey -pubin -inform DER -outform PEM -in "$tmp/pk.der" \
	    -out "$tmp/pk.pem" 2>>"$tmp/stderr" || return 1
	printf '%s\n%s\n%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" \
	    "$rp" "$_cid" >"$tmp/assert.in"
	SOFTFIDO_STATE=$_state ASAN_OPTIONS=detect_leaks=0 \
	    LD_PRELOAD="$preload" fido2-assert -G -p -i "$tmp/assert.in" \
	    softfido >"$tmp/assert.out" 2>>"$tmp/stderr" || return 1
	fido2-assert -V -p -i "$tmp/assert.out" "$tmp/pk.pem" es256 \
	    2>>"$tmp/stderr" || return 1
	# The same assertion must not verify with another key.
	openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
	    openssl ec -pubout -out "$tmp/other.pem" 2>/dev/null
	if fido2-assert -V -p -i "$tmp/assert.out" "$tmp/other.pem" es256 \
	    2>/dev/null; then
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- --uv none
# SOFTFIDO_ATTEST=ca also creates the test CA used further down.
label='業務用キー *()\,+"<>;='
expect 0 "enrol --uv none" SOFTFIDO_ATTEST=ca -- --json token fido2-enroll \
    tanaka --label "$label"
dn=$(jget .token.dn)
id=$(jget .token.id)
printf '%s' "$id" | grep -Eq '^fido2-[0-9a-f]{10}$' || za_fail "token id: $id"
[ "$dn" = "zaTokenId=$id,uid=tanaka,$people" ] || za_fail "DN: $dn"
[ "$(jget .token.kind)" = fido2 ] && [ "$(jget .token.status)" = active ] &&
    [ "$(jget .token.label)" = "$label" ] && [ "$(jget .device)" = softfido ] ||
    za_fail "enrol result: $out"
[ "$(jget .token.fido2.uv)" = none ] &&
    [ "$(jget .token.fido2.aaguid)" = "$default_aaguid" ] &&
    [ "$(jget .token.fido2.algorithm)" = es256 ] &&
    [ "$(jget .token.fido2.rp_id)" = "$rp" ] || za_fail "fido2 part: $out"
[ -f "$tmp/softfido-ca.crt" ] || za_fail "softfido made no test CA"
entry=$(srch -b "$dn" -s base objectClass zaTokenKind zaTokenStatus \
    zaFido2Algorithm zaFido2Aaguid zaFido2UvKind zaFido2RpId)
for l in "objectClass: zoneauthToken" "objectClass: zoneauthFido2Credential" \
    "zaTokenKind: fido2" "zaTokenStatus: active" "zaFido2Algorithm: -7" \
    "zaFido2Aaguid: $default_aaguid" "zaFido2UvKind: none" \
    "zaFido2RpId: $rp"; do
	printf '%s\n' "$entry" | grep -qx "$l" || za_fail "entry lacks '$l': $entry"
done
[ "$(attr "$dn" zaTokenLabel)" = "$label" ] ||
    [ "$(attr_b64 "$dn" zaTokenLabel | base64 -d)" = "$label" ] ||
    za_fail "label stored"
[ "$(attr "$dn" zaFido2SignCount)" = "$(jget .token.fido2.sign_count)" ] ||
    za_fail "sign counter stored $(attr "$dn" zaFido2SignCount), shown $out"
cidhex=$(b64hex "$(attr_b64 "$dn" zaFido2CredentialId)")
[ ${#cidhex} -ge 32 ] || za_fail "credential id: $cidhex"
[ "$(jget .token.fido2.credential)" = "$(printf '%s' "$cidhex" |
    cut -c1-12)..." ] || za_fail "credential prefix: $out"
printf '%s' "$out" | grep -qi "$cidhex" && za_fail "whole credential id shown"
attr_b64 "$dn" zaFido2PublicKey | base64 -d |
    openssl pkey -pubin -inform DER -noout -text 2>/dev/null |
    grep -q 'prime256v1' || za_fail "public key: no DER P-256 key"
proves_key "$dn" "$key1" ||
    za_fail "the stored credential does not verify an assertion of the key: $(cat "$tmp/stderr")"
tail -n 1 "$audit" | jq -e --arg dn "$dn" '.action == "token.fido2-enroll" and
    .result == "ok" and .target == $dn and
    .after.zaFido2UvKind == ["none"] and
    (.after.zaFido2CredentialId[0] | startswith("base64:"))' >/dev/null ||
    za_fail "enrol record: $(tail -n 1 "$audit")"
za_ok "fido2-enroll --uv none: entry, credential proved by fido2-assert, audited"

expect 0 "enrol (text)" -- token fido2-enroll sato -l "Key A"
printf '%s\n' "$out" | grep -q "^sato: enrolled fido2 credential fido2-" &&
    printf '%s\n' "$out" | grep -q "user verification  none" ||
    za_fail "text output: $out"
sato_dn1="zaTokenId=$(printf '%s\n' "$out" | sed -n 's/^sato: enrolled fido2 credential \(fido2-[0-9a-f]*\).*/\1/p'),uid=sato,$people"
srch -b "$sato_dn1" -s base dn | grep -q '^dn:' || za_fail "sato's entry"
za_ok "fido2-enroll text output"

# ---------------------------------------------------------------- builtin
expect 0 "enrol --uv builtin" SOFTFIDO_UV=builtin -- --json token \
    fido2-enroll suzuki --uv builtin
dn_uv=$(jget .token.dn)
[ "$(attr "$dn_uv" zaFido2UvKind)" = builtin ] && [ "$(jget .token.fido2.uv)" = builtin ] ||
    za_fail "builtin stored: $out"
proves_key "$dn_uv" "$key1" || za_fail "builtin credential does not verify"
n0=$(nfido2 takahashi)
a0=$(audit_lines)
jexpect 3 uv "--uv builtin on a key without UV" -- token fido2-enroll \
    takahashi --uv builtin
[ "$(nfido2 takahashi)" = "$n0" ] || za_fail "written although refused"
[ "$(audit_lines)" -eq $((a0 + 1)) ] && tail -n 1 "$audit" | jq -e \
    '.action == "token.fido2-enroll" and .result == "refused"' >/dev/null ||
    za_fail "refusal audited: $(tail -n 1 "$audit")"
za_ok "fido2-enroll --uv builtin; a key without built-in UV is refused"

# ---------------------------------------------------------------- PIN
printf '%s\n' "$pin" >"$tmp/pin.in"
in=$tmp/pin.in
expect 0 "enrol --uv pin" SOFTFIDO_STATE="$pinkey" SOFTFIDO_PIN="$pin" -- \
    --json token fido2-enroll takahashi --uv pin --pin-stdin
dn_pin=$(jget .token.dn)
[ "$(attr "$dn_pin" zaFido2UvKind)" = pin ] || za_fail "pin stored: $out"
proves_key "$dn_pin" "$pinkey" || za_fail "PIN credential does not verify"
printf '%s\n' "9999-wrong" >"$tmp/wrong.in"
in=$tmp/wrong.in
n0=$(nfido2 yamada)
jexpect 1 pin "wrong PIN" SOFTFIDO_STATE="$pinkey" -- token fido2-enroll \
    yamada --uv pin --pin-stdin
[ "$(nfido2 yamada)" = "$n0" ] || za_fail "written with a wrong PIN"
jexpect 3 pin "--uv pin on a key without a PIN" -- token fido2-enroll \
    yamada --uv pin --pin-stdin
in=/dev/null
jexpect 1 pin "no PIN on standard input" SOFTFIDO_STATE="$pinkey" -- \
    token fido2-enroll yamada --uv pin --pin-stdin
printf '%s\n' "abc" >"$tmp/short.in"
in=$tmp/short.in
jexpect 2 pin "PIN too short" SOFTFIDO_STATE="$pinkey" -- token \
    fido2-enroll yamada --uv pin --pin-stdin
in=/dev/null
if command -v setsid >/dev/null 2>&1; then
	set +e
	out=$(setsid -w env SOFTFIDO_STATE="$pinkey" LD_PRELOAD="$preload" \
	    "$idmgr" -c "$cf" --json token fido2-enroll yamada --uv pin \
	    </dev/null 2>"$tmp/stderr")
	st=$?
	set -e
	[ "$st" -eq 2 ] && [ "$(jget .field)" = pin ] ||
	    za_fail "--uv pin without a terminal: exit $st: $out"
fi
[ "$(nfido2 yamada)" = "$n0" ] || za_fail "written after a PIN error"
za_ok "fido2-enroll --uv pin: PIN from stdin; wrong, missing, short PIN refused"

# ---------------------------------------------------------------- policy
cf=$tmp/ca.conf
expect 0 "full attestation chaining to attestation_ca" SOFTFIDO_STATE="$tmp/key2" \
    SOFTFIDO_ATTEST=ca -- --json token fido2-enroll yamada
n0=$(nfido2 sasaki)
a0=$(audit_lines)
jexpect 3 attestation "self attestation with attestation_ca set" \
    SOFTFIDO_STATE="$tmp/key3" -- token fido2-enroll sasaki
printf '%s' "$out" | jq -r .error | grep -q "self attestation" ||
    za_fail "refusal names self attestation: $out"
[ "$(nfido2 sasaki)" = "$n0" ] || za_fail "self-attested key written"
tail -n 1 "$audit" | jq -e '.result == "refused" and
    (.reason | test("attestation"))' >/dev/null || za_fail "attestation refusal audited"
cf=$tmp/deny.conf
jexpect 3 aaguid "AAGUID outside the allowlist" SOFTFIDO_STATE="$tmp/key3" -- \
    token fido2-enroll sasaki
printf '%s' "$out" | jq -r .error | grep -q "$default_aaguid" ||
    za_fail "refusal names the AAGUID: $out"
cf=$tmp/allow.conf
jexpect 3 aaguid "SOFTFIDO_AAGUID outside the allowlist" \
    SOFTFIDO_STATE="$tmp/key4" SOFTFIDO_AAGUID=11111111-2222-4333-8444-555555555555 \
    -- token fido2-enroll sasaki
printf '%s' "$out" | jq -r .error |
    grep -q 11111111-2222-4333-8444-555555555555 || za_fail "AAGUID named: $out"
[ "$(nfido2 sasaki)" = "$n0" ] || za_fail "refused keys written"
expect 0 "an allowed AAGUID" SOFTFIDO_STATE="$tmp/key5" \
    SOFTFIDO_AAGUID="$other_aaguid" -- --json token fido2-enroll sasaki
[ "$(attr "$(jget .token.dn)" zaFido2Aaguid)" = "$other_aaguid" ] ||
    za_fail "AAGUID stored: $out"
cf=$tmp/uvreq.conf
jexpect 3 uv "--uv none with require_uv" SOFTFIDO_STATE="$tmp/key6" -- \
    token fido2-enroll yamaguchi
expect 0 "--uv builtin with require_uv" SOFTFIDO_STATE="$tmp/key6" \
    SOFTFIDO_UV=builtin -- token fido2-enroll yamaguchi --uv builtin
za_ok "attestation_ca, AAGUID allowlist and require_uv enforced, refusals audited"

# ---------------------------------------------------------------- device
cf=$tmp/short.conf
n0=$(nfido2 yamaguchi)
t0=$(date +%s)
jexpect 1 device "no key present" SOFTFIDO_ABSENT=1 -- token fido2-enroll \
    yamaguchi
[ $(( $(date +%s) - t0 )) -le 10 ] || za_fail "waited too long for a key"
printf '%s' "$out" | jq -r .error | grep -qi "no FIDO security key" ||
    za_fail "no-key message: $out"
jexpect 1 device "touch refused on the key" SOFTFIDO_STATE="$tmp/key7" \
    SOFTFIDO_TOUCH=deny -- token fido2-enroll yamaguchi
jexpect 1 device "key never touched" SOFTFIDO_STATE="$tmp/key7" \
    SOFTFIDO_TOUCH=timeout SOFTFIDO_TOUCH_TIMEOUT_MS=3000 -- \
    token fido2-enroll yamaguchi
printf '%s' "$out" | jq -r .error | grep -q "not touched" ||
    za_fail "timeout message: $out"
[ "$(nfido2 yamaguchi)" = "$n0" ] || za_fail "written without a touch"
cf=$tmp/plain.conf
jexpect 3 device "the same key twice for one user" -- token fido2-enroll tanaka
printf '%s' "$out" | jq -r .error | grep -q "registered already" ||
    za_fail "exclusion message: $out"
za_ok "no key, refused touch, no touch, key registered twice"

# ---------------------------------------------------------------- arguments
n0=$(nfido2 tanaka)
a0=$(audit_lines)
jexpect 1 uid "unknown user" -- token fido2-enroll nosuch
jexpect 2 uid "hostile uid" -- token fido2-enroll 'x)(uid=*'
jexpect 2 uv "bad --uv" -- token fido2-enroll tanaka --uv fingerprint
jexpect 2 pin-stdin "--pin-stdin without --uv pin" -- token fido2-enroll \
    tanaka --pin-stdin
jexpect 2 label "control character in the label" -- token fido2-enroll \
    tanaka -l "$(printf 'a\033b')"
expect 2 "stray argument" -- token fido2-enroll tanaka extra
[ "$(audit_lines)" -eq "$a0" ] || za_fail "argument errors were audited"
jexpect 3 uid "disabled ID" -- token fido2-enroll ogawa
[ "$(nfido2 ogawa)" = 0 ] && [ "$(nfido2 tanaka)" = "$n0" ] ||
    za_fail "written after an argument error"
expect 0 "help" -- token fido2-enroll --help
printf '%s\n' "$out" | grep -q -- "--pin-stdin" || za_fail "help: $out"
za_ok "argument errors name the field; a disabled ID is refused"

# ---------------------------------------------------------------- list
expect 0 "list --json" -- --json token list tanaka
[ "$(jget '[.tokens[] | select(.kind == "fido2")] | length')" = 1 ] ||
    za_fail "one FIDO2 credential listed: $out"
[ "$(jget "[.tokens[] | select(.id == \"$id\")][0].fido2.aaguid")" = \
    "$default_aaguid" ] &&
    [ "$(jget "[.tokens[] | select(.id == \"$id\")][0].fido2.uv")" = none ] &&
    [ "$(jget "[.tokens[] | select(.id == \"$id\")][0].label")" = "$label" ] &&
    [ "$(jget "[.tokens[] | select(.id == \"$id\")][0].fido2.sign_count")" = \
    "$(attr "$dn" zaFido2SignCount)" ] || za_fail "FIDO2 details listed: $out"
[ "$(jget '[.tokens[] | select(.kind == "totp")][0].fido2')" = null ] ||
    za_fail "OTP tokens get no FIDO2 part: $out"
expect 0 "list (text)" -- token list tanaka
printf '%s\n' "$out" | head -n 1 | grep -q "^ID  *KIND  *STATUS" ||
    za_fail "header: $out"
printf '%s\n' "$out" | grep -q "^FIDO2 ID  *AAGUID  *UV  *COUNTER" ||
    za_fail "FIDO2 table: $out"
printf '%s\n' "$out" | grep "^$id " | grep -q "$default_aaguid  *none" ||
    za_fail "FIDO2 row: $out"
pk_b64=$(attr_b64 "$dn" zaFido2PublicKey)
cid_b64=$(attr_b64 "$dn" zaFido2CredentialId)
for s in "$cidhex" "$cid_b64" "$pk_b64" "$(b64hex "$pk_b64")"; do
	grep -qiF "$s" "$tmp/all-stdout" && za_fail "key material in an output"
done
za_ok "token list shows FIDO2 credentials, never their key material"

# ---------------------------------------------------------------- export
expect 0 "export-sssd" -- token export-sssd suzuki
want="passkey:$(attr_b64 "$dn_uv" zaFido2CredentialId),$(attr_b64 "$dn_uv" \
    zaFido2PublicKey)"
[ "$out" = "$want" ] || za_fail "export-sssd: '$out', computed '$want'"
# sato gets a second key: two values, in any order.
expect 0 "second key for sato" SOFTFIDO_STATE="$tmp/key8" -- --json token \
    fido2-enroll sato
sato_dn2=$(jget .token.dn)
expect 0 "export-sssd --json" -- --json token export-sssd sato
for d in "$sato_dn1" "$sato_dn2"; do
	v="passkey:$(attr_b64 "$d" zaFido2CredentialId),$(attr_b64 "$d" \
	    zaFido2PublicKey)"
	printf '%s\n' "$out" | jq -e --arg v "$v" \
	    '[.mappings[].value] | index($v) != null' >/dev/null ||
	    za_fail "mapping of $d missing: $out"
done
[ "$(jget '.mappings | length')" = 2 ] || za_fail "two mappings: $out"
expect 0 "export-sssd without credentials" -- token export-sssd kimura
[ -z "$out" ] || za_fail "values for a user without keys: $out"
jexpect 1 uid "export-sssd for an unknown user" -- token export-sssd nosuch
za_ok "export-sssd values equal passkey:<id>,<key> from the directory"

# ---------------------------------------------------------------- revoke
sato_id1=${sato_dn1#zaTokenId=}
sato_id1=${sato_id1%%,*}
expect 0 "revoke a FIDO2 credential" -- --json token revoke sato "$sato_id1" \
    --reason lost
[ "$(jget '.changes.zaTokenStatus.after[0]')" = revoked ] ||
    za_fail "revoke result: $out"
[ "$(attr "$sato_dn1" zaTokenStatus)" = revoked ] &&
    [ "$(attr "$sato_dn1" zaTokenRevokeReason)" = lost ] &&
    attr "$sato_dn1" zaTokenRevokedTime | grep -Eq '^[0-9]{14}Z$' ||
    za_fail "revoked in the directory"
tail -n 1 "$audit" | jq -e --arg dn "$sato_dn1" '.action == "token.revoke" and
    .target == $dn and .reason == "lost" and
    .after.zaTokenStatus == ["revoked"]' >/dev/null ||
    za_fail "revoke record: $(tail -n 1 "$audit")"
jexpect 3 token "revoke twice" -- token revoke sato "$sato_id1" --reason left
expect 0 "export after revoke" -- token export-sssd sato
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
    [ "$out" = "passkey:$(attr_b64 "$sato_dn2" zaFido2CredentialId),$(attr_b64 \
    "$sato_dn2" zaFido2PublicKey)" ] || za_fail "revoked key exported: $out"
expect 0 "list after revoke" -- --json token list sato
[ "$(jget "[.tokens[] | select(.id == \"$sato_id1\")][0].status")" = revoked ] ||
    za_fail "listed as revoked: $out"
za_ok "revoke: immediate, audited, no longer exported"

# ---------------------------------------------------------------- import
if ! command -v pamu2fcfg >/dev/null 2>&1; then
	echo "note: pamu2fcfg not installed (Debian package pamu2fcfg): import-u2f of its output not tested"
	u2f=no
else
	u2f=yes
fi
if [ "$u2f" = yes ]; then
u2fkey=$tmp/u2fkey
# pamu2f ARGS: one authfile line from pamu2fcfg under the shim (it wants
# an x5c; it leaks its device handle, so LeakSanitizer is off for it).
pamu2f() {
	env SOFTFIDO_STATE="$u2fkey" SOFTFIDO_ATTEST=ca ASAN_OPTIONS=detect_leaks=0 \
	    LD_PRELOAD="$preload" pamu2fcfg -o "$rp" -i "$rp" "$@" \
	    2>>"$tmp/stderr"
}
keys=$tmp/u2f_keys
# pamu2fcfg ends its line without a newline.
l1=$(pamu2f -u ito) || za_fail "pamu2fcfg -u ito: $(cat "$tmp/stderr")"
l2=$(SOFTFIDO_UV=builtin pamu2f -u watanabe -V) ||
    za_fail "pamu2fcfg -V: $(cat "$tmp/stderr")"
l3=$(pamu2f -u nakamura -P) || za_fail "pamu2fcfg -P: $(cat "$tmp/stderr")"
printf '# pam_u2f authfile\n%s\n\n%s\n%s\n' "$l1" "$l2" "$l3" >"$keys"
chmod 644 "$keys"
grep -q '^watanabe:.*+verification' "$keys" || za_fail "authfile: $(cat "$keys")"

a0=$(audit_lines)
expect 0 "import-u2f --dry-run" -- --json token import-u2f "$keys" --dry-run
[ "$(jget .dry_run)" = true ] && [ "$(jget .imported)" = 0 ] &&
    [ "$(jget '.credentials | length')" = 3 ] && [ "$(jget .users)" = 3 ] ||
    za_fail "dry run: $out"
[ "$(jget '.credentials[0].uid')" = ito ] &&
    [ "$(jget '.credentials[0].line')" = 2 ] &&
    [ "$(jget '.credentials[1].line')" = 4 ] &&
    [ "$(jget '.credentials[1].fido2.uv')" = builtin ] || za_fail "plan: $out"
for u in ito watanabe nakamura; do
	[ "$(nfido2 $u)" = 0 ] || za_fail "dry run wrote for $u"
done
[ "$(audit_lines)" -eq "$a0" ] || za_fail "dry run was audited"
expect 0 "import-u2f --dry-run (text)" -- token import-u2f "$keys" -n
printf '%s\n' "$out" | grep -q "^LINE  *USER  *TOKEN" &&
    printf '%s\n' "$out" | grep -q "dry run: nothing written" ||
    za_fail "text plan: $out"

expect 0 "import-u2f" -- --json token import-u2f "$keys"
[ "$(jget .imported)" = 3 ] || za_fail "import: $out"
for i in 0 1 2; do
	u=$(jget ".credentials[$i].uid")
	d=$(jget ".credentials[$i].dn")
	line=$(grep "^$u:" "$keys")
	cred=${line#*:}
	kh=${cred%%,*}
	rest=${cred#*,}
	pk=${rest%%,*}
	# DER of a P-256 key: fixed SubjectPublicKeyInfo header + 04 || x || y
	der="3059301306072a8648ce3d020106082a8648ce3d03010703420004$(b64hex "$pk")"
	[ "$(b64hex "$(attr_b64 "$d" zaFido2CredentialId)")" = "$(b64hex "$kh")" ] ||
	    za_fail "$u: credential id differs from the authfile"
	[ "$(b64hex "$(attr_b64 "$d" zaFido2PublicKey)")" = "$der" ] ||
	    za_fail "$u: public key differs from the authfile"
	[ "$(attr "$d" zaTokenLabel)" = "pam_u2f import" ] &&
	    [ "$(attr "$d" zaFido2Aaguid)" = 00000000-0000-0000-0000-000000000000 ] &&
	    [ "$(attr "$d" zaFido2RpId)" = "$rp" ] ||
	    za_fail "$u: imported entry: $(srch -b "$d" -s base)"
	proves_key "$d" "$u2fkey" || za_fail "$u: imported credential does not verify"
done
[ "$(attr "$(jget '.credentials[1].dn')" zaFido2UvKind)" = builtin ] ||
    za_fail "watanabe's +verification"
[ "$(audit_lines)" -eq $((a0 + 3)) ] || za_fail "three import records"
tail -n 3 "$audit" | jq -se --arg f "$keys" 'all(.action == "token.import-u2f"
    and .result == "ok" and (.reason | startswith("imported from " + $f + ":")))' \
    >/dev/null || za_fail "import records: $(tail -n 3 "$audit")"
za_ok "import-u2f: plan, dry run writes nothing, entries equal the authfile, audited"

# Problems: nothing written, FILE:LINE named.
a0=$(audit_lines)
jexpect 3 file "the same file again (duplicates)" -- token import-u2f "$keys"
printf '%s' "$out" | jq -r .error | grep -q "$keys:2: credential 1 of ito is in the directory already" ||
    za_fail "duplicate message: $out"
[ "$(nfido2 ito)" = 1 ] || za_fail "duplicate written"
# The same key under another user is a duplicate too.
kimura_line=$(pamu2f -u kimura) || za_fail "pamu2fcfg -u kimura"
printf '%s\n%s\n' "$kimura_line" "yamamoto:$(grep '^ito:' "$keys" | cut -d: -f2-)" \
    >"$tmp/dup"
jexpect 3 file "a key of another user" -- token import-u2f "$tmp/dup"
printf '%s' "$out" | jq -r .error | grep -q "$tmp/dup:2:" || za_fail "line named: $out"
[ "$(nfido2 kimura)" = 0 ] && [ "$(nfido2 yamamoto)" = 0 ] ||
    za_fail "written although one line was a duplicate"
# An unknown user.
printf '%s\nnosuchuser:%s\n' "$kimura_line" "$(printf '%s' "$kimura_line" |
    cut -d: -f2- | sed 's/^./B/')" >"$tmp/unknown"
jexpect 1 uid "an unknown user" -- token import-u2f "$tmp/unknown"
printf '%s' "$out" | jq -r .error | grep -q "$tmp/unknown:2: no user nosuchuser" ||
    za_fail "unknown user message: $out"
[ "$(nfido2 kimura)" = 0 ] || za_fail "written although a user was unknown"
# A disabled user.
printf 'ogawa:%s\n' "$(printf '%s' "$kimura_line" | cut -d: -f2-)" >"$tmp/disabled"
jexpect 3 uid "a disabled user" -- token import-u2f "$tmp/disabled"
# Malformed and hostile lines.
bad_line() {
	_n=$1 _desc=$2 _line=$3
	printf '%s\n%s\n' "$kimura_line" "$_line" >"$tmp/bad"
	jexpect 1 file "$_desc" -- token import-u2f "$tmp/bad"
	printf '%s' "$out" | jq -r .error | grep -q "^$tmp/bad:$_n: " ||
	    za_fail "$_desc: FILE:LINE not named: $out"
	[ "$(nfido2 kimura)" = 0 ] || za_fail "$_desc: written"
}
kh=$(printf '%s' "$kimura_line" | cut -d: -f2 | cut -d, -f1)
bad_line 2 "a broken public key" "yamamoto:$kh,!!!!,es256,+presence"
bad_line 2 "an unknown option" "yamamoto:$kh,$(printf '%s' "$kimura_line" |
    cut -d, -f2),es256,+presence+sudo"
bad_line 2 "an unknown key type" "yamamoto:$kh,AAAA,rsa4096,+presence"
bad_line 2 "a hostile user name" "x)(uid=*:$kh,AAAA,es256,+presence"
bad_line 2 "a resident credential" "yamamoto:*,AAAA,es256,+presence"
bad_line 2 "a user twice" "kimura:$(printf '%s' "$kimura_line" | cut -d: -f2-)"
bad_line 2 "a carriage return" "$(printf 'yamamoto:%s,AAAA,es256,+presence\r' "$kh")"
bad_line 2 "a long line" "yamamoto:$(head -c 20000 /dev/zero | tr '\0' A)"
printf '%s\n' "$kimura_line" >"$tmp/nul"
printf 'yamamoto:\000AAAA\n' >>"$tmp/nul"
jexpect 1 file "a NUL byte" -- token import-u2f "$tmp/nul"
[ "$(nfido2 kimura)" = 0 ] || za_fail "NUL: written"
: >"$tmp/empty"
jexpect 1 file "no credentials" -- token import-u2f "$tmp/empty"
ln -s "$keys" "$tmp/link"
jexpect 1 file "a symbolic link" -- token import-u2f "$tmp/link"
cp "$tmp/unknown" "$tmp/gw"
chmod 666 "$tmp/gw"
jexpect 1 file "a world-writable file" -- token import-u2f "$tmp/gw"
jexpect 1 file "a directory" -- token import-u2f "$tmp"
jexpect 1 file "a missing file" -- token import-u2f "$tmp/none"
jexpect 2 file "no file" -- token import-u2f
jexpect 2 origin "a hostile origin" -- token import-u2f "$keys" --origin 'a b'
[ "$(nfido2 kimura)" = 0 ] && [ "$(nfido2 yamamoto)" = 0 ] ||
    za_fail "written by a refused import"
# Refused: 3 duplicates of the first file, 1 of the second, 1 disabled ID.
[ "$(audit_lines)" -eq $((a0 + 5)) ] ||
    za_fail "refusals audited once each (5), errors not: $(tail -n 6 "$audit")"
# [fido2] policy: attestation_ca needs --accept-unattested; an AAGUID
# allowlist without the zero AAGUID refuses pam_u2f credentials.
printf '%s\n' "$kimura_line" >"$tmp/kimura"
cf=$tmp/ca.conf
jexpect 3 file "import with attestation_ca" -- token import-u2f "$tmp/kimura"
expect 0 "import with --accept-unattested" -- --json token import-u2f \
    "$tmp/kimura" --accept-unattested --dry-run
cf=$tmp/allow.conf
jexpect 3 file "import with an AAGUID allowlist" -- token import-u2f \
    "$tmp/kimura"
cf=$tmp/plain.conf
[ "$(nfido2 kimura)" = 0 ] || za_fail "kimura written by a dry run or refusal"
expect 0 "import kimura" -- token import-u2f "$tmp/kimura"
printf '%s\n' "$out" | grep -q "imported 1 of 1 credential" || za_fail "text: $out"
[ "$(nfido2 kimura)" = 1 ] || za_fail "kimura imported"
za_ok "import-u2f refuses duplicates, unknown and disabled users, malformed and hostile input; FILE:LINE"
fi

# ---------------------------------------------------------------- secrets
grep -qF "$pin" "$audit" && za_fail "the PIN in the audit log"
grep -qF "$pin" "$tmp/all-stdout" "$tmp/all-stderr" && za_fail "the PIN in an output"
grep -qF "9999-wrong" "$audit" "$tmp/all-stdout" "$tmp/all-stderr" &&
    za_fail "the wrong PIN in an output"
expect 0 "audit log intact" -- --json audit verify
[ "$(jget .intact)" = true ] || za_fail "audit verify: $out"
za_ok "no PIN in outputs or the audit log; audit chain intact"
echo "PASS: idmgr_fido2"
