"""The escalation check the scheduler runs every minute: due notices out, each exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secops.incident.clocks import Notice, due_notices, record_notice
from secops.incident.model import list_incidents
from secops.incident.policy import IncidentPolicy
from secops.notify import Channel, send
from secops.store import Store
from secops.store.schema import clock_notices


def check_clocks(
    store: Store,
    policy: IncidentPolicy,
    notifiers: list[Channel],
    workspace_dir: Path,
    now: datetime,
    *,
    sleep: Callable[[float], None] = time.sleep,
    zone: tzinfo = UTC,
    reach: str = "",
) -> list[dict[str, Any]]:
    """Send every notice that fell due (catching up after downtime); returns what was sent.
    Times in the text are in ``zone`` (the workspace's). ``reach`` (who to call: the people on duty
    and the security administrator with their phones) is appended to what the channels that reach
    people deliver, but neither to the local log channel nor to the returned text, which callers log:
    names and phone numbers stay out of log lines."""
    from secops.incident.drill.store import notify_flags

    sent = []
    drill_notifies = notify_flags(store)
    for incident in list_incidents(store, open_only=True, with_drills=True):
        # a drill's clocks escalate like real ones (its title says 【演练】); to the notifiers only
        # when the drill was started with --notify
        quiet = incident.drill_id is not None and not drill_notifies.get(incident.drill_id, False)
        for notice in _latest_per_clock(store, due_notices(store, incident, policy, now), now):
            # Claim first: a second checker running at the same time finds the row and sends nothing.
            if not record_notice(store, notice, now, {}):
                continue
            text = notice.text(incident, zone)
            event = {
                "incident": incident.id,
                "deadline": notice.clock.deadline_id,
                "fraction": notice.fraction,
                "due_at": notice.clock.due_at.isoformat(),
            }
            channels = {} if quiet else send(notifiers, text, event, workspace_dir, sleep=sleep, personal=reach)
            with store.engine.begin() as conn:
                conn.execute(
                    clock_notices.update()
                    .where(
                        (clock_notices.c.incident_id == incident.id)
                        & (clock_notices.c.deadline_id == notice.clock.deadline_id)
                        & (clock_notices.c.fraction == round(notice.fraction, 4))
                    )
                    .values(channels=channels)
                )
            sent.append({**event, "text": text, "channels": channels})
    return sent


def _latest_per_clock(store: Store, due: list[Notice], now: datetime) -> list[Notice]:
    """One notice per clock: when several thresholds fell due together (an incident opened late, a
    checker that was down), only the highest is sent; the ones it supersedes are recorded, unsent,
    so that they never go out later."""
    highest: dict[str, Notice] = {}
    for notice in due:
        current = highest.get(notice.clock.deadline_id)
        if current is None or notice.fraction > current.fraction:
            highest[notice.clock.deadline_id] = notice
    for notice in due:
        if notice is not highest[notice.clock.deadline_id]:
            record_notice(store, notice, now, {"skipped": "superseded"})
    return list(highest.values())


def notices_sent(store: Store, incident_id: int) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(clock_notices)
            .where(clock_notices.c.incident_id == incident_id)
            .order_by(clock_notices.c.due_at, clock_notices.c.deadline_id)
        ).all()
    return [
        {
            "deadline": r.deadline_id,
            "fraction": r.fraction,
            "due_at": r.due_at,
            "sent_at": r.sent_at,
            "channels": r.channels,
        }
        for r in rows
    ]
