#!/bin/sh
# pam_zoneauth authentication through real libpam (pam_wrapper) against the
# sample directory: password + TOTP, each factor alone under a two-class
# rule, wrong and replayed codes, nothing stored by a failed login, unknown
# users indistinguishable from known ones, rules by user, group and zone,
# a weak rule refused under zone = mynumber, the "stack" password mode,
# the failure delay and the log line of every attempt.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/auth"
mkdir -m 0700 "$work"
hex=$ZA_PZ_TANAKA_HEX
tanaka="uid=tanaka,ou=people,$BASE_DN"
conf=$(za_pz_conf auth "[lockout]
delay = 0
deny = 100")
# A window of 10 steps lets one token log in several times within 30 s,
# with the codes of the coming steps.
za_pz_service auth "$conf" otp.window=10
s0=$(za_pz_step)

# ---------------------------------------------------------------- success
code=$(za_pz_totp "$hex" $((s0 + 1)))
za_pz_conv_log auth tanaka -t tty7 -a "$ZA_PZ_PW" -a "$code" auth > "$work/ok" ||
    true
za_pz_expect "password + TOTP succeeds" '^auth: PAM_SUCCESS$' "$work/ok"
[ "$(grep -c '^prompt-off:' "$work/ok")" = 2 ] || { cat "$work/ok"; za_fail "two prompts expected"; }
za_pz_expect "password prompt first" '^prompt-off: Password: $' "$work/ok"
za_pz_expect "then the code prompt" '^prompt-off: One-time code: $' "$work/ok"
za_pz_expect "success logged with user, terminal, rule, methods" \
    "SYSLOG\(6\): auth: user=tanaka terminal=[^ ]+:tty7 rule=\(default\) methods=password,totp,hotp result=success reason=-" "$work/ok"
grep -q -- "$ZA_PZ_PW\|$code" "$work/ok" && za_fail "a secret reached the log"
[ "$(za_pz_get "zaTokenId=demo-totp-1,$tanaka" oathTOTPLastTimeStep)" = $((s0 + 1)) ] ||
    za_fail "oathTOTPLastTimeStep is not the step of the code ($((s0 + 1)))"
za_ok "password + TOTP (oathtool's code for step $((s0 + 1))) succeeds; the step is stored; logged without secrets"

# ---------------------------------------------------------------- replay
za_pz_conv_log auth tanaka -a "$ZA_PZ_PW" -a "$code" auth > "$work/replay" || true
za_pz_expect "replayed code refused" '^auth: PAM_AUTH_ERR$' "$work/replay"
za_pz_expect "replay logged" 'result=failure reason=code already used' "$work/replay"
za_pz_expect "replay message" '^error: Authentication failed\.$' "$work/replay"
old=$(za_pz_totp "$hex" "$s0")
za_pz_conv_log auth tanaka -a "$ZA_PZ_PW" -a "$old" auth > "$work/older" || true
za_pz_expect "an older step's code refused" '^auth: PAM_AUTH_ERR$' "$work/older"
za_pz_expect "older step logged as used" 'reason=code already used' "$work/older"
za_ok "a used code and the code of an earlier step are refused"

# ---------------------------------------------------------------- one factor
code3=$(za_pz_totp "$hex" $((s0 + 3)))
za_pz_conv_log auth tanaka -a "$ZA_PZ_PW" -a "" auth > "$work/pwonly" || true
za_pz_expect "password alone refused" '^auth: PAM_AUTH_ERR$' "$work/pwonly"
za_pz_expect "password alone: malformed code" 'reason=malformed code' "$work/pwonly"
za_pz_conv_log auth tanaka -a "Wrong-Password-1" -a "$code3" auth > "$work/codeonly" || true
za_pz_expect "code alone refused" '^auth: PAM_AUTH_ERR$' "$work/codeonly"
za_pz_expect "code alone: wrong password" 'reason=wrong password$' "$work/codeonly"
# The code of the failed attempt was not consumed: nothing is stored until
# every factor passed.
[ "$(za_pz_get "zaTokenId=demo-totp-1,$tanaka" oathTOTPLastTimeStep)" = $((s0 + 1)) ] ||
    za_fail "a failed login moved oathTOTPLastTimeStep"
za_pz_conv auth tanaka -a "$ZA_PZ_PW" -a "$code3" auth=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "the code of a failed attempt no longer works"; }
# A wrong code: one that oathtool gives for no step of the window.
oathtool --totp -w 21 -N "@$(( (s0 - 10) * 30 ))" "$hex" > "$work/window"
wrong=100000
while grep -qx "$wrong" "$work/window"; do wrong=$((wrong + 1)); done
za_pz_conv_log auth tanaka -a "$ZA_PZ_PW" -a "$wrong" auth > "$work/wrong" || true
za_pz_expect "wrong code refused" '^auth: PAM_AUTH_ERR$' "$work/wrong"
za_pz_expect "wrong code logged" 'reason=wrong code$' "$work/wrong"
za_ok "under a two-class rule password alone and code alone fail; a wrong code fails; failures store nothing"

# ---------------------------------------------------------------- unknown users
# The same prompts and messages as a known user with a wrong password; the
# log does not echo the typed name unless configured to.
za_pz_conv_log auth tanaka -a wrong -a 000000 auth > "$work/known" || true
for name in nosuchuser 'Pa$$w0rd!' 'x)(uid=*'; do
	za_pz_conv_log auth "$name" -a wrong -a 000000 auth > "$work/unknown" || true
	grep -v '^SYSLOG' "$work/known" > "$work/k.conv"
	grep -v '^SYSLOG' "$work/unknown" > "$work/u.conv"
	cmp -s "$work/k.conv" "$work/u.conv" || {
		diff "$work/k.conv" "$work/u.conv"
		za_fail "unknown user '$name' sees something else than a known one"
	}
	za_pz_expect "unknown user logged as (unknown)" \
	    'auth: user=\(unknown\) .* result=failure reason=.*unknown user' "$work/unknown"
	grep -qF -- "$name" "$work/unknown" && za_fail "the unknown name '$name' was logged"
done
za_pz_service authnames "$conf" otp.window=10 general.log_unknown_user_names=yes
za_pz_conv_log authnames nosuchuser -a wrong -a 000000 auth > "$work/named" || true
za_pz_expect "log_unknown_user_names = yes logs the name" 'auth: user=nosuchuser ' "$work/named"
za_ok "unknown users: same prompts and messages as a known user; name logged only when configured"

# ---------------------------------------------------------------- delay
za_pz_service authdelay "$conf" otp.window=10 lockout.delay=1s
t0=$(date +%s%N)
za_pz_conv authdelay nosuchuser -a wrong -a 000000 auth=PAM_AUTH_ERR > "$work/out" ||
    { cat "$work/out"; za_fail "delayed failure"; }
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 1000 ] || za_fail "failure returned after $ms ms, before the 1 s delay"
t0=$(date +%s%N)
code4=$(za_pz_totp "$hex" $((s0 + 4)))
za_pz_conv authdelay tanaka -a "$ZA_PZ_PW" -a "$code4" auth=PAM_SUCCESS > "$work/out" ||
    { cat "$work/out"; za_fail "success with a delay configured"; }
ms2=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms2" -lt 1000 ] || za_fail "a success waited $ms2 ms"
za_ok "a failure waits for lockout.delay ($ms ms), a success does not ($ms2 ms)"

# ---------------------------------------------------------------- rules
# zone general; rules by user, posixGroup (memberUid), groupOfNames (member)
rules=$(za_pz_conf rules "[lockout]
delay = 0
[rule suzuki-only]
match = user:suzuki
classes = 1
methods = password
[rule id-admins]
match = group:id-admins
classes = 1
require = possession
methods = totp
[rule shimin]
match = group:shimin
classes = 2
[rule general-zone]
match = zone:general
classes = 1
methods = password")
sed -i 's/^zone = mynumber$/zone = general/' "$rules"
za_pz_service rules "$rules"
za_pz_conv_log rules suzuki -a "$ZA_PZ_PW" auth > "$work/r1" || true
za_pz_expect "user:suzuki rule: password only" '^auth: PAM_SUCCESS$' "$work/r1"
[ "$(grep -c '^prompt-off:' "$work/r1")" = 1 ] || { cat "$work/r1"; za_fail "user rule prompts"; }
za_pz_expect "user rule named in the log" 'rule=suzuki-only methods=password result=success' "$work/r1"
# okada is in groupOfNames id-admins: a code only.
za_pz_add_token okada okada-t1 totp 3132333435363738393031323334353637383931 totp-sha1-6-30
okcode=$(za_pz_totp 3132333435363738393031323334353637383931 "$(za_pz_step)")
za_pz_conv_log rules okada -a "$okcode" auth > "$work/r2" || true
za_pz_expect "group:id-admins (groupOfNames) rule: code only" '^auth: PAM_SUCCESS$' "$work/r2"
za_pz_expect "only the code prompt" '^prompt-off: One-time code: $' "$work/r2"
grep -q '^prompt-off: Password' "$work/r2" && za_fail "groupOfNames rule asked for a password"
za_pz_expect "id-admins rule logged" 'rule=id-admins methods=totp result=success' "$work/r2"
# sato is in posixGroup shimin: two classes.
za_pz_conv_log rules sato -a "$ZA_PZ_PW" -a 000000 auth > "$work/r3" || true
za_pz_expect "group:shimin (posixGroup) rule asks for two classes" '^prompt-off: One-time code: $' "$work/r3"
za_pz_expect "sato without a token refused" '^auth: PAM_AUTH_ERR$' "$work/r3"
za_pz_expect "no token logged" 'rule=shimin .*reason=no usable token' "$work/r3"
# kato (zeimu) matches only zone:general.
za_pz_conv_log rules kato -a "$ZA_PZ_PW" auth > "$work/r4" || true
za_pz_expect "zone:general rule" 'rule=general-zone methods=password result=success' "$work/r4"
# No rule matches: denied.
norule=$(za_pz_conf norule "[lockout]
delay = 0
[rule only-suzuki]
match = user:suzuki")
za_pz_service norule "$norule"
za_pz_conv_log norule tanaka auth > "$work/r5" || true
za_pz_expect "no matching rule denies" '^auth: PAM_AUTH_ERR$' "$work/r5"
za_pz_expect "no matching rule: message" '^error: No login rule of this terminal applies' "$work/r5"
za_pz_expect "no matching rule: logged" 'result=denied reason=no rule matches' "$work/r5"
grep -q '^prompt' "$work/r5" && za_fail "prompts without a rule"
za_ok "rules: user:, group: (posixGroup and groupOfNames), zone:, first match wins, no match denies"

# ---------------------------------------------------------------- mynumber
weak=$(za_pz_conf weak "[rule staff]
match = any
classes = 1
methods = password")
za_pz_service weak "$weak"
za_pz_conv_log weak tanaka -a "$ZA_PZ_PW" auth > "$work/weak" || true
za_pz_expect "weak rule under mynumber refused at load" '^auth: PAM_SERVICE_ERR$' "$work/weak"
za_pz_expect "weak rule logged" 'rule staff admits a login with one factor class, but zone = mynumber' "$work/weak"
grep -q '^prompt' "$work/weak" && za_fail "prompted under a refused configuration"
za_pz_conv weak tanaka acct=PAM_SERVICE_ERR open=PAM_SERVICE_ERR > "$work/out" 2>&1 ||
    { cat "$work/out"; za_fail "other phases with a weak policy"; }
za_ok "zone = mynumber: a one-class rule makes the configuration invalid; every phase refuses"

# ---------------------------------------------------------------- stack
# pam_exec (Linux-PAM) with expose_authtok reads the password, sets
# PAM_AUTHTOK and lets a checker decide: the "password module earlier in
# the stack", requisite.  pam_zoneauth trusts it (password = stack) and
# asks only for the code.
pamexec=''
for d in "/lib/$(${CC:-cc} -print-multiarch 2>/dev/null)/security" \
    /usr/lib/x86_64-linux-gnu/security /lib64/security /usr/lib64/security \
    /lib/security /usr/lib/security; do
	[ -f "$d/pam_exec.so" ] && { pamexec="$d/pam_exec.so"; break; }
done
[ -n "$pamexec" ] || za_skip "pam_exec.so not found (libpam-modules)"
cat > "$work/checkpw" <<'EOF'
#!/bin/sh
# pam_exec expose_authtok: the password on stdin, NUL-terminated
pw=$(tr -d '\000')
[ "$pw" = Local-Password-1 ]
EOF
chmod 0700 "$work/checkpw"
stack=$(za_pz_conf stack "[auth]
password = stack
[lockout]
delay = 0
deny = 100")
za_pam_service stack "auth requisite $pamexec quiet expose_authtok $work/checkpw" \
    "auth required $ZA_PAM_MODULE conf=$stack otp.window=10"
code5=$(za_pz_totp "$hex" $((s0 + 5)))
za_pz_conv_log stack tanaka -a Local-Password-1 -a "$code5" auth > "$work/s1" || true
za_pz_expect "stack: local password + code succeeds" '^auth: PAM_SUCCESS$' "$work/s1"
[ "$(grep -c '^prompt-off:' "$work/s1")" = 2 ] || { cat "$work/s1"; za_fail "stack prompts"; }
za_pz_expect "stack: zoneauth asks only for the code" '^prompt-off: One-time code: $' "$work/s1"
za_pz_expect "stack: knowledge counted" 'methods=password,totp,hotp result=success' "$work/s1"
code6=$(za_pz_totp "$hex" $((s0 + 6)))
za_pz_conv_log stack tanaka -a Wrong-Local-1 -a "$code6" auth > "$work/s2" || true
# pam_exec answers PAM_SYSTEM_ERR when its command fails.
za_pz_expect "stack: wrong local password stops the stack" '^auth: PAM_(AUTH|SYSTEM)_ERR$' "$work/s2"
grep -q 'One-time code' "$work/s2" && za_fail "stack: zoneauth ran after a failed requisite module"
za_pam_service stackonly "auth required $ZA_PAM_MODULE conf=$stack otp.window=10"
za_pz_conv_log stackonly tanaka -a "$code6" auth > "$work/s3" || true
za_pz_expect "stack without an earlier module refused" '^auth: PAM_AUTH_ERR$' "$work/s3"
za_pz_expect "stack without an earlier module logged" 'reason=no password from the stack' "$work/s3"
za_pz_expect "stack without an earlier module: error logged" 'no earlier module set PAM_AUTHTOK' "$work/s3"
za_ok "password = stack: trusts PAM_AUTHTOK of a requisite earlier module, asks only for the code"

za_pz_done pam_auth
