#!/bin/sh
# The session phase: the last successful login (time, terminal) and the
# failed attempts since are shown at login, then the banner; login and
# logout times are recorded centrally, rate-limited by
# session.record_interval; only logins this module authenticated are
# recorded as MFA logins.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/sess"
mkdir -m 0700 "$work"
printf '例市 マイナンバー利用事務系端末\nAuthorised use only.\n' > "$work/banner"
chmod 0644 "$work/banner"
conf=$(za_pz_conf sess "[lockout]
delay = 0
[session]
record_interval = 0
banner = $work/banner")
za_pz_service sess "$conf" otp.window=10
hex=$ZA_PZ_TANAKA_HEX
tanaka="uid=tanaka,ou=people,$BASE_DN"
s0=$(za_pz_step)
n=0
login() {	# login SERVICE RHOST OUT: a full login of tanaka from RHOST
	n=$((n + 1))
	za_pz_conv "$1" tanaka -r "$2" -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + n)))" \
	    auth=PAM_SUCCESS acct=PAM_SUCCESS open=PAM_SUCCESS > "$3" ||
	    { cat "$3"; za_fail "login from $2"; }
}
gentime() {
	date -u -d "@$(( $(date +%s) + $1 ))" +%Y%m%d%H%M%SZ
}

login sess t-shimin-01 "$work/first"
za_pz_expect "first login" '^info: This is the first recorded login of this ID\.$' "$work/first"
za_pz_expect "banner line 1" '^info: 例市 マイナンバー利用事務系端末$' "$work/first"
za_pz_expect "banner line 2 (one message)" '^Authorised use only\.$' "$work/first"
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTerminal)" = t-shimin-01 ] || za_fail "terminal not recorded"
first=$(za_pz_get "$tanaka" zaLastMfaLoginTime)
[ -n "$first" ] || za_fail "login time not recorded"
za_ok "first login: says so, shows the banner, records time and terminal (PAM_RHOST)"

# Two failures from another terminal, then a login from a third.
oathtool --totp -w 41 -N "@$(( (s0 - 20) * 30 ))" "$hex" > "$work/window"
bad=100000
while grep -qx "$bad" "$work/window"; do bad=$((bad + 1)); done
for i in 1 2; do
	za_pz_conv sess tanaka -r t-zeimu-02 -a "$ZA_PZ_PW" -a "$bad" auth=PAM_AUTH_ERR > "$work/out" ||
	    { cat "$work/out"; za_fail "failure $i"; }
done
login sess t-shimin-02 "$work/second"
shown=$(date -d "$(echo "$first" | sed 's/^\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)Z$/\1-\2-\3 \4:\5:\6 UTC/')" '+%Y-%m-%d %H:%M')
za_pz_expect "last login shown" "^info: Last login: $shown from t-shimin-01\$" "$work/second"
za_pz_expect "failures since shown" '^info: 2 failed login attempts since the last login \(the latest at [0-9: -]+\)\.$' "$work/second"
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTerminal)" = t-shimin-02 ] || za_fail "second terminal not recorded"
za_pz_conv sess tanaka -r t-shimin-02 open=PAM_SUCCESS > "$work/third" ||
    { cat "$work/third"; za_fail "session without authentication"; }
za_pz_expect "no failures since the second login" '^info: Last login: .* from t-shimin-02$' "$work/third"
grep -q 'failed login' "$work/third" && za_fail "failures shown again after a successful login"
za_ok "next login: last login time and terminal, and 2 failed attempts since; reset after it"

# Logout time.
za_pz_conv sess tanaka close=PAM_SUCCESS > "$work/out" || { cat "$work/out"; za_fail "close"; }
[ -n "$(za_pz_get "$tanaka" zaLastLogoutTime)" ] || za_fail "logout time not recorded"
za_ok "session close records zaLastLogoutTime"

# Rate limit: with record_interval = 1h the same terminal is not rewritten
# within the hour; another terminal is; a session this module did not
# authenticate is never recorded as an MFA login.
rl=$(za_pz_conf ratelimit "[lockout]
delay = 0
[session]
record_interval = 1h")
za_pz_service rl "$rl" otp.window=10
old=$(gentime -600)
za_pz_ldap ldapmodify > "$work/mod" 2>&1 <<EOF || { cat "$work/mod"; za_fail "setting old records"; }
dn: $tanaka
changetype: modify
replace: zaLastMfaLoginTime
zaLastMfaLoginTime: $old
-
replace: zaLastMfaLoginTerminal
zaLastMfaLoginTerminal: t-shimin-02
-
replace: zaLastLogoutTime
zaLastLogoutTime: $old
EOF
login rl t-shimin-02 "$work/out"
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTime)" = "$old" ] ||
    za_fail "a login 10 minutes after the last, same terminal, was rewritten despite record_interval = 1h"
za_pz_conv rl tanaka close=PAM_SUCCESS > "$work/out" || { cat "$work/out"; za_fail "close"; }
[ "$(za_pz_get "$tanaka" zaLastLogoutTime)" = "$old" ] || za_fail "logout rewritten within record_interval"
login rl t-hoken-03 "$work/out"
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTime)" != "$old" ] && [ "$(za_pz_get "$tanaka" zaLastMfaLoginTerminal)" = t-hoken-03 ] ||
    za_fail "a login from another terminal was not recorded"
rec=$(za_pz_get "$tanaka" zaLastMfaLoginTime)
za_pz_conv sess tanaka -r t-other open=PAM_SUCCESS > "$work/out" || { cat "$work/out"; za_fail "open only"; }
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTerminal)" = t-hoken-03 ] && [ "$(za_pz_get "$tanaka" zaLastMfaLoginTime)" = "$rec" ] ||
    za_fail "a session without this module's authentication was recorded as an MFA login"
za_ok "record_interval: same terminal not rewritten within it, another terminal is; unauthenticated sessions not recorded"

# PAM_SILENT: no informational messages at all, but the login is recorded.
n=$((n + 1))
za_pz_conv sess tanaka -s -r t-silent -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + n)))" \
    auth=PAM_SUCCESS open=PAM_SUCCESS > "$work/silent" || { cat "$work/silent"; za_fail "silent login"; }
grep -q '^info:' "$work/silent" && za_fail "PAM_SILENT: informational messages shown"
[ "$(za_pz_get "$tanaka" zaLastMfaLoginTerminal)" = t-silent ] || za_fail "PAM_SILENT: login not recorded"
za_ok "PAM_SILENT: nothing shown, the login still recorded"

# last_login = no: nothing shown; banner still shown.
za_pz_service quiet "$conf" otp.window=10 session.last_login=no
login quiet t-shimin-02 "$work/quiet"
grep -q 'Last login\|first recorded' "$work/quiet" && za_fail "last_login = no showed the last login"
za_pz_expect "banner with last_login = no" '^Authorised use only\.$' "$work/quiet"
za_ok "session.last_login = no hides the last login; the banner remains"

za_pz_done pam_session
