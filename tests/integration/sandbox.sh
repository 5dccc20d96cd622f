#!/bin/sh
# contrib/slapd-sandbox and the zoneauth schema against a real slapd:
# start/stop/status, env and zoneauth.conf, schema (both forms), the
# ppolicy/otp/lastbind overlays by their effects, token entries, ACLs,
# limits, loopback-only listening, the sample municipality with Japanese
# names, concurrent sandboxes, port retry, and (as root) running as nobody.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
export LC_ALL=C
PATH="$PATH:/usr/sbin:/sbin"

tool="$top_srcdir/contrib/slapd-sandbox"
schema="$top_srcdir/contrib/ldap/zoneauth.schema"
schema_ldif="$top_srcdir/contrib/ldap/zoneauth.ldif"
header="$top_srcdir/lib/za_schema.h"
sample_dir="$top_srcdir/contrib/sample"
t0=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/zsbt.XXXXXX")
za_atexit 'rm -rf -- "$work"'

# ext ARGS: ldapsearch/ldapmodify-style tool over ldapi as the admin.
ext() {
	_t=$1
	shift
	"$_t" -Q -Y EXTERNAL -H "$LDAPI_URI" "$@"
}
# as DN PWFILE TOOL ARGS: a tool with a simple bind over ldap://.
as() {
	_dn=$1 _pw=$2 _t=$3
	shift 3
	"$_t" -x -H "$LDAP_URI" -D "$_dn" -y "$_pw" "$@"
}
# search output without line folding
srch() {
	ext ldapsearch -LLL -o ldif-wrap=no "$@"
}
# proc_gone PID: no such process, or a zombie (FACTS.md).
proc_gone() {
	[ ! -r "/proc/$1/stat" ] && return 0
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$_st" ] || [ "$_st" = Z ] || [ "$_st" = X ]
}
# ldap_rc CMD...: run CMD, print its exit status (LDAP result code).
ldap_rc() {
	if "$@" >"$work/out" 2>&1; then echo 0; else echo $?; fi
}
pwfile() {	# pwfile NAME PASSWORD: a password file (no newline)
	printf '%s' "$2" > "$work/$1.pw"
	chmod 0600 "$work/$1.pw"
	printf '%s' "$work/$1.pw"
}

# ---------------------------------------------------------------- start
za_sandbox_start
za_ok "sandbox started in $ZA_SANDBOX (pid $SLAPD_PID, $LDAP_URI)"

# env: every key, non-empty, readable by a plain sh in a clean environment
missing=$(env -i /bin/sh -c '. "$1"; for k in LDAP_URI LDAPI_URI LDAP_PORT \
    BASE_DN ADMIN_DN ADMIN_PW ADMIN_PW_FILE SERVICE_DN SERVICE_PW_FILE \
    SLAPD_PID SANDBOX_DIR ZONEAUTH_CONF; do eval "v=\${$k:-}"; \
    [ -n "$v" ] || printf "%s " "$k"; done' sh "$ZA_SANDBOX/env")
[ -z "$missing" ] || za_fail "env lacks: $missing"
[ "$SANDBOX_DIR" = "$ZA_SANDBOX" ] || za_fail "SANDBOX_DIR=$SANDBOX_DIR"
[ "$BASE_DN" = "dc=example,dc=lg,dc=jp" ] || za_fail "BASE_DN=$BASE_DN"
[ "$ADMIN_DN" = "cn=admin,$BASE_DN" ] || za_fail "ADMIN_DN=$ADMIN_DN"
[ "$SERVICE_DN" = "cn=zoneauth,ou=services,$BASE_DN" ] || za_fail "SERVICE_DN=$SERVICE_DN"
[ "$LDAP_URI" = "ldap://127.0.0.1:$LDAP_PORT/" ] || za_fail "LDAP_URI=$LDAP_URI"
[ "$LDAP_PORT" -ge 20000 ] && [ "$LDAP_PORT" -le 60999 ] ||
    za_fail "port $LDAP_PORT outside 20000-60999"
case $LDAPI_URI in
ldapi://%2F*) ;;
*) za_fail "LDAPI_URI=$LDAPI_URI is not an encoded absolute path" ;;
esac
[ "$(cat "$ADMIN_PW_FILE")" = "$ADMIN_PW" ] || za_fail "ADMIN_PW differs from admin.pw"
[ "${#ADMIN_PW}" -ge 16 ] || za_fail "admin password too short"
for f in env zoneauth.conf admin.pw service.pw; do
	m=$(stat -c %a "$ZA_SANDBOX/$f")
	[ "$m" = 600 ] || za_fail "$f has mode $m, not 600"
done
za_ok "env has every key; env, zoneauth.conf, admin.pw, service.pw are 0600"

printf '# zoneauth configuration for the slapd sandbox in %s\n[general]\nzone = mynumber\n[directory]\nuri = %s\nbase = %s\nbind = sasl-external\n[audit]\nlog = %s/audit.log\n' \
    "$ZA_SANDBOX" "$LDAPI_URI" "$BASE_DN" "$ZA_SANDBOX" > "$work/expected.conf"
cmp -s "$work/expected.conf" "$ZONEAUTH_CONF" || {
	diff "$work/expected.conf" "$ZONEAUTH_CONF" || true
	za_fail "zoneauth.conf differs from the documented format"
}
za_ok "zoneauth.conf: zone mynumber, ldapi uri, base, sasl-external, audit log"

# ---------------------------------------------------------------- access
who=$(ext ldapwhoami) || za_fail "SASL EXTERNAL over ldapi failed"
[ "$who" = "dn:$ADMIN_DN" ] || za_fail "ldapi EXTERNAL is '$who', not the admin"
srch -b "$BASE_DN" -s base dn | grep -q "^dn: $BASE_DN\$" ||
    za_fail "ldapi search of the base failed"
who=$(as "$ADMIN_DN" "$ADMIN_PW_FILE" ldapwhoami) ||
    za_fail "simple bind as admin over ldap:// failed"
[ "$who" = "dn:$ADMIN_DN" ] || za_fail "ldap:// admin bind is '$who'"
ldapsearch -LLL -x -H "$LDAP_URI" -D "$ADMIN_DN" -w "$ADMIN_PW" -b "$BASE_DN" \
    -s base dn >/dev/null || za_fail "ldap:// search with ADMIN_PW failed"
rc=$(ldap_rc ldapwhoami -x -H "$LDAP_URI" -D "$ADMIN_DN" -w "not-$ADMIN_PW")
[ "$rc" = 49 ] || za_fail "wrong admin password gave $rc, not 49"
who=$(as "$SERVICE_DN" "$SERVICE_PW_FILE" ldapwhoami) ||
    za_fail "service account bind failed"
za_ok "admin via ldapi EXTERNAL and via ldap:// simple bind; service bind"

for ou in people groups services policies otp-params; do
	srch -b "ou=$ou,$BASE_DN" -s base dn >/dev/null ||
	    za_fail "ou=$ou missing"
done
srch -b "cn=default,ou=policies,$BASE_DN" -s base > "$work/policy" ||
    za_fail "default policy missing"
for kv in 'pwdAttribute: userPassword' 'pwdMaxFailure: 5' 'pwdLockout: TRUE' \
    'pwdLockoutDuration: 900' 'pwdMustChange: TRUE' 'pwdAllowUserChange: TRUE' \
    'pwdMinLength: 8' 'pwdInHistory: 5' 'pwdGraceAuthNLimit: 3' \
    'pwdFailureCountInterval: 900'; do
	grep -qx "$kv" "$work/policy" || za_fail "default policy lacks '$kv'"
done
srch -b "cn=totp-sha1-6-30,ou=otp-params,$BASE_DN" -s base > "$work/params" ||
    za_fail "totp-sha1-6-30 missing"
for kv in 'oathOTPLength: 6' 'oathHMACAlgorithm: 1.2.840.113549.2.7' \
    'oathTOTPTimeStepPeriod: 30' 'oathTOTPTimeStepWindow: 1'; do
	grep -qx "$kv" "$work/params" || za_fail "totp-sha1-6-30 lacks '$kv'"
done
n=$(srch -b "ou=otp-params,$BASE_DN" -s one '(|(objectClass=oathTOTPParams)(objectClass=oathHOTPParams))' dn | grep -c '^dn:')
[ "$n" -ge 4 ] || za_fail "only $n OTP parameter entries"
za_ok "base entries, default password policy, $n OTP parameter entries"

# ---------------------------------------------------------------- schema
# Every ZA_OC_* / ZA_AT_* name of lib/za_schema.h is in cn=Subschema.
srch -b cn=Subschema -s base objectClasses attributeTypes > "$work/subschema"
names=$(sed -n 's/^#define ZA_\(OC\|AT\)_[A-Z0-9_]*[[:space:]]*"\([A-Za-z0-9]*\)".*/\1 \2/p' "$header")
[ -n "$names" ] || za_fail "no names parsed from $header"
count=0
echo "$names" > "$work/names"
while read -r kind name; do
	if [ "$kind" = OC ]; then
		grep -q "^objectClasses: ( [0-9.]* NAME '$name'" "$work/subschema" ||
		    za_fail "object class $name not in the schema"
	else
		grep -q "^attributeTypes: ( [0-9.]* NAME \\(( \\)\\{0,1\\}'$name'" "$work/subschema" ||
		    za_fail "attribute type $name not in the schema"
	fi
	count=$((count + 1))
done < "$work/names"
grep -q "NAME 'zoneauthAccount' .*AUXILIARY" "$work/subschema" || za_fail "zoneauthAccount not AUXILIARY"
grep -q "NAME 'zoneauthToken' .*STRUCTURAL MUST ( zaTokenId \\$ zaTokenKind )" "$work/subschema" ||
    za_fail "zoneauthToken not STRUCTURAL MUST (zaTokenId $ zaTokenKind)"
grep -q "NAME 'zoneauthFido2Credential' .*AUXILIARY MUST ( zaFido2CredentialId \\$ zaFido2PublicKey \\$ zaFido2Algorithm )" \
    "$work/subschema" || za_fail "zoneauthFido2Credential MUST list"
grep -q "NAME 'zoneauthPrivileged' .*AUXILIARY" "$work/subschema" || za_fail "zoneauthPrivileged not AUXILIARY"
grep -q "^attributeTypes: ( 2\\.25\\.122520794348853658907694287908088157442\\.1\\.[0-9]* NAME 'zaAuthFailure'" \
    "$work/subschema" || za_fail "zaAuthFailure not under the OID arc"
grep "NAME 'zaAuthFailure'" "$work/subschema" | grep -q SINGLE-VALUE &&
    za_fail "zaAuthFailure must be multi-valued"
grep "NAME 'zaPrivEscrowHistory'" "$work/subschema" | grep -q SINGLE-VALUE &&
    za_fail "zaPrivEscrowHistory must be multi-valued"
za_ok "all $count zoneauth/oath names of za_schema.h are in cn=Subschema"

# The .schema and .ldif forms hold the same definitions, and both load.
norm_schema() {
	awk '/^[ \t]*#/ || /^[ \t]*$/ { next }
	    /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
	    { if (line != "") print line; line = $0 }
	    END { if (line != "") print line }' "$1" |
	sed -e 's/^objectIdentifier[ \t]*/oid /' -e 's/^attributetype[ \t]*/at /' \
	    -e 's/^objectclass[ \t]*/oc /' -e 's/[ \t][ \t]*/ /g' -e 's/ $//'
}
norm_ldif() {
	awk '/^#/ { next } /^ / { line = line substr($0, 2); next }
	    { if (line != "") print line; line = $0 }
	    END { if (line != "") print line }' "$1" |
	sed -n -e 's/^olcObjectIdentifier: *\({[0-9]*}\)\{0,1\}/oid /p' \
	    -e 's/^olcAttributeTypes: *\({[0-9]*}\)\{0,1\}/at /p' \
	    -e 's/^olcObjectClasses: *\({[0-9]*}\)\{0,1\}/oc /p' |
	sed -e 's/[ \t][ \t]*/ /g' -e 's/ $//'
}
norm_schema "$schema" > "$work/schema.norm"
norm_ldif "$schema_ldif" > "$work/ldif.norm"
[ "$(grep -c '^at ' "$work/schema.norm")" -ge 40 ] || za_fail "few attribute types parsed from $schema"
if ! cmp -s "$work/schema.norm" "$work/ldif.norm"; then
	diff "$work/schema.norm" "$work/ldif.norm" || true
	za_fail "zoneauth.schema and zoneauth.ldif define different things"
fi
cat > "$work/slaptest.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $schema
EOF
slaptest -u -f "$work/slaptest.conf" > "$work/slaptest.out" 2>&1 || {
	cat "$work/slaptest.out"
	za_fail "slaptest rejects zoneauth.schema"
}
za_ok "zoneauth.schema and zoneauth.ldif agree; .schema passes slaptest, .ldif is loaded"

# ---------------------------------------------------------------- overlays
srch -b cn=config '(objectClass=olcOverlayConfig)' olcOverlay > "$work/overlays"
for o in otp ppolicy lastbind; do
	grep -q "^olcOverlay: {[0-9]*}$o\$" "$work/overlays" ||
	    za_fail "overlay $o not configured"
done
za_ok "cn=config shows the otp, ppolicy and lastbind overlays"

people="ou=people,$BASE_DN"
add_user() {	# add_user UID PASSWORD
	ext ldapadd > "$work/out" 2>&1 <<EOF || { cat "$work/out"; za_fail "adding user $1"; }
dn: uid=$1,$people
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: zoneauthAccount
uid: $1
cn: $1
sn: $1
uidNumber: $2
gidNumber: 10000
homeDirectory: /home/$1
userPassword: $3
zaAccountStatus: active
zaEmploymentType: staff
EOF
}
add_user ua 30001 'Ua-secret-1'
add_user ub 30002 'Ub-secret-1'
add_user uc 30003 'Uc-secret-1'
ua="uid=ua,$people" ub="uid=ub,$people" uc="uid=uc,$people"
ua_pw=$(pwfile ua 'Ua-secret-1')
ub_pw=$(pwfile ub 'Ub-secret-1')
uc_pw=$(pwfile uc 'Uc-secret-1')

# ppolicy_hash_cleartext: the cleartext password was stored hashed.
pw=$(srch -b "$ua" -s base userPassword | sed -n 's/^userPassword:: //p' | base64 -d)
case $pw in
'{SSHA}'*) ;;
*) za_fail "cleartext userPassword stored as '$pw', not {SSHA}" ;;
esac
# lastbind overlay (authTimestamp) and core lastbind (pwdLastSuccess)
as "$ua" "$ua_pw" ldapwhoami >/dev/null || za_fail "bind as ua failed"
srch -b "$ua" -s base authTimestamp pwdLastSuccess > "$work/out"
grep -q '^authTimestamp: [0-9]\{14\}Z$' "$work/out" || za_fail "no authTimestamp after bind (lastbind)"
grep -q '^pwdLastSuccess: [0-9]\{14\}Z$' "$work/out" || za_fail "no pwdLastSuccess after bind"
za_ok "ppolicy hashes cleartext ({SSHA}); lastbind records authTimestamp, pwdLastSuccess"

# ppolicy lockout: 5 wrong passwords lock ub; the right one is refused then.
for i in 1 2 3 4 5; do
	rc=$(ldap_rc ldapwhoami -x -H "$LDAP_URI" -D "$ub" -w "wrong-$i")
	[ "$rc" = 49 ] || za_fail "wrong password $i gave $rc"
done
srch -b "$ub" -s base pwdAccountLockedTime | grep -q '^pwdAccountLockedTime: ' ||
    za_fail "5 failures did not set pwdAccountLockedTime"
rc=$(ldap_rc as "$ub" "$ub_pw" ldapwhoami)
[ "$rc" = 49 ] || za_fail "locked account bound with its password (rc $rc)"
za_ok "ppolicy: 5 wrong binds lock the account (pwdAccountLockedTime), right password refused"

# The service account may unlock (delete pwdAccountLockedTime).
as "$SERVICE_DN" "$SERVICE_PW_FILE" ldapmodify > "$work/out" 2>&1 <<EOF || { cat "$work/out"; za_fail "service could not clear pwdAccountLockedTime"; }
dn: $ub
changetype: modify
delete: pwdAccountLockedTime
EOF
as "$ub" "$ub_pw" ldapwhoami >/dev/null || za_fail "unlocked account cannot bind"

# Admin-set password: pwdReset TRUE, and the user must change it first.
ext ldappasswd -s 'Reset-by-admin-1' "$uc" >/dev/null || za_fail "admin ldappasswd failed"
srch -b "$uc" -s base pwdReset | grep -qx 'pwdReset: TRUE' ||
    za_fail "admin-set password did not set pwdReset: TRUE"
uc_pw=$(pwfile uc 'Reset-by-admin-1')
ldapwhoami -x -H "$LDAP_URI" -D "$uc" -y "$uc_pw" -e ppolicy > "$work/out" 2>&1 || true
grep -qi 'must be changed\|change after reset\|changeAfterReset' "$work/out" || {
	cat "$work/out"
	za_fail "bind after reset did not ask for a password change"
}
# The user changes it (Password Modify with the old password), as a PAM
# module would; history forbids the old one.
rc=$(ldap_rc ldappasswd -x -H "$LDAP_URI" -D "$uc" -y "$uc_pw" -a 'Reset-by-admin-1' -s 'Reset-by-admin-1')
[ "$rc" != 0 ] || za_fail "password history allowed reusing the password"
ldappasswd -x -H "$LDAP_URI" -D "$uc" -y "$uc_pw" -a 'Reset-by-admin-1' -s 'Changed-by-user-1' \
    > "$work/out" 2>&1 || { cat "$work/out"; za_fail "user could not change own password"; }
srch -b "$uc" -s base pwdReset | grep -q 'pwdReset' && za_fail "pwdReset still set after change"
uc_pw=$(pwfile uc 'Changed-by-user-1')
as "$uc" "$uc_pw" ldapwhoami >/dev/null || za_fail "bind with the changed password failed"
rc=$(ldap_rc ldappasswd -x -H "$LDAP_URI" -D "$uc" -y "$uc_pw" -a 'Changed-by-user-1' -s 'short')
[ "$rc" != 0 ] || za_fail "ppolicy accepted a 5-character password"
za_ok "ppolicy: admin reset gives pwdReset TRUE; user changes it; history and length enforced"

# ---------------------------------------------------------------- tokens
# A FIDO2 credential (zoneauthToken + zoneauthFido2Credential), binary ids.
printf '\001\002\003\000\377\376credential-id' > "$work/credid"
printf '\060\131\060\023fake-der-public-key\000\001' > "$work/pubkey"
credid_b64=$(base64 -w0 "$work/credid")
ext ldapadd > "$work/out" 2>&1 <<EOF || { cat "$work/out"; za_fail "adding a FIDO2 token entry"; }
dn: zaTokenId=f1d0a2,$ua
objectClass: zoneauthToken
objectClass: zoneauthFido2Credential
zaTokenId: f1d0a2
zaTokenKind: fido2
zaTokenLabel: 鍵 1
zaTokenStatus: active
zaTokenCreatedTime: 20250401000000Z
zaFido2CredentialId:: $credid_b64
zaFido2PublicKey:: $(base64 -w0 "$work/pubkey")
zaFido2Algorithm: -7
zaFido2Aaguid: 00000000-0000-0000-0000-000000000000
zaFido2SignCount: 0
zaFido2UvKind: builtin
zaFido2RpId: zoneauth

dn: zaTokenId=t0tp01,$ua
objectClass: zoneauthToken
objectClass: oathTOTPToken
zaTokenId: t0tp01
zaTokenKind: totp
zaTokenStatus: active
oathSecret:: $(printf 12345678901234567890 | base64 -w0)
oathTOTPParams: cn=totp-sha1-6-30,ou=otp-params,$BASE_DN
EOF
# Found by its binary credential id (equality index), bytes round-trip.
filter=$(od -An -tx1 -v "$work/credid" | tr -d ' \n' | sed 's/\(..\)/\\\1/g')
got=$(srch -b "$people" "(zaFido2CredentialId=$filter)" zaFido2CredentialId |
    sed -n 's/^zaFido2CredentialId:: //p')
[ "$got" = "$credid_b64" ] || za_fail "search by credential id gave '$got'"
n=$(srch -b "$people" '(&(objectClass=zoneauthToken)(zaTokenId=t0tp01)(zaTokenKind=totp))' dn | grep -c '^dn:')
[ "$n" = 1 ] || za_fail "TOTP token entry not found by zaTokenId ($n)"
n=$(srch -b "$people" '(zaFido2Algorithm<=-7)' dn | grep -c '^dn:' || true)
[ "$n" = 1 ] || za_fail "integer ordering on zaFido2Algorithm ($n)"
# Schema checks bite: MUST attributes, SINGLE-VALUE, multi-valued failures.
rc=$(ldap_rc ext ldapadd <<EOF
dn: zaTokenId=bad1,$ua
objectClass: zoneauthToken
objectClass: zoneauthFido2Credential
zaTokenId: bad1
zaTokenKind: fido2
zaFido2CredentialId: x
zaFido2Algorithm: -7
EOF
)
[ "$rc" = 65 ] || za_fail "FIDO2 credential without public key gave $rc, not 65"
rc=$(ldap_rc ext ldapmodify <<EOF
dn: zaTokenId=f1d0a2,$ua
changetype: modify
add: zaTokenStatus
zaTokenStatus: revoked
EOF
)
[ "$rc" = 19 ] || [ "$rc" = 20 ] || [ "$rc" = 21 ] || za_fail "second zaTokenStatus gave $rc"
rc=$(ldap_rc ext ldapmodify <<EOF
dn: $ua
changetype: modify
replace: zaAccountExpiry
zaAccountExpiry: tomorrow
EOF
)
[ "$rc" = 21 ] || za_fail "non-GeneralizedTime zaAccountExpiry gave $rc, not 21"
za_ok "token entries: FIDO2 (binary id found by equality) and TOTP added; schema enforced"

# ---------------------------------------------------------------- ACLs
svc() { as "$SERVICE_DN" "$SERVICE_PW_FILE" "$@"; }
svc ldapmodify > "$work/out" 2>&1 <<EOF || { cat "$work/out"; za_fail "service could not write login records"; }
dn: $ua
changetype: modify
add: zaAuthFailure
zaAuthFailure: 20250401000000Z n1 term-01
-
add: zaAuthFailure
zaAuthFailure: 20250401000001Z n2 term-01
-
replace: zaLastMfaLoginTime
zaLastMfaLoginTime: 20250401000000Z
-
replace: zaLastMfaLoginTerminal
zaLastMfaLoginTerminal: 市民課-端末01
-
replace: zaLastLogoutTime
zaLastLogoutTime: 20250401010000Z
-
replace: zaLockedUntil
zaLockedUntil: 20250401001500Z

dn: zaTokenId=f1d0a2,$ua
changetype: modify
delete: zaFido2SignCount
zaFido2SignCount: 0
-
add: zaFido2SignCount
zaFido2SignCount: 5
-
replace: zaTokenLastUsedTime
zaTokenLastUsedTime: 20250401000000Z

dn: zaTokenId=t0tp01,$ua
changetype: modify
add: oathTOTPLastTimeStep
oathTOTPLastTimeStep: 100
EOF
n=$(srch -b "$ua" -s base zaAuthFailure | grep -c '^zaAuthFailure:')
[ "$n" = 2 ] || za_fail "zaAuthFailure holds $n values, not 2"
# Compare-and-swap: a second writer with the same old value loses.
cas() {
	svc ldapmodify <<EOF
dn: zaTokenId=t0tp01,$ua
changetype: modify
delete: oathTOTPLastTimeStep
oathTOTPLastTimeStep: 100
-
add: oathTOTPLastTimeStep
oathTOTPLastTimeStep: $1
EOF
}
rc=$(ldap_rc cas 101)
[ "$rc" = 0 ] || za_fail "first forward-only update failed ($rc)"
rc=$(ldap_rc cas 102)
[ "$rc" = 16 ] || za_fail "stale forward-only update gave $rc, not 16 (noSuchAttribute)"
for mod in "$ua:zaAccountStatus:disabled" "$ua:cn:x" "$ua:zaAccountExpiry:20300101000000Z" \
    "zaTokenId=t0tp01,$ua:oathSecret:x" "zaTokenId=f1d0a2,$ua:zaFido2PublicKey:x"; do
	dn=${mod%%:*} rest=${mod#*:}
	rc=$(ldap_rc svc ldapmodify <<EOF
dn: $dn
changetype: modify
replace: ${rest%%:*}
${rest%%:*}: ${rest#*:}
EOF
)
	[ "$rc" = 50 ] || za_fail "service writing ${rest%%:*} gave $rc, not 50"
done
svc ldapsearch -LLL -o ldif-wrap=no -b "$ua" -s sub '(objectClass=*)' '*' > "$work/out" ||
    za_fail "service cannot read the user and tokens"
grep -q '^zaTokenKind: fido2' "$work/out" && grep -q '^zaAccountStatus: active' "$work/out" ||
    za_fail "service does not see user/token attributes"
grep -q '^userPassword' "$work/out" && za_fail "service can read userPassword"
# Terminals verify OTP codes: the service account reads the seeds.
grep -q '^oathSecret::\{0,1\} ' "$work/out" || za_fail "service cannot read oathSecret"
za_ok "service account: writes login records and forward-only state (CAS), nothing else; reads OTP seeds, no passwords"

as "$ua" "$ua_pw" ldapsearch -LLL -o ldif-wrap=no -b "$ua" -s sub '(objectClass=*)' '*' > "$work/out" ||
    za_fail "user cannot read own entry"
grep -q '^uid: ua' "$work/out" && grep -q '^zaTokenId: f1d0a2' "$work/out" ||
    za_fail "user does not see own entry and tokens"
grep -q '^oathSecret\|^userPassword' "$work/out" && za_fail "user can read own secrets"
rc=$(ldap_rc as "$ua" "$ua_pw" ldapmodify <<EOF
dn: $ua
changetype: modify
replace: zaAccountStatus
zaAccountStatus: active
EOF
)
[ "$rc" = 50 ] || za_fail "user changing zaAccountStatus gave $rc, not 50"
rc=$(ldap_rc as "$ua" "$ua_pw" ldapmodify <<EOF
dn: $ua
changetype: modify
delete: zaAuthFailure
EOF
)
[ "$rc" = 50 ] || za_fail "user deleting zaAuthFailure gave $rc, not 50"
n=$(as "$ua" "$ua_pw" ldapsearch -LLL -b "$ub" -s sub '(objectClass=*)' dn 2>/dev/null | grep -c '^dn:' || true)
[ "$n" = 0 ] || za_fail "user ua can see user ub ($n entries)"
n=$(ldapsearch -LLL -x -H "$LDAP_URI" -b "$people" '(uid=*)' dn 2>/dev/null | grep -c '^dn:' || true)
[ "$n" = 0 ] || za_fail "anonymous can list people ($n entries)"
srch -b "$ua" -s base userPassword | grep -q '^userPassword' || za_fail "admin cannot read userPassword"
za_ok "users read own entry and tokens, no secrets, cannot change zoneauth attributes or see others"

# otp overlay, by effect: once linked, a bind needs password + TOTP code.
if command -v oathtool >/dev/null 2>&1; then
	ext ldapmodify > "$work/out" 2>&1 <<EOF || { cat "$work/out"; za_fail "linking ua to its TOTP token"; }
dn: zaTokenId=t0tp01,$ua
changetype: modify
delete: oathTOTPLastTimeStep

dn: $ua
changetype: modify
add: objectClass
objectClass: oathTOTPUser
-
add: oathTOTPToken
oathTOTPToken: zaTokenId=t0tp01,$ua
EOF
	rc=$(ldap_rc as "$ua" "$ua_pw" ldapwhoami)
	[ "$rc" = 49 ] || za_fail "otp: password alone gave $rc, not 49"
	code=$(oathtool --totp 3132333435363738393031323334353637383930)
	otp_pw=$(pwfile ua-otp "Ua-secret-1$code")
	as "$ua" "$otp_pw" ldapwhoami >/dev/null || za_fail "otp: password+code refused"
	rc=$(ldap_rc as "$ua" "$otp_pw" ldapwhoami)
	[ "$rc" = 49 ] || za_fail "otp: replayed code gave $rc, not 49"
	srch -b "zaTokenId=t0tp01,$ua" -s base oathTOTPLastTimeStep |
	    grep -q '^oathTOTPLastTimeStep: [0-9]' || za_fail "otp: no oathTOTPLastTimeStep"
	za_ok "otp overlay: password+TOTP binds, password alone and replay refused"
else
	echo "note: oathtool not installed; otp overlay checked through cn=config only"
fi

# ---------------------------------------------------------------- limits
{
	printf 'dn: ou=bulk,%s\nobjectClass: organizationalUnit\nou: bulk\n\n' "$BASE_DN"
	i=1
	while [ $i -le 510 ]; do
		printf 'dn: cn=b%d,ou=bulk,%s\nobjectClass: namedObject\ncn: b%d\n\n' \
		    $i "$BASE_DN" $i
		i=$((i + 1))
	done
} > "$work/bulk.ldif"
ext ldapadd -f "$work/bulk.ldif" > "$work/out" 2>&1 || { tail -5 "$work/out"; za_fail "bulk add failed"; }
rc=$(ldap_rc as "$ub" "$ub_pw" ldapsearch -LLL -b "ou=bulk,$BASE_DN" -s one dn)
[ "$rc" = 4 ] || za_fail "an ordinary user's 510-entry search gave $rc, not 4 (size limit)"
n=$(svc ldapsearch -LLL -b "ou=bulk,$BASE_DN" -s one dn | grep -c '^dn:')
[ "$n" = 510 ] || za_fail "service account got $n of 510 entries"
n=$(svc ldapsearch -LLL -E pr=200/noprompt -b "ou=bulk,$BASE_DN" -s one dn | grep -c '^dn:')
[ "$n" = 510 ] || za_fail "service account's paged search got $n of 510 entries"
n=$(as "$ADMIN_DN" "$ADMIN_PW_FILE" ldapsearch -LLL -b "ou=bulk,$BASE_DN" -s one dn | grep -c '^dn:')
[ "$n" = 510 ] || za_fail "admin got $n of 510 entries"
za_ok "limits: users stop at 500 entries; service account and admin get all 510"

# ---------------------------------------------------------------- sockets
# Every TCP listening socket of the slapd: 127.0.0.1:LDAP_PORT only.
listeners() {	# listeners PID: "tcp|tcp6 LOCAL-ADDRESS" per listening socket
	_inodes=$(for _fd in /proc/"$1"/fd/*; do readlink "$_fd" 2>/dev/null; done |
	    sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	for _p in tcp tcp6 udp udp6; do
		awk -v p=$_p -v inodes=" $_inodes" 'NR > 1 && index(inodes, " " $10 " ") &&
		    ($4 == "0A" || p ~ /^udp/) { print p, $2 }' "/proc/net/$_p" 2>/dev/null
	done
}
port_hex=$(printf '%04X' "$LDAP_PORT")
listeners "$SLAPD_PID" > "$work/listen"
[ "$(cat "$work/listen")" = "tcp 0100007F:$port_hex" ] || {
	cat "$work/listen"
	za_fail "slapd listens on more than 127.0.0.1:$LDAP_PORT"
}
grep -q ':0185$' "$work/listen" && za_fail "slapd listens on port 389"
sock=$(printf '%s' "${LDAPI_URI#ldapi://}" | sed 's/%2F/\//g')
[ -S "$sock" ] || za_fail "ldapi socket $sock missing"
za_ok "slapd listens only on 127.0.0.1:$LDAP_PORT (tcp) and $sock"

# ---------------------------------------------------------------- start/stop
first_dir=$ZA_SANDBOX first_pid=$SLAPD_PID first_port=$LDAP_PORT
first_ldapi=$LDAPI_URI
if out=$(za_sandbox_cmd start "$first_dir" 2>&1); then
	za_fail "second start in a running sandbox succeeded"
fi
echo "$out" | grep -q "already running (pid $first_pid)" ||
    za_fail "second start said: $out"
proc_gone "$first_pid" && za_fail "second start disturbed the running slapd"
za_sandbox_cmd status "$first_dir" > "$work/out" || za_fail "status of a running sandbox failed"
za_ok "start on a running sandbox: \"already running (pid $first_pid)\", exit 1"

# A second sandbox, concurrently, with the sample municipality; its first
# port is forced to the first sandbox's, so it must retry another port.
second=$(mktemp -d "${TMPDIR:-/tmp}/zsb.XXXXXX")
za_atexit "bash '$tool' stop '$second' >/dev/null 2>&1; rm -rf -- '$second'"
if ! out=$(SLAPD_SANDBOX_PORT=$first_port za_sandbox_cmd start --sample "$second" 2>&1); then
	printf '%s\n' "$out"
	za_fail "second sandbox (--sample) did not start"
fi
echo "$out" | grep -q "port $first_port is in use, trying another" ||
    za_fail "no retry message for a taken port: $out"
. "$second/env"
[ "$LDAP_PORT" != "$first_port" ] || za_fail "both sandboxes on port $LDAP_PORT"
second_pid=$SLAPD_PID
srch -b "$BASE_DN" -s base dn >/dev/null || za_fail "second sandbox does not answer"
ldapsearch -LLL -Q -Y EXTERNAL -H "$first_ldapi" -b "$BASE_DN" -s base dn >/dev/null ||
    za_fail "first sandbox stopped answering"
za_ok "a second sandbox runs concurrently on port $LDAP_PORT (after a port retry)"

# Sample: about 50 people, every cn/sn/givenName/zaNameKana round-trips.
srch -b "ou=people,$BASE_DN" -s one '(objectClass=inetOrgPerson)' \
    uid cn sn givenName displayName zaNameKana > "$work/got.ldif"
decode() {	# LDIF on stdin -> "uid|attr|value" lines, base64 decoded
	awk '/^dn: / { uid = ""; if ($2 ~ /^uid=[^,]*,ou=people,/) {
	        uid = $2; sub(/^uid=/, "", uid); sub(/,.*/, "", uid) }; next }
	    uid == "" { next }
	    /^[A-Za-z]+:: / { a = $1; sub(/::$/, "", a); print "B " uid " " a " " $2; next }
	    /^[A-Za-z]+: / { a = $1; sub(/:$/, "", a); v = $0; sub(/^[^:]*: /, "", v);
	        print "P " uid " " a " " v }' |
	while read -r kind uid attr value; do
		[ "$attr" = uid ] && continue
		case $attr in cn|sn|givenName|displayName|zaNameKana) ;; *) continue ;; esac
		if [ "$kind" = B ]; then
			value=$(printf '%s' "$value" | base64 -d)
		fi
		printf '%s|%s|%s\n' "$uid" "$attr" "$value"
	done | sort
}
decode < "$work/got.ldif" > "$work/got"
cat "$sample_dir"/*.ldif | grep -v '^#' | grep -v '^objectClass' | decode > "$work/want"
grep -q '^tanaka|cn|田中 花子$' "$work/want" || za_fail "sample lacks 田中 花子"
if ! cmp -s "$work/got" "$work/want"; then
	diff "$work/want" "$work/got" | head -20
	za_fail "Japanese names differ after the round trip"
fi
grep -q 'ï¿½\|\\x' "$work/got" && za_fail "mangled characters"
nnames=$(wc -l < "$work/got")
npeople=$(srch -b "ou=people,$BASE_DN" -s one '(&(objectClass=inetOrgPerson)(zaEmploymentType=*))' dn | grep -c '^dn:')
[ "$npeople" -ge 45 ] && [ "$npeople" -le 60 ] || za_fail "sample has $npeople people, expected about 50"
cnt() { srch -b "ou=people,$BASE_DN" -s one "$1" dn | grep -c '^dn:' || true; }
[ "$(cnt '(zaAccountStatus=suspended)')" -ge 2 ] || za_fail "no suspended (出向) accounts"
[ "$(cnt '(&(zaAccountStatus=suspended)(zaSuspendedFrom=*)(zaReturnDate=*))')" = "$(cnt '(zaAccountStatus=suspended)')" ] ||
    za_fail "suspended accounts lack zaSuspendedFrom/zaReturnDate"
[ "$(cnt '(zaAccountStatus=disabled)')" -ge 1 ] || za_fail "no disabled leaver"
[ "$(cnt '(&(zaEmploymentType=contractor)(zaAccountExpiry=*))')" -ge 4 ] || za_fail "contractors"
[ "$(cnt '(&(zaEmploymentType=temporary)(zaAccountExpiry=*))')" -ge 4 ] || za_fail "temporary staff"
[ "$(cnt '(&(zaEmploymentType=development)(zaProject=*)(zaAccountExpiry=*))')" = 1 ] || za_fail "development ID"
[ "$(cnt '(&(objectClass=zoneauthPrivileged)(zaPrivOwner=*)(zaApprovalRef=*)(zaPrivDefaultName=*)(zaPrivRotationDays=30))')" -ge 2 ] ||
    za_fail "privileged IDs"
[ "$(cnt '(|(uid=admin)(uid=root)(uid=administrator))')" = 0 ] || za_fail "a privileged ID keeps a default name"
n=$(srch -b "ou=people,$BASE_DN" -s one '(employeeNumber=*)' employeeNumber |
    sed -n 's/^employeeNumber: //p' | grep -cv '^[0-9]\{6\}$' || true)
[ "$n" = 0 ] || za_fail "$n employee numbers are not 6 digits"
for g in mynumber-users id-admins security-admins contractors; do
	srch -b "cn=$g,ou=groups,$BASE_DN" -s base member | grep -q '^member: ' ||
	    za_fail "group $g missing or empty"
done
srch -b "ou=groups,$BASE_DN" -s one '(&(objectClass=posixGroup)(memberUid=tanaka))' dn |
    grep -q '^dn: ' || za_fail "no department posixGroup holds tanaka"
demo=$(sed -n 's/.*[Dd]emo password[^:]*: *`\{0,1\}\([^` ]*\)`\{0,1\}.*/\1/p' "$sample_dir/README.md" | head -1)
[ -n "$demo" ] || za_fail "README.md documents no demo password"
pwfile demo "$demo" >/dev/null
ldapwhoami -x -H "$LDAP_URI" -D "uid=tanaka,ou=people,$BASE_DN" -y "$work/demo.pw" >/dev/null ||
    za_fail "demo password of README.md does not work for tanaka"
za_ok "--sample: $npeople people, $nnames Japanese name values round-trip, statuses, groups, demo password"

# stop twice: both succeed, the pid is gone; then the first sandbox too.
za_sandbox_cmd stop "$second" > "$work/out" 2>&1 || za_fail "stop failed: $(cat "$work/out")"
proc_gone "$second_pid" || za_fail "slapd $second_pid still running after stop"
za_sandbox_cmd stop "$second" > "$work/out" 2>&1 || za_fail "second stop failed"
grep -q 'not running' "$work/out" || za_fail "second stop said: $(cat "$work/out")"
if za_sandbox_cmd status "$second" >/dev/null 2>&1; then
	za_fail "status of a stopped sandbox succeeded"
fi
proc_gone "$first_pid" && za_fail "stopping the second sandbox stopped the first"
za_sandbox_cmd stop /nonexistent/zsb-never-started > "$work/out" 2>&1 ||
    za_fail "stop of a never-started DIR failed"
za_ok "stop twice: both exit 0, pid $second_pid gone, the other sandbox untouched"

# stop never signals a process that is not this sandbox's slapd.
sleep 30 &
sleeper=$!
za_atexit "kill $sleeper 2>/dev/null || true"
printf '%s\n' "$sleeper" > "$second/slapd.pid"
za_sandbox_cmd stop "$second" > "$work/out" 2>&1 || za_fail "stop with a foreign pid failed"
proc_gone "$sleeper" && za_fail "stop killed an unrelated process"
kill "$sleeper"
za_ok "stop leaves a foreign pid in slapd.pid alone"

# Restart keeps the data; a failed start leaves nothing behind.
za_sandbox_cmd start "$second" > "$work/out" 2>&1 || za_fail "restart failed: $(cat "$work/out")"
. "$second/env"
[ "$(cnt '(uid=tanaka)')" = 1 ] || za_fail "restart lost the sample data"
za_sandbox_cmd stop "$second" >/dev/null
if za_sandbox_cmd start --base 'cn=bad,dc=x' "$work/bad" > "$work/out" 2>&1; then
	za_fail "start with an unusable base succeeded"
fi
[ ! -e "$work/bad" ] || za_fail "failed start left $work/bad behind"
za_ok "restart keeps the data; a failed start leaves nothing behind"

# A DIR too long for sun_path gets its socket under /tmp/zsbx.*; --base
# moves the sample to another base DN.
long="$work/a-directory-name-long-enough-to-push-the-socket-path/beyond-the-108-bytes-of-sun-path"
za_atexit "bash '$tool' stop '$long' >/dev/null 2>&1"
za_sandbox_cmd start --sample --base o=Rei "$long" > "$work/out" 2>&1 ||
    za_fail "start in a long DIR failed: $(cat "$work/out")"
. "$long/env"
sockdir=$(cat "$long/sockdir")
case $sockdir in /tmp/zsbx.*) ;; *) za_fail "long DIR: socket dir is '$sockdir'" ;; esac
[ -S "$sockdir/ldapi" ] || za_fail "long DIR: no socket in $sockdir"
[ "$BASE_DN" = o=Rei ] || za_fail "--base gave BASE_DN=$BASE_DN"
[ "$(cnt '(uid=tanaka)')" = 1 ] || za_fail "sample not moved to o=Rei"
srch -b "uid=rs-kanri01,ou=people,o=Rei" -s base zaPrivOwner |
    grep -qx 'zaPrivOwner: uid=okada,ou=people,o=Rei' || za_fail "sample DN values not moved to o=Rei"
za_sandbox_cmd stop "$long" >/dev/null || za_fail "stop in a long DIR failed"
[ ! -e "$sockdir" ] || za_fail "stop left $sockdir"
za_ok "long DIR: socket in $sockdir (removed at stop); --base o=Rei with the sample"

# ---------------------------------------------------------------- nobody
if [ "$(id -u)" != 0 ]; then
	echo "SKIP (part): running as nobody needs root; not root, so not tested"
elif ! command -v runuser >/dev/null 2>&1; then
	echo "SKIP (part): runuser not found; running as nobody not tested"
elif ! runuser -u nobody -- test -r "$tool" -a -r "$schema_ldif" -a -x "$sample_dir"; then
	echo "SKIP (part): nobody cannot read $top_srcdir; running as nobody not tested"
else
	nb=$(mktemp -d "${TMPDIR:-/tmp}/zsbn.XXXXXX")
	za_atexit "runuser -u nobody -- bash '$tool' stop '$nb/sbx' >/dev/null 2>&1; rm -rf -- '$nb'"
	chown nobody "$nb"
	chmod 0755 "$nb"
	runuser -u nobody -- bash "$tool" start "$nb/sbx" > "$work/out" 2>&1 || {
		cat "$work/out"
		za_fail "start as nobody failed"
	}
	. "$nb/sbx/env"
	[ "$(stat -c %U "$nb/sbx/slapd.d")" = nobody ] || za_fail "sandbox files not owned by nobody"
	[ "$(stat -c %U "/proc/$SLAPD_PID")" = nobody ] || za_fail "slapd does not run as nobody"
	who=$(runuser -u nobody -- ldapwhoami -Q -Y EXTERNAL -H "$LDAPI_URI") ||
	    za_fail "nobody's EXTERNAL bind failed"
	[ "$who" = "dn:$ADMIN_DN" ] || za_fail "nobody's EXTERNAL identity is $who"
	who=$(ldapwhoami -Q -Y EXTERNAL -H "$LDAPI_URI" 2>/dev/null || true)
	[ "$who" != "dn:$ADMIN_DN" ] || za_fail "root is admin of nobody's sandbox"
	runuser -u nobody -- bash "$tool" start "$nb/sbx" > "$work/out" 2>&1 &&
	    za_fail "second start as nobody succeeded"
	grep -q "already running (pid $SLAPD_PID)" "$work/out" || za_fail "nobody: $(cat "$work/out")"
	nb_pid=$SLAPD_PID
	runuser -u nobody -- bash "$tool" stop "$nb/sbx" >/dev/null || za_fail "stop as nobody failed"
	proc_gone "$nb_pid" || za_fail "nobody's slapd still running"
	runuser -u nobody -- bash "$tool" stop "$nb/sbx" >/dev/null || za_fail "second stop as nobody failed"
	za_ok "as nobody: start, EXTERNAL admin for nobody only, already running, stop twice"
fi

za_sandbox_stop
proc_gone "$first_pid" || za_fail "za_sandbox_stop left slapd $first_pid running"
[ ! -e "$first_dir" ] || za_fail "za_sandbox_stop left $first_dir"
echo "PASS: sandbox ($(($(date +%s) - t0)) s)"
