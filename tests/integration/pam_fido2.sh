#!/bin/sh
# pam_zoneauth's FIDO2 method end to end: real libpam under pam_wrapper,
# the module talking through libfido2 to the software authenticator
# (tests/softfido, its shim preloaded), credentials enrolled with
# za_fido2_enrol() (tests/integration/fido2enrol) and added to the
# sandbox directory.  Each case uses its own soft key (state file).
#
#  - built-in UV alone satisfies a two-class rule (possession+inherence);
#    the PIN alone too (possession+knowledge); presence + password;
#  - a wrong PIN is refused, with the attempts the key has left, and
#    counted as a failed login; the key's prompts in Japanese;
#  - fido2.require_uv: a key that can verify the user must, one that
#    cannot is refused;
#  - a key that is not touched fails within fido2.touch_timeout;
#  - a revoked credential is refused at the next attempt;
#  - a signature counter that goes back (a cloned key) is refused, the
#    credential marked cloned, the failure counted;
#  - a key model outside fido2.aaguids is refused;
#  - an unknown user is asked to touch like a known one and waits as long;
#  - code or key is chosen by the terminal (key plugged in or not), not by
#    the account;
#  - the counter's compare-and-swap uses the value the login read (a
#    write in between, made while the login waits for the key, wins);
#  - 10 concurrent logins with one key: every assertion gets its own
#    counter, and the compare-and-swap lets a login in only when it moves
#    the stored counter forward from the value it read;
#  - a credential of the file store ([store] path): used at login, its
#    counter advanced in the store file, the AAGUID allowlist applied, a
#    counter that goes back refused and the credential marked cloned in
#    the store file.
# Works in the sanitizer build (ZA_SANITIZERS=yes): the ASan runtime is
# preloaded first, then the shim, then the module and pam_wrapper.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

shim=${SOFTFIDO_SHIM:-$top_builddir/tests/softfido/.libs/libsoftfido_shim.so}
enrol=$top_builddir/tests/integration/fido2enrol
[ -f "$shim" ] || za_fail "$shim not built (make check builds it)"
[ -x "$enrol" ] || za_fail "$enrol not built (make check builds it)"

za_pz_setup
work="$ZA_SANDBOX/fido2"
mkdir -m 0700 "$work" "$work/keys"

# The shim goes after the ASan runtime (if any) and before the rest.
asan=
if [ "${ZA_SANITIZERS:-no}" = yes ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
	ZA_PAM_PRELOAD="$asan $shim ${ZA_PAM_PRELOAD#"$asan" }"
	UID_WRAPPER_DISABLE_DEEPBIND=1
	export UID_WRAPPER_DISABLE_DEEPBIND
else
	ZA_PAM_PRELOAD="$shim $ZA_PAM_PRELOAD"
fi
export ZA_PAM_PRELOAD
unset SOFTFIDO_ABSENT SOFTFIDO_TOUCH SOFTFIDO_UV SOFTFIDO_PIN SOFTFIDO_ATTEST \
    SOFTFIDO_COUNTER SOFTFIDO_FINGER SOFTFIDO_AAGUID SOFTFIDO_VERSION \
    SOFTFIDO_PIN_PROTOCOLS SOFTFIDO_TOUCH_TIMEOUT_MS FIDO_DEBUG
SOFTFIDO_CA_DIR=$work
export SOFTFIDO_CA_DIR
PEOPLE="ou=people,$BASE_DN"
SOFT_AAGUID=736f6674-6669-646f-8000-000000000001	# softfido's default
PIN=482916

# key NAME: use soft key NAME (its own state file) from now on.
key() {
	SOFTFIDO_STATE=$work/keys/$1.state
	export SOFTFIDO_STATE
}
# enrol USER TOKEN [fido2enrol options]: register a credential on the
# current key and add it under the user.
enrol() {
	_u=$1 _t=$2
	shift 2
	LD_PRELOAD="${asan:+$asan }$shim" "$enrol" "$@" "$_u" "$_t" "$PEOPLE" \
	    > "$work/$_t.ldif" 2> "$work/$_t.err" ||
	    { cat "$work/$_t.err"; za_fail "enrolling $_t for $_u"; }
	za_pz_ldap ldapadd < "$work/$_t.ldif" > "$work/$_t.add" 2>&1 ||
	    { cat "$work/$_t.add"; za_fail "adding $_t for $_u"; }
}
# login SERVICE USER EXPECTED-CODE DESCRIPTION [pamconv options]: output
# (conversation and the module's syslog lines) in $work/out.
login() {
	_s=$1 _u=$2 _c=$3 _d=$4
	shift 4
	if ! za_pz_conv_log "$_s" "$_u" "$@" auth > "$work/out" 2>&1 ||
	    ! grep -qx "auth: $_c" "$work/out"; then
		cat "$work/out"
		za_fail "$_d"
	fi
}
expect() {	# expect DESCRIPTION PATTERN: in the last login's output
	za_pz_expect "$1" "$2" "$work/out"
}
refute() {	# refute DESCRIPTION PATTERN: not in the last login's output
	if grep -Eq -- "$2" "$work/out"; then
		cat "$work/out"
		za_fail "$1"
	fi
}
count() {	# count DN: the stored signature counter
	za_pz_get "$1" zaFido2SignCount
}
failures() {	# failures USER: failure records of the user
	za_pz_get "uid=$1,$PEOPLE" zaAuthFailure | grep -c . || true
}
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# Rules: the key alone (two classes from one touch), password + key.
conf=$(za_pz_conf fido2 "[lockout]
delay = 0
deny = 100
[rule key-only]
match = group:fido2-key
classes = 2
methods = fido2
[rule password-and-key]
match = any
classes = 2
methods = password,fido2")
za_pz_service fido2 "$conf"
za_pz_ldap ldapadd > "$work/group.add" 2>&1 <<EOF || { cat "$work/group.add"; za_fail "adding group fido2-key"; }
dn: cn=fido2-key,ou=groups,$BASE_DN
objectClass: posixGroup
cn: fido2-key
gidNumber: 59990
memberUid: sato
memberUid: suzuki
memberUid: ito
memberUid: watanabe
memberUid: yamamoto
EOF

# ---------------------------------------------------------------- built-in UV
key uv
export SOFTFIDO_UV=builtin
enrol sato f-sato -u builtin -l "fingerprint key"
dn_sato="zaTokenId=f-sato,uid=sato,$PEOPLE"
[ "$(count "$dn_sato")" = 0 ] || za_fail "enrolled counter not 0"
login fido2 sato PAM_SUCCESS "built-in UV alone refused under a two-class rule"
expect "touch prompt for a fingerprint key" '^info: Touch the fingerprint sensor of your security key\.$'
refute "a prompt under built-in UV" '^prompt-'
expect "fido2 log line" 'fido2: user=sato .*token=f-sato aaguid='"$SOFT_AAGUID"' credential=[0-9a-f]{8}\.\. uv=builtin counter=1 result=verified'
expect "auth log line" 'auth: user=sato .*rule=key-only methods=fido2 result=success'
[ "$(count "$dn_sato")" = 1 ] || za_fail "counter not advanced to 1: $(count "$dn_sato")"
login fido2 sato PAM_SUCCESS "second built-in UV login refused"
[ "$(count "$dn_sato")" = 2 ] || za_fail "counter not advanced to 2: $(count "$dn_sato")"
LANGUAGE=ja LC_ALL=C.UTF-8 login fido2 sato PAM_SUCCESS "Japanese login with the fingerprint key refused"
expect "Japanese touch prompt" '^info: セキュリティキーの指紋センサーに触れてください。$'
# The finger does not match: built-in UV fails, nothing else is offered.
SOFTFIDO_FINGER=nomatch login fido2 sato PAM_AUTH_ERR "an unrecognised finger accepted"
expect "fingerprint message" '^error: The security key did not recognise your fingerprint\.$'
za_ok "built-in UV alone: one touch proves possession + inherence (two classes); counter 0 -> 1 -> 2; a wrong finger is refused"

# ---------------------------------------------------------------- PIN
key pin
unset SOFTFIDO_UV
SOFTFIDO_PIN=$PIN ZA_TEST_FIDO2_PIN=$PIN enrol suzuki f-suzuki -u pin
login fido2 suzuki PAM_SUCCESS "PIN alone refused under a two-class rule" -a "$PIN"
expect "PIN prompt" '^prompt-off: Security key PIN: $'
expect "touch prompt" '^info: Touch your security key\.$'
expect "PIN login log" 'fido2: user=suzuki .*uv=pin counter=1 result=verified'
refute "the PIN in a log line" "$PIN"
n0=$(failures suzuki)
login fido2 suzuki PAM_AUTH_ERR "a wrong PIN accepted" -a 111111
expect "wrong PIN message" '^error: Wrong PIN for the security key\.$'
expect "PIN attempts left" '^error: 7 PIN attempts are left before the security key blocks its PIN\.$'
expect "wrong PIN log" 'result=failure reason=security key: pin-invalid'
LANGUAGE=ja LC_ALL=C.UTF-8 login fido2 suzuki PAM_AUTH_ERR "a wrong PIN accepted (ja)" -a 222222
expect "Japanese PIN prompt" '^prompt-off: セキュリティキーのPIN: $'
expect "Japanese wrong PIN" '^error: セキュリティキーのPINが違います。$'
expect "Japanese attempts left" '^error: PINがロックされるまで、あと 6 回試行できます。$'
[ "$(failures suzuki)" = $((n0 + 2)) ] || za_fail "wrong PINs not counted: $(failures suzuki) records, had $n0"
login fido2 suzuki PAM_SUCCESS "right PIN refused after a wrong one" -a "$PIN"
za_ok "PIN alone proves possession + knowledge; a wrong PIN is refused and counted as a failure"

# ---------------------------------------------------------------- presence + password
key up
enrol takahashi f-takahashi -u none
login fido2 takahashi PAM_SUCCESS "password + touch refused" -a "$ZA_PZ_PW"
expect "password prompt" '^prompt-off: Password: $'
expect "touch prompt" '^info: Touch your security key\.$'
refute "a PIN prompt with presence only" 'Security key PIN'
expect "presence log" 'fido2: user=takahashi .*uv=none counter=1 result=verified'
expect "methods logged" 'methods=password,fido2 result=success'
login fido2 takahashi PAM_AUTH_ERR "touch with a wrong password accepted" -a wrong-password
za_ok "presence (possession) + password (knowledge)"

# ---------------------------------------------------------------- require_uv
za_pz_service fido2uv "$conf" fido2.require_uv=yes
login fido2uv takahashi PAM_AUTH_ERR "require_uv accepted a key without UV or PIN" -a "$ZA_PZ_PW"
expect "cannot-verify message" '^error: This security key cannot check a fingerprint or a PIN, which this login requires\.$'
expect "cannot-verify log" 'reason=security key cannot verify the user \(built-in verification or PIN needed\)'
key uv
export SOFTFIDO_UV=builtin
enrol takahashi f-takahashi2 -u builtin
login fido2uv takahashi PAM_SUCCESS "require_uv refused a fingerprint key" -a "$ZA_PZ_PW"
expect "require_uv asks built-in UV" 'fido2: user=takahashi .*uv=builtin .*result=verified'
unset SOFTFIDO_UV
za_ok "fido2.require_uv: a key without UV or PIN is refused; a fingerprint key verifies the user"

# ---------------------------------------------------------------- not touched
key pin
za_pz_service fido2fast "$conf" fido2.touch_timeout=1s
t0=$(now_ms)
SOFTFIDO_TOUCH=timeout SOFTFIDO_TOUCH_TIMEOUT_MS=30000 login fido2fast suzuki PAM_AUTH_ERR \
    "an untouched key accepted" -a "$PIN"
t=$(( $(now_ms) - t0 ))
expect "not-touched message" '^error: The security key was not touched in time\.$'
expect "not-touched log" 'reason=security key: not-touched'
[ "$t" -ge 1000 ] || za_fail "gave up after $t ms, before touch_timeout (1 s)"
[ "$t" -lt 6000 ] || za_fail "took $t ms for touch_timeout = 1 s"
za_ok "a key not touched fails after touch_timeout (1 s; took $t ms, the key would have waited 30 s)"

# ---------------------------------------------------------------- unknown user
# Same prompts, and the same wait for a touch, as a known user of the
# same rule without a credential (yamada has none at all).
key uv
export SOFTFIDO_UV=builtin
login fido2 yamada PAM_AUTH_ERR "a user without credentials accepted" -a "$ZA_PZ_PW"
grep -v '^SYSLOG' "$work/out" > "$work/known"
login fido2 no-such-user PAM_AUTH_ERR "an unknown user accepted" -a "$ZA_PZ_PW"
grep -v '^SYSLOG' "$work/out" > "$work/unknown"
cmp -s "$work/known" "$work/unknown" || { diff "$work/known" "$work/unknown"; za_fail "unknown user's conversation differs"; }
expect "unknown user touches too" '^info: Touch your security key\.$'
expect "unknown user: the key holds nothing" 'reason=security key: no-credential'
refute "unknown name logged" 'no-such-user'
t0=$(now_ms)
SOFTFIDO_TOUCH=timeout SOFTFIDO_TOUCH_TIMEOUT_MS=30000 login fido2fast no-such-user PAM_AUTH_ERR \
    "an unknown user accepted (timeout)" -a "$ZA_PZ_PW"
t=$(( $(now_ms) - t0 ))
expect "unknown user waits for the touch" 'reason=security key: not-touched'
[ "$t" -ge 1000 ] || za_fail "unknown user: no wait for a touch ($t ms)"
unset SOFTFIDO_UV
za_ok "unknown user: same conversation as a user without a key, and the key is asked for a touch ($t ms)"

# ---------------------------------------------------------------- code or key
# tanaka has a TOTP token and no key; the default rule allows every method.
za_pz_service mixed "$(za_pz_conf mixed "[lockout]
delay = 0
deny = 100")"
code=$(za_pz_totp "$ZA_PZ_TANAKA_HEX" "$(za_pz_step)")
SOFTFIDO_ABSENT=1 login mixed tanaka PAM_SUCCESS "no key plugged in: code refused" \
    -a "$ZA_PZ_PW" -a "$code"
expect "code prompt without a key" '^prompt-off: One-time code: $'
expect "methods without a key" 'methods=password,totp,hotp result=success'
login mixed tanaka PAM_AUTH_ERR "key plugged in: a user without credentials accepted" \
    -a "$ZA_PZ_PW"
expect "touch prompt with a key plugged in" '^info: Touch your security key\.$'
refute "code prompt with a key plugged in" 'One-time code'
za_ok "password + possession: a code when no key is plugged in, the key when one is (whatever the account holds)"

# ---------------------------------------------------------------- revoked
key uv
export SOFTFIDO_UV=builtin
login fido2 sato PAM_SUCCESS "fingerprint key refused before revocation"
za_pz_ldap ldapmodify > "$work/mod" 2>&1 <<EOF || { cat "$work/mod"; za_fail "revoking f-sato"; }
dn: $dn_sato
changetype: modify
replace: zaTokenStatus
zaTokenStatus: revoked
-
replace: zaTokenRevokedTime
zaTokenRevokedTime: $(date -u +%Y%m%d%H%M%SZ)
-
replace: zaTokenRevokeReason
zaTokenRevokeReason: lost
EOF
login fido2 sato PAM_AUTH_ERR "revoked credential accepted"
expect "revoked: the key holds no usable credential" 'reason=security key: no-credential'
expect "revoked: still asked to touch" '^info: Touch the fingerprint sensor of your security key\.$'
unset SOFTFIDO_UV
za_ok "a revoked credential is refused at the very next attempt"

# ---------------------------------------------------------------- cloned
key clone
enrol ito f-ito -u none
dn_ito="zaTokenId=f-ito,uid=ito,$PEOPLE"
login fido2 ito PAM_AUTH_ERR "key-only rule accepted presence alone"
expect "presence key under a two-class key rule" 'cannot verify the user'
# ito logs in with password + touch (rule for everyone else): move him.
za_pz_ldap ldapmodify > "$work/mod" 2>&1 <<EOF || { cat "$work/mod"; za_fail "group change"; }
dn: cn=fido2-key,ou=groups,$BASE_DN
changetype: modify
delete: memberUid
memberUid: ito
EOF
login fido2 ito PAM_SUCCESS "ito: first login refused" -a "$ZA_PZ_PW"
login fido2 ito PAM_SUCCESS "ito: second login refused" -a "$ZA_PZ_PW"
[ "$(count "$dn_ito")" = 2 ] || za_fail "ito's counter not 2: $(count "$dn_ito")"
n0=$(failures ito)
SOFTFIDO_COUNTER=regress login fido2 ito PAM_AUTH_ERR "cloned key accepted" -a "$ZA_PZ_PW"
expect "clone message" '^error: This security key has been blocked because it may have been copied\. Contact the ID administrator\.$'
expect "clone logged as an error" 'SYSLOG\(3\): fido2: user=ito token=f-ito aaguid='"$SOFT_AAGUID"': signature counter 1 is not above the stored 2: the key may have been cloned; credential marked cloned'
expect "clone in the attempt log" 'result=failure reason=cloned security key \(signature counter 1 after 2\)'
[ "$(za_pz_get "$dn_ito" zaTokenStatus)" = cloned ] || za_fail "credential not marked cloned: $(za_pz_get "$dn_ito" zaTokenStatus)"
[ "$(count "$dn_ito")" = 2 ] || za_fail "a clone's counter was stored: $(count "$dn_ito")"
[ "$(failures ito)" = $((n0 + 1)) ] || za_fail "clone not counted as a failure"
login fido2 ito PAM_AUTH_ERR "cloned credential accepted with the genuine counter" -a "$ZA_PZ_PW"
za_ok "a counter that goes back: refused, logged at LOG_ERR, credential marked cloned, failure counted; the credential is dead"

# ---------------------------------------------------------------- AAGUID allowlist
key model
other=0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d
export SOFTFIDO_UV=builtin SOFTFIDO_AAGUID=$other
enrol watanabe f-watanabe -u builtin
za_pz_service fido2allow "$conf" "fido2.aaguids=$SOFT_AAGUID"
login fido2allow watanabe PAM_AUTH_ERR "key model outside the allowlist accepted"
expect "allowlist refusal logged" "fido2: user=watanabe token=f-watanabe: key model $other is not in fido2.aaguids; credential not usable"
expect "allowlist: same touch as always" '^info: Touch the fingerprint sensor of your security key\.$'
za_pz_service fido2allow2 "$conf" "fido2.aaguids=$other"
login fido2allow2 watanabe PAM_SUCCESS "key model on the allowlist refused"
unset SOFTFIDO_UV SOFTFIDO_AAGUID
za_ok "fido2.aaguids: a credential of another key model is refused (and logged); listed, it works"

# ---------------------------------------------------------------- stale read
# The compare-and-swap compares with the counter the login read: hold the
# soft key (its state lock) while a login waits for it after its lookup,
# change the stored counter meanwhile (lower, so the key's next counter
# still passes the clone rule), release: the login must lose.
key stale
enrol kobayashi f-kobayashi -u none
dn_k="zaTokenId=f-kobayashi,uid=kobayashi,$PEOPLE"
login fido2 kobayashi PAM_SUCCESS "kobayashi's first login refused" -a "$ZA_PZ_PW"
[ "$(count "$dn_k")" = 1 ] || za_fail "kobayashi's counter not 1"
rm -f "$work/release" "$work/held"
flock "$SOFTFIDO_STATE.lock" sh -c "touch '$work/held'; while [ ! -e '$work/release' ]; do sleep 0.05; done" &
holder=$!
za_atexit ": > '$work/release'"
i=0
while [ ! -e "$work/held" ]; do
	sleep 0.05
	i=$((i + 1))
	[ "$i" -lt 200 ] || za_fail "stale read: the key's lock was not taken"
done
LD_PRELOAD="$ZA_PAM_PRELOAD" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$ZA_PAM_DIR" \
    PAM_WRAPPER_DEBUGLEVEL=2 "$top_builddir/tests/integration/pamconv" fido2 kobayashi \
    -a "$ZA_PZ_PW" auth > "$work/stale" 2>&1 &
pid=$!
# Prompted for the password: the lookup (which read counter 1) is done.
i=0
while ! grep -q '^prompt-off: Password: $' "$work/stale"; do
	sleep 0.05
	i=$((i + 1))
	[ "$i" -lt 400 ] || { cat "$work/stale"; za_fail "stale read: no password prompt"; }
done
za_pz_ldap ldapmodify > "$work/mod" 2>&1 <<EOF || { cat "$work/mod"; za_fail "lowering the counter"; }
dn: $dn_k
changetype: modify
replace: zaFido2SignCount
zaFido2SignCount: 0
EOF
: > "$work/release"
wait "$holder"
wait "$pid" || true
grep -q '^auth: PAM_AUTH_ERR$' "$work/stale" || { cat "$work/stale"; za_fail "a login whose counter changed underneath succeeded"; }
grep -q 'reason=security key counter already used' "$work/stale" || { cat "$work/stale"; za_fail "stale read: reason"; }
grep -q 'fido2: user=kobayashi .*counter=2 result=verified' "$work/stale" || { cat "$work/stale"; za_fail "stale read: the key's assertion was not verified"; }
[ "$(count "$dn_k")" = 0 ] || za_fail "stale read overwrote the counter: $(count "$dn_k")"
login fido2 kobayashi PAM_SUCCESS "kobayashi refused after the stale read" -a "$ZA_PZ_PW"
[ "$(count "$dn_k")" = 3 ] || za_fail "kobayashi's counter not 3: $(count "$dn_k")"
za_ok "the counter is swapped from the value the login read: a change in between makes it lose"

# ---------------------------------------------------------------- concurrency
# 10 logins with one fingerprint key at once.  The soft key signs one
# assertion at a time, so the 10 assertions carry the counters c+1..c+10,
# one each.  A login reads the stored counter s (before its touch) and
# stores its own counter k > s with a compare-and-swap s -> k: it gets in
# if and only if nobody stored a counter since it read s.  So: at least
# one succeeds; every refusal is a lost compare-and-swap (never a clone:
# a counter read before one's own touch is always below one's own); the
# counters of the successes increase in the order they were stored, so
# the stored counter ends at the largest of them.
key conc
export SOFTFIDO_UV=builtin
enrol yamamoto f-yamamoto -u builtin
dn_y="zaTokenId=f-yamamoto,uid=yamamoto,$PEOPLE"
login fido2 yamamoto PAM_SUCCESS "yamamoto's first login refused"
c0=$(count "$dn_y")
N=10
rm -f "$work/go"
i=1
while [ "$i" -le "$N" ]; do
	(
		while [ ! -e "$work/go" ]; do sleep 0.01; done
		za_pz_conv_log fido2 yamamoto -t "tty$i" auth > "$work/conc.out.$i" 2>&1 || true
	) &
	i=$((i + 1))
done
sleep 0.3
: > "$work/go"
wait
cat "$work"/conc.out.* > "$work/conc"
ok=$(grep -c '^auth: PAM_SUCCESS$' "$work/conc" || true)
lost=$(grep -c 'result=failure reason=security key counter already used' "$work/conc" || true)
[ "$ok" -ge 1 ] || { cat "$work/conc"; za_fail "no concurrent login succeeded"; }
[ $((ok + lost)) = "$N" ] || { cat "$work/conc"; za_fail "$ok successes + $lost lost compare-and-swaps != $N"; }
if grep -q 'cloned' "$work/conc"; then cat "$work/conc"; za_fail "a concurrent login was taken for a clone"; fi
# The counters the key signed: exactly c0+1 .. c0+N.
sed -n 's/.*fido2: user=yamamoto .* counter=\([0-9]*\) result=verified.*/\1/p' "$work/conc" |
    sort -n > "$work/counters"
seq $((c0 + 1)) $((c0 + N)) > "$work/expected"
cmp -s "$work/counters" "$work/expected" ||
    { cat "$work/conc"; za_fail "signed counters $(tr '\n' ' ' < "$work/counters") are not $((c0 + 1))..$((c0 + N))"; }
max=0
for f in "$work"/conc.out.*; do
	grep -qx 'auth: PAM_SUCCESS' "$f" || continue
	k=$(sed -n 's/.*fido2: user=yamamoto .* counter=\([0-9]*\) result=verified.*/\1/p' "$f")
	[ "$k" -gt "$max" ] && max=$k
done
[ "$(count "$dn_y")" = "$max" ] || za_fail "stored counter $(count "$dn_y") is not the largest successful one ($max)"
[ "$(za_pz_get "$dn_y" zaTokenStatus)" = active ] || za_fail "credential status changed under concurrency"
unset SOFTFIDO_UV
za_ok "$N concurrent logins with one key: counters $((c0 + 1))..$((c0 + N)) signed once each; $ok got in, $lost lost the compare-and-swap; stored counter = largest successful ($max)"

# ---------------------------------------------------------------- file store
# yamada has no credential in the directory; the store holds one, written
# by fido2enrol -s through the model's serializer.
key store
store="$work/store"
mkdir -m 0700 "$store"
LD_PRELOAD="${asan:+$asan }$shim" "$enrol" -s -u none yamada fs-yamada \
    > "$store/zoneauth.store" 2> "$work/fs.err" ||
    { cat "$work/fs.err"; za_fail "enrolling fs-yamada into the store"; }
chmod 0600 "$store/zoneauth.store"
# scount / sstatus: fs-yamada's sign_count and status in the store file.
scount() {
	sed -n 's/^fido2 yamada id=fs-yamada .*sign_count=\([0-9]*\).*/\1/p' "$store/zoneauth.store"
}
sstatus() {
	sed -n 's/^fido2 yamada id=fs-yamada .*status=\([a-z]*\).*/\1/p' "$store/zoneauth.store"
}
[ "$(scount)" = 0 ] || { cat "$store/zoneauth.store"; za_fail "store record: enrolled counter not 0: $(scount)"; }
[ "$(sstatus)" = active ] || za_fail "store record: status $(sstatus)"
store_rules="[lockout]
delay = 0
deny = 100
[rule password-and-key]
match = any
classes = 2
methods = password,fido2
[store]
path = $store"
sconf=$(za_pz_conf fido2store "$store_rules")
za_pz_service fido2store "$sconf"
# Without [store] the credential does not exist.
login fido2 yamada PAM_AUTH_ERR "a store credential used without [store]" -a "$ZA_PZ_PW"
expect "no store: the key holds nothing" 'reason=security key: no-credential'
login fido2store yamada PAM_SUCCESS "store credential refused" -a "$ZA_PZ_PW"
expect "store login log" 'fido2: user=yamada .*token=fs-yamada aaguid='"$SOFT_AAGUID"' credential=[0-9a-f]{8}\.\. uv=none counter=1 result=verified'
expect "store auth log" 'auth: user=yamada .*methods=password,fido2 result=success'
[ "$(scount)" = 1 ] || za_fail "store counter not advanced to 1: $(scount)"
login fido2store yamada PAM_SUCCESS "second store login refused" -a "$ZA_PZ_PW"
[ "$(scount)" = 2 ] || za_fail "store counter not advanced to 2: $(scount)"
[ "$(stat -c %a "$store/zoneauth.store")" = 600 ] || za_fail "store file mode changed"
za_pz_service fido2storeallow "$sconf" fido2.aaguids=0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d
login fido2storeallow yamada PAM_AUTH_ERR "store credential outside fido2.aaguids accepted" -a "$ZA_PZ_PW"
expect "store allowlist refusal logged" "fido2: user=yamada token=fs-yamada: key model $SOFT_AAGUID is not in fido2.aaguids; credential not usable"
[ "$(scount)" = 2 ] || za_fail "a refused login moved the store counter: $(scount)"
n0=$(failures yamada)
SOFTFIDO_COUNTER=regress login fido2store yamada PAM_AUTH_ERR "cloned store key accepted" -a "$ZA_PZ_PW"
expect "store clone message" '^error: This security key has been blocked because it may have been copied\. Contact the ID administrator\.$'
expect "store clone logged" 'SYSLOG\(3\): fido2: user=yamada token=fs-yamada aaguid='"$SOFT_AAGUID"': signature counter 1 is not above the stored 2: the key may have been cloned; credential marked cloned'
[ "$(sstatus)" = cloned ] || { cat "$store/zoneauth.store"; za_fail "store credential not marked cloned: $(sstatus)"; }
[ "$(scount)" = 2 ] || za_fail "a clone's counter was stored in the store: $(scount)"
[ "$(failures yamada)" = $((n0 + 1)) ] || za_fail "store clone not counted as a failure"
login fido2store yamada PAM_AUTH_ERR "cloned store credential accepted with the genuine counter" -a "$ZA_PZ_PW"
expect "cloned store credential not loaded" 'reason=security key: no-credential'
[ "$(scount)" = 2 ] || za_fail "a cloned store credential's counter moved: $(scount)"
za_ok "file store credential: logins advance sign_count in the store (0 -> 1 -> 2); fido2.aaguids applies; a counter that goes back is refused and marked cloned in the store"

za_pz_done pam_fido2
