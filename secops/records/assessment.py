"""An 等保 assessment as a typed record: what ``secops.dengbao.assess`` produces, what the store keeps
(``dengbao_assessments.result``) and what reports, the CLI, the scheduler and the center read.

``to_json`` gives exactly the dict stored today (the same keys in the same order, the same value
formats), so stored rows and ``--format json`` output do not change. ``from_json`` reads that and
what older secops versions stored: a key they did not write yet gets today's default, and a key
this version no longer writes (``typical_mitigations``, say) is kept in ``extra`` and written back
after the known ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from secops.records.assessed_item import AssessedItem, CheckOutcome
from secops.records.highrisk import HighRiskProblem, RiskDecision
from secops.records.json_fields import extra_keys, strs


@dataclass(frozen=True)
class AssessedTarget:
    """A network address or a host facts were gathered about."""

    name: str
    kind: str  # network | host
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "notes": list(self.notes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessedTarget:
        return cls(name=data["name"], kind=data.get("kind", ""), notes=strs(data.get("notes")))


@dataclass(frozen=True)
class AssessedSystem:
    """The graded system (定级对象) as it was when assessed."""

    name: str
    level: int  # its own grade (the assessment may be a what-if against another level)
    asset_tag: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = ("name", "level", "asset_tag")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "asset_tag": self.asset_tag, **self.extra}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessedSystem:
        return cls(
            name=data.get("name", ""),
            level=data.get("level", 0),
            asset_tag=data.get("asset_tag"),
            extra=extra_keys(data, cls.KEYS),
        )


@dataclass(frozen=True)
class Assessment:
    """One assessment of a graded system (定级对象)."""

    system: AssessedSystem
    level: int
    extensions: tuple[str, ...]
    assessed_at: datetime
    targets: tuple[AssessedTarget, ...]
    items: tuple[AssessedItem, ...]
    counts: Mapping[str, int]  # per result, and "total" (scoring.Counts.as_dict)
    by_class: Mapping[str, Mapping[str, int]]  # class name → counts
    rate: float
    weighted_rate: float
    highrisk: tuple[HighRiskProblem, ...]
    score_2019: float | None
    grade_2021: str
    conflicts: int
    checks_run: int
    checks: tuple[CheckOutcome, ...]
    provisional: bool
    rate_rule: str
    major_risk_candidates: tuple[str, ...] = ()
    major_risks: tuple[str, ...] = ()  # the confirmed ones
    major_risk: bool = False
    undecided: tuple[str, ...] = ()
    decisions_not_raised: tuple[RiskDecision, ...] = ()
    conclusion: str = ""
    conclusion_rule: str = ""
    school: Mapping[str, str] | None = None  # code, name; set by the run that stores it
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "system",
        "level",
        "extensions",
        "assessed_at",
        "targets",
        "items",
        "counts",
        "by_class",
        "rate",
        "weighted_rate",
        "highrisk",
        "score_2019",
        "grade_2021",
        "conflicts",
        "checks_run",
        "checks",
        "provisional",
        "rate_rule",
        "major_risk_candidates",
        "major_risks",
        "major_risk",
        "undecided",
        "decisions_not_raised",
        "conclusion",
        "conclusion_rule",
        "school",
    )

    @property
    def system_name(self) -> str:
        return self.system.name

    @property
    def unmitigated(self) -> tuple[HighRiskProblem, ...]:
        """The high-risk problems still open after mitigation."""
        return tuple(p for p in self.highrisk if p.unmitigated)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "system": self.system.to_json(),
            "level": self.level,
            "extensions": list(self.extensions),
            "assessed_at": self.assessed_at.isoformat(),
            "targets": [t.to_json() for t in self.targets],
            "items": [i.to_json() for i in self.items],
            "counts": dict(self.counts),
            "by_class": {name: dict(counts) for name, counts in self.by_class.items()},
            "rate": self.rate,
            "weighted_rate": self.weighted_rate,
            "highrisk": [p.to_json() for p in self.highrisk],
            "score_2019": self.score_2019,
            "grade_2021": self.grade_2021,
            "conflicts": self.conflicts,
            "checks_run": self.checks_run,
            "checks": [c.to_json() for c in self.checks],
            "provisional": self.provisional,
            "rate_rule": self.rate_rule,
            "major_risk_candidates": list(self.major_risk_candidates),
            "major_risks": list(self.major_risks),
            "major_risk": self.major_risk,
            "undecided": list(self.undecided),
            "decisions_not_raised": [d.to_json() for d in self.decisions_not_raised],
            "conclusion": self.conclusion,
            "conclusion_rule": self.conclusion_rule,
        }
        if self.school is not None:
            out["school"] = dict(self.school)
        out.update(self.extra)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        school = data.get("school")
        return cls(
            system=AssessedSystem.from_json(data.get("system") or {}),
            level=data["level"],
            extensions=strs(data.get("extensions")),
            assessed_at=datetime.fromisoformat(data["assessed_at"]),
            targets=tuple(AssessedTarget.from_json(t) for t in data.get("targets") or ()),
            items=tuple(AssessedItem.from_json(i) for i in data.get("items") or ()),
            counts=dict(data.get("counts") or {}),
            by_class={name: dict(counts) for name, counts in (data.get("by_class") or {}).items()},
            rate=data["rate"],
            weighted_rate=data.get("weighted_rate", data["rate"]),
            highrisk=tuple(HighRiskProblem.from_json(p) for p in data.get("highrisk") or ()),
            score_2019=data.get("score_2019"),
            grade_2021=data.get("grade_2021", ""),
            conflicts=data.get("conflicts", 0),
            checks_run=data.get("checks_run", 0),
            checks=tuple(CheckOutcome.from_json(c) for c in data.get("checks") or ()),
            provisional=data.get("provisional", False),
            rate_rule=data.get("rate_rule", ""),
            major_risk_candidates=strs(data.get("major_risk_candidates")),
            major_risks=strs(data.get("major_risks")),
            major_risk=data.get("major_risk", False),
            undecided=strs(data.get("undecided")),
            decisions_not_raised=tuple(RiskDecision.from_json(d) for d in data.get("decisions_not_raised") or ()),
            conclusion=data.get("conclusion", ""),
            conclusion_rule=data.get("conclusion_rule", ""),
            school=dict(school) if school is not None else None,
            extra=extra_keys(data, cls.KEYS),
        )
