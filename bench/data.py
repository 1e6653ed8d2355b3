"""Student data protection speed on a generated roster: `secops data scan`, `mask` (default policy),
`watermark embed` and `detect`, against pyarrow read+write of the same file and against Presidio,
all in the same run.

Roster: ``secops.data.watermark.roster`` (13 columns: 学籍号, 姓名, 身份证号 with valid check
characters, 家长电话, dates, numbers; children born 2010-2012), --rows rows
written as UTF-8 CSV and as Parquet. Each step runs end to end through the library call behind
its command (file in, file or report out), timed with perf_counter, best of --runs.

Baselines:
- pyarrow read+write of the same file, all columns as strings like the tools read them, Parquet
  written with zstd like secops writes it: streamed (CSV: ``pyarrow.csv.open_csv`` ->
  ``CSVWriter``; Parquet: ``ParquetFile.iter_batches`` -> ``ParquetWriter``) and whole-file with
  pyarrow's threads (``read_csv``/``write_csv``, ``read_table``/``write_table``): the floor any
  masking tool pays. Target: mask >= 50% of the faster of the two.
- Presidio (presidio-analyzer + presidio-anonymizer) pattern-only: no spaCy model can be fetched
  here, so the AnalyzerEngine runs Presidio's ``NoOpNlpEngine`` (no tokens, no NER) with the
  predefined recognizers it loads for English, then again with only its PatternRecognizers (no
  phonenumbers-based PhoneRecognizer), each plus two PatternRecognizers for 身份证号 and Chinese
  mobiles; every cell of the first --presidio-rows rows is analysed (column header passed as
  context) and anonymised (mask for IDs and mobiles, replace for everything else). Figure: rows/s;
  the ratios use the faster of the two.
Targets: scan >= 1M rows/s, mask >= 500k rows/s and >= 0.5x pyarrow read+write, embed and detect
>= 200k rows/s. Every step is checked: row counts, the masked ID column, the detected recipient.

Run: .venv/bin/python bench/data.py [--rows 1000000] [--presidio-rows 10000] [--runs 1]
     [--formats csv,parquet] [--dir DIR (keeps the generated rosters for the next run)]
Needs: pip install presidio-analyzer presidio-anonymizer (the dev extras).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from secops.data.mask_table import mask_table
from secops.data.scan import scan_table
from secops.data.watermark.keys import workspace_key
from secops.data.watermark.ledger import list_releases
from secops.data.watermark.release import EmbedOptions, release
from secops.data.watermark.roster import HEADER, roster_rows
from secops.data.watermark.trace import trace_table
from secops.workspace import init_workspace, open_workspace_store

TARGETS = {"scan": 1_000_000, "mask": 500_000, "embed": 200_000, "detect": 200_000}


def write_roster(path: Path, rows: int) -> None:
    """UTF-8 CSV like a school's export (header unquoted), then the rename."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(rows))
    partial.replace(path)


def to_parquet(source: Path, target: Path) -> None:
    names = list(HEADER)
    with pq.ParquetWriter(target, pa.schema([(n, pa.string()) for n in names])) as writer:
        for batch in _csv_batches(source):
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, names=names))


def _csv_batches(path: Path) -> Iterator[pa.RecordBatch]:
    types = dict.fromkeys(HEADER, pa.string())
    reader = pacsv.open_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    yield from reader


def pyarrow_copy(source: Path, target: Path, *, whole: bool) -> int:
    """The floor: every column read as text and written back (Parquet with zstd, as secops writes
    it), nothing else. ``whole``: read at once with pyarrow's threads; else streamed like secops."""
    types = dict.fromkeys(HEADER, pa.string())
    if whole:
        if source.suffix == ".parquet":
            table = pq.read_table(source)
            pq.write_table(table, target, compression="zstd")
        else:
            table = pacsv.read_csv(source, convert_options=pacsv.ConvertOptions(column_types=types))
            pacsv.write_csv(table, target)
        return table.num_rows
    rows = 0
    if source.suffix == ".parquet":
        parquet = pq.ParquetFile(source)
        with pq.ParquetWriter(target, parquet.schema_arrow, compression="zstd") as writer:
            for batch in parquet.iter_batches(batch_size=65_536):
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    batches = _csv_batches(source)
    first = next(batches)
    with pacsv.CSVWriter(target, first.schema) as writer:
        for batch in chain([first], batches):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def best(runs: int, step: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), result


def presidio_engines(*, patterns_only: bool) -> tuple[Any, Any]:
    """``patterns_only`` keeps only PatternRecognizer subclasses (drops the phonenumbers-based
    PhoneRecognizer, which costs Presidio the most per cell)."""
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    if patterns_only:
        registry.recognizers = [r for r in registry.recognizers if isinstance(r, PatternRecognizer)]
    registry.add_recognizer(
        PatternRecognizer(
            supported_entity="CN_ID_CARD",
            patterns=[Pattern("cn_id", r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)", 0.6)],
            context=["身份证", "id"],
        )
    )
    registry.add_recognizer(
        PatternRecognizer(
            supported_entity="CN_MOBILE",
            patterns=[Pattern("cn_mobile", r"(?<!\d)1[3-9]\d{9}(?!\d)", 0.5)],
            context=["电话", "手机", "phone"],
        )
    )
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    return analyzer, AnonymizerEngine()


def presidio_rows(path: Path, rows: int, *, patterns_only: bool) -> tuple[float, int, int]:
    """Presidio per cell over the first ``rows`` rows: (seconds, rows, masked IDs)."""
    from presidio_anonymizer.entities import OperatorConfig

    analyzer, anonymizer = presidio_engines(patterns_only=patterns_only)
    operators = {
        "DEFAULT": OperatorConfig("replace"),
        "CN_ID_CARD": OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 11, "from_end": True}),
        "CN_MOBILE": OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 4, "from_end": True}),
    }
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        table = [row for _, row in zip(range(rows), reader, strict=False)]
    analyzer.analyze(text="13812345678", language="en")  # first-call set-up is not throughput
    id_column = header.index("身份证号")
    masked_ids = 0
    started = time.perf_counter()
    for row in table:
        for index, cell in enumerate(row):
            found = analyzer.analyze(text=cell, language="en", context=[header[index]])
            text = anonymizer.anonymize(text=cell, analyzer_results=found, operators=operators).text
            masked_ids += index == id_column and text != cell
    return time.perf_counter() - started, len(table), masked_ids


def secops_steps(source: Path, work: Path, runs: int, rows: int) -> dict[str, float]:
    """Rows/s of scan, mask, embed and detect on ``source``, each checked."""
    rates: dict[str, float] = {}
    seconds, report = best(runs, lambda: scan_table(source))
    assert report.rows == rows, f"scan counted {report.rows} rows"
    rates["scan"] = rows / seconds
    masked = work / f"masked{source.suffix}"
    seconds, summary = best(runs, lambda: mask_table(str(source), str(masked)))
    assert summary.rows == rows and any(c.name == "身份证号" and c.changed == rows for c in summary.columns)
    rates["mask"] = rows / seconds

    now = datetime.now(UTC)
    workspace = work / "workspace"
    shutil.rmtree(workspace, ignore_errors=True)
    init = init_workspace(
        workspace, school_code="4133000001", school_name="基准学校", scope=["127.0.0.1/32"], database=None, now=now
    )
    key, _ = workspace_key(workspace, None)
    marked = work / f"marked{source.suffix}"
    with open_workspace_store(init.workspace) as store:
        recipient = iter(f"接收方{i}" for i in range(runs))
        seconds, result = best(
            runs,
            lambda: release(store, source, marked, key=key, recipient=next(recipient), now=now, options=EmbedOptions()),
        )
        assert result.stats.rows == rows
        rates["embed"] = rows / seconds
        releases = list_releases(store)
    seconds, trace = best(runs, lambda: trace_table(marked, key=key, releases=releases))
    assert trace.verdict.named is not None and trace.verdict.named.recipient == result.recipient, trace.as_dict()
    rates["detect"] = rows / seconds
    shutil.rmtree(workspace)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--presidio-rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1, help="best of N runs per step")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--dir", type=Path, help="keep the generated rosters here and reuse them")
    args = parser.parse_args()
    keep = args.dir is not None
    base = args.dir or Path(tempfile.mkdtemp(prefix="secops-bench-data-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        run(args, base)
    finally:
        for leftover in base.glob("masked.*"):
            leftover.unlink()
        for leftover in base.glob("marked.*"):
            leftover.unlink()
        for leftover in base.glob("copy.*"):
            leftover.unlink()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def run(args: argparse.Namespace, base: Path) -> None:
    roster = base / f"roster-{args.rows}.csv"
    if not roster.exists():
        started = time.perf_counter()
        write_roster(roster, args.rows)
        print(f"generated {roster.name}: {args.rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    files = {"csv": roster}
    if "parquet" in args.formats:
        files["parquet"] = roster.with_suffix(".parquet")
        if not files["parquet"].exists():
            to_parquet(roster, files["parquet"])
    size = roster.stat().st_size / 1e6
    print(f"data: {args.rows:,} rows x {len(HEADER)} columns, CSV {size:.0f} MB, best of {args.runs} run(s)")
    rates: dict[str, dict[str, float]] = {}
    for fmt in [f for f in args.formats.split(",") if f in files]:
        source = files[fmt]
        floors = {}
        for whole, label in ((False, "streamed"), (True, "whole file, threads")):
            copy = partial(pyarrow_copy, source, base / f"copy{source.suffix}", whole=whole)
            seconds, copied = best(args.runs, copy)
            assert copied == args.rows
            floors[label] = args.rows / seconds
        rates[fmt] = secops_steps(source, base, args.runs, args.rows)
        print(f"{fmt}:", flush=True)
        for label, rate in floors.items():
            print(f"  {'pyarrow read+write, ' + label + ':':<42}{rate:>11,.0f} rows/s")
        for step, rate in rates[fmt].items():
            met = "ok" if rate >= TARGETS[step] else "BELOW TARGET"
            print(f"  {'secops ' + step + ':':<42}{rate:>11,.0f} rows/s  (target >= {TARGETS[step]:,}: {met})")
        share = rates[fmt]["mask"] / max(floors.values())
        print(f"  ratio mask / pyarrow read+write (the faster): {share:.2f} (target >= 0.5)")
    presidio = 0.0
    for patterns_only, label in ((False, "predefined recognizers"), (True, "PatternRecognizers only")):
        seconds, done, masked_ids = presidio_rows(roster, args.presidio_rows, patterns_only=patterns_only)
        presidio = max(presidio, done / seconds)
        print(
            f"Presidio, no NLP model, {label} + 身份证号/mobile patterns, analyze+anonymize per cell: "
            f"{done / seconds:,.0f} rows/s ({done:,} rows; {masked_ids:,} 身份证号 cells masked)",
            flush=True,
        )
    for fmt in rates:
        for step in rates[fmt]:
            print(f"ratio secops {step} ({fmt}) / Presidio (its faster set): {rates[fmt][step] / presidio:,.0f}x")


if __name__ == "__main__":
    main()
