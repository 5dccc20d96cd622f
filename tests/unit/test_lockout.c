/*
 * Unit tests: failure records and the lockout decision (lib/lockout.c)
 * and the account checks of the PAM account phase (lib/account.c).  The
 * directory side of lockout (recording, locking across processes,
 * unlocking) is tested end to end by tests/integration/pam_lockout.sh.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lber.h>

#include "za_account.h"
#include "za_config.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_log.h"
#include "za_model.h"

#define NOW	((time_t)1795000000)	/* 2026-11-18 */

static int nlogged;

static void
count_emit(void *arg, int priority, const char *line)
{
	(void)arg;
	(void)priority;
	(void)line;
	nlogged++;
}

static const struct za_log count_log = { count_emit, NULL, 1 };

/* Build "<gentime> <nonce> <terminal>" values into berval storage. */
struct vals {
	char text[64][80];
	struct berval bv[64];
	struct berval *p[65];
	size_t n;
};

static void
vals_add_raw(struct vals *v, const char *s)
{
	assert_true(v->n < 64);
	snprintf(v->text[v->n], sizeof(v->text[v->n]), "%s", s);
	v->bv[v->n].bv_val = v->text[v->n];
	v->bv[v->n].bv_len = strlen(v->text[v->n]);
	v->p[v->n] = &v->bv[v->n];
	v->n++;
	v->p[v->n] = NULL;
}

static void
vals_add(struct vals *v, time_t when, unsigned int nonce, const char *term)
{
	struct za_auth_failure f;
	char *s = NULL;

	memset(&f, 0, sizeof(f));
	f.when = when;
	snprintf(f.nonce, sizeof(f.nonce), "%016x", nonce);
	f.terminal = (char *)(uintptr_t)term;
	assert_int_equal(za_auth_failure_format(&f, &s), ZA_OK);
	vals_add_raw(v, s);
	free(s);
}

static void
policy(struct za_lockout_policy *p, unsigned int deny, time_t window,
    time_t unlock)
{
	p->deny = deny;
	p->window = window;
	p->unlock_after = unlock;
	p->ppolicy = 0;
}

/* ---------------------------------------------------------------- records */

static void
test_from_values(void **state)
{
	struct za_lockout_record rec;
	struct vals v;

	(void)state;
	memset(&v, 0, sizeof(v));
	vals_add(&v, NOW - 10, 0x2, "t-02");
	vals_add(&v, NOW - 30, 0x1, NULL);
	vals_add_raw(&v, "not a failure record");
	vals_add(&v, NOW - 10, 0x1, "t-01");
	nlogged = 0;
	assert_int_equal(za_lockout_from_values(v.p, NOW + 60, NOW - 100, 1,
	    &count_log, &rec), ZA_OK);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.malformed, 1);
	assert_true(nlogged > 0);
	/* Oldest first; equal times by nonce; raw text kept for deletes. */
	assert_int_equal(rec.f[0].when, NOW - 30);
	assert_null(rec.f[0].terminal);
	assert_int_equal(rec.f[1].when, NOW - 10);
	assert_string_equal(rec.f[1].terminal, "t-01");
	assert_string_equal(rec.f[2].terminal, "t-02");
	assert_string_equal(rec.raw[1], v.text[3]);
	assert_int_equal(rec.locked_until, NOW + 60);
	assert_int_equal(rec.last_login, NOW - 100);
	assert_int_equal(rec.pwd_locked, 1);
	za_lockout_record_clear(&rec);
	assert_int_equal(rec.n, 0);
	assert_null(rec.f);
	za_lockout_record_clear(&rec);	/* twice is fine */
	za_lockout_record_clear(NULL);
	/* No values at all. */
	assert_int_equal(za_lockout_from_values(NULL, 0, 0, 0, NULL, &rec),
	    ZA_OK);
	assert_int_equal(rec.n, 0);
	za_lockout_record_clear(&rec);
	assert_int_equal(za_lockout_from_values(NULL, 0, 0, 0, NULL, NULL),
	    ZA_ERR_ARG);
}

static void
test_too_many_values(void **state)
{
	struct za_lockout_record rec;
	struct berval one = { 3, (char *)(uintptr_t)"bad" };
	struct berval **many;
	size_t i, n = ZA_LOCKOUT_READ_MAX + 1;

	(void)state;
	many = calloc(n + 1, sizeof(*many));
	assert_non_null(many);
	for (i = 0; i < n; i++)
		many[i] = &one;
	assert_int_equal(za_lockout_from_values(many, 0, 0, 0, NULL, &rec),
	    ZA_ERR_TOO_LARGE);
	assert_int_equal(rec.n, 0);
	/* At the bound: read, every value malformed. */
	many[n - 1] = NULL;
	assert_int_equal(za_lockout_from_values(many, 0, 0, 0, NULL, &rec),
	    ZA_OK);
	assert_int_equal(rec.malformed, ZA_LOCKOUT_READ_MAX);
	za_lockout_record_clear(&rec);
	free(many);
}

/* ---------------------------------------------------------------- decision */

static void
evaluate(const struct za_lockout_policy *p, struct vals *v, time_t until,
    time_t last, struct za_lockout_status *st)
{
	struct za_lockout_record rec;

	assert_int_equal(za_lockout_from_values(v->n > 0 ? v->p : NULL, until,
	    last, 0, NULL, &rec), ZA_OK);
	assert_int_equal(za_lockout_evaluate(p, &rec, NOW, st), ZA_OK);
	za_lockout_record_clear(&rec);
}

static void
test_evaluate(void **state)
{
	struct za_lockout_policy p;
	struct za_lockout_status st;
	struct vals v;
	unsigned int i;

	(void)state;
	policy(&p, 3, 900, 900);
	memset(&v, 0, sizeof(v));
	evaluate(&p, &v, 0, 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 0);
	assert_int_equal(st.newest, 0);
	/* Two in the window, one long before: not locked. */
	vals_add(&v, NOW - 5000, 1, "a");
	vals_add(&v, NOW - 100, 2, "a");
	vals_add(&v, NOW - 50, 3, "b");
	evaluate(&p, &v, 0, 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 2);
	assert_int_equal(st.since_login, 3);
	assert_int_equal(st.newest, NOW - 50);
	/* A third in the window: locked by the count (no end known). */
	vals_add(&v, NOW - 1, 4, "c");
	evaluate(&p, &v, 0, 0, &st);
	assert_true(st.locked);
	assert_int_equal(st.counted, 3);
	assert_int_equal(st.locked_until, 0);
	/* A success since: only the later one counts.  Same second counts. */
	evaluate(&p, &v, 0, NOW - 50, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 2);
	assert_int_equal(st.since_login, 2);
	/* A lock in force. */
	evaluate(&p, &v, NOW + 1, NOW - 10, &st);
	assert_true(st.locked);
	assert_int_equal(st.locked_until, NOW + 1);
	/* An expired lock: the failures before its end no longer count. */
	evaluate(&p, &v, NOW - 60, 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 2);
	evaluate(&p, &v, NOW, 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 0);
	/* The window's edge: exactly window seconds old is out. */
	memset(&v, 0, sizeof(v));
	for (i = 0; i < 3; i++)
		vals_add(&v, NOW - 900, i, "x");
	evaluate(&p, &v, 0, 0, &st);
	assert_false(st.locked);
	assert_int_equal(st.counted, 0);
	/* deny = 1: the first failure locks. */
	policy(&p, 1, 900, 0);
	memset(&v, 0, sizeof(v));
	vals_add(&v, NOW, 9, "x");
	evaluate(&p, &v, 0, 0, &st);
	assert_true(st.locked);
	assert_int_equal(za_lockout_evaluate(NULL, NULL, NOW, &st), ZA_ERR_ARG);
}

static void
test_policy_from_config(void **state)
{
	struct za_config *cfg = za_config_new();
	struct za_lockout_policy p;

	(void)state;
	assert_non_null(cfg);
	za_lockout_policy_from_config(cfg, &p);
	assert_int_equal(p.deny, 5);
	assert_int_equal(p.window, 900);
	assert_int_equal(p.unlock_after, 900);
	assert_int_equal(p.ppolicy, 0);
	cfg->lockout_unlock_ms = 0;
	za_lockout_policy_from_config(cfg, &p);
	assert_int_equal(p.unlock_after, 0);
	/* Under a second still unlocks by itself. */
	cfg->lockout_unlock_ms = 300;
	cfg->lockout_ppolicy = 1;
	za_lockout_policy_from_config(cfg, &p);
	assert_int_equal(p.unlock_after, 1);
	assert_int_equal(p.ppolicy, 1);
	assert_non_null(za_lockout_attrs());
	assert_string_equal(za_lockout_attrs()[0], "zaAuthFailure");
	za_config_free(&cfg);
}

/* ---------------------------------------------------------------- account */

static void
check(const struct za_user *u, const struct za_lockout_status *lk,
    int pwd_locked, int pwd_reset, time_t now,
    enum za_account_state want)
{
	struct za_account_verdict v;

	assert_int_equal(za_account_check(u, lk, pwd_locked, pwd_reset, now,
	    &v), ZA_OK);
	if (v.state != want)
		fail_msg("state %s, expected %s", za_account_state_str(v.state),
		    za_account_state_str(want));
}

static void
test_account(void **state)
{
	struct za_user *u = NULL;
	struct za_lockout_status lk;
	struct za_account_verdict v;

	(void)state;
	memset(&lk, 0, sizeof(lk));
	assert_int_equal(za_user_new(&u), ZA_OK);
	/* No zaAccountStatus: active. */
	check(u, NULL, 1, 1, NOW, ZA_ACCT_OK);
	u->status = ZA_ACCOUNT_ACTIVE;
	check(u, &lk, 1, 1, NOW, ZA_ACCT_OK);
	/* Expiry: the last valid second. */
	u->expiry = NOW;
	check(u, &lk, 0, 0, NOW, ZA_ACCT_OK);
	check(u, &lk, 0, 0, NOW + 1, ZA_ACCT_EXPIRED);
	assert_int_equal(za_account_check(u, &lk, 0, 0, NOW + 1, &v), ZA_OK);
	assert_int_equal(v.from, NOW);
	/* Disabled and suspended come first. */
	u->status = ZA_ACCOUNT_DISABLED;
	check(u, &lk, 0, 0, NOW + 1, ZA_ACCT_DISABLED);
	u->status = ZA_ACCOUNT_SUSPENDED;
	check(u, &lk, 0, 0, NOW + 1, ZA_ACCT_SUSPENDED);
	u->status = ZA_ACCOUNT_ACTIVE;
	u->expiry = 0;
	/* Locks. */
	lk.locked = 1;
	lk.locked_until = NOW + 60;
	assert_int_equal(za_account_check(u, &lk, 0, 0, NOW, &v), ZA_OK);
	assert_int_equal(v.state, ZA_ACCT_LOCKED);
	assert_int_equal(v.until, NOW + 60);
	lk.locked = 0;
	u->pwd_locked = true;
	check(u, &lk, 1, 0, NOW, ZA_ACCT_LOCKED);
	check(u, &lk, 0, 0, NOW, ZA_ACCT_OK);
	u->pwd_locked = false;
	/* Password reset, when asked about. */
	u->pwd_reset = true;
	check(u, &lk, 0, 1, NOW, ZA_ACCT_PASSWORD_RESET);
	check(u, &lk, 0, 0, NOW, ZA_ACCT_OK);
	u->pwd_reset = false;
	/* Privileged IDs: the check-out window, start included, end not. */
	u->priv.is_privileged = true;
	check(u, &lk, 0, 0, NOW, ZA_ACCT_PRIV_NOT_CHECKED_OUT);
	u->priv.checkout_start = NOW - 10;
	check(u, &lk, 0, 0, NOW, ZA_ACCT_PRIV_NOT_CHECKED_OUT);
	u->priv.checkout_end = NOW + 10;
	check(u, &lk, 0, 0, NOW, ZA_ACCT_OK);
	check(u, &lk, 0, 0, NOW - 10, ZA_ACCT_OK);
	check(u, &lk, 0, 0, NOW - 11, ZA_ACCT_PRIV_OUTSIDE_WINDOW);
	check(u, &lk, 0, 0, NOW + 10, ZA_ACCT_PRIV_OUTSIDE_WINDOW);
	assert_int_equal(za_account_check(u, &lk, 0, 0, NOW + 10, &v), ZA_OK);
	assert_int_equal(v.from, NOW - 10);
	assert_int_equal(v.until, NOW + 10);
	/* A lock still wins over the window. */
	lk.locked = 1;
	check(u, &lk, 0, 0, NOW, ZA_ACCT_LOCKED);
	assert_int_equal(za_account_check(NULL, &lk, 0, 0, NOW, &v),
	    ZA_ERR_ARG);
	assert_string_equal(za_account_state_str(ZA_ACCT_SUSPENDED),
	    "suspended");
	za_user_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_values),
		cmocka_unit_test(test_too_many_values),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_policy_from_config),
		cmocka_unit_test(test_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
