# Sourced by the pam_*.sh tests after common.sh and pamenv.sh: a sandbox
# with the sample municipality, a terminal configuration that binds as the
# zoneauth service account, PAM service files and helpers.
#
#   za_pz_setup             start the sandbox (--sample) and write
#                           $ZA_PZ_BASE, the body of every configuration
#   za_pz_conf NAME TEXT    write $ZA_SANDBOX/NAME.conf: the base, then TEXT
#                           (more sections); mode 0600; prints its path
#   za_pz_service NAME CONF [ARGS...]
#                           PAM service NAME: auth, account and session
#                           lines of pam_zoneauth with conf=CONF ARGS...
#   za_pz_conv ARGS...      run tests/integration/pamconv under pam_wrapper
#                           (stdout: the conversation and the codes)
#   za_pz_conv_log ARGS...  the same, syslog lines of the module included
#                           ("SYSLOG(N): ..." from pam_wrapper)
#   za_pz_ldap TOOL ARGS... run an ldap-utils TOOL as the directory admin
#   za_pz_get DN ATTR       print the values of ATTR of DN, one per line
#   za_pz_add_token UID ID KIND HEXSECRET PARAMS [EXTRA-LDIF]
#                           add an OTP token entry (KIND totp or hotp) under
#                           the user, with parameter entry cn=PARAMS
#   za_pz_totp HEX STEP [ARGS...]  the TOTP code of time step STEP (30 s
#                           steps unless ARGS set -s/--time-step-size)
#   za_pz_step              the current 30-second time step
#   za_pz_expect DESC PATTERN FILE   fail with DESC unless FILE matches
#                           the extended regular expression PATTERN
#   za_pz_done NAME         fail if a sanitizer reported anything (in a
#                           sanitizer build every report goes to a file
#                           under the sandbox), else print "PASS: NAME"
: "${top_builddir:?}" "${top_srcdir:?}"

ZA_PZ_PW='Reishi-Demo-2026'		# demo password of the sample staff
ZA_PZ_TANAKA_HEX=3132333435363738393031323334353637383930	# demo token seed

za_pz_setup() {
	command -v oathtool >/dev/null 2>&1 ||
	    za_skip "oathtool not installed (apt-get install oathtool)"
	[ -x "$top_builddir/tests/integration/pamconv" ] ||
	    za_fail "tests/integration/pamconv not built (make check builds it)"
	[ -f "$ZA_PAM_MODULE" ] || za_fail "$ZA_PAM_MODULE not built"
	[ -f "$top_builddir/po/locale/ja/LC_MESSAGES/zoneauth.mo" ] ||
	    za_fail "po/locale not built (make builds it)"
	za_sandbox_start --sample
	za_pam_init
	if [ "${ZA_SANITIZERS:-no}" = yes ]; then
		# Reports of any process, also of those whose output a test
		# does not look at, land here; za_pz_done fails on them.
		mkdir -p "$ZA_SANDBOX/sanitizer"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$ZA_SANDBOX/sanitizer/asan"
		UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$ZA_SANDBOX/sanitizer/ubsan"
		export ASAN_OPTIONS UBSAN_OPTIONS
	fi
	ZA_PZ_BASE="[general]
zone = mynumber
localedir = $top_builddir/po/locale
[directory]
uri = $LDAP_URI
base = $BASE_DN
bind = simple
bind_dn = $SERVICE_DN
bind_password_file = $SERVICE_PW_FILE
connect_timeout = 1s
total_timeout = 3s"
	export ZA_PZ_BASE
}

za_pz_conf() {
	_f="$ZA_SANDBOX/$1.conf"
	rm -f "$_f"
	printf '%s\n%s\n' "$ZA_PZ_BASE" "$2" > "$_f"
	chmod 0600 "$_f"
	printf '%s\n' "$_f"
}

za_pz_service() {
	_n=$1
	_c=$2
	shift 2
	_args="conf=$_c"
	_plugin="fido2.plugin=$ZA_FIDO2_PLUGIN"
	for _a in "$@"; do
		_args="$_args $_a"
		case $_a in fido2.plugin=*) _plugin= ;; esac
	done
	_args="$_args${_plugin:+ $_plugin}"
	za_pam_service "$_n" "auth required $ZA_PAM_MODULE $_args" \
	    "account required $ZA_PAM_MODULE $_args" \
	    "session required $ZA_PAM_MODULE $_args"
}

za_pz_conv() {
	LD_PRELOAD="$ZA_PAM_PRELOAD" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$ZA_PAM_DIR" \
	    "$top_builddir/tests/integration/pamconv" "$@"
}

za_pz_conv_log() {
	LD_PRELOAD="$ZA_PAM_PRELOAD" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$ZA_PAM_DIR" PAM_WRAPPER_DEBUGLEVEL=2 \
	    "$top_builddir/tests/integration/pamconv" "$@" 2>&1 |
	    sed -n -e '/^PWRAP_/{' \
	    -e 's/^PWRAP_[A-Z]*\[[^]]*\] - \(SYSLOG([0-9]*): \)/\1/p' -e 'd' \
	    -e '}' -e 'p'
}

za_pz_ldap() {
	_tool=$1
	shift
	"$_tool" -Q -Y EXTERNAL -H "$LDAPI_URI" "$@"
}

za_pz_get() {
	za_pz_ldap ldapsearch -LLL -o ldif-wrap=no -b "$1" -s base \
	    '(objectClass=*)' "$2" | sed -n "s/^$2: //p"
}

za_pz_add_token() {
	# coreutils printf: \xHH in the format (dash's builtin lacks it)
	_secret_b64=$(env printf "$(printf '%s' "$4" | sed 's/../\\x&/g')" |
	    base64 -w0)
	if [ "$3" = totp ]; then
		_oc=oathTOTPToken _pa=oathTOTPParams
	else
		_oc=oathHOTPToken _pa=oathHOTPParams
	fi
	za_pz_ldap ldapadd > "$ZA_SANDBOX/ldapadd.out" 2>&1 <<EOF || { cat "$ZA_SANDBOX/ldapadd.out"; za_fail "adding token $2 for $1"; }
dn: zaTokenId=$2,uid=$1,ou=people,$BASE_DN
objectClass: zoneauthToken
objectClass: $_oc
zaTokenId: $2
zaTokenKind: $3
zaTokenStatus: active
oathSecret:: $_secret_b64
$_pa: cn=$5,ou=otp-params,$BASE_DN
${6:-}
EOF
}

za_pz_step() {
	echo $(( $(date +%s) / 30 ))
}

za_pz_totp() {
	_hex=$1
	_step=$2
	shift 2
	_size=30
	for _a in "$@"; do
		case $_a in
		--time-step-size=*) _size=${_a#*=}; _size=${_size%s} ;;
		esac
	done
	oathtool --totp "$@" -N "@$(( _step * _size ))" "$_hex"
}

za_pz_expect() {
	grep -Eq -- "$2" "$3" || { cat "$3"; za_fail "$1"; }
}

za_pz_done() {
	if [ -d "$ZA_SANDBOX/sanitizer" ] &&
	    [ -n "$(ls -A "$ZA_SANDBOX/sanitizer")" ]; then
		cat "$ZA_SANDBOX/sanitizer"/*
		za_fail "$1: the sanitizers reported errors (above)"
	fi
	echo "PASS: $1"
}
