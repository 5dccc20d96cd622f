/*
 * Time: LDAP GeneralizedTime, ISO-8601 for audit records, calendar dates
 * given on the command line, and overflow-safe time_t arithmetic.
 *
 * Nothing here changes global state: UTC conversions are computed, local
 * ones use localtime_r()/mktime() with whatever TZ the process already has.
 */
#ifndef ZA_TIME_H
#define ZA_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ZA_TIME_GENTIME_BUFSZ	16	/* "YYYYMMDDHHMMSSZ" + NUL */
#define ZA_TIME_ISO_BUFSZ	26	/* "YYYY-MM-DDTHH:MM:SS+hh:mm" + NUL */
#define ZA_TIME_DATE_BUFSZ	11	/* "YYYY-MM-DD" + NUL */

/*
 * Parse len bytes at s (no NUL needed) as an LDAP GeneralizedTime:
 *   YYYYMMDDHHMMSS [ ("." / ",") 1*9DIGIT ] ( "Z" / ("+" / "-") hhmm )
 * Years 0000-9999; month, day (leap years included), hour 00-23, minute
 * 00-59 and second 00-60 (a leap second counts as the next minute's first)
 * are range-checked; the fraction is truncated; an offset hh 00-23, mm
 * 00-59 is subtracted to give UTC.  Forms RFC 4517 also allows (minutes or
 * seconds omitted, a one-part offset) and anything else are rejected.
 * Returns ZA_OK and sets *out, ZA_ERR_PARSE, ZA_ERR_RANGE (time_t cannot
 * hold it) or ZA_ERR_ARG.
 */
int za_time_parse_gentime(const char *s, size_t len, time_t *out);

/*
 * Format t as "YYYYMMDDHHMMSSZ" (UTC) into buf of bufsz >=
 * ZA_TIME_GENTIME_BUFSZ bytes.  Returns ZA_OK, ZA_ERR_RANGE (year outside
 * 0000-9999) or ZA_ERR_ARG (NULL or short buffer).
 */
int za_time_format_gentime(time_t t, char *buf, size_t bufsz);

/*
 * Format t in the process's local time zone as ISO-8601 with a numeric
 * offset, e.g. "2026-11-24T09:00:00+09:00", into buf of bufsz >=
 * ZA_TIME_ISO_BUFSZ bytes.  Where the zone's offset is not a whole number
 * of minutes (historical local mean time) the same instant is written in
 * UTC with "Z" instead.  Returns ZA_OK, ZA_ERR_RANGE or ZA_ERR_ARG.
 */
int za_time_format_iso_local(time_t t, char *buf, size_t bufsz);

/*
 * Format the local calendar date of t as "YYYY-MM-DD" into buf of bufsz >=
 * ZA_TIME_DATE_BUFSZ bytes.  Returns ZA_OK, ZA_ERR_RANGE or ZA_ERR_ARG.
 */
int za_time_format_date_local(time_t t, char *buf, size_t bufsz);

/*
 * Parse a date "YYYY-MM-DD" (exactly; years 1970-9999, real calendar days)
 * as given on the command line for an expiry, and set *out to the LAST
 * second of that day in local time (23:59:59): an ID that expires on a
 * date may still be used throughout that day.  Returns ZA_OK,
 * ZA_ERR_PARSE, ZA_ERR_RANGE or ZA_ERR_ARG.
 */
int za_time_parse_date_end_local(const char *s, time_t *out);

/*
 * *out = t + seconds.  Returns ZA_OK, or ZA_ERR_RANGE on time_t overflow
 * (*out untouched), or ZA_ERR_ARG.
 */
int za_time_add(time_t t, int64_t seconds, time_t *out);

/* *out = t + days * 86400, same returns as za_time_add(). */
int za_time_add_days(time_t t, int64_t days, time_t *out);

#endif /* ZA_TIME_H */
