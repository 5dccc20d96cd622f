#!/bin/sh
# Smoke test: pam_zoneauth.so loads through real libpam (pam_wrapper), reads
# its configuration, reaches the directory, and fails closed on every kind
# of bad configuration or unreachable directory.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"

za_sandbox_start
za_pam_init
mod="$ZA_PAM_MODULE"
conf="$ZA_SANDBOX/zoneauth.conf"

expect() {	# expect DESCRIPTION pamrun-args...
	_desc=$1
	shift
	if out=$(za_pam_run "$@" 2>&1); then
		za_ok "$_desc"
	else
		printf '%s\n' "$out"
		za_fail "$_desc"
	fi
}

# A valid configuration and a reachable directory: the module loads and
# runs.  This sandbox has no users: tanaka is unknown, so the password and
# code prompts are answered and refused, and the account phase does not
# know the ID.  (tests/integration/pam_*.sh test the methods themselves.)
za_pam_service good "auth required $mod conf=$conf lockout.delay=0" \
    "account required $mod conf=$conf" "session required $mod conf=$conf"
expect "loads, reaches the directory, refuses an unknown user" \
    good tanaka -p wrong-password -p 000000 auth=PAM_AUTH_ERR
expect "no answers to the prompts: conversation error" good tanaka \
    auth=PAM_CONV_ERR
expect "account phase: unknown ID" good tanaka acct=PAM_USER_UNKNOWN
expect "session opens with a valid configuration" good tanaka open=PAM_SUCCESS

# Bad configurations deny with PAM_SERVICE_ERR.
za_pam_service noconf "auth required $mod conf=$ZA_SANDBOX/absent.conf"
expect "missing conf= file denies" noconf tanaka auth=PAM_SERVICE_ERR
za_pam_service badarg "auth required $mod conf=$conf no_such_option=1"
expect "unknown module argument denies" badarg tanaka auth=PAM_SERVICE_ERR
za_pam_service lateconf "auth required $mod debug conf=$conf"
expect "conf= after another argument denies" lateconf tanaka \
    auth=PAM_SERVICE_ERR
cp "$conf" "$ZA_SANDBOX/gw.conf"
chmod 0664 "$ZA_SANDBOX/gw.conf"
za_pam_service gw "auth required $mod conf=$ZA_SANDBOX/gw.conf"
expect "group-writable configuration denies" gw tanaka auth=PAM_SERVICE_ERR
printf '[general]\nzone = mynumber\nbogus = 1\n' > "$ZA_SANDBOX/unknown.conf"
chmod 0600 "$ZA_SANDBOX/unknown.conf"
za_pam_service unknown "auth required $mod conf=$ZA_SANDBOX/unknown.conf"
expect "unknown key denies" unknown tanaka auth=PAM_SERVICE_ERR

# Directory unreachable: PAM_AUTHINFO_UNAVAIL inside the configured bound.
# Port 1 on loopback refuses connections at once.
za_pam_service down "auth required $mod conf=$conf directory.uri=ldap://127.0.0.1:1/ directory.bind=anonymous directory.total_timeout=2s"
start=$(date +%s%N)
expect "unreachable directory gives AUTHINFO_UNAVAIL" down tanaka \
    auth=PAM_AUTHINFO_UNAVAIL
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 4000 ] || za_fail "unreachable directory took ${elapsed} ms (bound 2 s + slack)"
za_ok "unreachable directory answered in ${elapsed} ms"
echo "PASS: pam_smoke"
