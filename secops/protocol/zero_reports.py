"""零报告 in important periods: the period as it travels down (the body of a signed envelope of kind
``period``) and a school's daily submissions as they travel up (``POST /api/v1/zero-reports``).

A period is defined in Beijing dates with a Beijing deadline (``16:00``): the province works in
Beijing time whatever a school's workspace says. A submission carries counts only: the local ids of
the day's incidents, never their titles or anything about people.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ZERO_REPORTS_PATH = "/api/v1/zero-reports"
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # China keeps no daylight saving time
REPORT_KINDS = {"zero": "零报告", "incidents": "有事件"}
SUBMITTERS = {"auto": "自动", "person": "人工"}
MAX_DAYS = 366
_DEADLINE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def deadline_at(day: date, deadline: str) -> datetime:
    """The moment (aware) of ``deadline`` (HH:MM, Beijing) on ``day``: 16:00 is 08:00 UTC."""
    hour, minute = (int(part) for part in deadline.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


class PeriodBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    start: date  # first day, Beijing
    end: date  # last day, Beijing (inclusive)
    deadline: str  # HH:MM, Beijing

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        if not _DEADLINE.match(value):
            raise ValueError("a deadline is HH:MM")
        return value

    @model_validator(mode="after")
    def _span(self) -> PeriodBody:
        if self.end < self.start:
            raise ValueError("a period ends on or after its first day")
        if (self.end - self.start).days >= MAX_DAYS:
            raise ValueError(f"a period lasts at most {MAX_DAYS} days")
        return self

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class ZeroReport(BaseModel):
    """One school's report for one day: 零报告 (nothing happened) or the day's incidents, by local id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    day: date
    kind: str
    incidents: list[int] = Field(default_factory=list, max_length=1000)
    submitted_at: datetime  # when the school submitted it (the deadline moment for an on-time automatic one)
    submitted_by: str

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in REPORT_KINDS:
            raise ValueError(f"unknown report kind {value!r}")
        return value

    @field_validator("submitted_by")
    @classmethod
    def _by(cls, value: str) -> str:
        if value not in SUBMITTERS:
            raise ValueError(f"submitted_by is one of {', '.join(SUBMITTERS)}")
        return value

    @field_validator("submitted_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("a time needs a time zone")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ZeroReport:
        if (self.kind == "zero") != (not self.incidents):
            raise ValueError("a 零报告 lists no incidents; an incidents report lists at least one")
        return self


class ZeroReportBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    reports: list[ZeroReport] = Field(max_length=400)

    @model_validator(mode="after")
    def _one_school(self) -> ZeroReportBatch:
        if any(r.school != self.school for r in self.reports):
            raise ValueError("every report is the batch's school's")
        return self


class ZeroReportResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day: date
    status: str  # stored | updated | duplicate | ignored
    reason: str | None = None


class ZeroReportAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str
    results: list[ZeroReportResult]
