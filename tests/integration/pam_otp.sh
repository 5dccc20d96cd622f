#!/bin/sh
# pam_zoneauth's TOTP/HOTP methods, cross-checked with oathtool for the
# same secrets: SHA-1/256/512, 6 and 8 digits, 30 and 60 s steps, HOTP
# counters and look-ahead, expired and future codes, the [otp] window, a
# revoked token, and tokens of the file store (store.path).
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/otp"
mkdir -m 0700 "$work"
conf=$(za_pz_conf otp "[lockout]
delay = 0
deny = 100")
za_pz_service otp "$conf"
za_pz_service otp0 "$conf" otp.window=0

rnd_hex() {	# rnd_hex BYTES
	head -c "$1" /dev/urandom | od -An -tx1 -v | tr -d ' \n'
}
login() {	# login SERVICE USER CODE EXPECTED-PAM-CODE DESCRIPTION
	if ! za_pz_conv_log "$1" "$2" -a "$ZA_PZ_PW" -a "$3" auth > "$work/out" ||
	    ! grep -qx "auth: $4" "$work/out"; then
		cat "$work/out"
		za_fail "$5"
	fi
}
# Start a sequence that depends on the current step early in a step.
wait_step_start() {	# wait_step_start PERIOD
	while [ $(( $(date +%s) % $1 )) -gt $(( $1 - 8 )) ]; do
		sleep 1
	done
}

# Parameter entries the sandbox lacks: 60-second steps, SHA-512, HOTP-512.
za_pz_ldap ldapadd > "$work/add" 2>&1 <<EOF || { cat "$work/add"; za_fail "adding parameter entries"; }
dn: cn=totp-sha1-6-60,ou=otp-params,$BASE_DN
objectClass: namedObject
objectClass: oathTOTPParams
cn: totp-sha1-6-60
oathOTPLength: 6
oathHMACAlgorithm: 1.2.840.113549.2.7
oathTOTPTimeStepPeriod: 60
oathTOTPTimeStepWindow: 1

dn: cn=totp-sha512-8-60,ou=otp-params,$BASE_DN
objectClass: namedObject
objectClass: oathTOTPParams
cn: totp-sha512-8-60
oathOTPLength: 8
oathHMACAlgorithm: 1.2.840.113549.2.11
oathTOTPTimeStepPeriod: 60
oathTOTPTimeStepWindow: 1

dn: cn=hotp-sha512-8,ou=otp-params,$BASE_DN
objectClass: namedObject
objectClass: oathHOTPParams
cn: hotp-sha512-8
oathOTPLength: 8
oathHMACAlgorithm: 1.2.840.113549.2.11
oathHOTPLookAhead: 10
EOF

# ---------------------------------------------------------------- TOTP
# user params oathtool-options period
set -- \
    suzuki totp-sha256-8-30 "--totp=sha256 -d 8" 30 \
    takahashi totp-sha512-8-60 "--totp=sha512 -d 8 -s 60s" 60 \
    ito totp-sha1-6-60 "--totp -d 6 -s 60s" 60 \
    watanabe totp-sha1-8-30 "--totp -d 8" 30
while [ $# -ge 4 ]; do
	user=$1 params=$2 opts=$3 period=$4
	shift 4
	hex=$(rnd_hex 32)
	za_pz_add_token "$user" "t-$user" totp "$hex" "$params"
	step=$(( $(date +%s) / period ))
	# shellcheck disable=SC2086
	code=$(oathtool $opts -N "@$(( step * period ))" "$hex")
	login otp "$user" "$code" PAM_SUCCESS "$params: oathtool's code refused"
	got=$(za_pz_get "zaTokenId=t-$user,uid=$user,ou=people,$BASE_DN" oathTOTPLastTimeStep)
	[ "$got" -ge "$step" ] && [ "$got" -le $((step + 1)) ] ||
	    za_fail "$params: stored step $got, expected $step"
	# The next step's code, within the window of one step.
	# shellcheck disable=SC2086
	code=$(oathtool $opts -N "@$(( (got + 1) * period ))" "$hex")
	login otp "$user" "$code" PAM_SUCCESS "$params: next step's code refused"
	login otp "$user" "$code" PAM_AUTH_ERR "$params: replay accepted"
	za_ok "TOTP $params: oathtool's codes accepted, replay refused"
done

# Expired, future, window: a fresh SHA-1 token for sato.
hex=$(rnd_hex 20)
za_pz_add_token sato t-sato totp "$hex" totp-sha1-6-30
wait_step_start 30
s=$(za_pz_step)
login otp sato "$(za_pz_totp "$hex" $((s - 3)))" PAM_AUTH_ERR "expired code (3 steps old) accepted"
grep -q 'reason=wrong code' "$work/out" || { cat "$work/out"; za_fail "expired code not logged as wrong"; }
login otp sato "$(za_pz_totp "$hex" $((s + 3)))" PAM_AUTH_ERR "code 3 steps ahead accepted"
login otp0 sato "$(za_pz_totp "$hex" $((s - 1)))" PAM_AUTH_ERR "otp.window = 0 accepted the previous step"
login otp sato "$(za_pz_totp "$hex" $((s - 1)))" PAM_SUCCESS "the token's window (1) refused the previous step"
login otp sato "$(za_pz_totp "$hex" "$s")" PAM_SUCCESS "current code after the previous one refused"
za_ok "TOTP: 3 steps old or ahead refused; otp.window = 0 narrows the token's window of 1"

# A revoked token no longer works.
za_pz_ldap ldapmodify > "$work/mod" 2>&1 <<EOF || { cat "$work/mod"; za_fail "revoking"; }
dn: zaTokenId=t-sato,uid=sato,ou=people,$BASE_DN
changetype: modify
replace: zaTokenStatus
zaTokenStatus: revoked
EOF
login otp sato "$(za_pz_totp "$hex" $((s + 1)))" PAM_AUTH_ERR "revoked token accepted"
grep -q 'reason=no usable token' "$work/out" || { cat "$work/out"; za_fail "revoked token: reason"; }
za_ok "a revoked token is refused at the next attempt"

# ---------------------------------------------------------------- HOTP
hex=$(rnd_hex 20)
za_pz_add_token yamamoto h-yamamoto hotp "$hex" hotp-sha1-6
hdn="zaTokenId=h-yamamoto,uid=yamamoto,ou=people,$BASE_DN"
login otp yamamoto "$(oathtool --hotp -c 0 "$hex")" PAM_SUCCESS "HOTP counter 0 refused"
[ "$(za_pz_get "$hdn" oathHOTPCounter)" = 0 ] || za_fail "oathHOTPCounter not 0"
login otp yamamoto "$(oathtool --hotp -c 0 "$hex")" PAM_AUTH_ERR "HOTP counter 0 accepted twice"
login otp yamamoto "$(oathtool --hotp -c 6 "$hex")" PAM_SUCCESS "HOTP counter 6 (look-ahead) refused"
[ "$(za_pz_get "$hdn" oathHOTPCounter)" = 6 ] || za_fail "oathHOTPCounter not 6"
login otp yamamoto "$(oathtool --hotp -c 3 "$hex")" PAM_AUTH_ERR "HOTP counter 3 accepted after 6"
login otp yamamoto "$(oathtool --hotp -c 18 "$hex")" PAM_AUTH_ERR "HOTP counter 18 (beyond look-ahead 10) accepted"
za_pz_service otp30 "$conf" otp.lookahead=30
login otp30 yamamoto "$(oathtool --hotp -c 18 "$hex")" PAM_SUCCESS "otp.lookahead = 30 refused counter 18"
za_ok "HOTP SHA-1: oathtool's counters; used and older ones refused; look-ahead 10, or otp.lookahead"
# HOTP-SHA-256/512 (RFC 4226 with another HMAC) equals TOTP of the same
# algorithm at time counter * 30, which oathtool computes.
for spec in "nakamura hotp-sha256-8 sha256" "kobayashi hotp-sha512-8 sha512"; do
	# shellcheck disable=SC2086
	set -- $spec
	hex=$(rnd_hex 32)
	za_pz_add_token "$1" "h-$1" hotp "$hex" "$2"
	login otp "$1" "$(oathtool --totp="$3" -d 8 -N @$((2 * 30)) "$hex")" PAM_SUCCESS \
	    "HOTP $2 counter 2 refused"
	login otp "$1" "$(oathtool --totp="$3" -d 8 -N @$((2 * 30)) "$hex")" PAM_AUTH_ERR \
	    "HOTP $2 counter 2 accepted twice"
	za_ok "HOTP $2: counter 2 accepted once"
done

# ---------------------------------------------------------------- file store
store="$ZA_SANDBOX/store"
mkdir -m 0700 "$store"
hex=$(rnd_hex 20)
b32=$(env printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base32 -w0 | tr -d =)
hhex=$(rnd_hex 20)
hb32=$(env printf "$(printf '%s' "$hhex" | sed 's/../\\x&/g')" | base32 -w0 | tr -d =)
cat > "$store/zoneauth.store" <<EOF
zoneauth-store 1
user kimura
user inoue
totp kimura id=st-kimura status=active secret=$b32 digits=6 alg=sha1 period=30 window=1
hotp kimura id=sh-kimura status=active secret=$hb32 digits=6 alg=sha1 lookahead=10
totp inoue id=st-inoue status=revoked secret=$b32 digits=6 alg=sha1 period=30 window=1
EOF
chmod 0600 "$store/zoneauth.store"
sconf=$(za_pz_conf storeconf "[lockout]
delay = 0
deny = 100
[store]
path = $store")
za_pz_service store "$sconf"
wait_step_start 30
s=$(za_pz_step)
login store kimura "$(za_pz_totp "$hex" "$s")" PAM_SUCCESS "file store TOTP refused"
grep -q "^totp kimura id=st-kimura .*last_step=$s\$" "$store/zoneauth.store" ||
    { cat "$store/zoneauth.store"; za_fail "file store: last_step not stored"; }
login store kimura "$(za_pz_totp "$hex" "$s")" PAM_AUTH_ERR "file store TOTP replay accepted"
login store kimura "$(oathtool --hotp -c 2 "$hhex")" PAM_SUCCESS "file store HOTP refused"
grep -q "^hotp kimura id=sh-kimura .*counter=2\$" "$store/zoneauth.store" ||
    { cat "$store/zoneauth.store"; za_fail "file store: counter not stored"; }
login store inoue "$(za_pz_totp "$hex" "$s")" PAM_AUTH_ERR "revoked file store token accepted"
login store kimura "$(za_pz_totp "$hex" $((s + 1)))" PAM_SUCCESS "file store: next step refused"
[ "$(stat -c %a "$store/zoneauth.store")" = 600 ] || za_fail "store mode changed"
ls "$store" | grep -v '^zoneauth.store$' && za_fail "temporary files left in the store"
# An unsafe store is not used; directory tokens keep working.
chmod 0644 "$store/zoneauth.store"
login store kimura "$(za_pz_totp "$hex" $((s + 2)))" PAM_AUTH_ERR "a world-readable store was used"
grep -q 'file store .* unusable' "$work/out" || { cat "$work/out"; za_fail "unsafe store not logged"; }
za_ok "file store: TOTP and HOTP from zoneauth.store, state written back (rename, 0600), replay and revoked refused, unsafe store ignored"

za_pz_done pam_otp
