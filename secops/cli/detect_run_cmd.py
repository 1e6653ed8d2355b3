"""``secops detect run``: Sigma rules over log files, once, only what is new (``--store``), or
continuously (``--follow``), with matches streamed to the workspace's alerts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.detect_report import MatchStream, Summary, notes, report, rule_error
from secops.cli.output import FORMATS as OUTPUT_FORMATS
from secops.cli.output import findings, say
from secops.errors import SecopsError
from secops.i18n import _

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from click.shell_completion import CompletionItem

    from secops.detection.events import EventBatch, Match, ReadStats
    from secops.detection.incremental import IncrementalRead
    from secops.detection.sigma.engine import Engine
    from secops.store import Store


def default_rules() -> Path:
    from secops.content.locate import content_root

    return content_root("rules") / "sigma"


def _placeholders(values: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(_("{value!r} is not NAME=VALUE").format(value=item), param_hint="--placeholder")
        found.setdefault(name.strip("%"), []).append(value)
    return found


def complete_log_format(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The log formats the readers know (never raises: completion must not fail)."""
    from click.shell_completion import CompletionItem

    try:
        from secops.detection.readers import FORMATS
    except Exception:  # a broken install completes nothing
        return []
    return [CompletionItem(name) for name in FORMATS if name.startswith(incomplete)]


@click.command(cls=SecopsCommand)
@click.argument("logpaths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="LOGPATH...")
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sigma rule file or folder (repeatable; default: the shipped rules/sigma pack).",
)
@click.option(
    "--log-format",
    shell_complete=complete_log_format,
    help="Read every file as this format instead of detecting it (evtx, jsonl, web, ...).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="table: a summary per rule (--follow: a line per match); json: one array of the matches; "
    "jsonl: one JSON line per match",
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
    anything matched, 0 otherwise; Ctrl-C stops --follow (exit 130), SIGTERM ends it like a finished run.
    """
    from secops.detection.events import ReadStats
    from secops.detection.readers import FORMATS

    if log_format is not None and log_format not in FORMATS:
        raise click.BadParameter(
            _("{value!r} is not one of {choices}").format(value=log_format, choices=", ".join(FORMATS)),
            param_hint="--log-format",
        )
    if from_start and not store:
        raise click.BadParameter(_("only means something with --store"), param_hint="--from-start")
    missing = [str(path) for path in logpaths if not path.exists()]
    if missing and not follow:  # --follow waits for a log that is not there yet, like tail -F
        raise click.BadParameter(_("{paths} does not exist").format(paths=", ".join(missing)), param_hint="LOGPATH")
    zone = app.zone(zone_name)
    stats = ReadStats()
    summary = Summary()
    out = MatchStream(fmt)
    opened = app.store(app.workspace()) if store else None
    try:
        reader = (
            _reader(opened, list(logpaths), stats, zone, log_format, from_start, follow) if store or follow else None
        )
        if follow:
            assert reader is not None
            engine = _engine(app, rule_paths, _placeholders(placeholders))
            _follow(app, engine, reader, opened, summary, out, interval)
            out.close()  # stopped by SIGTERM: the run ends as a finished one
        else:
            # the logs are read (in a second process where one helps) while the rules load
            with _batches(reader, list(logpaths), log_format, stats, zone) as batches:
                engine = _engine(app, rule_paths, _placeholders(placeholders))
                written = _one_pass(app, engine, batches, opened, summary, out)
            if reader is not None and opened is not None:
                reader.save(opened, app.now())
                notes(reader.notes)
            out.close()
            if fmt == "table":
                summary.echo()
            if opened is not None:
                say(_("secops: {count} new alert(s) stored in the workspace").format(count=written), err=True)
    finally:
        out.end_started()  # a JSON array is closed even when Ctrl-C ends the run
        if opened is not None:
            opened.dispose()
    report(engine, stats, summary.count)
    findings(summary.count > 0)


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
    out: MatchStream,
    live: bool = False,
) -> int:
    """Match one stretch of logs; matches are printed and stored as they come (memory stays flat).
    ``live`` (--follow): a line per match as it comes, instead of the summary table at the end."""
    import gc

    gc.freeze()  # the parsed rules live as long as the run: keep the collector from rescanning them
    try:
        seen = _observed(engine.run_batches(batches), summary, out, live)
        if opened is None:
            for _match in seen:
                pass
            return 0
        from secops.detection.sigma.alerts import store_matches

        return store_matches(opened, seen, app.now())
    finally:
        gc.unfreeze()


def _observed(matches: Iterable[Match], summary: Summary, out: MatchStream, live: bool) -> Iterator[Match]:
    for match in matches:
        summary.add(match)
        out.add(match, live)
        yield match


def _follow(
    app: AppContext,
    engine: Engine,
    reader: IncrementalRead,
    opened: Store | None,
    summary: Summary,
    out: MatchStream,
    interval: float,
) -> None:
    """Passes over what is new until SIGTERM (ends like a finished run) or Ctrl-C (the
    KeyboardInterrupt goes on to the root: one line, exit 130); each pass's bookmarks are saved after
    its alerts, so an interrupted pass is read again next time and its alerts are not stored twice."""
    import signal
    import time

    stop: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: stop.append(number))
    say(_("secops: following {count} path(s); Ctrl-C stops").format(count=len(reader.paths)), err=True)
    try:
        while not stop:
            written = _one_pass(app, engine, reader.batches(), opened, summary, out, live=True)
            if opened is not None:
                reader.save(opened, app.now())
                if written:
                    say(_("secops: {count} new alert(s) stored").format(count=written), err=True)
            notes(reader.notes)
            reader.advance()
            deadline = time.monotonic() + interval
            while not stop and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
    finally:
        signal.signal(signal.SIGTERM, previous)


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
            rule_error(error)
        raise SecopsError(
            _("no usable Sigma rule in {paths}").format(
                paths=", ".join(str(p) for p in rule_paths) or _("the shipped pack")
            ),
            hint=_("check the paths given with --rules"),
        )
    return engine
