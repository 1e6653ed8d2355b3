"""The center's copy of each school's compliance summary: the latest per school, and who is overdue.

A summary replaces the school's previous one unless it is older (a delayed resend never rolls the
center back). Overdue is judged again at the center's ``now``: a summary sent a month ago may
name a date that has passed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from secops.protocol.compliance import ComplianceSummary, SystemStatus
from secops.store import Store
from secops.store.schema import center_compliance, center_schools

ZONE = ZoneInfo("Asia/Shanghai")  # deadlines are calendar days in Beijing time


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def store_summary(state: Store, summary: ComplianceSummary, received_at: datetime) -> bool:
    """Keep ``summary`` as the school's latest; False when a newer one is stored already."""
    values = {
        "generated_at": summary.generated_at,
        "received_at": received_at,
        "overdue_filings": summary.counts.overdue_filings,
        "overdue_assessments": summary.counts.overdue_assessments,
        "summary": summary.model_dump(mode="json"),
    }
    code = summary.school.code
    with state.engine.begin() as conn:
        stored = conn.execute(
            sa.select(center_compliance.c.generated_at).where(center_compliance.c.school == code)
        ).scalar()
        if stored is None:
            try:
                with conn.begin_nested():
                    conn.execute(center_compliance.insert().values(school=code, **values))
                return True
            except sa.exc.IntegrityError:  # another request for this school inserted first
                stored = conn.execute(
                    sa.select(center_compliance.c.generated_at).where(center_compliance.c.school == code)
                ).scalar_one()
        if _aware(stored) > summary.generated_at:
            return False
        conn.execute(center_compliance.update().where(center_compliance.c.school == code).values(**values))
    return True


@dataclass(frozen=True)
class OverdueSystem:
    name: str
    level: int
    unfiled: bool  # level 2+ with no 备案 on record at the school
    filing_overdue: bool
    assessment_overdue: bool
    certificate_valid_until: date | None
    next_assessment_due: date | None
    last_assessment: date | None
    rate: float | None
    high_risk: int | None


@dataclass(frozen=True)
class SchoolCompliance:
    code: str
    name: str
    generated_at: datetime
    received_at: datetime
    systems: list[SystemStatus]
    counts: dict[str, int]
    overdue: list[OverdueSystem]

    @property
    def overdue_filings(self) -> int:
        return sum(1 for s in self.overdue if s.filing_overdue)

    @property
    def unfiled(self) -> int:
        return sum(1 for s in self.overdue if s.unfiled)

    @property
    def overdue_assessments(self) -> int:
        return sum(1 for s in self.overdue if s.assessment_overdue)


def overdue_of(system: SystemStatus, today: date) -> OverdueSystem | None:
    """Overdue per the school's own flag or a date that has passed by ``today``; a level 2+ system
    without a 备案 on record is listed too (unfiled, not overdue: the school may not have recorded it)."""
    filing = bool(system.filing_overdue) or (
        system.certificate_valid_until is not None and system.certificate_valid_until < today
    )
    assessment = bool(system.assessment_overdue) or (
        system.next_assessment_due is not None and system.next_assessment_due < today
    )
    unfiled = system.filed is False
    if not (filing or assessment or unfiled):
        return None
    return OverdueSystem(
        name=system.name,
        level=system.level,
        unfiled=unfiled,
        filing_overdue=filing,
        assessment_overdue=assessment,
        certificate_valid_until=system.certificate_valid_until,
        next_assessment_due=system.next_assessment_due,
        last_assessment=system.last_assessment,
        rate=system.rate,
        high_risk=system.high_risk,
    )


def _rows(state: Store, code: str | None = None) -> list[Any]:
    stmt = (
        sa.select(center_compliance, center_schools.c.name.label("registered_name"))
        .join(center_schools, center_schools.c.code == center_compliance.c.school, isouter=True)
        .order_by(center_compliance.c.school)
    )
    if code is not None:
        stmt = stmt.where(center_compliance.c.school == code)
    with state.engine.connect() as conn:
        return list(conn.execute(stmt))


def summaries(state: Store, now: datetime, code: str | None = None) -> list[SchoolCompliance]:
    """Every school's latest summary (or one school's), judged at ``now``."""
    today = now.astimezone(ZONE).date()
    found = []
    for row in _rows(state, code):
        summary = ComplianceSummary.model_validate(row.summary)
        overdue = [o for o in (overdue_of(s, today) for s in summary.systems) if o is not None]
        found.append(
            SchoolCompliance(
                code=row.school,
                name=row.registered_name or summary.school.name,  # the center's register is authoritative
                generated_at=_aware(row.generated_at),
                received_at=_aware(row.received_at),
                systems=list(summary.systems),
                counts=summary.counts.model_dump(),
                overdue=overdue,
            )
        )
    return found


def overdue_schools(state: Store, now: datetime) -> list[SchoolCompliance]:
    """Schools with an overdue (or unrecorded) filing or an overdue assessment, most systems first."""
    found = [s for s in summaries(state, now) if s.overdue]
    found.sort(key=lambda s: (-len(s.overdue), s.code))
    return found
