"""A content pack received at the school (envelope kind ``pack``, registered by secops.forward.inbox):
its files checked again here, whatever the signature says (a stolen center key, or a center with a
bug, must not put a broken or hostile rule into every school's detection), then installed in the
workspace (secops.detection.packs) if newer than what is installed.

What became of it (installed, ignored as not newer, refused with the reason) goes to the center at
``POST /api/v1/pack-status`` as soon as it happens, and again with the next pack until the center
has acknowledged it. An envelope refused before its kind was known (a bad signature) is reported
too when it claims a pack's id, so the center sees packs that were tampered with on the way.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, Protocol

import httpx
import sqlalchemy as sa

from secops.detection.pack_dirs import installed_version
from secops.detection.packs import check_files, describe, install
from secops.errors import SecopsError
from secops.forward.post import send
from secops.forward.target import Target
from secops.i18n import _
from secops.protocol import envelope, signing
from secops.protocol.packs import PACK_STATUS_PATH, PackBody, PackStatus, PackStatusBatch
from secops.store import Store
from secops.store.bulk import insert_rows
from secops.store.schema import forward_pack_status, forward_received

log = logging.getLogger(__name__)
PACK_ID_PREFIX = "p"  # secops.center.packs names every pack p<time><random>


class PackDelivery(Protocol):
    """What secops.forward.inbox.Delivery gives a handler (not imported: inbox imports this module)."""

    @property
    def store(self) -> Store: ...
    @property
    def workspace(self) -> Path: ...
    @property
    def payload(self) -> envelope.Payload: ...
    @property
    def now(self) -> datetime: ...


def handle_pack(delivery: PackDelivery) -> tuple[int | None, str]:
    """Install the pack or raise SecopsError with why it is refused; (no incident, one line)."""
    payload = delivery.payload
    try:
        body = PackBody.model_validate(payload.body)
    except ValueError as exc:
        lines = str(exc).splitlines()
        _refuse(delivery, f"not a valid pack: {' '.join(x.strip() for x in lines[1:3])[:300]}")
    errors = check_files(body.files)
    if errors:
        _refuse(delivery, f"pack {body.name} v{body.version} fails validation: {describe(errors)}")
    current = installed_version(delivery.workspace, body.name)
    if current is not None and body.version <= current:
        reason = f"v{current} is installed, v{body.version} is not newer"
        _record(delivery.store, payload.id, "ignored", current, reason, delivery.now)
        _report(delivery)
        return None, f"content pack {body.name} v{body.version} ignored: {reason}"
    pack = install(
        delivery.workspace,
        body,
        pack_id=payload.id,
        issuer=payload.issuer,
        issued_at=payload.issued_at,
        now=delivery.now,
    )
    _record(delivery.store, payload.id, "installed", pack.version, None, delivery.now)
    sent = _report(delivery)
    log.info("installed content pack %s v%d (%s)", pack.name, pack.version, sent)
    return None, (
        f"content pack {pack.name} v{pack.version} installed "
        f"({pack.sigma} Sigma, {pack.yara} YARA, {pack.indicators} indicator(s))"
    )


def _refuse(delivery: PackDelivery, reason: str) -> NoReturn:
    reason = reason.splitlines()[0][:300] if reason else "refused"
    _record(delivery.store, delivery.payload.id, "refused", None, reason, delivery.now)
    _report(delivery)
    raise SecopsError(reason)


def _record(store: Store, pack_id: str, status: str, version: int | None, reason: str | None, at: datetime) -> None:
    row = {"pack_id": pack_id, "status": status, "version": version, "reason": reason, "at": at, "reported": False}
    with store.engine.begin() as conn:
        insert_rows(
            conn,
            forward_pack_status,
            [row],
            conflict=("pack_id",),
            update=["status", "version", "reason", "at", "reported"],
        )


def _adopt_refused_envelopes(store: Store) -> None:
    """Envelopes refused before their kind was known, claiming a pack's id: reported as refused."""
    r = forward_received.c
    with store.engine.begin() as conn:
        known = set(conn.execute(sa.select(forward_pack_status.c.pack_id)).scalars())
        rows = conn.execute(sa.select(r.payload, r.reason, r.received_at).where(r.kind == "refused")).all()
        for row in rows:
            claimed = (row.payload or {}).get("claimed_id")
            if not isinstance(claimed, str) or not claimed.startswith(PACK_ID_PREFIX) or claimed in known:
                continue
            at = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
            conn.execute(
                forward_pack_status.insert().values(
                    pack_id=claimed,
                    status="refused",
                    version=None,
                    reason=(row.reason or "")[:500],
                    at=at,
                    reported=False,
                )
            )
            known.add(claimed)


def pending(store: Store) -> list[PackStatus]:
    _adopt_refused_envelopes(store)
    s = forward_pack_status.c
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(forward_pack_status).where(s.reported.is_(False)).order_by(s.at).limit(500)).all()
    return [
        PackStatus(
            pack_id=row.pack_id,
            status=row.status,
            at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
            version=row.version,
            reason=(row.reason or None) and row.reason[:500],
        )
        for row in rows
    ]


def report_pack_statuses(client: httpx.Client, target: Target, store: Store) -> str:
    """Send the statuses the center has not acknowledged; what happened, in a few words."""
    statuses = pending(store)
    if not statuses:
        return "up to date"
    body = PackStatusBatch(school=target.school, statuses=statuses).model_dump_json().encode()
    outcome = send(client, target, PACK_STATUS_PATH, body, "pack status")
    if outcome != "sent":
        return outcome
    with store.engine.begin() as conn:
        conn.execute(
            forward_pack_status.update()
            .where(forward_pack_status.c.pack_id.in_([s.pack_id for s in statuses]))
            .values(reported=True)
        )
    return f"sent {len(statuses)}"


def _target(workspace: Path) -> Target:
    """Where to report, from the workspace: the same center and school key the pass uses
    (secops.forward.sync.load_target, which cannot be imported here: it imports the inbox)."""
    from secops.config import CENTER_KEY_FILE, load_workspace
    from secops.keyseal import CENTER, read_secret_text

    ws = load_workspace(workspace)
    forward = ws.config.forward
    if forward is None:
        raise SecopsError(_("forwarding is not set up"))
    key = signing.parse_key(read_secret_text(workspace / CENTER_KEY_FILE, CENTER))
    return Target(
        center=forward.center,
        school=ws.config.school.code,
        school_name=ws.config.school.name,
        key=key,
        checkin_every=timedelta(minutes=forward.checkin_minutes),
        center_key=forward.center_key,
        workspace=workspace,
    )


def _report(delivery: PackDelivery) -> str:
    """Report now on a connection of its own (the pass's client is not handed to handlers); a
    failure leaves the statuses pending for the next time."""
    try:
        target = _target(delivery.workspace)
        with httpx.Client(base_url=target.center, timeout=httpx.Timeout(15.0, connect=5.0)) as client:
            return report_pack_statuses(client, target, delivery.store)
    except (OSError, ValueError, SecopsError, httpx.HTTPError) as exc:
        log.warning("pack status not reported: %s", exc)
        return f"not sent: {exc}"
