"""What correlation rules read: their references to other rules, their member events
(``CorrelationItem``, what the windows count) and values from the matches."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sigma.correlations import SigmaCorrelationRule, SigmaExtendedCorrelationCondition, SigmaRuleReference

from secops.detection.events import Match
from secops.detection.sigma.batch import spaceless

MISSING = object()  # a group-by or condition field an event lacks


@dataclass(slots=True)
class CorrelationItem:
    """One member event of a correlation: its time, its match and the referenced rules it matched."""

    t: float
    log_file: str
    record: int
    seq: int
    match: Match
    positions: list[int]  # indexes into the correlation's referenced rules, ascending


def references(rule: SigmaCorrelationRule) -> list[SigmaRuleReference]:
    if rule.rules is not None:
        return list(rule.rules)
    if rule.referenced_rules:
        return list(rule.referenced_rules)
    if isinstance(rule.condition, SigmaExtendedCorrelationCondition):
        return [SigmaRuleReference(name) for name in rule.condition.get_referenced_rules()]
    return []


def reference_keys(ref: SigmaRuleReference) -> list[str]:
    """Every key a referenced rule's matches may be stored under: as written, its id, its name."""
    keys = [ref.reference]
    try:
        canonical = str(UUID(ref.reference))  # ids are stored as str(UUID): lowercase, hyphenated
    except ValueError:
        pass
    else:
        if canonical != ref.reference:
            keys.append(canonical)
    resolved = getattr(ref, "rule", None)  # set only once the collection resolved references
    if resolved is not None:
        keys.extend(rule_keys(resolved))
    return keys


def rule_keys(rule: Any) -> list[str]:
    keys = []
    if getattr(rule, "id", None) is not None:
        keys.append(str(rule.id))
    if getattr(rule, "name", None):
        keys.append(rule.name)
    return keys


def dependency_order(rules: Sequence[SigmaCorrelationRule]) -> list[SigmaCorrelationRule]:
    """Correlation rules ordered so that a referenced correlation rule comes before its users."""
    by_key: dict[str, SigmaCorrelationRule] = {}
    for rule in rules:
        for key in rule_keys(rule):
            by_key[key] = rule
    ordered: list[SigmaCorrelationRule] = []
    state: dict[int, int] = {}  # id(rule) -> 1 visiting, 2 done (a cycle is broken, not followed)

    def visit(rule: SigmaCorrelationRule) -> None:
        if state.get(id(rule)):
            return
        state[id(rule)] = 1
        for ref in references(rule):
            for key in reference_keys(ref):
                dependency = by_key.get(key)
                if dependency is not None and dependency is not rule:
                    visit(dependency)
        state[id(rule)] = 2
        ordered.append(rule)

    for rule in rules:
        visit(rule)
    return ordered


def epoch(timestamp: datetime) -> float:
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    return timestamp.timestamp()


def lookup(event: dict[str, Any], name: str) -> Any:
    """The event's value of ``name``: as written, else in another case, else with or without its
    spaces (Defender's ``Threat Name`` is ``ThreatName``, as in the engine's field tests)."""
    if name in event:
        value = event[name]
        return MISSING if value is None else value
    lowered = name.lower()
    for key, value in event.items():
        if key.lower() == lowered:
            return MISSING if value is None else value
    folded = spaceless(lowered)
    for key, value in event.items():
        if spaceless(key.lower()) == folded:
            return MISSING if value is None else value
    return MISSING


def hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(hashable(v) for v in value)
    if isinstance(value, dict | set):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def number_of(value: Any) -> float | None:
    if value is MISSING or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
