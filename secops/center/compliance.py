"""The compliance summary a school sends its provincial center: 等保 systems and deadlines, counts only.

Built at the school from the workspace (``build_summary``), sent signed by the forwarder once per
run (``send_summary``, to ``POST /api/v1/compliance``) and validated at the center
(``parse_summary``; stored by ``secops.center.compliance_store``). It carries no personal data:
no people, owners, addresses or incident titles, only the school, its systems and numbers. The
model forbids unknown fields, so nothing else can ride along.

Filing and assessment deadlines come from the compliance calendar (``secops.dengbao.calendar``:
recorded 备案 and official 等级测评); 符合率 and open high-risk problems from the latest automated
assessment. A fact that is not known is ``None``, never guessed.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from secops.center import wire
from secops.store import Store
from secops.store.schema import assets, incidents

if TYPE_CHECKING:
    from secops.center.forwarder import CenterClient
    from secops.dengbao.systems import System

log = logging.getLogger(__name__)
COMPLIANCE_PATH = "/api/v1/compliance"
SUMMARY_VERSION = 1
ZONE = ZoneInfo("Asia/Shanghai")  # deadlines are calendar days in Beijing time
MAX_SYSTEMS = 500
CLOSED_STATES = ("closed",)


class SystemStatus(BaseModel):
    """One graded system (定级对象) as the center sees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    level: int = Field(ge=1, le=5)
    filed: bool | None = None  # level 2+: is a 备案 on record; None: not required (level 1) or unknown
    filing_date: date | None = None  # 备案 date; None: not recorded in the workspace
    certificate_valid_until: date | None = None
    last_assessment: date | None = None
    next_assessment_due: date | None = None
    filing_overdue: bool | None = None  # the 备案证明 expired; None: cannot be told (no filing on record)
    assessment_overdue: bool | None = None
    rate: float | None = Field(default=None, ge=0.0, le=1.0)  # latest 符合率
    conclusion: str | None = Field(default=None, max_length=10)
    high_risk: int | None = Field(default=None, ge=0)  # unmitigated high-risk problems


class SchoolRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^\d{10}$")
    name: str = Field(min_length=1, max_length=200)


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    systems: int = Field(ge=0)
    assets: int = Field(ge=0)
    open_incidents: int = Field(ge=0)
    unfiled: int = Field(default=0, ge=0)  # level 2+ systems with no 备案 on record
    overdue_filings: int = Field(ge=0)
    overdue_assessments: int = Field(ge=0)


class ComplianceSummary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = SUMMARY_VERSION
    school: SchoolRef
    generated_at: datetime
    systems: list[SystemStatus] = Field(max_length=MAX_SYSTEMS)
    counts: Counts
    source: str = Field(default="workspace", max_length=20)  # "calendar" when the deadlines came from it

    @field_validator("generated_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("generated_at needs a time zone")
        return value

    @field_validator("version")
    @classmethod
    def _known(cls, value: int) -> int:
        if value != SUMMARY_VERSION:
            raise ValueError(f"unknown summary version {value}; this center reads version {SUMMARY_VERSION}")
        return value


class ForeignSummary(ValueError):
    """The summary names another school than the key's."""


def parse_summary(body: bytes, school: str) -> ComplianceSummary:
    """Validate a posted summary for ``school``: ValueError (what is wrong) or ForeignSummary."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed JSON: {exc}") from None
    try:
        summary = ComplianceSummary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValueError(f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None
    if summary.school.code != school:
        raise ForeignSummary(f"the summary is for school {summary.school.code}, the key for {school}")
    return summary


# --- at the school -------------------------------------------------------------------------------


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


def status_without_calendar(system: System, latest: dict[str, Any] | None) -> SystemStatus:
    """Without a calendar the workspace records no filing or official assessment: deadlines unknown."""
    return SystemStatus(
        name=system.name,
        level=system.level,
        rate=latest["rate"] if latest else None,
        conclusion=latest["conclusion"] if latest else None,
        high_risk=sum(1 for p in latest.get("highrisk", []) if p.get("unmitigated")) if latest else None,
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
            sa.select(sa.func.count()).select_from(incidents).where(incidents.c.state.not_in(CLOSED_STATES))
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


def send_summary(client: CenterClient, store: Store, now: datetime) -> str:
    """POST this school's summary; returns what happened in a few words. Never raises: the alerts
    matter more, and an older center without the endpoint (404) must not stop forwarding."""
    target = client.target
    try:
        body = summary_body(build_summary(store, target.school, target.school_name, now.astimezone(UTC)))
    except Exception as exc:  # a broken workspace row must not stop the alerts
        log.warning("compliance summary not built: %s", exc)
        return f"not built: {exc}"
    path = httpx.URL(target.center + COMPLIANCE_PATH).path
    headers = wire.signed_headers(target.key, target.school, body, now=time.time(), path=path)
    try:
        response = client.http.post(COMPLIANCE_PATH, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"not sent: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
    if response.status_code == 200:
        return "sent"
    if response.status_code == 404:
        return "not sent: the center does not take compliance summaries (404)"
    try:
        error = str(response.json().get("error", ""))[:200]
    except ValueError:
        error = response.reason_phrase
    return f"not sent: center answered {response.status_code}: {error}"
