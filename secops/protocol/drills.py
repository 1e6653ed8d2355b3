"""应急演练 between a center and its schools: the drill a center asks of its schools (the body of a
signed envelope of kind ``drill``) and a school's drill results as they travel up
(``POST /api/v1/drill-results``).

A result carries times and counts only: when the drill ran, how many drill minutes each milestone
took, how many steps and clocks were met, how many questions were answered. Never a name, an
answer or a finding's text: those stay in the school's drill report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DRILL_RESULTS_PATH = "/api/v1/drill-results"
DRILL_ID = r"^d\d{14}[0-9a-f]{8}$"  # a center's drill request: d<issue time><random>
MILESTONES = ("acknowledged", "reported", "contained", "recovered", "closed")
MAX_BATCH = 100
_SCENARIO = r"^[a-z0-9][a-z0-9-]{0,99}$"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time needs a time zone")
    return value


class DrillRequest(BaseModel):
    """What a center asks: run ``scenario`` at ``speed`` before ``due_at``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field(pattern=_SCENARIO)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=5000)
    speed: float = Field(ge=1, le=60)
    due_at: datetime

    _due = field_validator("due_at")(_aware)


class Milestones(BaseModel):
    """Drill minutes from detection to each milestone (None: not reached)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    acknowledged: float | None = Field(default=None, ge=0, le=1e6)
    reported: float | None = Field(default=None, ge=0, le=1e6)
    contained: float | None = Field(default=None, ge=0, le=1e6)
    recovered: float | None = Field(default=None, ge=0, le=1e6)
    closed: float | None = Field(default=None, ge=0, le=1e6)


class DrillResult(BaseModel):
    """One drill of one school: started (``running``) or done (``finished``, with its outcome)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drill: int = Field(ge=1)  # the school's own drill number
    request: str | None = Field(default=None, pattern=DRILL_ID)  # the center's request it answers
    scenario: str = Field(pattern=_SCENARIO)
    speed: float = Field(ge=1, le=60)
    state: Literal["running", "finished"]
    started_at: datetime
    finished_at: datetime | None = None
    milestones: Milestones = Field(default_factory=Milestones)
    steps_met: int = Field(default=0, ge=0, le=1000)
    steps_total: int = Field(default=0, ge=0, le=1000)
    clocks_met: int = Field(default=0, ge=0, le=1000)
    clocks_total: int = Field(default=0, ge=0, le=1000)
    questions_answered: int = Field(default=0, ge=0, le=1000)
    questions_total: int = Field(default=0, ge=0, le=1000)
    gaps: int = Field(default=0, ge=0, le=10000)

    _started = field_validator("started_at")(_aware)

    @field_validator("finished_at")
    @classmethod
    def _finished(cls, value: datetime | None) -> datetime | None:
        return _aware(value) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> DrillResult:
        if (self.state == "finished") != (self.finished_at is not None):
            raise ValueError("a finished drill has finished_at, a running one has none")
        if self.finished_at is not None and self.finished_at < self.started_at:
            raise ValueError("a drill finishes after it starts")
        if self.steps_met > self.steps_total or self.clocks_met > self.clocks_total:
            raise ValueError("more met than there are")
        if self.questions_answered > self.questions_total:
            raise ValueError("more answers than questions")
        return self


class DrillResultBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    results: list[DrillResult] = Field(max_length=MAX_BATCH)


class DrillResultAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str
    stored: int  # results new or changed; a resend of the same is not counted
