"""Content packs down: Sigma rules, YARA rules and indicator lists checked at the center, sealed with
the center's key (secops.protocol.envelope) into the outbound queue schools pull, and watched per
school: installed, ignored (the school has that version or a newer one) or refused with the reason.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from secops.center.signing_key import signing_key
from secops.detection.packs import collect
from secops.errors import ContentErrors, SecopsError
from secops.i18n import _
from secops.protocol import envelope
from secops.protocol.packs import PackBody, PackStatus
from secops.store import Store
from secops.store.schema import center_outbound, center_pack_status, center_packs, center_schools

PACK_LIFETIME = timedelta(days=30)  # a school offline longer misses it: publish again
_PAYLOAD_ROOM = 4096  # the payload's own fields around the body


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Published:
    id: str
    name: str
    version: int
    audience: str
    sigma: int
    yara: int
    indicators: int
    size: int


def next_version(state: Store, name: str) -> int:
    with state.engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(center_packs.c.version)).where(center_packs.c.name == name)).scalar()
    return int(last or 0) + 1


def publish_pack(
    state: Store,
    home: Path,
    *,
    name: str,
    sources: dict[str, Sequence[Path]],
    version: int | None,
    schools: list[str],
    audience_text: str,
    issued_by: str,
    issuer: str,
    now: datetime,
) -> Published:
    """Check every file (ContentErrors with file:line when any fails: nothing is published), bundle,
    seal and queue the pack."""
    files, errors = collect(sources)
    if errors:
        raise ContentErrors(errors)
    if not files:
        raise SecopsError(_("a pack needs at least one file"), hint=_("give --sigma, --yara or --indicators"))
    chosen = version if version is not None else next_version(state, name)
    try:
        body = PackBody(name=name, version=chosen, files=files)
    except ValueError as exc:
        raise SecopsError(_("not a valid pack: {reason}").format(reason=str(exc).splitlines()[-1].strip())) from None
    with state.engine.connect() as conn:
        taken = conn.execute(sa.select(sa.func.max(center_packs.c.version)).where(center_packs.c.name == name)).scalar()
    if taken is not None and chosen <= taken:
        raise SecopsError(
            _("pack {name} is at version {version} already").format(name=name, version=taken),
            hint=_("give --version {version} or leave it out").format(version=taken + 1),
        )
    data = body.model_dump(mode="json")
    size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    if size + _PAYLOAD_ROOM + len(json.dumps(schools)) > envelope.MAX_PAYLOAD:
        raise SecopsError(
            _("the pack is {kib} KiB, more than the {mib} MiB a signed envelope carries").format(
                kib=size // 1024, mib=envelope.MAX_PAYLOAD // 1024 // 1024
            ),
            hint=_("split it into smaller packs"),
        )
    now = now.astimezone(UTC)
    pack_id = "p" + now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(4)
    payload = envelope.Payload(
        kind="pack",
        id=pack_id,
        issuer=issuer,
        issued_at=now,
        expires_at=now + PACK_LIFETIME,
        schools=schools,
        body=data,
    )
    sealed = envelope.seal(signing_key(home), payload)
    listing = [
        {"kind": f.kind, "name": f.name, "sha256": hashlib.sha256(f.text.encode()).hexdigest(), "bytes": len(f.text)}
        for f in files
    ]
    with state.engine.begin() as conn:
        conn.execute(
            center_outbound.insert().values(
                id=pack_id,
                kind="pack",
                issued_at=now,
                expires_at=payload.expires_at,
                schools=schools,
                envelope=sealed.model_dump(),
            )
        )
        conn.execute(
            center_packs.insert().values(
                id=pack_id,
                name=name,
                version=chosen,
                issued_at=now,
                issued_by=issued_by,
                audience=audience_text,
                schools=schools,
                files=listing,
            )
        )
    count = {kind: sum(1 for f in files if f.kind == kind) for kind in ("sigma", "yara", "indicators")}
    return Published(pack_id, name, chosen, audience_text, count["sigma"], count["yara"], count["indicators"], size)


def store_pack_statuses(state: Store, school: str, statuses: Sequence[PackStatus], now: datetime) -> int:
    """Keep what ``school`` made of each pack it was sent; ids the center did not send it are
    ignored (a school reports every refused envelope: it cannot tell a forged pack from a notice)."""
    changed = 0
    s = center_pack_status.c
    with state.engine.begin() as conn:
        for status in statuses:
            pack = conn.execute(sa.select(center_packs.c.schools).where(center_packs.c.id == status.pack_id)).first()
            if pack is None or (pack.schools and school not in pack.schools):
                continue
            values = {
                "status": status.status,
                "reason": status.reason,
                "at": status.at,
                "installed_version": status.version,
                "updated_at": now,
            }
            match = (s.pack_id == status.pack_id) & (s.school == school)
            if conn.execute(sa.select(s.pack_id).where(match)).first() is None:
                conn.execute(center_pack_status.insert().values(pack_id=status.pack_id, school=school, **values))
            else:
                conn.execute(center_pack_status.update().where(match).values(**values))
            changed += 1
    return changed


@dataclass(frozen=True)
class SchoolOnPack:
    school: str
    name: str
    status: str  # not_received | installed | ignored | refused
    at: datetime | None
    installed_version: int | None
    reason: str | None


@dataclass(frozen=True)
class PackView:
    id: str
    name: str
    version: int
    issued_at: datetime
    issued_by: str
    audience: str
    files: list[dict[str, object]]
    schools: list[SchoolOnPack]

    def count(self, status: str) -> int:
        return sum(1 for s in self.schools if s.status == status)


def pack_views(state: Store, name: str | None = None) -> list[PackView]:
    """Pack versions, newest first, each with its schools: refused first."""
    p = center_packs.c
    stmt = sa.select(center_packs).order_by(p.issued_at.desc(), p.version.desc())
    if name is not None:
        stmt = stmt.where(p.name == name)
    with state.engine.connect() as conn:
        packs = conn.execute(stmt).all()
        registered = {
            row.code: row.name
            for row in conn.execute(
                sa.select(center_schools.c.code, center_schools.c.name).where(center_schools.c.revoked_at.is_(None))
            )
        }
        statuses = conn.execute(sa.select(center_pack_status)).all()
    by_pack: dict[str, dict[str, sa.Row[tuple[object, ...]]]] = {}
    for row in statuses:
        by_pack.setdefault(row.pack_id, {})[row.school] = row
    order = {"refused": 0, "not_received": 1, "ignored": 2, "installed": 3}
    views = []
    for pack in packs:
        rows = []
        for code in pack.schools or sorted(registered):
            st = by_pack.get(pack.id, {}).get(code)
            rows.append(
                SchoolOnPack(
                    school=code,
                    name=registered.get(code, code),
                    status=st.status if st is not None else "not_received",
                    at=_aware(st.at) if st is not None else None,
                    installed_version=st.installed_version if st is not None else None,
                    reason=st.reason if st is not None else None,
                )
            )
        rows.sort(key=lambda r: (order.get(r.status, 9), r.school))
        views.append(
            PackView(
                id=pack.id,
                name=pack.name,
                version=pack.version,
                issued_at=_aware(pack.issued_at),
                issued_by=pack.issued_by,
                audience=pack.audience,
                files=list(pack.files or []),
                schools=rows,
            )
        )
    return views
