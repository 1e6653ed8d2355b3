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
"""

from __future__ import annotations

import ipaddress
import json
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime
from time import perf_counter
from typing import Any
from urllib.parse import unquote_plus

from secops.detection.events import DECODED_SUFFIX, EventBatch
from secops.detection.sigma.compile import (
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

SEP = "\n"
GRAM_INDEX_COST = 2.5e-7  # seconds per character to build a 3-gram index (CPython, measured)
STRUCTURED = frozenset({"evtx", "jsonl", "json"})  # sources whose raw text is a JSON record
RAW = "\x00raw"  # pseudo-columns searched by keywords
RAW_DECODED = "\x00raw@decoded"

# Windows Security events name some Sysmon fields differently; the windows-audit pipeline maps
# them for conversion, we fill the Sysmon name from the Security one where it is missing.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "Image": ("NewProcessName", "ProcessName"),
    "ParentImage": ("ParentProcessName",),
    "TargetObject": ("ObjectName",),
    "Details": ("NewValue",),
}

# lookaround and absolute anchors would see the neighbouring value in a joined scan
_UNSAFE_SCAN = re.compile(r"\(\?<?[=!]|\\[AZ]")
_CMP = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _gram_positions(text: str) -> dict[str, array[int]]:
    """Where each 3-gram of ``text`` occurs."""
    index: dict[str, array[int]] = {}
    get = index.get
    for i in range(len(text) - 2):
        gram = text[i : i + 3]
        places = get(gram)
        if places is None:
            index[gram] = array("l", (i,))
        else:
            places.append(i)
    return index


def mask_of(rows: Sequence[int]) -> int:
    mask = 0
    for row in rows:
        mask |= 1 << row
    return mask


def text_of(value: Any) -> str:
    """How a non-string field value compares with Sigma strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


class View:
    """Distinct texts of a column (lowercased or not) with the rows holding each."""

    __slots__ = (
        "_addresses",
        "_chars",
        "_index",
        "_joined",
        "_masks",
        "_positions",
        "_scanned",
        "_starts",
        "groups",
        "texts",
    )

    def __init__(self, texts: list[str], groups: list[list[int]]) -> None:
        self.texts = texts
        self.groups = groups  # rows of each text
        self._masks: list[int | None] = [None] * len(texts)
        self._joined: str | None = None
        self._starts: list[int] = []
        self._index: dict[str, int] | None = None
        self._positions: dict[str, array[int]] | None = None
        self._scanned = 0.0
        self._chars: frozenset[str] | None = None
        self._addresses: dict[int, tuple[list[int], list[int]]] | None = None

    def mask(self, j: int) -> int:
        found = self._masks[j]
        if found is None:
            found = self._masks[j] = mask_of(self.groups[j])
        return found

    def joined(self) -> str:
        if self._joined is None:
            starts = []
            pos = 1
            for text in self.texts:
                starts.append(pos)
                pos += len(text) + 1
            self._starts = starts
            self._joined = SEP + SEP.join(self.texts) + SEP
        return self._joined

    def eq(self, literal: str) -> int:
        if self._index is None:
            self._index = {text: j for j, text in enumerate(self.texts)}
        j = self._index.get(literal)
        return 0 if j is None else self.mask(j)

    def find(self, literal: str, where: str) -> list[int]:
        """Distinct values that contain / start with / end with ``literal``."""
        if not literal:
            return list(range(len(self.texts)))
        chars = self._chars
        if chars is None:
            chars = self._chars = frozenset(self.joined())
        if not chars.issuperset(literal):  # e.g. the 1,300 Unicode look-alikes one rule lists
            return []
        positions = self._positions
        if positions is not None and len(literal) >= 3:
            return self._find_indexed(positions, literal, where)
        if positions is None and self._scanned > len(self.joined()) * GRAM_INDEX_COST:
            # Scanning has cost as much as indexing would: index (ski rental, at most twice the
            # best choice). Columns that many rules test (CommandLine) get indexed in the first
            # batch; the raw text, searched by a few keywords, never.
            self._positions = _gram_positions(self.joined())
            return self.find(literal, where)
        started = perf_counter()
        found = self._find_scan(literal, where)
        self._scanned += perf_counter() - started
        return found

    def _find_indexed(self, positions: dict[str, array[int]], literal: str, where: str) -> list[int]:
        """Candidates are the places of the literal's rarest 3-gram; each is checked in place."""
        best: array[int] | None = None
        offset = 0
        for i in range(len(literal) - 2):
            places = positions.get(literal[i : i + 3])
            if places is None:
                return []  # a 3-gram that occurs nowhere: the literal cannot
            if best is None or len(places) < len(best):
                best, offset = places, i
        assert best is not None
        joined = self._joined or ""
        starts = self._starts
        texts = self.texts
        size = len(literal)
        found: set[int] = set()
        for place in best:
            at = place - offset
            if at < 1 or not joined.startswith(literal, at):
                continue
            j = bisect_right(starts, at) - 1
            start = starts[j]
            end = start + len(texts[j])
            if where == PREFIX:
                ok = at == start
            elif where == SUFFIX:
                ok = at + size == end
            else:
                ok = at + size <= end
            if ok:
                found.add(j)
        return sorted(found)

    def _find_scan(self, literal: str, where: str) -> list[int]:
        joined = self.joined()
        starts = self._starts
        texts = self.texts
        found: list[int] = []
        size = len(literal)
        needle = SEP + literal if where == PREFIX else literal + SEP if where == SUFFIX else literal
        pos = joined.find(needle)
        while pos != -1:
            at = pos + 1 if where == PREFIX else pos
            j = max(bisect_right(starts, at) - 1, 0)
            start = starts[j]
            end = start + len(texts[j])
            ok = (
                at == start
                if where == PREFIX
                else at + size == end
                if where == SUFFIX
                else at + size <= end and at >= start
            )
            if ok:
                found.append(j)
                pos = joined.find(needle, end + (0 if where == PREFIX else 1))
            else:
                pos = joined.find(needle, pos + 1)
        return found

    def union(self, members: list[int]) -> int:
        mask = 0
        for j in members:
            mask |= self.mask(j)
        return mask

    def select(self, test: Callable[[str], bool], members: Sequence[int] | None = None) -> int:
        texts = self.texts
        mask = 0
        for j in range(len(texts)) if members is None else members:
            if test(texts[j]):
                mask |= self.mask(j)
        return mask

    def cidr(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> int:
        """Values that are addresses inside ``network``: sorted address integers, bisected."""
        if self._addresses is None:
            by_version: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
            for j, text in enumerate(self.texts):
                address = _address(text)
                if address is not None:
                    by_version[address.version].append((int(address), j))
            self._addresses = {}
            for version, pairs in by_version.items():
                pairs.sort()
                self._addresses[version] = ([a for a, _ in pairs], [j for _, j in pairs])
        numbers, members = self._addresses[network.version]
        low = bisect_left(numbers, int(network.network_address))
        high = bisect_right(numbers, int(network.broadcast_address))
        return self.union(members[low:high])

    def search(self, pattern: re.Pattern[str], scan: re.Pattern[str] | None) -> int:
        """Values in which ``pattern`` is found. ``scan`` (the same regex with MULTILINE) runs once
        over the joined values to find candidates, each then confirmed on its own value."""
        if scan is None or len(self.texts) < 8:
            return self.select(lambda text: pattern.search(text) is not None)
        joined = self.joined()
        starts = self._starts
        texts = self.texts
        mask = 0
        pos = 0
        while True:
            hit = scan.search(joined, pos)
            if hit is None:
                return mask
            j = max(bisect_right(starts, hit.start()) - 1, 0)
            if pattern.search(texts[j]) is not None:
                mask |= self.mask(j)
            pos = starts[j] + len(texts[j]) + 1
            if j + 1 < len(starts):
                pos = max(pos, starts[j + 1])
            if pos >= len(joined):
                return mask


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
            return [_decode(raw) for raw in batch.raws]
        values = batch.columns.get(name)
        for alias in FIELD_ALIASES.get(name, ()):
            other = batch.columns.get(alias)
            if other is not None:
                values = (
                    other if values is None else [v if v is not None else o for v, o in zip(values, other, strict=True)]
                )
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


_regex_cache: dict[Any, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _regex_pair(regex: Regex) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    pattern = re.compile(regex.pattern, regex.flags)
    if _UNSAFE_SCAN.search(regex.pattern):
        return pattern, None
    return pattern, re.compile(regex.pattern, regex.flags | re.MULTILINE)


def _decode(raw: str) -> str:
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
        except ValueError:
            return None


_networks: dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network] = {}


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    found = _networks.get(text)
    if found is None:
        found = _networks[text] = ipaddress.ip_network(text, strict=False)
    return found


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    if text.startswith("::ffff:") and "." in text:
        text = text[7:]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _timestamp_part(text: str, part: str) -> int | None:
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if part == "week":
        return when.isocalendar().week
    return int(getattr(when, part))
