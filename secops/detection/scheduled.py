"""Continuous local detection on a schedule (job kind "detect"): each run reads only the lines
written since the last one (bookmarks), matches them, and streams the matches to the alerts."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from secops.detection.events import Match, ReadStats, coalesce
from secops.detection.incremental import IncrementalRead, load_bookmarks
from secops.detection.sigma.alerts import store_matches
from secops.errors import SecopsError
from secops.i18n import _
from secops.store import Store

log = logging.getLogger(__name__)


@dataclass
class DetectOutcome:
    matches: int
    written: int
    stats: ReadStats
    notes: list[str]
    rule_errors: list[str]  # file:line: reason (loading, compiling, or failing while matching)


def detect_new(
    store: Store,
    rule_paths: Iterable[Path],
    log_paths: Iterable[Path],
    zone: tzinfo,
    now: datetime,
    *,
    cache_dir: Path | None = None,
) -> DetectOutcome:
    """One bookmarked pass: what is new under ``log_paths`` matched and stored; bookmarks saved last.
    ``cache_dir`` keeps the compiled rules between runs (every scheduled run skips the compile)."""
    from secops.detection.sigma.cache import load_engine

    engine, _cached = load_engine(list(rule_paths), cache_dir=cache_dir)
    if not engine.rules and not engine.ruleset.correlations:
        raise SecopsError(_("no usable Sigma rule"), hint=_("check the job's --rules"))
    stats = ReadStats()
    reader = IncrementalRead([Path(p) for p in log_paths], load_bookmarks(store), stats, zone)
    counted = [0]

    def matches() -> Iterator[Match]:
        for match in engine.run_batches(coalesce(reader.batches())):
            counted[0] += 1
            yield match

    written = store_matches(store, matches(), now)
    reader.save(store, now)
    errors = [str(error) for error in [*engine.errors, *engine.failure_errors()]]
    return DetectOutcome(counted[0], written, stats, reader.notes, errors)


def with_packs(workspace: Path, rule_paths: list[Path]) -> list[Path]:
    """``rule_paths`` and, when they include the shipped Sigma rules (the job's default), the Sigma
    rules of the content packs installed now: a pack installed after the job was set up runs too."""
    from secops.content.locate import content_root
    from secops.detection.pack_dirs import rule_dirs

    shipped = (content_root("rules") / "sigma").resolve()
    if not any(p.resolve() == shipped for p in rule_paths):
        return rule_paths
    return [*rule_paths, *rule_dirs(workspace, "sigma")]


def run_detect_job(workspace_path: str, paths: str, rules: str, cron: str = "") -> None:
    """The scheduled detection; ``paths`` and ``rules`` are joined with ``os.pathsep``. Never raises
    a SecopsError: what went wrong is logged."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from secops.config import load_workspace
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        log_paths = [Path(p) for p in paths.split(os.pathsep) if p]
        missing = [str(p) for p in log_paths if not p.exists()]
        with open_workspace_store(workspace) as store:
            outcome = detect_new(
                store,
                with_packs(workspace.path, [Path(p) for p in rules.split(os.pathsep) if p]),
                [p for p in log_paths if p.exists()],
                ZoneInfo(workspace.config.timezone),
                datetime.now(UTC),
                cache_dir=workspace.path / "cache" / "sigma",
            )
        log.warning(
            "scheduled detection: %d file(s), %d new event(s), %d malformed, %d match(es), %d new alert(s), "
            "%d rule error(s)%s",
            outcome.stats.files,
            outcome.stats.events,
            sum(outcome.stats.malformed.values()),
            outcome.matches,
            outcome.written,
            len(outcome.rule_errors),
            f"; missing: {', '.join(missing)}" if missing else "",
        )
        for note in outcome.notes:
            log.warning("scheduled detection: %s", note)
        for error in outcome.rule_errors:
            log.warning("scheduled detection: rule error: %s", error)
        for path, lines in outcome.stats.malformed_lines.items():
            log.warning(
                "scheduled detection: %s: %d malformed line(s) skipped (first: line %s)",
                path,
                outcome.stats.malformed[path],
                ", ".join(map(str, lines)),
            )
    except SecopsError as error:
        log.error("scheduled detection failed: %s", error)
