"""通报 down: a notice is issued once, sealed with the center's key (secops.protocol.envelope) into the
outbound queue that schools pull, and watched per school until rectified.

A school's status travels up as it changes (received, acknowledged, rectified with an evidence
summary, or refused with the reason). Each notice is due ``due`` after its issue time; a school
that has not rectified by then is overdue, whether it never fetched the notice or is still on it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from secops.center.schools import active_schools
from secops.center.signing_key import signing_key
from secops.errors import SecopsError
from secops.i18n import _
from secops.protocol import envelope
from secops.protocol.notices import MAX_ATTACHMENT, NOTICE_KINDS, Attachment, NoticeBody, NoticeStatus
from secops.store import Store
from secops.store.schema import (
    center_notice_status,
    center_notices,
    center_outbound,
    center_school_groups,
    center_schools,
)

NOTICE_LIFETIME = timedelta(days=30)  # a school offline longer fetches it no more: it shows overdue
MAX_OUTBOUND_PAGE = 100
ORDER = {"received": 1, "acknowledged": 2, "rectified": 3, "refused": 0}


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def group_members(state: Store, name: str) -> list[str]:
    with state.engine.connect() as conn:
        rows = conn.execute(
            sa.select(center_school_groups.c.school).where(center_school_groups.c.name == name)
        ).scalars()
        return sorted(rows)


def set_group(state: Store, name: str, schools: Sequence[str], *, remove: bool = False) -> list[str]:
    """Add (or remove) registered schools to a group; returns its members."""
    name = name.strip()
    if not name or len(name) > 50:
        raise SecopsError(_("a group name has 1-50 characters"))
    with state.engine.begin() as conn:
        known = set(conn.execute(sa.select(center_schools.c.code)).scalars())
        unknown = [s for s in schools if s not in known]
        if unknown:
            raise SecopsError(
                _("schools not registered: {codes}").format(codes="、".join(unknown)),
                hint=_("see secops center school list"),
            )
        for school in schools:
            match = (center_school_groups.c.name == name) & (center_school_groups.c.school == school)
            conn.execute(center_school_groups.delete().where(match))
            if not remove:
                conn.execute(center_school_groups.insert().values(name=name, school=school))
    return group_members(state, name)


def groups(state: Store) -> dict[str, list[str]]:
    with state.engine.connect() as conn:
        rows = conn.execute(sa.select(center_school_groups).order_by(center_school_groups.c.name)).all()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.name, []).append(row.school)
    return found


def audience(state: Store, *, schools: Sequence[str], group: str | None, everyone: bool) -> tuple[list[str], str]:
    """The school codes a notice goes to (empty: all) and how that reads for people."""
    chosen = sum(bool(x) for x in (schools, group, everyone))
    if chosen != 1:
        raise SecopsError(_("choose one audience: give exactly one of --school, --group or --all"))
    if everyone:
        return [], "全部学校"
    if group:
        members = group_members(state, group)
        if not members:
            raise SecopsError(
                _("group {name} has no schools").format(name=group), hint="secops center group add NAME CODE ..."
            )
        return members, f"分组 {group}（{len(members)} 所）"
    c = center_schools.c
    with state.engine.connect() as conn:
        active = set(conn.execute(sa.select(c.code).where(c.revoked_at.is_(None))).scalars())
    unknown = [s for s in schools if s not in active]
    if unknown:  # a revoked school's forwarder can no longer fetch anything
        raise SecopsError(
            _("schools not registered or revoked: {codes}").format(codes="、".join(unknown)),
            hint=_("see secops center school list"),
        )
    return sorted(set(schools)), "、".join(sorted(set(schools)))


def _attachment(path: Path) -> Attachment:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SecopsError(_("cannot read attachment {path}: {reason}").format(path=path, reason=exc.strerror)) from None
    if len(data) > MAX_ATTACHMENT:
        raise SecopsError(
            _("attachment {path} is larger than {kib} KiB").format(path=path, kib=MAX_ATTACHMENT // 1024),
            hint=_("attach a smaller file or a link"),
        )
    return Attachment(
        name=path.name[:200], sha256=hashlib.sha256(data).hexdigest(), content=base64.b64encode(data).decode()
    )


@dataclass(frozen=True)
class Issued:
    id: str
    seq: int
    due_at: datetime
    audience: str


def issue_notice(
    state: Store,
    home: Path,
    *,
    kind: str,
    title: str,
    text: str,
    due: timedelta,
    schools: list[str],
    audience_text: str,
    issued_by: str,
    issuer: str,
    now: datetime,
    attachments: Sequence[Path] = (),
) -> Issued:
    if kind not in NOTICE_KINDS:
        raise SecopsError(
            _("unknown notice kind {kind}").format(kind=repr(kind)),
            hint=_("use one of {choices}").format(choices=", ".join(NOTICE_KINDS)),
        )
    if not title.strip():
        raise SecopsError(_("a notice needs a title"))
    if due < timedelta(hours=1) or due > timedelta(days=365):
        raise SecopsError(_("the time to rectify is between 1 hour and 365 days (--due 60h)"))
    now = now.astimezone(UTC)
    body = NoticeBody(
        kind=kind,
        title=title.strip(),
        text=text,
        due_at=now + due,
        attachments=[_attachment(p) for p in attachments],
    )
    notice_id = "n" + now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(4)
    payload = envelope.Payload(
        kind="notice",
        id=notice_id,
        issuer=issuer,
        issued_at=now,
        expires_at=max(now + NOTICE_LIFETIME, body.due_at),
        schools=schools,
        body=body.model_dump(mode="json"),
    )
    sealed = envelope.seal(signing_key(home), payload)
    with state.engine.begin() as conn:
        seq = conn.execute(
            center_outbound.insert().values(
                id=notice_id,
                kind="notice",
                issued_at=now,
                expires_at=payload.expires_at,
                schools=schools,
                envelope=sealed.model_dump(),
            )
        ).inserted_primary_key
        conn.execute(
            center_notices.insert().values(
                id=notice_id,
                kind=kind,
                title=body.title,
                body=text,
                issued_at=now,
                due_at=body.due_at,
                issued_by=issued_by,
                audience=audience_text,
                schools=schools,
                attachments=[{"name": a.name, "sha256": a.sha256} for a in body.attachments],
            )
        )
    assert seq is not None
    return Issued(notice_id, int(seq[0]), body.due_at, audience_text)


Sealed = dict[str, object]  # an Envelope as stored (JSON)


def outbound_for(
    state: Store, school: str, after: int, limit: int = MAX_OUTBOUND_PAGE, covers: frozenset[str] = frozenset()
) -> tuple[list[tuple[int, Sealed]], bool]:
    """(seq, envelope) addressed to ``school`` (or, for a lower center, to a school it ``covers``)
    after ``after``, oldest first, and whether more wait."""
    c = center_outbound.c
    found: list[tuple[int, Sealed]] = []
    last = after
    with state.engine.connect() as conn:
        while len(found) < limit:
            rows = conn.execute(
                sa.select(c.seq, c.schools, c.envelope).where(c.seq > last).order_by(c.seq).limit(500)
            ).all()
            if not rows:
                return found, False
            for seq, schools, sealed in rows:
                last = seq
                if not schools or school in schools or covers.intersection(schools):
                    found.append((seq, sealed))
                    if len(found) >= limit:
                        break
    more = bool(found) and found[-1][0] < _max_seq(state)
    return found, more


def _max_seq(state: Store) -> int:
    with state.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(center_outbound.c.seq), 0))).scalar_one())


def store_statuses(state: Store, school: str, statuses: Sequence[NoticeStatus], now: datetime) -> int:
    """Keep each status of a known notice addressed to ``school``; a status never goes back
    (rectified stays rectified when an older 'acknowledged' arrives late). Returns how many changed."""
    changed = 0
    s = center_notice_status.c
    with state.engine.begin() as conn:
        for status in statuses:
            notice = conn.execute(
                sa.select(center_notices.c.schools).where(center_notices.c.id == status.notice_id)
            ).first()
            if notice is None or (notice.schools and school not in notice.schools):
                continue  # not ours to report on: ignored, not an error (a notice may have been withdrawn)
            row = conn.execute(
                sa.select(center_notice_status).where(s.notice_id == status.notice_id, s.school == school)
            ).first()
            values: dict[str, object] = {"updated_at": now}
            stamp = {"received": "received_at", "acknowledged": "acknowledged_at", "rectified": "rectified_at"}
            if status.status in stamp and (row is None or getattr(row, stamp[status.status]) is None):
                values[stamp[status.status]] = status.at
            if status.summary:
                values["summary"] = status.summary
            if status.reason:
                values["reason"] = status.reason
            if row is None or ORDER[status.status] > ORDER.get(row.status, 0) or row.status == "refused":
                values["status"] = status.status
            if row is None:
                values.setdefault("status", status.status)
                conn.execute(center_notice_status.insert().values(notice_id=status.notice_id, school=school, **values))
                changed += 1
            elif len(values) > 1:
                conn.execute(
                    center_notice_status.update()
                    .where(s.notice_id == status.notice_id, s.school == school)
                    .values(**values)
                )
                changed += 1
    return changed


@dataclass(frozen=True)
class SchoolOnNotice:
    school: str
    name: str
    status: str  # not_received | received | acknowledged | rectified | refused
    received_at: datetime | None
    acknowledged_at: datetime | None
    rectified_at: datetime | None
    summary: str | None
    reason: str | None
    due_at: datetime
    now: datetime

    @property
    def overdue(self) -> bool:
        done = self.rectified_at
        return (done is None and self.now > self.due_at) or (done is not None and done > self.due_at)

    @property
    def left(self) -> timedelta:
        return self.due_at - (self.rectified_at or self.now)


@dataclass(frozen=True)
class NoticeView:
    id: str
    kind: str
    title: str
    text: str
    issued_at: datetime
    due_at: datetime
    issued_by: str
    audience: str
    attachments: list[dict[str, str]]
    schools: list[SchoolOnNotice]

    @property
    def overdue_count(self) -> int:
        return sum(1 for s in self.schools if s.overdue)

    @property
    def rectified_count(self) -> int:
        return sum(1 for s in self.schools if s.rectified_at is not None)


def notice_views(state: Store, now: datetime, notice_id: str | None = None) -> list[NoticeView]:
    """Notices, newest first, each with its schools: overdue first, then by status."""
    n = center_notices.c
    # newest first; notices of the same second by their id (which starts with the issue time)
    stmt = sa.select(center_notices).order_by(n.issued_at.desc(), n.id.desc())
    if notice_id is not None:
        stmt = stmt.where(n.id == notice_id)
    with state.engine.connect() as conn:
        notices = conn.execute(stmt).all()
        registered = active_schools(conn)
        statuses = conn.execute(sa.select(center_notice_status)).all()
    by_notice: dict[str, dict[str, object]] = {}
    for row in statuses:
        by_notice.setdefault(row.notice_id, {})[row.school] = row
    views = []
    for notice in notices:
        due = _aware(notice.due_at)
        assert due is not None
        codes = notice.schools or sorted(registered)
        rows = []
        for code in codes:
            st = by_notice.get(notice.id, {}).get(code)
            rows.append(
                SchoolOnNotice(
                    school=code,
                    name=registered.get(code, code),
                    status=getattr(st, "status", "not_received"),
                    received_at=_aware(getattr(st, "received_at", None)),
                    acknowledged_at=_aware(getattr(st, "acknowledged_at", None)),
                    rectified_at=_aware(getattr(st, "rectified_at", None)),
                    summary=getattr(st, "summary", None),
                    reason=getattr(st, "reason", None),
                    due_at=due,
                    now=now,
                )
            )
        rows.sort(key=lambda r: (not r.overdue, ORDER.get(r.status, -1), r.school))
        issued = _aware(notice.issued_at)
        assert issued is not None
        views.append(
            NoticeView(
                id=notice.id,
                kind=notice.kind,
                title=notice.title,
                text=notice.body,
                issued_at=issued,
                due_at=due,
                issued_by=notice.issued_by,
                audience=notice.audience,
                attachments=list(notice.attachments or []),
                schools=rows,
            )
        )
    return views
