#!/bin/sh
# Concurrency without a lock server: 20 processes presenting the same
# valid TOTP code at once (directory token, then file store token) let
# exactly one in; 20 different users at once all get in.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/conc"
mkdir -m 0700 "$work"
N=20
conf=$(za_pz_conf conc "[lockout]
delay = 0
deny = 100")
za_pz_service conc "$conf" otp.window=2

rnd_hex() {
	head -c "$1" /dev/urandom | od -An -tx1 -v | tr -d ' \n'
}

# race NAME: start the N commands of $work/NAME.cmd.I at once (they wait
# for a start file), wait for all, and print how many succeeded.
race() {
	rm -f "$work/go"
	_i=1
	while [ "$_i" -le "$N" ]; do
		(
			while [ ! -e "$work/go" ]; do sleep 0.01; done
			. "$work/$1.cmd.$_i" > "$work/$1.out.$_i" 2>&1
		) &
		_i=$((_i + 1))
	done
	sleep 0.3
	: > "$work/go"
	wait
	cat "$work/$1".out.* | grep -c '^auth: PAM_SUCCESS$' || true
}

# ---------------------------------------------------------------- same code
s=$(za_pz_step)
code=$(za_pz_totp "$ZA_PZ_TANAKA_HEX" $((s + 1)))
i=1
while [ "$i" -le "$N" ]; do
	printf 'za_pz_conv conc tanaka -t tty%s -a "%s" -a "%s" auth\n' \
	    "$i" "$ZA_PZ_PW" "$code" > "$work/same.cmd.$i"
	i=$((i + 1))
done
ok=$(race same)
[ "$ok" = 1 ] || { cat "$work"/same.out.*; za_fail "$ok of $N concurrent logins with one code succeeded, not 1"; }
bad=$(cat "$work"/same.out.* | grep -c '^auth: PAM_AUTH_ERR$' || true)
[ "$bad" = $((N - 1)) ] || { cat "$work"/same.out.*; za_fail "$bad refusals, not $((N - 1))"; }
za_ok "$N processes with the same valid code (directory token): exactly 1 succeeds, $bad refused"

# The same through the file store's lock.
store="$ZA_SANDBOX/store"
mkdir -m 0700 "$store"
hex=$(rnd_hex 20)
b32=$(env printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base32 -w0 | tr -d =)
printf 'zoneauth-store 1\nuser kimura\ntotp kimura id=st1 status=active secret=%s digits=6 alg=sha1 period=30 window=1\n' \
    "$b32" > "$store/zoneauth.store"
chmod 0600 "$store/zoneauth.store"
sconf=$(za_pz_conf concstore "[lockout]
delay = 0
deny = 100
[store]
path = $store")
za_pz_service concstore "$sconf"
code=$(za_pz_totp "$hex" "$(za_pz_step)")
i=1
while [ "$i" -le "$N" ]; do
	printf 'za_pz_conv concstore kimura -a "%s" -a "%s" auth\n' \
	    "$ZA_PZ_PW" "$code" > "$work/store.cmd.$i"
	i=$((i + 1))
done
ok=$(race store)
[ "$ok" = 1 ] || { cat "$work"/store.out.*; za_fail "$ok of $N concurrent logins with one file-store code succeeded, not 1"; }
za_ok "$N processes with the same valid code (file store token): exactly 1 succeeds"

# ---------------------------------------------------------------- 20 users
users="sato suzuki takahashi ito watanabe yamamoto nakamura kobayashi yoshida
yamada yamaguchi matsumoto inoue hayashi saito shimizu yamazaki mori ikeda
hashimoto"
s=$(za_pz_step)
i=1
for u in $users; do
	hex=$(rnd_hex 20)
	za_pz_add_token "$u" "c-$u" totp "$hex" totp-sha1-6-30
	printf 'za_pz_conv conc %s -t tty%s -a "%s" -a "%s" auth\n' "$u" "$i" \
	    "$ZA_PZ_PW" "$(za_pz_totp "$hex" "$s")" > "$work/users.cmd.$i"
	i=$((i + 1))
done
[ "$i" = $((N + 1)) ] || za_fail "the user list does not hold $N users"
ok=$(race users)
[ "$ok" = "$N" ] || { cat "$work"/users.out.*; za_fail "$ok of $N different users succeeded at once"; }
za_ok "$N different users at once: all $N succeed"

za_pz_done pam_concurrency
