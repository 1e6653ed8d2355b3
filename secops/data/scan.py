"""``secops data scan``: per column the identifier found, category, level and the sensitive-PI flag;
per table the highest level (就高从严), minors under 14 found from ID birth dates, 重要/核心数据
candidates by scale, and the k-anonymity of the quasi-identifiers.

Columnar: each column's kind is recognised on a sample, then every row of every batch is counted
with column kernels (``identifiers.*_valid_array``), so hit counts, minors and k are exact, not
sampled. Categories, levels and thresholds come from a category table (content,
``rules/data/categories/education.yml`` by default; ``categories.py``). All personal information
of a child under 14 is sensitive (PIPL art. 28): one minor makes every personal column sensitive.
Every column is reported: one left without a category says why (empty, no header keyword and no
value pattern, a pattern below the share, numbers out of a category's range), never with a value.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from secops.data.categories import CategoryTable, Classification, ScaleRule, load_categories
from secops.data.kanon import GROUP_LIMIT, KAnonymity, KAnonymityResult
from secops.data.prefetch import prefetched
from secops.data.recognize import BY_KIND, MIN_SHARE, ColumnFinding, confidence, recognize_array
from secops.data.scan_columns import ColumnCount, take_sample
from secops.data.table_base import CHUNK_ROWS, as_text
from secops.data.tables import open_table

COUNT_THREADS = 2
LEVEL_NAMES = {1: "一般数据 1 级", 2: "一般数据 2 级", 3: "一般数据 3 级", 4: "一般数据 4 级"}


def classify_column(
    header: str,
    kind: str | None,
    *,
    minor: bool = False,
    categories: CategoryTable | None = None,
    median: float | None = None,
) -> Classification:
    """A column's category, level and sensitive flag from its identifier kind and header, by the
    category table (the shipped education table by default); ``minor`` when the table holds a
    child under the table's minor age; ``median`` of its numbers for the categories' ranges."""
    return (categories or load_categories()).classify(header, kind, minor=minor, median=median)


def unrecognised(
    finding: ColumnFinding, classification: Classification, present: int, table: CategoryTable
) -> tuple[str, str] | None:
    """Why a column has no category: (code, the reason a person reads), None when it has one.
    The reason names kinds, categories and shares, never a value of the column."""
    if classification.category is not None:
        return None
    if not present:
        return "empty", "空列：没有非空值"
    if finding.kind is not None:
        return "kind_without_category", f"识别为{finding.label}，但分类表 {table.id} 没有该类型的类别"
    rejected = table.out_of_range(finding.column, finding.median)
    if rejected is not None:
        return "out_of_range", f"表头像{rejected.name}，但取值的数值不在该类别的合理范围内"
    if finding.nearest is not None and finding.sampled:
        label = BY_KIND[finding.nearest].label
        share = finding.nearest_hits / finding.sampled
        return (
            "below_threshold",
            f"表头不匹配任何类别；样本中 {share:.0%} 的值像{label}，低于识别阈值 {MIN_SHARE:.0%}",
        )
    return "no_match", "表头和取值都不匹配任何类别"


def __getattr__(name: str) -> Any:
    """``CATEGORIES`` (kind -> (category, level, sensitive)) and ``HEADER_CATEGORIES`` of the
    shipped table, for code that lists the known categories."""
    table = load_categories()
    if name == "CATEGORIES":
        return {k: (c.name, level, c.sensitive) for c in table.categories for k, level in c.kinds.items()}
    if name == "HEADER_CATEGORIES":
        return tuple(
            (tuple(c.headers), c.name, c.header_level or c.level, c.sensitive) for c in table.categories if c.headers
        )
    raise AttributeError(name)


@dataclass
class ColumnReport:
    name: str
    kind: str | None
    label: str | None
    category: str | None
    level: int
    sensitive: bool
    confidence: str
    hits: int = 0
    rows: int = 0
    present: int = 0  # non-empty values
    examples: list[str] = field(default_factory=list)
    personal: bool = False
    quasi: bool = False
    decided_by: str = "none"  # kind | header | none
    # no category: why (empty | kind_without_category | out_of_range | below_threshold | no_match)
    unrecognised: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "kind": self.kind,
            "label": self.label,
            "category": self.category,
            "level": self.level,
            "level_name": LEVEL_NAMES.get(self.level, "—"),
            "sensitive": self.sensitive,
            "personal": self.personal,
            "quasi_identifier": self.quasi,
            "decided_by": self.decided_by,
            "confidence": self.confidence,
            "hits": self.hits,
            "present": self.present,
            "rows": self.rows,
            "share": round(self.hits / self.present, 4) if self.present else None,
            "examples": self.examples,
            "recognised": self.category is not None,
            "unrecognised": self.unrecognised,
            "reason": self.reason,
        }


@dataclass
class TableReport:
    path: str
    format: str
    encoding: str | None
    rows: int
    columns: list[ColumnReport]
    minors: int
    level: int
    kanon: KAnonymityResult
    ragged_rows: int
    individuals: int = 0
    sensitive_individuals: int = 0
    candidates: list[ScaleRule] = field(default_factory=list)
    categories: str = "education"
    minor_age: int = 14
    seconds: float = 0.0

    @property
    def k_anonymity(self) -> int | None:
        return self.kanon.k

    @property
    def quasi_identifiers(self) -> list[str]:
        return self.kanon.columns

    @property
    def important_candidate(self) -> bool:
        return bool(self.candidates)

    @property
    def grade(self) -> str:
        """核心数据候选 / 重要数据候选 / the level's name."""
        if self.candidates:
            return f"{self.candidates[0].grade}候选"
        return LEVEL_NAMES.get(self.level, "无个人信息")

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "level": self.level,
            "level_name": LEVEL_NAMES.get(self.level, "无个人信息"),
            "grade": self.grade,
            "candidates": [{"grade": c.grade, "note": c.note} for c in self.candidates],
            "important_data_candidate": self.important_candidate,
            "individuals": self.individuals,
            "sensitive_individuals": self.sensitive_individuals,
            "minors_under_14": self.minors,
            "minor_age": self.minor_age,
            "k_anonymity": self.kanon.k,
            "quasi_identifiers": self.kanon.columns,
            "k_anonymity_detail": self.kanon.as_dict(),
            "ragged_rows": self.ragged_rows,
            "category_table": self.categories,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
            "columns": [c.as_dict() for c in self.columns],
        }


def scan_table(
    source: Path | str,
    *,
    today: date | None = None,
    categories: CategoryTable | None = None,
    chunk_rows: int = CHUNK_ROWS,
    group_limit: int = GROUP_LIMIT,
    max_xlsx_mb: float | None = None,
) -> TableReport:
    """Scan a file or SQL URL: recognise each column on a sample, then count over every row.
    ``max_xlsx_mb``: see ``open_table``."""
    started = time.perf_counter()
    today = today or date.today()
    table_def = categories or load_categories()
    table = open_table(source, chunk_rows=chunk_rows, ordered=False, max_xlsx_mb=max_xlsx_mb)  # counts need no order
    header = table.header
    batches = prefetched(iter(table.batches))
    head, samples = take_sample(batches, len(header))
    findings = [recognize_array(name, sample) for name, sample in zip(header, samples, strict=True)]
    classes = [table_def.classify(name, f.kind, median=f.median) for name, f in zip(header, findings, strict=True)]
    # every column is counted (non-empty values; hits and masked examples only where a kind was
    # found), so that a column left without a category can say why, an empty one included
    counts = {
        index: ColumnCount(f, today=today, minor_age=table_def.minor_age, examples=True)
        for index, f in enumerate(findings)
    }
    # a date column whose header names another category (体检日期) is not a birth date
    quasi = [
        i
        for i, name in enumerate(header)
        if table_def.is_quasi(name, findings[i].kind if classes[i].by != "header" else None)
    ]
    kanon = KAnonymity([header[i] for i in quasi], group_limit)
    rows = minors = individuals = sensitive_rows = 0
    with ThreadPoolExecutor(COUNT_THREADS, thread_name_prefix="scan-count") as pool:
        for batch in chain(head, batches):
            size = batch.num_rows
            rows += size
            personal, sensitive, minor = (np.zeros(size, bool) for _ in range(3))
            # columns are counted on two threads: the kernels release the GIL
            results = pool.map(ColumnCount.consume, counts.values(), [batch.column(i) for i in counts])
            for index, (present, under) in zip(counts, results, strict=True):
                if classes[index].personal:
                    personal |= present
                if classes[index].sensitive:
                    sensitive |= present
                if under is not None:
                    minor |= under
            minors += int(minor.sum())
            individuals += int(personal.sum())
            sensitive_rows += int((sensitive | minor).sum())
            kanon.add([as_text(batch.column(i)) for i in quasi])
    columns = []
    for index, (name, finding) in enumerate(zip(header, findings, strict=True)):
        final = table_def.classify(name, finding.kind, minor=minors > 0, median=finding.median)
        counted = counts[index]
        hits, filled = counted.hits, counted.present
        why = unrecognised(finding, final, filled, table_def)
        columns.append(
            ColumnReport(
                name,
                finding.kind,
                finding.label,
                final.category,
                final.level,
                final.sensitive,
                confidence(name, finding.kind, hits, filled) if finding.kind else "none",
                hits,
                rows,
                filled,
                counted.examples,
                final.personal,
                index in quasi,
                final.by,
                *(why or (None, None)),
            )
        )
    level = max((c.level for c in columns), default=0)
    shown = table.shown
    return TableReport(
        path=shown,
        format=table.format,
        encoding=table.encoding,
        rows=rows,
        columns=columns,
        minors=minors,
        level=level,
        kanon=kanon.result(),
        ragged_rows=table.ragged_rows,
        individuals=individuals,
        sensitive_individuals=sensitive_rows,
        candidates=table_def.candidates_for(level, individuals, sensitive_rows, minors),
        categories=table_def.id,
        minor_age=table_def.minor_age,
        seconds=time.perf_counter() - started,
    )
