"""``secops notify``: the channels of ``notifiers.yaml`` listed (secrets masked) and tried with a test message."""

from __future__ import annotations

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, findings, format_option
from secops.i18n import _


@click.group(cls=SecopsGroup)
def notify() -> None:
    """Notification channels (notifiers.yaml): DingTalk, WeCom, mail, webhooks, the local log.

    \b
      secops notify list
      secops notify test
      secops notify test 值班群
    """


@notify.command(name="list")
@format_option()
@pass_app
def list_cmd(app: AppContext, fmt: str) -> None:
    """The configured channels, in order, with their secrets masked."""
    from secops.notify import load_notifiers

    workspace = app.workspace()
    rows = [
        {"number": number, "name": channel.settings.name or "", "type": channel.name, "target": channel.target()}
        for number, channel in enumerate(load_notifiers(workspace.path), start=1)
    ]
    headers = {"number": "#", "name": _("NAME"), "type": _("TYPE"), "target": _("TARGET")}
    emit(rows, fmt, ["number", "name", "type", "target"], headers=headers, empty=_("No notifiers configured."))


@notify.command(name="test")
@click.argument("which", required=False, metavar="[CHANNEL]")
@click.option(
    "--timeout", type=click.FloatRange(min=0.1, max=300), default=10.0, show_default=True, help="Seconds per attempt."
)
@format_option()
@pass_app
def test_cmd(app: AppContext, which: str | None, timeout: float, fmt: str) -> None:
    """Send a test message through every channel, or the one CHANNEL names (its name, type or number).

    One line per channel: ok, or why it failed. Exits 1 when any channel failed.
    """
    from secops.notify import deliver, load_notifiers
    from secops.notify.trial import pick, trial_message

    workspace = app.workspace()
    now = app.now()
    text = trial_message(workspace.config.school.name, now, app.zone())
    event = {"kind": "notify.test", "school": workspace.config.school.code, "at": now.isoformat()}
    rows = []
    for number, channel in pick(load_notifiers(workspace.path), which):
        reason = deliver(channel, text, event, workspace.path, timeout=timeout)
        rows.append(
            {
                "number": number,
                "name": channel.label,
                "type": channel.name,
                "status": "ok" if reason is None else "failed",
                "detail": reason or channel.target(),
            }
        )
    headers = {"number": "#", "name": _("NAME"), "type": _("TYPE"), "status": _("STATUS"), "detail": _("DETAIL")}
    emit(rows, fmt, ["number", "name", "type", "status", "detail"], headers=headers)
    findings(any(row["status"] != "ok" for row in rows))
