/*
 * Checks of values typed on the command line.  Each failure is a usage
 * error naming the field; nothing has been written when they run.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "za_err.h"
#include "za_model.h"
#include "za_time.h"

#include "idmgr.h"

int
idmgr_check_text(struct idmgr *im, const char *field, const char *s,
    size_t max)
{
	if (s == NULL || za_valid_text(s, max, field, NULL) != ZA_OK)
		return idmgr_usage(im, field, "must be 1 to %zu bytes of UTF-8 "
		    "text without control characters", max);
	return ZA_OK;
}

int
idmgr_check_reason(struct idmgr *im, const char *field, const char *s)
{
	return idmgr_check_text(im, field, s, ZA_REASON_MAX);
}

/* Decode one well-formed UTF-8 sequence (input already validated). */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return 4;
}

/* Full-width katakana, the prolonged sound mark, middle dot and spaces. */
static int
kana_ok(uint32_t cp)
{
	return (cp >= 0x30a1 && cp <= 0x30fa) || cp == 0x30fb ||
	    cp == 0x30fc || cp == 0x30fd || cp == 0x30fe || cp == 0x20 ||
	    cp == 0x3000;
}

int
idmgr_check_kana(struct idmgr *im, const char *field, const char *s)
{
	const unsigned char *p;
	uint32_t cp;
	int letters = 0;

	if (s == NULL || za_valid_text(s, ZA_NAME_MAX, field, NULL) != ZA_OK)
		return idmgr_check_text(im, field, s, ZA_NAME_MAX);
	for (p = (const unsigned char *)s; *p != '\0'; ) {
		p += utf8_next(p, &cp);
		if (!kana_ok(cp))
			return idmgr_usage(im, field, "must be written in "
			    "full-width katakana (e.g. タナカ ハナコ)");
		if (cp != 0x20 && cp != 0x3000)
			letters++;
	}
	if (letters == 0)
		return idmgr_usage(im, field, "must not be blank");
	return ZA_OK;
}

int
idmgr_check_mail(struct idmgr *im, const char *field, const char *s)
{
	const char *at, *p;

	if (s == NULL || *s == '\0' || strlen(s) > ZA_NAME_MAX)
		goto bad;
	for (p = s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"(),:;<>[\\]", *p))
			goto bad;
	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL)
		goto bad;
	return ZA_OK;
 bad:
	return idmgr_usage(im, field, "not a mail address (local@domain)");
}

int
idmgr_parse_date(struct idmgr *im, const char *field, const char *s,
    time_t *out)
{
	if (za_time_parse_date_end_local(s, out) != ZA_OK)
		return idmgr_usage(im, field, "not a date YYYY-MM-DD");
	return ZA_OK;
}

int
idmgr_split_name(const char *name, char **sn, char **given)
{
	const char *sp = NULL, *p, *rest;
	size_t skip = 0;

	*sn = NULL;
	*given = NULL;
	for (p = name; *p != '\0'; p++) {
		if (*p == ' ') {
			sp = p;
			skip = 1;
			break;
		}
		if (strncmp(p, "\xe3\x80\x80", 3) == 0) {	/* U+3000 */
			sp = p;
			skip = 3;
			break;
		}
	}
	if (sp == NULL || sp == name)
		return (*sn = strdup(name)) != NULL ? ZA_OK : ZA_ERR_NOMEM;
	for (rest = sp + skip; *rest == ' ' ||
	    strncmp(rest, "\xe3\x80\x80", 3) == 0;
	    rest += *rest == ' ' ? 1 : 3)
		;
	if ((*sn = strndup(name, (size_t)(sp - name))) == NULL)
		return ZA_ERR_NOMEM;
	if (*rest != '\0' && (*given = strdup(rest)) == NULL) {
		free(*sn);
		*sn = NULL;
		return ZA_ERR_NOMEM;
	}
	return ZA_OK;
}
