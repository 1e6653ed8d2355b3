"""Down the tiers: what the upper center sends (通报, periods, packs) for this center's schools,
checked against the upper center's pinned key and sealed again with this center's own key, which
its schools pinned. The payload (its id, issuer, times, addressees, body) is not changed, so a
school's status on a notice means the same notice at every tier. The center records each one as
if it had issued it (its notices, periods, packs), so its own staff see who handled it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.center.context import CenterContext
from secops.center.signing_key import signing_key
from secops.protocol import envelope, signing
from secops.protocol.notices import OUTBOUND_PATH, NoticeBody, OutboundPage
from secops.protocol.packs import PackBody
from secops.protocol.zero_reports import PeriodBody
from secops.relay.state import cursor, save_cursor
from secops.store.schema import center_notices, center_outbound, center_packs, center_periods, center_schools

MAX_PAGES = 20


def own_schools(ctx: CenterContext) -> frozenset[str]:
    """The schools registered here directly (not those of a center below)."""
    c = center_schools.c
    with ctx.state.engine.connect() as conn:
        return frozenset(conn.execute(sa.select(c.code).where(c.revoked_at.is_(None))).scalars())


def _pages(
    client: httpx.Client, target_url: str, code: str, key: signing.SchoolKey, after: int
) -> Iterator[OutboundPage]:
    for _ in range(MAX_PAGES):
        path = httpx.URL(target_url + OUTBOUND_PATH).path
        headers = signing.signed_headers(key, code, b"", now=time.time(), method="GET", path=path)
        response = client.get(OUTBOUND_PATH, params={"after": str(after)}, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"the upper center answered {response.status_code} for {OUTBOUND_PATH}")
        page = OutboundPage.model_validate_json(response.content)
        yield page
        if not page.more or not page.items:
            return
        after = page.items[-1].seq


def _record(conn: Connection, payload: envelope.Payload) -> None:
    """This center's own record of what came from above (what its staff and its status views read)."""
    audience = f"上级中心 {payload.issuer}"
    if payload.kind == "notice":
        body = NoticeBody.model_validate(payload.body)
        conn.execute(
            center_notices.insert().values(
                id=payload.id, kind=body.kind, title=body.title, body=body.text, issued_at=payload.issued_at,
                due_at=body.due_at, issued_by=payload.issuer, audience=audience, schools=payload.schools,
                attachments=[{"name": a.name, "sha256": a.sha256} for a in body.attachments],
            )
        )  # fmt: skip
    elif payload.kind == "period":
        period = PeriodBody.model_validate(payload.body)
        conn.execute(
            center_periods.insert().values(
                id=payload.id, name=period.name, start_day=period.start, end_day=period.end,
                deadline=period.deadline, issued_at=payload.issued_at, issued_by=payload.issuer,
                audience=audience, schools=payload.schools,
            )
        )  # fmt: skip
    elif payload.kind == "pack":
        pack = PackBody.model_validate(payload.body)
        taken = conn.execute(
            sa.select(center_packs.c.id).where(center_packs.c.name == pack.name, center_packs.c.version == pack.version)
        ).first()
        if taken is None:  # a pack of the same name and version made here keeps its row
            conn.execute(
                center_packs.insert().values(
                    id=payload.id, name=pack.name, version=pack.version, issued_at=payload.issued_at,
                    issued_by=payload.issuer, audience=audience, schools=payload.schools,
                    files=[{"kind": f.kind, "name": f.name, "bytes": len(f.text)} for f in pack.files],
                )
            )  # fmt: skip


def relay_down(
    ctx: CenterContext, client: httpx.Client, url: str, code: str, key: signing.SchoolKey, pinned_text: str
) -> list[str]:
    """Fetch, verify, re-seal and queue for this center's schools; one line per envelope."""
    pinned = envelope.parse_public(pinned_text)
    own_key = signing_key(ctx.home)
    schools = own_schools(ctx)
    lines: list[str] = []
    after = int(cursor(ctx.state, "down").get("seq", 0))
    for page in _pages(client, url, code, key, after):
        for item in page.items:
            now = datetime.now(UTC)
            try:
                sealed = envelope.Envelope.model_validate(item.envelope)
                payload = envelope.open_envelope(sealed, pinned, code, now, covers=schools)
            except (envelope.EnvelopeError, ValueError) as exc:
                lines.append(f"refused #{item.seq} from above: {str(exc).splitlines()[0][:200]}")
            else:
                with ctx.state.engine.begin() as conn:
                    known = conn.execute(sa.select(center_outbound.c.id).where(center_outbound.c.id == payload.id))
                    if known.first() is None:
                        resealed = envelope.seal(own_key, payload)
                        conn.execute(
                            center_outbound.insert().values(
                                id=payload.id, kind=payload.kind, issued_at=payload.issued_at,
                                expires_at=payload.expires_at, schools=payload.schools, envelope=resealed.model_dump(),
                            )
                        )  # fmt: skip
                        _record(conn, payload)
                        lines.append(f"{payload.kind} {payload.id} from {payload.issuer} passed down")
            save_cursor(ctx.state, "down", {"seq": item.seq})
    return lines
