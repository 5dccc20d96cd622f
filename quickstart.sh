#!/bin/sh
# zoneauth quick start on a fresh Debian 12 machine.
#
#   ./quickstart.sh demo    install dependencies, build, start a throwaway
#                           directory with the sample municipality, show it
#   ./quickstart.sh check   install dependencies, build, run `make check`
#                           (as root and as an unprivileged user when run as
#                           root), again in an ASan+UBSan build, then
#                           `make distcheck`
#   ./quickstart.sh deps    only install the Debian packages
#   ./quickstart.sh stop    stop the demo directory
set -eu

top=$(cd "$(dirname "$0")" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
demo_dir=${ZA_DEMO_DIR:-$top/demo}

# Everything the build, the tests and the demo use, by Debian package name.
packages="build-essential autoconf automake libtool pkg-config autoconf-archive
 gettext autopoint libpam0g-dev libfido2-dev liboath-dev libldap-dev libsasl2-dev
 libcbor-dev libssl-dev libsodium-dev libjson-c-dev libqrencode-dev
 slapd ldap-utils libpam-wrapper libpamtest0-dev pamtester libcmocka-dev
 oathtool fido2-tools clang-14 libclang-rt-14-dev valgrind jq git
 libpam-u2f pamu2fcfg libpam-oath"

say() { printf '\n==> %s\n' "$*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else echo "quickstart: need root (or sudo) to run: $*" >&2; exit 1
	fi
}

deps() {
	missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed' || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		say "Debian packages: all installed"
		return 0
	fi
	say "installing Debian packages:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# slapd's postinst must not start a system instance: the sandbox
	# never needs one (policy-rc.d 101 = action forbidden).
	as_root sh -c 'if [ ! -e /usr/sbin/policy-rc.d ]; then printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; touch /usr/sbin/policy-rc.d.zoneauth; fi'
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing
	as_root sh -c 'if [ -e /usr/sbin/policy-rc.d.zoneauth ]; then rm -f /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.zoneauth; fi'
}

# build DIR [configure options...]: out-of-tree build of the source in $top
build() {
	dir=$1
	shift
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" --enable-werror "$@" >configure.out ||
	    { cat configure.out; exit 1; })
	make -C "$dir" -j"$jobs"
}

# run_check DIR: make check, printing the logs of failed tests
run_check() {
	if ! make -C "$1" -j"$jobs" check; then
		for f in "$1"/test-suite.log; do [ -f "$f" ] && cat "$f"; done
		return 1
	fi
}

# As root, run the whole suite again as an unprivileged user on a private
# copy of the source (the checkout itself may not be readable to others).
check_unprivileged() {
	user=zatest
	id "$user" >/dev/null 2>&1 ||
	    useradd --system --create-home --home-dir /var/lib/zatest \
	        --shell /bin/sh "$user"
	copy=$(runuser -u "$user" -- mktemp -d /tmp/zoneauth-user.XXXXXX)
	(cd "$top" && tar --exclude=./build --exclude=./build-* \
	    --exclude=./demo --exclude=./.git -cf - .) |
	    runuser -u "$user" -- tar -C "$copy" -xf -
	say "make check as unprivileged user $user"
	runuser -u "$user" -- sh -c "cd '$copy' && autoreconf -fi >/dev/null 2>&1 &&
	    mkdir build && cd build && ../configure --enable-werror >/dev/null &&
	    make -j$jobs >/dev/null && make -j$jobs check ||
	    { cat test-suite.log; exit 1; }"
	rm -rf "$copy"
}

check() {
	deps
	say "build and make check"
	build "$top/build"
	run_check "$top/build"
	if [ "$(id -u)" -eq 0 ]; then
		check_unprivileged
	else
		say "not root: the suite ran as $(id -un) only"
	fi
	say "ASan+UBSan build and make check"
	build "$top/build-asan" --enable-sanitizers CFLAGS="-g -O1"
	run_check "$top/build-asan"
	say "make distcheck"
	make -C "$top/build" distcheck >"$top/build/distcheck.out" 2>&1 ||
	    { tail -100 "$top/build/distcheck.out"; exit 1; }
	tail -4 "$top/build/distcheck.out"
	say "all checks passed"
}

# pamtester through pam_wrapper: PAM service files from the demo directory,
# nothing under /etc/pam.d is touched.
demo_login() {
	wrapper=""
	for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib \
	    "/usr/lib/$(cc -print-multiarch 2>/dev/null)"; do
		[ -f "$d/libpam_wrapper.so" ] && wrapper="$d/libpam_wrapper.so" && break
	done
	[ -n "$wrapper" ] || { echo "quickstart: libpam_wrapper.so not found" >&2; exit 1; }
	printf '%s\n%s\n' "$2" "$3" | LD_PRELOAD="$wrapper" PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$demo_dir/pam.d" \
	    pamtester -v zoneauth-demo "$1" authenticate acct_mgmt open_session \
	    close_session
}

demo() {
	deps
	say "build"
	build "$top/build" >/dev/null
	idmgr="$top/build/idmgr/idmgr"
	if [ -f "$demo_dir/env" ]; then
		"$top/contrib/slapd-sandbox" stop "$demo_dir" >/dev/null
	fi
	say "start a throwaway directory with the sample municipality in $demo_dir"
	"$top/contrib/slapd-sandbox" start --sample "$demo_dir"
	. "$demo_dir/env"
	conf="$demo_dir/zoneauth.conf"
	say "IDs in the sample directory of 例市 (idmgr user list --department joho)"
	"$idmgr" -c "$conf" user list --department joho
	say "privileged IDs (renamed from defaults, with owner and approval)"
	ldapsearch -LLL -o ldif-wrap=no -Q -Y EXTERNAL -H "$LDAPI_URI" \
	    -b "$BASE_DN" '(objectClass=zoneauthPrivileged)' \
	    uid zaPrivDefaultName zaPrivOwner zaApprovalRef | "$top/contrib/ldif-decode"

	say "register a new employee (initial password printed once, must be changed)"
	"$idmgr" -c "$conf" user add demo01 -e 990001 -n "見本 太郎" \
	    -k "ミホン タロウ" -d joho -t staff

	say "enrol a TOTP token for sato (佐藤 太郎): the URI goes into an authenticator app"
	uri=$("$idmgr" -c "$conf" token totp-enroll sato --label demo-phone --no-qr |
	    grep -o 'otpauth://[^ ]*')
	echo "$uri"
	secret=$(printf '%s\n' "$uri" | sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
	code=$(oathtool --totp -b "$secret")

	say "log in as sato on this (zone = mynumber) terminal: password + code $code"
	mkdir -p "$demo_dir/pam.d"
	mod="$top/build/.libs/pam_zoneauth.so"
	# Not installed: the FIDO2 plug-in is taken from the build tree.
	args="conf=$conf fido2.plugin=$top/build/.libs/fido2.so"
	printf '%s\n' "auth required $mod $args" \
	    "account required $mod $args" \
	    "session required $mod $args" > "$demo_dir/pam.d/zoneauth-demo"
	printf 'auth required pam_deny.so\n' > "$demo_dir/pam.d/other"
	demo_login sato Reishi-Demo-2026 "$code"

	say "the same code a second time is refused (replay, on any terminal)"
	demo_login sato Reishi-Demo-2026 "$code" || true

	say "sato's ID now shows the last MFA login and the failed attempt"
	"$idmgr" -c "$conf" user show sato
	say "every change idmgr made is in the hash-chained audit log"
	"$idmgr" -c "$conf" audit verify
	say "the directory keeps running; stop it with:"
	echo "    ./quickstart.sh stop      (or: contrib/slapd-sandbox stop $demo_dir)"
}

case "${1:-}" in
deps)	deps ;;
check)	check ;;
demo)	demo ;;
stop)	"$top/contrib/slapd-sandbox" stop "$demo_dir" ;;
*)	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
