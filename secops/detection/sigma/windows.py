"""The sliding-window aggregates of correlation rules: what each correlation type counts.

A window holds one group's member events between two indexes; the scanner in ``correlation``
adds and removes members as the window slides and asks whether the condition holds.
"""

from __future__ import annotations

import bisect
import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from typing import Any

from sigma.correlations import SigmaCorrelationType

from secops.detection.sigma.correlation_inputs import MISSING, CorrelationItem


class Window(ABC):
    """The aggregate of one group's sliding window; members are added and removed by index."""

    @abstractmethod
    def add(self, index: int) -> None: ...

    @abstractmethod
    def remove(self, index: int) -> None: ...

    @abstractmethod
    def reset(self) -> None: ...

    @abstractmethod
    def satisfied(self, start: int) -> bool: ...


class EventCount(Window):
    def __init__(self, test: Callable[[float], bool]) -> None:
        self.test = test
        self.count = 0

    def add(self, index: int) -> None:
        self.count += 1

    def remove(self, index: int) -> None:
        self.count -= 1

    def reset(self) -> None:
        self.count = 0

    def satisfied(self, start: int) -> bool:
        return self.test(self.count)


class ValueCount(Window):
    """Distinct non-null values of the condition field(s) in the window."""

    def __init__(self, values: list[Any], test: Callable[[float], bool]) -> None:
        self.values = values
        self.test = test
        self.counts: Counter[Any] = Counter()

    def add(self, index: int) -> None:
        value = self.values[index]
        if value is not MISSING:
            self.counts[value] += 1

    def remove(self, index: int) -> None:
        value = self.values[index]
        if value is not MISSING:
            self.counts[value] -= 1
            if not self.counts[value]:
                del self.counts[value]

    def reset(self) -> None:
        self.counts.clear()

    def satisfied(self, start: int) -> bool:
        return self.test(len(self.counts))


class ValueStat(Window):
    """Sum, average, median or percentile of the numeric values of the condition field."""

    def __init__(
        self, values: list[float | None], kind: SigmaCorrelationType, percentile: float, test: Callable[[float], bool]
    ) -> None:
        self.values = values
        self.kind = kind
        self.percentile = percentile
        self.test = test
        self.keeps_order = kind in (SigmaCorrelationType.VALUE_MEDIAN, SigmaCorrelationType.VALUE_PERCENTILE)
        self.total = 0.0
        self.count = 0
        self.ordered: list[float] = []  # the window's values, sorted (median/percentile only)

    def add(self, index: int) -> None:
        value = self.values[index]
        if value is None:
            return
        self.total += value
        self.count += 1
        if self.keeps_order:
            bisect.insort(self.ordered, value)

    def remove(self, index: int) -> None:
        value = self.values[index]
        if value is None:
            return
        self.total -= value
        self.count -= 1
        if self.keeps_order:
            del self.ordered[bisect.bisect_left(self.ordered, value)]

    def reset(self) -> None:
        self.total = 0.0
        self.count = 0
        self.ordered.clear()

    def satisfied(self, start: int) -> bool:
        if not self.count:
            return False
        if self.kind == SigmaCorrelationType.VALUE_SUM:
            return self.test(self.total)
        if self.kind == SigmaCorrelationType.VALUE_AVG:
            return self.test(self.total / self.count)
        return self.test(percentile_of(self.ordered, self.percentile))


class Temporal(Window):
    """Which referenced rules the window holds; the condition counts them or is a boolean expression."""

    def __init__(self, items: list[CorrelationItem], present: Callable[[Counter[int]], bool]) -> None:
        self.items = items
        self.present = present
        self.counts: Counter[int] = Counter()

    def add(self, index: int) -> None:
        self.counts.update(self.items[index].positions)

    def remove(self, index: int) -> None:
        self.counts.subtract(self.items[index].positions)

    def reset(self) -> None:
        self.counts.clear()

    def satisfied(self, start: int) -> bool:
        return self.present(self.counts)


class TemporalOrdered(Window):
    """Referenced rules in their listed order: ``best[k]`` is the latest start of a chain r0..rk."""

    def __init__(self, items: list[CorrelationItem], rules: int, test: Callable[[float], bool]) -> None:
        self.items = items
        self.test = test
        self.best: list[int] = [-1] * rules

    def add(self, index: int) -> None:
        # Descending, so one event does not fill two consecutive positions of the chain.
        for position in sorted(self.items[index].positions, reverse=True):
            if position == 0:
                self.best[0] = index
            elif self.best[position - 1] >= 0:
                self.best[position] = max(self.best[position], self.best[position - 1])

    def remove(self, index: int) -> None:
        pass  # chains that start before the window are excluded in satisfied()

    def reset(self) -> None:
        self.best = [-1] * len(self.best)

    def satisfied(self, start: int) -> bool:
        length = 0
        for begin in self.best:
            if begin < start:
                break
            length += 1
        return self.test(length)


def percentile_of(ordered: list[float], percentile: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * min(max(percentile, 0.0), 100.0) / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
