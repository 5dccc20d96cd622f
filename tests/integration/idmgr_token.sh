#!/bin/sh
# idmgr token totp-enroll/hotp-enroll/list/revoke against the sandbox:
# the otpauth:// URI (parsed here), the entry written with the otp
# overlay's classes, the stored secret equal to the URI's, codes computed
# by oathtool, the QR code, errors and refusals, secrets kept out of the
# audit log and of every listing.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
command -v oathtool >/dev/null || za_skip "oathtool not installed (apt-get install oathtool)"
command -v base32 >/dev/null || za_skip "base32 (coreutils) not found"

za_im_start --sample

jexpect() {
	_want=$1 _field=$2 _desc=$3
	shift 3
	expect "$_want" "$_desc" --json "$@"
	[ "$(jget .field)" = "$_field" ] ||
	    za_fail "$_desc: field $(jget .field), expected $_field: $out"
}
# b32hex BASE32: the bytes as hex (padding added for base32 -d).
b32hex() {
	_s=$1
	while [ $(( ${#_s} % 8 )) -ne 0 ]; do _s="$_s="; done
	printf '%s' "$_s" | base32 -d | od -An -tx1 | tr -d ' \n'
}
# b32b64 BASE32: the same bytes in base64 (as ldapsearch shows them).
b32b64() {
	_s=$1
	while [ $(( ${#_s} % 8 )) -ne 0 ]; do _s="$_s="; done
	printf '%s' "$_s" | base32 -d | base64 -w0
}
# stored_hex DN: the oathSecret stored in the entry, as hex.
stored_hex() {
	srch -b "$1" -s base oathSecret | sed -n 's/^oathSecret:: //p' |
	    base64 -d | od -An -tx1 | tr -d ' \n'
}

# ---------------------------------------------------------------- TOTP
label='業務用 iPhone *()\,+"<>;='
expect 0 "totp-enroll --json" --json token totp-enroll tanaka -l "$label"
uri=$(jget .uri)
dn=$(jget .token.dn)
id=$(jget .token.id)
case $uri in
"otpauth://totp/example.lg.jp:tanaka?"*) ;;
*) za_fail "URI type, issuer and account label: $uri" ;;
esac
[ "$(uri_param "$uri" issuer)" = example.lg.jp ] || za_fail "issuer: $uri"
[ "$(uri_param "$uri" algorithm)" = SHA1 ] || za_fail "algorithm: $uri"
[ "$(uri_param "$uri" digits)" = 6 ] || za_fail "digits: $uri"
[ "$(uri_param "$uri" period)" = 30 ] || za_fail "period: $uri"
secret=$(uri_param "$uri" secret)
printf '%s' "$secret" | grep -Eq '^[A-Z2-7]{32}$' ||
    za_fail "secret: 20 bytes of base32: $secret"
[ "$dn" = "zaTokenId=$id,uid=tanaka,$people" ] || za_fail "token DN: $dn"
[ "$(jget .token.label)" = "$label" ] || za_fail "label: $out"
[ "$(jget .token.params)" = "cn=totp-sha1-6-30,ou=otp-params,$BASE_DN" ] ||
    za_fail "params: $out"
entry=$(srch -b "$dn" -s base objectClass zaTokenKind zaTokenStatus \
    oathTOTPParams zaTokenCreatedTime)
for l in "objectClass: zoneauthToken" "objectClass: oathTOTPToken" \
    "zaTokenKind: totp" "zaTokenStatus: active" \
    "oathTOTPParams: cn=totp-sha1-6-30,ou=otp-params,$BASE_DN"; do
	printf '%s\n' "$entry" | grep -qx "$l" || za_fail "entry lacks '$l': $entry"
done
printf '%s\n' "$entry" | grep -Eq '^zaTokenCreatedTime: [0-9]{14}Z$' ||
    za_fail "created time: $entry"
[ "$(stored_hex "$dn")" = "$(b32hex "$secret")" ] ||
    za_fail "stored oathSecret differs from the URI's secret"
srch -b "uid=tanaka,$people" -s base oathTOTPToken objectClass |
    grep -qi 'oathTOTP' && za_fail "the user entry was linked to the otp overlay"
code=$(oathtool --totp -b "$secret")
printf '%s' "$code" | grep -Eq '^[0-9]{6}$' || za_fail "oathtool code: $code"
# The secret's base32 and hex forms give the same code at a fixed time.
t='2026-01-01 00:00:00 UTC'
[ "$(oathtool --totp --now="$t" "$(b32hex "$secret")")" = \
    "$(oathtool --totp --now="$t" -b "$secret")" ] ||
    za_fail "oathtool hex and base32 disagree"
za_ok "totp-enroll: URI, entry with otp overlay classes, stored secret = URI secret"

expect 0 "totp-enroll sha256/8 (text)" token totp-enroll tanaka \
    --algorithm sha256 --digits 8
uri2=$(printf '%s\n' "$out" | grep '^otpauth://')
[ "$(uri_param "$uri2" algorithm)" = SHA256 ] &&
    [ "$(uri_param "$uri2" digits)" = 8 ] || za_fail "sha256/8 URI: $uri2"
s2=$(uri_param "$uri2" secret)
printf '%s' "$s2" | grep -Eq '^[A-Z2-7]{52}$' || za_fail "32-byte secret: $s2"
oathtool --totp=sha256 -d 8 -b "$s2" | grep -Eq '^[0-9]{8}$' ||
    za_fail "sha256 code"
printf '%s\n' "$out" | grep -q "█\|▀\|▄" && za_fail "QR drawn although stdout is no terminal"
printf '%s\n' "$out" | grep -q "sha256, 8 digits, 30 s steps" || za_fail "text: $out"
za_ok "totp-enroll: SHA-256, 8 digits, text output, no QR off a terminal"

expect 0 "totp-enroll --qr" token totp-enroll sato --qr
qr=$(printf '%s\n' "$out" | grep '[█▀▄]' || true)
[ "$(printf '%s\n' "$qr" | wc -l)" -ge 10 ] || za_fail "QR code drawn: $out"
[ "$(printf '%s\n' "$qr" | wc -L | tr -d ' ')" -ge 29 ] || za_fail "QR width"
za_ok "totp-enroll --qr draws the QR code"

# ---------------------------------------------------------------- HOTP
expect 0 "hotp-enroll" --json token hotp-enroll tanaka
uri3=$(jget .uri)
case $uri3 in otpauth://hotp/example.lg.jp:tanaka\?*) ;; *) za_fail "HOTP URI: $uri3" ;; esac
[ "$(uri_param "$uri3" counter)" = 0 ] || za_fail "counter 0: $uri3"
[ "$(jget .token.params)" = "cn=hotp-sha1-6,ou=otp-params,$BASE_DN" ] ||
    za_fail "HOTP params: $out"
s3=$(uri_param "$uri3" secret)
[ "$(stored_hex "$(jget .token.dn)")" = "$(b32hex "$s3")" ] ||
    za_fail "HOTP stored secret"
srch -b "$(jget .token.dn)" -s base objectClass | grep -q "oathHOTPToken" ||
    za_fail "oathHOTPToken class"
oathtool --hotp -c 0 -b "$s3" | grep -Eq '^[0-9]{6}$' || za_fail "HOTP code"
za_ok "hotp-enroll: URI with counter, oathHOTPToken entry"

# ---------------------------------------------------------------- errors
n0=$(wc -l < "$audit")
jexpect 1 uid "enrol for an unknown user" token totp-enroll nosuch
jexpect 2 uid "enrol for a hostile uid" token totp-enroll 'x)(uid=*'
jexpect 1 params "no parameter entry for 7 digits" token totp-enroll tanaka \
    --digits 7
jexpect 2 digits "9 digits" token totp-enroll tanaka --digits 9
jexpect 2 algorithm "md5" token totp-enroll tanaka --algorithm md5
jexpect 2 period "period for HOTP" token hotp-enroll tanaka --period 30
jexpect 2 period "period out of range" token totp-enroll tanaka --period 5
jexpect 2 label "control character in label" token totp-enroll tanaka \
    -l "$(printf 'a\tb')"
[ "$(wc -l < "$audit")" -eq "$n0" ] || za_fail "errors were journalled as changes"
jexpect 3 uid "enrol for a disabled ID" token totp-enroll ogawa
tail -n 1 "$audit" | jq -e '.action == "token.totp-enroll" and
    .result == "refused"' >/dev/null || za_fail "refusal recorded"
[ "$(srch -b "uid=ogawa,$people" -s one '(objectClass=zoneauthToken)' dn |
    grep -c '^dn:' || true)" -eq 0 ] || za_fail "a token was written for ogawa"
za_ok "enrol errors name the field; a disabled ID is refused and recorded"

# ---------------------------------------------------------------- list
expect 0 "token list --json" --json token list tanaka
[ "$(jget '.tokens | length')" = 4 ] || za_fail "4 tokens: $out"
[ "$(jget '[.tokens[].id] | index("demo-totp-1")')" != null ] || za_fail "demo token"
[ "$(jget "[.tokens[] | select(.id == \"$id\")][0].label")" = "$label" ] ||
    za_fail "label listed: $out"
expect 0 "token list (text)" token list tanaka
printf '%s\n' "$out" | head -n 1 | grep -q "^ID  *KIND  *STATUS" || za_fail "header: $out"
for s in "$secret" "$s2" "$s3"; do
	printf '%s' "$out" | grep -q "$s" && za_fail "a secret in the list"
done
expect 0 "list without tokens" token list suzuki
printf '%s\n' "$out" | grep -q "has no tokens" || za_fail "no tokens: $out"
jexpect 1 uid "list for an unknown user" token list nosuch
za_ok "token list: all tokens, labels, never a secret"

# ---------------------------------------------------------------- revoke
jexpect 2 reason "revoke without reason" token revoke tanaka "$id"
jexpect 2 token "revoke a hostile token id" token revoke tanaka 'a*' -r x
jexpect 1 token "revoke an unknown token" token revoke tanaka nosuch -r x
jexpect 2 token "revoke without a token" token revoke tanaka
expect 0 "revoke" --json token revoke tanaka "$id" --reason "紛失 (lost)"
[ "$(jget '.changes.zaTokenStatus.before[0]')" = active ] &&
    [ "$(jget '.changes.zaTokenStatus.after[0]')" = revoked ] ||
    za_fail "revoke changes: $out"
srch -b "$dn" -s base zaTokenStatus zaTokenRevokeReason zaTokenRevokedTime |
    grep -q '^zaTokenStatus: revoked' || za_fail "status revoked in the directory"
srch -b "$dn" -s base zaTokenRevokedTime | grep -Eq '^zaTokenRevokedTime: [0-9]{14}Z' ||
    za_fail "revoked time"
tail -n 1 "$audit" | jq -e '.action == "token.revoke" and
    .reason == "紛失 (lost)" and .after.zaTokenStatus == ["revoked"]' \
    >/dev/null || za_fail "revoke record: $(tail -n 1 "$audit")"
jexpect 3 token "revoke twice" token revoke tanaka "$id" -r again
expect 0 "list shows it revoked" --json token list tanaka
[ "$(jget "[.tokens[] | select(.id == \"$id\")][0].status")" = revoked ] ||
    za_fail "listed as revoked: $out"
[ "$(jget "[.tokens[] | select(.id == \"$id\")][0].revoke_reason")" = "紛失 (lost)" ] ||
    za_fail "reason listed: $out"
za_ok "token revoke: immediate status change, reason, refusal when repeated"

# ---------------------------------------------------------------- secrets
for s in "$secret" "$s2" "$s3"; do
	grep -q "$s" "$audit" && za_fail "a base32 secret in the audit log"
	b64=$(b32b64 "$s")
	[ ${#b64} -ge 28 ] || za_fail "base64 of the secret: $b64"
	grep -qF "$b64" "$audit" && za_fail "a base64 secret in the audit log"
done
grep '"action":"token.totp-enroll","target"' "$audit" | grep '"result":"ok"' |
    jq -e '.after.oathSecret == ["<redacted>"]' >/dev/null ||
    za_fail "enrolment records show the secret redacted"
expect 0 "audit log intact" --json audit verify
[ "$(jget .intact)" = true ] || za_fail "audit verify: $out"
za_ok "no secret in the audit log; chain intact"
echo "PASS: idmgr_token"
