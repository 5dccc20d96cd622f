#!/bin/sh
# idmgr's audit log: one chained JSON record per change and per refusal,
# "idmgr audit verify" on intact, edited, deleted, inserted, reordered,
# truncated and malformed logs (naming the line), HMAC-keyed logs and
# wrong keys, concurrent idmgr runs appending safely, and the behaviour
# when the log cannot be written (the change is reported, the initial
# password is never lost).
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
export TZ=Asia/Tokyo

za_im_start --sample
log="$ZA_SANDBOX/audit.log"
work="$ZA_SANDBOX/audit-test"
mkdir -m 0700 "$work"

# run ARGS: idmgr ARGS (without -c: the tests name a configuration or
# none); sets st, out, err.  Replaces idmgrenv.sh's run, which expect uses.
run() {
	set +e
	out=$("$idmgr" "$@" 2>"$work/stderr")
	st=$?
	set -e
	err=$(cat "$work/stderr")
}

# ---------------------------------------------------------------- records
expect 0 "modify" -c "$conf" user modify tanaka --project "監査テスト"
expect 0 "disable" -c "$conf" user disable ito --reason "退職"
expect 3 "refused enable of an active ID" -c "$conf" user enable sato -r x
expect 0 "enrol" -c "$conf" token totp-enroll suzuki
[ "$(wc -l < "$log")" -eq 4 ] || za_fail "4 records: $(cat "$log")"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" | jq -e --argjson seq "$i" '
	    .v == 1 and .seq == $seq and .alg == "sha256" and
	    (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\+09:00$")) and
	    (.prev | test("^[0-9a-f]{64}$")) and
	    (.hash | test("^[0-9a-f]{64}$")) and
	    .operator.dn == "'"$ADMIN_DN"'" and
	    .operator.user == "'"$(id -un)"'" and
	    .operator.uid == '"$(id -u)"' and
	    (.target | test("^(uid|zaTokenId)="))' >/dev/null ||
	    za_fail "record $i: $line"
done < "$log"
sed -n 1p "$log" | jq -e '.action == "user.modify" and .result == "ok" and
    .before.zaProject == [] and .after.zaProject == ["監査テスト"]' >/dev/null ||
    za_fail "modify record"
sed -n 2p "$log" | jq -e '.action == "user.disable" and .reason == "退職" and
    .after.zaAccountStatus == ["disabled"] and
    .before.zaAccountStatus == ["active"]' >/dev/null || za_fail "disable record"
sed -n 3p "$log" | jq -e '.action == "user.enable" and .result == "refused"
    and (.reason | test("already active"))' >/dev/null || za_fail "refusal record"
sed -n 4p "$log" | jq -e '.action == "token.totp-enroll" and
    .after.oathSecret == ["<redacted>"]' >/dev/null || za_fail "enrol record"
# Each record chains to the one before.
prev=$(sed -n 1p "$log" | jq -r .hash)
[ "$(sed -n 2p "$log" | jq -r .prev)" = "$prev" ] || za_fail "prev links records"
za_ok "every change and refusal is one chained record with operator and before/after"

# The summary line the log sink sends to syslog (authpriv); -v shows it.
expect 0 "verbose change" -c "$conf" -v user modify tanaka --project "監査2"
printf '%s' "$err" | grep -q "audit seq=5 action=user.modify target=uid=tanaka,ou=people,$BASE_DN .*result=ok hash=$(tail -n 1 "$log" | jq -r .hash | cut -c1-16)" ||
    za_fail "syslog summary: $err"
printf '%s' "$err" | grep -q "監査2" && za_fail "a value in the syslog summary"

# ---------------------------------------------------------------- verify
expect 0 "verify (configured log)" -c "$conf" audit verify
printf '%s' "$out" | grep -q "intact, 5 records, last seq 5" || za_fail "text: $out"
expect 0 "verify --json" -c "$conf" --json audit verify
[ "$(jget .intact)" = true ] && [ "$(jget .records)" = 5 ] &&
    [ "$(jget .last_seq)" = 5 ] || za_fail "json verify: $out"
[ "$(jget .last_hash)" = "$(tail -n 1 "$log" | jq -r .hash)" ] ||
    za_fail "last hash: $out"

# Copies of the log, each broken in one way.
cp "$log" "$work/edited"
sed -i '2s/退職/解雇/' "$work/edited"
cp "$log" "$work/deleted"
sed -i '2d' "$work/deleted"
cp "$log" "$work/inserted"
sed -i '2p' "$work/inserted"
awk 'NR == 2 { h = $0; next } NR == 3 { print; print h; next } { print }' \
    "$log" > "$work/reordered"
cp "$log" "$work/truncated"
truncate -s -1 "$work/truncated"
cp "$log" "$work/malformed"
printf 'not a record\n' >> "$work/malformed"
for t in edited:2 deleted:2 inserted:3 reordered:2 truncated:5 malformed:6; do
	name=${t%%:*} line=${t#*:}
	expect 1 "verify $name" --json audit verify "$work/$name"
	[ "$(jget .intact)" = false ] && [ "$(jget .problem)" = "$name" ] &&
	    [ "$(jget .bad_line)" = "$line" ] ||
	    za_fail "$name log: problem $(jget .problem) line $(jget .bad_line): $out"
	[ "$(jget .field)" = file ] || za_fail "$name: error field: $out"
	jget .message | grep -q "line $line" || za_fail "$name: message: $out"
	expect 1 "verify $name (text)" audit verify "$work/$name"
	printf '%s' "$out$err" | grep -q "line $line: $name" ||
	    za_fail "$name text names the line: $out $err"
done
expect 1 "verify a missing file" audit verify "$work/absent"
za_ok "audit verify: intact; edited, deleted, inserted, reordered, truncated, malformed named by line"

# ---------------------------------------------------------------- concurrency
for u in watanabe yamamoto nakamura kobayashi yoshida yamada sasaki \
    yamaguchi matsumoto inoue; do
	"$idmgr" -c "$conf" user modify "$u" --project "並行 $u" \
	    > "$work/par.$u" 2>&1 &
done
wait
[ "$(wc -l < "$log")" -eq 15 ] || za_fail "10 concurrent records appended: $(wc -l < "$log")"
expect 0 "verify after concurrent appends" -c "$conf" --json audit verify
[ "$(jget .intact)" = true ] && [ "$(jget .records)" = 15 ] ||
    za_fail "chain after concurrent runs: $out"
[ "$(jq -r .seq "$log" | sort -n | uniq | wc -l)" -eq 15 ] || za_fail "unique seqs"
za_ok "10 concurrent idmgr runs append an intact chain"

# ---------------------------------------------------------------- HMAC
key="$work/hmac.key"
(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$key")
wrong="$work/wrong.key"
(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$wrong")
hlog="$work/hmac.log"
hconf="$work/hmac.conf"
sed "s|^log = .*|log = $hlog\nhmac_key_file = $key|" "$conf" > "$hconf"
chmod 0600 "$hconf"
grep -q "^hmac_key_file = $key" "$hconf" || za_fail "hmac configuration"
expect 0 "change with an HMAC log" -c "$hconf" user modify tanaka --project HMAC
expect 0 "second change" -c "$hconf" user modify tanaka --project HMAC2
jq -e '.alg == "hmac-sha256" and (.kid | test("^[0-9a-f]{16}$"))' "$hlog" \
    >/dev/null || za_fail "HMAC records: $(cat "$hlog")"
expect 0 "verify with the configured key" -c "$hconf" --json audit verify
[ "$(jget .intact)" = true ] && [ "$(jget .records)" = 2 ] || za_fail "$out"
expect 0 "verify FILE --key-file" --json audit verify "$hlog" --key-file "$key"
[ "$(jget .intact)" = true ] || za_fail "$out"
expect 1 "verify with a wrong key" --json audit verify "$hlog" --key-file "$wrong"
[ "$(jget .problem)" = "wrong key" ] || za_fail "wrong key named: $out"
expect 1 "verify an HMAC log without key" --json audit verify "$hlog"
[ "$(jget .problem)" = "key missing" ] || za_fail "missing key named: $out"
expect 1 "verify a plain log with a key" --json audit verify "$log" \
    --key-file "$key"
[ "$(jget .intact)" = false ] || za_fail "plain log under a key: $out"
cp "$hlog" "$work/hmac.edited"
sed -i '1s/HMAC/HMAX/' "$work/hmac.edited"
expect 1 "edited HMAC log" --json audit verify "$work/hmac.edited" --key-file "$key"
[ "$(jget .problem)" = edited ] && [ "$(jget .bad_line)" = 1 ] || za_fail "$out"
expect 2 "--key-file with --no-key" audit verify "$hlog" --key-file "$key" --no-key
za_ok "HMAC-keyed log: verified with its key; wrong or missing key and edits detected"

# ---------------------------------------------------------------- failures
# A key that does not match the plain log: the change happens, the record
# cannot be chained, idmgr says so and exits 1.
mixconf="$work/mix.conf"
sed "s|^log = .*|log = $log\nhmac_key_file = $key|" "$conf" > "$mixconf"
chmod 0600 "$mixconf"
n0=$(wc -l < "$log")
expect 1 "audit append refused" -c "$mixconf" --json user modify tanaka \
    --project "記録不可"
[ "$(jget .field)" = audit ] || za_fail "audit named: $out"
jget .error | grep -q "the change itself was made" || za_fail "says the change was made: $out"
[ "$(jget .changes.zaProject.after[0])" = "記録不可" ] || za_fail "the change is reported: $out"
[ "$(wc -l < "$log")" -eq "$n0" ] || za_fail "nothing appended"
# An unsafe (group-writable) log: user add still hands out the password.
chmod 0660 "$log"
expect 1 "user add with an unsafe audit log" -c "$conf" --json user add \
    audit-t1 -e 777001 -n "監査 一郎" -k "カンサ イチロウ" -d somu -t staff
[ "$(jget .field)" = audit ] || za_fail "audit named: $out"
[ "$(jget '.initial_password | length')" = 16 ] || za_fail "password kept: $out"
[ "$(jget .user.password_must_change)" = true ] || za_fail "user reported: $out"
expect 1 "text mode too" -c "$conf" user add audit-t2 -e 777002 \
    -n "監査 二郎" -k "カンサ ジロウ" -d somu -t staff
printf '%s' "$out" | grep -Eq '^initial password: [A-Za-z0-9]{16}$' ||
    za_fail "text password kept: $out"
printf '%s' "$err" | grep -q "audit log" || za_fail "audit error shown: $err"
chmod 0600 "$log"
za_ok "an unwritable audit log: change reported, exit 1, password never lost"
echo "PASS: idmgr_audit"
