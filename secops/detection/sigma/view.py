"""Distinct values of one column of a batch, scanned together; the lowest layer of ``batch``.

A view groups a column's texts (lowercased or not) by distinct value with a row bitmask for each,
joins them with ``SEP`` for one ``str.find`` or ``re`` scan, and builds a 3-gram index once
scanning has cost as much as indexing would (see ``batch`` for the whole picture).
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

from secops.detection.sigma.atoms import PREFIX, SUFFIX

SEP = "\n"
GRAM_INDEX_COST = 2.5e-7  # seconds per character to build a 3-gram index (CPython, measured)
# lookaround and absolute anchors would see the neighbouring value in a joined scan
UNSAFE_SCAN = re.compile(r"\(\?<?[=!]|\\[AZ]")


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
