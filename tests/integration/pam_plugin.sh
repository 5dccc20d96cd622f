#!/bin/sh
# What a login loads, through real libpam (pam_wrapper) against the sample
# directory, seen with the dynamic linker's own trace (LD_DEBUG=files):
#  - a login whose rule allows no security key loads neither the FIDO2
#    plug-in, libfido2 nor libcrypto, and no SASL plug-in at all;
#  - a rule that allows a key loads the plug-in (and libfido2 with it);
#  - a plug-in that is missing, writable by others, not a plug-in, or of
#    another build is refused and logged; the key method is then
#    unavailable, the code still works, a key-only rule denies.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
[ -f "$ZA_FIDO2_PLUGIN" ] || za_fail "$ZA_FIDO2_PLUGIN not built"
work="$ZA_SANDBOX/plugin"
mkdir -m 0700 "$work"
hex=$ZA_PZ_TANAKA_HEX
# A window of 10 steps: each login uses the code of the next step.
lock="[lockout]
delay = 0
deny = 100
[otp]
window = 10"
step=$(za_pz_step)
next_code() {	# the code of the next step into $code
	step=$((step + 1))
	code=$(za_pz_totp "$hex" "$step")
}

# login NAME SERVICE RESULT DESCRIPTION ARGS...: one login as tanaka with
# the linker's trace in $work/NAME.ld.* and the conversation in $work/NAME.
login() {
	_n=$1 _s=$2 _r=$3 _d=$4
	shift 4
	rm -f "$work/$_n".ld.*
	if ! LD_DEBUG=files LD_DEBUG_OUTPUT="$work/$_n.ld" \
	    za_pz_conv_log "$_s" tanaka "$@" auth > "$work/$_n" 2>&1 ||
	    ! grep -qx "auth: $_r" "$work/$_n"; then
		cat "$work/$_n"
		za_fail "$_d"
	fi
	cat "$work/$_n".ld.* > "$work/$_n.trace" 2>/dev/null ||
	    za_fail "$_n: no LD_DEBUG trace written"
	# The trace works: it shows the module being loaded.
	grep -q 'file=.*pam_zoneauth\.so' "$work/$_n.trace" ||
	    { head -n 20 "$work/$_n.trace"; za_fail "$_n: the trace does not show pam_zoneauth.so"; }
}
loaded() {	# loaded NAME PATTERN: the trace of login NAME shows PATTERN
	grep -Eq "file=[^ ]*$2" "$work/$1.trace"
}

# ---------------------------------------------------------------- no key rule
za_pz_service nokey "$(za_pz_conf nokey "$lock
[rule password-and-code]
match = any
classes = 2
methods = password,totp")"
next_code
login nokey nokey PAM_SUCCESS "password + code refused" -a "$ZA_PZ_PW" -a "$code"
# The plug-in is loaded from its checked descriptor: /proc/self/fd/N.
for lib in '/proc/self/fd/' 'libfido2\.' 'libcrypto\.' 'libcbor\.' '/sasl2/'; do
	if loaded nokey "$lib"; then
		grep -E "file=[^ ]*$lib" "$work/nokey.trace" | head -n 3
		za_fail "a login whose rule allows no key loaded $lib"
	fi
done
za_ok "a rule without security keys: no FIDO2 plug-in, libfido2, libcrypto or SASL plug-in is loaded"

# ---------------------------------------------------------------- key rule
# The default rule allows every method: whether a key is plugged in is
# asked, which needs the plug-in.  No key is plugged in here.
za_pz_service default "$(za_pz_conf default "$lock")"
next_code
login default default PAM_SUCCESS "password + code refused under the default rule" \
    -a "$ZA_PZ_PW" -a "$code"
loaded default '/proc/self/fd/[0-9]+' ||
    { grep 'file=' "$work/default.trace" | head -n 40; za_fail "the FIDO2 plug-in was not loaded"; }
loaded default 'libfido2\.' || za_fail "libfido2 was not loaded with the plug-in"
grep -q 'cannot load the FIDO2 plug-in' "$work/default" &&
    { cat "$work/default"; za_fail "the plug-in of the build tree was refused"; }
za_ok "a rule that allows a security key loads the FIDO2 plug-in (and libfido2)"

# ---------------------------------------------------------------- refused plug-ins
# plugin_refused NAME PATH REASON: under the default rule the code still
# works, and the refusal is logged once with its reason.
plugin_refused() {
	za_pz_service "p-$1" "$(za_pz_conf "p-$1" "$lock")" "fido2.plugin=$2"
	next_code
	login "p-$1" "p-$1" PAM_SUCCESS "$1: password + code refused" \
	    -a "$ZA_PZ_PW" -a "$code"
	za_pz_expect "$1: refusal logged" \
	    "SYSLOG\(3\): fido2: cannot load the FIDO2 plug-in $2: $3" "$work/p-$1"
	[ "$(grep -c 'cannot load the FIDO2 plug-in' "$work/p-$1")" = 1 ] ||
	    { cat "$work/p-$1"; za_fail "$1: the refusal is not logged exactly once"; }
	if loaded "p-$1" 'libfido2\.'; then
		za_fail "$1: libfido2 was loaded although the plug-in was refused"
	fi
}
plugin_refused missing "$work/no-such-plugin.so" 'not a safe file'
cp "$ZA_FIDO2_PLUGIN" "$work/writable.so"
chmod 0664 "$work/writable.so"
plugin_refused writable "$work/writable.so" 'not a safe file'
plugin_refused notplugin "$ZA_PAM_MODULE" 'not a FIDO2 plug-in of this build'
# A plug-in of another build: the right symbol, another interface string.
cat > "$work/other.c" <<'C'
struct table { const char *abi; unsigned long size; void *fn[6]; };
const struct table za_fido2_plugin = { "0.0.0/fido2-0", sizeof(struct table), { 0 } };
C
${CC:-cc} -shared -fPIC -o "$work/other.so" "$work/other.c" ||
    za_fail "cannot compile the stand-in plug-in"
plugin_refused otherbuild "$work/other.so" 'not a FIDO2 plug-in of this build'
za_ok "a missing, group-writable, foreign or other-build plug-in is refused and logged; the code still works"

# A rule that needs the key: denied, with a message the user can act on.
za_pz_service keyonly "$(za_pz_conf keyonly "$lock
[rule key-only]
match = any
classes = 2
methods = password,fido2")" "fido2.plugin=$work/no-such-plugin.so"
login keyonly keyonly PAM_AUTH_ERR "a key-only rule admitted a login without the plug-in" \
    -a "$ZA_PZ_PW"
za_pz_expect "key-only: message" \
    '^error: Security keys cannot be used on this terminal now\. Contact the ID administrator\.$' \
    "$work/keyonly"
za_pz_expect "key-only: reason logged" \
    'fido2: user=tanaka .*result=failure reason=FIDO2 plug-in not loaded' "$work/keyonly"
za_ok "a rule that needs a key denies when the plug-in cannot be loaded, and says so"

za_pz_done "pam_plugin"
