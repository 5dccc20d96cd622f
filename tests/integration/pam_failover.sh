#!/bin/sh
# Failing safely: with the first URI dead and the second alive a login
# succeeds; a directory that does not answer (slapd stopped with SIGSTOP:
# connections open, nothing answers) or is gone gives PAM_AUTHINFO_UNAVAIL
# with a clear message inside directory.total_timeout; the account phase
# too; a session still opens.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

za_pz_setup
work="$ZA_SANDBOX/fail"
mkdir -m 0700 "$work"
conf=$(za_pz_conf fail "[lockout]
delay = 0")
hex=$ZA_PZ_TANAKA_HEX
s0=$(za_pz_step)

# ---------------------------------------------------------------- failover
# Port 1 on loopback refuses connections: the first URI is dead.
za_pz_service failover "$conf" "[directory.uri=ldap://127.0.0.1:1/ $LDAP_URI]" otp.window=10
za_pz_conv_log failover tanaka -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + 1)))" \
    auth acct open > "$work/fo" || true
za_pz_expect "first URI dead, second alive: success" '^auth: PAM_SUCCESS$' "$work/fo"
za_pz_expect "failover: account phase" '^acct: PAM_SUCCESS$' "$work/fo"
za_pz_expect "failover: the dead URI is logged" 'SYSLOG\(4\): .*ldap://127\.0\.0\.1:1/' "$work/fo"
za_ok "first URI dead, second alive: login succeeds (the dead URI is logged)"

# ---------------------------------------------------------------- silent
# SIGSTOP: the kernel still accepts TCP connections, slapd answers nothing.
za_pz_service silent "$conf" directory.connect_timeout=1s directory.operation_timeout=1s \
    directory.total_timeout=2s otp.window=10
kill -STOP "$SLAPD_PID"
za_atexit "kill -CONT $SLAPD_PID 2>/dev/null || true"
t0=$(date +%s%N)
za_pz_conv_log silent tanaka -a "$ZA_PZ_PW" -a 000000 auth > "$work/silent" || true
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N)
za_pz_conv silent tanaka acct open > "$work/silent2" 2>&1 || true
ms2=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$SLAPD_PID"
za_pz_expect "silent directory: AUTHINFO_UNAVAIL" '^auth: PAM_AUTHINFO_UNAVAIL$' "$work/silent"
za_pz_expect "silent directory: message" '^error: The authentication directory cannot be reached\. Contact the system administrator\.$' "$work/silent"
za_pz_expect "silent directory: logged" 'result=unavailable reason=directory unreachable' "$work/silent"
grep -q '^prompt' "$work/silent" && za_fail "prompted while the directory is unreachable"
[ "$ms" -lt 3500 ] || za_fail "silent directory: answered after $ms ms (total_timeout 2 s)"
za_pz_expect "silent directory: account phase" '^acct: PAM_AUTHINFO_UNAVAIL$' "$work/silent2"
za_pz_expect "silent directory: session still opens" '^open: PAM_SUCCESS$' "$work/silent2"
[ "$ms2" -lt 7000 ] || za_fail "account + session took $ms2 ms"
za_ok "directory not answering: AUTHINFO_UNAVAIL in $ms ms (bound 2 s), account phase too, session opens"

# ---------------------------------------------------------------- stopped
za_pz_service stopped "$conf" directory.total_timeout=2s
code=$(za_pz_totp "$hex" $((s0 + 2)))
# Stop slapd but keep the sandbox directory (configuration, service files).
za_sandbox_cmd stop "$ZA_SANDBOX" > "$work/stop" 2>&1 || { cat "$work/stop"; za_fail "stopping slapd"; }
t0=$(date +%s%N)
za_pz_conv stopped tanaka -a "$ZA_PZ_PW" -a "$code" auth > "$work/stopped" 2>&1 || true
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
za_pz_expect "stopped directory: AUTHINFO_UNAVAIL" '^auth: PAM_AUTHINFO_UNAVAIL$' "$work/stopped"
za_pz_expect "stopped directory: message" '^error: The authentication directory cannot be reached' "$work/stopped"
[ "$ms" -lt 3000 ] || za_fail "stopped directory: answered after $ms ms"
za_ok "directory stopped: AUTHINFO_UNAVAIL in $ms ms with a clear message; nothing cached"

za_pz_done pam_failover
