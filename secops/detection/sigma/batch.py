"""Evaluating atoms over one columnar batch, fast.

Results are row bitmasks (Python ints: bit ``i`` set when row ``i`` matches), so AND/OR/NOT over
thousands of rows are single C operations. Each column is grouped by distinct value first (logs
repeat themselves: the same Image, the same URL), and string tests run over the distinct
values joined into one text with ``str.find`` / one ``re`` scan instead of a Python loop per
row; a hit is mapped back to its value by bisection and checked against that value's bounds.
A column that thousands of indicators are looked up in (CommandLine, ScriptBlockText) gets a
3-gram index once scanning it has cost as much as indexing would: an indicator is then checked
only where its rarest 3-gram occurs, and one with a 3-gram that occurs nowhere costs a lookup.
Everything is computed lazily and cached for the batch: a column nobody tests is never indexed.
A field is found under its name as written and under the same name with or without spaces
(Windows Defender logs ``Threat Name``, SigmaHQ's rules test ``ThreatName``).
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from secops.detection.events import DECODED_SUFFIX, EventBatch
from secops.detection.sigma.atoms import (
    CIDR,
    CMP,
    CONTAINS,
    EQ,
    EXISTS,
    FIELDREF,
    GLOB,
    NULL,
    PREFIX,
    REGEX,
    SUFFIX,
    TSPART,
    Atom,
    Glob,
    Regex,
)
from secops.detection.sigma.view import UNSAFE_SCAN, View, mask_of, text_of

STRUCTURED = frozenset({"evtx", "jsonl", "json"})  # sources whose raw text is a JSON record
RAW = "\x00raw"  # pseudo-columns searched by keywords
RAW_DECODED = "\x00raw@decoded"

# Windows Security events name some Sysmon fields differently; the windows-audit pipeline maps
# them for conversion, we fill the Sysmon name from the Security one where it is missing. 4688
# (process creation) carries the integrity level as MandatoryLabel (a SID: SigmaHQ's rules list
# both "High" and "S-1-16-12288") and the logon as SubjectLogonId.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "Image": ("NewProcessName", "ProcessName"),
    "ParentImage": ("ParentProcessName",),
    "TargetObject": ("ObjectName",),
    "Details": ("NewValue",),
    "IntegrityLevel": ("MandatoryLabel",),
    "LogonId": ("SubjectLogonId",),
}


def spaceless(name: str) -> str:
    """A field name as SigmaHQ's tooling flattens it: Windows Defender's EventData names hold spaces
    (``Threat Name``, ``Process Name``), its rules write them without (``ThreatName``, ``ProcessName``)."""
    return name.replace(" ", "")


def spaced_names(names: Iterable[str]) -> dict[str, list[str]]:
    """The names that hold spaces, by their spaceless form (empty for nearly every batch)."""
    found: dict[str, list[str]] = {}
    for name in names:
        if " " in name:
            found.setdefault(spaceless(name), []).append(name)
    return found


_CMP: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Column:
    """One field of the batch, grouped by distinct value (list values count each element)."""

    __slots__ = ("_cased", "_lower", "_present", "_values", "groups", "texts")

    def __init__(self, values: list[Any]) -> None:
        self._values = values
        by_value: dict[Any, list[int]] = {}
        get = by_value.get
        for row, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is not str and kind is not int:  # ints stay keys: converted once per distinct value
                if kind is list or kind is tuple:
                    for item in value:
                        by_value.setdefault(text_of(item), []).append(row)
                    continue
                value = text_of(value)
            group = get(value)
            if group is None:
                by_value[value] = [row]
            else:
                group.append(row)
        texts = [key if type(key) is str else text_of(key) for key in by_value]
        groups = list(by_value.values())
        if len(set(texts)) != len(texts):  # 5 and "5" in one column: one value
            merged: dict[str, list[int]] = {}
            for text, rows in zip(texts, groups, strict=True):
                merged[text] = sorted(merged.get(text, []) + rows)
            texts, groups = list(merged), list(merged.values())
        self.texts: list[str] = texts
        self.groups: list[list[int]] = groups
        self._present: int | None = None
        self._cased: View | None = None
        self._lower: View | None = None

    @property
    def present(self) -> int:
        """Rows where the field has a value."""
        if self._present is None:
            self._present = mask_of([row for row, value in enumerate(self._values) if value is not None])
        return self._present

    def view(self, cased: bool) -> View:
        if cased:
            if self._cased is None:
                self._cased = View(self.texts, self.groups)
            return self._cased
        if self._lower is None:
            merged: dict[str, list[int]] = {}
            for text, rows in zip(self.texts, self.groups, strict=True):
                key = text.lower()
                group = merged.get(key)
                if group is None:
                    merged[key] = rows
                else:
                    merged[key] = group + rows
            self._lower = View(list(merged), list(merged.values()))
        return self._lower

    def value_at(self, row: int) -> Any:
        return self._values[row]


class BatchContext:
    """Per-batch state: indexed columns and the cached result of every atom evaluated so far."""

    def __init__(self, batch: EventBatch, atoms: Sequence[Atom]) -> None:
        self.batch = batch
        self.atoms = atoms
        self.full = (1 << batch.size) - 1
        self.cache: list[int | None] = [None] * len(atoms)
        self._columns: dict[str, Column | None] = {}
        self._regex: dict[Any, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
        self._spaced: dict[str, list[str]] | None = None
        self.web = batch.source == "web" or "webserver" in (batch.columns.get("_category") or [None])[:1]

    # columns --------------------------------------------------------------------------------
    def column(self, name: str) -> Column | None:
        if name in self._columns:
            return self._columns[name]
        values = self._values(name)
        column = Column(values) if values is not None else None
        self._columns[name] = column
        return column

    def _values(self, name: str) -> list[Any] | None:
        batch = self.batch
        if name == RAW:
            return list(batch.raws)
        if name == RAW_DECODED:
            return [decode_raw(raw) for raw in batch.raws]
        values = self._named(name)
        for alias in FIELD_ALIASES.get(name, ()):
            other = batch.columns.get(alias)
            if other is not None:
                values = other if values is None else _fill(values, other)
        return values

    def _named(self, name: str) -> list[Any] | None:
        """The field's column; a name with spaces and its spaceless form are one field (``Threat Name``
        is ``ThreatName``), the name as written first. Names are compared once per batch, rows only
        when one batch holds both forms."""
        columns = self.batch.columns
        values = columns.get(name)
        if self._spaced is None:
            self._spaced = spaced_names(columns)
        if not self._spaced and " " not in name:
            return values
        key = spaceless(name)
        for other_name in (key, *self._spaced.get(key, ())):
            if other_name != name:
                other = columns.get(other_name)
                if other is not None:
                    values = other if values is None else _fill(values, other)
        return values

    def _field_columns(self, field: str | None) -> list[Column]:
        """The columns a string test on ``field`` looks at: ``F`` and ``F@decoded``. Keywords
        look at the raw line (and its URL-decoded form for web logs); in structured logs (EVTX,
        JSON) at every field's value, not at the JSON syntax and key names of the raw record:
        each field is already grouped by distinct value, so this is also the cheapest text."""
        if field is not None:
            names = [field, field + DECODED_SUFFIX]
        elif self.batch.source in STRUCTURED:
            names = [n for n in self.batch.columns if not n.startswith("_")]
        else:
            names = [RAW, RAW_DECODED] if self.web else [RAW]
        return [c for c in (self.column(n) for n in names) if c is not None]

    # atoms ----------------------------------------------------------------------------------
    def atom(self, index: int) -> int:
        found = self.cache[index]
        if found is None:
            found = self.cache[index] = self._evaluate(self.atoms[index])
        return found

    def _evaluate(self, atom: Atom) -> int:
        op = atom.op
        if op == NULL:
            column = self.column(atom.field)  # type: ignore[arg-type]
            if column is None:
                return self.full
            return (self.full & ~column.present) | column.view(True).eq("")
        if op == EXISTS:
            column = self.column(atom.field)  # type: ignore[arg-type]
            present = column.present if column is not None else 0
            return present if atom.arg else self.full & ~present
        if op == FIELDREF:
            return self._fieldref(atom)
        mask = 0
        for column in self._field_columns(atom.field):
            mask |= self._on_view(atom, column)
        return mask

    def _on_view(self, atom: Atom, column: Column) -> int:
        op, arg = atom.op, atom.arg
        view = column.view(atom.cased or op in (CMP, CIDR, TSPART))  # values, not text: as written
        if op == EQ:
            return view.eq(arg)
        if op in (CONTAINS, PREFIX, SUFFIX):
            return view.union(view.find(arg, op))
        if op == GLOB:
            glob: Glob = arg
            pattern = self._compiled(glob, lambda: (glob.regex(atom.cased), None))[0]
            members = view.find(glob.literal, CONTAINS) if glob.literal else None
            return view.select(lambda text: pattern.fullmatch(text) is not None, members)
        if op == REGEX:
            regex: Regex = arg
            pattern, scan = self._compiled(regex, lambda: _regex_pair(regex))
            return view.search(pattern, scan)
        if op == CMP:
            name, number = arg
            compare = _CMP[name]
            return view.select(lambda text: (value := _number(text)) is not None and compare(value, number))
        if op == CIDR:
            return view.cidr(_network(arg))
        if op == TSPART:
            part, number = arg
            return view.select(lambda text: _timestamp_part(text, part) == number)
        raise ValueError(f"unknown atom operation {op}")

    def _compiled(self, key: Any, build: Callable[[], tuple[re.Pattern[str], re.Pattern[str] | None]]) -> Any:
        found = self._regex.get(key)
        if found is None:
            found = self._regex[key] = _regex_cache.get(key) or _regex_cache.setdefault(key, build())
        return found

    def _fieldref(self, atom: Atom) -> int:
        other_name, starts, ends = atom.arg
        mine, other = self._values(atom.field or ""), self._values(other_name)
        if mine is None or other is None:
            return 0
        mask = 0
        for row, (a, b) in enumerate(zip(mine, other, strict=True)):
            if a is None or b is None:
                continue
            left, right = text_of(a).lower(), text_of(b).lower()
            if starts and ends:
                hit = right in left
            elif starts:
                hit = left.startswith(right)
            elif ends:
                hit = left.endswith(right)
            else:
                hit = left == right
            if hit:
                mask |= 1 << row
        return mask


def _fill(values: list[Any], other: list[Any]) -> list[Any]:
    """``values`` with their gaps filled from ``other`` (row by row)."""
    return [v if v is not None else o for v, o in zip(values, other, strict=True)]


_regex_cache: dict[Any, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _regex_pair(regex: Regex) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    pattern = re.compile(regex.pattern, regex.flags)
    if UNSAFE_SCAN.search(regex.pattern):
        return pattern, None
    return pattern, re.compile(regex.pattern, regex.flags | re.MULTILINE)


def decode_raw(raw: str) -> str:
    if "%" not in raw and "+" not in raw:
        return raw
    for _ in range(3):  # repeat-decoded, as readers decode URL fields
        decoded = unquote_plus(raw)
        if decoded == raw:
            break
        raw = decoded
    return raw


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        try:
            return float(int(text, 0))
        except (ValueError, OverflowError):  # OverflowError: a 0x... value past 1e308
            return None


_networks: dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network] = {}


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    found = _networks.get(text)
    if found is None:
        found = _networks[text] = ipaddress.ip_network(text, strict=False)
    return found


def _timestamp_part(text: str, part: str) -> int | None:
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if part == "week":
        return when.isocalendar().week
    return int(getattr(when, part))
