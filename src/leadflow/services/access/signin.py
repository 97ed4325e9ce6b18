"""Signing in, throttled per account and per client address.

Without a limit a client tried 8 passwords a second and a flood's argon2 work slowed lead intake
13x. After ACCOUNT.limit failures for one e-mail address within ACCOUNT.window, that address is
refused for ACCOUNT.lockout whatever the password (a successful sign-in clears its count); after
ADDRESS.limit failures from one client address (whatever e-mails it tries) that client is refused
the same way. The counts live in PostgreSQL so that every server process refuses the same flood.

Two limits: attempts that race past the check before the failures they cause are counted get one
verdict each (bounded by the client's concurrency); and anybody can lock an account for
ACCOUNT.lockout by failing on purpose — the price of stopping guessing, as usual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter

from leadflow.identity import InvalidField, normalise_email
from leadflow.services.access import users
from leadflow.services.access.users import Account
from leadflow.storage.store import Store


@dataclass(frozen=True)
class Limit:
    limit: int
    """failures within `window` that start a block"""
    window: timedelta
    lockout: timedelta


ACCOUNT = Limit(limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
ADDRESS = Limit(limit=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))

REFUSED = Counter(
    "leadflow_signin_refused",
    "Sign-in attempts refused unheard by the throttle, by what was blocked (this process)",
    ["scope"],
)


@dataclass(frozen=True)
class Throttled:
    """Too many failures: refused without checking the password; try again in `retry_after`."""

    retry_after: int
    """seconds"""


def _keys(email: str, address: str) -> tuple[str, str]:
    try:
        account = normalise_email(email)
    except InvalidField:
        account = email.strip().lower()[:320]
    return f"account:{account}", f"address:{address}"


async def attempt(
    store: Store, email: str, password: str, *, address: str, now: datetime
) -> Account | Throttled | None:
    """The account, None for a wrong e-mail or password, or Throttled; the caller commits."""
    account_key, address_key = _keys(email, address)
    blocked = await store.throttle.blocked([account_key, address_key], now)
    if blocked:
        REFUSED.labels(scope="account" if account_key in blocked else "address").inc()
        return Throttled(math.ceil((max(blocked.values()) - now).total_seconds()))
    account = await users.authenticate(store, email, password)
    if account is None:
        for key, limit in ((account_key, ACCOUNT), (address_key, ADDRESS)):
            await store.throttle.fail(
                key, now, limit=limit.limit, window=limit.window, lockout=limit.lockout
            )
    else:
        await store.throttle.clear(account_key)
    return account
