#!/bin/sh
# End to end: enrol a TOTP token with idmgr, take the secret from the
# otpauth:// URI it prints, compute the current code with oathtool (as an
# authenticator app would), and log in through pam_zoneauth (real libpam
# under pam_wrapper) with the user's password and that code.  Then the
# same code is refused a second time, and a token revoked with idmgr no
# longer lets anyone in.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
command -v oathtool >/dev/null || za_skip "oathtool not installed (apt-get install oathtool)"

pamrun="$top_builddir/tests/integration/pamrun"
[ -x "$pamrun" ] || za_skip "tests/integration/pamrun not built (libpamtest missing)"
[ -f "$ZA_PAM_MODULE" ] || za_fail "$ZA_PAM_MODULE not built"
za_im_start --sample
za_pam_init
pw=Reishi-Demo-2026	# tanaka's password in the sample directory

# The sample's demo token would also accept codes: revoke it first, so
# only the token enrolled here can let tanaka in.
"$idmgr" -c "$conf" token revoke tanaka demo-totp-1 --reason "e2e test" \
    >/dev/null || za_fail "revoking the demo token"
json=$("$idmgr" -c "$conf" --json token totp-enroll tanaka -l "e2e") ||
    za_fail "totp-enroll: $json"
uri=$(printf '%s' "$json" | jq -r .uri)
case $uri in
otpauth://totp/*:tanaka\?*) ;;
*) za_fail "not a TOTP key URI for tanaka: $uri" ;;
esac
secret=$(uri_param "$uri" secret)
digits=$(uri_param "$uri" digits)
period=$(uri_param "$uri" period)
alg=$(uri_param "$uri" algorithm)
[ -n "$secret" ] && [ "$digits" = 6 ] && [ "$period" = 30 ] &&
    [ "$alg" = SHA1 ] || za_fail "URI parameters: $uri"
za_ok "enrolled $(printf '%s' "$json" | jq -r .token.id); URI parsed"

# Keep clear of the end of a time step so the code is still current
# when the module checks it.
s=$(( $(date +%s) % period ))
if [ "$s" -ge $((period - 5)) ]; then
	sleep $((period - s + 1))
fi
code=$(oathtool --totp -d "$digits" -s "${period}s" -b "$secret")
printf '%s' "$code" | grep -Eq "^[0-9]{$digits}\$" || za_fail "oathtool: $code"

mod="$ZA_PAM_MODULE"
za_pam_service e2e "auth required $mod conf=$conf"
set +e
out=$(za_pam_run e2e tanaka -p "$pw" -p "$code" auth=PAM_SUCCESS 2>&1)
st=$?
set -e
if [ "$st" -ne 0 ]; then
	printf '%s\n' "$out"
	za_fail "login with password and the code from the idmgr URI"
fi
za_ok "pam_zoneauth accepted password + the code computed from the URI"

set +e
out=$(za_pam_run e2e tanaka -p "$pw" -p "$code" auth=PAM_AUTH_ERR 2>&1)
st=$?
set -e
[ "$st" -eq 0 ] || { printf '%s\n' "$out"; za_fail "the same code twice"; }
za_ok "the same code is refused a second time"

# The revoked demo token's code (RFC 6238 test seed) does not work.
demo=$(oathtool --totp 3132333435363738393031323334353637383930)
set +e
out=$(za_pam_run e2e tanaka -p "$pw" -p "$demo" auth=PAM_AUTH_ERR 2>&1)
st=$?
set -e
[ "$st" -eq 0 ] || { printf '%s\n' "$out"; za_fail "a revoked token's code"; }
za_ok "a token revoked with idmgr is refused"
echo "PASS: idmgr_e2e"
