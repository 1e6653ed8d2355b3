"""``secops scheduler``: scheduled discovery, forwarding to the center, Sigma hunts on Elasticsearch and
等保 assessments."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, format_option, say
from secops.i18n import _, ngettext


@click.group(cls=SecopsGroup)
def scheduler() -> None:
    """Schedule jobs (kept in the workspace database) and run them."""


@scheduler.command()
@click.argument("kind", type=click.Choice(["discover", "forward", "hunt", "assess", "detect", "drill"]))
@click.option("--cron", required=True, help='Crontab expression in the workspace time zone, e.g. "0 2 * * *".')
@click.option(
    "--profile",
    default="quick",
    show_default=True,
    shell_complete=complete.profiles,
    help="Scan profile for discover jobs.",
)
@click.option("--target", "targets", multiple=True, help="Limit the job to these targets (default: the scope).")
@click.option("--batch", type=click.IntRange(1, 5000), help="forward: alerts per request (default 500).")
@click.option("--es", "es_url", help="hunt: Elasticsearch URL, e.g. http://127.0.0.1:9200.")
@click.option("--index", help="hunt: index pattern to hunt in, e.g. 'logs-*'.")
@click.option(
    "--rules",
    multiple=True,
    help="hunt, detect: Sigma rule file or folder, repeatable (default: the shipped rules/sigma pack).",
)
@click.option(
    "--paths",
    "log_paths",
    multiple=True,
    help="detect: log file or folder, repeatable; each run reads only what was written since the last.",
)
@click.option("--since", default="24h", show_default=True, help="hunt: how far back each run looks.")
@click.option(
    "--system",
    "system_name",
    shell_complete=complete.systems,
    help="assess: the 等保 system (secops dengbao system list).",
)
@click.option("--local", is_flag=True, help="assess: collect host configuration of this machine.")
@click.option("--ssh", "ssh_hosts", multiple=True, help="assess: collect host configuration over SSH (key-based).")
@click.option("--ssh-user", help="assess: user for --ssh.")
@click.option("--ssh-identity", type=click.Path(path_type=Path), help="assess: private key for --ssh.")
@click.option("--no-credentials", is_flag=True, help="assess: skip weak-password guessing.")
@click.option(
    "--scanned-from",
    type=click.Choice(["outside", "inside"]),
    help="assess: where this machine scans from, outside the targets' zone or inside it (high-risk case "
    "6.4.3.1 needs a risky port reachable from outside; unset, that check is not evidenced).",
)
@click.option("--scenario", help="drill: the scenario (secops drill scenarios).")
@click.option("--speed", type=float, help="drill: how many times faster the drill's clocks run (default 1).")
@click.option("--notify", is_flag=True, help="drill: send its injects and notices to the notifiers (marked 【演练】).")
@click.option(
    "--id",
    "job_id",
    shell_complete=complete.jobs,
    help="Job id (default: discover-PROFILE, forward, hunt, assess-N); the same id replaces.",
)
@pass_app
def add(
    app: AppContext,
    kind: str,
    cron: str,
    profile: str,
    targets: tuple[str, ...],
    batch: int | None,
    es_url: str | None,
    index: str | None,
    rules: tuple[str, ...],
    log_paths: tuple[str, ...],
    since: str,
    system_name: str | None,
    local: bool,
    ssh_hosts: tuple[str, ...],
    ssh_user: str | None,
    ssh_identity: Path | None,
    no_credentials: bool,
    scanned_from: str | None,
    scenario: str | None,
    speed: float | None,
    notify: bool,
    job_id: str | None,
) -> None:
    """Add (or replace) a scheduled job: discover (scan), forward (alerts to the center), hunt (Sigma on ES),
    assess (the 等保 automated evidence again; each run's 符合率 and high-risk count go to the trend),
    detect (Sigma on local logs, only the lines written since the last run: --paths, --rules),
    drill (an 应急演练 of --scenario starts at each run: --speed, --notify).

    `scheduler run` also checks the 等保 deadlines daily and sends the 30/7/1-day reminders.
    """
    from secops.errors import SecopsError
    from secops.scheduler import add_job

    unused = [flag for name, flag, kinds in _given_options() if kind not in kinds]
    if unused:
        raise SecopsError(
            ngettext(
                "{options} does not apply to a {kind} job and would be ignored",
                "{options} do not apply to a {kind} job and would be ignored",
                len(unused),
            ).format(options=", ".join(unused), kind=kind),
            hint=ngettext(
                "drop it; see secops scheduler add --help for what {kind} takes",
                "drop them; see secops scheduler add --help for what {kind} takes",
                len(unused),
            ).format(kind=kind),
        )
    if kind == "assess" and not ssh_hosts and (ssh_options := [f for n, f, _k in _given_options() if "ssh_" in n]):
        raise SecopsError(
            _("{options} without --ssh HOST: nothing to log in to").format(options=", ".join(ssh_options)),
            hint=_("add --ssh HOST"),
        )
    options = {
        "batch": batch,
        "es_url": es_url,
        "index": index,
        "rules": rules,
        "paths": log_paths,
        "since": since,
        "system": system_name,
        "local": local,
        "ssh_hosts": ssh_hosts,
        "ssh_user": ssh_user,
        "ssh_identity": ssh_identity,
        "credentials": not no_credentials,
        "scanned_from": scanned_from,
        "scenario": scenario,
        "speed": speed,
        "notify": notify,
    }
    job = add_job(
        app.workspace(), kind, cron=cron, job_id=job_id, profile=profile, targets=list(targets), options=options
    )
    from secops.cli.output import shown

    when = shown(job.next_run).isoformat(sep=" ", timespec="minutes") if job.next_run else "—"
    say(_("Scheduled {id}: {kind} ({cron}), next run {when}").format(id=job.id, kind=job.kind, cron=cron, when=when))


# The job kinds each option steers; given to another kind it would be silently ignored.
_OPTION_KINDS: dict[str, tuple[str, ...]] = {
    "profile": ("discover",),
    "targets": ("discover", "assess"),
    "batch": ("forward",),
    "es_url": ("hunt",),
    "index": ("hunt",),
    "rules": ("hunt", "detect"),
    "log_paths": ("detect",),
    "since": ("hunt",),
    "system_name": ("assess",),
    "local": ("assess",),
    "ssh_hosts": ("assess",),
    "ssh_user": ("assess",),
    "ssh_identity": ("assess",),
    "no_credentials": ("assess",),
    "scanned_from": ("assess",),
    "scenario": ("drill",),
    "speed": ("drill",),
    "notify": ("drill",),
}


def _given_options() -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, flag, kinds) of the kind-specific options the user actually gave."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    given = []
    for param in ctx.command.params:
        name = param.name or ""
        if name in _OPTION_KINDS and ctx.get_parameter_source(name) in (
            ParameterSource.COMMANDLINE,
            ParameterSource.ENVIRONMENT,
        ):
            given.append((name, max(param.opts, key=len), _OPTION_KINDS[name]))
    return given


@scheduler.command(name="list")
@format_option()
@pass_app
def list_jobs(app: AppContext, fmt: str) -> None:
    """List scheduled jobs and when each runs next."""
    from secops.scheduler import list_jobs as query

    rows = [
        {"id": j.id, "kind": j.kind, "cron": j.cron, "next_run": j.next_run, **j.options}
        for j in query(app.workspace())
    ]
    columns = ["id", "kind", "cron", "next_run", "profile", "targets"]
    if any(row["kind"] == "hunt" for row in rows):
        columns += ["index", "since"]
    if any(row["kind"] == "assess" for row in rows):
        columns += ["system", "local"]
    if any(row["kind"] == "drill" for row in rows):
        columns += ["scenario", "speed"]
    if any(row["kind"] == "detect" for row in rows):
        columns += ["paths"]
    headers = {
        "id": "ID",
        "kind": _("KIND"),
        "cron": "CRON",
        "next_run": _("NEXT RUN"),
        "profile": _("PROFILE"),
        "targets": _("TARGETS"),
        "index": _("INDEX"),
        "since": _("SINCE"),
        "system": _("SYSTEM"),
        "local": _("LOCAL"),
        "paths": _("PATHS"),
        "scenario": _("SCENARIO"),
        "speed": _("SPEED"),
    }
    emit(rows, fmt, columns, headers=headers, empty=_("No scheduled jobs (secops scheduler add)"))


@scheduler.command()
@click.argument("job_id", metavar="ID", shell_complete=complete.jobs)
@pass_app
def remove(app: AppContext, job_id: str) -> None:
    """Remove a scheduled job."""
    from secops.scheduler import remove_job

    remove_job(app.workspace(), job_id)
    say(_("Removed {id}").format(id=job_id))


@scheduler.command()
@pass_app
def run(app: AppContext) -> None:
    """Run the scheduler in the foreground (Ctrl-C stops it; jobs stay scheduled)."""
    from secops.scheduler import list_jobs as query
    from secops.scheduler import run_forever

    workspace = app.workspace()
    jobs = query(workspace)
    say(
        _("secops scheduler: {count} job(s) in {path}; Ctrl-C to stop").format(count=len(jobs), path=workspace.path),
        err=True,
    )
    run_forever(workspace)  # Ctrl-C reaches the root as KeyboardInterrupt: one line, exit 130
