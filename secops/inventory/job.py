"""A discovery job: profile + scope check -> scan -> inventory update, recorded as a scan run.

Nothing leaves before the targets are checked against the scope and the profile's time window.
An interrupted scan (Ctrl-C, SIGTERM) leaves the inventory untouched and the run 'aborted'; a
lock file keeps two discoveries of one workspace from running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

from secops.config import Workspace
from secops.content.validate import load_units
from secops.discovery.profiles import ScanProfile
from secops.discovery.progress import ScanProgress
from secops.discovery.targets import resolve_targets
from secops.errors import SecopsError
from secops.i18n import _
from secops.inventory.fingerprints import load_classifier
from secops.inventory.repository import ApplyResult, apply_discovery, finish_run, start_run
from secops.store import Store


class ScanAborted(KeyboardInterrupt):
    """Raised in the scanning process when it is told to stop (SIGTERM)."""


@dataclass(frozen=True)
class DiscoveryOutcome:
    run_id: int
    profile: str
    targets: list[str]
    result: ApplyResult
    warnings: list[str]


def load_profile(name: str) -> ScanProfile:
    """A shipped profile by name, or the user's own profile file (``--profile my.yml``)."""
    if name.endswith((".yml", ".yaml")):
        from secops.content.kinds import kind_named
        from secops.content.validate import parse_unit
        from secops.errors import ContentErrors

        unit, errors = parse_unit(Path(name), kind_named("scan-profile"))
        if errors:
            raise ContentErrors(errors)
        custom: ScanProfile = unit
        return custom
    profiles = {p.id: p for p in load_units("scan-profile")}
    if name not in profiles:
        raise SecopsError(
            _("no scan profile named {name!r}").format(name=name),
            hint=_("known profiles: {names}").format(names=", ".join(sorted(profiles))),
        )
    profile: ScanProfile = profiles[name]
    return profile


@contextlib.contextmanager
def exclusive(workspace: Workspace) -> Iterator[None]:
    path = Path(workspace.path) / "discovery.lock"
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SecopsError(
                _("another discovery is running in this workspace"),
                hint=_("wait for it to finish (secops assets runs)"),
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _kill_children() -> None:
    """Stop the nmap processes this scan started, so a killed scan does not linger."""
    pid = os.getpid()
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(child), signal.SIGTERM)


@contextlib.contextmanager
def abort_on_sigterm() -> Iterator[None]:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        _kill_children()
        raise ScanAborted

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (the scheduler's workers): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_discovery(
    workspace: Workspace,
    store: Store,
    *,
    profile_name: str,
    targets: Iterable[str],
    now: Callable[[], datetime],
    force: bool = False,
    gone_after: int = 2,
    progress: Callable[[str], None] = lambda _line: None,
    stats: Callable[[ScanProgress], None] | None = None,
    allow_large_scope: bool = True,
) -> DiscoveryOutcome:
    """Scan ``targets`` (default: the whole scope) with one profile and update the inventory.

    Without explicit targets and with ``allow_large_scope`` false, a scope of more than
    65,536 addresses is refused before anything is sent (the CLI's ``--yes`` allows it).
    """
    from secops.discovery.nmap_runner import nmap_path
    from secops.discovery.run import check_scan_size, discover
    from secops.inventory.alert_rules import AlertRule

    profile = load_profile(profile_name)
    targets = tuple(targets)
    target_set = resolve_targets(targets, workspace.config.networks())
    if not targets:
        check_scan_size(target_set, profile, confirmed=allow_large_scope)
    started = now()
    local = started.astimezone(ZoneInfo(workspace.config.timezone))
    if not force and not profile.allowed_at(local):
        raise SecopsError(
            _("profile {profile!r} may not run now ({now}); its windows: {windows}").format(
                profile=profile.id, now=f"{local:%a %H:%M}", windows=profile.window_text()
            ),
            hint=_("wait for the window, pick another --profile, or pass --force"),
        )
    nmap_path()
    classifier = load_classifier()
    rules: list[AlertRule] = load_units("alert-rule")
    target_names = [str(n) for n in target_set.networks]
    with exclusive(workspace), abort_on_sigterm():
        run_id = start_run(store, profile.id, target_names, started)
        try:
            found = discover(target_set, profile, progress=progress, stats=stats)
            result = apply_discovery(
                store,
                run_id,
                found.hosts,
                found.coverage,
                classifier,
                rules,
                now(),
                gone_after=gone_after,
                commands=found.commands,
            )
        except BaseException as error:
            # The transaction that writes the inventory never committed: only the run is recorded.
            aborted = isinstance(error, KeyboardInterrupt)
            reason = (
                "interrupted" if aborted else (str(error) if isinstance(error, SecopsError) else type(error).__name__)
            )
            finish_run(store, run_id, "aborted" if aborted else "failed", now(), error=reason)
            raise
    return DiscoveryOutcome(run_id, profile.id, target_names, result, found.warnings)
