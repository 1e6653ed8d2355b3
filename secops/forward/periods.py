"""Important periods at the school: the period the center sent down (kind ``period``), the daily
零报告 it asks for, and sending those up until the center has them.

Every day of a period, by its Beijing deadline, the school reports once: 零报告 if no incident was
detected that day, otherwise the day's incidents (their local ids only: counts, no titles). A
responder may submit it (``secops incident zero-report --submit``) or hold it
(``--hold``: a person decides, e.g. while an incident is being assessed); otherwise the forwarder
submits it automatically on its first pass after the deadline.

Submitted time of an automatic report: the deadline itself, not the pass that noticed it. The
forwarder runs every minute or so (or on the scheduled forward job), so the pass after 16:00 may
come at 16:01; the school did nothing wrong and the report must not read as late. That holds only
while the pass is on schedule: a pass more than one check-in interval after the deadline (the
forwarder was stopped, the machine off) records the real time, and the center shows the report as
late. Honest either way: the time never claims more than the school did.

Sending is at-least-once: a recorded submission goes up on every pass until the center answers for
it (center down at the deadline: it goes later, with its original submission time), and the
center keeps one report per school and day, so a resend is a duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from secops.errors import SecopsError
from secops.forward.post import post_signed, reason
from secops.forward.target import Target
from secops.i18n import _
from secops.incident.report_data import day_incidents
from secops.protocol import envelope
from secops.protocol.zero_reports import (
    BEIJING,
    REPORT_KINDS,
    ZERO_REPORTS_PATH,
    PeriodBody,
    ZeroReport,
    ZeroReportAnswer,
    ZeroReportBatch,
    beijing_day,
    deadline_at,
)
from secops.store import Store
from secops.store.bulk import insert_rows
from secops.store.schema import forward_periods, forward_zero_reports

log = logging.getLogger(__name__)
ZONE = ZoneInfo("Asia/Shanghai")  # the same clock as BEIJING, for the incident queries
MAX_BATCH = 400


class Delivered(Protocol):
    """What ``secops.forward.inbox`` hands a handler (its ``Delivery``), without importing it:
    the inbox imports this module to register the handler."""

    @property
    def store(self) -> Store: ...
    @property
    def workspace(self) -> Path: ...
    @property
    def payload(self) -> envelope.Payload: ...
    @property
    def now(self) -> datetime: ...


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def receive_period(delivery: Delivered) -> tuple[int | None, str]:
    """The inbox handler of kind ``period``: keep it; its days are reported from now on."""
    body = PeriodBody.model_validate(delivery.payload.body)
    payload = delivery.payload
    row = {
        "id": payload.id,
        "name": body.name,
        "start_day": body.start,
        "end_day": body.end,
        "deadline": body.deadline,
        "issuer": payload.issuer[:200],
        "issued_at": payload.issued_at,
        "received_at": delivery.now,
    }
    with delivery.store.engine.begin() as conn:
        insert_rows(conn, forward_periods, [row], conflict=("id",), update=["name", "start_day", "end_day", "deadline"])
    span = f"{body.start.isoformat()} 至 {body.end.isoformat()}"
    return None, f"重要时期“{body.name}” {span}，每日 {body.deadline} 前报送零报告"


@dataclass(frozen=True)
class LocalPeriod:
    id: str
    name: str
    start: date
    end: date
    deadline: str
    issued_at: datetime


def local_periods(store: Store) -> list[LocalPeriod]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(forward_periods).order_by(forward_periods.c.start_day)).all()
    return [LocalPeriod(r.id, r.name, r.start_day, r.end_day, r.deadline, _aware(r.issued_at)) for r in rows]


def period_for(store: Store, day: date) -> LocalPeriod | None:
    """The period that sets ``day``'s deadline: of those covering it, the earliest deadline."""
    covering = [p for p in local_periods(store) if p.start <= day <= p.end]
    return min(covering, key=lambda p: (p.deadline, p.id)) if covering else None


@dataclass(frozen=True)
class Submission:
    day: date
    period: str
    kind: str | None  # None: held
    incidents: list[int]
    submitted_at: datetime | None
    submitted_by: str | None
    held: bool
    sent_at: datetime | None
    answer: str | None


def submission(store: Store, day: date) -> Submission | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(forward_zero_reports).where(forward_zero_reports.c.day == day)).first()
    if row is None:
        return None
    return Submission(
        day=row.day,
        period=row.period_id,
        kind=row.kind,
        incidents=list(row.incidents or []),
        submitted_at=_aware(row.submitted_at) if row.submitted_at else None,
        submitted_by=row.submitted_by,
        held=bool(row.held),
        sent_at=_aware(row.sent_at) if row.sent_at else None,
        answer=row.answer,
    )


def _content(store: Store, day: date) -> tuple[str, list[int]]:
    """zero, or incidents with the local ids of those detected that Beijing day."""
    todays, _still_open = day_incidents(store, ZONE, day)
    ids = sorted(i.id for i in todays)
    return ("incidents" if ids else "zero"), ids


def _covered(store: Store, day: date, now: datetime) -> LocalPeriod:
    period = period_for(store, day)
    if period is None:
        raise SecopsError(
            _("no important period from the center covers {day}").format(day=day.isoformat()),
            hint=_("periods arrive on the forwarder's pass (secops forward run); a 零报告 is only asked for in one"),
        )
    if day > beijing_day(now):
        raise SecopsError(_("{day} has not begun yet (Beijing time)").format(day=day.isoformat()))
    return period


def submit(store: Store, day: date, now: datetime, person: str) -> Submission:
    """A responder submits ``day``'s report now (zero, or the day's incidents). Submitting again
    after new incidents sends the new content; the first submission time is kept."""
    period = _covered(store, day, now)
    kind, ids = _content(store, day)
    earlier = submission(store, day)
    values = {
        "period_id": period.id, "held": False, "kind": kind, "incidents": ids, "submitted_by": "person",
        "person": person[:100], "sent_at": None, "answer": None,
    }  # fmt: skip
    with store.engine.begin() as conn:
        if earlier is None:
            conn.execute(forward_zero_reports.insert().values(day=day, submitted_at=now, **values))
        else:
            first = earlier.submitted_at or now
            if earlier.submitted_by == "auto":
                values["submitted_by"] = "auto"  # the center judges lateness on the first submission
            conn.execute(
                forward_zero_reports.update()
                .where(forward_zero_reports.c.day == day)
                .values(submitted_at=first, **values)
            )
    found = submission(store, day)
    assert found is not None
    return found


def hold(store: Store, day: date, now: datetime, person: str) -> Submission:
    """Stop the automatic report for ``day``: a person will submit it (or knowingly not)."""
    period = _covered(store, day, now)
    earlier = submission(store, day)
    if earlier is not None and earlier.submitted_at is not None:
        at = earlier.submitted_at.astimezone(BEIJING).isoformat(sep=" ", timespec="minutes")
        raise SecopsError(_("{day} was already submitted ({at}); it cannot be held").format(day=day.isoformat(), at=at))
    with store.engine.begin() as conn:
        insert_rows(
            conn,
            forward_zero_reports,
            [{"day": day, "period_id": period.id, "held": True, "held_by": person[:100]}],
            conflict=("day",),
            update=["held", "held_by"],
        )
    found = submission(store, day)
    assert found is not None
    return found


def submit_due(store: Store, now: datetime, grace: timedelta) -> list[Submission]:
    """Record the automatic report of every period day whose deadline has passed with nothing
    submitted or held. Submitted at the deadline when this pass is within ``grace`` of it, at
    ``now`` (late) otherwise."""
    recorded = []
    today = beijing_day(now)
    for period in local_periods(store):
        for offset in range((min(period.end, today) - period.start).days + 1):
            day = period.start + timedelta(days=offset)
            if period_for(store, day) != period:
                continue  # another period sets this day's deadline
            deadline = deadline_at(day, period.deadline)
            if deadline > now or deadline < period.issued_at:
                continue  # not due yet, or due before the school could have known
            if submission(store, day) is not None:
                continue  # submitted, or held by a person
            kind, ids = _content(store, day)
            at = deadline if now - deadline <= grace else now
            with store.engine.begin() as conn:
                conn.execute(
                    forward_zero_reports.insert().values(
                        day=day, period_id=period.id, held=False, kind=kind, incidents=ids, submitted_at=at,
                        submitted_by="auto",
                    )
                )  # fmt: skip
            found = submission(store, day)
            assert found is not None
            recorded.append(found)
    return recorded


def pending(store: Store) -> list[Submission]:
    z = forward_zero_reports.c
    with store.engine.connect() as conn:
        days = conn.execute(
            sa.select(z.day).where(z.submitted_at.is_not(None), z.sent_at.is_(None)).order_by(z.day).limit(MAX_BATCH)
        ).scalars()
        wanted = list(days)
    return [s for s in (submission(store, d) for d in wanted) if s is not None]


def send_pending(http: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """POST what the center has not answered for yet; what happened, in a few words."""
    waiting = pending(store)
    if not waiting:
        return "up to date"
    reports = [
        ZeroReport(
            school=target.school, day=s.day, kind=s.kind or "zero", incidents=s.incidents,
            submitted_at=s.submitted_at or now, submitted_by=s.submitted_by or "auto",
        )
        for s in waiting
    ]  # fmt: skip
    body = ZeroReportBatch(school=target.school, reports=reports).model_dump_json().encode()
    try:
        response = post_signed(http, target, ZERO_REPORTS_PATH, body)
    except httpx.HTTPError as exc:
        return f"not sent ({len(reports)} kept): {reason(exc)}"
    if response.status_code == 404:
        return f"not sent ({len(reports)} kept): the center does not take 零报告 (404)"
    if response.status_code != 200:
        return f"not sent ({len(reports)} kept): center answered {response.status_code}"
    try:
        answer = ZeroReportAnswer.model_validate_json(response.content)
    except ValueError:
        return f"not sent ({len(reports)} kept): the center's answer could not be read"
    z = forward_zero_reports.c
    sent = {r.day: (r.kind, sorted(r.incidents)) for r in reports}
    with store.engine.begin() as conn:
        for result in answer.results:
            row = conn.execute(sa.select(z.kind, z.incidents).where(z.day == result.day)).first()
            if row is None or sent.get(result.day) != (row.kind, sorted(row.incidents or [])):
                continue  # a --submit changed it meanwhile: the new content goes on the next pass
            done = forward_zero_reports.update().where(z.day == result.day)
            conn.execute(done.values(sent_at=now, answer=result.status))
    return f"sent {len(reports)}"


def zero_reports_step(http: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """The forwarder pass's step: record what is due, then send what waits. Never raises."""
    try:
        recorded = submit_due(store, now, target.checkin_every)
    except Exception as exc:  # a broken row must not stop the alerts
        log.warning("automatic 零报告 not recorded: %s", exc)
        return f"not recorded: {exc}"
    sent = send_pending(http, target, store, now)
    if not recorded:
        return sent
    made = ", ".join(f"{s.day.isoformat()} {REPORT_KINDS[s.kind or 'zero']}" for s in recorded)
    return f"recorded {made}; {sent}"
