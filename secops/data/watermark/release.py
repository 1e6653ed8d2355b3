"""``watermark embed``: mark a copy of a table for one recipient and record the release."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from secops.data.recognize import recognize_column
from secops.data.table_base import to_array
from secops.data.watermark import pseudonyms, tableio
from secops.data.watermark.columns import plan_layout
from secops.data.watermark.colview import with_changes
from secops.data.watermark.embed import EmbedStats, embed_columns
from secops.data.watermark.keys import key_id
from secops.data.watermark.ledger import record_release
from secops.data.watermark.prf import Selector, fingerprint
from secops.data.watermark.scheme import GAMMA, Scheme
from secops.errors import SecopsError
from secops.i18n import _
from secops.store import Store


@dataclass(frozen=True)
class EmbedOptions:
    identity: tuple[str, ...] = ()
    carriers: tuple[str, ...] = ()
    gamma: int = GAMMA
    pseudonymize: bool = False


@dataclass
class ReleaseResult:
    release_id: int | None
    mark_id: str
    recipient: str
    key_id: str
    scheme: Scheme
    stats: EmbedStats
    pseudonymized: list[str]
    output: str
    source_name: str = ""  # the file's name, or the SQL URL with its password hidden

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release_id,
            "recipient": self.recipient,
            "output": self.output,
            "mark_id": self.mark_id,
            "key_id": self.key_id,
            "identity": list(self.scheme.identity),
            "carriers": [c.as_dict() for c in self.scheme.carriers],
            "gamma": self.scheme.gamma,
            "pseudonymized": self.pseudonymized,
            **self.stats.as_dict(),
        }


def _pseudonym_columns(header: list[str], samples: list[list[Any]], identity: tuple[str, ...]) -> list[int]:
    found = []
    for index, name in enumerate(header):
        values = [str(v) for v in samples[index] if v is not None and str(v).strip()]
        if name in identity or recognize_column(name, values).kind in pseudonyms.KINDS:
            found.append(index)
    return found


def _name(table_path: Path | str, fmt: str) -> str:
    return str(table_path) if fmt == "sql" else Path(table_path).name


def mark_table(
    source: Path | str, output: Path | str, *, key: bytes, recipient: str, mark_id: str, options: EmbedOptions
) -> ReleaseResult:
    """Write ``output``: ``source`` with the release's fingerprint (and tokens if asked)."""
    if options.gamma < 2:
        raise SecopsError(_("--gamma must be at least 2"), hint=_("10 marks about one cell in ten of each carrier"))
    tableio.check_paths(source, output)
    table = tableio.read_table(source)
    header = table.header
    first, batches = tableio.peek(table)
    samples = tableio.sample_columns(first, len(header))
    tokenized: list[int] = []
    token_key = pseudonyms.recipient_key(key, recipient)
    if options.pseudonymize:
        layout0 = plan_layout(header, samples, identity=options.identity, carriers=options.carriers)
        tokenized = _pseudonym_columns(header, samples, layout0.identity)
        for column in tokenized:
            samples[column] = [pseudonyms.token(v, token_key) for v in samples[column]]
    layout = plan_layout(header, samples, identity=options.identity, carriers=options.carriers)
    scheme = Scheme(layout.identity, layout.identity_kinds, layout.carriers, options.gamma)
    selector = Selector(key, scheme.gamma, scheme.length)
    marks = fingerprint(key, mark_id, scheme.length)
    position = {name: i for i, name in enumerate(header)}
    needed = {name: position[name] for name in (*scheme.identity, *(c.column for c in scheme.carriers))}
    stats = EmbedStats()

    def marked() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            arrays = list(batch.columns)
            for index in tokenized:
                arrays[index] = to_array([pseudonyms.token(v, token_key) for v in arrays[index].to_pylist()])
            columns = {name: arrays[index] for name, index in needed.items()}
            changes, batch_stats = embed_columns(selector, scheme, marks, columns)
            by_column: dict[str, tuple[list[int], list[Any]]] = {}
            for name, row, value in changes:
                rows, values = by_column.setdefault(name, ([], []))
                rows.append(row)
                values.append(value)
            for name, (rows, values) in by_column.items():
                arrays[position[name]] = with_changes(arrays[position[name]], rows, values)
            stats.add(batch_stats)
            yield pa.RecordBatch.from_arrays(arrays, names=header)
        if not tokenized and not sum(stats.marked.values()):
            # raised inside the write, so the writer keeps no copy and nothing is recorded
            carriers = ", ".join(c.column for c in scheme.carriers)
            raise SecopsError(
                _("no cell of {carriers} received a mark ({rows:,} rows): this copy could not be traced").format(
                    carriers=carriers, rows=stats.rows
                ),
                hint=_("mark a table with more rows, add carriers (--carrier), lower --gamma, or use --pseudonymize"),
            )

    tableio.write_batches(output, table, marked())
    output_name = tableio.display_name(output)
    tokens = [header[i] for i in tokenized]
    return ReleaseResult(
        None, mark_id, recipient, key_id(key), scheme, stats, tokens, output_name, _name(table.shown, table.format)
    )


def release(
    store: Store,
    source: Path | str,
    output: Path | str,
    *,
    key: bytes,
    recipient: str,
    now: datetime,
    options: EmbedOptions,
) -> ReleaseResult:
    """Mark the copy, then record it in the ledger (a failed write records nothing)."""
    if not recipient.strip():
        raise SecopsError(_("the recipient is empty"), hint=_("--recipient names who receives this copy"))
    mark_id = secrets.token_hex(8)
    result = mark_table(source, output, key=key, recipient=recipient.strip(), mark_id=mark_id, options=options)
    result.release_id = record_release(
        store,
        mark_id=mark_id,
        recipient=result.recipient,
        now=now,
        source_name=result.source_name,
        output_name=result.output,
        rows=result.stats.rows,
        key_id=result.key_id,
        scheme=result.scheme,
        marked_cells=sum(result.stats.marked.values()),
        changed_cells=sum(result.stats.changed.values()),
        pseudonymized=result.pseudonymized,
    )
    return result
