"""``secops yara``: scan web roots and servers for webshells, miners and ransom notes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import (
    FORMATS,
    emit,
    findings,
    format_option,
    progress_spinner,
    render_table,
    safe_text,
    say,
    to_json,
    warn,
)
from secops.i18n import _

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

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
        warn(_("{error} (file skipped, the other rules run)").format(error=error))
    return ruleset


@yara.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="PATH...")
@_rules_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json (one array) or jsonl (one JSON object per hit, as found) for machines",
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
    with progress_spinner(_("scanning with {count} rules").format(count=ruleset.rule_count)) as progress:

        def report(done: ScanStats) -> None:
            progress(_("scanned {files:,} files, {hits} hit(s)").format(files=done.files_scanned, hits=done.hits))

        for hit in scan_paths(paths, ruleset, max_size_mb=max_size, workers=workers, stats=stats, progress=report):
            hits.append(hit)
            if fmt == "jsonl":
                click.echo(to_json(hit.to_dict(), indent=None))
    if fmt == "json":
        click.echo(to_json([hit.to_dict() for hit in hits]))
    elif fmt == "table":
        if hits:
            click.echo(_table(hits))
        else:
            say(_("No rule matched."), err=True)
    _summary(ruleset, stats, max_size)
    if store and hits and workspace is not None:
        from secops.detection.yara.alerts import store_hits

        with app.store(workspace) as db:
            written, known = store_hits(db, hits, app.now())
        message = (
            _("Stored {count} alert(s) in the workspace ({known} already stored).")
            if known
            else _("Stored {count} alert(s) in the workspace.")
        )
        say(message.format(count=written, known=known), err=True)
    findings(bool(hits))


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
    return render_table(rows, ["severity", "rule", "family", "path", "description", "strings"], _headers())


def _headers() -> dict[str, str]:
    return {
        "severity": _("Severity"),
        "rule": _("Rule"),
        "family": _("Family"),
        "path": _("Path"),
        "description": _("Description"),
        "strings": _("Strings"),
        "technique": _("Technique"),
        "language": _("Language"),
        "confidence": _("Confidence"),
    }


def _summary(ruleset: RuleSet, stats: ScanStats, max_size: float) -> None:
    """What was scanned and what was not, on stderr so that stdout stays the hits alone."""
    rate = stats.files_scanned / stats.elapsed_s if stats.elapsed_s > 0 else 0.0
    line = _(
        "Scanned {files:,} file(s), {megabytes:,.1f} MB, with {rules} rule(s) in {seconds:.2f} s "
        "({rate:,.0f} files/s): {hits} hit(s) in {matched} file(s)."
    ).format(
        files=stats.files_scanned,
        megabytes=stats.bytes_scanned / 1e6,
        rules=ruleset.rule_count,
        seconds=stats.elapsed_s,
        rate=rate,
        hits=stats.hits,
        matched=stats.files_matched,
    )
    skipped = [
        _("{count} over {size:g} MB").format(count=stats.skipped_large, size=max_size) if stats.skipped_large else "",
        _("{count} special (FIFO, device, socket)").format(count=stats.skipped_special)
        if stats.skipped_special
        else "",
        _("{count} symbolic link(s), not followed").format(count=stats.skipped_symlinks)
        if stats.skipped_symlinks
        else "",
        _("{count} rule file(s) in use").format(count=stats.skipped_rules) if stats.skipped_rules else "",
    ]
    if any(skipped):
        line += " " + _("Skipped: {what}.").format(what=_(", ").join(s for s in skipped if s))
    if stats.errors:
        line += " " + _("Unreadable: {count}.").format(count=stats.unreadable)
    say(line, err=True)
    from secops.detection.yara.scanner import printable_path

    for path, reason in stats.errors[:SHOWN_ERRORS]:
        warn(_("cannot scan {path}: {reason}").format(path=safe_text(printable_path(path), 500), reason=reason))
    if len(stats.errors) > SHOWN_ERRORS:
        warn(_("... and {count} more").format(count=len(stats.errors) - SHOWN_ERRORS))


def complete_rule_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The names of the shipped YARA rules (and those of --rules given before), read from the rule
    files' text without compiling them; never raises (completion must not fail)."""
    import re

    from click.shell_completion import CompletionItem

    try:
        from secops.detection.yara.ruleset import default_rules_dir

        given = ctx.params.get("rules") or ()
        roots = [Path(p) for p in given] or [default_rules_dir()]
        files = [f for root in roots for f in ([root] if root.is_file() else sorted(root.rglob("*.yar*")))]
        pattern = re.compile(r"^\s*(?:private\s+|global\s+)*rule\s+(\w+)", re.MULTILINE)
        names = {m.group(1) for f in files for m in pattern.finditer(f.read_text(encoding="utf-8", errors="replace"))}
    except Exception:  # completion offers nothing rather than a traceback in the shell
        return []
    return [CompletionItem(name) for name in sorted(names) if name.startswith(incomplete)]


@yara.command(name="rules")
@_rules_option
@click.argument("names", nargs=-1, metavar="[NAME]...", shell_complete=complete_rule_names)
@format_option()
@pass_app
def list_rules(app: AppContext, rules: tuple[Path, ...], names: tuple[str, ...], fmt: str) -> None:
    """List the rules by technique, with language, severity, confidence and the Chinese description.

    NAMEs (rule names; shell completion offers them) show only those rules.
    """
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
        if not names or rule.identifier in names
    ]
    unknown = sorted(set(names) - {str(row["rule"]) for row in rows})
    if unknown:
        from secops.errors import SecopsError

        raise SecopsError(
            _("no such YARA rule: {names}").format(names=", ".join(unknown)),
            hint=_("secops yara rules lists them"),
        )
    rows.sort(key=lambda row: (str(row["technique"]), str(row["rule"])))
    say(
        _("{rules} rule(s) from {files} file(s) in {folder}").format(
            rules=ruleset.rule_count,
            files=len(ruleset.files),
            folder=os.path.commonpath([str(p.parent) for p in ruleset.files]),
        ),
        err=True,
    )
    columns = ["technique", "language", "severity", "confidence", "rule", "description"]
    emit(rows, fmt, columns, headers=_headers(), empty=_("No YARA rules."))
