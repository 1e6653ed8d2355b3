"""CSV tables: the encoding detected from the first MiB, the delimiter from the header line, then
pyarrow's streaming parser with every column as text. Ragged rows (more or fewer cells than the
header) are padded or cut and put back in their place, so row order is kept and nothing is lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from secops.data.table_base import Table, batch_of, fit_row
from secops.errors import SecopsError
from secops.i18n import N_, _

CSV_BLOCK_BYTES = 16 << 20  # also the longest CSV row read (the old 16 MiB cell limit)
ENCODING_HINT = N_("convert the file to UTF-8, e.g. iconv -f <encoding> -t utf-8 (UTF-16 needs its BOM)")
SAMPLE_CHARS = 64 * 1024  # the header and the delimiter are read from this much
RESAVE_HINT = N_("open it in Excel or WPS and save it again as CSV UTF-8, or export the table again")
# Ragged rows are re-read with the csv module, whose 128 KiB cell limit would stop a row pyarrow
# accepts: the limit follows the parser's (only ever raised, the setting is process-wide).
csv.field_size_limit(max(csv.field_size_limit(), CSV_BLOCK_BYTES))


def _quiet_bad_ragged_rows(hook: Any) -> Any:
    """pyarrow decodes a ragged row's text before calling our handler and, when the bytes are not
    UTF-8, reports that through sys.unraisablehook (a traceback on stderr) and then stops with an
    ArrowInvalid, which ``_csv_error`` turns into one located error: only that report is dropped."""

    def filtered(unraisable: Any) -> None:
        handler = getattr(unraisable.object, "__qualname__", "")
        if isinstance(unraisable.exc_value, UnicodeDecodeError) and handler.startswith("read_csv."):
            return
        hook(unraisable)

    return filtered


sys.unraisablehook = _quiet_bad_ragged_rows(sys.unraisablehook)


def detect_encoding(path: Path, probe_bytes: int = 1 << 20) -> str:
    """utf-8-sig, utf-16 (with its BOM: Excel's "Unicode text" export), utf-8 or gb18030 (a
    superset of GBK/GB2312), from the first MiB."""
    with path.open("rb") as handle:
        head = handle.read(probe_bytes)
        whole = not handle.read(1)  # the probe is the whole file: a cut character is a cut file
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    candidates: tuple[str, ...] = ("utf-8", "gb18030")
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # UTF-32: no spreadsheet writes it
        candidates = ()
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
        if whole and len(head) % 2:
            raise SecopsError(
                _(
                    "{path}: byte {byte:,}: the UTF-16 file ends in the middle of a character (an odd number of "
                    "bytes): it was cut short"
                ).format(path=path, byte=len(head) - 1),
                hint=_("copy or export the file again"),
            )
    furthest: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4 and not whole:  # a character cut by the probe's end
                return encoding
            if furthest is None or error.start > furthest.start:
                furthest = error
    where = ""
    if furthest is not None:
        line = _line_at(head, furthest.start, furthest.encoding)
        where = _(": line {line} (byte {byte:,}) is not valid {encoding}").format(
            line=line, byte=furthest.start, encoding=_name(furthest.encoding)
        )
    raise SecopsError(
        _("{path}: unknown text encoding (neither UTF-8, UTF-16 nor GB18030/GBK)").format(path=path) + where,
        hint=_(ENCODING_HINT),
    )


def _name(encoding: str) -> str:
    encoding = encoding.lower()
    if encoding.startswith("utf-16"):
        return "UTF-16"
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030/GBK"}.get(encoding, encoding)


def _line_at(data: bytes, offset: int, encoding: str) -> int:
    """The 1-based line of byte ``offset`` of ``data`` (text in ``encoding``)."""
    if encoding.lower().startswith("utf-16"):
        return data[:offset].decode(encoding, "replace").count("\n") + 1
    return data[:offset].count(b"\n") + 1  # no UTF-8 or GB18030 multi-byte character holds 0x0A


def locate_bad_bytes(path: Path, encoding: str, step: int = 1 << 20) -> tuple[int, int] | None:
    """(line, byte offset) of the first bytes of ``path`` not valid in ``encoding``, or None.

    Only called once reading has failed: it streams the file, so its cost is a second pass."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines = 0, 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(step)
            final = not block
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError as error:
                before = error.object[: error.start]
                lines += codecs.decode(before, encoding, "replace").count("\n") if before else 0
                return lines + 1, max(offset - pending + error.start, 0)
            lines += text.count("\n")
            offset += len(block)
            if final:
                return None


def _check_head(path: Path, encoding: str) -> None:
    """NUL bytes in the first MiB: a binary file or UTF-16 without its BOM, never a CSV to read."""
    if encoding.startswith("utf-16"):
        return
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    nul = head.find(b"\0")
    if nul < 0:
        return
    line = head[:nul].count(b"\n") + 1
    probe = head[:256]
    zeros = max(probe[0::2].count(0), probe[1::2].count(0))  # UTF-16 of ASCII: every other byte is NUL
    what = _("UTF-16 without its byte order mark") if zeros * 3 >= len(probe) // 2 else _("binary")
    raise SecopsError(
        _("{path}: line {line} (byte {byte:,}): NUL bytes, which no CSV holds: the file looks {what}").format(
            path=path, line=line, byte=nul, what=what
        ),
        hint=_(RESAVE_HINT),
    )


def _check_line_lengths(path: Path, step: int = 1 << 20) -> None:
    """A line longer than a parser block, found before the parser runs. For encodings other than
    UTF-8 pyarrow decodes through Python from its own reader thread; stopping it on a too-long
    row left that thread calling into an interpreter that was shutting down (a fatal abort
    instead of exit 2), so such rows are refused here, in this thread, with their line number."""
    line, since_newline = 1, 0  # blocks are far shorter than the limit: only a run across blocks can exceed it
    with path.open("rb") as handle:
        while block := handle.read(step):
            first = block.find(b"\n")
            if first < 0:
                since_newline += len(block)
                if since_newline > CSV_BLOCK_BYTES:
                    break
                continue
            if since_newline + first > CSV_BLOCK_BYTES:
                break
            line += block.count(b"\n")
            since_newline = len(block) - block.rfind(b"\n") - 1
        else:
            return
    raise SecopsError(
        _("{path}: line {line:,} is longer than {size} MiB").format(path=path, line=line, size=CSV_BLOCK_BYTES >> 20),
        hint=_("split the huge cell or export the table as JSON lines"),
    )


def _check_header_line(path: Path, sample: str) -> None:
    """A CR alone inside the header line of a file whose lines end in LF: pyarrow would end the
    header there and shift every column after it, so it is refused (a file of CR-only line ends,
    old Mac style, is read with CR as its line end)."""
    end = sample.find("\n")
    if end < 0:
        return
    line = sample[:end].removesuffix("\r")
    position = line.find("\r")
    while position >= 0:
        if line.count('"', 0, position) % 2 == 0:  # outside quotes
            raise SecopsError(
                _(
                    "{path}: line 1 (character {position}): a carriage return (CR) alone inside the header row cuts "
                    "it in two"
                ).format(path=path, position=position + 1),
                hint=_("remove the line break from the header cell, or {hint}").format(hint=_(RESAVE_HINT)),
            )
        position = line.find("\r", position + 1)


def read_csv(path: Path, chunk_rows: int, *, threads: bool = False) -> Table:
    import pyarrow.csv as pacsv

    encoding = detect_encoding(path)
    _check_head(path, encoding)
    if not encoding.startswith("utf-8"):
        _check_line_lengths(path)
    with path.open("r", encoding=encoding, newline="", errors="replace") as handle:
        sample = handle.read(SAMPLE_CHARS)
        longer = bool(handle.read(1))
    if longer and not any(end in sample for end in "\r\n"):
        raise SecopsError(
            _("{path}: line 1: no line end in the first {size} KiB: not a CSV table with a header row").format(
                path=path, size=SAMPLE_CHARS >> 10
            ),
            hint=_(RESAVE_HINT),
        )
    _check_header_line(path, sample)
    dialect = _dialect(sample)
    try:
        header = next(csv.reader(io.StringIO(sample, newline=""), dialect), None)
    except csv.Error:  # what the parser says can quote the row: never shown
        raise SecopsError(
            _("{path}: line 1: the header row is not readable as CSV").format(path=path), hint=_(RESAVE_HINT)
        ) from None
    if not header or not any(name.strip() for name in header):
        raise SecopsError(_("{path}: no header row").format(path=path))
    newline = "\r\n" if "\r\n" in sample or "\n" not in sample else "\n"
    table = Table(path, "csv", [h.strip() for h in header], encoding, dialect.delimiter, newline)
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    ragged: deque[tuple[int, list[Any]]] = deque()

    def on_invalid(row: Any) -> str:
        # The row's CSV record number (header = 1) places it back among the valid rows.
        try:
            values = next(csv.reader(io.StringIO(row.text, newline=""), dialect), [])
        except csv.Error:  # a stray quote or line break: the row is kept, split at the delimiters only
            values = row.text.rstrip("\r\n").split(dialect.delimiter)
        # Threaded parsing knows no row numbers: the row then goes after everything else.
        ragged.append((row.number - 2 if row.number and row.number > 0 else sys.maxsize, values))
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=threads,  # row numbers of ragged rows are known only without threads
                block_size=CSV_BLOCK_BYTES,
                column_names=names,
                skip_rows=1,
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:  # the first block is read (and decoded) here
        raise _csv_error(path, 0, error, encoding) from None

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        try:
            for batch in reader:
                batch = pa.RecordBatch.from_arrays(batch.columns, names=table.header)
                extra: list[tuple[int, list[Any]]] = []
                while ragged and ragged[0][0] < done + batch.num_rows + len(extra):
                    extra.append(ragged.popleft())
                if extra:
                    batch = _insert_rows(batch, extra, done, table)
                yield from _slices(batch, chunk_rows)
                done += batch.num_rows
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            raise _csv_error(path, done, error, encoding) from None
        finally:
            reader.close()
        if ragged:  # ragged rows after the last valid one
            rows = [fit_row(values, width, table) for _, values in ragged]
            yield batch_of([[v if v is not None else "" for v in row] for row in rows], table.header)

    table.batches = batches()
    return table


class _Dialect(csv.excel):
    """Quotes are always '"' (every exporter's choice): the sniffer is trusted for the delimiter only."""


def _dialect(sample: str) -> type[csv.Dialect]:
    """The delimiter the header line uses most (ties: , TAB ; |); the sniffer when it has none."""
    lines = sample[:16384].splitlines(keepends=True)
    first = lines[0] if lines else ""
    delimiter = max(",\t;|", key=first.count)
    if not first.count(delimiter):
        probe = "".join(lines[:-1] if len(lines) > 1 else lines)  # whole lines: the sniffer is slow
        try:
            delimiter = csv.Sniffer().sniff(probe, delimiters=",\t;|").delimiter
        except csv.Error:
            delimiter = ","
    return type("Sniffed", (_Dialect,), {"delimiter": delimiter})


def _insert_rows(batch: pa.RecordBatch, extra: list[tuple[int, list[Any]]], start: int, table: Table) -> pa.RecordBatch:
    rows = [list(row) for row in zip(*(c.to_pylist() for c in batch.columns), strict=True)]
    width = len(table.header)
    for index, values in extra:
        fitted = fit_row(values, width, table)
        rows.insert(index - start, [v if v is not None else "" for v in fitted])
    return pa.RecordBatch.from_arrays(
        [pa.array(list(c), pa.string()) for c in zip(*rows, strict=True)], names=table.header
    )


def _slices(batch: pa.RecordBatch, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    for offset in range(0, batch.num_rows, chunk_rows):
        yield batch.slice(offset, chunk_rows)


def _csv_error(path: Path, rows: int, error: Exception, encoding: str | None = None) -> SecopsError:
    text = str(error)
    if "straddl" in text or "block" in text:
        return SecopsError(
            _("{path}: a row after row {rows:,} is longer than {size} MiB").format(
                path=path, rows=rows, size=CSV_BLOCK_BYTES >> 20
            ),
            hint=_("split the huge cell or export the table as JSON lines"),
        )
    # The parser decodes whole blocks, and a ragged row with bad bytes stops it with a parse
    # error: either way a second pass finds the very place of the first bad bytes.
    found = locate_bad_bytes(path, encoding) if encoding else None
    if found is not None and encoding is not None:
        return SecopsError(
            _(
                "{path}: line {line:,} (byte {byte:,}): bytes not valid {encoding}, the encoding detected from the "
                "start of the file"
            ).format(path=path, line=found[0], byte=found[1], encoding=_name(encoding)),
            hint=_(ENCODING_HINT),
        )
    if isinstance(error, UnicodeDecodeError) or "UTF8" in text or "decode" in text:
        return SecopsError(
            _("{path}: bytes not valid in the detected encoding after row {rows:,}").format(path=path, rows=rows),
            hint=_(ENCODING_HINT),
        )
    # The parser's own message can quote the row it stopped at: it never goes into the error.
    reason = _("a quoted cell is never closed") if "quote" in text.lower() else _("the CSV parser stopped")
    return SecopsError(
        _("{path}: not readable as CSV after row {rows:,} ({reason})").format(path=path, rows=rows, reason=reason),
        hint=_("check the rows after that one, or export the table again (UTF-8 CSV or XLSX)"),
    )
