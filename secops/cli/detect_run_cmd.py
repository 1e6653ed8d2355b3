"""``secops detect run``: Sigma rules over log files, once, only what is new (``--store``), or
continuously (``--follow``), with matches streamed to the workspace's alerts."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import render_table, safe_text, to_json
from secops.errors import SecopsError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from secops.detection.events import EventBatch, Match, ReadStats
    from secops.detection.incremental import IncrementalRead
    from secops.detection.sigma.engine import Engine
    from secops.store import Store

_LEVEL_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}


def default_rules() -> Path:
    from secops.content.locate import content_root

    return content_root("rules") / "sigma"


def _placeholders(values: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--placeholder")
        found.setdefault(name.strip("%"), []).append(value)
    return found


@click.command(cls=SecopsCommand)
@click.argument("logpaths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="LOGPATH...")
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sigma rule file or folder (repeatable; default: the shipped rules/sigma pack).",
)
@click.option("--log-format", help="Read every file as this format instead of detecting it (evtx, jsonl, web, ...).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "jsonl")),
    default="table",
    show_default=True,
    help="table: a summary per rule (--follow: a line per match); jsonl: one JSON line per match",
)
@click.option("--placeholder", "placeholders", multiple=True, metavar="NAME=VALUE", help="Value for %NAME% (expand).")
@click.option(
    "--timezone",
    "zone_name",
    metavar="ZONE",
    help="IANA zone of log times written without one (RFC 3164 syslog, auth.log); default: the workspace's.",
)
@click.option(
    "--store",
    is_flag=True,
    help="Store the matches as alerts, and read only what is new since the last --store run of each file.",
)
@click.option("--from-start", is_flag=True, help="With --store: read every file whole again (new rules, old logs).")
@click.option("--follow", is_flag=True, help="Keep reading the files as they grow, like tail -f (Ctrl-C stops).")
@click.option("--interval", type=click.FloatRange(0.2, 3600), default=2.0, show_default=True, help="--follow: seconds.")
@pass_app
def run(
    app: AppContext,
    logpaths: tuple[Path, ...],
    rule_paths: tuple[Path, ...],
    log_format: str | None,
    fmt: str,
    placeholders: tuple[str, ...],
    zone_name: str | None,
    store: bool,
    from_start: bool,
    follow: bool,
    interval: float,
) -> None:
    """Run Sigma rules over LOGPATHs (files or folders, .gz too).

    \b
    Once:        secops detect run /var/log/nginx/access.log
    Scheduled:   secops detect run --store /var/log/nginx /var/log/auth.log   (only new lines)
    Continuous:  secops detect run --follow --store /var/log/nginx/access.log
    With --store each file's place (device, inode, offset) is kept in the workspace: rotation and
    truncation are followed, and an alert already stored is never stored twice. --follow without
    --store starts at the end of each file. Correlation windows span what one pass reads.
    Reading problems and rule errors are reported on stderr and never stop the run. Exits 1 when
    anything matched, 0 otherwise.
    """
    from secops.detection.events import ReadStats
    from secops.detection.readers import FORMATS

    if log_format is not None and log_format not in FORMATS:
        raise click.BadParameter(f"{log_format!r} is not one of {', '.join(FORMATS)}", param_hint="--log-format")
    if from_start and not store:
        raise click.BadParameter("only means something with --store", param_hint="--from-start")
    missing = [str(path) for path in logpaths if not path.exists()]
    if missing and not follow:  # --follow waits for a log that is not there yet, like tail -F
        raise click.BadParameter(f"{', '.join(missing)} does not exist", param_hint="LOGPATH")
    zone = app.zone(zone_name)
    stats = ReadStats()
    summary = Summary()
    opened = app.store(app.workspace()) if store else None
    try:
        reader = (
            _reader(opened, list(logpaths), stats, zone, log_format, from_start, follow) if store or follow else None
        )
        if follow:
            assert reader is not None
            engine = _engine(app, rule_paths, _placeholders(placeholders))
            _follow(app, engine, reader, opened, summary, fmt, interval)
        else:
            # the logs are read (in a second process where one helps) while the rules load
            with _batches(reader, list(logpaths), log_format, stats, zone) as batches:
                engine = _engine(app, rule_paths, _placeholders(placeholders))
                written = _one_pass(app, engine, batches, opened, summary, fmt)
            if reader is not None and opened is not None:
                reader.save(opened, app.now())
                _notes(reader.notes)
            if fmt == "table":
                summary.echo()
            if opened is not None:
                click.echo(f"secops: {written} new alert(s) stored in the workspace", err=True)
    finally:
        if opened is not None:
            opened.dispose()
    _report(engine, stats, summary.count)
    if summary.count:
        raise SystemExit(1)


def _reader(
    opened: Store | None,
    paths: list[Path],
    stats: ReadStats,
    zone: ZoneInfo,
    log_format: str | None,
    from_start: bool,
    follow: bool,
) -> IncrementalRead:
    from secops.detection.incremental import IncrementalRead, load_bookmarks

    marks = load_bookmarks(opened) if opened is not None and not from_start else []
    return IncrementalRead(paths, marks, stats, zone, log_format, tail=follow and opened is None)


@contextlib.contextmanager
def _batches(
    reader: IncrementalRead | None, paths: list[Path], log_format: str | None, stats: ReadStats, zone: ZoneInfo
) -> Iterator[Iterable[EventBatch]]:
    """One pass's batches, small files joined (not when following: a joined batch waits); read by a
    second process when the machine has a spare CPU (see secops.detection.readahead)."""
    from secops.detection import readahead
    from secops.detection.events import coalesce
    from secops.detection.readers import read_paths

    def batches() -> Iterator[EventBatch]:
        if reader is not None:
            return coalesce(reader.batches())
        return coalesce(read_paths(paths, log_format=log_format, stats=stats, zone=zone))

    if not readahead.usable():
        yield batches()
        return
    if reader is None:
        ahead: readahead.ReadAhead[Any] = readahead.ReadAhead(batches, lambda: stats, partial(_merge_stats, stats))
    else:
        ahead = readahead.ReadAhead(
            batches, lambda: (reader.stats, reader.earned, reader.notes), partial(_merge_reader, reader)
        )
    with ahead:
        yield ahead


def _merge_stats(stats: ReadStats, read: ReadStats) -> None:
    for name, value in vars(read).items():
        setattr(stats, name, value)


def _merge_reader(reader: IncrementalRead, state: tuple[ReadStats, list[Any], list[str]]) -> None:
    read, earned, notes = state
    _merge_stats(reader.stats, read)
    reader.earned, reader.notes = earned, notes


def _one_pass(
    app: AppContext,
    engine: Engine,
    batches: Iterable[EventBatch],
    opened: Store | None,
    summary: Summary,
    fmt: str,
    live: bool = False,
) -> int:
    """Match one stretch of logs; matches are printed and stored as they come (memory stays flat).
    ``live`` (--follow): a line per match as it comes, instead of the summary table at the end."""
    import gc

    gc.freeze()  # the parsed rules live as long as the run: keep the collector from rescanning them
    try:
        seen = _observed(engine.run_batches(batches), summary, fmt, live)
        if opened is None:
            for _ in seen:
                pass
            return 0
        from secops.detection.sigma.alerts import store_matches

        return store_matches(opened, seen, app.now())
    finally:
        gc.unfreeze()


def _observed(matches: Iterable[Match], summary: Summary, fmt: str, live: bool) -> Iterator[Match]:
    from secops.cli.output import shown

    for match in matches:
        summary.add(match)
        if fmt == "jsonl":
            click.echo(to_json(_shown_match(match), indent=None))
        elif live:
            when = shown(match.timestamp).strftime("%Y-%m-%d %H:%M:%S") if match.timestamp else "—"
            where = f"{Path(match.log_file).name}:{match.record}"
            click.echo(f"{when}  {match.level:<8} {safe_text(match.rule_title, 80)}  ({safe_text(where)})")
        yield match


def _shown_match(match: Match) -> dict[str, Any]:
    """The match as JSON with its times in the display zone (the instant unchanged)."""
    from secops.cli.output import shown

    value = match.as_dict()
    value["timestamp"] = shown(match.timestamp) if match.timestamp else None
    for member, shown_member in zip(match.members, value.get("members", []), strict=False):
        shown_member["timestamp"] = shown(member.timestamp) if member.timestamp else None
    return value


def _follow(
    app: AppContext,
    engine: Engine,
    reader: IncrementalRead,
    opened: Store | None,
    summary: Summary,
    fmt: str,
    interval: float,
) -> None:
    """Passes over what is new until Ctrl-C or SIGTERM; each pass's bookmarks are saved after its alerts."""
    import signal
    import time

    stop: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: stop.append(number))
    click.echo(f"secops: following {len(reader.paths)} path(s); Ctrl-C stops", err=True)
    try:
        while not stop:
            written = _one_pass(app, engine, reader.batches(), opened, summary, fmt, live=True)
            if opened is not None:
                reader.save(opened, app.now())
                if written:
                    click.echo(f"secops: {written} new alert(s) stored", err=True)
            _notes(reader.notes)
            reader.advance()
            deadline = time.monotonic() + interval
            while not stop and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def _notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"secops: note: {safe_text(note)}", err=True)


def pack_rules(app: AppContext, kind: str) -> list[Path]:
    """The ``sigma`` or ``yara`` folders of the content packs installed in the workspace, if there
    is one: they run with the shipped rules (never instead of rules named with --rules)."""
    from secops.detection.pack_dirs import rule_dirs

    try:
        return rule_dirs(app.workspace_path, kind) if app.workspace_path.is_dir() else []
    except OSError:
        return []


def sigma_cache_dir(app: AppContext) -> Path | None:
    """Where compiled rule sets are kept: the workspace's cache folder, when there is a workspace."""
    try:
        return app.workspace_path / "cache" / "sigma" if app.workspace_path.is_dir() else None
    except OSError:  # a workspace we may not enter: compile every time
        return None


def _engine(app: AppContext, rule_paths: tuple[Path, ...], placeholders: dict[str, list[str]] | None = None) -> Engine:
    from secops.detection.sigma.cache import load_engine

    paths = list(rule_paths) or [default_rules(), *pack_rules(app, "sigma")]
    engine, _cached = load_engine(paths, placeholders=placeholders, cache_dir=sigma_cache_dir(app))
    if not engine.rules and not engine.ruleset.correlations:
        for error in engine.errors:
            click.echo(str(error), err=True)
        raise SecopsError(
            f"no usable Sigma rule in {', '.join(str(p) for p in rule_paths) or 'the shipped pack'}",
            hint="check the paths given with --rules",
        )
    return engine


class Summary:
    """Matches counted per rule (the table), without keeping the matches themselves."""

    def __init__(self) -> None:
        self.count = 0
        self.rules: dict[str, dict[str, Any]] = {}

    def add(self, match: Match) -> None:
        self.count += 1
        row = self.rules.get(match.rule_id)
        if row is None:
            row = self.rules[match.rule_id] = {
                "level": match.level,
                "rule": match.rule_title,
                "matches": 0,
                "files": set(),
                "first": f"{Path(match.log_file).name}:{match.record}",
            }
        row["matches"] += 1
        row["files"].add(match.log_file)

    def echo(self) -> None:
        if not self.count:
            click.echo("No matches.")
            return
        rows = sorted(self.rules.values(), key=lambda r: (_LEVEL_ORDER.get(r["level"], 9), -r["matches"], r["rule"]))
        click.echo(
            render_table(
                [{**r, "files": len(r["files"])} for r in rows], ["level", "matches", "files", "first", "rule"]
            )
        )
        click.echo(f"\n{self.count} match(es) of {len(rows)} rule(s)")


def _report(engine: Engine, stats: ReadStats, count: int) -> None:
    """Reading and rule problems, on stderr."""
    out = sys.stderr
    errors = [*engine.errors, *engine.failure_errors()]
    for error in errors:
        click.echo(f"secops: rule error: {error}", err=True)
    for warning in engine.warnings:
        click.echo(f"secops: warning: {warning}", err=True)
    report_reading(stats)
    malformed = sum(stats.malformed.values())
    print(
        f"secops: {len(engine.rules)} rule(s), {len(engine.ruleset.correlations)} correlation(s), "
        f"{len(errors)} rule error(s); {stats.files} file(s), {stats.events} event(s), "
        f"{malformed} malformed, {len(stats.skipped)} skipped; {count} match(es)",
        file=out,
    )


def report_reading(stats: ReadStats) -> None:
    """Files skipped, malformed lines and unreadable times, with line numbers (never line content)."""
    for path, why in stats.skipped.items():
        click.echo(f"secops: skipped {safe_text(path)}: {safe_text(why)}", err=True)
    for path, bad in stats.malformed.items():
        if bad:
            lines = ", ".join(str(n) for n in stats.malformed_lines.get(path, []))
            first = f" (first: line {lines})" if lines else ""
            click.echo(f"secops: {safe_text(path)}: {bad} malformed line(s)/record(s) skipped{first}", err=True)
    for path, bad in stats.bad_times.items():
        lines = ", ".join(str(n) for n in stats.bad_time_lines.get(path, []))
        click.echo(
            f"secops: {safe_text(path)}: {bad} line(s) with a time that cannot be read (first: line {lines}); "
            "their events are kept in file order without a time",
            err=True,
        )
