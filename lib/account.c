/* Account checks (see za_account.h). */
#include "config.h"

#include <string.h>

#include "za_account.h"
#include "za_err.h"
#include "za_lockout.h"
#include "za_model.h"

int
za_account_check(const struct za_user *u,
    const struct za_lockout_status *lk, int check_pwd_locked,
    int check_pwd_reset, time_t now, struct za_account_verdict *v)
{
	const struct za_priv *pv;

	if (u == NULL || v == NULL)
		return ZA_ERR_ARG;
	memset(v, 0, sizeof(*v));
	pv = &u->priv;
	if (u->status == ZA_ACCOUNT_DISABLED)
		v->state = ZA_ACCT_DISABLED;
	else if (u->status == ZA_ACCOUNT_SUSPENDED)
		v->state = ZA_ACCT_SUSPENDED;
	else if (u->expiry != 0 && now > u->expiry) {
		v->state = ZA_ACCT_EXPIRED;
		v->from = u->expiry;
	} else if ((lk != NULL && lk->locked) ||
	    (check_pwd_locked && u->pwd_locked)) {
		v->state = ZA_ACCT_LOCKED;
		v->until = lk != NULL && lk->locked ? lk->locked_until : 0;
	} else if (pv->is_privileged && (pv->checkout_start == 0 ||
	    pv->checkout_end == 0))
		v->state = ZA_ACCT_PRIV_NOT_CHECKED_OUT;
	else if (pv->is_privileged && (now < pv->checkout_start ||
	    now >= pv->checkout_end)) {
		v->state = ZA_ACCT_PRIV_OUTSIDE_WINDOW;
		v->from = pv->checkout_start;
		v->until = pv->checkout_end;
	} else if (check_pwd_reset && u->pwd_reset)
		v->state = ZA_ACCT_PASSWORD_RESET;
	else
		v->state = ZA_ACCT_OK;
	return ZA_OK;
}

const char *
za_account_state_str(enum za_account_state s)
{
	switch (s) {
	case ZA_ACCT_OK:
		return "ok";
	case ZA_ACCT_DISABLED:
		return "disabled";
	case ZA_ACCT_SUSPENDED:
		return "suspended";
	case ZA_ACCT_EXPIRED:
		return "expired";
	case ZA_ACCT_LOCKED:
		return "locked";
	case ZA_ACCT_PRIV_NOT_CHECKED_OUT:
		return "privileged ID not checked out";
	case ZA_ACCT_PRIV_OUTSIDE_WINDOW:
		return "privileged ID outside its check-out window";
	case ZA_ACCT_PASSWORD_RESET:
		return "password must be changed";
	}
	return "unknown";
}
