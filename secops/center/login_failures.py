"""The dashboard's login throttle kept in the center database, for several instances on one
PostgreSQL database: a failure seen by one instance counts on all, so a password guesser gains
nothing by spreading attempts over the instances behind a balancer.

The same rules as :class:`secops.center.staff.LoginThrottle` (in memory, the choice on SQLite):
``limit`` failures of one name from one address, ``per_address`` from one address, ``overall``
from anywhere within their windows; further attempts wait until the oldest counted failure ages
out. One row per failure; attempts refused by the throttle are never counted, so the table grows
by at most ``overall`` rows a minute, and housekeeping deletes rows older than the longest window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from secops.center.staff import LoginThrottle
from secops.store import Store
from secops.store.schema import center_login_failures

_c = center_login_failures.c
KEEP = timedelta(minutes=15)  # the longest window (LoginThrottle's default)
BATCH = 5000


class SharedLoginThrottle:
    shared = True  # its calls query the database (off the event loop)

    def __init__(
        self,
        state: Store,
        limit: int = 5,
        window: timedelta = timedelta(minutes=15),
        *,
        per_address: int = 20,
        overall: int = 100,
        overall_window: timedelta = timedelta(minutes=1),
    ) -> None:
        self.state = state
        self.limit = limit
        self.window = window
        self.per_address = per_address
        self.overall = overall
        self.overall_window = overall_window

    def _wait(self, conn: Any, where: list[Any], limit: int, window: timedelta, now: datetime) -> int:
        """Seconds until the ``limit``-th latest failure matching ``where`` leaves ``window``."""
        nth = conn.execute(
            sa.select(_c.at).where(*where, _c.at > now - window).order_by(_c.at.desc()).offset(limit - 1).limit(1)
        ).scalar()
        if nth is None:
            return 0
        return max(1, int((nth + window - now).total_seconds()) + 1)

    def _address_wait(self, conn: Any, client: str, now: datetime) -> int:
        return max(
            self._wait(conn, [_c.client == client[:64]], self.per_address, self.window, now),
            self._wait(conn, [], self.overall, self.overall_window, now),
        )

    def retry_after(self, username: str, client: str, now: datetime) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        with self.state.engine.connect() as conn:
            mine = [_c.username == username[:64], _c.client == client[:64]]
            return max(self._wait(conn, mine, self.limit, self.window, now), self._address_wait(conn, client, now))

    def address_wait(self, client: str, now: datetime) -> int:
        """Like ``retry_after`` without the name: what can be told before the form is read."""
        with self.state.engine.connect() as conn:
            return self._address_wait(conn, client, now)

    def failed(self, username: str, client: str, now: datetime) -> None:
        with self.state.engine.begin() as conn:
            conn.execute(center_login_failures.insert().values(username=username[:64], client=client[:64], at=now))

    def succeeded(self, username: str, client: str) -> None:
        with self.state.engine.begin() as conn:
            conn.execute(center_login_failures.delete().where(_c.username == username[:64], _c.client == client[:64]))


def throttle_for(state: Store, *, several_processes: bool = False) -> LoginThrottle | SharedLoginThrottle:
    """In the database when it is a server several instances may share, or when several worker
    processes share one SQLite file; in memory for a single process on SQLite."""
    if state.engine.dialect.name == "sqlite" and not several_processes:
        return LoginThrottle()
    return SharedLoginThrottle(state)


def prune_login_failures(state: Store, now: datetime, *, batch: int = BATCH) -> int:
    """Forget failures older than the longest window (one bounded batch); returns how many."""
    oldest = sa.select(_c.id).where(_c.at <= now - KEEP).limit(batch)
    with state.engine.begin() as conn:
        done = conn.execute(center_login_failures.delete().where(_c.id.in_(oldest)))
    return int(done.rowcount or 0)
