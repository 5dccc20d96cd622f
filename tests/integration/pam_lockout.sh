#!/bin/sh
# Lockout: failures recorded centrally by several processes at once lock
# the ID at lockout.deny; a locked ID is refused before any prompt, in the
# account phase too, and (ppolicy = yes) for password binds; unlocking
# (za_lockout_unlock, as idmgr's "user unlock") restores access; a success
# resets the count; failures outside the window and a lock that expired
# do not count; the password policy's own lock has its own message.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/lock"
mkdir -m 0700 "$work"
conf=$(za_pz_conf lock "[lockout]
delay = 0
deny = 5
window = 15m
unlock_time = 0
ppolicy = yes")
za_pz_service lock "$conf" otp.window=10
hex=$ZA_PZ_TANAKA_HEX
tanaka="uid=tanaka,ou=people,$BASE_DN"
s0=$(za_pz_step)

nvals() {	# nvals DN ATTR
	za_pz_get "$1" "$2" | grep -c . || true
}
pwbind() {	# pwbind DN PASSWORD: the result code of a simple bind
	printf '%s' "$2" > "$work/pw"
	ldapwhoami -x -H "$LDAP_URI" -D "$1" -y "$work/pw" >/dev/null 2>&1 && echo 0 ||
	    echo $?
}
wrongcode() {	# a 6-digit code that is none of the window's codes
	oathtool --totp -w 41 -N "@$(( (s0 - 20) * 30 ))" "$1" > "$work/window"
	_w=100000
	while grep -qx "$_w" "$work/window"; do _w=$((_w + 1)); done
	echo "$_w"
}
bad=$(wrongcode "$hex")

# ---------------------------------------------------------------- lock
# Five failures (right password, wrong code) from five processes at once.
i=1
while [ "$i" -le 5 ]; do
	za_pz_conv_log lock tanaka -t "tty$i" -a "$ZA_PZ_PW" -a "$bad" auth > "$work/f$i" 2>&1 &
	i=$((i + 1))
done
wait
n=$(nvals "$tanaka" zaAuthFailure)
[ "$n" = 5 ] || za_fail "$n failure records after 5 concurrent failures"
za_pz_get "$tanaka" zaAuthFailure | grep -Eq '^[0-9]{14}Z [0-9a-f]{16} [^ ]+:tty[1-5]$' ||
    { za_pz_get "$tanaka" zaAuthFailure; za_fail "failure record format"; }
[ "$(za_pz_get "$tanaka" zaLockedUntil)" = 99991231235959Z ] ||
    za_fail "no administrator-only lock after 5 failures: $(za_pz_get "$tanaka" zaLockedUntil)"
[ "$(za_pz_get "$tanaka" pwdAccountLockedTime)" = 000001010000Z ] ||
    za_fail "ppolicy = yes did not set pwdAccountLockedTime"
cat "$work"/f* | grep -q 'SYSLOG(4): lockout: user=tanaka .* locked after 5 failed logins' ||
    { cat "$work"/f*; za_fail "the lockout was not logged"; }
grep -q '^error: This ID is locked after too many failed logins. Ask the ID administrator' "$work"/f* ||
    za_fail "the locking attempt did not say so"
za_ok "5 failures from 5 processes at once: 5 records, zaLockedUntil (administrator only), pwdAccountLockedTime, logged"

code=$(za_pz_totp "$hex" $((s0 + 1)))
za_pz_conv_log lock tanaka -a "$ZA_PZ_PW" -a "$code" auth acct > "$work/locked" || true
za_pz_expect "locked: right password and code refused" '^auth: PAM_MAXTRIES$' "$work/locked"
grep -q '^prompt' "$work/locked" && za_fail "a locked ID was prompted"
za_pz_expect "locked: message" '^error: This ID is locked after too many failed logins' "$work/locked"
za_pz_expect "locked: account phase denies" '^acct: PAM_PERM_DENIED$' "$work/locked"
za_pz_expect "locked: logged" 'result=locked reason=ID is locked' "$work/locked"
[ "$(nvals "$tanaka" zaAuthFailure)" = 5 ] || za_fail "refusals of a locked ID were recorded as failures"
[ "$(pwbind "$tanaka" "$ZA_PZ_PW")" = 49 ] || za_fail "the lock is not visible to password binds"
za_ok "locked: refused without prompts (PAM_MAXTRIES), account phase denies, password binds fail (49)"

# ---------------------------------------------------------------- unlock
"$top_builddir/tests/integration/zaunlock" "$ZONEAUTH_CONF" "$tanaka" > "$work/unlock" 2>&1 ||
    { cat "$work/unlock"; za_fail "zaunlock failed"; }
[ "$(nvals "$tanaka" zaAuthFailure)" = 0 ] || za_fail "unlock left failure records"
[ -z "$(za_pz_get "$tanaka" zaLockedUntil)" ] || za_fail "unlock left zaLockedUntil"
[ -z "$(za_pz_get "$tanaka" pwdAccountLockedTime)" ] || za_fail "unlock left pwdAccountLockedTime"
[ "$(pwbind "$tanaka" "$ZA_PZ_PW")" = 0 ] || za_fail "password bind fails after unlock"
za_pz_conv lock tanaka -a "$ZA_PZ_PW" -a "$code" auth=PAM_SUCCESS acct=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "login after unlock"; }
"$top_builddir/tests/integration/zaunlock" "$ZONEAUTH_CONF" "$tanaka" > "$work/unlock" 2>&1 ||
    { cat "$work/unlock"; za_fail "unlocking an unlocked ID failed"; }
za_ok "za_lockout_unlock clears records, lock and pwdAccountLockedTime; login and password binds work again"

# ---------------------------------------------------------------- reset
for i in 1 2 3 4; do
	za_pz_conv lock tanaka -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
	    { cat "$work/out"; za_fail "failure $i"; }
done
code=$(za_pz_totp "$hex" $((s0 + 2)))
za_pz_conv lock tanaka -a "$ZA_PZ_PW" -a "$code" auth=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "success after 4 failures"; }
[ "$(nvals "$tanaka" zaAuthFailure)" = 0 ] || za_fail "a success did not clear the failure records"
for i in 1 2 3 4; do
	za_pz_conv lock tanaka -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
	    { cat "$work/out"; za_fail "failure $i after the success"; }
done
code=$(za_pz_totp "$hex" $((s0 + 3)))
za_pz_conv lock tanaka -a "$ZA_PZ_PW" -a "$code" auth=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "4 + 4 failures around a success locked the ID"; }
za_ok "a success resets the count: 4 failures, success, 4 failures does not lock"

# ---------------------------------------------------------------- window, expiry
timed=$(za_pz_conf timed "[lockout]
delay = 0
deny = 3
window = 2s
unlock_time = 2s")
za_pz_service timed "$timed" otp.window=10
for i in 1 2; do
	za_pz_conv timed tanaka -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
	    { cat "$work/out"; za_fail "windowed failure $i"; }
done
sleep 3
za_pz_conv timed tanaka -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
    { cat "$work/out"; za_fail "failure after the window"; }
[ -z "$(za_pz_get "$tanaka" zaLockedUntil)" ] || za_fail "failures outside the window counted"
za_pz_conv timed tanaka -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
    { cat "$work/out"; za_fail "failure 2 in the new window"; }
za_pz_conv_log timed tanaka -a "$ZA_PZ_PW" -a "$bad" auth > "$work/t3" || true
za_pz_expect "3 failures in 2 s lock" '^auth: PAM_MAXTRIES$' "$work/t3"
za_pz_expect "timed lock: message with its end" '^error: This ID is locked after too many failed logins until ' "$work/t3"
until=$(za_pz_get "$tanaka" zaLockedUntil)
[ -n "$until" ] && [ "$until" != 99991231235959Z ] || za_fail "timed lock: zaLockedUntil is '$until'"
sleep 3
code=$(za_pz_totp "$hex" $((s0 + 4)))
za_pz_conv timed tanaka -a "$ZA_PZ_PW" -a "$code" auth=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "login after the lock expired"; }
[ -z "$(za_pz_get "$tanaka" zaLockedUntil)" ] || za_fail "an expired lock was not cleared by a success"
za_ok "window: failures older than lockout.window do not count; unlock_time: the lock expires by itself"

# ---------------------------------------------------------------- ppolicy's own lock
shex=3132333435363738393031323334353637383932
za_pz_add_token sato t-sato totp "$shex" totp-sha1-6-30
sato="uid=sato,ou=people,$BASE_DN"
for i in 1 2 3 4 5; do
	[ "$(pwbind "$sato" "wrong-$i")" = 49 ] || za_fail "wrong bind $i"
done
[ -n "$(za_pz_get "$sato" pwdAccountLockedTime)" ] || za_fail "ppolicy did not lock sato"
za_pz_conv_log lock sato -a "$ZA_PZ_PW" -a "$(za_pz_totp "$shex" "$(za_pz_step)")" auth > "$work/pp" || true
za_pz_expect "ppolicy lock refused" '^auth: PAM_MAXTRIES$' "$work/pp"
za_pz_expect "ppolicy lock message" '^error: The password policy has locked this ID' "$work/pp"
za_pz_expect "ppolicy lock logged" 'result=locked reason=password policy lock' "$work/pp"
[ -n "$(za_pz_get "$sato" pwdFailureTime)" ] || za_fail "ppolicy recorded no pwdFailureTime"
"$top_builddir/tests/integration/zaunlock" "$ZONEAUTH_CONF" "$sato" > "$work/unlock" 2>&1 ||
    { cat "$work/unlock"; za_fail "zaunlock of a ppolicy lock failed"; }
[ -z "$(za_pz_get "$sato" pwdAccountLockedTime)" ] && [ -z "$(za_pz_get "$sato" pwdFailureTime)" ] ||
    za_fail "unlock left ppolicy's lock or failure times"
[ "$(pwbind "$sato" "$ZA_PZ_PW")" = 0 ] || za_fail "sato cannot bind after unlock"
za_ok "a lock set by the password policy itself: refused with its own message; unlock clears it and pwdFailureTime"

za_pz_done pam_lockout
