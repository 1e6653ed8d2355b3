"""``secops alerts``: every stored alert (Sigma, hunts, YARA, discovery) listed, shown, acked, closed."""

from __future__ import annotations

from typing import Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, emit_object, format_option, localize, safe_text, to_json

_SOURCES = ("sigma", "yara", "discovery", "hunt")
_SEVERITIES = ("info", "low", "medium", "high", "critical")
_LIST_COLUMNS = ["id", "at", "severity", "source", "status", "host", "title"]


@click.group(cls=SecopsGroup)
def alerts() -> None:
    """Alerts stored by detect run --store, detect hunt, yara scan --store and assets discover.

    \b
      secops alerts list --severity high --since 24h
      secops alerts show 12
      secops alerts ack 12 13 --note "网管已确认，正在处理"
      secops alerts close 12 --note "webshell removed, password changed"
      secops incident open --from-alert 12 --grade 较大
    """


@alerts.command(name="list")
@click.option("--source", "sources", multiple=True, type=click.Choice(_SOURCES), help="Only this source (repeatable).")
@click.option("--severity", type=click.Choice(_SEVERITIES), help="Only this severity and above.")
@click.option("--since", help="Only alerts whose event is this recent: 30m, 24h, 7d, or an ISO time.")
@click.option(
    "--status",
    type=click.Choice(("open", "acked", "closed", "all")),
    help="Only this status (default: open and acked).",
)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most N, newest first.")
@format_option()
@pass_app
def list_cmd(
    app: AppContext,
    sources: tuple[str, ...],
    severity: str | None,
    since: str | None,
    status: str | None,
    limit: int,
    fmt: str,
) -> None:
    """List alerts, newest first (times in the workspace's zone)."""
    from zoneinfo import ZoneInfo

    from secops.detection.hunt_search import parse_when  # the one "30m / 24h / ISO time" reader
    from secops.store.alerts import SOURCES, AlertFilter, find_alerts

    workspace = app.workspace()
    zone = workspace.config.timezone
    where = AlertFilter(
        sources=tuple(SOURCES[s] for s in sources),
        min_severity=severity,
        since=parse_when(since, app.now(), zone=ZoneInfo(zone)) if since else None,
        statuses=() if status == "all" else (status,) if status else ("open", "acked"),
        limit=limit,
    )
    with app.store(workspace) as store:
        rows = localize(find_alerts(store, where), zone)
    if fmt == "table" and not rows:
        click.echo("No alerts.")
        return
    if fmt == "table":
        _mark_unknown_times(rows)
    emit(rows, fmt, _LIST_COLUMNS)


@alerts.command()
@click.argument("alert_id", type=int, metavar="ID")
@format_option()
@pass_app
def show(app: AppContext, alert_id: int, fmt: str) -> None:
    """Show everything about alert ID: rule, where it was found, the matched event, its status."""
    from secops.store.alerts import get_alert

    workspace = app.workspace()
    with app.store(workspace) as store:
        item = localize([get_alert(store, alert_id)], workspace.config.timezone)[0]
    if fmt != "table":
        emit_object(item, fmt)
        return
    item.pop("detail")  # what is in it is shown above; --format json has it whole
    if not item.get("time_known", True):
        item["at"] = f"{safe_text(item['at'])}（日志时间无法读取，此为入库时间）"
    emit_object({key: _cell(value) for key, value in item.items() if value not in (None, "", [], {})}, fmt)


def _mark_unknown_times(rows: list[dict[str, Any]]) -> None:
    """A log line whose time could not be read: its alert's time is when it was stored; say so."""
    unknown = [row for row in rows if not row.get("time_known", True)]
    for row in unknown:
        row["at"] = f"{safe_text(row['at'])}*"
    if unknown:
        click.echo("* 日志时间无法读取，显示的是入库时间 (the log's time could not be read: stored at)", err=True)


def _cell(value: Any) -> Any:
    """Nested values (the matched event, members, a change) as one line of JSON."""
    return to_json(value, indent=None) if isinstance(value, dict | list) else value


def _set(app: AppContext, ids: tuple[int, ...], status: str, note: str | None, fmt: str) -> None:
    from secops.store.alerts import set_status

    workspace = app.workspace()
    with app.store(workspace) as store:
        done = set_status(store, ids, status, note, app.now())
    word = "Acknowledged" if status == "acked" else "Closed"
    if fmt != "table":
        rows = [{"id": i, "status": status, "changed": i in done.changed} for i in dict.fromkeys(ids)]
        emit(rows, fmt)
        return
    if done.changed:
        click.echo(f"{word} {len(done.changed)} alert(s): {', '.join(f'#{i}' for i in done.changed)}.")
    if done.unchanged:
        already = ", ".join(f"#{i}" for i in done.unchanged)
        click.echo(f"Already {status}, left as they were: {already}.")


_note = click.option("--note", help="Why (kept with the alert, shown by secops alerts show).")


@alerts.command()
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...")
@_note
@format_option()
@pass_app
def ack(app: AppContext, ids: tuple[int, ...], note: str | None, fmt: str) -> None:
    """Acknowledge alerts: someone is on it. Every ID must exist, or nothing is changed."""
    _set(app, ids, "acked", note, fmt)


@alerts.command()
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...")
@_note
@format_option()
@pass_app
def close(app: AppContext, ids: tuple[int, ...], note: str | None, fmt: str) -> None:
    """Close alerts: handled. Storing the same input again does not raise them again."""
    _set(app, ids, "closed", note, fmt)
