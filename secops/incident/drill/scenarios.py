"""Drill scenarios (``playbooks/drills/*.yml``): what a drill injects and asks.

A scenario names the playbook its incident follows and the grade it opens with, the 情景 read out
at the start, the injects that arrive over drill time (alerts, calls, messages), the artifacts laid
out for the responders to find (each says which secops scanner finds it, or that it is clean: the
content tests run the real scanners on them), and the questions the drill report asks about.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.i18n import _
from secops.incident.playbooks import GRADES, Localized, parse_duration


class Inject(BaseModel):
    """Something that reaches the responders ``at`` drill time after the start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: str
    kind: Literal["alert", "call", "message"]
    title: str = Field(min_length=4)
    source: str = ""  # an alert's source (yara, sigma, ...) or who calls
    severity: Literal["low", "medium", "high", "critical"] | None = None
    detail: str = ""

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def offset(self) -> timedelta:
        return parse_duration(self.at)


class Artifact(BaseModel):
    """A file the drill lays out under its folder; ``expect`` is what ``scanner`` says of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    content: str
    scanner: Literal["yara", "data"]
    expect: Literal["detected", "clean"]
    note: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in value:
            raise ValueError(_("an artifact path is relative and stays inside the drill folder"))
        return value


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=4)
    step: str | None = None  # the playbook step it is about
    reference: str = Field(min_length=2)  # what a good answer covers, printed in the drill report


class DrillScenario(ContentUnit):
    name: Localized
    playbook: str
    grade: str = "一般"
    systems: tuple[str, ...] = ()  # what it happens to, in the school's words
    objectives: tuple[str, ...] = Field(min_length=1)  # 演练目标
    briefing: str = Field(min_length=10)  # 情景
    injects: tuple[Inject, ...] = Field(min_length=1)
    artifacts: tuple[Artifact, ...] = ()
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        if value not in GRADES:
            raise ValueError(_("grade must be one of {choices}").format(choices=" / ".join(GRADES)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DrillScenario:
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError(_("question ids must be unique"))
        paths = [a.path for a in self.artifacts]
        if len(paths) != len(set(paths)):
            raise ValueError(_("artifact paths must be unique"))
        if self.artifacts and not any(a.expect == "detected" for a in self.artifacts):
            raise ValueError(_("artifacts need at least one that a scanner detects"))
        return self


def load_scenarios() -> list[DrillScenario]:
    from secops.content.validate import load_units

    return list(load_units("drill-scenario"))


def scenario_named(name: str) -> DrillScenario:
    from secops.errors import SecopsError

    found = {s.id: s for s in load_scenarios()}
    if name not in found:
        raise SecopsError(
            _("no drill scenario {name!r}").format(name=name),
            hint=_("scenarios: {names} (secops drill scenarios)").format(names=", ".join(sorted(found))),
        )
    return found[name]
