"""A school's incidents as its center sees them, and the head of its audit trail.

Sent by the forwarder (``secops.forward.incidents``) to ``POST /api/v1/incidents``, signed like the
alerts. An incident travels as its classification (GB/T 20986 category and grade), its times, its
state changes, its deadlines (处置时限) and which report stages were submitted: no title, facts,
systems, assets or notes, which may name people. ``(id, version)`` names one state of an incident,
so sending it again is harmless and an older version never replaces a newer one.

The audit head (entries, hash of the last) anchors the school's tamper-evident trail at the
center: ``GET /api/v1/audit-anchors`` gives back what the center has seen, and ``secops incident
verify-audit --against-center`` checks the local trail still has those hashes at those entries.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

INCIDENTS_PATH = "/api/v1/incidents"
AUDIT_ANCHORS_PATH = "/api/v1/audit-anchors"
INCIDENTS_VERSION = 1
MAX_INCIDENTS = 200  # per request
GRADES = ("一般", "较大", "重大", "特别重大")
STATES = ("new", "acknowledged", "contained", "eradicated", "recovered", "closed")
CLOCK_STATUSES = ("running", "overdue", "met", "missed")
REPORT_STAGES = ("initial", "followup", "final")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a time needs a time zone")
    return value


class ClockState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    deadline: str = Field(min_length=1, max_length=60)
    name: str = Field(max_length=200)
    source: str = Field(max_length=200)
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None = None
    status: str

    _times = field_validator("started_at", "due_at", "stopped_at")(_aware)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in CLOCK_STATUSES:
            raise ValueError(f"unknown clock status {value!r}")
        return value

    def status_at(self, now: datetime) -> str:
        """Judged again at the center's ``now``: a clock running when sent may be overdue since."""
        if self.stopped_at is not None:
            return "met" if self.stopped_at <= self.due_at else "missed"
        return "running" if now < self.due_at else "overdue"


class SchoolIncident(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=1)
    version: int = Field(ge=1)
    category: str = Field(pattern=r"^\d{2}$")
    subcategory: str = Field(max_length=50)
    grade: str
    notified: bool = False  # opened from a 通报: the 通报's deadlines apply
    state: str
    playbook: str | None = Field(default=None, max_length=100)
    detected_at: datetime
    state_times: dict[str, datetime] = Field(default_factory=dict, max_length=len(STATES))
    clocks: list[ClockState] = Field(default_factory=list, max_length=20)
    reports: dict[str, datetime] = Field(default_factory=dict, max_length=len(REPORT_STAGES))

    _detected = field_validator("detected_at")(_aware)

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        if value not in GRADES:
            raise ValueError(f"unknown grade {value!r}")
        return value

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value not in STATES:
            raise ValueError(f"unknown state {value!r}")
        return value

    @field_validator("state_times", "reports")
    @classmethod
    def _times(cls, value: dict[str, datetime]) -> dict[str, datetime]:
        for key, at in value.items():
            if key not in STATES and key not in REPORT_STAGES:
                raise ValueError(f"unknown key {key!r}")
            _aware(at)
        return value


class AuditAnchor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: int = Field(ge=0)
    last_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class IncidentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = INCIDENTS_VERSION
    school: str = Field(pattern=r"^\d{10}$")
    sent_at: datetime
    incidents: list[SchoolIncident] = Field(default_factory=list, max_length=MAX_INCIDENTS)
    audit_head: AuditAnchor | None = None

    _sent = field_validator("sent_at")(_aware)

    @field_validator("version")
    @classmethod
    def _known(cls, value: int) -> int:
        if value != INCIDENTS_VERSION:
            raise ValueError(f"unknown incidents version {value}; this center reads version {INCIDENTS_VERSION}")
        return value


class SeenAnchor(BaseModel):
    """An audit head as the center received it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: int = Field(ge=0)
    last_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    received_at: datetime


class AnchorList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(pattern=r"^\d{10}$")
    anchors: list[SeenAnchor]
