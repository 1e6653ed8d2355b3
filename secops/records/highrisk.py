"""The high-risk part of an assessment: a problem that matches a case of the 2025 high-risk guide,
the mitigations the guide allows for it and the assessor's decision on it as a 重大风险隐患."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from secops.records.json_fields import extra_keys, strs


@dataclass(frozen=True)
class MitigationChoice:
    """A mitigation the high-risk guide allows for a case."""

    id: str
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "summary": self.summary}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MitigationChoice:
        return cls(id=data["id"], summary=data.get("summary", ""))


@dataclass(frozen=True)
class RiskDecision:
    """The assessor's decision on a 重大风险隐患 candidate (secops.dengbao.risks records and applies it)."""

    case: str
    decision: str  # confirmed | rejected
    reason: str
    decided_by: str
    decided_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "decision": self.decision,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RiskDecision:
        return cls(
            case=data["case"],
            decision=data["decision"],
            reason=data.get("reason", ""),
            decided_by=data.get("decided_by", ""),
            decided_at=datetime.fromisoformat(data["decided_at"]),
        )


@dataclass(frozen=True)
class HighRiskProblem:
    """A case of the high-risk guide the assessment raised (``highrisk[]``), with its mitigation
    and, when it is still open, its 重大风险隐患 candidacy and the assessor's decision."""

    case: str
    title: str
    summary: str
    condition: str
    items: tuple[str, ...]
    evidence: tuple[str, ...]
    checks: tuple[str, ...]
    mitigable: bool = True
    mitigations_collected: bool = True
    allowed_mitigations: tuple[MitigationChoice, ...] = ()
    mitigations_applied: tuple[str, ...] = ()
    mitigation: str = ""
    mitigation_note: str = ""
    mitigations_ignored: tuple[str, ...] = ()
    unmitigated: bool = True
    candidate: bool = False
    reason: str = ""
    decision: RiskDecision | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "case",
        "title",
        "summary",
        "condition",
        "items",
        "evidence",
        "checks",
        "mitigable",
        "mitigations_collected",
        "allowed_mitigations",
        "mitigations_applied",
        "mitigation",
        "mitigation_note",
        "mitigations_ignored",
        "unmitigated",
        "candidate",
        "reason",
        "decision",
    )

    @property
    def confirmed(self) -> bool:
        """A candidate the assessor confirmed as a 重大风险隐患."""
        return self.decision is not None and self.decision.decision == "confirmed"

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "title": self.title,
            "summary": self.summary,
            "condition": self.condition,
            "items": list(self.items),
            "evidence": list(self.evidence),
            "checks": list(self.checks),
            "mitigable": self.mitigable,
            "mitigations_collected": self.mitigations_collected,
            "allowed_mitigations": [m.to_json() for m in self.allowed_mitigations],
            "mitigations_applied": list(self.mitigations_applied),
            "mitigation": self.mitigation,
            "mitigation_note": self.mitigation_note,
            "mitigations_ignored": list(self.mitigations_ignored),
            "unmitigated": self.unmitigated,
            "candidate": self.candidate,
            "reason": self.reason,
            "decision": self.decision.to_json() if self.decision else None,
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HighRiskProblem:
        decision = data.get("decision")
        return cls(
            case=data["case"],
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            condition=data.get("condition", ""),
            items=strs(data.get("items")),
            evidence=strs(data.get("evidence")),
            checks=strs(data.get("checks")),
            mitigable=data.get("mitigable", True),
            mitigations_collected=data.get("mitigations_collected", True),
            allowed_mitigations=tuple(MitigationChoice.from_json(m) for m in data.get("allowed_mitigations") or ()),
            mitigations_applied=strs(data.get("mitigations_applied")),
            mitigation=data.get("mitigation", ""),
            mitigation_note=data.get("mitigation_note", ""),
            mitigations_ignored=strs(data.get("mitigations_ignored")),
            unmitigated=data.get("unmitigated", True),
            candidate=data.get("candidate", False),
            reason=data.get("reason", ""),
            decision=RiskDecision.from_json(decision) if decision else None,
            extra=extra_keys(data, cls.KEYS),
        )
