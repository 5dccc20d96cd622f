/* Time parsing, formatting and arithmetic (see za_time.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "za_err.h"
#include "za_time.h"

#define SECS_PER_DAY	86400

/* Read n decimal digits at s into *v; 0 on success, -1 on a non-digit. */
static int
read_digits(const char *s, size_t n, int *v)
{
	size_t i;
	int x = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
 * Computed rather than via timegm() so that no result is ambiguous with
 * timegm's -1 error value.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe, mp;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	mp = m > 2 ? m - 3 : m + 9;
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
int64_to_time(int64_t v, time_t *out)
{
	time_t t = (time_t)v;

	if ((int64_t)t != v)
		return ZA_ERR_RANGE;
	*out = t;
	return ZA_OK;
}

int
za_time_parse_gentime(const char *s, size_t len, time_t *out)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0;
	size_t pos = 14, nfrac = 0;
	int64_t v, off = 0;
	int r = ZA_ERR_PARSE;

	if (s == NULL || out == NULL)
		return ZA_ERR_ARG;
	if (len < 15 || len > 14 + 10 + 5)
		goto out;
	if (read_digits(s, 4, &year) != 0 || read_digits(s + 4, 2, &mon) ||
	    read_digits(s + 6, 2, &day) || read_digits(s + 8, 2, &hour) ||
	    read_digits(s + 10, 2, &min) || read_digits(s + 12, 2, &sec))
		goto out;
	if (mon < 1 || mon > 12 || day < 1 ||
	    day > days_in_month(year, mon) || hour > 23 || min > 59 ||
	    sec > 60)
		goto out;
	if (s[pos] == '.' || s[pos] == ',') {
		pos++;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
			pos++;
			nfrac++;
		}
		if (nfrac < 1 || nfrac > 9)
			goto out;
	}
	if (pos >= len)
		goto out;
	if (s[pos] == 'Z') {
		pos++;
	} else if (s[pos] == '+' || s[pos] == '-') {
		if (len - pos != 5 || read_digits(s + pos + 1, 2, &oh) != 0 ||
		    read_digits(s + pos + 3, 2, &om) != 0 || oh > 23 ||
		    om > 59)
			goto out;
		off = (int64_t)oh * 3600 + (int64_t)om * 60;
		if (s[pos] == '-')
			off = -off;
		pos += 5;
	} else
		goto out;
	if (pos != len)
		goto out;
	v = days_from_civil(year, mon, day) * SECS_PER_DAY +
	    (int64_t)hour * 3600 + (int64_t)min * 60 + sec - off;
	r = int64_to_time(v, out);
 out:
	return r;
}

int
za_time_format_gentime(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;
	int n;

	if (buf == NULL || bufsz < ZA_TIME_GENTIME_BUFSZ)
		return ZA_ERR_ARG;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return ZA_ERR_RANGE;
	n = snprintf(buf, bufsz, "%04d%02d%02d%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (n != ZA_TIME_GENTIME_BUFSZ - 1)
		return ZA_ERR_INTERNAL;
	return ZA_OK;
}

int
za_time_format_iso_local(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;
	long off, aoff;
	int n;

	if (buf == NULL || bufsz < ZA_TIME_ISO_BUFSZ)
		return ZA_ERR_ARG;
	if (localtime_r(&t, &tm) == NULL)
		return ZA_ERR_RANGE;
	off = tm.tm_gmtoff;
	if (off % 60 != 0 && gmtime_r(&t, &tm) == NULL)
		return ZA_ERR_RANGE;
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return ZA_ERR_RANGE;
	if (off % 60 != 0) {
		/* Not expressible as +hh:mm: the same instant in UTC. */
		n = snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	} else {
		aoff = off < 0 ? -off : off;
		n = snprintf(buf, bufsz,
		    "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', aoff / 3600,
		    (aoff % 3600) / 60);
	}
	if (n < 0 || (size_t)n >= bufsz)
		return ZA_ERR_INTERNAL;
	return ZA_OK;
}

int
za_time_format_date_local(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;
	int n;

	if (buf == NULL || bufsz < ZA_TIME_DATE_BUFSZ)
		return ZA_ERR_ARG;
	if (localtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return ZA_ERR_RANGE;
	n = snprintf(buf, bufsz, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	if (n != ZA_TIME_DATE_BUFSZ - 1)
		return ZA_ERR_INTERNAL;
	return ZA_OK;
}

int
za_time_parse_date_end_local(const char *s, time_t *out)
{
	struct tm tm, back;
	int year, mon, day;
	time_t t;
	int r = ZA_ERR_PARSE;

	if (s == NULL || out == NULL)
		return ZA_ERR_ARG;
	if (strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-' ||
	    read_digits(s, 4, &year) != 0 || read_digits(s + 5, 2, &mon) ||
	    read_digits(s + 8, 2, &day))
		goto out;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
		goto out;
	r = ZA_ERR_RANGE;
	if (year < 1970)
		goto out;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 59;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* mktime() has no unambiguous error value: check the day we got. */
	if (localtime_r(&t, &back) == NULL || back.tm_year != year - 1900 ||
	    back.tm_mon != mon - 1 || back.tm_mday != day)
		goto out;
	*out = t;
	r = ZA_OK;
 out:
	return r;
}

int
za_time_add(time_t t, int64_t seconds, time_t *out)
{
	time_t res;

	if (out == NULL)
		return ZA_ERR_ARG;
	if (__builtin_add_overflow(t, seconds, &res))
		return ZA_ERR_RANGE;
	*out = res;
	return ZA_OK;
}

int
za_time_add_days(time_t t, int64_t days, time_t *out)
{
	int64_t secs;

	if (out == NULL)
		return ZA_ERR_ARG;
	if (__builtin_mul_overflow(days, (int64_t)SECS_PER_DAY, &secs))
		return ZA_ERR_RANGE;
	return za_time_add(t, secs, out);
}
