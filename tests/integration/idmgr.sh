#!/bin/sh
# idmgr's command line: help, version, usage errors and `config check`
# against the sandbox directory (text and --json), with exit statuses.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
za_im_start

"$idmgr" help | grep -q 'usage: idmgr' || za_fail "help prints usage"
"$idmgr" version | grep -q "^idmgr (zoneauth) " || za_fail "version"
"$idmgr" --json version | jq -e '.program == "idmgr" and (.version | length > 0)' \
    >/dev/null || za_fail "version --json"
za_ok "help and version"

# Every command: listed by "help", described by "help NOUN VERB" and by
# its own --help, and documented in the man page.
cmds=$("$idmgr" --json help | jq -r '.commands[] | .noun + " " + .verb')
[ "$(printf '%s\n' "$cmds" | wc -l)" -ge 14 ] || za_fail "help lists the commands: $cmds"
man="$top_srcdir/docs/idmgr.8"
printf '%s\n' "$cmds" | while read -r noun verb; do
	"$idmgr" help | grep -q "^  $noun $verb " || za_fail "help lacks $noun $verb"
	"$idmgr" help "$noun" "$verb" | grep -q "^usage: idmgr $noun $verb" ||
	    za_fail "help $noun $verb"
	"$idmgr" "$noun" "$verb" --help | grep -q "^usage: idmgr $noun $verb" ||
	    za_fail "$noun $verb --help"
	"$idmgr" help "$noun" | grep -q "idmgr $noun $verb" || za_fail "help $noun"
	grep -Eq "Cm $noun $verb( |\$)" "$man" || za_fail "idmgr.8 lacks $noun $verb"
done
for c in "user add" "user show" "user list" "user modify" "user disable" \
    "user enable" "user unlock" "user delete" "token totp-enroll" \
    "token hotp-enroll" "token list" "token revoke" "audit verify" \
    "config check"; do
	printf '%s\n' "$cmds" | grep -qx "$c" || za_fail "help lacks $c"
done
"$idmgr" --json help user add | jq -e '.commands[0].help | test("--employee-number")' \
    >/dev/null || za_fail "help --json of one command"
za_ok "help and the man page describe every command"

set +e
"$idmgr" frobnicate >/dev/null 2>&1; st=$?
set -e
[ "$st" -eq 2 ] || za_fail "unknown command exits 2 (got $st)"
for args in "user" "user frob" "help user frob" "-c" "--bogus user list" \
    "user list extra" "version extra"; do
	set +e
	# shellcheck disable=SC2086
	json=$("$idmgr" --json $args 2>/dev/null); st=$?
	set -e
	[ "$st" -eq 2 ] || za_fail "'$args' exits 2 (got $st)"
	printf '%s' "$json" | jq -e '.exit_status == 2 and .code == "usage" and
	    (.error | length > 0)' >/dev/null || za_fail "'$args' json: $json"
done
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
