"""``secops``: the root command, global options and the one place errors are printed."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from secops import __version__
from secops.cli.context import AppContext
from secops.cli.lazy import LazyGroup
from secops.errors import SecopsError

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("secops.cli.init_cmd:init", "Create or update the workspace (school, scan scope, database)."),
    "assets": ("secops.cli.assets_cmd:assets", "Discover assets (IPv4+IPv6) and keep the inventory."),
    "dengbao": ("secops.cli.dengbao_cmd:dengbao", "等保 2.0: grading, catalog, questionnaire, assessment."),
    "center": ("secops.cli.center_cmd:center", "Provincial center: signed ingestion, schools, dashboard."),
    "forward": ("secops.cli.forward_cmd:forward", "Send this school's alerts to its provincial center."),
    "detect": ("secops.cli.detect_cmd:detect", "Sigma detection on logs; conversion for Elasticsearch."),
    "yara": ("secops.cli.yara_cmd:yara", "YARA scanning for webshells, miners and ransom notes."),
    "alerts": ("secops.cli.alerts_cmd:alerts", "Every stored alert: list, show, acknowledge, close."),
    "incident": ("secops.cli.incident_cmd:incident", "Incidents under running clocks, with escalation and audit."),
    "data": ("secops.cli.data_cmd:data", "Student data: classify, mask (脱敏) and watermark tables."),
    "report": ("secops.cli.report_cmd:report", "Build reports as PDF, HTML, XLSX or DOCX."),
    "scheduler": ("secops.cli.scheduler_cmd:scheduler", "Schedule discovery and other jobs; run them."),
    "content": ("secops.cli.content_cmd:content", "Validate and list rules, profiles, playbooks and templates."),
    "demo": ("secops.cli.demo_cmd:demo", "Run the main job end to end in a temporary workspace."),
    "version": ("secops.cli.version_cmd:version", "Show the versions of secops and its components."),
}
_ORDER = (
    "init",
    "assets",
    "dengbao",
    "detect",
    "yara",
    "alerts",
    "center",
    "forward",
    "incident",
    "data",
    "report",
    "scheduler",
    "content",
    "demo",
    "version",
)
COMMANDS = {name: COMMANDS[name] for name in _ORDER}


def _stdout_closed() -> bool:
    """True when stdout is a pipe whose reader has gone (poll reports an error on it); stdout then
    points at /dev/null, so that the flush at exit does not fail a second time."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture stdout)
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    if not any(events & select.POLLERR for _, events in poller.poll(0)):
        return False
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    return True


class RootGroup(LazyGroup):
    """Turns every SecopsError into one line on stderr and its exit code (2)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except SecopsError as error:
            verbose = isinstance(ctx.obj, AppContext) and ctx.obj.verbose
            if verbose:
                traceback.print_exc()
            lines = str(error).splitlines() or [type(error).__name__]
            if len(lines) == 1:
                click.echo(f"secops: error: {lines[0]}", err=True)
            else:  # several content errors: one file:line message per line
                click.echo("\n".join(lines), err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("secops: interrupted", err=True)
            ctx.exit(130)
        except Exception as error:
            if isinstance(error, BrokenPipeError) and _stdout_closed():
                ctx.exit(141)  # the reader went away (secops ... | head): quiet, like a tool killed by SIGPIPE
            if isinstance(ctx.obj, AppContext) and ctx.obj.verbose:
                raise
            click.echo(
                f"secops: internal error ({type(error).__name__}); run again with -v for the details and report it",
                err=True,
            )
            ctx.exit(3)


@click.group(cls=RootGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SECOPS_HOME",
    default=lambda: str(Path.home() / ".secops"),
    show_default="~/.secops, or $SECOPS_HOME",
    help="Workspace folder (secops.yaml and the database).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log details and show tracebacks on errors.")
@click.version_option(__version__, "--version", prog_name="secops", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, verbose: bool) -> None:
    """secops: network and data security operations for schools and education authorities.

    Asset inventory, 等保 2.0 grading and assessment, Sigma/YARA detection, provincial alert
    ingestion, incident response under the 1-hour clock, and student data protection.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = AppContext(workspace_path=workspace.expanduser(), verbose=verbose)


def main() -> None:
    """Console entry point."""
    sys.exit(cli.main(prog_name="secops"))
