"""Declarative 等保 checks (``rules/dengbao/checks/<id>.yml``) and their evaluation over facts.

A check never passes for lack of facts: when a fact it ``requires`` is absent (the probe or
collector could not run) its result is ``not_evidenced``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.dengbao.catalog import CASE_ID, ITEM_ID
from secops.dengbao.predicates import (
    MISSING,
    PredicateError,
    evaluate,
    has_path,
    lookup,
    referenced_paths,
    validate,
)
from secops.i18n import _

Status = Literal["pass", "fail", "not_evidenced"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "not_evidenced")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class LocalizedTitle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=2)
    en: str = Field(min_length=2)


class CheckExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # pass and fail are required: every check proves it can tell the two apart
    pass_: tuple[dict[str, Any], ...] = Field(alias="pass", min_length=1)
    fail: tuple[dict[str, Any], ...] = Field(min_length=1)
    not_evidenced: tuple[dict[str, Any], ...] = ()


class Check(ContentUnit):
    title: LocalizedTitle
    items: tuple[str, ...] = Field(min_length=1)
    highrisk: tuple[str, ...] = ()
    severity: Literal["high", "medium", "low"]
    source: Literal["network", "host"]
    requires: tuple[str, ...] = Field(min_length=1)
    fail_if: dict[str, Any]
    remediation: str = Field(min_length=4)
    examples: CheckExamples

    @field_validator("items")
    @classmethod
    def _items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not ITEM_ID.match(v)]
        if bad:
            raise ValueError(_("not test-unit IDs (like L3-CES1-01): {ids}").format(ids=", ".join(bad)))
        return value

    @field_validator("highrisk")
    @classmethod
    def _highrisk(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not CASE_ID.match(v)]
        if bad:
            raise ValueError(_("not high-risk case IDs (like 6.4.1.1): {ids}").format(ids=", ".join(bad)))
        return value

    @field_validator("fail_if")
    @classmethod
    def _predicate(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            validate(value)
        except PredicateError as error:
            raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _examples_hold(self) -> Check:
        for expected in STATUSES:
            cases = self.examples.pass_ if expected == "pass" else getattr(self.examples, expected)
            for index, facts in enumerate(cases):
                got = run_check(self, facts).status
                if got != expected:
                    raise ValueError(
                        _("examples.{expected}.{index}: the check says {got}, the example expects {expected}").format(
                            expected=expected, index=index, got=got
                        )
                    )
        return self

    def items_for_level(self, level: int) -> tuple[str, ...]:
        prefix = f"L{level}-"
        return tuple(i for i in self.items if i.startswith(prefix))


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: Status
    evidence: tuple[Any, ...] = field(default=())
    missing: tuple[str, ...] = field(default=())
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.id,
            "title": self.check.title.zh,
            "target": self.target,
            "status": self.status,
            "severity": self.check.severity,
            "items": list(self.check.items),
            "highrisk": list(self.check.highrisk),
            "evidence": list(self.evidence),
            "missing": list(self.missing),
            "remediation": self.check.remediation,
        }


def run_check(check: Check, facts: dict[str, Any], target: str = "") -> CheckResult:
    missing = tuple(path for path in check.requires if not has_path(facts, path))
    if missing:
        return CheckResult(check, "not_evidenced", missing=missing, target=target)
    evidence: list[Any] = []
    failed = evaluate(check.fail_if, facts, evidence)
    if failed and not evidence:  # a setting, not a list of findings: show the values that were judged
        values = [(path, lookup(facts, path)) for path in referenced_paths(check.fail_if)]
        evidence = [f"{path} = {_shown(value)}" for path, value in values if value is not MISSING]
    return CheckResult(check, "fail" if failed else "pass", tuple(evidence) if failed else (), target=target)


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


@lru_cache(maxsize=1)
def load_checks() -> tuple[Check, ...]:
    from secops.content.validate import load_units

    return tuple(sorted(load_units("dengbao-check"), key=lambda c: c.id))
