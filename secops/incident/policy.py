"""The incident policy (``playbooks/policy/*.yml``): deadlines per grade, escalation points,
important periods and the CAC grading thresholds. All of it is content, none of it is code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _
from secops.incident.playbooks import GRADES, parse_duration

OperatorType = Literal["ordinary", "cii", "central"]
GRADE_ORDER = {grade: index for index, grade in enumerate(GRADES)}
PORTAL_LEVELS = ("provincial", "prefecture", "other")


class DeadlineRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=2)
    grades: tuple[str, ...] = ()  # empty: any grade
    notified: bool | None = None  # True: only 安全通报 events
    operator_types: tuple[OperatorType, ...] = ()
    offset: str
    met_by: Literal["recovered", "reported", "closed", "final_report"] = "recovered"  # what stops the clock
    # when it starts: at detection, or at the end of handling (the policy's end_of_handling state)
    starts: Literal["detected", "end_of_handling"] = "detected"
    source: str = Field(min_length=2)

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("grades")
    @classmethod
    def _grades(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [g for g in value if g not in GRADES]
        if unknown:
            raise ValueError(
                _("unknown grades {grades}; use {choices}").format(grades=unknown, choices=" / ".join(GRADES))
            )
        return value

    def applies(self, grade: str, notified: bool, operator_type: str) -> bool:
        if self.grades and grade not in self.grades:
            return False
        if self.notified is not None and self.notified != notified:
            return False
        return not self.operator_types or operator_type in self.operator_types


CRITERIA = ("pi_leaked", "loss_yuan", "portal_down_hours", "cii_down_hours", "cii_main_down_hours")
STATUS_TEXT = {"final": "正式文本", "draft": "征求意见稿，待核实"}
PORTAL_LEVEL_NAMES = {"provincial": "省级及以上", "prefecture": "地市级", "other": "其他"}


class ThresholdSource(BaseModel):
    """Where a grade's thresholds come from, and whether that text is final or a draft."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=2)
    status: Literal["final", "draft"]
    final_criteria: tuple[str, ...] = ()  # criteria checked against the final text even in a draft row
    final_text: str | None = None  # that final text (needed with final_criteria)

    @field_validator("final_criteria")
    @classmethod
    def _criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in CRITERIA]
        if unknown:
            raise ValueError(
                _("unknown criteria {criteria}; use {choices}").format(criteria=unknown, choices=", ".join(CRITERIA))
            )
        return value

    @model_validator(mode="after")
    def _final_text(self) -> ThresholdSource:
        if self.final_criteria and not self.final_text:
            raise ValueError(_("final_criteria needs final_text (the text they were checked against)"))
        return self

    def note(self, criterion: str) -> str:
        if criterion in self.final_criteria and self.final_text:
            return f"［依据：{self.final_text}，{STATUS_TEXT['final']}］"
        return f"［依据：{self.text}，{STATUS_TEXT[self.status]}］"


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    grade: str
    source: ThresholdSource
    pi_leaked: int | None = None
    loss_yuan: float | None = None
    portal_down_hours: dict[str, float] = Field(default_factory=dict)  # portal level -> hours
    cii_down_hours: float | None = None
    cii_main_down_hours: float | None = None

    @field_validator("portal_down_hours")
    @classmethod
    def _levels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k not in PORTAL_LEVELS]
        if unknown:
            raise ValueError(
                _("unknown portal levels {levels}; use {choices}").format(
                    levels=unknown, choices=", ".join(PORTAL_LEVELS)
                )
            )
        return value

    def reached(self, facts: dict[str, Any]) -> list[str]:
        """Why these facts reach this grade (empty when they do not)."""
        why = []

        def at_least(key: str, bound: float | None, label: str) -> None:
            value = facts.get(key)
            if bound is not None and isinstance(value, (int, float)) and value >= bound:
                why.append(f"{label} {_number(value)} ≥ {_number(bound)}{self.source.note(key)}")

        at_least("pi_leaked", self.pi_leaked, "泄露个人信息人数")
        at_least("loss_yuan", self.loss_yuan, "直接经济损失（元）")
        at_least("cii_down_hours", self.cii_down_hours, "关键信息基础设施整体中断（小时）")
        at_least("cii_main_down_hours", self.cii_main_down_hours, "关键信息基础设施主要功能中断（小时）")
        level = facts.get("portal_level")  # never assumed: without it the portal criterion is not applied
        if level in PORTAL_LEVELS:
            at_least(
                "portal_down_hours",
                self.portal_down_hours.get(str(level)),
                f"门户网站（{PORTAL_LEVEL_NAMES[str(level)]}）无法访问（小时）",
            )
        return why


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def missing_facts(facts: dict[str, Any]) -> list[str]:
    """What grading needs but was not given (the portal's level when its downtime is given)."""
    if "portal_down_hours" not in facts or facts.get("portal_level") in PORTAL_LEVELS:
        return []
    given = facts.get("portal_level")
    choices = "、".join(f"{level}（{name}）" for level, name in PORTAL_LEVEL_NAMES.items())
    what = "未给出门户网站级别" if given is None else f"门户网站级别 {given!r} 无法识别"
    return [
        f"{what}，门户网站无法访问时长未用于定级（不作假设）；请补充 --fact portal_level=prefecture 等，可选：{choices}"
    ]


class GradingExample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    facts: dict[str, Any]
    grade: str


class IncidentPolicy(ContentUnit):
    operator_type: OperatorType = "ordinary"
    end_of_handling: Literal["recovered", "closed"] = "recovered"  # starts the end_of_handling clocks
    escalation: tuple[float, ...] = (0.5, 0.8, 1.0)
    deadlines: tuple[DeadlineRule, ...] = Field(min_length=1)
    important_periods: tuple[dict[str, str], ...] = ()
    grading: tuple[Threshold, ...] = Field(min_length=1)
    examples: tuple[GradingExample, ...] = Field(min_length=2)

    @field_validator("escalation")
    @classmethod
    def _escalation(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or list(value) != sorted(set(value)) or not all(0 < v <= 1 for v in value) or value[-1] != 1.0:
            raise ValueError(_("escalation must be increasing fractions in (0, 1] ending with 1.0 (overdue)"))
        return value

    @field_validator("important_periods")
    @classmethod
    def _periods(cls, value: tuple[dict[str, str], ...]) -> tuple[dict[str, str], ...]:
        for period in value:
            if set(period) != {"name", "start", "end"}:
                raise ValueError("each important period has name, start and end (MM-DD)")
            for key in ("start", "end"):
                _month_day(period[key])
        return value

    @model_validator(mode="after")
    def _examples_hold(self) -> IncidentPolicy:
        for index, example in enumerate(self.examples):
            got = self.grade(example.facts)[0]
            if got != example.grade:
                raise ValueError(
                    _("examples.{index}: the thresholds give {got}, the example says {grade}").format(
                        index=index, got=got, grade=example.grade
                    )
                )
        return self

    def grade(self, facts: dict[str, Any]) -> tuple[str, list[str]]:
        """The highest grade whose thresholds the facts reach, with the reasons (each naming its source
        and whether that text is final or a draft); else 一般. A fact grading needs but was not given
        is named in the reasons, never assumed."""
        missing = missing_facts(facts)
        for threshold in sorted(self.grading, key=lambda t: -GRADE_ORDER[t.grade]):
            why = threshold.reached(facts)
            if why:
                return threshold.grade, why + missing
        return "一般", ["未达到较大及以上事件的任何量化标准", *missing]

    def deadlines_for(self, grade: str, *, notified: bool = False) -> list[Deadline]:
        return [
            Deadline(
                rule.id,
                rule.name,
                parse_duration(rule.offset),
                rule.source,
                rule.met_by,
                rule.starts,
                rule.notified is True,
            )
            for rule in self.deadlines
            if rule.applies(grade, notified, self.operator_type)
        ]

    def important_period(self, day: date) -> str | None:
        """The name of the important period ``day`` falls in (periods may wrap the year end)."""
        key = (day.month, day.day)
        for period in self.important_periods:
            start, end = _month_day(period["start"]), _month_day(period["end"])
            inside = start <= key <= end if start <= end else (key >= start or key <= end)
            if inside:
                return period["name"]
        return None


@dataclass(frozen=True)
class Deadline:
    id: str
    name: str
    offset: timedelta
    source: str
    met_by: str = "recovered"
    starts: str = "detected"  # or end_of_handling
    notified: bool = False  # a deadline of 安全通报 events only (a notice's own deadline replaces it)


def _month_day(text: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        date(2024, month, day)  # a leap year, so 02-29 is accepted
    except ValueError:
        raise ValueError(_("{text!r} is not a month-day such as 09-01").format(text=text)) from None
    return month, day


def load_policy(name: str = "default") -> IncidentPolicy:
    from secops.content.validate import load_units
    from secops.errors import SecopsError

    policies = {unit.id: unit for unit in load_units("incident-policy")}
    if name not in policies:
        raise SecopsError(
            _("no incident policy named {name!r}").format(name=name),
            hint=_("known: {choices}").format(choices=", ".join(sorted(policies))),
        )
    return cast("IncidentPolicy", policies[name])
