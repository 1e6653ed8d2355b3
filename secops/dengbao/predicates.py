"""The small predicate language of declarative checks, evaluated over a facts document.

A predicate is a mapping ``{path: {op: value}}`` (every entry must hold), or one of
``{all: [...]}``, ``{any: [...]}``, ``{not: p}``, ``{some: {in: list-path, where: p}}``.
Paths are dotted (``ssh.password_auth``). A comparison on a missing path is false, except
``exists: false``. ``some`` collects the matching list elements as the finding's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MISSING = object()  # what lookup() returns for an absent path
_MISSING = MISSING
COMBINATORS = ("all", "any", "not", "some")


class PredicateError(ValueError):
    """A malformed predicate (content error; the loader adds file:line)."""


def lookup(facts: Any, path: str) -> Any:
    current = facts
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return _MISSING
    return current


def has_path(facts: Any, path: str) -> bool:
    return lookup(facts, path) is not _MISSING


def _version_key(value: Any) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", str(value))
    return tuple(int(n) for n in numbers[:4])


def _version_lt(actual: Any, bound: Any) -> bool:
    key = _version_key(actual)
    return bool(key) and key < _version_key(bound)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(actual: Any, expected: Any) -> bool:
        try:
            return bool(op(actual, expected))
        except TypeError:
            return False

    return compare


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, (list, tuple, set)):
        return expected in actual
    if isinstance(actual, str):
        return str(expected) in actual
    return False


def _intersects(actual: Any, expected: Any) -> bool:
    return isinstance(actual, (list, tuple)) and any(value in expected for value in actual)


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, e: a == e,
    "ne": lambda a, e: a != e,
    "lt": _ordered(lambda a, e: a < e),
    "le": _ordered(lambda a, e: a <= e),
    "gt": _ordered(lambda a, e: a > e),
    "ge": _ordered(lambda a, e: a >= e),
    "in": lambda a, e: a in e,
    "not_in": lambda a, e: a not in e,
    "contains": _contains,
    "intersects": _intersects,  # a list fact shares an element with the given list
    "matches": lambda a, e: isinstance(a, str) and re.search(e, a) is not None,
    "empty": lambda a, e: (not a) == bool(e),
    "version_lt": _version_lt,
}


def validate(predicate: Any, where: str = "fail_if") -> None:
    """Raise PredicateError for a malformed predicate (unknown op, wrong shapes, bad regex)."""
    if not isinstance(predicate, dict) or not predicate:
        raise PredicateError(f"{where}: a predicate is a non-empty mapping")
    for key, value in predicate.items():
        here = f"{where}.{key}"
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise PredicateError(f"{here}: expected a non-empty list of predicates")
            for index, sub in enumerate(value):
                validate(sub, f"{here}.{index}")
        elif key == "not":
            validate(value, here)
        elif key == "some":
            if not isinstance(value, dict) or set(value) != {"in", "where"} or not isinstance(value["in"], str):
                raise PredicateError(f"{here}: expected {{in: list-path, where: predicate}}")
            validate(value["where"], f"{here}.where")
        else:
            if not isinstance(value, dict) or not value:
                raise PredicateError(f"{here}: expected {{op: value}} with op one of {', '.join(OPS)}, exists")
            for op, expected in value.items():
                if op == "exists":
                    if not isinstance(expected, bool):
                        raise PredicateError(f"{here}.exists: expected true or false")
                elif op not in OPS:
                    raise PredicateError(f"{here}: unknown op {op!r}; use one of {', '.join(OPS)}, exists")
                elif op in ("in", "not_in", "intersects") and not isinstance(expected, list):
                    raise PredicateError(f"{here}.{op}: expected a list")
                elif op == "matches":
                    try:
                        re.compile(str(expected))
                    except re.error as error:
                        raise PredicateError(f"{here}.matches: bad regular expression: {error}") from None


def referenced_paths(predicate: dict[str, Any]) -> list[str]:
    """The top-level fact paths a predicate compares (not those inside ``some``), in order."""
    found: list[str] = []
    for key, value in predicate.items():
        if key in ("all", "any"):
            for sub in value:
                found.extend(p for p in referenced_paths(sub) if p not in found)
        elif key == "not":
            found.extend(p for p in referenced_paths(value) if p not in found)
        elif key != "some" and key not in found:
            found.append(key)
    return found


def evaluate(predicate: dict[str, Any], facts: Any, evidence: list[Any] | None = None) -> bool:
    """True when the predicate holds; elements matched by ``some`` are appended to ``evidence``.

    Evidence is only kept from branches that hold, so a failed ``all`` leaves none behind.
    """
    collected: list[Any] = []
    holds = _evaluate(predicate, facts, collected)
    if holds and evidence is not None:
        evidence.extend(collected)
    return holds


def _evaluate(predicate: dict[str, Any], facts: Any, evidence: list[Any]) -> bool:
    for key, value in predicate.items():
        if key == "all":
            if not all(evaluate(sub, facts, evidence) for sub in value):
                return False
        elif key == "any":
            # evaluate every branch so that all matching evidence is collected
            results = [evaluate(sub, facts, evidence) for sub in value]
            if not any(results):
                return False
        elif key == "not":
            if evaluate(value, facts, None):
                return False
        elif key == "some":
            elements = lookup(facts, value["in"])
            if not isinstance(elements, list):
                return False
            matched = [element for element in elements if evaluate(value["where"], element, None)]
            if not matched:
                return False
            evidence.extend(matched)
        else:
            actual = lookup(facts, key)
            for op, expected in value.items():
                if op == "exists":
                    if (actual is not _MISSING) != expected:
                        return False
                elif actual is _MISSING or not OPS[op](actual, expected):
                    return False
    return True
