"""Shared pieces of the ``secops incident`` commands: the acting session, times, facts, output."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli.context import AppContext
from secops.cli.output import emit_object

if TYPE_CHECKING:
    from secops.incident.model import Incident, Session


def session_for(app: AppContext, store: Any, actor: str | None) -> Session:
    import getpass

    from secops.incident.audit import audit_key
    from secops.incident.model import Session

    key = audit_key(app.workspace_path, store)  # a missing key of an existing trail: exit 2, never a new one
    return Session(store, key, actor or getpass.getuser(), app.now(), app.display_zone())


def parse_when(text: str | None, app: AppContext) -> datetime:
    from datetime import UTC

    from secops.errors import SecopsError

    if not text:
        return app.now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SecopsError(f"{text!r} is not an ISO 8601 time", hint="e.g. 2026-11-23T09:30+08:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.zone())
    return moment.astimezone(UTC)


actor_option = click.option("--actor", help="Who does this (default: the login name); recorded in the audit trail.")


def parse_facts(pairs: tuple[str, ...]) -> dict[str, Any]:
    from secops.errors import SecopsError

    found: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SecopsError(f"--fact {pair!r}: use KEY=VALUE, e.g. pi_leaked=1200000")
        try:
            found[key.strip()] = float(value) if "." in value else int(value)
        except ValueError:
            found[key.strip()] = value.strip()
    return found


def show_incident(app: AppContext, store: Any, found: Incident, fmt: str, headline: str = "") -> None:
    from secops.incident.clocks import clocks_for, pending_clocks
    from secops.incident.policy import load_policy

    policy = load_policy()
    clocks = [c.as_dict() for c in clocks_for(found, policy, app.now())]
    pending = [c.as_dict() for c in pending_clocks(found, policy)]  # not started: no countdown
    if fmt != "table":
        emit_object({**found.as_dict(), "clocks": clocks, "pending_clocks": pending}, fmt)
        return
    if headline:
        click.echo(headline)
    click.echo(f"#{found.id} {found.title}")
    click.echo(f"  {found.category} {found.subcategory} · {found.grade} · {found.state} · 负责人 {found.owner or '—'}")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.workspace().config.timezone)
    local = found.detected_at.astimezone(zone)
    click.echo(f"  发现于 {local:%Y-%m-%d %H:%M} · 预案 {found.playbook or '—'}")
    _notice_lines(found.facts, zone)
    for clock in clocks:
        click.echo(f"  ⏱ {clock['name']}: {clock['left_text']}")
    for clock in pending:
        click.echo(f"  · {clock['name']}: {clock['left_text']}")


def _notice_lines(facts: dict[str, Any], zone: Any) -> None:
    """The 通报 an incident came from (secops.forward.inbox keeps it in the facts), in local time."""
    if not facts.get("notice_id"):
        return
    from datetime import datetime

    def local(key: str) -> str:
        try:
            return datetime.fromisoformat(str(facts.get(key))).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return "—"

    click.echo(f"  通报 {facts['notice_id']} · 下发单位 {facts.get('notice_issuer') or '—'}")
    issued, received, due = (local(k) for k in ("notice_issued_at", "notice_received_at", "notice_due_at"))
    click.echo(f"  下发于 {issued} · 收到于 {received} · 整改期限 {due}")
    text = str(facts.get("notice_text") or "").strip()
    if text:
        for line in text.splitlines()[:20]:
            click.echo(f"  │ {line}")


def write_document(report: Any, output: Path | None, fmt: str, data: Any) -> None:
    from secops.cli.output import to_json
    from secops.errors import SecopsError
    from secops.render.formats import write_report

    if fmt == "json":
        text = to_json(data)
        if output:
            from secops.fsutil import write_text_atomic

            write_text_atomic(output, text + "\n")
            click.echo(f"Wrote {output}")
        else:
            click.echo(text)
        return
    if output is None:
        raise SecopsError(f"--format {fmt} needs -o FILE.{fmt}")
    if output.suffix.lstrip(".").lower() != fmt:
        raise SecopsError(f"-o {output}: the file name must end in .{fmt} for --format {fmt}")
    written = write_report(report, output)
    click.echo(f"Wrote {output} ({len(written):,} bytes)")
