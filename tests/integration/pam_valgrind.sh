#!/bin/sh
# pam_zoneauth under valgrind: a successful login with account and
# session phases, a failure that locks, an unknown user, an account
# denial, a file-store token and an unreachable directory, each checked
# for memory errors and definite or indirect leaks.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

command -v valgrind >/dev/null 2>&1 ||
    za_skip "valgrind not installed (apt-get install valgrind)"
[ "${ZA_SANITIZERS:-no}" != yes ] ||
    za_skip "a sanitizer build: ASan and valgrind do not mix (the other build runs this test)"
za_pz_setup
work="$ZA_SANDBOX/vg"
mkdir -m 0700 "$work"
conf=$(za_pz_conf vg "[lockout]
delay = 0
deny = 2
ppolicy = yes
[session]
record_interval = 0
banner = $work/banner")
printf 'Authorised use only.\n' > "$work/banner"
za_pz_service vg "$conf" otp.window=10
hex=$ZA_PZ_TANAKA_HEX
s0=$(za_pz_step)
n=0

vg() {	# vg DESCRIPTION PAMCONV-ARGS...
	_d=$1
	shift
	n=$((n + 1))
	set +e
	# The module is preloaded as well, so that pam_end() does not unload
	# it with libldap: libldap's one-time global set-up (SASL) would
	# then show as lost although nothing of zoneauth leaked.
	LD_PRELOAD="$ZA_PAM_PRELOAD $ZA_PAM_MODULE" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$ZA_PAM_DIR" valgrind --quiet --error-exitcode=99 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --keep-debuginfo=yes \
	    --log-file="$work/vg.$n" \
	    "$top_builddir/tests/integration/pamconv" "$@" > "$work/out.$n" 2>&1
	_st=$?
	set -e
	if [ "$_st" != 0 ]; then
		cat "$work/out.$n" "$work/vg.$n"
		za_fail "valgrind: $_d (exit $_st)"
	fi
	[ ! -s "$work/vg.$n" ] || { cat "$work/vg.$n"; za_fail "valgrind reported: $_d"; }
	za_ok "valgrind clean: $_d"
}

vg "password + TOTP, account, session open and close" vg tanaka -t tty1 \
    -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + 1)))" \
    auth=PAM_SUCCESS acct=PAM_SUCCESS open=PAM_SUCCESS close=PAM_SUCCESS
vg "wrong code" vg tanaka -a "$ZA_PZ_PW" -a 000000 auth=PAM_AUTH_ERR
vg "replayed code, which locks (deny = 2), then the account phase" vg tanaka \
    -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + 1)))" auth=PAM_MAXTRIES acct=PAM_PERM_DENIED
vg "locked: refused before the prompts" vg tanaka auth=PAM_MAXTRIES
vg "unknown user" vg nosuchuser -a x -a 000000 auth=PAM_AUTH_ERR acct=PAM_USER_UNKNOWN
vg "disabled ID" vg ogawa acct=PAM_PERM_DENIED open=PAM_SUCCESS
za_pz_service vgdown "$conf" "[directory.uri=ldap://127.0.0.1:1/]"
vg "unreachable directory" vgdown tanaka auth=PAM_AUTHINFO_UNAVAIL
weak=$(za_pz_conf vgweak "[rule r]
match = any
classes = 1")
za_pz_service vgweak "$weak"
vg "configuration refused" vgweak tanaka auth=PAM_SERVICE_ERR

# A group rule and a file-store token.
store="$ZA_SANDBOX/store"
mkdir -m 0700 "$store"
b32=$(env printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base32 -w0 | tr -d =)
printf 'zoneauth-store 1\nuser sato\ntotp sato id=st1 status=active secret=%s digits=6 alg=sha1 period=30 window=1\n' \
    "$b32" > "$store/zoneauth.store"
chmod 0600 "$store/zoneauth.store"
sconf=$(za_pz_conf vgstore "[lockout]
delay = 0
[store]
path = $store
[rule shimin]
match = group:shimin group:id-admins
classes = 2")
za_pz_service vgstore "$sconf"
vg "group rule, file-store TOTP" vgstore sato -a "$ZA_PZ_PW" \
    -a "$(za_pz_totp "$hex" "$(za_pz_step)")" auth=PAM_SUCCESS

za_pz_done pam_valgrind
