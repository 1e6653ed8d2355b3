"""Important periods (高考, 重要会议 ...) and their daily 零报告 at the center.

Staff define a period in Beijing dates with a Beijing deadline; it is sealed with the center's key
(kind ``period``) into the same outbound queue as a 通报, so schools get it on their next run.
During the period every school it addresses reports once per day: 零报告, or the day's incidents
(counts only). A school with nothing from it after the day's deadline is *missing*.

One report per (school, day), whatever the period, and idempotent: a resend (the forwarder retrying
after the center was down) changes nothing. The first submission time is kept, because it says
whether the school was on time; a later report *with incidents* replaces the content of an earlier
零报告 (an incident found after the automatic 零报告 must reach the province, and hiding it would be
worse than a changed answer), and ``updated_at`` shows when. A later 零报告 never replaces a report
with incidents.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from pydantic import ValidationError

from secops.center.signing_key import signing_key
from secops.errors import SecopsError
from secops.i18n import _
from secops.protocol import envelope
from secops.protocol.zero_reports import (
    PeriodBody,
    ZeroReport,
    ZeroReportResult,
    beijing_day,
    deadline_at,
)
from secops.store import Store
from secops.store.schema import center_outbound, center_periods, center_zero_reports

FUTURE_SLACK = timedelta(minutes=5)  # a submission time later than the center's clock by more is refused


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    start: date
    end: date
    deadline: str
    issued_at: datetime
    issued_by: str
    audience: str
    schools: list[str]  # empty: every registered school

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def _period(row: sa.Row[tuple[object, ...]]) -> Period:
    m = row._mapping
    return Period(
        id=str(m["id"]),
        name=str(m["name"]),
        start=m["start_day"],
        end=m["end_day"],
        deadline=str(m["deadline"]),
        issued_at=_aware(m["issued_at"]),
        issued_by=str(m["issued_by"]),
        audience=str(m["audience"]),
        schools=list(m["schools"] or []),
    )


def issue_period(
    state: Store,
    home: Path,
    *,
    name: str,
    start: date,
    end: date,
    deadline: str,
    schools: list[str],
    audience_text: str,
    issued_by: str,
    issuer: str,
    now: datetime,
) -> Period:
    """Define a period and seal it into the outbound queue (like ``notices.issue_notice``)."""
    try:
        body = PeriodBody(name=name.strip(), start=start, end=end, deadline=deadline)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = str(first["msg"]).removeprefix("Value error, ")
        raise SecopsError(
            _("not a valid period: {problem}").format(problem=f"{where}: {problem}" if where else problem),
            hint=_("--from/--to are Beijing dates (the end not before the start), --deadline is HH:MM (00:00-23:59)"),
        ) from None
    now = now.astimezone(UTC)
    # the last deadline of the period, plus a day: after that a school has nothing left to do with it
    expires = deadline_at(end, deadline) + timedelta(days=1)
    if expires <= now:
        raise SecopsError(
            _("the period ended on {day}").format(day=end.isoformat()), hint=_("give a --to today or later (Beijing)")
        )
    # "z" (零报告): notices are n..., packs p...; a refusal is reported by the kind its id names
    period_id = "z" + now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(4)
    payload = envelope.Payload(
        kind="period",
        id=period_id,
        issuer=issuer,
        issued_at=now,
        expires_at=expires,
        schools=schools,
        body=body.model_dump(mode="json"),
    )
    sealed = envelope.seal(signing_key(home), payload)
    with state.engine.begin() as conn:
        conn.execute(
            center_outbound.insert().values(
                id=period_id, kind="period", issued_at=now, expires_at=expires, schools=schools,
                envelope=sealed.model_dump(),
            )
        )  # fmt: skip
        conn.execute(
            center_periods.insert().values(
                id=period_id, name=body.name, start_day=start, end_day=end, deadline=deadline, issued_at=now,
                issued_by=issued_by, audience=audience_text, schools=schools,
            )
        )  # fmt: skip
    return Period(period_id, body.name, start, end, deadline, now, issued_by, audience_text, schools)


def periods(state: Store) -> list[Period]:
    """Every period, the latest first day first."""
    with state.engine.connect() as conn:
        rows = conn.execute(
            sa.select(center_periods).order_by(center_periods.c.start_day.desc(), center_periods.c.issued_at.desc())
        ).all()
    return [_period(row) for row in rows]


def find_period(state: Store, name_or_id: str) -> Period:
    """A period by its id, or by its name if exactly one has it (the latest if several: say so)."""
    found = [p for p in periods(state) if name_or_id in (p.id, p.name)]
    exact = [p for p in found if p.id == name_or_id]
    if exact:
        return exact[0]
    if not found:
        raise SecopsError(_("no period {name}").format(name=repr(name_or_id)), hint=_("see secops center period list"))
    if len(found) > 1:
        ids = ", ".join(p.id for p in found)
        raise SecopsError(
            _("{count} periods are called {name}: {ids}").format(count=len(found), name=repr(name_or_id), ids=ids),
            hint=_("give the id"),
        )
    return found[0]


def _addressed(period: Period, school: str, registered: set[str]) -> bool:
    return school in period.schools if period.schools else school in registered


def _registered(state: Store) -> dict[str, str]:
    from secops.center.schools import active_schools

    with state.engine.connect() as conn:
        return active_schools(conn)


def store_zero_reports(
    state: Store, school: str, reports: Sequence[ZeroReport], now: datetime
) -> list[ZeroReportResult]:
    """Keep each report of a day some period addresses ``school`` on; one result per report."""
    registered = set(_registered(state))
    active = [p for p in periods(state) if _addressed(p, school, registered)]
    results = []
    z = center_zero_reports.c
    with state.engine.begin() as conn:
        for report in reports:
            covering = [p for p in active if p.covers(report.day)]
            if not covering:
                results.append(ZeroReportResult(day=report.day, status="ignored", reason="no period covers the day"))
                continue
            submitted = report.submitted_at.astimezone(UTC)
            start = deadline_at(report.day, "00:00")
            if submitted > now + FUTURE_SLACK or submitted < start - FUTURE_SLACK:
                # a submission cannot come before its day began, nor from the future
                reason = "the submission time is outside the day"
                results.append(ZeroReportResult(day=report.day, status="ignored", reason=reason))
                continue
            row = conn.execute(sa.select(center_zero_reports).where(z.school == school, z.day == report.day)).first()
            incidents = sorted(set(report.incidents))
            if row is None:
                conn.execute(
                    center_zero_reports.insert().values(
                        school=school, day=report.day, kind=report.kind, incidents=incidents, submitted_at=submitted,
                        submitted_by=report.submitted_by, received_at=now, updated_at=now,
                    )
                )  # fmt: skip
                results.append(ZeroReportResult(day=report.day, status="stored"))
                continue
            known = sorted(row.incidents or [])
            if report.kind == "incidents" and sorted(set(known) | set(incidents)) != known:
                merged = sorted(set(known) | set(incidents))
                conn.execute(
                    center_zero_reports.update()
                    .where(z.school == school, z.day == report.day)
                    .values(kind="incidents", incidents=merged, updated_at=now)
                )
                results.append(ZeroReportResult(day=report.day, status="updated"))
                continue
            results.append(ZeroReportResult(day=report.day, status="duplicate"))
    return results


@dataclass(frozen=True)
class SchoolDay:
    school: str
    name: str
    kind: str | None  # zero | incidents; None: missing (or not yet due)
    incidents: int
    submitted_at: datetime | None
    submitted_by: str | None
    received_at: datetime | None
    deadline: datetime

    @property
    def late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.deadline


@dataclass(frozen=True)
class PeriodDay:
    day: date
    deadline: datetime
    due: bool  # the deadline has passed
    submitted: list[SchoolDay]
    missing: list[SchoolDay]  # after the deadline only; before it nobody is missing yet
    waiting: list[SchoolDay]  # before the deadline: not submitted yet


def _codes(period: Period, registered: dict[str, str]) -> list[str]:
    return sorted(period.schools) if period.schools else sorted(registered)


def period_days(state: Store, period_id: str, now: datetime, day: date | None = None) -> list[PeriodDay]:
    """Each day of the period that has begun (Beijing), or only ``day``: who submitted, who is missing."""
    period = find_period(state, period_id)
    registered = _registered(state)
    codes = _codes(period, registered)
    today = beijing_day(now)
    days = [d for d in period.days() if d <= today] if day is None else [day]
    if day is not None and not period.covers(day):
        raise SecopsError(
            _("{day} is not in period {name} ({start} – {end})").format(
                day=day.isoformat(), name=period.name, start=period.start, end=period.end
            )
        )
    z = center_zero_reports.c
    with state.engine.connect() as conn:
        rows = conn.execute(sa.select(center_zero_reports).where(z.day.in_(days), z.school.in_(codes))).all()
    by = {(row.school, row.day): row for row in rows}
    found = []
    for each in days:
        deadline = deadline_at(each, period.deadline)
        due = now >= deadline
        submitted, missing, waiting = [], [], []
        for code in codes:
            row = by.get((code, each))
            view = SchoolDay(
                school=code,
                name=registered.get(code, code),
                kind=row.kind if row else None,
                incidents=len(row.incidents or []) if row else 0,
                submitted_at=_aware(row.submitted_at) if row else None,
                submitted_by=row.submitted_by if row else None,
                received_at=_aware(row.received_at) if row else None,
                deadline=deadline,
            )
            if row is not None:
                submitted.append(view)
            elif due:
                missing.append(view)
            else:
                waiting.append(view)
        found.append(PeriodDay(each, deadline, due, submitted, missing, waiting))
    return found


def missing_schools(state: Store, period_id: str, day: date, now: datetime) -> list[SchoolDay]:
    """The schools with no report for ``day`` once its deadline has passed (none before it)."""
    [found] = period_days(state, period_id, now, day)
    return found.missing
