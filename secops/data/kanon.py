"""k-anonymity of a table's quasi-identifiers (birth date, sex, class, school, district...):
k is the size of the smallest group of rows that share one combination of their values.

Counts per combination come from pyarrow ``group_by`` on each batch and are merged as batches
arrive, in memory bounded by ``limit`` distinct combinations. Past the limit the exact k is not
kept; what remains true is said instead: k <= rows / combinations seen, since the smallest group
is no larger than the average one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

GROUP_LIMIT = 2_000_000  # distinct combinations kept (a few hundred MB at most for short texts)


@dataclass(frozen=True)
class KAnonymityResult:
    columns: list[str]
    k: int | None  # exact k, or None when not computed (no quasi-identifier, or past the limit)
    groups: int  # distinct combinations (at least this many when ``exceeded``)
    unique_rows: int | None  # rows alone in their group (re-identifiable by these columns alone)
    rows: int
    exceeded: bool = False
    k_at_most: int | None = None  # an upper bound when exceeded

    def as_dict(self) -> dict[str, Any]:
        return {
            "quasi_identifiers": self.columns,
            "k": self.k,
            "groups": self.groups,
            "unique_rows": self.unique_rows,
            "unique_share": round(self.unique_rows / self.rows, 4)
            if self.unique_rows is not None and self.rows
            else None,
            "exceeded_limit": self.exceeded,
            "k_at_most": self.k_at_most,
        }


class KAnonymity:
    """Feed it the quasi-identifier columns (as text) batch by batch; ``result()`` at the end."""

    def __init__(self, columns: list[str], limit: int = GROUP_LIMIT) -> None:
        self.columns = columns
        self.limit = limit
        self.names = [f"q{i}" for i in range(len(columns))]
        self.merged: pa.Table | None = None
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0
        self.exceeded = False
        self.seen_groups = 0

    def add(self, arrays: list[pa.Array]) -> None:
        if not self.columns or not arrays or not len(arrays[0]):
            return
        self.rows += len(arrays[0])
        if self.exceeded:
            return
        counts = (
            pa.table(dict(zip(self.names, arrays, strict=True))).group_by(self.names).aggregate([([], "count_all")])
        )
        self.pending.append(counts.rename_columns([*self.names, "n"]))
        self.pending_rows += counts.num_rows
        # merge when the partial counts outgrow what is merged: amortised, never above the limit
        if self.pending_rows > max(self.limit // 4, self.merged.num_rows if self.merged is not None else 0):
            self._merge()

    def _merge(self) -> None:
        parts = ([self.merged] if self.merged is not None else []) + self.pending
        self.pending, self.pending_rows = [], 0
        if not parts:
            return
        merged = pa.concat_tables(parts).group_by(self.names).aggregate([("n", "sum")])
        self.merged = merged.rename_columns([*self.names, "n"])
        if self.merged.num_rows > self.limit:
            self.exceeded, self.seen_groups, self.merged = True, self.merged.num_rows, None

    def result(self) -> KAnonymityResult:
        if not self.columns or not self.rows:
            return KAnonymityResult(self.columns, None, 0, None, self.rows)
        self._merge()
        if self.exceeded or self.merged is None:
            return KAnonymityResult(
                self.columns, None, self.seen_groups, None, self.rows, True, max(1, self.rows // self.seen_groups)
            )
        sizes = self.merged.column("n")
        unique = int(pc.sum(pc.equal(sizes, 1)).as_py() or 0)
        return KAnonymityResult(self.columns, int(pc.min(sizes).as_py()), self.merged.num_rows, unique, self.rows)
