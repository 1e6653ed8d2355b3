"""``secops yara``: scan web roots and servers for webshells, miners and ransom notes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, progress_spinner, render_table, safe_text, to_json

if TYPE_CHECKING:
    from secops.detection.yara import RuleSet, ScanStats, YaraHit

SHOWN_ERRORS = 20  # unreadable files listed on stderr; the rest are counted


@click.group(cls=SecopsGroup)
def yara() -> None:
    """YARA scanning with the shipped rules (rules/yara) or your own."""


def _rules_option(func: Any) -> Any:
    return click.option(
        "--rules",
        "rules",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="Rule file or folder of .yar/.yara files (repeatable; default: the shipped rules/yara).",
    )(func)


def _load(app: AppContext, rules: tuple[Path, ...]) -> RuleSet:
    from secops.detection.yara import load_ruleset

    # The compiled set is cached in the workspace when there is one; scanning needs none.
    try:
        cache = app.workspace_path / "cache" / "yara" if app.workspace_path.is_dir() else None
    except OSError:  # a workspace we may not enter: scan without the cache
        cache = None
    from secops.cli.detect_run_cmd import pack_rules
    from secops.detection.yara.ruleset import default_rules_dir

    # Without --rules: the shipped rules and the YARA rules of the content packs installed here.
    packs = [] if rules else pack_rules(app, "yara")
    ruleset = load_ruleset(list(rules) or ([default_rules_dir(), *packs] if packs else None), cache_dir=cache)
    for error in ruleset.skipped:
        click.echo(f"secops: warning: {error} (file skipped, the other rules run)", err=True)
    return ruleset


@yara.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="PATH...")
@_rules_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "jsonl")),
    default="table",
    show_default=True,
    help="table for people, jsonl (one JSON object per hit) for machines",
)
@click.option(
    "--max-size",
    type=click.FloatRange(min=0, min_open=True),
    default=64,
    show_default=True,
    help="Skip files larger than this many MB (counted).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Scanning threads (default: one per core).",
)
@click.option("--store", is_flag=True, help="Store every hit as an alert in the workspace.")
@pass_app
def scan(
    app: AppContext,
    paths: tuple[Path, ...],
    rules: tuple[Path, ...],
    fmt: str,
    max_size: float,
    workers: int | None,
    store: bool,
) -> None:
    """Scan files and folders (recursively) for webshells, miners and ransom notes.

    Symbolic links are never followed, FIFOs, devices and sockets are skipped, and files above
    --max-size are skipped; all of them are counted, as are unreadable files. Exits 1 when any
    rule matched, 0 when none did.
    """
    from secops.detection.yara import ScanStats, scan_paths

    workspace = app.workspace() if store else None  # fail before a long scan, not after it
    ruleset = _load(app, rules)
    stats = ScanStats()
    hits: list[YaraHit] = []
    with progress_spinner(f"scanning with {ruleset.rule_count} rules") as progress:

        def report(done: ScanStats) -> None:
            progress(f"scanned {done.files_scanned:,} files, {done.hits} hit(s)")

        for hit in scan_paths(paths, ruleset, max_size_mb=max_size, workers=workers, stats=stats, progress=report):
            hits.append(hit)
            if fmt == "jsonl":
                click.echo(to_json(hit.to_dict(), indent=None))
    if fmt == "table" and hits:
        click.echo(_table(hits))
    _summary(ruleset, stats, max_size)
    if store and hits and workspace is not None:
        from secops.detection.yara.alerts import store_hits

        with app.store(workspace) as db:
            written, known = store_hits(db, hits, app.now())
        note = f" ({known} already stored)" if known else ""
        click.echo(f"Stored {written} alert(s) in the workspace{note}.", err=True)
    if hits:
        raise SystemExit(1)


def _table(hits: list[YaraHit]) -> str:
    rows = [
        {
            "severity": hit.meta.get("severity") or "",
            "rule": hit.rule,
            "family": hit.meta.get("family") or hit.meta.get("technique") or "",
            "path": hit.path,
            "description": hit.meta.get("description_zh") or hit.meta.get("description") or "",
            "strings": ", ".join(f"{s.identifier}@{s.offset}" for s in hit.strings[:4]),
        }
        for hit in sorted(hits, key=lambda h: (h.path, h.rule))
    ]
    return render_table(rows, ["severity", "rule", "family", "path", "description", "strings"])


def _summary(ruleset: RuleSet, stats: ScanStats, max_size: float) -> None:
    """What was scanned and what was not, on stderr so that stdout stays the hits alone."""
    rate = stats.files_scanned / stats.elapsed_s if stats.elapsed_s > 0 else 0.0
    line = (
        f"Scanned {stats.files_scanned:,} file(s), {stats.bytes_scanned / 1e6:,.1f} MB, with {ruleset.rule_count} "
        f"rule(s) in {stats.elapsed_s:.2f} s ({rate:,.0f} files/s): {stats.hits} hit(s) in "
        f"{stats.files_matched} file(s)."
    )
    skipped = [
        f"{stats.skipped_large} over {max_size:g} MB" if stats.skipped_large else "",
        f"{stats.skipped_special} special (FIFO, device, socket)" if stats.skipped_special else "",
        f"{stats.skipped_symlinks} symbolic link(s), not followed" if stats.skipped_symlinks else "",
        f"{stats.skipped_rules} rule file(s) in use" if stats.skipped_rules else "",
    ]
    if any(skipped):
        line += " Skipped: " + ", ".join(s for s in skipped if s) + "."
    if stats.errors:
        line += f" Unreadable: {stats.unreadable}."
    click.echo(line, err=True)
    from secops.detection.yara.scanner import printable_path

    for path, reason in stats.errors[:SHOWN_ERRORS]:
        click.echo(f"secops: warning: cannot scan {safe_text(printable_path(path), 500)}: {reason}", err=True)
    if len(stats.errors) > SHOWN_ERRORS:
        click.echo(f"secops: warning: ... and {len(stats.errors) - SHOWN_ERRORS} more", err=True)


@yara.command(name="rules")
@_rules_option
@click.option("--format", "fmt", type=click.Choice(("table", "json", "jsonl")), default="table", show_default=True)
@pass_app
def list_rules(app: AppContext, rules: tuple[Path, ...], fmt: str) -> None:
    """List the rules by technique, with language, severity, confidence and the Chinese description."""
    ruleset = _load(app, rules)
    rows = [
        {
            "technique": rule.meta.get("technique", ""),
            "language": rule.meta.get("language", ""),
            "severity": rule.meta.get("severity", ""),
            "confidence": rule.meta.get("confidence", ""),
            "rule": rule.identifier,
            "family": rule.meta.get("family", ""),
            "tags": " ".join(rule.tags) if fmt == "table" else list(rule.tags),
            # what a person reads: the Chinese description; a rule of yours without one shows its own
            "description": rule.meta.get("description_zh") or rule.meta.get("description", ""),
            **({} if fmt == "table" else {"description_en": rule.meta.get("description", "")}),
        }
        for rule in ruleset.rules
    ]
    rows.sort(key=lambda row: (str(row["technique"]), str(row["rule"])))
    click.echo(
        f"{ruleset.rule_count} rule(s) from {len(ruleset.files)} file(s) in "
        f"{os.path.commonpath([str(p.parent) for p in ruleset.files])}",
        err=True,
    )
    emit(rows, fmt, ["technique", "language", "severity", "confidence", "rule", "description"])
