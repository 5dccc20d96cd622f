#!/bin/bash
# totp_login.sh: whole-process TOTP login benchmark, pam_zoneauth against a
# directory of many users side by side with Debian's pam_oath on a usersfile
# of the same users.  See tests/bench/README.md.
#
#   tests/bench/totp_login.sh [--users N] [--runs N] [--module-runs N]
#       [--top-srcdir DIR] [--top-builddir DIR]
#
# Exit: 0 every login succeeded and zoneauth met the target; 3 every login
# succeeded but the target was missed; 1 a login failed or the harness
# failed (no figures are reported as valid then); 2 usage; 77 a needed
# package is missing.
# shellcheck disable=SC2317	# cleanup() and friends run from traps
set -euo pipefail
umask 077
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

# ====================================================================
# The zoneauth side's PAM line and policy.  Issue 3 defines the policy
# keys; keep these in step with zoneauth.conf(5).
#
# PAM service line; @MODULE@ and @CONF@ are replaced with the built module
# and the benchmark's configuration file.
ZA_PAM_LINE='auth required @MODULE@ conf=@CONF@'
# The benchmark's zoneauth.conf is a terminal's: the directory over
# ldap://127.0.0.1 with a simple bind as the sandbox's zoneauth service
# account (as terminals bind in production), in this zone, because a
# TOTP-only login is measured (zone = mynumber demands two classes) ...
ZA_ZONE='general'
# ... and with these lines appended: the policy admitting a login with one
# TOTP code (pam_oath's login is one TOTP code too).
ZA_CONF_APPEND='[rule bench-totp]
match = any
classes = 1
methods = totp'
# pam_oath's PAM line; @PAM_OATH@ and @USERSFILE@ are replaced.  window=1
# and digits=6 match the directory's parameters (cn=totp-sha1-6-30).
OATH_PAM_LINE='auth requisite @PAM_OATH@ usersfile=@USERSFILE@ window=1 digits=6'
# ====================================================================

TARGET_RATIO=0.25
RUN_TIMEOUT=60		# seconds for one pamtester run before it is killed
MODULE_TIMEOUT=600	# seconds for all in-process logins of one side

prog=${0##*/}
users=100000
runs=200
module_runs=''
src=${top_srcdir:-}
build=${top_builddir:-}

usage() {
	cat <<EOF
usage: $prog [--users N] [--runs N] [--module-runs N]
       [--top-srcdir DIR] [--top-builddir DIR]

Whole-process pamtester runs of a successful TOTP login: pam_zoneauth
against a throwaway slapd holding N users (default $users), interleaved
with Debian's pam_oath on an N-line usersfile of the same users, R runs
per side (--runs, default $runs).  Then the modules' own time in
pam_authenticate(), measured in one process over M more users
(--module-runs, default R).  Prints a table; zoneauth's target is a
median at most $TARGET_RATIO x pam_oath's.

top_srcdir defaults to the tree holding this script, top_builddir to
\$top_builddir or the current directory; the module is
top_builddir/.libs/pam_zoneauth.so.  Temporary files go under
\${TMPDIR:-/tmp} and are removed at exit.

Exit: 0 all logins succeeded and the target was met, 3 all logins
succeeded and the target was missed, 1 a login or the harness failed,
2 usage error, 77 a needed package is missing.
EOF
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage_error() {
	printf '%s: %s\nTry "%s --help".\n' "$prog" "$*" "$prog" >&2
	exit 2
}

posint() {
	[[ $2 =~ ^[1-9][0-9]{0,6}$ ]] || usage_error "$1 needs a positive integer"
}

while [ $# -gt 0 ]; do
	case $1 in
	--users | --runs | --module-runs | --top-srcdir | --top-builddir)
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--users) posint "$1" "$2"; users=$2 ;;
		--runs) posint "$1" "$2"; runs=$2 ;;
		--module-runs) posint "$1" "$2"; module_runs=$2 ;;
		--top-srcdir) src=$2 ;;
		--top-builddir) build=$2 ;;
		esac
		shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument $1" ;;
	esac
	shift
done
[ -n "$module_runs" ] || module_runs=$runs
[ "$users" -le 999999 ] || usage_error "--users is at most 999999"
# Every login uses its own user (replay protection: one code per user and
# time step), one warm-up login per side included.
need=$((runs + module_runs + 1))
[ "$need" -le "$users" ] ||
    usage_error "--runs + --module-runs + 1 ($need) exceeds --users ($users)"

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
[ -n "$src" ] || src="$here/../.."
[ -n "$build" ] || build=$PWD
src=$(cd -- "$src" && pwd -P) || die "no such directory: $src"
build=$(cd -- "$build" && pwd -P) || die "no such directory: $build"
sandbox_tool="$src/contrib/slapd-sandbox"
[ -r "$sandbox_tool" ] || die "$sandbox_tool not found (--top-srcdir?)"
module="$build/.libs/pam_zoneauth.so"
[ -f "$module" ] ||
    die "$module not found: build first, or give --top-builddir"
[ -f "$build/config.h" ] || die "$build/config.h not found (--top-builddir?)"

# ---------------------------------------------------------------- tools

pkgs='libpam-oath oathtool pamtester libpam-wrapper slapd ldap-utils libpam0g-dev liboath-dev gcc'
missing() {
	printf '%s: SKIP: %s\n' "$prog" "$*" >&2
	printf 'Install the benchmark dependencies with:\n  apt-get install %s\n' \
	    "$pkgs" >&2
	exit 77
}

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || missing "no C compiler ($CC)"
multiarch=$($CC -print-multiarch 2>/dev/null || true)
find_lib() {	# find_lib NAME SUBDIR: first existing DIR/SUBDIR/NAME
	local d
	for d in "/lib/$multiarch" "/usr/lib/$multiarch" /lib64 /usr/lib64 \
	    /lib /usr/lib; do
		[ -f "$d/$2/$1" ] && { printf '%s' "$d/$2/$1"; return 0; }
	done
	return 1
}
for t in pamtester oathtool slapd slapadd ldapsearch shuf awk; do
	command -v "$t" >/dev/null 2>&1 || missing "$t not found"
done
wrapper=$(find_lib libpam_wrapper.so .) || missing "libpam_wrapper.so not found"
pam_oath=$(find_lib pam_oath.so security) ||
    missing "pam_oath.so not found (Debian package libpam-oath)"
pam_permit=$(find_lib pam_permit.so security) || missing "pam_permit.so not found"
pam_deny=$(find_lib pam_deny.so security) || missing "pam_deny.so not found"
printf '#include <security/pam_appl.h>\n#include <liboath/oath.h>\n' |
    $CC -E -x c - >/dev/null 2>&1 ||
    missing "PAM or liboath headers missing (libpam0g-dev, liboath-dev)"

# ---------------------------------------------------------------- clean-up

work=''
sandbox=''
marker=''
cleanup() {
	local rc=$? d
	set +e
	trap - EXIT INT TERM HUP
	if [ -n "$sandbox" ]; then
		bash "$sandbox_tool" stop "$sandbox" >/dev/null 2>&1 ||
		    printf '%s: warning: could not stop the slapd in %s\n' \
		    "$prog" "$sandbox" >&2
	fi
	# pam_wrapper copies the service dir to /tmp/pam.X and removes it
	# only at a normal exit: remove copies of ours an interrupted run
	# left behind (they hold our marker file).
	if [ -n "$marker" ]; then
		for d in /tmp/pam.?; do
			[ -e "$d/$marker" ] && rm -rf -- "$d"
		done
	fi
	[ -n "$work" ] && rm -rf -- "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Short: the sandbox's ldapi socket path must fit in 108 bytes.
work=$(mktemp -d "${TMPDIR:-/tmp}/zbench.XXXXXX") || die "mktemp failed"
bin="$work/bin"
data="$work/data"
pamdir="$work/pam.d"
mkdir -p "$bin" "$data" "$pamdir"

now_us() {	# for the stage timings only: realtime in microseconds
	printf '%s' "${EPOCHREALTIME/./}"
}
stage_start=0
stage() {
	stage_start=$(now_us)
	printf '== %s\n' "$*"
}
stage_done() {
	printf '   done in %.1f s\n' \
	    "$(awk -v a="$stage_start" -v b="$(now_us)" 'BEGIN { print (b - a) / 1e6 }')"
}

# ---------------------------------------------------------------- helpers

stage "compiling the helpers"
cflags=(-std=gnu11 -O2 -Wall -Wextra "-I$build")
oath_libs=$(pkg-config --libs liboath 2>/dev/null || printf '%s' -loath)
$CC "${cflags[@]}" -o "$bin/timeexec" "$here/timeexec.c" ||
    die "cannot compile timeexec.c"
$CC "${cflags[@]}" -o "$bin/gendata" "$here/gendata.c" ||
    die "cannot compile gendata.c"
# shellcheck disable=SC2086	# oath_libs is a list of linker options
$CC "${cflags[@]}" -o "$bin/pam_time" "$here/pam_time.c" -lpam $oath_libs ||
    die "cannot compile pam_time.c"
stage_done

# ---------------------------------------------------------------- directory

stage "starting a slapd sandbox"
sandbox="$work/s"
bash "$sandbox_tool" start "$sandbox" > "$work/sandbox.log" 2>&1 ||
    { cat "$work/sandbox.log" >&2; die "slapd-sandbox start failed"; }
# shellcheck disable=SC1091
. "$sandbox/env"
params_dn="cn=totp-sha1-6-30,ou=otp-params,$BASE_DN"
params=$(ldapsearch -LLL -Q -o ldif-wrap=no -Y EXTERNAL -H "$LDAPI_URI" \
    -b "$params_dn" -s base oathOTPLength oathTOTPTimeStepPeriod \
    oathHMACAlgorithm 2>&1) ||
    { printf '%s\n' "$params" >&2; die "no TOTP parameter entry $params_dn"; }
if ! grep -qx 'oathOTPLength: 6' <<<"$params" ||
    ! grep -qx 'oathTOTPTimeStepPeriod: 30' <<<"$params" ||
    ! grep -qx 'oathHMACAlgorithm: 1.2.840.113549.2.7' <<<"$params"; then
	printf '%s\n' "$params" >&2
	die "$params_dn is not SHA-1, 6 digits, 30 s"
fi
stage_done

stage "generating $users users with one TOTP token each"
"$bin/gendata" "$users" "$BASE_DN" "$params_dn" "$data" ||
    die "gendata failed"
stage_done

stage "loading them with slapadd -q (slapd stopped meanwhile)"
bash "$sandbox_tool" stop "$sandbox" >> "$work/sandbox.log" 2>&1 ||
    { cat "$work/sandbox.log" >&2; die "slapd-sandbox stop failed"; }
slapadd -q -F "$sandbox/slapd.d" -b "$BASE_DN" -l "$data/users.ldif" \
    > "$work/slapadd.log" 2>&1 ||
    { tail -n 20 "$work/slapadd.log" >&2; die "slapadd failed"; }
rm -f -- "$data/users.ldif"
bash "$sandbox_tool" start "$sandbox" >> "$work/sandbox.log" 2>&1 ||
    { cat "$work/sandbox.log" >&2; die "slapd-sandbox restart failed"; }
# shellcheck disable=SC1091
. "$sandbox/env"
stage_done

# The directory and the usersfile must hold the same seed: compare the
# last user's oathSecret with its line in the seeds list.
last=$(printf 'bu%06d' "$users")
dir_seed=$(ldapsearch -LLL -Q -o ldif-wrap=no -Y EXTERNAL -H "$LDAPI_URI" \
    -b "uid=$last,ou=people,$BASE_DN" -s one \
    '(&(objectClass=oathTOTPToken)(zaTokenKind=totp)(zaTokenStatus=active))' \
    oathSecret | sed -n 's/^oathSecret:: //p' | base64 -d | od -An -tx1 |
    tr -d ' \n')
file_seed=$(sed -n "${users}p" "$data/seeds")
if [ -z "$dir_seed" ] || [ "$file_seed" != "$last $dir_seed" ]; then
	die "the directory's token of $last does not match the generated seed"
fi
grep -q "^HOTP/T30 $last - $dir_seed\$" "$data/users.oath" ||
    die "the usersfile's line for $last does not match the generated seed"

# ---------------------------------------------------------------- PAM

marker="zbench-marker.${work##*.}"
: > "$pamdir/$marker"
printf 'auth required %s\naccount required %s\n' "$pam_deny" "$pam_deny" \
    > "$pamdir/other"
za_conf="$work/zoneauth.conf"
printf '[general]\nzone = %s\n[directory]\nuri = %s\nbase = %s\nbind = simple\nbind_dn = %s\nbind_password_file = %s\n' \
    "$ZA_ZONE" "$LDAP_URI" "$BASE_DN" "$SERVICE_DN" "$SERVICE_PW_FILE" \
    > "$za_conf"
[ -z "$ZA_CONF_APPEND" ] || printf '%s\n' "$ZA_CONF_APPEND" >> "$za_conf"
chmod 0600 "$za_conf"
line=${ZA_PAM_LINE//@MODULE@/$module}
printf '%s\n' "${line//@CONF@/$za_conf}" > "$pamdir/zb-zoneauth"
line=${OATH_PAM_LINE//@PAM_OATH@/$pam_oath}
printf '%s\n' "${line//@USERSFILE@/$data/users.oath}" > "$pamdir/zb-oath"
printf 'auth required %s\n' "$pam_permit" > "$pamdir/zb-permit"

# The users, in random order, each used once: run i of the whole-process
# benchmark logs in user i on both sides (separate stores), the module
# timing uses the next ones, and the last one warms both sides up.
shuf -i "1-$users" -n "$need" > "$work/pick"
awk 'NR == FNR { seed[FNR] = $0; next } { print seed[$1] }' \
    "$data/seeds" "$work/pick" > "$work/picked"
head -n "$runs" "$work/picked" > "$work/run.list"
sed -n "$((runs + 1)),$((runs + module_runs))p" "$work/picked" \
    > "$work/module.list"
warm=$(tail -n 1 "$work/picked")

sides=(oath zoneauth permit)
declare -A label=([oath]='pam_oath (usersfile)' [zoneauth]='pam_zoneauth (LDAP)'
    [permit]='pam_permit (floor)')
declare -A failed=([oath]=0 [zoneauth]=0 [permit]=0)
declare -A done_runs=([oath]=0 [zoneauth]=0 [permit]=0)
for s in "${sides[@]}"; do
	: > "$work/$s.ns"
done

# login SIDE USER CODE COUNTED: one timed pamtester process; appends the
# time to SIDE.ns when COUNTED=1.  A failure shows pamtester's output and
# stops that side: its figures are void and further failed logins would
# only add the modules' failure delays.
login() {
	local side=$1 user=$2 code=$3 counted=$4 out ns st
	out=$("$bin/timeexec" -t "$RUN_TIMEOUT" -o "$work/run.log" \
	    -e "LD_PRELOAD=$wrapper" -e PAM_WRAPPER=1 \
	    -e "PAM_WRAPPER_SERVICE_DIR=$pamdir" \
	    -- pamtester "zb-$side" "$user" authenticate <<<"$code") ||
	    die "timeexec failed"
	read -r ns st <<<"$out"
	if [ "$st" != 0 ]; then
		failed[$side]=1
		printf '\nFAILED: %s: login of %s exited %s%s; pamtester said:\n' \
		    "${label[$side]}" "$user" "$st" \
		    "$([ "$st" = 137 ] && printf ' (killed after %s s)' "$RUN_TIMEOUT")"
		sed 's/^/    /' "$work/run.log"
		if [ "$side" = zoneauth ] && [ -s "$sandbox/audit.log" ]; then
			printf 'last records of its audit log:\n'
			tail -n 3 "$sandbox/audit.log" | sed 's/^/    /'
		fi
		printf 'The remaining %s runs are skipped; its figures are void.\n' \
		    "${label[$side]}"
		return 0
	fi
	if [ "$counted" = 1 ]; then
		printf '%s\n' "$ns" >> "$work/$side.ns"
		done_runs[$side]=$((${done_runs[$side]} + 1))
	fi
}

totp() {	# totp HEXSEED: the current 6-digit code
	oathtool --totp -d 6 "$1" || die "oathtool failed"
}

stage "warming up: one login per side (not counted)"
read -r u h <<<"$warm"
code=$(totp "$h")
for s in "${sides[@]}"; do
	login "$s" "$u" "$code" 0
done
stage_done

stage "whole-process logins: $runs per side, interleaved"
i=0
while read -r u h; do
	code=$(totp "$h")
	# Rotate the order (A B C, B C A, C A B) so no side always runs
	# right after another.
	for k in 0 1 2; do
		s=${sides[(i + k) % 3]}
		[ "${failed[$s]}" = 0 ] || continue
		login "$s" "$u" "$code" 1
	done
	i=$((i + 1))
	if [ $((i % 50)) = 0 ]; then
		printf '   %d/%d\n' "$i" "$runs"
	fi
done < "$work/run.list"
stage_done

# module_time SIDE: in-process pam_authenticate() times to SIDE.mod.
declare -A mod_failed=([oath]=0 [zoneauth]=0)
module_time() {
	local side=$1
	if ! timeout "$MODULE_TIMEOUT" env LD_PRELOAD="$wrapper" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$pamdir" \
	    "$bin/pam_time" "zb-$side" < "$work/module.list" \
	    > "$work/$side.mod" 2> "$work/$side.mod.err"; then
		mod_failed[$side]=1
		printf '\nFAILED: %s: in-process logins failed:\n' "${label[$side]}"
		head -n 20 "$work/$side.mod.err" | sed 's/^/    /'
	fi
}

stage "module time in pam_authenticate(): $module_runs logins per side, one process each"
for s in zoneauth oath; do
	if [ "${failed[$s]}" = 0 ]; then
		module_time "$s"
	else
		mod_failed[$s]=1
	fi
done
stage_done

# ---------------------------------------------------------------- report

# stats FILE: "n median p90 p99 min max" in ms, nearest-rank percentiles.
stats() {
	sort -n "$1" | awk '
	    function rank(q,   r) { r = int(q * NR); if (r < q * NR) r++;
		if (r < 1) r = 1; return v[r] / 1e6 }
	    { v[NR] = $1 }
	    END { if (NR == 0) { print 0; exit }
		printf "%d %.3f %.3f %.3f %.3f %.3f\n", NR, rank(0.5),
		    rank(0.9), rank(0.99), v[1] / 1e6, v[NR] / 1e6 }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '\nTOTP login benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
printf 'machine: %s CPUs, %s, Linux %s\n' "$(nproc)" "${cpu:-unknown CPU}" \
    "$(uname -r)"
printf 'users: %d in slapd %s (mdb) and in a %d-line pam_oath usersfile (libpam-oath %s)\n' \
    "$users" "$(slapd -VV 2>&1 | sed -n 's/.*slapd \([0-9.]*\).*/\1/p' | head -n 1)" \
    "$(wc -l < "$data/users.oath")" \
    "$(dpkg-query -W -f '${Version}' libpam-oath 2>/dev/null || printf '?')"
printf '\nWhole process: pamtester under pam_wrapper, one successful TOTP login,\n'
printf 'wall clock from fork to exit (ms), %d runs per side interleaved:\n\n' "$runs"
printf '%-22s %5s %5s %9s %9s %9s %9s %9s\n' side runs fail median p90 p99 min max
declare -A med
for s in "${sides[@]}"; do
	if [ "${failed[$s]}" != 0 ]; then
		printf '%-22s %5d %5s %9s %9s %9s %9s %9s\n' "${label[$s]}" \
		    "${done_runs[$s]}" 1 FAILED - - - -
		continue
	fi
	read -r n m p90 p99 mn mx <<<"$(stats "$work/$s.ns")"
	med[$s]=$m
	printf '%-22s %5d %5d %9s %9s %9s %9s %9s\n' "${label[$s]}" "$n" 0 \
	    "$m" "$p90" "$p99" "$mn" "$mx"
done

status=0
printf '\n'
if [ "${failed[oath]}" != 0 ] || [ "${failed[zoneauth]}" != 0 ]; then
	printf 'ratio zoneauth/pam_oath median: not computed (failed logins above)\n'
	status=1
else
	ratio=$(awk -v a="${med[zoneauth]}" -v b="${med[oath]}" \
	    'BEGIN { printf "%.3f", a / b }')
	verdict=$(awk -v r="$ratio" -v t="$TARGET_RATIO" \
	    'BEGIN { print (r <= t) ? "PASS" : "MISS" }')
	printf 'ratio zoneauth/pam_oath median: %s (target <= %s): %s\n' \
	    "$ratio" "$TARGET_RATIO" "$verdict"
	[ "$verdict" = PASS ] || status=3
fi

printf '\nModule time: pam_authenticate() alone, in one process per side\n'
printf '(modules loaded by pam_start outside the interval), %d logins (ms):\n\n' \
    "$module_runs"
printf '%-22s %5s %9s %9s\n' side runs p50 p99
for s in zoneauth oath; do
	if [ "${mod_failed[$s]}" != 0 ]; then
		printf '%-22s %5s %9s %9s\n' "${label[$s]}" - FAILED -
		status=1
		continue
	fi
	read -r n m p90 p99 mn mx <<<"$(stats "$work/$s.mod")"
	printf '%-22s %5d %9s %9s\n' "${label[$s]}" "$n" "$m" "$p99"
done

if [ "$status" = 1 ]; then
	printf '\nRESULT: INVALID: some logins failed; see FAILED above.\n'
fi
exit "$status"
