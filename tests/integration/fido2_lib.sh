#!/bin/sh
# The FIDO2 library (lib/fido2*.c, lib/u2f_import.c) against credentials
# made by an unmodified pam_u2f tool: pamu2fcfg, with the softfido shim
# preloaded, enrols three users (touch; built-in UV; no presence flag)
# into an authfile; test_fido2's cross-check imports that file with
# za_u2f_import_parse() and logs each user in with za_fido2_authenticate()
# on the same soft key.  In a plain build the whole of test_fido2 then
# runs under valgrind as well.
#
# Needs top_srcdir and top_builddir (make check sets them).  SOFTFIDO_SHIM
# and ZA_TEST_FIDO2 may point elsewhere for a build outside automake.
set -eu
. "$top_srcdir/tests/integration/common.sh"
: "${top_builddir:?}"

shim=${SOFTFIDO_SHIM:-$top_builddir/tests/softfido/.libs/libsoftfido_shim.so}
prog=${ZA_TEST_FIDO2:-$top_builddir/tests/unit/test_fido2}
[ -f "$shim" ] || za_fail "$shim not built"
[ -x "$prog" ] || za_fail "$prog not built"
command -v pamu2fcfg >/dev/null 2>&1 ||
	za_skip "pamu2fcfg not installed (Debian package pamu2fcfg)"

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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/za-fido2-lib.XXXXXX")
za_atexit 'rm -rf "$tmp"'
unset SOFTFIDO_ABSENT SOFTFIDO_TOUCH SOFTFIDO_UV SOFTFIDO_PIN SOFTFIDO_ATTEST \
    SOFTFIDO_COUNTER SOFTFIDO_FINGER SOFTFIDO_AAGUID SOFTFIDO_VERSION \
    SOFTFIDO_PIN_PROTOCOLS SOFTFIDO_TOUCH_TIMEOUT_MS FIDO_DEBUG
SOFTFIDO_STATE=$tmp/state
SOFTFIDO_CA_DIR=$tmp
export SOFTFIDO_STATE SOFTFIDO_CA_DIR

# enrol ARGS...: one authfile line from pamu2fcfg (1.1 wants an x5c; it
# leaks its device handle, so LeakSanitizer is off for it).
enrol() {
	SOFTFIDO_ATTEST=ca ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD="$preload" \
	    pamu2fcfg -o pam://zoneauth -i pam://zoneauth "$@" \
	    2>>"$tmp/stderr"
}

keys=$tmp/u2f_keys
line=$(enrol -u alice) || za_fail "pamu2fcfg -u alice: $(cat "$tmp/stderr")"
printf '%s\n' "$line" >"$keys"
line=$(SOFTFIDO_UV=builtin enrol -u bob -V) ||
	za_fail "pamu2fcfg -u bob -V: $(cat "$tmp/stderr")"
printf '%s\n' "$line" >>"$keys"
line=$(enrol -u carol -P) || za_fail "pamu2fcfg -u carol -P: $(cat "$tmp/stderr")"
printf '%s\n' "$line" >>"$keys"
[ "$(wc -l <"$keys")" -eq 3 ] || za_fail "authfile: $(cat "$keys")"
grep -q '^bob:.*,es256,+presence+verification$' "$keys" ||
	za_fail "bob's line lacks +verification: $(cat "$keys")"
za_ok "pamu2fcfg enrolled three users through the shim"

out=$(ZA_TEST_FILTER=test_u2f_pamu2fcfg ZA_TEST_U2F_AUTHFILE=$keys \
    ZA_TEST_U2F_STATE=$SOFTFIDO_STATE "$prog" 2>&1) ||
	za_fail "cross-check: $out"
printf '%s\n' "$out" | grep -q '^\[       OK \] test_u2f_pamu2fcfg$' ||
	za_fail "cross-check did not run: $out"
za_ok "pamu2fcfg's lines import and sign in with za_fido2_authenticate"

if [ -z "$asan" ] && command -v valgrind >/dev/null 2>&1; then
	if ZA_TEST_U2F_AUTHFILE=$keys ZA_TEST_U2F_STATE=$SOFTFIDO_STATE \
	    valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect "$prog" \
	    >"$tmp/vg.out" 2>"$tmp/vg.err"; then
		za_ok "test_fido2 under valgrind"
	else
		za_fail "test_fido2 under valgrind: $(cat "$tmp/vg.err" \
		    "$tmp/vg.out")"
	fi
else
	echo "note: valgrind run skipped (sanitizer build or no valgrind)"
fi
