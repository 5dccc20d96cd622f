#!/bin/sh
# idmgr's command line: help, version, usage errors and `config check`
# against the sandbox directory (text and --json), with exit statuses.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
command -v jq >/dev/null || za_skip "jq not installed (apt-get install jq)"

idmgr="$top_builddir/idmgr/idmgr"
za_sandbox_start
conf="$ZA_SANDBOX/zoneauth.conf"

"$idmgr" help | grep -q 'usage: idmgr' || za_fail "help prints usage"
"$idmgr" version | grep -q "^idmgr (zoneauth) " || za_fail "version"
za_ok "help and version"

set +e
"$idmgr" frobnicate >/dev/null 2>&1; st=$?
set -e
[ "$st" -eq 2 ] || za_fail "unknown command exits 2 (got $st)"
za_ok "unknown command exits 2"

out=$("$idmgr" -c "$conf" config check)
echo "$out" | grep -q "directory: ldapi://" || za_fail "config check names the directory: $out"
za_ok "config check connects"

json=$("$idmgr" -c "$conf" --json config check)
[ "$(echo "$json" | jq -r .result)" = success ] || za_fail "json result: $json"
[ "$(echo "$json" | jq -r .zone)" = mynumber ] || za_fail "json zone: $json"
echo "$json" | jq -e '.connect_ms >= 0' >/dev/null || za_fail "json connect_ms"
za_ok "config check --json"

printf '[general]\nzone = nowhere\n' > "$ZA_SANDBOX/bad.conf"
chmod 0600 "$ZA_SANDBOX/bad.conf"
set +e
err=$("$idmgr" -c "$ZA_SANDBOX/bad.conf" config check 2>&1); st=$?
set -e
[ "$st" -eq 1 ] || za_fail "bad config exits 1 (got $st)"
echo "$err" | grep -q "bad.conf:2:" || za_fail "error names file and line: $err"
za_ok "bad configuration: exit 1, names file and line"

sed 's|^uri = .*|uri = ldap://127.0.0.1:1/|; s|^bind = .*|bind = anonymous|' \
    "$conf" > "$ZA_SANDBOX/down.conf"
chmod 0600 "$ZA_SANDBOX/down.conf"
set +e
"$idmgr" -c "$ZA_SANDBOX/down.conf" config check >/dev/null 2>&1; st=$?
set -e
[ "$st" -eq 1 ] || za_fail "unreachable directory exits 1 (got $st)"
za_ok "unreachable directory: exit 1"
echo "PASS: idmgr"
