"""The education category table (content kind ``data-category``, ``rules/data/categories/*.yml``):
类别 -> 一般数据 level 1-4, the PIPL art. 28 sensitive flag, the identifier kinds and header
keywords that name each category, the quasi-identifiers, and the scale thresholds that make a
table a 重要数据 / 核心数据 candidate.

Header keywords: a Chinese keyword matches anywhere in the header (身高 in 身高(cm)); an English
one where a word starts (words split at anything not a letter or digit, and at camelCase): vision is not
found in division nor bmi in submit, while psych still finds psychology. ``except_headers`` stop a
category's keywords (英语听力 is an exam part, not hearing); ``ranges`` give the plausible numbers
of a keyword's values (``weight`` whose values are 0.3 is a 权重, not a 体重).

Each category carries examples (a column header and a few values) that must and must not land in
it; they are run when the table is loaded, so ``secops content validate`` and ``--categories FILE``
reject a table whose own examples fail, at the example's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from secops.content.kinds import kind_named
from secops.content.validate import ContentUnit, parse_unit
from secops.errors import ContentErrors, SecopsError
from secops.i18n import _

CATEGORY_KIND = kind_named("data-category")


class ColumnExample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str
    values: list[str] = []


class CategoryExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: list[ColumnExample] = Field(min_length=1)
    no_match: list[ColumnExample] = Field(min_length=1)


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)  # 类别, e.g. 心理健康 (mask policies name categories by it)
    name_en: str = ""
    level: int = Field(ge=1, le=4)  # the category's level; kinds and headers may sit lower
    header_level: int | None = Field(default=None, ge=1, le=4)  # for a header keyword alone
    sensitive: bool  # sensitive personal information on its own (PIPL art. 28)
    personal: bool = True  # a person's data: all of it is sensitive for a child under the minor age
    kinds: dict[str, int] = {}  # identifier kind -> level
    headers: list[str] = []  # lower-case keywords a header contains, Chinese or English
    except_headers: list[str] = []  # a header containing one of these is not named by ``headers``
    # keyword -> [low, high]: the keyword names a column only when the median of its numbers lies
    # in between (a column whose values are mostly not numbers, or empty, keeps the keyword's match)
    ranges: dict[str, tuple[float, float]] = {}
    pipl: str = ""  # the note the report shows
    examples: CategoryExamples

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, kinds: dict[str, int]) -> dict[str, int]:
        from secops.data.recognize import BY_KIND

        unknown = sorted(set(kinds) - set(BY_KIND))
        if unknown:
            raise ValueError(f"unknown kind {', '.join(unknown)} (known: {', '.join(sorted(BY_KIND))})")
        if any(not 1 <= level <= 4 for level in kinds.values()):
            raise ValueError("a kind's level is 1..4")
        return kinds

    @field_validator("headers", "except_headers")
    @classmethod
    def _headers(cls, headers: list[str]) -> list[str]:
        if any(not word.strip() for word in headers):
            raise ValueError("an empty header keyword would match every column")
        return [word.strip().lower() for word in headers]

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, ranges: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        if any(low > high for low, high in ranges.values()):
            raise ValueError("a range is [low, high] with low <= high")
        return {word.strip().lower(): bounds for word, bounds in ranges.items()}

    @model_validator(mode="after")
    def _levels(self) -> Category:
        if any(level > self.level for level in self.kinds.values()) or (self.header_level or 0) > self.level:
            raise ValueError(f"levels inside the category exceed its level {self.level}")
        if not (self.kinds or self.headers):
            raise ValueError("a category names at least one kind or header keyword")
        unknown = sorted(set(self.ranges) - set(self.headers))
        if unknown:
            raise ValueError(f"ranges name {', '.join(unknown)}, which is not one of the category's headers")
        return self

    def named_by(self, header: str, median: float | None = None) -> bool:
        """Whether a header keyword names the column (``median``: of the column's numbers)."""
        if any(header_has(header, word) for word in self.except_headers):
            return False
        for word in self.headers:
            if header_has(header, word):
                bounds = self.ranges.get(word)
                if bounds is None or median is None or bounds[0] <= median <= bounds[1]:
                    return True
        return False


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_has(header: str, word: str) -> bool:
    """Whether the (lower-case) keyword ``word`` is in ``header``: anywhere for a keyword with a
    non-ASCII character, at the start of a word for an English one (bodyWeight, body_weight,
    body weight and 体重weight all start a word at weight; division does not at vision)."""
    if not word.isascii():
        return word in header.strip().lower()
    words = "_" + _NOT_ALNUM.sub("_", _CAMEL.sub(r"\1_\2", header.strip()).lower())
    return "_" + _NOT_ALNUM.sub("_", word) in words


class QuasiIdentifiers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: list[str] = []
    headers: list[str] = []


class ScaleRule(BaseModel):
    """A table is a candidate when its level is at least ``min_level`` and any threshold is met."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grade: Literal["重要数据", "核心数据"]
    individuals: int | None = Field(default=None, ge=1)  # people whose personal information it holds
    sensitive_individuals: int | None = Field(default=None, ge=1)  # people with sensitive information
    minors: int | None = Field(default=None, ge=1)  # children under the minor age
    min_level: int = Field(default=1, ge=1, le=4)
    note: str = ""

    @model_validator(mode="after")
    def _some_threshold(self) -> ScaleRule:
        if self.individuals is None and self.sensitive_individuals is None and self.minors is None:
            raise ValueError("give at least one of individuals, sensitive_individuals, minors")
        return self

    def met(self, level: int, individuals: int, sensitive: int, minors: int) -> bool:
        if level < self.min_level:
            return False
        pairs = ((self.individuals, individuals), (self.sensitive_individuals, sensitive), (self.minors, minors))
        return any(limit is not None and count >= limit for limit, count in pairs)


@dataclass(frozen=True)
class Classification:
    category: str | None
    level: int  # 0 when no category applies
    sensitive: bool
    personal: bool
    by: str  # kind | header | none: what decided it


NONE = Classification(None, 0, False, False, "none")


class CategoryTable(ContentUnit):
    title: str
    description: str = ""
    reference: str = ""
    minor_age: int = Field(default=14, ge=1, le=18)
    k_target: int = Field(default=5, ge=2)  # the k the report recommends before sharing
    levels: dict[int, str]
    quasi_identifiers: QuasiIdentifiers = QuasiIdentifiers()
    candidates: list[ScaleRule] = Field(default_factory=list)
    categories: list[Category] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _level_names(cls, levels: dict[int, str]) -> dict[int, str]:
        if sorted(levels) != [1, 2, 3, 4]:
            raise ValueError("name the levels 1, 2, 3 and 4")
        return levels

    @model_validator(mode="after")
    def _consistent(self) -> CategoryTable:
        problems: list[InitErrorDetails] = []
        seen: dict[str, str] = {}
        names: set[str] = set()
        for index, category in enumerate(self.categories):
            if category.name in names:
                problems.append(
                    _problem(
                        ("categories", index, "name"),
                        _("category {name} appears twice").format(name=category.name),
                    )
                )
            names.add(category.name)
            for kind in category.kinds:
                if kind in seen:
                    where = ("categories", index, "kinds")
                    message = _("kind {kind} is already in category {name}").format(kind=kind, name=seen[kind])
                    problems.append(_problem(where, message))
                seen[kind] = category.name
        if not problems:
            problems = self._failed_examples()
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _failed_examples(self) -> list[InitErrorDetails]:
        from secops.data.recognize import recognize_column

        problems = []
        for index, category in enumerate(self.categories):
            for expected, cases in (("match", category.examples.match), ("no_match", category.examples.no_match)):
                for number, case in enumerate(cases):
                    found = recognize_column(case.column, case.values)
                    got = self.classify(case.column, found.kind, median=found.median).category
                    if (got == category.name) != (expected == "match"):
                        where = ("categories", index, "examples", expected, number)
                        message = _("column {column!r} is classified as {category}").format(
                            column=case.column, category=got or _("nothing")
                        )
                        problems.append(_problem(where, message))
        return problems

    def by_name(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

    def _header(self, header: str, median: float | None = None) -> tuple[Category, int] | None:
        """The highest-level category a header keyword names (the first in the file on ties)."""
        best: tuple[Category, int] | None = None
        for category in self.categories:
            if category.named_by(header, median):
                level = category.header_level or category.level
                if best is None or level > best[1]:
                    best = (category, level)
        return best

    def out_of_range(self, header: str, median: float | None) -> Category | None:
        """The category a header keyword would name but for the values' numbers (out of its range)."""
        if median is None:
            return None
        return next((c for c in self.categories if c.named_by(header) and not c.named_by(header, median)), None)

    def classify(
        self, header: str, kind: str | None, *, minor: bool = False, median: float | None = None
    ) -> Classification:
        """A column's category from its identifier kind and its header; ``minor`` when the table
        holds a child under the minor age (then every personal column is sensitive); ``median``
        of the column's numbers (``ColumnFinding.median``) for the categories' ``ranges``."""
        by_kind = next(((c, c.kinds[kind]) for c in self.categories if kind and kind in c.kinds), None)
        by_header = self._header(header, median)
        chosen, by = by_kind, "kind"
        if by_header is not None and (by_kind is None or by_header[1] >= by_kind[1]):
            chosen, by = by_header, "header"
        if chosen is None:
            return NONE
        category, level = chosen
        return Classification(
            category.name, level, category.sensitive or (minor and category.personal), category.personal, by
        )

    def is_quasi(self, header: str, kind: str | None) -> bool:
        quasi = self.quasi_identifiers
        return (kind is not None and kind in quasi.kinds) or any(header_has(header, w.lower()) for w in quasi.headers)

    def candidates_for(self, level: int, individuals: int, sensitive: int, minors: int) -> list[ScaleRule]:
        """The scale rules a table meets, 核心数据 first."""
        met = [rule for rule in self.candidates if rule.met(level, individuals, sensitive, minors)]
        return sorted(met, key=lambda rule: rule.grade != "核心数据")

    def level_name(self, level: int) -> str:
        return self.levels.get(level, "无个人信息").split("：")[0]


def _problem(loc: tuple[str | int, ...], message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("category_table", message), loc=loc, input=None)


def default_table_path() -> Path:
    from secops.content.locate import content_root

    return content_root("rules").joinpath(*CATEGORY_KIND.subpath, "education.yml")


_DEFAULT: list[CategoryTable] = []  # loaded once per process: the shipped table does not change


def load_categories(path: Path | None = None) -> CategoryTable:
    """The category table in ``path`` (the shipped education table when None); errors name file:line."""
    if path is None and _DEFAULT:
        return _DEFAULT[0]
    file = path or default_table_path()
    if not file.is_file():
        raise SecopsError(
            _("{path}: no such category table").format(path=file),
            hint=_("see {path}").format(path=default_table_path()),
        )
    unit, errors = parse_unit(file, CATEGORY_KIND)
    if errors or unit is None:
        raise ContentErrors(errors)
    assert isinstance(unit, CategoryTable)
    if path is None:
        _DEFAULT.append(unit)
    return unit
