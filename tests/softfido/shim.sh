#!/bin/sh
# Prove that libsoftfido_shim.so, preloaded, gives an unmodified libfido2
# program the software authenticator: sfclient (enrolment and login in
# separate processes), under ASan when ZA_SANITIZERS=yes, under valgrind
# otherwise; and, when the Debian packages are there, pam_u2f.so driven by
# pamtester under pam_wrapper.
#
# Needs top_builddir (make check sets it).  SOFTFIDO_SHIM and SFCLIENT may
# point elsewhere for a build outside automake.
set -u
: "${top_builddir:?}"

shim=${SOFTFIDO_SHIM:-$top_builddir/tests/softfido/.libs/libsoftfido_shim.so}
client=${SFCLIENT:-$top_builddir/tests/softfido/sfclient}
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }

if [ ! -f "$shim" ] || [ ! -x "$client" ]; then
	echo "FAIL: $shim or $client not built"
	echo "0 passed, 1 failed"
	exit 1
fi

# A sanitizer build needs the ASan runtime first in LD_PRELOAD (FACTS.md);
# tell it by ZA_SANITIZERS or by the shim's own dependency on libasan.
asan=
if [ "${ZA_SANITIZERS:-no}" = yes ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
elif command -v readelf >/dev/null; then
	asan=$(readelf -d "$shim" 2>/dev/null |
	    sed -n 's/.*NEEDED.*\[\(libasan\.so[^]]*\)\].*/\1/p' | head -n 1)
fi
preload=$shim
if [ -n "$asan" ]; then
	preload="$asan $shim"
	UID_WRAPPER_DISABLE_DEEPBIND=1
	export UID_WRAPPER_DISABLE_DEEPBIND
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/softfido-shim.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

unset SOFTFIDO_ABSENT SOFTFIDO_TOUCH SOFTFIDO_UV SOFTFIDO_PIN SOFTFIDO_ATTEST \
    SOFTFIDO_COUNTER SOFTFIDO_FINGER SOFTFIDO_AAGUID SOFTFIDO_VERSION \
    SOFTFIDO_PIN_PROTOCOLS SOFTFIDO_TOUCH_TIMEOUT_MS
SOFTFIDO_STATE=$tmp/state
SOFTFIDO_CA_DIR=$tmp
export SOFTFIDO_STATE SOFTFIDO_CA_DIR

# sfclient ARGS...: run the client (the shim preloaded into it alone).
sfc() {
	LD_PRELOAD="$preload" "$client" "$@" 2>>"$tmp/stderr"
}

# expect NAME PATTERN OUTPUT: PASS if OUTPUT has a line matching PATTERN.
expect() {
	if printf '%s\n' "$3" | grep -qx "$2"; then
		ok "$1"
	else
		bad "$1 (wanted '$2', got: $(printf '%s' "$3" | tr '\n' ' '))"
	fi
}

out=$(sfc list)
expect "manifest lists the soft device" "path softfido" "$out"
out=$(SOFTFIDO_ABSENT=1 sfc list)
expect "SOFTFIDO_ABSENT empties the manifest" "devices 0" "$out"

out=$(sfc enroll "$tmp/cred")
expect "enrolment with self attestation" \
    "attestation self FIDO_ERR_SUCCESS" "$out"
out=$(sfc login "$tmp/cred")
expect "login in a second process" "counter 1" "$out"
out=$(sfc login "$tmp/cred")
expect "counter moves on in a third process" "counter 2" "$out"
out=$(sfc login-info "$tmp/cred")
expect "fido_dev_open_with_info path" "counter 3" "$out"
out=$(SOFTFIDO_COUNTER=regress sfc login "$tmp/cred")
expect "a cloned key signs a lower counter" "counter 2" "$out"
out=$(SOFTFIDO_TOUCH=deny sfc login "$tmp/cred")
expect "user refuses to touch" "error FIDO_ERR_OPERATION_DENIED" "$out"
out=$(SOFTFIDO_ABSENT=1 sfc login "$tmp/cred")
expect "no device, no login" "error FIDO_ERR_NOTFOUND" "$out"
out=$(SOFTFIDO_UV=builtin sfc login "$tmp/cred" - uv)
expect "built-in UV sets the UV flag" "flags 05" "$out"

out=$(SOFTFIDO_ATTEST=ca sfc enroll "$tmp/cred2")
expect "enrolment with full attestation" \
    "attestation full FIDO_ERR_SUCCESS" "$out"

SOFTFIDO_STATE=$tmp/pinstate
out=$(SOFTFIDO_PIN=482916 sfc enroll "$tmp/cred3" 482916)
expect "enrolment with a PIN" "enrolled 32-byte credential" "$out"
out=$(sfc login "$tmp/cred3" 482916)
expect "login with the PIN sets the UV flag" "flags 05" "$out"
out=$(sfc login "$tmp/cred3" 111111)
expect "a wrong PIN is refused" "error FIDO_ERR_PIN_INVALID" "$out"
SOFTFIDO_STATE=$tmp/state

if [ -z "$asan" ] && command -v valgrind >/dev/null; then
	if LD_PRELOAD="$shim" valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    "$client" login "$tmp/cred" >"$tmp/vg.out" 2>"$tmp/vg.err" &&
	    grep -q '^verified$' "$tmp/vg.out"; then
		ok "login under valgrind"
	else
		bad "login under valgrind: $(cat "$tmp/vg.err")"
	fi
else
	skipped "valgrind (sanitizer build, or valgrind not installed)"
fi

# An unmodified PAM module: pam_u2f under pam_wrapper, enrolled by pamu2fcfg.
pamdir=$(${CC:-cc} -print-multiarch 2>/dev/null)
u2f=/lib/$pamdir/security/pam_u2f.so
wrapper=
for d in /usr/lib/$pamdir /usr/lib64 /usr/lib; do
	[ -f "$d/libpam_wrapper.so" ] && { wrapper=$d/libpam_wrapper.so; break; }
done
if [ -f "$u2f" ] && [ -n "$wrapper" ] && command -v pamtester >/dev/null &&
    command -v pamu2fcfg >/dev/null; then
	SOFTFIDO_STATE=$tmp/u2fstate
	# pam_u2f reads the authfile as the user logging in: log in as the
	# user running the test, who owns it (root or not).
	u2fuser=$(id -un)
	mkdir "$tmp/pam.d"
	# pam-u2f 1.1 wants an x5c; it leaks the device handle (ASan, off).
	if SOFTFIDO_ATTEST=ca ASAN_OPTIONS=detect_leaks=0 \
	    LD_PRELOAD="$preload" pamu2fcfg -u "$u2fuser" -o pam://zoneauth \
	    -i pam://zoneauth >"$tmp/u2f_keys" 2>>"$tmp/stderr"; then
		ok "pamu2fcfg enrols through the shim"
	else
		bad "pamu2fcfg enrols through the shim"
	fi
	printf 'auth required %s authfile=%s origin=pam://zoneauth appid=pam://zoneauth\naccount required pam_permit.so\n' \
	    "$u2f" "$tmp/u2f_keys" >"$tmp/pam.d/u2f"
	printf 'auth required pam_deny.so\naccount required pam_deny.so\n' \
	    >"$tmp/pam.d/other"
	if LD_PRELOAD="$preload $wrapper" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
	    pamtester u2f "$u2fuser" authenticate >>"$tmp/stderr" 2>&1; then
		ok "pam_u2f authenticates under pam_wrapper"
	else
		bad "pam_u2f authenticates under pam_wrapper"
	fi
	if SOFTFIDO_TOUCH=deny LD_PRELOAD="$preload $wrapper" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" \
	    pamtester u2f "$u2fuser" authenticate >>"$tmp/stderr" 2>&1; then
		bad "pam_u2f refuses when the user does not touch"
	else
		ok "pam_u2f refuses when the user does not touch"
	fi
	SOFTFIDO_STATE=$tmp/state
else
	skipped "pam_u2f end to end (needs libpam-u2f, pamu2fcfg, pamtester, libpam-wrapper)"
fi

if [ "$fail" -gt 0 ] && [ -s "$tmp/stderr" ]; then
	echo "--- stderr of the failing programs:"
	cat "$tmp/stderr"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
