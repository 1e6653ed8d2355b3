"""``secops alerts``: every stored alert (Sigma, hunts, YARA, discovery) listed, shown, acked, closed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, emit_object, format_option, localize, safe_text, say, to_json
from secops.i18n import _

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

_SOURCES = ("sigma", "yara", "discovery", "hunt")
_SEVERITIES = ("info", "low", "medium", "high", "critical")
_LIST_COLUMNS = ["id", "at", "severity", "source", "status", "host", "title"]
_COMPLETED = 50  # alerts offered by shell completion, newest first


def _labels() -> dict[str, str]:
    """What a person reads for each field of an alert (JSON keeps the English keys)."""
    return {
        "id": _("ID"),
        "at": _("Time"),
        "severity": _("Severity"),
        "source": _("Source"),
        "status": _("Status"),
        "host": _("Host"),
        "title": _("Title"),
        "time_known": _("Log time known"),
        "rule": _("Rule"),
        "source_ip": _("Source IP"),
        "kind": _("Kind"),
        "rule_id": _("Rule ID"),
        "log_file": _("Log file"),
        "record": _("Record"),
        "path": _("Path"),
        "sha256": "SHA-256",
        "event": _("Matched event"),
        "members": _("Correlated events"),
        "change": _("Change"),
        "status_at": _("Status changed at"),
        "status_note": _("Status note"),
        "identity": _("Identity"),
    }


def _completion(statuses: tuple[str, ...]) -> Any:
    """Shell completion of alert ids (newest first, with their title), read from the workspace named
    on the command line (or $SECOPS_HOME, ~/.secops); offers nothing rather than ever failing."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        import os

        from click.shell_completion import CompletionItem

        try:
            from secops.config import load_workspace
            from secops.store.alerts import AlertFilter, find_alerts
            from secops.workspace import open_workspace_store

            given = ctx.find_root().params.get("workspace")
            path = Path(given or os.environ.get("SECOPS_HOME") or Path.home() / ".secops").expanduser()
            with open_workspace_store(load_workspace(path)) as store:
                rows = find_alerts(store, AlertFilter(statuses=statuses, limit=_COMPLETED))
        except Exception:  # a missing or broken workspace: no completion, never a traceback in the shell
            return []
        return [
            CompletionItem(str(row["id"]), help=safe_text(row["title"], 60))
            for row in rows
            if str(row["id"]).startswith(incomplete)
        ]

    return complete


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
    if fmt == "table":
        _mark_unknown_times(rows)
    emit(rows, fmt, _LIST_COLUMNS, headers=_labels(), empty=_("No alerts match."))


@alerts.command()
@click.argument("alert_id", type=int, metavar="ID", shell_complete=_completion(()))
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
        item["at"] = _("{time} (the log's time could not be read: this is when it was stored)").format(
            time=safe_text(item["at"])
        )
    item.pop("time_known", None)  # said with the time itself
    labels = _labels()
    shown = {labels.get(key, key): _cell(value) for key, value in item.items() if value not in (None, "", [], {})}
    emit_object(shown, fmt)


def _mark_unknown_times(rows: list[dict[str, Any]]) -> None:
    """A log line whose time could not be read: its alert's time is when it was stored; say so."""
    unknown = [row for row in rows if not row.get("time_known", True)]
    for row in unknown:
        row["at"] = f"{safe_text(row['at'])}*"
    if unknown:
        say(_("* the log's time could not be read: the time shown is when the alert was stored"), err=True)


def _cell(value: Any) -> Any:
    """Nested values (the matched event, members, a change) as one line of JSON."""
    return to_json(value, indent=None) if isinstance(value, dict | list) else value


def _set(app: AppContext, ids: tuple[int, ...], status: str, note: str | None, fmt: str) -> None:
    from secops.store.alerts import set_status

    workspace = app.workspace()
    with app.store(workspace) as store:
        done = set_status(store, ids, status, note, app.now())
    if fmt != "table":
        rows = [{"id": i, "status": status, "changed": i in done.changed} for i in dict.fromkeys(ids)]
        emit(rows, fmt)
        return
    if done.changed:
        listed = ", ".join(f"#{i}" for i in done.changed)
        message = (
            _("Acknowledged {count} alert(s): {ids}.") if status == "acked" else _("Closed {count} alert(s): {ids}.")
        )
        click.echo(message.format(count=len(done.changed), ids=listed))
    if done.unchanged:
        already = ", ".join(f"#{i}" for i in done.unchanged)
        message = (
            _("Already acknowledged, left as they were: {ids}.")
            if status == "acked"
            else _("Already closed, left as they were: {ids}.")
        )
        click.echo(message.format(ids=already))


_note = click.option("--note", help="Why (kept with the alert, shown by secops alerts show).")


@alerts.command()
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID...", shell_complete=_completion(("open",)))
@_note
@format_option()
@pass_app
def ack(app: AppContext, ids: tuple[int, ...], note: str | None, fmt: str) -> None:
    """Acknowledge alerts: someone is on it. Every ID must exist, or nothing is changed."""
    _set(app, ids, "acked", note, fmt)


@alerts.command()
@click.argument(
    "ids", nargs=-1, required=True, type=int, metavar="ID...", shell_complete=_completion(("open", "acked"))
)
@_note
@format_option()
@pass_app
def close(app: AppContext, ids: tuple[int, ...], note: str | None, fmt: str) -> None:
    """Close alerts: handled. Storing the same input again does not raise them again."""
    _set(app, ids, "closed", note, fmt)
