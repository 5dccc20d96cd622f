#!/bin/sh
# pam_zoneauth.so must export only the pam_sm_* entry points (so its helpers
# never clash with the host process) and must dlopen with all symbols
# resolved (RTLD_NOW), as libpam loads it.  It must not link the FIDO2 and
# crypto libraries (the FIDO2 plug-in brings those when a key may be used),
# nor idmgr's; the plug-in exports only its table and dlopens the same way.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
so="$top_builddir/.libs/pam_zoneauth.so"
plugin="$top_builddir/.libs/fido2.so"
[ -f "$so" ] || { echo "FAIL: $so not built"; exit 1; }
[ -f "$plugin" ] || { echo "FAIL: $plugin not built"; exit 1; }

needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}
needs=$(needed "$so")
echo "$needs" | grep -q '^libldap' ||
    { echo "FAIL: no NEEDED list read from $so: $needs"; exit 1; }
bad=$(echo "$needs" | grep -E '^lib(fido2|crypto|ssl|cbor|udev|json-c|qrencode)\.' || true)
if [ -n "$bad" ]; then
	echo "FAIL: pam_zoneauth.so links what a login without a key does not need:"
	echo "$bad"
	exit 1
fi
echo "PASS: pam_zoneauth.so links only: $(echo $needs)"
needed "$plugin" | grep -q '^libfido2\.' ||
    { echo "FAIL: the FIDO2 plug-in does not link libfido2"; exit 1; }
pexported=$(nm -D --defined-only "$plugin" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }')
if [ "$pexported" != za_fido2_plugin ]; then
	printf 'FAIL: the FIDO2 plug-in exports:\n%s\n' "$pexported"
	exit 1
fi
echo "PASS: the FIDO2 plug-in exports only za_fido2_plugin"

exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
expected=$(sort "$top_srcdir/pam_module/pam_zoneauth.sym")
if [ "$exported" != "$expected" ]; then
	echo "FAIL: exported symbols differ from pam_zoneauth.sym:"
	printf 'exported:\n%s\nexpected:\n%s\n' "$exported" "$expected"
	exit 1
fi
echo "PASS: exports exactly: $(echo $exported)"

# dlopen with RTLD_NOW through a tiny program compiled here.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/dl.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) { fprintf(stderr, "%s\n", dlerror()); return 1; }
	for (int i = 2; i < argc; i++)
		if (dlsym(h, argv[i]) == NULL) { fprintf(stderr, "missing %s\n", argv[i]); return 1; }
	if (dlsym(h, "za_config_load") != NULL) { fprintf(stderr, "internal symbol visible\n"); return 1; }
	return dlclose(h);
}
C
${CC:-cc} -o "$tmp/dl" "$tmp/dl.c" -ldl
# Under sanitizers the module needs the ASan runtime loaded first.
if [ "${ZA_SANITIZERS:-no}" = yes ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
	LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0 "$tmp/dl" "$so" $expected
	LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0 "$tmp/dl" "$plugin" \
	    za_fido2_plugin
else
	"$tmp/dl" "$so" $expected
	"$tmp/dl" "$plugin" za_fido2_plugin
fi
echo "PASS: dlopen RTLD_NOW and dlsym of each entry point, module and plug-in"
