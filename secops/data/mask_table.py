"""``secops data mask``: recognise each column on a sample of the first chunk (the scan's
recognizers and category table), pick its operator from the policy, mask chunk by chunk and write
the output in the format of its suffix. The report counts changed cells per column, never values.
"""

from __future__ import annotations

import hashlib
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from secops.data import identifiers as ids
from secops.data.mask_operators import Keep, Operator, build_operator
from secops.data.mask_policy import MaskPolicy, load_policy
from secops.data.prefetch import prefetched
from secops.data.recognize import recognize_column
from secops.data.scan import classify_column
from secops.data.table_base import CHUNK_ROWS, Table, as_text
from secops.data.tables import format_of, open_table
from secops.errors import SecopsError
from secops.fsutil import check_output_path, write_text_atomic
from secops.i18n import _

KEY_BYTES = 32
SAMPLE = 500  # values per column to recognise it: enough for the 60% share rule, a fixed cost


def read_key(path: Path) -> bytes:
    """A key file: 32 random bytes, raw or as 64 hex characters."""
    if not path.is_file():
        raise SecopsError(
            _("{path}: no such key file").format(path=path), hint=_("create one with --new-key-file FILE")
        )
    data = path.read_bytes()
    text = data.strip()
    if len(text) == 2 * KEY_BYTES:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    if len(data) == KEY_BYTES:
        return data
    raise SecopsError(
        _("{path}: not a key file (32 random bytes, raw or 64 hex characters)").format(path=path),
        hint=_("create one with --new-key-file FILE"),
    )


def key_id(key: bytes) -> str:
    """A public fingerprint of a mask key (a labelled hash: it reveals nothing of the key), shown
    by mask and unmask so the holder can tell which key a table needs."""
    return hashlib.sha256(b"secops mask key id\0" + key).hexdigest()[:16]


def new_key_file(path: Path) -> bytes:
    """Create a key file readable by its owner only (0600); an existing file is never replaced."""
    if path.exists():
        raise SecopsError(
            _("{path}: already exists").format(path=path), hint=_("a key is never overwritten: choose another name")
        )
    key = secrets.token_bytes(KEY_BYTES)
    write_text_atomic(check_output_path(path), key.hex() + "\n", permissions=0o600)
    return key


@dataclass
class ColumnPlan:
    name: str
    kind: str | None
    label: str | None
    category: str | None
    sensitive: bool
    operator: Operator
    reason: str  # which part of the policy chose the operator: column | kind | category | sensitive | others
    changed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "kind": self.kind,
            "label": self.label,
            "category": self.category,
            "sensitive": self.sensitive,
            "operator": self.operator.name,
            "chosen_by": self.reason,
            "cells_changed": self.changed,
            "fallbacks": self.operator.fallbacks,
        }


@dataclass
class MaskReport:
    source: str
    output: str
    input_format: str
    output_format: str
    policy: str
    rows: int = 0
    ragged_rows: int = 0
    neutralised: int = 0
    truncated: int = 0
    minors_in_sample: int = 0
    seconds: float = 0.0
    key_id: str | None = None  # the key's public fingerprint when the run used one
    columns: list[ColumnPlan] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "output": self.output,
            "input_format": self.input_format,
            "output_format": self.output_format,
            "policy": self.policy,
            "rows": self.rows,
            "ragged_rows": self.ragged_rows,
            "formula_cells_neutralised": self.neutralised,
            "cells_truncated": self.truncated,
            "minors_under_14_in_sample": self.minors_in_sample,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
            "key_id": self.key_id,
            "columns": [c.as_dict() for c in self.columns],
        }


def sample_column(column: pa.Array) -> list[str]:
    text = as_text(column.slice(0, SAMPLE * 10))
    present = pc.filter(text, pc.and_(pc.is_valid(text), pc.not_equal(pc.utf8_trim_whitespace(text), "")))
    return [str(v) for v in present.slice(0, SAMPLE).to_pylist()]


def _minors(samples: list[list[str]], kinds: list[str | None], today: date) -> int:
    """Children under 14 among the sampled ID numbers (the ID column that shows most)."""
    counts = [0]
    for values, kind in zip(samples, kinds, strict=True):
        if kind not in ("id_card", "xueji"):
            continue
        count = 0
        for value in values:
            number = value[1:] if value[:1] in ("G", "J") else value
            born = ids.id_birth_date(number) if len(number) == 18 else None
            count += born is not None and ids.age_on(born, today) < 14
        counts.append(count)
    return max(counts)


def plan_columns(
    table: Table, first: pa.RecordBatch | None, policy: MaskPolicy, key: bytes | None, today: date
) -> tuple[list[ColumnPlan], int]:
    samples = [sample_column(c) for c in first.columns] if first is not None else [[] for _ in table.header]
    findings = [recognize_column(name, values) for name, values in zip(table.header, samples, strict=True)]
    minors = _minors(samples, [f.kind for f in findings], today)
    plans = []
    for name, finding in zip(table.header, findings, strict=True):
        # the scan's category table; minors: PIPL art. 28
        classified = classify_column(name, finding.kind, minor=minors > 0, median=finding.median)
        category, sensitive = classified.category, classified.sensitive
        rule = policy.rule_for(name, finding.kind, category)
        if rule is not None:
            reason = (
                "column"
                if rule.column and rule.matches_column(name)
                else "kind"
                if finding.kind in rule.kind
                else "category"
            )
            operator_name = rule.operator
        elif sensitive and policy.sensitive != "keep":
            reason, operator_name = "sensitive", policy.sensitive
        else:
            reason, operator_name = "others", policy.others
        operator = build_operator(operator_name, finding.kind, policy.parameters_of(rule), key)
        plans.append(ColumnPlan(name, finding.kind, finding.label, category, sensitive, operator, reason))
    return plans, minors


class _WriterThread:
    """Hands chunks to ``write`` in a thread (formatting and the file write release the GIL);
    in the caller's own thread when ``threaded`` is False (database connections stay in one)."""

    def __init__(self, write: Any, *, threaded: bool = True, depth: int = 2) -> None:
        self.write = write
        self.threaded = threaded
        self.chunks: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="mask-writer", daemon=True)
        if threaded:
            self.thread.start()

    def _run(self) -> None:
        while (batch := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.write(batch)
                except BaseException as error:  # raised in the caller's thread
                    self.error = error

    def put(self, batch: pa.RecordBatch) -> None:
        if not self.threaded:
            self.write(batch)
            return
        if self.error is not None:
            raise self.error
        self.chunks.put(batch)

    def close(self) -> None:
        if not self.threaded:
            return
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def same_target(source: str, output: str) -> bool:
    """True when writing ``output`` would overwrite ``source`` (also through links or ../)."""
    if format_of(source) == "sql" or format_of(output) == "sql":
        from secops.data.sqltables import same_table

        return format_of(source) == format_of(output) == "sql" and same_table(source, output)
    src, out = Path(source), Path(output)
    if src.resolve() == out.resolve():
        return True
    return out.exists() and src.exists() and os.path.samefile(src, out)


def _mask_batches(
    batches: Iterator[pa.RecordBatch], plans: list[ColumnPlan], header: list[str], out: _WriterThread
) -> None:
    for batch in batches:
        columns = []
        for plan, column in zip(plans, batch.columns, strict=True):
            if isinstance(plan.operator, Keep):
                columns.append(column)
                continue
            text = as_text(column)
            masked = plan.operator.apply(text)
            plan.changed += pc.sum(pc.not_equal(text, masked)).as_py() or 0
            columns.append(masked)
        out.put(pa.RecordBatch.from_arrays(columns, names=header))


Planner = Callable[[Table, pa.RecordBatch | None], tuple[list[ColumnPlan], int]]


def mask_table(
    source: str,
    output: str,
    *,
    policy: MaskPolicy | None = None,
    key: bytes | None = None,
    today: date | None = None,
    encoding: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_xlsx_mb: float | None = None,
) -> MaskReport:
    """Mask ``source`` (a file or SQL URL) into ``output`` following ``policy`` (the default
    policy when None). ``max_xlsx_mb``: see ``open_table``."""
    policy = policy or load_policy()
    chosen = policy

    def planner(table: Table, first: pa.RecordBatch | None) -> tuple[list[ColumnPlan], int]:
        return plan_columns(table, first, chosen, key, today or date.today())

    report = transform_table(
        source, output, planner, policy.id, encoding=encoding, chunk_rows=chunk_rows, max_xlsx_mb=max_xlsx_mb
    )
    if key is not None and any(plan.operator.needs_key for plan in report.columns):
        report.key_id = key_id(key)
    return report


def transform_table(
    source: str,
    output: str,
    planner: Planner,
    policy_id: str,
    *,
    encoding: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_xlsx_mb: float | None = None,
    check: Callable[[list[ColumnPlan]], None] | None = None,
    permissions: int | None = None,
) -> MaskReport:
    """Read ``source`` chunk by chunk, treat each column with the operator ``planner`` chose for it
    and write ``output``. ``check`` runs before the output is committed: raising there leaves
    nothing behind."""
    from secops.data.writers import open_writer

    started = time.perf_counter()
    out_format = format_of(output)
    if same_target(source, output):
        raise SecopsError(
            _("{path}: the output is the input").format(path=output), hint=_("write the output to another file")
        )
    table = open_table(source, chunk_rows=chunk_rows, max_xlsx_mb=max_xlsx_mb)
    batches = iter(table.batches)
    first = next(batches, None)
    plans, minors = planner(table, first)
    if out_format == "sql":
        from secops.data.sqltables import display

        output_shown = display(output)
    else:
        output_shown = output
    report = MaskReport(table.shown, output_shown, table.format, out_format, policy_id, columns=plans)
    report.minors_in_sample = minors
    out_encoding = encoding or (table.encoding if table.format == "csv" and table.encoding else "utf-8-sig")
    with open_writer(
        output,
        table.header,
        encoding=out_encoding,
        delimiter=table.delimiter,
        newline=table.newline,
        permissions=permissions,
    ) as writer:
        background = _WriterThread(writer.write, threaded=out_format != "sql")
        try:
            _mask_batches(
                chain([first] if first is not None else [], prefetched(batches)), plans, table.header, background
            )
        finally:
            background.close()
        if check is not None:
            check(plans)
    report.rows = writer.rows
    report.ragged_rows = table.ragged_rows
    report.neutralised = writer.neutralised
    report.truncated = writer.truncated
    report.seconds = time.perf_counter() - started
    return report
