"""Up the tiers: what this center's schools sent it, passed on to the upper center with this
center's key (the upper center registered it for the codes it covers), plus this center's own
cases and check-in. Each stream has a cursor advanced only after the upper center answered, so a
relay that stops half-way sends the rest (and some again: every endpoint is idempotent) next time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import BaseModel

from secops import __version__
from secops.center.context import CenterContext
from secops.center.stores.base import AlertQuery
from secops.protocol import signing
from secops.protocol.heartbeat import HEARTBEAT_PATH, Heartbeat, OutboxState
from secops.protocol.incidents import INCIDENTS_PATH, AuditAnchor, IncidentBatch, SchoolIncident
from secops.protocol.notices import NOTICE_STATUS_PATH, NoticeStatus, StatusBatch
from secops.protocol.packs import PACK_STATUS_PATH, PackStatus, PackStatusBatch
from secops.protocol.tiers import COVERED_PATH, CoveredSchool, CoveredSchools
from secops.protocol.zero_reports import ZERO_REPORTS_PATH, ZeroReport, ZeroReportBatch
from secops.relay.state import cursor, save_cursor, since
from secops.store.schema import (
    center_audit_anchors,
    center_heartbeats,
    center_notice_status,
    center_pack_status,
    center_school_incidents,
    center_schools,
    center_zero_reports,
)

BATCH = 500
MAX_BATCHES = 40  # per stream and run; the rest next run


class RelayRefused(RuntimeError):
    """The upper center did not take what was sent (the cursor stays; tried again next run)."""


class Upper:
    """Signed posts to the upper center as this center."""

    def __init__(self, client: httpx.Client, url: str, code: str, key: signing.SchoolKey) -> None:
        self.client, self.url, self.code, self.key = client, url, code, key

    def post(self, path: str, body: bytes) -> dict[str, Any]:
        signed_path = httpx.URL(self.url + path).path
        headers = signing.signed_headers(self.key, self.code, body, now=time.time(), path=signed_path)
        response = self.client.post(path, content=body, headers=headers)
        if response.status_code != 200:
            try:
                error = str(response.json().get("error", ""))[:200]
            except ValueError:
                error = response.reason_phrase
            raise RelayRefused(f"{path}: {response.status_code} {error}")
        answer = response.json()
        return answer if isinstance(answer, dict) else {}

    def post_model(self, path: str, model: BaseModel) -> dict[str, Any]:
        return self.post(path, model.model_dump_json().encode())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def relay_alerts(ctx: CenterContext, upper: Upper) -> int:
    """Alerts in the order this center received them, from where the last run stopped."""
    state = cursor(ctx.state, "alerts")
    after = (datetime.fromisoformat(state["at"]), str(state["id"])) if state else None
    sent = 0
    for _ in range(MAX_BATCHES):
        page = ctx.alerts.search(AlertQuery(order="received", received_after=after, limit=BATCH))
        if not page:
            break
        body = json.dumps({"alerts": [a.doc for a in page]}, ensure_ascii=False, separators=(",", ":")).encode()
        upper.post("/api/v1/alerts", body)
        after = (page[-1].received_at, page[-1].id)
        save_cursor(ctx.state, "alerts", {"at": after[0].isoformat(), "id": after[1]})
        sent += len(page)
        if len(page) < BATCH:
            break
    return sent


def _changed(ctx: CenterContext, table: sa.Table, column: str, name: str) -> tuple[list[Any], datetime | None]:
    start = since(ctx.state, name)
    with ctx.state.engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c[column] > start).order_by(table.c[column])).all()
    last = max((_aware(getattr(r, column)) for r in rows), default=None)
    return list(rows), last


def _advance(ctx: CenterContext, name: str, last: datetime | None) -> None:
    if last is not None:
        save_cursor(ctx.state, name, {"at": last.isoformat()})


def relay_checkins(ctx: CenterContext, upper: Upper, every: timedelta) -> int:
    """Each school's latest check-in as it arrived here, then this center's own."""
    rows, last = _changed(ctx, center_heartbeats, "received_at", "heartbeats")
    for row in rows:
        upper.post_model(HEARTBEAT_PATH, Heartbeat.model_validate(row.beat))
    _advance(ctx, "heartbeats", last)
    backlog = len(ctx.alerts.search(AlertQuery(order="received", received_after=_alerts_after(ctx), limit=BATCH)))
    own = Heartbeat(
        school=upper.code,
        sent_at=datetime.now(UTC),
        software=f"secops {__version__} (center)",
        every_seconds=int(max(every.total_seconds(), 60)),
        outbox=OutboxState(pending=backlog, rejected=0),
    )
    upper.post_model(HEARTBEAT_PATH, own)
    return len(rows)


def _alerts_after(ctx: CenterContext) -> tuple[datetime, str] | None:
    state = cursor(ctx.state, "alerts")
    return (datetime.fromisoformat(state["at"]), str(state["id"])) if state else None


def relay_school_incidents(ctx: CenterContext, upper: Upper) -> int:
    """The schools' incidents (their newest versions) and the audit heads they anchored here."""
    rows, last = _changed(ctx, center_school_incidents, "received_at", "school_incidents")
    anchors, anchored = _changed(ctx, center_audit_anchors, "received_at", "audit_anchors")
    by_school: dict[str, list[SchoolIncident]] = defaultdict(list)
    for row in rows:
        by_school[row.school].append(SchoolIncident.model_validate(row.incident))
    heads: dict[str, AuditAnchor] = {}
    for row in anchors:  # the newest consistent head per school (conflicts stay a matter for this tier)
        if row.conflict is None:
            heads[row.school] = AuditAnchor(entries=row.entries, last_hash=row.last_hash)
    for school in sorted(set(by_school) | set(heads)):
        items = by_school.get(school, [])
        chunks = [items[i : i + 200] for i in range(0, len(items), 200)] or [[]]
        for index, chunk in enumerate(chunks):
            head = heads.get(school) if index == len(chunks) - 1 else None
            batch = IncidentBatch(school=school, sent_at=datetime.now(UTC), incidents=chunk, audit_head=head)
            upper.post_model(INCIDENTS_PATH, batch)
    _advance(ctx, "school_incidents", last)
    _advance(ctx, "audit_anchors", anchored)
    return len(rows)


def _by_school(rows: Sequence[Any], build: Callable[[Any], Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.school].append(build(row))
    return grouped


def relay_notice_statuses(ctx: CenterContext, upper: Upper) -> int:
    rows, last = _changed(ctx, center_notice_status, "updated_at", "notice_status")

    def status(row: Any) -> NoticeStatus:
        at = row.rectified_at or row.acknowledged_at or row.received_at or row.updated_at
        return NoticeStatus(
            notice_id=row.notice_id, status=row.status, at=_aware(at), summary=row.summary, reason=row.reason
        )

    for school, statuses in _by_school(rows, status).items():
        upper.post_model(NOTICE_STATUS_PATH, StatusBatch(school=school, statuses=statuses))
    _advance(ctx, "notice_status", last)
    return len(rows)


def relay_zero_reports(ctx: CenterContext, upper: Upper) -> int:
    rows, last = _changed(ctx, center_zero_reports, "updated_at", "zero_reports")

    def report(row: Any) -> ZeroReport:
        return ZeroReport(
            school=row.school, day=row.day, kind=row.kind, incidents=list(row.incidents or []),
            submitted_at=_aware(row.submitted_at), submitted_by=row.submitted_by,
        )  # fmt: skip

    for school, reports in _by_school(rows, report).items():
        upper.post_model(ZERO_REPORTS_PATH, ZeroReportBatch(school=school, reports=reports))
    _advance(ctx, "zero_reports", last)
    return len(rows)


def relay_pack_statuses(ctx: CenterContext, upper: Upper) -> int:
    rows, last = _changed(ctx, center_pack_status, "updated_at", "pack_status")

    def status(row: Any) -> PackStatus:
        return PackStatus(
            pack_id=row.pack_id, status=row.status, at=_aware(row.at), version=row.installed_version, reason=row.reason
        )

    for school, statuses in _by_school(rows, status).items():
        upper.post_model(PACK_STATUS_PATH, PackStatusBatch(school=school, statuses=statuses))
    _advance(ctx, "pack_status", last)
    return len(rows)


def relay_names(ctx: CenterContext, upper: Upper) -> int:
    """The names of this center's schools, when they changed (the upper center lists them by name)."""
    c = center_schools.c
    with ctx.state.engine.connect() as conn:
        rows = conn.execute(sa.select(c.code, c.name).where(c.revoked_at.is_(None)).order_by(c.code)).all()
    names = [CoveredSchool(code=code, name=name[:200]) for code, name in rows]
    listed = json.dumps([[n.code, n.name] for n in names], ensure_ascii=False).encode()
    digest = hashlib.sha256(listed).hexdigest()
    if cursor(ctx.state, "names").get("digest") == digest or not names:
        return 0
    upper.post_model(COVERED_PATH, CoveredSchools(center=upper.code, schools=names))
    save_cursor(ctx.state, "names", {"digest": digest})
    return len(names)
