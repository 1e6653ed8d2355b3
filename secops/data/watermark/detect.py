"""Detection: tally the bits a suspect copy holds, score every release, and decide.

Each chosen cell votes for the bit (parity XOR its pseudo-random mask) at its fingerprint
position; the majority per position decodes the copy's fingerprint. Cells are not independent
evidence (a copy marked for someone else repeats that recipient's bit at every cell of a
position), positions are: whether the copy is unmarked (masked parities are fair coins) or marked
for another recipient (an independent random fingerprint), a decoded position agrees with an
innocent release's bit with probability 1/2, independently. The false-accusation bound is
P[Binomial(decoded positions, 1/2) >= agreeing positions], times the number of releases tested
(union bound); fingerprints are independent, so this holds for a copy marked for someone else too.
A recipient is named only when that is below the threshold and no other recipient's is: two
(a mixed or colluders' copy) are reported as ambiguous rather than one picked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secops.data.watermark.cells import read_bit
from secops.data.watermark.colview import Column, pick
from secops.data.watermark.prf import Selector
from secops.data.watermark.scheme import Scheme
from secops.data.watermark.stats import log10_tail, show_bound

THRESHOLD = 1e-9


@dataclass
class Tally:
    """Observed (bit XOR mask) counts per fingerprint position: ``counts[pos][bit]``."""

    length: int
    counts: list[list[int]] = field(default_factory=list)
    rows: int = 0
    carriers_read: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [[0, 0] for _ in range(self.length)]

    @property
    def cells(self) -> int:
        return sum(a + b for a, b in self.counts)

    def decoded(self) -> dict[int, int]:
        """The majority bit per position (positions without votes or tied are left out)."""
        return {pos: int(one > zero) for pos, (zero, one) in enumerate(self.counts) if zero != one}

    def matches(self, fingerprint: int) -> tuple[int, int]:
        """(agreeing positions, decoded positions)."""
        bits = self.decoded()
        return sum(1 for pos, bit in bits.items() if (fingerprint >> pos) & 1 == bit), len(bits)


def observe_columns(selector: Selector, scheme: Scheme, columns: Mapping[str, Column], tally: Tally) -> None:
    """Add one chunk's chosen cells to the tally (carriers missing from the copy are skipped)."""
    words = selector.rows([columns[name] for name in scheme.identity])
    tally.rows += len(words)
    counts = tally.counts
    for carrier in scheme.carriers:
        values = columns.get(carrier.column)
        if values is None:
            continue
        tally.carriers_read.add(carrier.column)
        cells = selector.chosen(words, carrier.column)
        for value, position, mask in zip(
            pick(values, cells.rows), cells.positions.tolist(), cells.masks.tolist(), strict=True
        ):
            bit = read_bit(value, carrier)
            if bit is not None:
                counts[position][bit ^ mask] += 1


@dataclass(frozen=True)
class Candidate:
    release_id: int
    recipient: str
    mark_id: str
    matches: int
    total: int  # decoded fingerprint positions (or tokens checked)
    log10_bound: float  # for this release alone
    cells: int = 0  # marked cells read

    def as_dict(self, tests: int) -> dict[str, Any]:
        adjusted = min(0.0, self.log10_bound + math.log10(max(tests, 1)))
        return {
            "release": self.release_id,
            "recipient": self.recipient,
            "mark_id": self.mark_id,
            "matches": self.matches,
            "total": self.total,
            "cells": self.cells,
            "bound": 10**adjusted if adjusted > -300 else 0.0,
            "log10_bound": round(adjusted, 3),
            "bound_text": show_bound(adjusted),
        }


@dataclass(frozen=True)
class Verdict:
    named: Candidate | None
    candidates: list[Candidate]  # best first
    tests: int
    reason: str  # named | no_mark | ambiguous | no_cells

    def as_dict(self) -> dict[str, Any]:
        named = self.named.as_dict(self.tests) if self.named else None
        return {
            "verdict": self.reason,
            "recipient": named["recipient"] if named else None,
            "matches": named["matches"] if named else None,
            "total": named["total"] if named else None,
            "bound": named["bound"] if named else None,
            "log10_bound": named["log10_bound"] if named else None,
            "threshold": THRESHOLD,
            "releases_tested": self.tests,
            "candidates": [c.as_dict(self.tests) for c in self.candidates[:10]],
        }


def candidate(release_id: int, recipient: str, mark_id: str, tally: Tally, fingerprint: int) -> Candidate:
    matches, total = tally.matches(fingerprint)
    return Candidate(release_id, recipient, mark_id, matches, total, log10_tail(total, matches), tally.cells)


def decide(scored: Sequence[Candidate], threshold: float = THRESHOLD) -> Verdict:
    """``scored``: one candidate per test made (each release, each recipient's tokens)."""
    tests = len(scored)
    ordered = sorted(scored, key=lambda item: (item.log10_bound, -item.matches))
    candidates = list(ordered)
    if not ordered or all(item.total == 0 for item in ordered):
        return Verdict(None, candidates, tests, "no_cells")
    limit = math.log10(threshold) - math.log10(tests)
    best = ordered[0]
    if best.log10_bound >= limit:
        return Verdict(None, candidates, tests, "no_mark")
    rivals = [item for item in ordered[1:] if item.recipient != best.recipient]
    if rivals and rivals[0].log10_bound < limit:
        # two recipients each beyond chance (a mixed or colluders' copy): refuse to pick one
        return Verdict(None, candidates, tests, "ambiguous")
    return Verdict(best, candidates, tests, "named")
