#!/bin/sh
# Directory access (lib/dir.c, lib/escape.c) and the LDAP mapping of the
# data model (lib/model_ldap.c) against a real slapd: start a throwaway
# sandbox with the sample municipality and run tests/unit/test_dir and
# tests/unit/test_model with it in the environment (connect/bind, failover
# and time bounds, StartTLS refusal, paged search, filter injection,
# compare-and-swap races, ppolicy responses; decoding every sample entry,
# encode/add/read-back round trips).
# ZA_VALGRIND=yes runs the programs under valgrind; errors and leaks fail.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"

for t in test_dir test_model; do
	[ -x "$top_builddir/tests/unit/$t" ] ||
	    za_fail "tests/unit/$t not built (make check builds it)"
done

za_sandbox_start --sample
work="$ZA_SANDBOX/dirtest"
mkdir -m 0700 "$work"

ZA_TEST_LDAP_URI=$LDAP_URI
ZA_TEST_LDAPI_URI=$LDAPI_URI
ZA_TEST_BASE_DN=$BASE_DN
ZA_TEST_ADMIN_DN=$ADMIN_DN
ZA_TEST_ADMIN_PW_FILE=$ADMIN_PW_FILE
ZA_TEST_TMPDIR=$work
export ZA_TEST_LDAP_URI ZA_TEST_LDAPI_URI ZA_TEST_BASE_DN ZA_TEST_ADMIN_DN \
    ZA_TEST_ADMIN_PW_FILE ZA_TEST_TMPDIR

set --
if [ "${ZA_VALGRIND:-no}" = yes ]; then
	command -v valgrind >/dev/null 2>&1 ||
	    za_skip "ZA_VALGRIND=yes but valgrind is not installed"
	if [ -x "$top_builddir/libtool" ]; then
		set -- "$top_builddir/libtool" --mode=execute
	fi
	set -- "$@" valgrind --quiet --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
fi

for t in test_dir test_model; do
	set +e
	"$@" "$top_builddir/tests/unit/$t"
	st=$?
	set -e
	case $st in
	0)	za_ok "$t" ;;
	*)	za_fail "$t exited with status $st" ;;
	esac
done
echo "PASS: dir"
