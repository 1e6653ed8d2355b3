"""The 等保 2.0 requirement catalog (``rules/dengbao/catalog``) and the 2025 high-risk cases.

Items are keyed by their GB/T 28448 test-unit ID (``L3-CES1-01``: level 3, 安全计算环境, general
requirements, item 01). IDs have gaps, so they are data, never computed from positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secops.content.validate import ContentUnit
from secops.errors import SecopsError

Part = Literal["general", "cloud", "mobile", "iot", "ics"]
Evidence = Literal["scan", "host", "device", "manual"]

PARTS: dict[str, tuple[str, str]] = {  # part -> (digit in the ID, Chinese name)
    "general": ("1", "安全通用要求"),
    "cloud": ("2", "云计算安全扩展要求"),
    "mobile": ("3", "移动互联安全扩展要求"),
    "iot": ("4", "物联网安全扩展要求"),
    "ics": ("5", "工业控制系统安全扩展要求"),
}
EXTENSIONS = ("cloud", "mobile", "iot", "ics")
EXTENSION_ALIASES = {"industrial": "ics", "ic": "ics", "工控": "ics", "云": "cloud", "移动": "mobile", "物联网": "iot"}

# The ten classes in the standard's order: code -> Chinese name (technical first, then management).
CLASSES: dict[str, str] = {
    "PES": "安全物理环境",
    "CNS": "安全通信网络",
    "ABS": "安全区域边界",
    "CES": "安全计算环境",
    "SMC": "安全管理中心",
    "PSS": "安全管理制度",
    "ORS": "安全管理机构",
    "HRS": "安全管理人员",
    "CMS": "安全建设管理",
    "MMS": "安全运维管理",
}
CLASS_CODES = {name: code for code, name in CLASSES.items()}
TECHNICAL_CLASSES = ("PES", "CNS", "ABS", "CES", "SMC")
LEVELS = (1, 2, 3, 4)

ITEM_ID = re.compile(r"^L([1-4])-(PES|CNS|ABS|CES|SMC|PSS|ORS|HRS|CMS|MMS)([1-5])-(\d{2})$")
CASE_ID = re.compile(r"^\d{1,2}(\.\d+){3}$")


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str
    clause: str = Field(pattern=r"^\d+(\.\d+)+$")  # GB/T 22239 clause of the control point
    item: str = Field(default="", pattern=r"^[a-z]?$")  # the item letter within the clause
    clause_28448: str | None = Field(default=None, pattern=r"^\d+(\.\d+)+$")
    # where the ID's link to GB/T 28448 comes from when it was not matched by text
    id_note: str | None = Field(default=None, min_length=10)
    class_name: str = Field(alias="class")
    control_point: str = Field(min_length=2)
    summary: str = Field(min_length=6)
    # 整改建议: specific steps in our own words (who does what, where, the setting, the evidence to keep)
    remediation: str = Field(min_length=20, max_length=1200)
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not ITEM_ID.match(value):
            raise ValueError("id must look like L3-CES1-01 (level, class code, part digit, number)")
        return value

    @field_validator("class_name")
    @classmethod
    def _check_class(cls, value: str) -> str:
        if value not in CLASS_CODES:
            raise ValueError("class must be one of " + ", ".join(CLASSES.values()))
        return value


class CatalogFile(ContentUnit):
    """One file per level and part, e.g. ``general-l3.yml``."""

    level: int = Field(ge=1, le=4)
    part: Part
    items: tuple[CatalogEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> CatalogFile:
        digit = PARTS[self.part][0]
        seen: set[str] = set()
        for index, entry in enumerate(self.items):
            match = ITEM_ID.match(entry.id)
            assert match is not None
            where = f"items.{index}.id"
            if int(match.group(1)) != self.level:
                raise ValueError(f"{where}: {entry.id} is not a level-{self.level} ID")
            if match.group(3) != digit:
                raise ValueError(f"{where}: {entry.id} does not belong to part {self.part} (digit {digit})")
            if CLASSES[match.group(2)] != entry.class_name:
                raise ValueError(f"{where}: class {entry.class_name} does not match the code {match.group(2)}")
            if entry.id in seen:
                raise ValueError(f"{where}: {entry.id} appears twice")
            seen.add(entry.id)
        return self


MITIGATION_ID = re.compile(r"^(\d+(?:\.\d+){3})-[a-z0-9]+(?:-[a-z0-9]+)*$")


class HighRiskMitigation(BaseModel):
    """One mitigation the guide names for a case: an ID the questionnaire answers with, our summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=MITIGATION_ID.pattern)  # <case>-<slug>, e.g. 6.4.1.2-mgmt-vpn
    summary: str = Field(min_length=6)


class HighRiskCase(BaseModel):
    """A case of the guide. ``mitigable: false`` when the guide lets no mitigation lower it; otherwise
    only the ``mitigations`` it names do (never free text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CASE_ID.pattern)
    title: str = Field(min_length=4)
    summary: str = Field(min_length=6)
    min_level: int = Field(ge=1, le=4)
    condition: str | None = None
    mitigable: bool
    mitigations: tuple[HighRiskMitigation, ...] = ()
    # False: the guide names mitigations this library has not collected yet; none lowers the case
    # until they are (reports say so, rather than claiming the guide forbids mitigation)
    mitigations_collected: bool = True
    items: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _mitigations_agree(self) -> HighRiskCase:
        if self.mitigable and not self.mitigations and self.mitigations_collected:
            raise ValueError(f"case {self.id}: mitigable: true needs the mitigations the guide names")
        if not self.mitigations_collected and (self.mitigations or not self.mitigable):
            raise ValueError(f"case {self.id}: mitigations_collected: false is for a mitigable case listing none yet")
        if not self.mitigable and self.mitigations:
            raise ValueError(f"case {self.id}: mitigable: false takes no mitigations")
        ids = [m.id for m in self.mitigations]
        for mitigation_id in ids:
            if not mitigation_id.startswith(self.id + "-"):
                raise ValueError(f"case {self.id}: mitigation {mitigation_id} must start with {self.id}-")
            if ids.count(mitigation_id) > 1:
                raise ValueError(f"case {self.id}: mitigation {mitigation_id} appears twice")
        return self

    @property
    def mitigation_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.mitigations)


class HighRiskGuide(ContentUnit):
    """The cases of 《网络安全等级保护测评高风险判定实施指引》, linked to catalog items."""

    guide: str
    cases: tuple[HighRiskCase, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> HighRiskGuide:
        ids = [case.id for case in self.cases]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError("case IDs appear twice: " + ", ".join(duplicates))
        return self


@dataclass(frozen=True)
class Requirement:
    """A catalog item as the rest of secops sees it."""

    id: str
    level: int
    part: str
    class_code: str
    class_name: str
    control_point: str
    clause: str
    item: str
    clause_28448: str | None
    summary: str
    evidence: tuple[str, ...]
    highrisk: tuple[str, ...]
    remediation: str = ""

    @property
    def clause_label(self) -> str:
        return f"{self.clause} {self.item})" if self.item else self.clause

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "level": self.level,
            "part": self.part,
            "part_name": PARTS[self.part][1],
            "class": self.class_name,
            "class_code": self.class_code,
            "control_point": self.control_point,
            "clause": self.clause,
            "item": self.item,
            "clause_28448": self.clause_28448,
            "summary": self.summary,
            "remediation": self.remediation,
            "evidence": list(self.evidence),
            "highrisk": list(self.highrisk),
        }


@dataclass(frozen=True)
class Catalog:
    requirements: tuple[Requirement, ...]
    cases: tuple[HighRiskCase, ...]

    @property
    def by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    def select(self, level: int, extensions: Iterable[str] = ()) -> list[Requirement]:
        parts = {"general", *extensions}
        return [r for r in self.requirements if r.level == level and r.part in parts]

    def case(self, case_id: str) -> HighRiskCase:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)


def parse_level(value: str | int) -> int:
    try:
        level = int(str(value).strip().removeprefix("L").removeprefix("l"))
    except ValueError:
        level = 0
    if level not in LEVELS:
        hint = "5 is not published; " if level == 5 else ""
        raise SecopsError(f"unknown level {value!r}", hint=f"{hint}use 1, 2, 3 or 4")
    return level


def parse_extensions(values: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        for name in (part.strip().lower() for part in value.split(",")):
            if not name:
                continue
            name = EXTENSION_ALIASES.get(name, name)
            if name not in EXTENSIONS:
                raise SecopsError(f"unknown extension {name!r}", hint="use cloud, mobile, iot or ics (工业控制)")
            if name not in found:
                found.append(name)
    return tuple(found)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The shipped catalog with high-risk links; content errors surface as one SecopsError."""
    from secops.content.validate import load_units
    from secops.errors import ContentError, ContentErrors

    files: list[CatalogFile] = load_units("dengbao-catalog")
    guides: list[HighRiskGuide] = load_units("dengbao-highrisk")
    cases = tuple(case for guide in guides for case in guide.cases)
    links: dict[str, list[str]] = {}
    known = {entry.id for file in files for entry in file.items}
    errors = []
    for guide in guides:
        for case in guide.cases:
            for item_id in case.items:
                if item_id not in known:
                    errors.append(
                        ContentError(
                            guide.source_path or "rules/dengbao/highrisk",
                            None,
                            f"case {case.id}: unknown item {item_id}",
                        )
                    )
                links.setdefault(item_id, []).append(case.id)
    if errors:
        raise ContentErrors(errors)
    requirements = []
    for file in sorted(files, key=lambda f: (f.level, list(PARTS).index(f.part))):
        for entry in file.items:
            code = entry.id.split("-")[1][:3]
            requirements.append(
                Requirement(
                    id=entry.id,
                    level=file.level,
                    part=file.part,
                    class_code=code,
                    class_name=entry.class_name,
                    control_point=entry.control_point,
                    clause=entry.clause,
                    item=entry.item,
                    clause_28448=entry.clause_28448,
                    summary=entry.summary,
                    evidence=entry.evidence,
                    highrisk=tuple(links.get(entry.id, ())),
                    remediation=entry.remediation,
                )
            )
    return Catalog(tuple(requirements), cases)
