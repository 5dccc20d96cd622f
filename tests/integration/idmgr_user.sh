#!/bin/sh
# idmgr user add/show/list/modify/disable/enable/unlock/delete against the
# sandbox with the sample municipality: text and --json output, every
# error path (exit 1/2/3 naming the field, nothing changed), hostile
# names, the directory state each command leaves behind, and one audit
# record per change or refusal.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/idmgrenv.sh"
export TZ=Asia/Tokyo

za_im_start --sample
demo_pw=Reishi-Demo-2026

# jexpect STATUS FIELD DESCRIPTION ARGS: --json error naming FIELD.
jexpect() {
	_want=$1 _field=$2 _desc=$3
	shift 3
	expect "$_want" "$_desc" --json "$@"
	[ "$(jget .field)" = "${_field:-null}" ] ||
	    za_fail "$_desc: field $(jget .field), expected $_field: $out"
	[ "$(jget .exit_status)" = "$_want" ] || za_fail "$_desc: exit_status: $out"
	[ -n "$(jget .error)" ] && [ "$(jget .error)" != null ] ||
	    za_fail "$_desc: no error text: $out"
}
ldapmod() {
	ldapmodify -Q -Y EXTERNAL -H "$LDAPI_URI" >/dev/null
}
# count_entries FILTER: entries under ou=people.
count_entries() {
	srch -b "$people" "$1" dn | grep -c '^dn:' || true
}
# bind_ok UID PASSWORD: a simple bind as the user succeeds.
bind_ok() {
	ldapwhoami -x -H "$LDAP_URI" -D "uid=$1,$people" -w "$2" >/dev/null 2>&1
}
records() {
	if [ -f "$audit" ]; then wc -l < "$audit"; else echo 0; fi
}
last_record() {
	tail -n 1 "$audit"
}

# ---------------------------------------------------------------- add
n0=$(records)
expect 0 "user add (text)" user add t-yamada -e 555001 -n "山田 太郎" \
    -k "ヤマダ タロウ" -d shimin -t staff --mail t-yamada@example.lg.jp
pw=$(printf '%s\n' "$out" | sed -n 's/^initial password: //p')
printf '%s' "$pw" | grep -Eq '^[A-HJ-NP-Za-km-z2-9]{16}$' ||
    za_fail "initial password is 16 unambiguous characters: '$pw'"
printf '%s' "$pw" | grep -q '[0-9]' && printf '%s' "$pw" | grep -q '[A-Z]' &&
    printf '%s' "$pw" | grep -q '[a-z]' || za_fail "password classes: $pw"
srch -b "uid=t-yamada,$people" -s base pwdReset | grep -q '^pwdReset: TRUE' ||
    za_fail "pwdReset TRUE after user add"
set +e
bindout=$(ldapwhoami -x -H "$LDAP_URI" -D "uid=t-yamada,$people" -w "$pw" \
    -e ppolicy 2>&1)
set -e
printf '%s' "$bindout" | grep -q "Password must be changed" ||
    za_fail "the initial password binds and must be changed: $bindout"
oc=$(srch -b "uid=t-yamada,$people" -s base objectClass)
for c in inetOrgPerson posixAccount zoneauthAccount; do
	printf '%s' "$oc" | grep -qi "objectClass: $c" || za_fail "objectClass $c"
done
printf '%s' "$oc" | grep -qi oathTOTPUser && za_fail "user linked to the otp overlay"
[ "$(records)" -eq $((n0 + 1)) ] || za_fail "user add wrote one audit record"
rec=$(last_record)
printf '%s' "$rec" | jq -e '.action == "user.add" and .result == "ok" and
    .after.userPassword == ["<redacted>"] and .after.uid == ["t-yamada"] and
    .operator.dn == "'"$ADMIN_DN"'" and .operator.user == "'"$(id -un)"'"' \
    >/dev/null || za_fail "user.add audit record: $rec"
printf '%s' "$rec" | grep -q "$pw" && za_fail "the password is in the audit log"
printf '%s' "$rec" | jq -e '.time | test("\\+09:00$")' >/dev/null ||
    za_fail "audit time has the local offset: $rec"
za_ok "user add: random initial password, pwdReset, object classes, audit"

expect 0 "user add --json" --json user add t-kimura -e 555002 \
    -n "木村　花子" -k "キムラ　ハナコ" -d zeimu -t temporary --expiry 2099-03-31
[ "$(jget .user.uid)" = t-kimura ] || za_fail "json uid: $out"
[ "$(jget .user.password_must_change)" = true ] || za_fail "json pwdReset: $out"
[ "$(jget '.initial_password | length')" = 16 ] || za_fail "json password: $out"
[ "$(jget .user.surname)" = "木村" ] && [ "$(jget .user.given_name)" = "花子" ] ||
    za_fail "name split at the ideographic space: $out"
[ "$(jget .user.gid_number)" = 10102 ] || za_fail "gid of zeimu's posixGroup: $out"
[ "$(jget .user.expiry)" = 2099-03-31 ] || za_fail "json expiry: $out"
[ "$(jget .user.type)" = temporary ] || za_fail "json type: $out"
u1=$(srch -b "uid=t-yamada,$people" -s base uidNumber | sed -n 's/^uidNumber: //p')
[ "$(jget .user.uid_number)" -gt "$u1" ] || za_fail "uid numbers increase: $out"
bind_ok t-kimura "$(jget .initial_password)" || za_fail "json password binds"
za_ok "user add --json"

# ---------------------------------------------------------------- add errors
before=$(count_entries '(objectClass=*)')
jexpect 2 employee-number "missing employee number" user add e1 -n "a b" \
    -k "ア" -d shimin -t staff
jexpect 2 employee-number "bad employee number" user add e1 -e 12ab \
    -n "a b" -k "ア" -d shimin -t staff
jexpect 2 kana "hiragana as kana" user add e1 -e 1 -n "a b" -k "たなか" \
    -d shimin -t staff
jexpect 2 type "unknown type" user add e1 -e 1 -n "a b" -k "ア" -d shimin \
    -t boss
jexpect 2 expiry "staff with expiry" user add e1 -e 1 -n "a b" -k "ア" \
    -d shimin -t staff --expiry 2099-01-01
jexpect 2 expiry "development without expiry" user add e1 -e 1 -n "a b" \
    -k "ア" -d joho -t development
jexpect 2 expiry "expiry in the past" user add e1 -e 1 -n "a b" -k "ア" \
    -d shimin -t temporary --expiry 2001-01-01
jexpect 2 expiry "no such date" user add e1 -e 1 -n "a b" -k "ア" \
    -d shimin -t temporary --expiry 2099-02-30
jexpect 2 mail "bad mail" user add e1 -e 1 -n "a b" -k "ア" -d shimin \
    -t staff --mail 'a@b.c)(uid=*'
jexpect 2 uid "upper-case uid" user add Taro -e 1 -n "a b" -k "ア" \
    -d shimin -t staff
jexpect 2 uid "uid too long" user add abcdefghijabcdefghijabcdefghijabc \
    -e 1 -n "a b" -k "ア" -d shimin -t staff
jexpect 2 uid "missing uid" user add -e 1 -n "a b" -k "ア" -d shimin -t staff
jexpect 2 uid-number "uid number out of range" user add e1 -e 1 -n "a b" \
    -k "ア" -d shimin -t staff --uid-number 12
expect 2 "unknown option" user add e1 --frobnicate
printf '%s' "$err" | grep -q 'unknown option "--frobnicate"' ||
    za_fail "unknown option named: $err"
jexpect 1 uid "existing uid" user add tanaka -e 999999 -n "a b" -k "ア" \
    -d shimin -t staff
jexpect 1 employee-number "employee number in use" user add e1 -e 101001 \
    -n "a b" -k "ア" -d shimin -t staff
jexpect 1 department "unknown department" user add e1 -e 555009 -n "a b" \
    -k "ア" -d nosuch -t staff
jexpect 1 uid-number "uid number in use" user add e1 -e 555009 -n "a b" \
    -k "ア" -d shimin -t staff --uid-number 20001
[ "$(count_entries '(objectClass=*)')" -eq "$before" ] ||
    za_fail "a failed add changed the directory"
za_ok "user add: each bad value names its field, exit 2/1, nothing written"

# ---------------------------------------------------------------- show
expect 0 "user show (text)" user show tanaka
for s in "田中 花子" "タナカ ハナコ" 101001 shimin demo-totp-1 mynumber-users \
    "not locked" "last MFA login"; do
	printf '%s' "$out" | grep -q "$s" || za_fail "show lacks '$s': $out"
done
expect 0 "user show --json" --json user show tanaka
[ "$(jget .user.name)" = "田中 花子" ] || za_fail "json name: $out"
[ "$(jget '.user.tokens[0].id')" = demo-totp-1 ] || za_fail "json tokens: $out"
[ "$(jget '.user.tokens[0].status')" = active ] || za_fail "json token status"
jget '.user.groups | index("mynumber-users")' | grep -q '^[0-9]' ||
    za_fail "json groups: $out"
[ "$(jget .user.locked)" = false ] && [ "$(jget .user.privileged)" = false ] ||
    za_fail "json lock/privileged: $out"
[ "$(jget '.user.last_mfa_login.time')" = null ] || za_fail "no MFA login yet"
expect 0 "show a privileged ID" --json user show rs-kanri01
jget .user.privileged.owner | grep -q '^uid=okada' ||
    za_fail "privileged owner: $out"
expect 0 "show an expiring ID" --json user show fukuda
[ "$(jget .user.expiry)" = 2027-03-31 ] && [ "$(jget .user.type)" = temporary ] ||
    za_fail "expiry of a temporary ID: $out"
jexpect 1 uid "show unknown" user show nosuchuser
za_ok "user show: status, lock, tokens, groups, privileged, expiry"

# ---------------------------------------------------------------- list
expect 0 "list contractors" --json user list --type contractor
[ "$(jget .count)" = 5 ] || za_fail "5 contractors: $out"
[ "$(jget '[.users[].type] | unique | join(",")')" = contractor ] ||
    za_fail "only contractors: $out"
expect 0 "list suspended" --json user list --status suspended
[ "$(jget '[.users[].uid] | sort | join(",")')" = "ishikawa,kato,sasaki" ] ||
    za_fail "suspended IDs: $out"
expect 0 "list a group" --json user list --group mynumber-users
jget '[.users[].uid] | index("tanaka")' | grep -q '^[0-9]' ||
    za_fail "tanaka in mynumber-users: $out"
[ "$(jget '[.users[].uid] | index("okamoto")')" = null ] ||
    za_fail "a contractor is not in mynumber-users: $out"
expect 0 "list a department and type" --json user list -d joho -t contractor
[ "$(jget .count)" = 5 ] || za_fail "joho contractors: $out"
expect 0 "list expired" --json user list --expired
[ "$(jget .count)" = 0 ] || za_fail "no expired IDs yet: $out"
expect 0 "list (text)" user list --department shimin
printf '%s\n' "$out" | tail -n 1 | grep -Eq '^[0-9]+ users$' ||
    za_fail "list footer: $out"
# Columns line up by display width: every row's kana starts where the
# header's KANA does, whatever the width of the kanji before it.
hdr=$(printf '%s\n' "$out" | head -n 1)
col=$(printf '%s' "${hdr%%KANA*}" | wc -L)
table=$out
expect 0 "list json for alignment" --json user list --department shimin
nrows=0
for uid in $(jget '.users[].uid'); do
	kana=$(jget ".users[] | select(.uid == \"$uid\") | .kana")
	line=$(printf '%s\n' "$table" | grep "^$uid ")
	pre=$(printf '%s' "${line%%"$kana"*}" | wc -L)
	[ "$pre" -eq "$col" ] || za_fail "row $uid: kana at column $pre, header at $col"
	nrows=$((nrows + 1))
done
[ "$nrows" -ge 5 ] || za_fail "alignment checked on $nrows rows only"
jexpect 2 type "list bad type" user list --type boss
jexpect 2 status "list bad status" user list --status gone
jexpect 1 group "list unknown group" user list --group nosuchgroup
za_ok "user list: filters by type, status, group, department; aligned Japanese columns"

# ---------------------------------------------------------------- hostile
jexpect 2 uid "show '*'" user show '*'
jexpect 2 uid "show a filter injection" user show 'x)(uid=*'
jexpect 2 uid "show DN specials" user show 'a,ou=people'
expect 0 "list --department '*'" --json user list --department '*'
[ "$(jget .count)" = 0 ] || za_fail "'*' matched departments literally: $out"
expect 0 "list --department injection" --json user list \
    --department 'shimin)(|(uid=*'
[ "$(jget .count)" = 0 ] || za_fail "filter injection matched: $out"
jexpect 1 group "list --group '*'" user list --group '*'
hostile='x*()\,+"<>;= 太郎'
expect 0 "add with a hostile name" --json user add hostile -e 555003 \
    -n "$hostile" -k "ア イ" -d shimin -t staff --approval "$hostile"
expect 0 "show it" --json user show hostile
[ "$(jget .user.name)" = "$hostile" ] || za_fail "hostile name stored verbatim: $out"
[ "$(jget .user.approval_ref)" = "$hostile" ] || za_fail "hostile approval: $out"
[ "$(jget .user.dn)" = "uid=hostile,$people" ] || za_fail "dn: $out"
jexpect 1 department "hostile department" user add e2 -e 555004 -n "a b" \
    -k "ア" -d 'shimin)(ou=*' -t staff
ctl=$(printf 'a\001b')
jexpect 2 name "control character in name" user add e2 -e 555004 \
    -n "$ctl" -k "ア" -d shimin -t staff
jexpect 2 reason "control character in reason" user disable hostile \
    --reason "$(printf 'x\033[2J')"
# NUL cannot travel in argv: bash's $'...' cuts the word there, so the
# name becomes "tan" and finds nobody (not tanaka, not everyone).
if command -v bash >/dev/null; then
	set +e
	bash -c '"$0" -c "$1" --json user show $'"'"'tan\0aka'"'" \
	    "$idmgr" "$conf" > "$ZA_SANDBOX/nul.json" 2>/dev/null
	st=$?
	set -e
	[ "$st" -eq 1 ] || za_fail "NUL in a uid: exit $st"
	jq -e '.field == "uid" and (.error | test("tan$"))' \
	    "$ZA_SANDBOX/nul.json" >/dev/null || za_fail "NUL: $(cat "$ZA_SANDBOX/nul.json")"
fi
[ "$(count_entries '(uid=e2)')" -eq 0 ] || za_fail "hostile input created an entry"
za_ok "hostile names: escaped or refused, stored verbatim when valid"

# ---------------------------------------------------------------- modify
n0=$(records)
expect 0 "modify" --json user modify t-yamada --name "山田 太朗" \
    --mail taro@example.lg.jp --project "住民記録"
[ "$(jget '.changes.cn.before[0]')" = "山田 太郎" ] &&
    [ "$(jget '.changes.cn.after[0]')" = "山田 太朗" ] ||
    za_fail "modify before/after cn: $out"
[ "$(jget '.changes.mail.before[0]')" = t-yamada@example.lg.jp ] ||
    za_fail "modify before mail: $out"
[ "$(jget '.changes.sn')" = null ] || za_fail "unchanged sn listed: $out"
srch -b "uid=t-yamada,$people" -s base mail | grep -q '^mail: taro@example.lg.jp' ||
    za_fail "mail changed in the directory"
[ "$(records)" -eq $((n0 + 1)) ] || za_fail "modify wrote one record"
last_record | jq -e '.action == "user.modify" and
    .before.mail == ["t-yamada@example.lg.jp"] and
    .after.mail == ["taro@example.lg.jp"]' >/dev/null ||
    za_fail "modify audit record: $(last_record)"
expect 0 "modify unchanged" --json user modify t-yamada --mail taro@example.lg.jp
jget .result | grep -q unchanged || za_fail "unchanged: $out"
[ "$(records)" -eq $((n0 + 1)) ] || za_fail "no record for no change"
expect 0 "remove a value" --json user modify t-yamada --project none
[ "$(jget '.changes.zaProject.after')" = "[]" ] || za_fail "project removed: $out"
jexpect 2 "" "modify nothing" user modify t-yamada
jexpect 1 uid "modify unknown" user modify nosuch --mail a@b.jp
jexpect 1 employee-number "modify to a used number" user modify t-yamada -e 101001
jexpect 2 expiry "temporary to staff keeps expiry" user modify t-kimura -t staff
expect 0 "temporary to staff" --json user modify t-kimura -t staff --expiry none
[ "$(jget '.changes.zaEmploymentType.after[0]')" = staff ] ||
    za_fail "type changed: $out"
jexpect 2 uid-number "uid number is not modifiable" user modify t-yamada \
    --uid-number 30000
expect 0 "department change moves the gid" --json user modify t-yamada -d hoken
[ "$(jget '.changes.gidNumber.after[0]')" = 10103 ] || za_fail "gid: $out"
za_ok "user modify: before/after, audit, no-op, errors"

# ---------------------------------------------------------------- disable
bind_ok ito "$demo_pw" || za_fail "ito binds before disable"
jexpect 2 reason "disable without reason" user disable ito
n0=$(records)
expect 0 "disable" --json user disable ito --reason "退職"
[ "$(jget '.changes.zaAccountStatus.after[0]')" = disabled ] ||
    za_fail "disable: $out"
bind_ok ito "$demo_pw" && za_fail "a disabled ID still binds with its password"
expect 0 "show disabled" --json user show ito
[ "$(jget .user.status)" = disabled ] && [ "$(jget .user.status_reason)" = "退職" ] &&
    [ "$(jget .user.lock.directory)" = true ] || za_fail "disabled state: $out"
jexpect 3 uid "disable twice" user disable ito --reason again
[ "$(records)" -eq $((n0 + 2)) ] || za_fail "the refusal was recorded"
last_record | jq -e '.action == "user.disable" and .result == "refused"' \
    >/dev/null || za_fail "refusal record: $(last_record)"
jexpect 3 uid "unlock a disabled ID" user unlock ito
expect 0 "enable" --json user enable ito --reason "再雇用"
bind_ok ito "$demo_pw" || za_fail "enabled ID binds again"
jexpect 3 uid "enable an active ID" user enable ito --reason x
expect 0 "enable a suspended ID" --json user enable kato --reason "出向終了"
[ "$(jget '.changes.zaSuspendedFrom.after')" = "[]" ] ||
    za_fail "suspension dates removed: $out"
za_ok "user disable/enable: status, directory lock, refusals recorded"

# ---------------------------------------------------------------- unlock
for i in 1 2 3 4 5 6; do
	bind_ok sato wrong-password && za_fail "wrong password bound"
done
bind_ok sato "$demo_pw" && za_fail "sato should be locked by ppolicy"
ldapmod <<EOF
dn: uid=sato,$people
changetype: modify
add: zaLockedUntil
zaLockedUntil: 20991231000000Z
-
add: zaAuthFailure
zaAuthFailure: 20261124000000Z 0123456789abcdef term01
EOF
expect 0 "list locked" --json user list --locked
jget '[.users[].uid] | index("sato")' | grep -q '^[0-9]' || za_fail "sato locked: $out"
expect 0 "unlock" --json user unlock sato --reason "本人確認済み"
for a in pwdAccountLockedTime zaLockedUntil zaAuthFailure pwdFailureTime; do
	[ "$(jget ".changes.$a.after")" = "[]" ] || za_fail "unlock clears $a: $out"
done
[ "$(jget '.changes.zaAuthFailure.before[0]')" = \
    "20261124000000Z 0123456789abcdef term01" ] || za_fail "before values: $out"
bind_ok sato "$demo_pw" || za_fail "unlocked ID binds"
last_record | jq -e '.action == "user.unlock" and .reason == "本人確認済み" and
    .after.pwdAccountLockedTime == []' >/dev/null ||
    za_fail "unlock record: $(last_record)"
expect 0 "unlock again" --json user unlock sato
jget .result | grep -q "not locked" || za_fail "not locked: $out"
# Locked by the count of recent failures (pam_zoneauth's rule, default 5).
now=$(date -u +%Y%m%d%H%M%SZ)
ldapmod <<EOF
dn: uid=watanabe,$people
changetype: modify
add: zaAuthFailure
zaAuthFailure: $now 00000000000000a1 term01
zaAuthFailure: $now 00000000000000a2 term01
zaAuthFailure: $now 00000000000000a3 term02
zaAuthFailure: $now 00000000000000a4 term02
zaAuthFailure: $now 00000000000000a5 -
EOF
expect 0 "show locked by failures" --json user show watanabe
[ "$(jget .user.locked)" = true ] && [ "$(jget .user.lock.by_failures)" = true ] &&
    [ "$(jget .user.lock.failures_counted)" = 5 ] &&
    [ "$(jget .user.lock.directory)" = false ] || za_fail "lock by count: $out"
expect 0 "show locked by failures (text)" user show watanabe
printf '%s' "$out" | grep -q "locked by 5 recent failures" || za_fail "text lock: $out"
expect 0 "unlock it" user unlock watanabe -r "確認済み"
expect 0 "show after unlock" --json user show watanabe
[ "$(jget .user.locked)" = false ] || za_fail "still locked: $out"
# Failed password binds below the limit: unlock resets ppolicy's count.
bind_ok suzuki wrong-password && za_fail "wrong password bound"
bind_ok suzuki wrong-password && za_fail "wrong password bound"
expect 0 "reset failure count" --json user unlock suzuki
[ "$(jget '.changes.pwdFailureTime.before | length')" = 2 ] &&
    [ "$(jget '.changes.pwdFailureTime.after')" = "[]" ] ||
    za_fail "pwdFailureTime cleared: $out"
za_ok "user unlock: ppolicy and zoneauth locks and failure records cleared"

# ---------------------------------------------------------------- delete
jexpect 3 uid "delete an active ID" user delete t-yamada
expect 0 "enrol a token to be deleted with the user" token totp-enroll t-yamada
ldapmod <<EOF
dn: cn=shimin,ou=groups,$BASE_DN
changetype: modify
add: memberUid
memberUid: t-yamada
-

dn: cn=mynumber-users,ou=groups,$BASE_DN
changetype: modify
add: member
member: uid=t-yamada,$people
EOF
expect 0 "disable before delete" user disable t-yamada --reason "退職"
jexpect 3 uid "delete inside the grace period" user delete t-yamada
printf '%s' "$err" | grep -q "grace period of 30 days" || za_fail "grace named: $err"
jexpect 2 reason "force without reason" user delete t-yamada --force
jexpect 2 grace-days "bad grace days" user delete t-yamada --grace-days -1
n0=$(records)
expect 0 "delete after the grace period" --json user delete t-yamada --grace-days 0
[ "$(jget .tokens_deleted)" = 1 ] || za_fail "token deleted: $out"
[ "$(jget '.groups | sort | join(",")')" = "mynumber-users,shimin" ] ||
    za_fail "groups: $out"
[ "$(count_entries '(uid=t-yamada)')" -eq 0 ] || za_fail "entry still there"
srch -b "ou=groups,$BASE_DN" "(|(memberUid=t-yamada)(member=uid=t-yamada,$people))" dn |
    grep -q '^dn:' && za_fail "group memberships left behind"
[ "$(records)" -eq $((n0 + 4)) ] || za_fail "2 group + 1 token + 1 user records"
last_record | jq -e '.action == "user.delete" and .before.uid == ["t-yamada"] and
    .before.userPassword == ["<redacted>"]' >/dev/null ||
    za_fail "delete record: $(last_record)"
# Disabled 40 days ago: the default grace period is over.
expect 0 "disable t-kimura" user disable t-kimura --reason "任期満了"
ldapmod <<EOF
dn: uid=t-kimura,$people
changetype: modify
replace: zaStatusChangedTime
zaStatusChangedTime: $(date -u -d '40 days ago' +%Y%m%d%H%M%SZ)
EOF
expect 0 "delete after 40 days" user delete t-kimura
printf '%s' "$out" | grep -q "deleted uid=t-kimura" || za_fail "delete text: $out"
# Privileged IDs need --force even when disabled long ago.
expect 0 "disable a privileged ID" user disable rs-kanri01 --reason x
ldapmod <<EOF
dn: uid=rs-kanri01,$people
changetype: modify
replace: zaStatusChangedTime
zaStatusChangedTime: 20200101000000Z
EOF
jexpect 3 uid "delete a privileged ID" user delete rs-kanri01
# The last member of a groupOfNames: refused before anything is written.
ldapadd -Q -Y EXTERNAL -H "$LDAPI_URI" >/dev/null <<EOF
dn: cn=solo,ou=groups,$BASE_DN
objectClass: groupOfNames
cn: solo
member: uid=hostile,$people
EOF
jexpect 1 group "delete the last member of a group" user delete hostile \
    --force --reason "テスト"
[ "$(count_entries '(uid=hostile)')" -eq 1 ] || za_fail "hostile was deleted"
expect 0 "forced delete of an active ID" --json user delete ota --force \
    --reason "誤登録"
[ "$(jget .forced)" = true ] || za_fail "forced: $out"
last_record | jq -e '.reason == "forced: 誤登録"' >/dev/null ||
    za_fail "forced reason recorded: $(last_record)"
za_ok "user delete: grace period, privileged and last-member rules, tokens and groups"

# ---------------------------------------------------------------- races
# Concurrent adds may pick the same next uid number; they settle on
# distinct ones.
for i in 1 2 3 4 5 6; do
	"$idmgr" -c "$conf" --json user add "race$i" -e "88800$i" \
	    -n "競合 $i" -k "キョウゴウ" -d somu -t staff \
	    > "$ZA_SANDBOX/race$i.json" 2>"$ZA_SANDBOX/race$i.err" &
done
wait
for i in 1 2 3 4 5 6; do
	jq -e '.user.uid_number > 0' "$ZA_SANDBOX/race$i.json" >/dev/null ||
	    za_fail "race$i: $(cat "$ZA_SANDBOX/race$i.json" "$ZA_SANDBOX/race$i.err")"
done
nums=$(srch -b "$people" '(uid=race*)' uidNumber | sed -n 's/^uidNumber: //p')
[ "$(printf '%s\n' "$nums" | wc -l)" -eq 6 ] || za_fail "6 racers: $nums"
[ "$(printf '%s\n' "$nums" | sort -u | wc -l)" -eq 6 ] ||
    za_fail "concurrent adds got duplicate uid numbers: $nums"
za_ok "concurrent user adds get distinct uid numbers"

expect 0 "audit log intact" --json audit verify
[ "$(jget .intact)" = true ] || za_fail "audit verify: $out"

# ---------------------------------------------------------------- bare
# A directory without the sample: no departments container, no groups.
za_sandbox_start
conf="$ZA_SANDBOX/zoneauth.conf"
jexpect 2 gid-number "no posixGroup for the department" user add solo \
    -e 1 -n "一人 目" -k "ヒトリ メ" -d anything -t staff
expect 0 "add with --gid-number" --json user add solo -e 1 -n "一人 目" \
    -k "ヒトリ メ" -d anything -t staff --gid-number 5000
[ "$(jget .user.gid_number)" = 5000 ] && [ "$(jget .user.uid_number)" = 20000 ] ||
    za_fail "first uid number 20000, gid as given: $out"
expect 0 "list in a bare directory" --json user list
[ "$(jget .count)" = 1 ] || za_fail "one user: $out"
za_ok "a directory without departments or groups"
echo "PASS: idmgr_user"
