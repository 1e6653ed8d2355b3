"""The school's compliance summary for its provincial center, built from the workspace and sent signed.

Built from the workspace (``build_summary``) and sent by the sync client once per run
(``send_summary``, to ``POST /api/v1/compliance``); its shape, and what it may carry, is
``secops.protocol.compliance``.

Filing and assessment deadlines come from the compliance calendar (``secops.dengbao.calendar``:
recorded 备案 and official 等级测评); 符合率 and open high-risk problems from the latest automated
assessment. A fact that is not known is ``None``, never guessed.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from secops.forward.post import send
from secops.forward.target import Target
from secops.protocol.compliance import COMPLIANCE_PATH, MAX_SYSTEMS, ComplianceSummary, Counts, SchoolRef, SystemStatus
from secops.store import Store
from secops.store.schema import assets, incidents

if TYPE_CHECKING:
    from secops.dengbao.systems import System
    from secops.records.assessment import Assessment

log = logging.getLogger(__name__)
ZONE = ZoneInfo("Asia/Shanghai")  # deadlines are calendar days in Beijing time
CLOSED_STATES = ("closed",)


def _calendar(store: Store, today: date) -> list[dict[str, Any]] | None:
    """The compliance calendar's entries, or None where this secops has no calendar."""
    try:
        from secops.dengbao.calendar import compliance_calendar
    except ImportError:
        return None
    return compliance_calendar(store, today)


def _overdue(entry: dict[str, Any], *kinds: str) -> bool | None:
    deadlines = [d for d in entry["deadlines"] if d["kind"] in kinds]
    return any(d["overdue"] for d in deadlines) if deadlines else None


def status_from_calendar(entry: dict[str, Any]) -> SystemStatus:
    """A system's summary line from its calendar entry (official filings and assessments decide
    the deadlines; the latest automated run gives 符合率 and open high-risk problems)."""
    automated = entry.get("latest_automated") or {}
    last = entry.get("last_assessment") or {}
    required = bool(entry["filing_required"])
    return SystemStatus(
        name=entry["system"],
        level=entry["level"],
        filed=(entry["filed_on"] is not None) if required else None,
        filing_date=entry["filed_on"],
        certificate_valid_until=entry["certificate_valid_until"],
        last_assessment=last.get("date"),
        next_assessment_due=entry["next_assessment"],
        filing_overdue=_overdue(entry, "filing", "certificate"),  # never filed in time, or expired
        assessment_overdue=_overdue(entry, "assessment"),
        rate=automated.get("rate"),
        conclusion=automated.get("conclusion"),
        high_risk=len(entry["open_highrisk"]) if automated else None,
    )


def status_without_calendar(system: System, latest: Assessment | None) -> SystemStatus:
    """Without a calendar the workspace records no filing or official assessment: deadlines unknown."""
    return SystemStatus(
        name=system.name,
        level=system.level,
        rate=latest.rate if latest else None,
        conclusion=latest.conclusion if latest else None,
        high_risk=len(latest.unmitigated) if latest else None,
    )


def build_summary(store: Store, school_code: str, school_name: str, now: datetime) -> ComplianceSummary:
    """The school's summary from its workspace at ``now`` (aware; days count in Beijing time)."""
    today = now.astimezone(ZONE).date()
    calendar = _calendar(store, today)
    if calendar is not None:
        systems = [status_from_calendar(entry) for entry in calendar]
    else:
        from secops.dengbao.systems import latest_assessment, list_systems  # school side only

        systems = [status_without_calendar(s, latest_assessment(store, s)) for s in list_systems(store)]
    with store.engine.connect() as conn:
        asset_count = conn.execute(sa.select(sa.func.count()).where(assets.c.status == "up")).scalar_one()
        open_count = conn.execute(
            sa.select(sa.func.count())
            .select_from(incidents)
            .where(incidents.c.state.not_in(CLOSED_STATES) & incidents.c.drill_id.is_(None))  # drills never count
        ).scalar_one()
    return ComplianceSummary(
        school=SchoolRef(code=school_code, name=school_name),
        generated_at=now,
        systems=systems[:MAX_SYSTEMS],
        counts=Counts(
            systems=len(systems),
            assets=int(asset_count),
            open_incidents=int(open_count),
            unfiled=sum(1 for s in systems if s.filed is False),
            overdue_filings=sum(1 for s in systems if s.filing_overdue),
            overdue_assessments=sum(1 for s in systems if s.assessment_overdue),
        ),
        source="calendar" if calendar is not None else "workspace",
    )


def summary_body(summary: ComplianceSummary) -> bytes:
    return summary.model_dump_json().encode()


def send_summary(http: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """POST this school's summary; returns what happened in a few words. Never raises: the alerts
    matter more, and an older center without the endpoint (404) must not stop forwarding."""
    try:
        body = summary_body(build_summary(store, target.school, target.school_name, now.astimezone(UTC)))
    except Exception as exc:  # a broken workspace row must not stop the alerts
        log.warning("compliance summary not built: %s", exc)
        return f"not built: {exc}"
    return send(http, target, COMPLIANCE_PATH, body, "compliance summaries")
