"""The forwarder's check-in (``secops.protocol.heartbeat``): built from the workspace, sent signed.

Sent on every forwarder pass, whatever became of the alerts: a center whose alert store is down
still learns the school is alive and how far behind it is. Like the compliance summary, sending
never raises; the pass reports what happened in a few words.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx

from secops import __version__
from secops.forward import outbox
from secops.forward.post import send
from secops.forward.target import Target
from secops.protocol.heartbeat import HEARTBEAT_PATH, MAX_EVERY_SECONDS, MIN_EVERY_SECONDS, Heartbeat, OutboxState
from secops.store import Store

log = logging.getLogger(__name__)


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _last_discovery(store: Store) -> tuple[datetime | None, str | None]:
    from secops.inventory.queries import scan_run_list

    for run in scan_run_list(store, limit=10):
        if run["finished"] is not None:
            return _aware(run["finished"]), str(run["status"])[:20]
    return None, None


def build_heartbeat(store: Store, school: str, now: datetime, every: timedelta) -> Heartbeat:
    from secops.detection.incremental import last_read_at

    backlog = outbox.summary(store, now)
    oldest = backlog["oldest_pending_age_s"]
    discovered_at, discovery_status = _last_discovery(store)
    seconds = int(min(max(every.total_seconds(), MIN_EVERY_SECONDS), MAX_EVERY_SECONDS))
    error = backlog["last_error"]
    return Heartbeat(
        school=school,
        sent_at=now.astimezone(UTC),
        software=f"secops {__version__}",
        every_seconds=seconds,
        outbox=OutboxState(
            pending=int(backlog["pending"]) + int(backlog["not_enqueued"]),
            rejected=int(backlog["rejected"]),
            oldest_pending_at=now.astimezone(UTC) - timedelta(seconds=oldest) if oldest is not None else None,
            last_sent_at=backlog["last_sent_at"],
            last_error=str(error)[:300] if error else None,
        ),
        last_detection_at=last_read_at(store),
        last_discovery_at=discovered_at,
        last_discovery_status=discovery_status,
    )


def send_heartbeat(http: httpx.Client, target: Target, store: Store, now: datetime, every: timedelta) -> str:
    """POST this school's check-in; returns what happened in a few words. Never raises."""
    try:
        body = build_heartbeat(store, target.school, now, every).model_dump_json().encode()
    except Exception as exc:  # a broken workspace row must not stop the alerts
        log.warning("check-in not built: %s", exc)
        return f"not built: {exc}"
    return send(http, target, HEARTBEAT_PATH, body, "check-ins")
