# Sourced by integration tests: run PAM services from the build tree under
# pam_wrapper (no root, no /etc/pam.d).  Needs top_builddir.
#   za_pam_init                 create the service dir ($ZA_PAM_DIR) inside
#                               the running sandbox, which removes it
#   za_pam_service NAME LINE... write service file NAME (one PAM line each)
#   za_pam_run ARGS...          run tests/integration/pamrun under pam_wrapper
ZA_PAM_MODULE="$top_builddir/.libs/pam_zoneauth.so"
# The FIDO2 plug-in of the build tree (installed: $(pkglibdir)/fido2.so).
ZA_FIDO2_PLUGIN="$top_builddir/.libs/fido2.so"

za_pam_wrapper_lib() {
	for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib \
	    "/usr/lib/$(${CC:-cc} -print-multiarch 2>/dev/null)"; do
		[ -f "$d/libpam_wrapper.so" ] && { echo "$d/libpam_wrapper.so"; return 0; }
	done
	return 1
}

za_pam_init() {
	ZA_PAM_WRAPPER=$(za_pam_wrapper_lib) ||
	    za_skip "libpam_wrapper.so not found (apt-get install libpam-wrapper)"
	ZA_PAM_DIR="${ZA_SANDBOX:?za_pam_init needs a running sandbox}/pam.d"
	mkdir -p "$ZA_PAM_DIR"
	# pam_wrapper warns without an "other" service.
	printf 'auth required pam_deny.so\naccount required pam_deny.so\n' \
	    > "$ZA_PAM_DIR/other"
	ZA_PAM_PRELOAD="$ZA_PAM_WRAPPER"
	if [ "${ZA_SANITIZERS:-no}" = yes ]; then
		# The ASan runtime must come first (FACTS.md).  Preloading the
		# module keeps it and its libraries mapped after pam_end(), so
		# leak reports have symbols and libldap's process-wide state is
		# not reported as leaked when libpam unloads the module.
		ZA_PAM_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so) $ZA_PAM_MODULE $ZA_PAM_WRAPPER"
	fi
	export ZA_PAM_DIR ZA_PAM_PRELOAD
}

za_pam_service() {
	_name=$1
	shift
	: > "$ZA_PAM_DIR/$_name"
	for _line in "$@"; do
		printf '%s\n' "$_line" >> "$ZA_PAM_DIR/$_name"
	done
}

za_pam_run() {
	LD_PRELOAD="$ZA_PAM_PRELOAD" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$ZA_PAM_DIR" \
	    "$top_builddir/tests/integration/pamrun" "$@"
}
