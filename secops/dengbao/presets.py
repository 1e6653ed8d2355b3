"""Education presets (``rules/dengbao/presets``): suggested grading of typical school systems.

A preset is a suggestion, never a decision: ``secops dengbao grade --preset`` prints it and can
write an answers file that the school reviews, edits and then grades with ``--answers``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.dengbao.catalog import EXTENSIONS
from secops.dengbao.grading import Grading, GradingInputError, grade, normalize_degree, normalize_object
from secops.i18n import _


class PresetDimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    object: str
    degree: str
    reason: str = Field(min_length=4)

    @field_validator("object")
    @classmethod
    def _object(cls, value: str) -> str:
        try:
            return normalize_object(value)
        except GradingInputError as error:
            raise ValueError(str(error)) from None

    @field_validator("degree")
    @classmethod
    def _degree(cls, value: str) -> str:
        try:
            return normalize_degree(value)
        except GradingInputError as error:
            raise ValueError(str(error)) from None


class GradingPreset(ContentUnit):
    name: str = Field(min_length=2)
    aliases: tuple[str, ...] = ()
    description: str = Field(min_length=4)
    business: PresetDimension
    service: PresetDimension
    large_personal_data: bool = False
    public_service: bool = False
    extensions: tuple[str, ...] = ()
    expected_level: int = Field(ge=1, le=4)  # what the matrix gives; CI re-derives it
    notes: tuple[str, ...] = ()

    @field_validator("extensions")
    @classmethod
    def _extensions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in EXTENSIONS]
        if unknown:
            raise ValueError(_("unknown extensions: {names}").format(names=", ".join(unknown)))
        return value

    @model_validator(mode="after")
    def _level_matches(self) -> GradingPreset:
        level = self.grading().level
        if level != self.expected_level:
            raise ValueError(
                _("expected_level {expected} but the answers grade to level {level}").format(
                    expected=self.expected_level, level=level
                )
            )
        return self

    def grading(self) -> Grading:
        result = grade(
            (self.business.object, self.business.degree),
            (self.service.object, self.service.degree),
            large_personal_data=self.large_personal_data,
            public_service=self.public_service,
        )
        return result

    def matches(self, name: str) -> bool:
        needle = name.strip().lower()
        return needle in {self.id, self.name.lower(), *(a.lower() for a in self.aliases)}

    def answers_yaml(self, system: str | None = None) -> str:
        """An answers file prefilled from this preset, for the school to confirm or edit."""
        lines = [
            f"# 定级答卷（由预设“{self.name}”生成，仅为建议，请逐项确认或修改后再执行",
            "#   secops dengbao grade --answers 本文件）",
            f"system: {system or self.name}",
            f"preset: {self.id}",
        ]
        for key, title, dim in (("business", "业务信息安全", self.business), ("service", "系统服务安全", self.service)):
            lines += [
                f"{key}:  # {title}",
                f"  object: {dim.object}    # citizen | society | nation（{dim.reason}）",
                f"  degree: {dim.degree}    # general | serious | especially_serious",
            ]
        lines.append(f"large_personal_data: {'true' if self.large_personal_data else 'false'}")
        lines.append(f"public_service: {'true' if self.public_service else 'false'}")
        if self.extensions:
            lines.append("extensions: [" + ", ".join(self.extensions) + "]")
        return "\n".join(lines) + "\n"


def load_presets() -> list[GradingPreset]:
    from secops.content.validate import load_units

    return list(load_units("dengbao-preset"))


def find_preset(name: str) -> GradingPreset:
    from secops.errors import SecopsError

    presets = load_presets()
    for preset in presets:
        if preset.matches(name):
            return preset
    known = ", ".join(f"{p.id} ({p.name})" for p in presets)
    raise SecopsError(
        _("no grading preset named {name!r}").format(name=name), hint=_("known presets: {names}").format(names=known)
    )
