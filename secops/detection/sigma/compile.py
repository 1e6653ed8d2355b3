"""Sigma detections compiled into boolean trees over shared atoms.

pySigma parses a rule and applies its modifiers (``contains`` adds wildcards, ``base64offset`` and
``windash`` expand values, ``all`` AND-links a list, ``re``/``cidr``/``gt`` change the value type);
its condition tree has ``field = value`` leaves. Each leaf becomes an :class:`Atom`, a hashable
description of one test (field, operation, argument). Atoms are deduplicated across every rule of
an engine, so a test that fifty rules share (``Image`` ends with ``\\powershell.exe``) is evaluated
once per batch (see :mod:`secops.detection.sigma.batch`).

Semantics (Sigma specification; checked by tests):
- strings compare case-insensitively unless ``cased``; ``*`` and ``?`` are wildcards, ``\\`` escapes;
- ``re`` is case-sensitive unless ``i`` (``m``/``s`` flags are honoured) and searches (not anchored);
- numbers match the number or its text (``EventID: 4688`` matches 4688 and "4688");
- ``field: null`` matches a missing or empty field; ``exists`` tests presence;
- keyword (field-less) values are searched anywhere in the event's raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SigmaType,
    SpecialChars,
)

from secops.detection.sigma.atoms import (
    AND,
    CIDR,
    CMP,
    CONTAINS,
    EQ,
    EXISTS,
    FALSE,
    FIELDREF,
    GLOB,
    NOT,
    NULL,
    OR,
    PREFIX,
    REGEX,
    SUFFIX,
    TRUE,
    TSPART,
    Atom,
    AtomTable,
    CompileError,
    Glob,
    Node,
    Regex,
    tree_cost,
)


def compile_detection(
    rule: SigmaRule, table: AtomTable, placeholders: Mapping[str, Sequence[str]] | None = None
) -> tuple[Node, list[str]]:
    """The rule's conditions as one tree (several conditions are OR-linked) and any warnings."""
    compiler = _Compiler(table, placeholders or {})
    try:
        trees = [compiler.node(condition.parsed) for condition in rule.detection.parsed_condition]
    except SigmaError as error:
        raise CompileError(error.args[0] if error.args else str(error)) from error
    tree = _simplify((OR, trees)) if len(trees) > 1 else trees[0]
    return _order(tree, table), compiler.warnings


class _Compiler:
    def __init__(self, table: AtomTable, placeholders: Mapping[str, Sequence[str]]) -> None:
        self.table = table
        self.placeholders = placeholders
        self.warnings: list[str] = []

    def node(self, item: Any) -> Node:
        if item is None:
            return (FALSE, None)
        if isinstance(item, ConditionAND):
            return _simplify((AND, [self.node(arg) for arg in item.args]))
        if isinstance(item, ConditionOR):
            return _simplify((OR, [self.node(arg) for arg in item.args]))
        if isinstance(item, ConditionNOT):
            return _simplify((NOT, self.node(item.args[0])))
        if isinstance(item, ConditionFieldEqualsValueExpression):
            return self.value(item.field, item.value)
        if isinstance(item, ConditionValueExpression):
            return self.value(None, item.value)
        raise CompileError(f"unsupported condition element {type(item).__name__}")

    def value(self, field: str | None, value: SigmaType) -> Node:
        if isinstance(value, SigmaExpansion):
            return _simplify((OR, [self.value(field, v) for v in value.values]))
        if isinstance(value, SigmaString):  # includes SigmaCasedString
            return self.string(field, value)
        if isinstance(value, SigmaRegularExpression):
            return self.regex(field, value)
        if field is None:
            if isinstance(value, SigmaNumber) and not isinstance(value, SigmaTimestampPart):
                return self.table.add(Atom(None, CONTAINS, _number_text(value.number)))
            raise CompileError(f"keyword (field-less) value of type {type(value).__name__} is not supported")
        if isinstance(value, SigmaNull):
            return self.table.add(Atom(field, NULL, None))
        if isinstance(value, SigmaExists):
            return self.table.add(Atom(field, EXISTS, bool(value.exists)))
        if isinstance(value, SigmaBool):
            return self.table.add(Atom(field, EQ, "true" if value.boolean else "false"))
        if isinstance(value, SigmaTimestampPart):
            return self.table.add(Atom(field, TSPART, (value.timestamp_part.name.lower(), int(value.number))))
        if isinstance(value, SigmaNumber):
            return self.table.add(Atom(field, EQ, _number_text(value.number)))
        if isinstance(value, SigmaCompareExpression):
            return self.table.add(Atom(field, CMP, (value.op.name.lower(), float(value.number.number))))
        if isinstance(value, SigmaCIDRExpression):
            return self.table.add(Atom(field, CIDR, str(value.network)))
        if isinstance(value, SigmaFieldReference):
            return self.table.add(Atom(field, FIELDREF, (value.field, value.starts_with, value.ends_with)))
        raise CompileError(f"value type {type(value).__name__} of field '{field}' is not supported")

    def string(self, field: str | None, value: SigmaString) -> Node:
        cased = isinstance(value, SigmaCasedString)
        variants = list(self.expand(value))
        if not variants:
            return (FALSE, None)
        nodes = []
        for parts in variants:
            if field is None:  # keywords match anywhere in the event
                parts = _surround(parts)
            nodes.append(self.table.add(string_atom(field, parts, cased)))
        return _simplify((OR, nodes))

    def expand(self, value: SigmaString) -> Iterator[list[str | SpecialChars]]:
        """The string's parts with placeholders (``expand``) replaced by their configured values."""
        parts: list[list[str | SpecialChars]] = [[]]
        for part in value.s:
            if isinstance(part, Placeholder):
                replacements = self.placeholders.get(part.name)
                if not replacements:
                    self.warnings.append(f"placeholder %{part.name}% has no values: that value never matches")
                    return
                parts = [[*p, *_plain_parts(SigmaString(r))] for p in parts for r in replacements]
            else:
                parts = [[*p, part] for p in parts]
        yield from parts

    def regex(self, field: str | None, value: SigmaRegularExpression) -> Node:
        pattern = ""
        for part in value.regexp.s:  # the regex text, with ``expand`` placeholders as alternatives
            if isinstance(part, Placeholder):
                replacements = self.placeholders.get(part.name)
                if not replacements:
                    self.warnings.append(f"placeholder %{part.name}% has no values: that value never matches")
                    return (FALSE, None)
                pattern += "(?:" + "|".join(re.escape(r) for r in replacements) + ")"
            elif isinstance(part, SpecialChars):
                pattern += "*" if part == SpecialChars.WILDCARD_MULTI else "?"
            else:
                pattern += part
        flags = 0
        for flag in value.flags:
            flags |= {
                SigmaRegularExpressionFlag.IGNORECASE: re.IGNORECASE,
                SigmaRegularExpressionFlag.MULTILINE: re.MULTILINE,
                SigmaRegularExpressionFlag.DOTALL: re.DOTALL,
            }[flag]
        try:
            re.compile(pattern, flags)
        except re.error as error:
            raise CompileError(f"invalid regular expression {pattern!r}: {error}") from error
        return self.table.add(Atom(field, REGEX, Regex(pattern, flags), cased=True))


def _plain_parts(value: SigmaString) -> list[str | SpecialChars]:
    return [p for p in value.s if isinstance(p, str | SpecialChars)]


def string_atom(field: str | None, parts: Sequence[str | SpecialChars], cased: bool = False) -> Atom:
    """A Sigma string (literal parts and wildcards) as the cheapest atom that tests it."""
    merged: list[str | SpecialChars] = []
    for part in parts:  # join adjacent literals, case-fold unless cased
        if isinstance(part, str):
            part = part if cased else part.lower()
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        elif not (part == SpecialChars.WILDCARD_MULTI and merged and merged[-1] == SpecialChars.WILDCARD_MULTI):
            merged.append(part)
    star = SpecialChars.WILDCARD_MULTI
    literals = [p for p in merged if isinstance(p, str)]
    if not merged:
        return Atom(field, EQ, "", cased)
    if merged == [star]:
        return Atom(field, EXISTS, True)
    if SpecialChars.WILDCARD_SINGLE not in merged:
        if len(merged) == 1:
            return Atom(field, EQ, merged[0], cased)
        if len(merged) == 2 and merged[0] == star:
            return Atom(field, SUFFIX, merged[1], cased)
        if len(merged) == 2 and merged[1] == star:
            return Atom(field, PREFIX, merged[0], cased)
        if len(merged) == 3 and merged[0] == star and merged[2] == star:
            return Atom(field, CONTAINS, merged[1], cased)
    pattern = "".join(re.escape(p) if isinstance(p, str) else ".*" if p == star else "." for p in merged)
    return Atom(field, GLOB, Glob(pattern, max(literals, key=len, default="")), cased)


def _surround(parts: list[str | SpecialChars]) -> list[str | SpecialChars]:
    star = SpecialChars.WILDCARD_MULTI
    if not parts or parts[0] != star:
        parts = [star, *parts]
    if parts[-1] != star:
        parts = [*parts, star]
    return parts


def _number_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _simplify(node: Node) -> Node:
    """Flatten nested AND/OR, fold constants."""
    tag, payload = node
    if tag == NOT:
        inner_tag, inner = payload
        if inner_tag == TRUE:
            return (FALSE, None)
        if inner_tag == FALSE:
            return (TRUE, None)
        if inner_tag == NOT:
            return cast("tuple[int, Any]", inner)
        return node
    if tag not in (AND, OR):
        return node
    absorbing, neutral = (FALSE, TRUE) if tag == AND else (TRUE, FALSE)
    children: list[Node] = []
    for child in payload:
        if child[0] == absorbing:
            return (absorbing, None)
        if child[0] == neutral:
            continue
        if child[0] == tag:
            children.extend(child[1])
        elif child not in children:
            children.append(child)
    if not children:
        return (neutral, None)
    if len(children) == 1:
        return children[0]
    return (tag, children)


def _order(node: Node, table: AtomTable) -> Node:
    """Children of AND in the order to evaluate them: positive cheap tests first, exclusions last
    (an AND stops as soon as no row is left)."""
    tag, payload = node
    if tag == NOT:
        return (NOT, _order(payload, table))
    if tag == OR:
        return (OR, sorted((_order(c, table) for c in payload), key=lambda c: tree_cost(c, table)))
    if tag == AND:
        children = [_order(c, table) for c in payload]
        return (AND, sorted(children, key=lambda c: (c[0] == NOT, tree_cost(c, table))))
    return node
