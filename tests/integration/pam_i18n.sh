#!/bin/sh
# Messages in the application's locale: Japanese prompts and messages with
# LANGUAGE=ja (the catalogue po/ja.po, compiled in the build tree and found
# through general.localedir), English in the C locale or without a
# catalogue; and po/ja.po translates every message of the sources.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/integration/common.sh"
. "$top_srcdir/tests/integration/pamenv.sh"
. "$top_srcdir/tests/integration/pamzone.sh"

work_pot=$(mktemp -d "${TMPDIR:-/tmp}/zapo.XXXXXX")
za_atexit "rm -rf '$work_pot'"

# ---------------------------------------------------------------- catalogue
if command -v xgettext >/dev/null 2>&1 && command -v msgcmp >/dev/null 2>&1; then
	(cd "$top_srcdir" && xgettext --from-code=UTF-8 -L C -k_ -kza_pam_text \
	    -kza_pam_ntext:1,2 -o "$work_pot/zoneauth.pot" \
	    $(grep -v '^#' po/POTFILES.in)) || za_fail "xgettext failed"
	[ "$(grep -c '^msgid "' "$work_pot/zoneauth.pot")" -gt 15 ] ||
	    za_fail "xgettext found too few messages (keywords?)"
	msgcmp "$top_srcdir/po/ja.po" "$work_pot/zoneauth.pot" > "$work_pot/cmp" 2>&1 ||
	    { cat "$work_pot/cmp"; za_fail "po/ja.po lacks messages of the sources (make update-po)"; }
	stats=$(msgfmt -c --statistics -o /dev/null "$top_srcdir/po/ja.po" 2>&1)
	case $stats in
	*untranslated* | *fuzzy*) za_fail "po/ja.po: $stats" ;;
	esac
	za_ok "po/ja.po translates every message of the sources ($stats)"
else
	echo "SKIP (part): xgettext/msgcmp not installed (apt-get install gettext); catalogue completeness not checked"
fi

# ---------------------------------------------------------------- at login
za_pz_setup
work="$ZA_SANDBOX/i18n"
mkdir -m 0700 "$work"
conf=$(za_pz_conf i18n "[lockout]
delay = 0
[session]
record_interval = 0")
za_pz_service i18n "$conf" otp.window=10
hex=$ZA_PZ_TANAKA_HEX
s0=$(za_pz_step)

LANGUAGE=ja LC_ALL=C.UTF-8 za_pz_conv i18n tanaka -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + 1)))" \
    auth=PAM_SUCCESS acct=PAM_SUCCESS open=PAM_SUCCESS > "$work/ja" ||
    { cat "$work/ja"; za_fail "Japanese login"; }
za_pz_expect "Japanese password prompt" '^prompt-off: パスワード: $' "$work/ja"
za_pz_expect "Japanese code prompt" '^prompt-off: ワンタイムコード: $' "$work/ja"
za_pz_expect "Japanese first-login note" '^info: このIDのログイン記録はこれが最初です。$' "$work/ja"
LANGUAGE=ja LC_ALL=C.UTF-8 za_pz_conv i18n tanaka -r t-01 -a wrong -a 000000 auth=PAM_AUTH_ERR > "$work/ja2" ||
    { cat "$work/ja2"; za_fail "Japanese failure"; }
za_pz_expect "Japanese failure message" '^error: 認証に失敗しました。$' "$work/ja2"
LANGUAGE=ja LC_ALL=C.UTF-8 za_pz_conv i18n tanaka -a "$ZA_PZ_PW" -a "$(za_pz_totp "$hex" $((s0 + 2)))" \
    auth=PAM_SUCCESS open=PAM_SUCCESS > "$work/ja3" || { cat "$work/ja3"; za_fail "Japanese second login"; }
za_pz_expect "Japanese last login" '^info: 前回のログイン: [0-9: -]+（端末 [^）]+）$' "$work/ja3"
za_pz_expect "Japanese failures since" '^info: 前回のログイン以降、ログインに 1 回失敗しています（最新は [0-9: -]+）。$' "$work/ja3"
LANGUAGE=ja LC_ALL=C.UTF-8 za_pz_conv i18n ogawa acct=PAM_PERM_DENIED > "$work/ja4" ||
    { cat "$work/ja4"; za_fail "Japanese account phase"; }
za_pz_expect "Japanese account message" '^error: このIDは無効化されています。ID管理者に連絡してください。$' "$work/ja4"
za_ok "LANGUAGE=ja: prompts, failure, last login, failures since and account messages in Japanese"

LC_ALL=C za_pz_conv i18n tanaka -a wrong -a 000000 auth=PAM_AUTH_ERR > "$work/c" ||
    { cat "$work/c"; za_fail "C locale"; }
za_pz_expect "C locale: English prompt" '^prompt-off: Password: $' "$work/c"
za_pz_expect "C locale: English message" '^error: Authentication failed\.$' "$work/c"
za_pz_service nocat "$conf" otp.window=10 general.localedir=/nonexistent
LANGUAGE=ja LC_ALL=C.UTF-8 za_pz_conv nocat tanaka -a wrong -a 000000 auth=PAM_AUTH_ERR > "$work/nocat" ||
    { cat "$work/nocat"; za_fail "no catalogue"; }
za_pz_expect "no catalogue: English" '^prompt-off: One-time code: $' "$work/nocat"
za_ok "C locale, or no catalogue installed: English"

za_pz_done pam_i18n
