"""Incident playbooks (``playbooks/*.yml``): steps with role, instructions, evidence and deadline.

A step's deadline is an ISO-8601 duration counted from the incident's detection time. Which alerts
a playbook fits is declared in ``applies_to`` and proved by its embedded examples.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _

_DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
GRADES = ("一般", "较大", "重大", "特别重大")


def parse_duration(text: str) -> timedelta:
    """ISO-8601 durations of days, hours, minutes and seconds (``PT1H``, ``P30D``, ``PT1H30M``)."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip() in ("P", "PT"):
        raise ValueError(_("{text!r} is not an ISO-8601 duration such as PT15M, PT1H or P30D").format(text=text))
    parts = {k: int(v) for k, v in match.groupdict(default="0").items()}
    return timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])


class Localized(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=2)
    en: str = Field(min_length=2)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=2)
    role: str = Field(min_length=2)
    instructions: str = Field(min_length=4)
    evidence: tuple[str, ...] = ()
    deadline: str

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.deadline)


class AppliesTo(BaseModel):
    """Which alerts suggest this playbook: any listed tag, rule-title word or source matches."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tags: tuple[str, ...] = ()
    title_words: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def matches(self, alert: dict[str, Any]) -> bool:
        tags = {str(t).lower() for t in alert.get("tags", [])}
        title = str(alert.get("title", "")).lower()
        return (
            any(t.lower() in tags for t in self.tags)
            or any(w.lower() in title for w in self.title_words)
            or str(alert.get("source", "")) in self.sources
        )


class PlaybookExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: tuple[dict[str, Any], ...] = Field(min_length=1)
    no_match: tuple[dict[str, Any], ...] = Field(min_length=1)


class Playbook(ContentUnit):
    name: Localized
    category: str = Field(pattern=r"^(0[1-9]|10)$")  # GB/T 20986-2023 category code
    subcategory: str = Field(min_length=2)  # its name, e.g. 网页篡改
    default_grade: str = "一般"
    notified: bool = False  # a 安全通报 from the authorities: the 60-hour clock applies
    applies_to: AppliesTo
    steps: tuple[Step, ...] = Field(min_length=3)
    examples: PlaybookExamples

    @field_validator("default_grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        if value not in GRADES:
            raise ValueError(_("default_grade must be one of {choices}").format(choices=" / ".join(GRADES)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Playbook:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(_("step ids must be unique"))
        for index, alert in enumerate(self.examples.match):
            if not self.applies_to.matches(alert):
                raise ValueError(_("examples.match.{index}: applies_to does not match this alert").format(index=index))
        for index, alert in enumerate(self.examples.no_match):
            if self.applies_to.matches(alert):
                raise ValueError(_("examples.no_match.{index}: applies_to matches this alert").format(index=index))
        return self


def load_playbooks() -> list[Playbook]:
    from secops.content.validate import load_units

    return list(load_units("playbook"))
