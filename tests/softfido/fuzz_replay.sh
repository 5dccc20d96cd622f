#!/bin/sh
# Replay tests/softfido/corpus through the request parser harness (built
# without libFuzzer, with tests/fuzz/replay_main.c): a crash or sanitizer
# report fails make check.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
bin="$top_builddir/tests/softfido/fuzz_request"
corpus="$top_srcdir/tests/softfido/corpus"
if [ ! -d "$corpus" ] || [ ! -x "$bin" ]; then
	echo "FAIL: $bin or $corpus missing"
	echo "0 passed, 1 failed"
	exit 1
fi
if "$bin" "$corpus"; then
	echo "PASS: fuzz_request corpus"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "FAIL: fuzz_request corpus"
echo "0 passed, 1 failed"
exit 1
