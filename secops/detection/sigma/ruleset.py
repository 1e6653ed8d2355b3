"""A loaded set of Sigma rules: what :func:`secops.detection.sigma.rules.load_rules` returns and
what an engine keeps. pySigma's types appear only in annotations, so an engine read back from
the compiled cache (which keeps no parsed detection rule) does not import pySigma.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secops.errors import ContentError

if TYPE_CHECKING:
    from sigma.correlations import SigmaCorrelationRule
    from sigma.rule import SigmaRule

RULE_SUFFIXES = (".yml", ".yaml")


@dataclass
class RuleSet:
    """Detection rules, correlation rules and what could not be loaded."""

    rules: list[SigmaRule] = field(default_factory=list)
    correlations: list[SigmaCorrelationRule] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    files: int = 0
    # where each rule came from (id(rule) -> (path, line)) and its raw YAML mapping
    origins: dict[int, tuple[Path, int]] = field(default_factory=dict, repr=False)
    raw: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.rules) + len(self.correlations)

    def origin(self, rule: SigmaRule | SigmaCorrelationRule) -> tuple[Path, int]:
        return self.origins.get(id(rule), (Path("?"), 0))

    def raw_of(self, rule: SigmaRule | SigmaCorrelationRule) -> dict[str, Any]:
        return self.raw.get(id(rule), {})

    def resolve(self, reference: str) -> SigmaRule | SigmaCorrelationRule | None:
        """A rule by id or by name (how correlation rules reference their base rules)."""
        wanted = reference.strip().lower()
        candidates: list[SigmaRule | SigmaCorrelationRule] = [*self.rules, *self.correlations]
        for rule in candidates:
            if (rule.id is not None and str(rule.id) == wanted) or (rule.name is not None and rule.name == reference):
                return rule
        return None

    def references(self, correlation: SigmaCorrelationRule) -> list[str]:
        refs = correlation.rules or correlation.referenced_rules or []
        names = [ref.reference for ref in refs]
        if not names and hasattr(correlation.condition, "get_referenced_rules"):  # extended conditions
            names = list(correlation.condition.get_referenced_rules())
        return names


def title_zh_of(rule: SigmaRule | SigmaCorrelationRule) -> str:
    """The Chinese title a rule of ours carries as the custom attribute ``title_zh`` ("" when none)."""
    value = rule.custom_attributes.get("title_zh")
    return value.strip() if isinstance(value, str) else ""


def rule_key(rule: SigmaRule | SigmaCorrelationRule) -> str:
    """The identifier a match carries: the rule id, else its name, else its title."""
    if rule.id is not None:
        return str(rule.id)
    return rule.name or rule.title


def iter_rule_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
        else:
            yield path
