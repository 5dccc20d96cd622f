# Sourced by the idmgr*.sh tests after common.sh: checks that jq is
# there, puts /usr/sbin:/sbin on PATH, sets LC_ALL=C.UTF-8 and $idmgr
# (the idmgr binary under test), and defines the helpers below.
#
#   za_im_start [ARGS...]   fail unless $idmgr is built, start the sandbox
#                           (ARGS go to za_sandbox_start, e.g. --sample) and
#                           set conf (its zoneauth.conf), people (the
#                           ou=people DN) and audit (the audit log path)
#   run ARGS...             idmgr -c $conf ARGS; sets st, out, err (a test
#                           may define its own run: expect calls whichever
#                           is defined when it runs)
#   expect STATUS DESC ARGS...
#                           run ARGS and fail with DESC unless the exit
#                           status is STATUS
#   jget FILTER             a value (jq -r FILTER) of the last output $out
#   srch ARGS...            ldapsearch as the directory admin over ldapi://
#                           (LDIF, no line wrapping)
#   uri_param URI NAME      the value of query parameter NAME of URI
: "${top_builddir:?}" "${top_srcdir:?}"

command -v jq >/dev/null || za_skip "jq not installed (apt-get install jq)"
PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C.UTF-8

idmgr="$top_builddir/idmgr/idmgr"

za_im_start() {
	[ -x "$idmgr" ] || za_fail "$idmgr not built"
	za_sandbox_start "$@"
	conf="$ZA_SANDBOX/zoneauth.conf"
	people="ou=people,$BASE_DN"
	audit="$ZA_SANDBOX/audit.log"
}

run() {
	set +e
	out=$("$idmgr" -c "$conf" "$@" 2>"$ZA_SANDBOX/stderr")
	st=$?
	set -e
	err=$(cat "$ZA_SANDBOX/stderr")
}

expect() {
	_want=$1 _desc=$2
	shift 2
	run "$@"
	[ "$st" -eq "$_want" ] ||
	    za_fail "$_desc: exit $st, expected $_want; stdout: $out; stderr: $err"
}

jget() {
	printf '%s\n' "$out" | jq -r "$1"
}

srch() {
	ldapsearch -LLL -Q -o ldif-wrap=no -Y EXTERNAL -H "$LDAPI_URI" "$@"
}

uri_param() {
	printf '%s\n' "${1#*\?}" | tr '&' '\n' | sed -n "s/^$2=//p"
}
