"""Shared pieces of the ``secops incident`` commands: the acting session, times, facts, output,
documents and shell completion."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from secops.cli.context import AppContext
from secops.cli.output import emit_object
from secops.i18n import N_, _

if TYPE_CHECKING:
    from secops.incident.model import Incident, Session

# What a person reads for each state; the JSON keeps the state itself.
STATE_NAMES = {
    "new": N_("New"),
    "acknowledged": N_("Acknowledged"),
    "contained": N_("Contained"),
    "eradicated": N_("Eradicated"),
    "recovered": N_("Recovered"),
    "closed": N_("Closed"),
}


# A clock's status as a person reads it (secops.incident.clocks.Clock.status).
CLOCK_STATUS_NAMES = {
    "running": N_("Running"),
    "overdue": N_("Overdue"),
    "met": N_("Met"),
    "missed": N_("Missed"),
}


def state_name(state: str) -> str:
    return _(STATE_NAMES[state]) if state in STATE_NAMES else state


def clock_status_name(status: str) -> str:
    return _(CLOCK_STATUS_NAMES[status]) if status in CLOCK_STATUS_NAMES else status


def playbook_name(playbook: Any) -> str:
    """A playbook's name in the language being spoken (playbooks carry both)."""
    from secops.i18n import language

    return str(playbook.name.en if language() == "en" else playbook.name.zh)


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
        raise SecopsError(
            _("{text!r} is not an ISO 8601 time").format(text=text), hint=_("e.g. 2026-11-23T09:30+08:00")
        ) from None
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
            raise SecopsError(_("--fact {pair!r}: use KEY=VALUE, e.g. pi_leaked=1200000").format(pair=pair))
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
    owner = _("owner {owner}").format(owner=found.owner or "—")
    click.echo(f"  {found.category} {found.subcategory} · {found.grade} · {state_name(found.state)} · {owner}")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.workspace().config.timezone)
    local = found.detected_at.astimezone(zone)
    detected = _("detected {at} · playbook {playbook}").format(
        at=f"{local:%Y-%m-%d %H:%M}", playbook=found.playbook or "—"
    )
    click.echo(f"  {detected}")
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

    line = _("notice {notice} · issued by {issuer}")
    click.echo("  " + line.format(notice=facts["notice_id"], issuer=facts.get("notice_issuer") or "—"))
    issued, received, due = (local(k) for k in ("notice_issued_at", "notice_received_at", "notice_due_at"))
    times = _("issued {issued} · received {received} · to be fixed by {due}")
    click.echo("  " + times.format(issued=issued, received=received, due=due))
    text = str(facts.get("notice_text") or "").strip()
    if text:
        for line in text.splitlines()[:20]:
            click.echo(f"  │ {line}")


# --- documents: the type follows from the suffix of -o --------------------------------------------

DOCUMENT_TYPES = ("json", "docx", "pdf", "html")
BINARY_TYPES = ("docx", "pdf")

# Kept hidden for scripts written before the type followed from -o; it must agree with the suffix.
legacy_format_option = click.option(
    "--format", "legacy_fmt", type=click.Choice(DOCUMENT_TYPES), hidden=True, help="The document type (from -o)."
)


def document_type(output: Path | None, legacy_fmt: str | None) -> str:
    """The type of the document to write: the suffix of -o; JSON on stdout without -o or with -o -."""
    from secops.errors import SecopsError

    if output is None or str(output) == "-":
        if legacy_fmt in BINARY_TYPES:
            raise SecopsError(
                _("a {kind} document cannot be written to stdout").format(kind=legacy_fmt.upper()),
                hint=_("give -o FILE.{kind}").format(kind=legacy_fmt),
            )
        if legacy_fmt not in (None, "json"):
            raise SecopsError(_("--format {kind} needs -o FILE.{kind}").format(kind=legacy_fmt))
        return "json"
    suffix = output.suffix.lstrip(".").lower()
    kind = "html" if suffix == "htm" else suffix
    if kind not in DOCUMENT_TYPES:
        raise SecopsError(
            _("-o {path}: cannot tell the document type from the file name").format(path=output),
            hint=_("end it in .docx, .pdf, .html or .json"),
        )
    if legacy_fmt is not None and legacy_fmt != kind:
        raise SecopsError(
            _("-o {path}: the file name must end in .{kind} for --format {kind}").format(path=output, kind=legacy_fmt)
        )
    return kind


def write_document(built: Any, output: Path | None, kind: str, data: Any) -> None:
    """Write ``data`` as JSON (stdout without -o), or the ``built`` report into ``output``."""
    from secops.cli.output import say, text_output, to_json
    from secops.render.formats import write_report

    if kind == "json":
        with text_output(output) as handle:
            handle.write(to_json(data) + "\n")
        if output is not None and str(output) != "-":
            say(_("Wrote {path}").format(path=output))
        return
    assert output is not None and built is not None
    written = write_report(built, output)
    say(_("Wrote {path} ({size} bytes)").format(path=output, size=f"{len(written):,}"))


# --- shell completion: cheap reads that never raise -----------------------------------------------


def _workspace_path(ctx: click.Context) -> Path | None:
    value = ctx.find_root().params.get("workspace")
    return Path(value).expanduser() if value else None


def complete_incident_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The workspace's incidents (open ones first), by number."""
    try:
        from secops.config import CONFIG_FILE, load_workspace
        from secops.incident.model import list_incidents
        from secops.workspace import open_workspace_store

        path = _workspace_path(ctx)
        if path is None or not (path / CONFIG_FILE).is_file():
            return []
        with open_workspace_store(load_workspace(path)) as store:
            found = list_incidents(store, open_only=False, with_drills=True)
        return [
            CompletionItem(str(i.id), help=f"{i.grade} {state_name(i.state)}")
            for i in found
            if str(i.id).startswith(incomplete)
        ]
    except Exception:  # completion must never break the shell
        return []


def complete_playbook_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    try:
        from secops.incident.playbooks import load_playbooks

        return [CompletionItem(p.id, help=playbook_name(p)) for p in load_playbooks() if p.id.startswith(incomplete)]
    except Exception:  # completion must never break the shell
        return []


def complete_step_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The steps of the --incident's playbook when given, else of every playbook."""
    try:
        from secops.incident.playbooks import load_playbooks

        playbooks = load_playbooks()
        incident_id = ctx.params.get("incident_id")
        if incident_id is not None:
            from secops.config import load_workspace
            from secops.incident.model import get_incident
            from secops.workspace import open_workspace_store

            path = _workspace_path(ctx)
            if path is not None:
                with open_workspace_store(load_workspace(path)) as store:
                    chosen = get_incident(store, int(incident_id)).playbook
                playbooks = [p for p in playbooks if p.id == chosen] or playbooks
        seen: dict[str, str] = {}
        for playbook in playbooks:
            for item in playbook.steps:
                seen.setdefault(item.id, item.name)
        return [CompletionItem(k, help=v) for k, v in seen.items() if k.startswith(incomplete)]
    except Exception:  # completion must never break the shell
        return []
