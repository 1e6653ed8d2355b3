"""What the center sends down, received at the school: pulled on every forwarder pass, each
envelope checked against the center key pinned at ``forward setup --center-key``
(secops.protocol.envelope), then handed to the handler of its kind.

A 通报 (kind ``notice``) opens a local incident: 07 安全隐患事件 / 网络漏洞 with the
notified-vulnerability playbook for a vulnerability notice, 10 其他事件 otherwise, always a 通报
(``notified``) whose 60-hour clock runs from the notice's issue time. Attachments are kept beside
the workspace and their hashes go into the audit trail. The school's status goes back up as it
changes: received, acknowledged (the incident acknowledged), rectified (recovered or closed, with
the ``measures`` the school recorded as the evidence summary), or refused with the reason
(a bad signature, another school's notice, expired). A replayed envelope (an id already received)
is ignored.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from secops.errors import SecopsError
from secops.forward.post import send
from secops.forward.target import Target
from secops.fsutil import write_bytes_atomic
from secops.i18n import _
from secops.incident.model import Incident, Session, attach, get_incident, open_incident
from secops.protocol import envelope, signing
from secops.protocol.notices import (
    NOTICE_KINDS,
    NOTICE_STATUS_PATH,
    OUTBOUND_PATH,
    NoticeBody,
    NoticeStatus,
    OutboundPage,
    StatusBatch,
)
from secops.store import Store
from secops.store.bulk import insert_rows
from secops.store.schema import forward_received, forward_sync_state

log = logging.getLogger(__name__)
CURSOR = "outbound_after"
ACTOR = "center-notice"
NOTICES_FOLDER = "notices"
MAX_PAGES = 20  # per pass; the rest next pass
MAX_SUMMARY = 2000


@dataclass
class InboxResult:
    received: list[str] = field(default_factory=list)  # one line per accepted envelope
    refused: list[str] = field(default_factory=list)  # one line per refused envelope
    statuses: str | None = None  # what became of the status report
    error: str | None = None  # why nothing was pulled

    def text(self) -> str:
        parts = [*self.received, *(f"refused {r}" for r in self.refused)]
        if self.statuses:
            parts.append(f"status: {self.statuses}")
        if self.error:
            parts.append(self.error)
        return "; ".join(parts) or "nothing new"


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: the opened payload and where to act."""

    store: Store
    workspace: Path
    payload: envelope.Payload
    now: datetime


Handler = Callable[[Delivery], tuple[int | None, str]]  # (local incident id, one line for people)
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def _cursor(store: Store) -> int:
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(forward_sync_state.c.value).where(forward_sync_state.c.name == CURSOR)).scalar()
    return int(value.get("seq", 0)) if isinstance(value, dict) else 0


def _save_cursor(store: Store, seq: int, now: datetime) -> None:
    with store.engine.begin() as conn:
        insert_rows(
            conn,
            forward_sync_state,
            [{"name": CURSOR, "value": {"seq": seq}, "at": now}],
            conflict=("name",),
            update=["value", "at"],
        )


def _known(store: Store, item_id: str) -> bool:
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.select(forward_received.c.id).where(forward_received.c.id == item_id)).first() is not None
        )


def _record(store: Store, **values: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(forward_received.insert().values(**values))


def _get(client: httpx.Client, target: Target, after: int) -> OutboundPage:
    path = httpx.URL(target.center + OUTBOUND_PATH).path
    headers = signing.signed_headers(target.key, target.school, b"", now=time.time(), method="GET", path=path)
    response = client.get(OUTBOUND_PATH, params={"after": str(after)}, headers=headers)
    if response.status_code == 404:
        raise SecopsError(_("the center sends nothing down (404): it needs a newer secops"))
    if response.status_code != 200:
        raise SecopsError(
            _("the center answered {status} for {path}").format(status=response.status_code, path=OUTBOUND_PATH)
        )
    return OutboundPage.model_validate_json(response.content)


def _envelope_id(sealed: dict[str, object], seq: int) -> str:
    """An id to remember a refused envelope by (its payload may not even decode)."""
    digest = hashlib.sha256(str(sealed.get("signature", "")).encode()).hexdigest()[:40]
    return f"refused-{seq}-{digest}"[:64]


def _load_handlers() -> None:
    """The handlers of other kinds live in their own modules, which cannot import this one back
    (no import cycles): registered here, before the first envelope is handled."""
    from secops.forward.drills import receive_drill_request
    from secops.forward.packs import handle_pack
    from secops.forward.periods import receive_period

    HANDLERS.setdefault("period", receive_period)
    HANDLERS.setdefault("pack", handle_pack)
    HANDLERS.setdefault("drill", receive_drill_request)


def pull(client: httpx.Client, target: Target, store: Store, now: datetime) -> InboxResult:
    """Fetch, check and handle what the center sent since the last pass; then report statuses.
    Never raises: the alerts matter more."""
    _load_handlers()
    result = InboxResult()
    if target.center_key is None or target.workspace is None:
        result.error = "not pulling notices: no center key pinned (secops forward setup --center-key)"
        return result
    try:
        pinned = envelope.parse_public(target.center_key)
    except ValueError as exc:
        result.error = f"not pulling notices: the pinned center key is not valid: {exc}"
        return result
    after = _cursor(store)
    try:
        for _ in range(MAX_PAGES):
            page = _get(client, target, after)
            for item in page.items:
                _take(store, target, pinned, item.seq, item.envelope, now, result)
                after = max(after, item.seq)
                _save_cursor(store, after, now)
            if not page.more:
                break
    except (httpx.HTTPError, SecopsError, ValueError) as exc:
        result.error = f"pull stopped: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
        if isinstance(exc, httpx.TransportError):
            return result  # the center cannot be reached: the statuses wait for the next pass
    result.statuses = report_statuses(client, target, store, now)
    from secops.forward.packs import report_pack_statuses

    packs = report_pack_statuses(client, target, store)  # also a refusal no pack handler saw
    if packs != "up to date":
        result.statuses += f"; packs: {packs}"
    return result


def _take(
    store: Store,
    target: Target,
    pinned: Any,
    seq: int,
    sealed: dict[str, object],
    now: datetime,
    result: InboxResult,
) -> None:
    try:
        payload = envelope.open_envelope(envelope.Envelope.model_validate(sealed), pinned, target.school, now)
    except (envelope.EnvelopeError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:300]
        # Kept under an id of its own, never the id it claims: a forged copy must not make the
        # genuine notice look like a replay when it arrives.
        item_id = _envelope_id(sealed, seq)
        if not _known(store, item_id):
            claimed = {"claimed_id": _claimed_id(sealed)}
            _record(
                store,
                id=item_id,
                kind="refused",
                seq=seq,
                received_at=now,
                accepted=False,
                reason=reason,
                payload=claimed,
            )
            result.refused.append(f"#{seq}: {reason}")
            log.warning("refused an envelope from the center (#%d): %s", seq, reason)
        return
    if _known(store, payload.id):
        return  # a replay of one already received
    fn = HANDLERS.get(payload.kind)
    if fn is None:
        reason = f"unknown kind {payload.kind!r} (this secops is older than the center)"
        _record(store, id=payload.id, kind=payload.kind, seq=seq, received_at=now, accepted=False, reason=reason)
        result.refused.append(f"{payload.id}: {reason}")
        return
    try:
        incident_id, line = fn(Delivery(store, target.workspace or Path("."), payload, now))
    except (SecopsError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:300]
        _record(store, id=payload.id, kind=payload.kind, seq=seq, received_at=now, accepted=False, reason=reason)
        result.refused.append(f"{payload.id}: {reason}")
        return
    _record(
        store,
        id=payload.id,
        kind=payload.kind,
        seq=seq,
        received_at=now,
        accepted=True,
        incident_id=incident_id,
        payload=payload.model_dump(mode="json"),
    )
    result.received.append(line)


def _claimed_id(sealed: dict[str, object]) -> str | None:
    """The id a refused envelope's payload names, if it decodes (to report the refusal by it)."""
    try:
        raw = base64.b64decode(str(sealed.get("payload", "")), validate=True)
        payload = envelope.Payload.model_validate_json(raw)
    except ValueError:
        return None
    return payload.id


def _notify(workspace: Path, text: str, event: dict[str, Any]) -> None:
    from secops.notify import load_notifiers, send

    try:
        send(load_notifiers(workspace), text, event, workspace)
    except SecopsError as exc:  # a broken notifiers.yaml must not lose the notice
        log.warning("notice not sent to the notifiers: %s", exc)


@handler("notice")
def open_notice_incident(delivery: Delivery) -> tuple[int | None, str]:
    from secops.incident.audit import audit_key

    body = NoticeBody.model_validate(delivery.payload.body)
    payload = delivery.payload
    vulnerability = body.kind == "vulnerability"
    session = Session(delivery.store, audit_key(delivery.workspace, delivery.store), ACTOR, delivery.now)
    incident = open_incident(
        session,
        title=f"[通报] {body.title}",
        category="07" if vulnerability else "10",
        subcategory="网络漏洞" if vulnerability else "其他",
        grade="一般",
        detected_at=min(payload.issued_at, delivery.now),  # the clock runs from the issue time
        notified=True,
        playbook="notified-vulnerability" if vulnerability else None,
        facts={
            "notice_id": payload.id,
            "notice_kind": body.kind,
            "notice_issuer": payload.issuer,
            "notice_issued_at": payload.issued_at.isoformat(),
            "notice_due_at": body.due_at.isoformat(),
            "notice_received_at": delivery.now.isoformat(),
            "notice_text": body.text,
        },
    )
    for item in body.attachments:
        data = base64.b64decode(item.content)
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise SecopsError(_("attachment {name} does not match its hash").format(name=item.name))
        folder = delivery.workspace / NOTICES_FOLDER / payload.id
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / Path(item.name).name
        write_bytes_atomic(path, data, permissions=0o600)
        attach(session, incident.id, path)
    due = body.due_at.astimezone(_zone(delivery.workspace)).isoformat(timespec="minutes")
    line = f"{NOTICE_KINDS[body.kind]}“{body.title}”: incident #{incident.id} opened, due {due}"
    _notify(
        delivery.workspace,
        f"收到上级{NOTICE_KINDS[body.kind]}：{body.title}（已登记为事件 #{incident.id}，整改期限 {due}）",
        {"kind": "notice", "notice_id": payload.id, "incident_id": incident.id},
    )
    return incident.id, line


def _zone(workspace: Path) -> tzinfo:
    """The workspace's time zone (what a person there reads times in); Beijing if it cannot be read."""
    from zoneinfo import ZoneInfo

    from secops.config import load_workspace

    try:
        return ZoneInfo(load_workspace(workspace).config.timezone)
    except (SecopsError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def _status_of(incident: Incident) -> tuple[str, datetime | None, str | None]:
    """received | acknowledged | rectified, when it got there, the evidence summary."""
    times = incident.state_times
    done = times.get("recovered") or times.get("closed")
    if incident.state in ("recovered", "closed") and done:
        measures = incident.facts.get("measures")
        summary = str(measures)[:MAX_SUMMARY] if measures else None
        return "rectified", datetime.fromisoformat(done), summary
    acked = times.get("acknowledged")
    if incident.state != "new" and acked:
        return "acknowledged", datetime.fromisoformat(acked), None
    return "received", None, None


def _pending_statuses(store: Store) -> list[tuple[str, NoticeStatus]]:
    r = forward_received.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(forward_received).where(r.kind.in_(("notice", "refused")))).all()
    pending = []
    for row in rows:
        if not row.accepted:
            # reported by the id the notice claims (the center ignores ids it did not send this school)
            claimed = (row.payload or {}).get("claimed_id") if row.kind == "refused" else row.id
            if row.reported != "refused" and claimed:
                at = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
                status = NoticeStatus(notice_id=claimed, status="refused", at=at, reason=(row.reason or "")[:500])
                pending.append((row.id, status))
            continue
        if row.incident_id is None:
            continue
        state, at, summary = _status_of(get_incident(store, row.incident_id))
        if state == row.reported:
            continue
        received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
        pending.append((row.id, NoticeStatus(notice_id=row.id, status=state, at=at or received, summary=summary)))
    return pending


def report_statuses(client: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """Send the statuses that changed since the center last acknowledged them; what happened."""
    try:
        pending = _pending_statuses(store)
    except Exception as exc:  # a broken row must not stop the pass
        return f"not built: {exc}"
    if not pending:
        return "up to date"
    batch = StatusBatch(school=target.school, statuses=[s for _, s in pending][:500])
    outcome = send(client, target, NOTICE_STATUS_PATH, batch.model_dump_json().encode(), "notice status")
    if outcome != "sent":
        return outcome
    with store.engine.begin() as conn:
        for item_id, status in pending[:500]:
            conn.execute(
                forward_received.update().where(forward_received.c.id == item_id).values(reported=status.status)
            )
    return f"sent {len(batch.statuses)}"
