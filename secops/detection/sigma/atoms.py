"""What compiled Sigma rules are made of, without pySigma: atoms (one test of one field), the
boolean trees over them and the table that shares atoms between rules. Matching needs only
this module (:mod:`secops.detection.sigma.batch`), so an engine read back from the compiled
cache never imports pySigma; :mod:`secops.detection.sigma.compile` builds atoms from parsed rules.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

# Atom operations
EQ = "eq"  # whole value equals
PREFIX = "prefix"
SUFFIX = "suffix"
CONTAINS = "contains"
GLOB = "glob"  # wildcards inside: regex (fullmatch) with a literal prefilter
REGEX = "re"  # Sigma `re`: search
CIDR = "cidr"
CMP = "cmp"  # gt gte lt lte
NULL = "null"
EXISTS = "exists"
FIELDREF = "fieldref"
TSPART = "tspart"  # minute hour day week month year
NEVER = "never"  # e.g. a placeholder nobody defined

# Node tags of compiled trees: (tag, payload)
ATOM, AND, OR, NOT, TRUE, FALSE = range(6)
Node = tuple[int, Any]

# evaluation cost estimates, to try cheap conditions first inside AND
_COST = {EQ: 1, NULL: 1, EXISTS: 1, PREFIX: 3, SUFFIX: 3, CONTAINS: 5, GLOB: 9, CMP: 6, CIDR: 8, TSPART: 8}
_COST.update({REGEX: 20, FIELDREF: 10, NEVER: 0})
KEYWORD_COST_FACTOR = 4
_EXPENSIVE_FIELDS = frozenset({"CommandLine", "ScriptBlockText", "ParentCommandLine", "Payload", "ContextInfo"})


class CompileError(ValueError):
    """A detection this engine cannot evaluate (the message names what)."""


@dataclass(frozen=True)
class Atom:
    field: str | None  # None: keyword (searched in the raw event)
    op: str
    arg: Any  # hashable
    cased: bool = False

    @property
    def cost(self) -> int:
        cost = _COST[self.op]
        if self.field is None:
            return cost * KEYWORD_COST_FACTOR
        if self.field in _EXPENSIVE_FIELDS and self.op not in (EQ, NULL, EXISTS):
            return cost * 2
        return cost


@dataclass(frozen=True)
class Glob:
    """A wildcard pattern: the compiled regex and its longest literal part (a substring prefilter)."""

    pattern: str
    literal: str

    def regex(self, cased: bool) -> re.Pattern[str]:
        return re.compile(self.pattern, re.DOTALL if cased else re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Regex:
    pattern: str
    flags: int


class AtomTable:
    """Deduplicates atoms across rules: each distinct atom gets one index."""

    def __init__(self) -> None:
        self.atoms: list[Atom] = []
        self.index: dict[Atom, int] = {}

    def add(self, atom: Atom) -> Node:
        if atom.op == NEVER:
            return (FALSE, None)
        found = self.index.get(atom)
        if found is None:
            found = self.index[atom] = len(self.atoms)
            self.atoms.append(atom)
        return (ATOM, found)


def tree_cost(node: Node, table: AtomTable) -> int:
    tag, payload = node
    if tag == ATOM:
        return table.atoms[payload].cost
    if tag == NOT:
        return tree_cost(payload, table)
    if tag in (AND, OR):
        return sum(tree_cost(child, table) for child in payload)
    return 0


def atom_fields(node: Node, table: AtomTable) -> set[str | None]:
    tag, payload = node
    if tag == ATOM:
        return {table.atoms[payload].field}
    if tag == NOT:
        return atom_fields(payload, table)
    if tag in (AND, OR):
        return set().union(*(atom_fields(c, table) for c in payload))
    return set()


def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)
