#!/bin/sh
# Replay every fuzz corpus through its harness (built without libFuzzer):
# a crash or sanitizer report fails make check.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
status=0
for h in config model audit otpauth u2f_import spki; do
	bin="$top_builddir/tests/fuzz/fuzz_$h"
	corpus="$top_srcdir/tests/fuzz/corpus/$h"
	if [ ! -d "$corpus" ]; then
		echo "FAIL: corpus $corpus missing"
		status=1
		continue
	fi
	if "$bin" "$corpus"; then
		echo "PASS: fuzz_$h corpus"
	else
		echo "FAIL: fuzz_$h corpus"
		status=1
	fi
done
exit $status
