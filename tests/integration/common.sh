# Sourced by the integration tests (POSIX sh, safe under set -eu).
# Needs top_srcdir (make check sets it; run by hand with
# top_srcdir=. top_builddir=. sh tests/integration/X.sh).
#
#   za_ok MSG            print "ok: MSG"
#   za_fail MSG          print "FAIL: MSG" and exit 1
#   za_skip MSG          print "SKIP: MSG" and exit 77 (automake's skip)
#   za_atexit CMD        run shell command CMD at exit (after earlier ones,
#                        before the sandbox is stopped); use it instead of
#                        "trap ... EXIT", which would replace the sandbox's
#   za_sandbox_start [--sample] [--base DN]
#                        start a private slapd (contrib/slapd-sandbox) in a
#                        new directory under ${TMPDIR:-/tmp}, stopped and
#                        removed at exit; then ZA_SANDBOX is that directory
#                        (exported) and its env file is sourced and exported:
#                        LDAP_URI LDAPI_URI LDAP_PORT BASE_DN ADMIN_DN ADMIN_PW
#                        ADMIN_PW_FILE SERVICE_DN SERVICE_PW_FILE SLAPD_PID
#                        SANDBOX_DIR ZONEAUTH_CONF.  Skips (77) when slapd or
#                        ldap-utils are not installed; fails if start fails.
#   za_sandbox_stop      stop and remove it now (also done at exit)
#   za_sandbox_cmd ARGS  run contrib/slapd-sandbox ARGS

: "${top_srcdir:?top_srcdir must be set (make check sets it)}"
ZA_SANDBOX_TOOL="$top_srcdir/contrib/slapd-sandbox"
ZA_SANDBOX=''
za__atexit_cmds=''
za__sandbox_dirs=''

za_ok() {
	printf 'ok: %s\n' "$*"
}

za_fail() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

za_skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

za_atexit() {
	za__atexit_cmds="$za__atexit_cmds
$1"
}

za_sandbox_cmd() {
	bash "$ZA_SANDBOX_TOOL" "$@"
}

# Runs at exit: the test's own clean-ups, then every sandbox it started.
za__cleanup() {
	za__rc=$?
	set +e
	trap - EXIT HUP INT TERM
	if [ -n "$za__atexit_cmds" ]; then
		eval "$za__atexit_cmds"
	fi
	for za__d in $za__sandbox_dirs; do
		za__sandbox_remove "$za__d"
	done
	exit "$za__rc"
}

za__sandbox_remove() {
	[ -d "$1" ] || return 0
	bash "$ZA_SANDBOX_TOOL" stop "$1" >/dev/null 2>&1 ||
	    printf 'warning: could not stop the sandbox in %s\n' "$1" >&2
	rm -rf -- "$1"
}

za__trap_installed=no
za__install_trap() {
	[ "$za__trap_installed" = yes ] && return 0
	trap za__cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	za__trap_installed=yes
}

za_sandbox_start() {
	for za__t in bash slapd slapadd slappasswd ldapsearch ldapadd; do
		command -v "$za__t" >/dev/null 2>&1 ||
		    PATH="$PATH:/usr/sbin:/sbin" command -v "$za__t" >/dev/null 2>&1 ||
		    za_skip "$za__t not installed (apt-get install slapd ldap-utils)"
	done
	[ -r "$ZA_SANDBOX_TOOL" ] || za_fail "$ZA_SANDBOX_TOOL not found"
	za__install_trap
	# A short name keeps the ldapi socket path short (108-byte sun_path).
	za__dir=$(mktemp -d "${TMPDIR:-/tmp}/zsb.XXXXXX") ||
	    za_fail "mktemp -d failed in ${TMPDIR:-/tmp}"
	za__sandbox_dirs="$za__sandbox_dirs $za__dir"
	if ! za__out=$(bash "$ZA_SANDBOX_TOOL" start "$@" "$za__dir" 2>&1); then
		printf '%s\n' "$za__out"
		za_fail "slapd-sandbox start failed"
	fi
	[ -r "$za__dir/env" ] || za_fail "slapd-sandbox wrote no $za__dir/env"
	# shellcheck disable=SC1091
	. "$za__dir/env"
	export LDAP_URI LDAPI_URI LDAP_PORT BASE_DN ADMIN_DN ADMIN_PW \
	    ADMIN_PW_FILE SERVICE_DN SERVICE_PW_FILE SLAPD_PID SANDBOX_DIR \
	    ZONEAUTH_CONF
	ZA_SANDBOX=$za__dir
	export ZA_SANDBOX
}

za_sandbox_stop() {
	[ -n "$ZA_SANDBOX" ] || return 0
	za__sandbox_remove "$ZA_SANDBOX"
	ZA_SANDBOX=''
}
