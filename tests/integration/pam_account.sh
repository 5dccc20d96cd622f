#!/bin/sh
# The account phase (pam_acct_mgmt) for each state of an ID: active,
# disabled, suspended, expired, locked (zoneauth lockout; ppolicy lock when
# lockout.ppolicy = yes), privileged without or outside its check-out
# window, password reset by an administrator, unknown.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/acct"
mkdir -m 0700 "$work"
conf=$(za_pz_conf acct "[lockout]
delay = 0
ppolicy = yes")
za_pz_service acct "$conf"
za_pz_service acctnopp "$conf" lockout.ppolicy=no
people="ou=people,$BASE_DN"

gentime() {	# gentime SECONDS-FROM-NOW
	date -u -d "@$(( $(date +%s) + $1 ))" +%Y%m%d%H%M%SZ
}
setattr() {	# setattr UID ATTR VALUE (empty VALUE deletes ATTR)
	if [ -n "$3" ]; then
		printf 'dn: uid=%s,%s\nchangetype: modify\nreplace: %s\n%s: %s\n' \
		    "$1" "$people" "$2" "$2" "$3"
	else
		printf 'dn: uid=%s,%s\nchangetype: modify\ndelete: %s\n' \
		    "$1" "$people" "$2"
	fi | za_pz_ldap ldapmodify > "$work/mod" 2>&1 ||
	    { cat "$work/mod"; za_fail "setting $2 of $1"; }
}
acct() {	# acct SERVICE USER PAM-CODE MESSAGE-REGEX DESCRIPTION
	za_pz_conv_log "$1" "$2" acct > "$work/out" || true
	if ! grep -qx "acct: $3" "$work/out" ||
	    { [ -n "$4" ] && ! grep -Eq -- "$4" "$work/out"; }; then
		cat "$work/out"
		za_fail "$5"
	fi
}

acct acct tanaka PAM_SUCCESS 'SYSLOG\(6\): account: user=tanaka .*result=allowed reason=ok' "active ID"
acct acct ota PAM_SUCCESS '' "temporary staff before their expiry"
acct acct ogawa PAM_PERM_DENIED '^error: This ID is disabled\. Contact the ID administrator\.$' "disabled ID"
grep -q 'result=denied reason=disabled' "$work/out" || za_fail "disabled: log"
acct acct kato PAM_PERM_DENIED '^error: This ID is suspended \(secondment or leave of absence\)' "suspended ID (出向)"
acct acct ishikawa PAM_PERM_DENIED 'reason=suspended' "suspended ID (休職)"
setattr fukuda zaAccountExpiry 20260101000000Z
acct acct fukuda PAM_ACCT_EXPIRED '^error: This ID expired at 2026-01-01 [0-9:]+\. Contact the ID administrator\.$' "expired ID"
grep -q 'reason=expired' "$work/out" || za_fail "expired: log"
acct acct nosuchuser PAM_USER_UNKNOWN '' "unknown ID"
za_ok "account phase: active allowed; disabled, suspended (出向, 休職) denied; expired PAM_ACCT_EXPIRED; unknown PAM_USER_UNKNOWN"

# Locks: zoneauth's, and the password policy's when lockout.ppolicy = yes.
setattr sato zaLockedUntil "$(gentime 3600)"
acct acct sato PAM_PERM_DENIED '^error: This ID is locked after too many failed logins until ' "locked ID"
setattr sato zaLockedUntil "$(gentime -60)"
acct acct sato PAM_SUCCESS '' "a lock that has expired"
setattr suzuki pwdAccountLockedTime 000001010000Z
acct acct suzuki PAM_PERM_DENIED 'Ask the ID administrator to unlock it' "ppolicy lock with lockout.ppolicy = yes"
acct acctnopp suzuki PAM_SUCCESS '' "ppolicy lock ignored with lockout.ppolicy = no"
setattr suzuki pwdAccountLockedTime ''
za_ok "account phase: locked until a time denied, expired lock allowed, ppolicy lock per lockout.ppolicy"

# Privileged IDs: only inside their check-out window.
acct acct rs-kanri01 PAM_PERM_DENIED '^error: This privileged ID is not checked out\. Check it out before logging in\.$' \
    "privileged ID without check-out"
setattr rs-kanri01 zaPrivCheckoutHolder "uid=okada,$people"
setattr rs-kanri01 zaPrivCheckoutStart "$(gentime -7200)"
setattr rs-kanri01 zaPrivCheckoutEnd "$(gentime -3600)"
acct acct rs-kanri01 PAM_PERM_DENIED '^error: This privileged ID is checked out from [0-9: -]+ to [0-9: -]+ only\.$' \
    "privileged ID after its window"
grep -q 'reason=privileged ID outside its check-out window' "$work/out" || za_fail "privileged: log"
setattr rs-kanri01 zaPrivCheckoutStart "$(gentime 3600)"
setattr rs-kanri01 zaPrivCheckoutEnd "$(gentime 7200)"
acct acct rs-kanri01 PAM_PERM_DENIED 'checked out from' "privileged ID before its window"
setattr rs-kanri01 zaPrivCheckoutStart "$(gentime -60)"
acct acct rs-kanri01 PAM_SUCCESS '' "privileged ID inside its window"
za_ok "account phase: privileged ID denied without a check-out and outside the window, allowed inside"

# Password reset by an administrator: the account phase asks for a new one,
# after a login with the new password (ppolicy: changeAfterReset).
printf '%s' 'Reset-by-admin-2026' > "$work/newpw"
za_pz_ldap ldappasswd -T "$work/newpw" "uid=yamada,$people" > "$work/mod" 2>&1 ||
    { cat "$work/mod"; za_fail "ldappasswd"; }
[ "$(za_pz_get "uid=yamada,$people" pwdReset)" = TRUE ] || za_fail "no pwdReset after an admin reset"
acct acct yamada PAM_NEW_AUTHTOK_REQD '^error: Your password was reset by an administrator and must be changed now\.$' \
    "password reset: account phase"
hex=3132333435363738393031323334353637383933
za_pz_add_token yamada t-yamada totp "$hex" totp-sha1-6-30
za_pz_conv_log acct yamada -a Reset-by-admin-2026 -a "$(za_pz_totp "$hex" "$(za_pz_step)")" \
    auth=PAM_SUCCESS acct=PAM_NEW_AUTHTOK_REQD > "$work/out" ||
    { cat "$work/out"; za_fail "password reset: login then account phase"; }
grep -q 'result=success reason=password must be changed' "$work/out" ||
    { cat "$work/out"; za_fail "password reset: auth log"; }
za_ok "account phase: an administrator's password reset gives PAM_NEW_AUTHTOK_REQD with a message"

za_pz_done pam_account
