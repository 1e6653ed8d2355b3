"""``secops assets``: discover, list, show, diff, tag, export, runs, alerts."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import (
    emit,
    emit_object,
    findings,
    force_option,
    format_option,
    localize,
    refuse_overwrite,
    safe_text,
    say,
    warn,
)
from secops.i18n import _

if TYPE_CHECKING:  # imported lazily: `secops --help` stays fast
    from secops.discovery.progress import ScanProgress

PLAIN_EVERY = 30.0  # seconds between progress lines when stderr is not a terminal


@click.group(cls=SecopsGroup)
def assets() -> None:
    """Asset discovery (nmap/scapy, IPv4 and IPv6) and the inventory with its history."""


@assets.command()
@click.argument("targets", nargs=-1, metavar="[TARGET]...")
@click.option(
    "--profile",
    "profile_name",
    default="quick",
    show_default=True,
    shell_complete=complete.profiles,
    help="Scan profile (scanners/profiles).",
)
@click.option("--force", is_flag=True, help="Scan even outside the profile's time windows.")
@click.option(
    "--yes",
    "-y",
    "yes",
    is_flag=True,
    help="Scan the whole scope even when it holds more than 65,536 addresses (not needed with TARGETs).",
)
@click.option(
    "--gone-after",
    type=click.IntRange(1, 100),
    default=2,
    show_default=True,
    help="Missed scans before a host counts as gone.",
)
@format_option()
@pass_app
def discover(
    app: AppContext,
    targets: tuple[str, ...],
    profile_name: str,
    force: bool,
    yes: bool,
    gone_after: int,
    fmt: str,
) -> None:
    """Scan TARGETs (addresses, CIDRs, ranges; default: the whole scope) and update the inventory.

    A whole scope of more than 65,536 addresses needs --yes. Progress (hosts done, share, time
    left, from nmap's own statistics) shows as a bar on a terminal and as a line on stderr every
    30 seconds otherwise. Exits 1 when the scan raised alerts (a new host, a risky service), 0 otherwise.
    """
    from secops.inventory.job import run_discovery

    workspace = app.workspace()
    with app.store(workspace) as store, scan_display() as (progress, stats):
        outcome = run_discovery(
            workspace,
            store,
            profile_name=profile_name,
            targets=targets,
            now=app.now,
            force=force,
            gone_after=gone_after,
            progress=progress,
            stats=stats,
            allow_large_scope=yes,
        )
    result = outcome.result
    for warning in outcome.warnings:
        warn(warning)
    summary = {
        "run": outcome.run_id,
        "profile": outcome.profile,
        "targets": outcome.targets,
        "hosts_up": result.hosts_up,
        "changes": [{"change": c.kind, "asset": c.asset_key, **c.detail} for c in result.changes],
        "alerts": [{"severity": a.severity, "rule": a.kind, "title": a.title} for a in result.alerts],
    }
    if fmt == "table":
        click.echo(
            _("Scan run {run} ({profile}): {hosts} host(s) up, {changes} change(s), {alerts} alert(s)").format(
                run=outcome.run_id,
                profile=outcome.profile,
                hosts=result.hosts_up,
                changes=len(result.changes),
                alerts=len(result.alerts),
            )
        )
        for change in result.changes:
            click.echo(f"  {change.kind:<16} {change.asset_key:<18} {safe_text(_detail(change.detail))}")
        for alert in result.alerts:
            click.echo(f"  {_('ALERT')} {alert.severity:<8} {safe_text(alert.title)}")
    else:
        emit([summary], fmt) if fmt == "jsonl" else emit_object(summary, fmt)
    findings(bool(result.alerts))


class PlainProgress:
    """nmap's statistics as one line on stderr at most every ``every`` seconds (logs and pipes)."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        every: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write, self.every, self.clock = write, every, clock
        self.last = clock()

    def __call__(self, progress: ScanProgress) -> None:
        from secops.discovery.progress import describe

        moment = self.clock()
        if moment - self.last >= self.every:
            self.last = moment
            self.write(_("secops: scan progress {progress}").format(progress=describe(progress)))


@contextlib.contextmanager
def scan_display() -> Iterator[tuple[Callable[[str], None], Callable[[ScanProgress], None]]]:
    """(step, statistics) callbacks: a rich progress bar per nmap run on a terminal, plain lines otherwise."""
    if not sys.stderr.isatty():
        yield (lambda _line: None), PlainProgress(lambda line: click.echo(line, err=True))
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn

    from secops.discovery.progress import describe

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        step = bar.add_task(_("starting discovery"), total=None, detail="")
        runs: dict[str, TaskID] = {}

        def show(progress: ScanProgress) -> None:
            if progress.label not in runs:
                bar.update(step, visible=False)
                runs[progress.label] = bar.add_task(f"nmap {progress.label}", total=progress.total or None, detail="")
            detail = describe(progress, label=False)
            bar.update(runs[progress.label], completed=progress.fraction * progress.total, detail=detail)

        yield (lambda line: bar.update(step, description=line, visible=True)), show


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, [], ""))


@assets.command(name="list")
@click.option(
    "--type", "asset_type", help="Only assets of this type (server, pc, printer, camera, network, iot, unknown)."
)
@click.option("--system", "tag", help="Only assets tagged with this system.")
@click.option("--up", "only_up", is_flag=True, help="Hide assets that are gone.")
@format_option()
@pass_app
def list_assets(app: AppContext, asset_type: str | None, tag: str | None, only_up: bool, fmt: str) -> None:
    """List the inventory."""
    from secops.inventory.queries import list_assets as query

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = query(store, asset_type=asset_type, tag=tag, include_gone=not only_up)
        items = localize((a.to_json() for a in found), workspace.config.timezone)
    if fmt == "table":
        for item in items:
            item["ports"] = ",".join(str(s["port"]) for s in item["services"])
            item["ipv6"] = " ".join(item["ipv6"][:2])
        emit(
            items,
            fmt,
            ["ipv4", "ipv6", "mac", "type", "ports", "system", "status", "last_seen"],
            headers=_asset_headers(),
            empty=_("No assets found"),
        )
    else:
        emit(items, fmt)


def _asset_headers() -> dict[str, str]:
    return {
        "ipv4": "IPv4",
        "ipv6": "IPv6",
        "mac": "MAC",
        "type": _("TYPE"),
        "ports": _("PORTS"),
        "system": _("SYSTEM"),
        "status": _("STATUS"),
        "last_seen": _("LAST SEEN"),
    }


@assets.command()
@click.argument("asset")
@format_option()
@pass_app
def show(app: AppContext, asset: str, fmt: str) -> None:
    """Show one ASSET (address, MAC or key) with its services."""
    from secops.inventory.queries import find_asset

    workspace = app.workspace()
    with app.store(workspace) as store:
        item = localize([find_asset(store, asset).to_json()], workspace.config.timezone)[0]
    if fmt != "table":
        emit_object(item, fmt)
        return
    services = item.pop("services")
    emit_object(item, fmt)
    click.echo("")
    emit(
        [{**s, "port": f"{s['port']}/{s['proto']}", "cpe": " ".join(s["cpe"])} for s in services],
        fmt,
        ["port", "name", "product", "version", "extrainfo", "banner"],
        headers={
            "port": _("PORT"),
            "name": _("SERVICE"),
            "product": _("PRODUCT"),
            "version": _("VERSION"),
            "extrainfo": _("EXTRA INFO"),
            "banner": _("BANNER"),
        },
        empty=_("No open services recorded"),
    )


@assets.command()
@click.option("--run", "run_id", type=int, help="Changes of this scan run (default: the last one).")
@format_option()
@pass_app
def diff(app: AppContext, run_id: int | None, fmt: str) -> None:
    """Show what changed in a scan run: hosts new, gone or back, ports opened or closed, versions."""
    from secops.inventory.queries import changes_of

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = localize(changes_of(store, run_id=run_id), workspace.config.timezone)
    if fmt == "table":
        for row in rows:
            row["detail"] = _detail(row["detail"])
    emit(
        rows,
        fmt,
        ["run", "at", "asset", "change", "detail"],
        headers={"run": _("RUN"), "at": _("AT"), "asset": _("ASSET"), "change": _("CHANGE"), "detail": _("DETAIL")},
        empty=_("No changes found"),
    )


@assets.command()
@click.argument("asset")
@click.option("--owner", help="Who is responsible for it.")
@click.option("--system", help="The information system it belongs to (links it to 等保 systems).")
@click.option("--type", "asset_type", help="Override the fingerprinted type.")
@format_option()
@pass_app
def tag(app: AppContext, asset: str, owner: str | None, system: str | None, asset_type: str | None, fmt: str) -> None:
    """Set the owner, system tag or type of an ASSET."""
    from secops.inventory.queries import tag_asset

    workspace = app.workspace()
    with app.store(workspace) as store:
        item = tag_asset(store, asset, owner=owner, system=system, asset_type=asset_type).to_json()
    item.pop("services")
    emit_object(localize([item], workspace.config.timezone)[0], fmt)


@assets.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="File: .csv, .xlsx or .json; - writes CSV or JSON to stdout.",
)
@click.option(
    "--as",
    "file_type",
    type=click.Choice(["csv", "json", "xlsx"]),
    help="File type when the name does not say it (default for -o -: csv).",
)
@force_option()
@pass_app
def export(app: AppContext, output: Path, file_type: str | None, force: bool) -> None:
    """Export the inventory to CSV, XLSX or JSON (the type follows the file name; -o - is stdout)."""
    from secops.errors import SecopsError
    from secops.inventory.export import export_assets, render_export

    to_stdout = str(output) == "-"
    if to_stdout:
        chosen = file_type or "csv"
        if chosen == "xlsx":
            raise SecopsError(
                _("XLSX is a binary file and cannot go to stdout"), hint=_("give a file name, e.g. -o assets.xlsx")
            )
    else:
        refuse_overwrite(output, force)
    items = _inventory(app)
    if to_stdout:
        # no BOM on a pipe: it is only there so that Excel reads a CSV file's Chinese text
        click.echo(render_export(items, chosen).decode("utf-8").removeprefix("\ufeff"), nl=False)
        say(_("Exported {count} assets").format(count=len(items)), err=True)
        return
    size = export_assets(items, output, file_type)
    say(_("Wrote {path} ({count} assets, {size} bytes)").format(path=output, count=len(items), size=f"{size:,}"))


def _inventory(app: AppContext) -> list[dict[str, Any]]:
    from secops.inventory.queries import list_assets as query

    workspace = app.workspace()
    with app.store(workspace) as store:
        return localize((a.to_json() for a in query(store)), workspace.config.timezone)


@assets.command()
@format_option()
@pass_app
def runs(app: AppContext, fmt: str) -> None:
    """List recent scan runs and how they ended."""
    from secops.inventory.queries import scan_run_list

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = localize(scan_run_list(store), workspace.config.timezone)
    emit(
        rows,
        fmt,
        ["run", "profile", "status", "started", "hosts_up", "changes", "targets", "error"],
        headers={
            "run": _("RUN"),
            "profile": _("PROFILE"),
            "status": _("STATUS"),
            "started": _("STARTED"),
            "hosts_up": _("HOSTS UP"),
            "changes": _("CHANGES"),
            "targets": _("TARGETS"),
            "error": _("ERROR"),
        },
        empty=_("No scan runs yet"),
    )


@assets.command()
@click.option("--all", "show_all", is_flag=True, help="Include closed alerts.")
@format_option()
@pass_app
def alerts(app: AppContext, show_all: bool, fmt: str) -> None:
    """List open alerts raised by discovery."""
    from secops.inventory.queries import alert_list

    workspace = app.workspace()
    with app.store(workspace) as store:
        rows = localize(alert_list(store, status=None if show_all else "open"), workspace.config.timezone)
    emit(
        rows,
        fmt,
        ["id", "at", "severity", "rule", "asset", "title"],
        headers={
            "id": "ID",
            "at": _("AT"),
            "severity": _("SEVERITY"),
            "rule": _("RULE"),
            "asset": _("ASSET"),
            "title": _("TITLE"),
        },
        empty=_("No alerts match"),
    )


@assets.command()
@format_option()
def profiles(fmt: str) -> None:
    """List the scan profiles with their ports (top-N + port lists in scanners/ports) and windows."""
    from secops.content.validate import load_units

    rows = [
        {
            "id": p.id,
            "families": ",".join(f"IPv{f}" for f in p.families),
            "ports": " + ".join([p.ports, *p.port_lists, *([p.extra_ports] if p.extra_ports else [])]),
            "narrow": p.narrow,
            "versions": p.version_detection,
            "windows": p.window_text(),
            "description": p.description,
        }
        for p in load_units("scan-profile")
    ]
    emit(
        rows,
        fmt,
        ["id", "families", "ports", "narrow", "versions", "windows", "description"],
        headers={
            "id": "ID",
            "families": _("FAMILIES"),
            "ports": _("PORTS"),
            "narrow": _("NARROW"),
            "versions": _("VERSIONS"),
            "windows": _("WINDOWS"),
            "description": _("DESCRIPTION"),
        },
        empty=_("No scan profiles found"),
    )
