"""An incident as other parts read it: reports, the center's picture of a school, the forwarder.

An ``IncidentSummary`` holds the incident's classification, times, state changes and the status of
its deadlines (处置时限) at one moment. It leaves out the incident's facts, notes and steps, which
may hold personal data or details a school keeps to itself; ``secops.incident.summary`` builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from secops.records.json_fields import extra_keys, strs

CLOCK_STATUSES = ("running", "overdue", "met", "missed")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class ClockSummary:
    """One deadline of an incident as it stood when the summary was made."""

    deadline: str  # the policy's deadline id
    name: str
    source: str  # where the deadline comes from (a regulation, the local policy)
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None  # when what it asked for happened
    status: str  # running | overdue | met | missed
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = ("deadline", "name", "source", "started_at", "due_at", "stopped_at", "status")

    def left(self, now: datetime) -> timedelta:
        """Time left until due (negative once past), counted to when it stopped if it did."""
        return self.due_at - (self.stopped_at or now)

    def status_at(self, now: datetime) -> str:
        """The status judged again at ``now`` (a running clock summarized earlier may be overdue since)."""
        if self.stopped_at is not None:
            return "met" if self.stopped_at <= self.due_at else "missed"
        return "running" if now < self.due_at else "overdue"

    def to_json(self) -> dict[str, Any]:
        return {
            "deadline": self.deadline,
            "name": self.name,
            "source": self.source,
            "started_at": self.started_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "stopped_at": _iso(self.stopped_at),
            "status": self.status,
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClockSummary:
        return cls(
            deadline=data["deadline"],
            name=data.get("name", ""),
            source=data.get("source", ""),
            started_at=datetime.fromisoformat(data["started_at"]),
            due_at=datetime.fromisoformat(data["due_at"]),
            stopped_at=_time(data.get("stopped_at")),
            status=data["status"],
            extra=extra_keys(data, cls.KEYS),
        )


@dataclass(frozen=True)
class IncidentSummary:
    """One incident without its facts: what it is, how grave, where it stands, its clocks."""

    id: int
    title: str
    category: str  # GB/T 20986 category code
    subcategory: str
    grade: str  # 特别重大 | 重大 | 较大 | 一般
    notified: bool  # opened from a 通报 (its own deadlines apply)
    state: str
    playbook: str | None
    systems: tuple[str, ...]
    assets: tuple[str, ...]
    detected_at: datetime
    reported_at: datetime | None
    state_times: Mapping[str, datetime]  # state -> when it was entered (last time)
    clocks: tuple[ClockSummary, ...]
    as_of: datetime  # the moment the clock statuses hold for
    version: int = 1  # bumped by every change of the incident: (id, version) names one state of it
    reports: Mapping[str, datetime] = field(default_factory=dict)  # report stage -> when it was submitted
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "id",
        "title",
        "category",
        "subcategory",
        "grade",
        "notified",
        "state",
        "playbook",
        "systems",
        "assets",
        "detected_at",
        "reported_at",
        "state_times",
        "clocks",
        "as_of",
        "version",
        "reports",
    )

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    def overdue_clocks(self) -> tuple[ClockSummary, ...]:
        return tuple(c for c in self.clocks if c.status == "overdue")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "subcategory": self.subcategory,
            "grade": self.grade,
            "notified": self.notified,
            "state": self.state,
            "playbook": self.playbook,
            "systems": list(self.systems),
            "assets": list(self.assets),
            "detected_at": self.detected_at.isoformat(),
            "reported_at": _iso(self.reported_at),
            "state_times": {state: at.isoformat() for state, at in self.state_times.items()},
            "clocks": [clock.to_json() for clock in self.clocks],
            "as_of": self.as_of.isoformat(),
            "version": self.version,
            "reports": {stage: at.isoformat() for stage, at in self.reports.items()},
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IncidentSummary:
        return cls(
            id=int(data["id"]),
            title=data.get("title", ""),
            category=data["category"],
            subcategory=data.get("subcategory", ""),
            grade=data["grade"],
            notified=bool(data.get("notified", False)),
            state=data["state"],
            playbook=data.get("playbook"),
            systems=strs(data.get("systems")),
            assets=strs(data.get("assets")),
            detected_at=datetime.fromisoformat(data["detected_at"]),
            reported_at=_time(data.get("reported_at")),
            state_times={state: datetime.fromisoformat(at) for state, at in (data.get("state_times") or {}).items()},
            clocks=tuple(ClockSummary.from_json(c) for c in data.get("clocks") or ()),
            as_of=datetime.fromisoformat(data["as_of"]),
            version=int(data.get("version", 1)),
            reports={stage: datetime.fromisoformat(at) for stage, at in (data.get("reports") or {}).items()},
            extra=extra_keys(data, cls.KEYS),
        )
