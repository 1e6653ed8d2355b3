"""One assessed 等保 item of an :class:`secops.records.assessment.Assessment`, with its checks
(``items[]`` of the stored result); ``to_json``/``from_json`` as the assessment's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secops.records.json_fields import extra_keys, strs


@dataclass(frozen=True)
class ItemCheck:
    """One check's outcome on one item (``items[].checks[]``)."""

    check: str
    title: str
    target: str
    status: str  # pass | fail | not_evidenced
    severity: str
    evidence: str  # one line (assess._evidence_line)
    remediation: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = ("check", "title", "target", "status", "severity", "evidence", "remediation")

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "target": self.target,
            "status": self.status,
            "severity": self.severity,
            "evidence": self.evidence,
            "remediation": self.remediation,
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ItemCheck:
        return cls(
            check=data["check"],
            title=data.get("title", ""),
            target=data.get("target", ""),
            status=data["status"],
            severity=data.get("severity", ""),
            evidence=data.get("evidence", ""),
            remediation=data.get("remediation", ""),
            extra=extra_keys(data, cls.KEYS),
        )


@dataclass(frozen=True)
class CheckOutcome:
    """A check run worth showing (``checks[]``: failed, not evidenced, or passed with evidence)."""

    check: str
    title: str
    target: str
    status: str
    severity: str
    items: tuple[str, ...]
    highrisk: tuple[str, ...]
    evidence: tuple[Any, ...]  # strings or the JSON objects a check matched
    missing: tuple[str, ...]
    remediation: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "check",
        "title",
        "target",
        "status",
        "severity",
        "items",
        "highrisk",
        "evidence",
        "missing",
        "remediation",
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "target": self.target,
            "status": self.status,
            "severity": self.severity,
            "items": list(self.items),
            "highrisk": list(self.highrisk),
            "evidence": list(self.evidence),
            "missing": list(self.missing),
            "remediation": self.remediation,
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckOutcome:
        return cls(
            check=data["check"],
            title=data.get("title", ""),
            target=data.get("target", ""),
            status=data["status"],
            severity=data.get("severity", ""),
            items=strs(data.get("items")),
            highrisk=strs(data.get("highrisk")),
            evidence=tuple(data.get("evidence") or ()),
            missing=strs(data.get("missing")),
            remediation=data.get("remediation", ""),
            extra=extra_keys(data, cls.KEYS),
        )


@dataclass(frozen=True)
class AssessedItem:
    """One requirement item of the catalog with its result (``items[]``)."""

    id: str
    level: int
    part: str
    part_name: str
    class_name: str  # "class" in JSON
    class_code: str
    control_point: str
    clause: str
    item: str
    clause_28448: str | None
    summary: str
    evidence: tuple[str, ...]  # what the catalog asks for as evidence
    highrisk: tuple[str, ...]  # the guide cases linked to the item
    result: str  # 符合 | 部分符合 | 不符合 | 不适用 | 未测评
    source: str  # automated | questionnaire | both | none
    automated: str | None  # pass | fail | not_evidenced | None
    answer: str | None
    note: str
    mitigation: str
    conflict: str | None
    checks: tuple[ItemCheck, ...]
    risk: str | None  # high | medium | low | None
    highrisk_cases: tuple[str, ...]
    remediation: str = ""  # the catalog's 整改建议 for the item (a failed check's own advice is in checks)
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "id",
        "level",
        "part",
        "part_name",
        "class",
        "class_code",
        "control_point",
        "clause",
        "item",
        "clause_28448",
        "summary",
        "evidence",
        "highrisk",
        "result",
        "source",
        "automated",
        "answer",
        "note",
        "mitigation",
        "conflict",
        "checks",
        "risk",
        "highrisk_cases",
        "remediation",
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "part": self.part,
            "part_name": self.part_name,
            "class": self.class_name,
            "class_code": self.class_code,
            "control_point": self.control_point,
            "clause": self.clause,
            "item": self.item,
            "clause_28448": self.clause_28448,
            "summary": self.summary,
            "remediation": self.remediation,  # where Requirement.as_dict puts it: stored rows keep their order
            "evidence": list(self.evidence),
            "highrisk": list(self.highrisk),
            "result": self.result,
            "source": self.source,
            "automated": self.automated,
            "answer": self.answer,
            "note": self.note,
            "mitigation": self.mitigation,
            "conflict": self.conflict,
            "checks": [check.to_json() for check in self.checks],
            "risk": self.risk,
            "highrisk_cases": list(self.highrisk_cases),
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessedItem:
        return cls(
            id=data["id"],
            level=data.get("level", 0),
            part=data.get("part", ""),
            part_name=data.get("part_name", ""),
            class_name=data.get("class", ""),
            class_code=data.get("class_code", ""),
            control_point=data.get("control_point", ""),
            clause=data.get("clause", ""),
            item=data.get("item", ""),
            clause_28448=data.get("clause_28448"),
            summary=data.get("summary", ""),
            evidence=strs(data.get("evidence")),
            highrisk=strs(data.get("highrisk")),
            result=data["result"],
            source=data.get("source", "none"),
            automated=data.get("automated"),
            answer=data.get("answer"),
            note=data.get("note", ""),
            mitigation=data.get("mitigation", ""),
            conflict=data.get("conflict"),
            checks=tuple(ItemCheck.from_json(c) for c in data.get("checks") or ()),
            risk=data.get("risk"),
            highrisk_cases=strs(data.get("highrisk_cases")),
            remediation=data.get("remediation") or "",
            extra=extra_keys(data, cls.KEYS),
        )
