"""The compliance summary a school sends its provincial center: 等保 systems and deadlines, counts only.

Built at the school (``secops.forward.compliance``), sent signed to ``POST /api/v1/compliance``
and validated at the center (``secops.center.compliance``). It carries no personal data: no
people, owners, addresses or incident titles, only the school, its systems and numbers. The
models forbid unknown fields, so nothing else can ride along. A fact that is not known is
``None``, never guessed.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

COMPLIANCE_PATH = "/api/v1/compliance"
SUMMARY_VERSION = 1
MAX_SYSTEMS = 500


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
