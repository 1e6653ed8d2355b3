"""Mask policies (YAML content, ``rules/data/policies/*.yml``): which operator treats which column.

A rule names columns (header names, shell-style patterns allowed), identifier kinds (the scan's
recognizers: id_card, mobile, ...) or categories (the scan's category table: 心理健康, ...) and
one operator with its parameters. A column name rule beats a kind rule, which beats a category
rule; within one precedence the first rule in the file wins. Columns no rule names get
``sensitive`` when the scan's rules call them sensitive, else ``others`` (both keep by default).
Errors name ``file:line`` like every other content file.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from secops.content.kinds import kind_named
from secops.content.validate import ContentUnit, parse_unit
from secops.data.mask_operators import OPERATORS, OperatorParameters, unknown_operator
from secops.errors import ContentErrors, SecopsError
from secops.i18n import _

NO_FF1_KINDS = frozenset({"name", "address", "email", "birth_date", "plate", "ip"})
GENERALIZE_TO = {"year", "month", "district", "city", "province", "band"}

POLICY_KIND = kind_named("mask-policy")


def known_kinds() -> set[str]:
    from secops.data.recognize import BY_KIND

    return set(BY_KIND)


def known_categories() -> set[str]:
    from secops.data.scan import CATEGORIES, HEADER_CATEGORIES

    return {c[0] for c in CATEGORIES.values()} | {c[1] for c in HEADER_CATEGORIES}


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class MaskRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    column: list[str] = []
    kind: list[str] = []
    category: list[str] = []
    operator: str  # a name in the operator registry (secops.data.mask_operators.OPERATORS)
    keep: tuple[int, int] | None = None  # mask: characters kept at the start and the end
    algorithm: Literal["sha256", "sm3"] | None = None  # pseudonym (default: the policy's)
    length: int | None = None  # pseudonym: hex characters, 8..64
    to: str | None = None  # generalize: year | month | district | city | province | band
    band: int | None = None  # generalize to band: width in years, e.g. 5 -> 10-14
    token: str | None = None  # suppress: the replacement ('' by default)
    cipher: Literal["aes", "sm4"] | None = None  # ff1: the block cipher (aes by default)
    form: Literal["token", "preserve"] | None = None  # encrypt: SM4-GCM tokens, or FF1-SM4 in shape

    _lists = field_validator("column", "kind", "category", mode="before")(_as_list)

    @field_validator("operator")
    @classmethod
    def _operator(cls, name: str) -> str:
        if name not in OPERATORS:
            raise ValueError(unknown_operator(name))
        return name

    @field_validator("kind")
    @classmethod
    def _kinds(cls, kinds: list[str]) -> list[str]:
        unknown = sorted(set(kinds) - known_kinds())
        if unknown:
            raise ValueError(f"unknown kind {', '.join(unknown)} (known: {', '.join(sorted(known_kinds()))})")
        return kinds

    @field_validator("category")
    @classmethod
    def _categories(cls, categories: list[str]) -> list[str]:
        unknown = sorted(set(categories) - known_categories())
        if unknown:
            raise ValueError(f"unknown category {', '.join(unknown)} (known: {', '.join(sorted(known_categories()))})")
        return categories

    @model_validator(mode="after")
    def _consistent(self) -> MaskRule:
        if not (self.column or self.kind or self.category):
            raise ValueError("a rule names at least one column, kind or category")
        given = {
            name
            for name in ("keep", "algorithm", "length", "to", "band", "token", "cipher", "form")
            if getattr(self, name) is not None
        }
        extra = given - OPERATORS[self.operator].parameter_names
        if extra:
            raise ValueError(f"{', '.join(sorted(extra))} is not a parameter of {self.operator}")
        if self.operator == "generalize":
            if self.to not in GENERALIZE_TO:
                raise ValueError(f"generalize needs to: one of {', '.join(sorted(GENERALIZE_TO))}")
            if self.band is not None and (self.to != "band" or self.band < 1):
                raise ValueError("band is a positive width, with to: band")
        if self.length is not None and not 8 <= self.length <= 64:
            raise ValueError("length is 8..64 hex characters")
        if self.keep is not None and min(self.keep) < 0:
            raise ValueError("keep is two counts >= 0: [start, end]")
        if self.operator == "ff1" and NO_FF1_KINDS.intersection(self.kind):
            bad = ", ".join(sorted(NO_FF1_KINDS.intersection(self.kind)))
            raise ValueError(f"ff1 keeps digits only; use mask or pseudonym for {bad}")
        return self

    def matches_column(self, name: str) -> bool:
        text = name.strip().lower()
        return any(fnmatchcase(text, pattern.strip().lower()) for pattern in self.column)


class MaskPolicy(ContentUnit):
    title: str = ""
    description: str = ""
    algorithm: Literal["sha256", "sm3"] = "sha256"  # HMAC for pseudonyms
    rules: list[MaskRule]
    # columns no rule names that the scan's rules call sensitive (every personal column when the
    # sample holds a child under 14: PIPL art. 28), and all other columns no rule names
    sensitive: Literal["keep", "mask", "suppress", "encrypt"] = "keep"
    others: Literal["keep", "mask", "suppress", "encrypt"] = "keep"

    def rule_for(self, column: str, kind: str | None, category: str | None) -> MaskRule | None:
        for rule in self.rules:
            if rule.column and rule.matches_column(column):
                return rule
        for rule in self.rules:
            if kind and kind in rule.kind:
                return rule
        for rule in self.rules:
            if category and category in rule.category:
                return rule
        return None

    def needs_key(self) -> bool:
        names = [rule.operator for rule in self.rules] + [self.sensitive, self.others]
        return any(OPERATORS[name].needs_key for name in names)

    def parameters_of(self, rule: MaskRule | None) -> OperatorParameters:
        """The typed parameters ``rule`` gives its operator (none: the defaults); the policy's HMAC
        algorithm unless the rule names its own."""
        if rule is None:
            return OperatorParameters(algorithm=self.algorithm)
        return OperatorParameters(
            keep=rule.keep,
            algorithm=rule.algorithm or self.algorithm,
            length=rule.length,
            to=rule.to,
            band=rule.band,
            token=rule.token,
            cipher=rule.cipher or "aes",
            form=rule.form or "token",
        )


def default_policy_path() -> Path:
    from secops.content.locate import content_root

    return content_root("rules").joinpath(*POLICY_KIND.subpath, "default.yml")


def load_policy(path: Path | None = None) -> MaskPolicy:
    """The policy in ``path`` (the shipped default when None; a bare name such as ``encrypt``
    names a shipped policy when no such file exists here), validated; errors name file:line."""
    path = path or default_policy_path()
    shipped = default_policy_path().parent / f"{path.name}.yml"
    if not path.exists() and path.parent == Path() and not path.suffix and shipped.is_file():
        path = shipped
    if not path.is_file():
        raise SecopsError(
            _("{path}: no such policy file").format(path=path),
            hint=_("see the examples in {folder}").format(folder=default_policy_path().parent),
        )
    unit, errors = parse_unit(path, POLICY_KIND)
    if errors or unit is None:
        raise ContentErrors(errors)
    assert isinstance(unit, MaskPolicy)
    return unit
