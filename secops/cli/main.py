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
from secops.cli.base import SecopsGroup, speak_click
from secops.cli.context import AppContext
from secops.errors import SecopsError
from secops.i18n import LANGS, _, normalize, set_language

_log = logging.getLogger("secops.cli")

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("secops.cli.init_cmd:init", "Create or update the workspace (school, scan scope, database)."),
    "workspace": (
        "secops.cli.workspace_cmd:workspace",
        "The workspace's people: contacts by role, duty roster (值班表).",
    ),
    "assets": ("secops.cli.assets_cmd:assets", "Discover assets (IPv4+IPv6) and keep the inventory."),
    "dengbao": ("secops.cli.dengbao_cmd:dengbao", "等保 2.0: grading, catalog, questionnaire, assessment."),
    "center": ("secops.cli.center_cmd:center", "Provincial center: signed ingestion, schools, dashboard."),
    "forward": ("secops.cli.forward_cmd:forward", "Send this school's alerts to its provincial center."),
    "detect": ("secops.cli.detect_cmd:detect", "Sigma detection on logs; conversion for Elasticsearch."),
    "yara": ("secops.cli.yara_cmd:yara", "YARA scanning for webshells, miners and ransom notes."),
    "alerts": ("secops.cli.alerts_cmd:alerts", "Every stored alert: list, show, acknowledge, close."),
    "incident": ("secops.cli.incident_cmd:incident", "Incidents under running clocks, with escalation and audit."),
    "drill": ("secops.cli.drill_cmd:drill", "Drills (应急演练): timed scenarios, the drill report."),
    "data": ("secops.cli.data_cmd:data", "Student data: classify, mask (脱敏), watermark and encrypt."),
    "keys": ("secops.cli.keys_cmd:keys", "Encryption keys (SM2): own key pairs, recipients' public keys."),
    "notify": ("secops.cli.notify_cmd:notify", "Notification channels: list them, send a test message."),
    "report": ("secops.cli.report_cmd:report", "Build reports as PDF, HTML, XLSX or DOCX."),
    "scheduler": ("secops.cli.scheduler_cmd:scheduler", "Schedule discovery and other jobs; run them."),
    "content": ("secops.cli.content_cmd:content", "Validate and list rules, profiles, playbooks and templates."),
    "demo": ("secops.cli.demo_cmd:demo", "Run the main job end to end in a temporary workspace."),
    "version": ("secops.cli.version_cmd:version", "Show the versions of secops and its components."),
    "completion": ("secops.cli.completion_cmd:completion", "Print the shell completion script (bash, zsh, fish)."),
}
_ORDER = (
    "init",
    "workspace",
    "assets",
    "dengbao",
    "detect",
    "yara",
    "alerts",
    "center",
    "forward",
    "incident",
    "drill",
    "data",
    "keys",
    "notify",
    "report",
    "scheduler",
    "content",
    "demo",
    "version",
    "completion",
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


class RootGroup(SecopsGroup):
    """Turns every SecopsError into one line on stderr and its exit code (2)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        set_language(None)  # each command starts from --lang, $SECOPS_LANG or the workspace's
        if parent is None:  # the root's own help and usage errors already speak the workspace's language
            _use_workspace_language(_workspace_in(args))
        return super().make_context(info_name, args, parent, **extra)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        finally:  # a host that runs commands in-process (tests, the scheduler) keeps its own language
            set_language(None)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except SecopsError as error:
            verbose = isinstance(ctx.obj, AppContext) and ctx.obj.verbose
            if verbose:
                traceback.print_exc()
            _log.info("exit %s: %s", error.exit_code, error)  # INFO: for --log-file; the console gets one line
            lines = str(error).splitlines() or [type(error).__name__]
            if len(lines) == 1:
                click.echo(_("secops: error: {message}").format(message=lines[0]), err=True)
            else:  # several content errors: one file:line message per line
                click.echo("\n".join(lines), err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            _log.info("interrupted (exit 130)")
            click.echo(_("secops: interrupted"), err=True)
            ctx.exit(130)
        except Exception as error:
            if isinstance(error, BrokenPipeError) and _stdout_closed():
                ctx.exit(141)  # the reader went away (secops ... | head): quiet, like a tool killed by SIGPIPE
            # INFO, so the traceback reaches --log-file (even without -v) but never the console
            _log.info("internal error", exc_info=error)
            if isinstance(ctx.obj, AppContext) and ctx.obj.verbose:
                raise
            click.echo(
                _("secops: internal error ({kind}); run again with -v for the details and report it").format(
                    kind=type(error).__name__
                ),
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
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors: no progress or status lines.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write a detailed log (with times) to FILE, appended.",
)
@click.option(
    "--lang",
    metavar="zh|en",
    envvar="SECOPS_LANG",
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: _choose_language(value),
    help="Language of messages, help and documents: zh (default) or en; else the workspace's.",
)
@click.version_option(__version__, "--version", prog_name="secops", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, verbose: bool, quiet: bool, log_file: Path | None) -> None:
    """secops: network and data security operations for schools and education authorities.

    Asset inventory, 等保 2.0 grading and assessment, Sigma/YARA detection, provincial alert
    ingestion, incident response under the 1-hour clock, and student data protection.
    """
    if verbose and quiet:
        raise click.UsageError(_("-v and -q contradict each other; give one"))
    workspace = workspace.expanduser()
    _use_workspace_language(workspace)
    _configure_logging(verbose, quiet, log_file)
    ctx.obj = AppContext(workspace_path=workspace, verbose=verbose, quiet=quiet)


def _choose_language(value: str | None) -> None:
    if not value:
        return
    lang = normalize(value)
    if lang not in LANGS:
        raise click.BadParameter(_("{value!r} is not a language secops speaks; use zh or en").format(value=value))
    set_language(lang)


def _workspace_in(args: list[str]) -> Path:
    """The workspace a command line names (-w/--workspace before the command), else $SECOPS_HOME or
    ~/.secops: looked at before click parses, so that even the root's help knows its language."""
    for index, arg in enumerate(args):
        if arg in ("-w", "--workspace") and index + 1 < len(args):
            return Path(args[index + 1]).expanduser()
        if arg.startswith("--workspace="):
            return Path(arg.partition("=")[2]).expanduser()
        if not arg.startswith("-"):
            break
    return Path(os.environ.get("SECOPS_HOME") or Path.home() / ".secops").expanduser()


def _use_workspace_language(workspace: Path) -> None:
    """The workspace's ``language`` when neither --lang nor $SECOPS_LANG chose one. Read without
    validating the whole configuration: a broken file is reported by the command that loads it."""
    from secops.i18n import _chosen

    if _chosen.get() is not None or os.environ.get("SECOPS_LANG"):
        return
    config = workspace / "secops.yaml"
    try:
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
    except OSError:
        return
    for line in text.splitlines():
        if line.startswith("language:"):
            lang = normalize(line.partition(":")[2].strip().strip("'\""))
            if lang in LANGS:
                set_language(lang)
            return


def _configure_logging(verbose: bool, quiet: bool, log_file: Path | None) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    root = logging.getLogger()
    for handler in list(root.handlers):  # a second command in the same process (tests) starts afresh
        if getattr(handler, "secops", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = []
    if not root.handlers:  # as logging.basicConfig: an embedding host (or pytest) keeps its own console
        console = logging.StreamHandler()
        console.setLevel(level)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(console)
    if log_file is not None:
        from secops.fsutil import ensure_parent

        try:
            ensure_parent(log_file)
            file_handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(
                _("cannot write the log file {path}: {reason}").format(path=log_file, reason=error.strerror),
                param_hint="--log-file",
            ) from None
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(file_handler)
    for handler in handlers:
        handler.secops = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # the root's level filters what reaches the console; the log file's handler has its own, lower one
    root.setLevel(min([level, *(handler.level for handler in handlers if handler.level)]))


def main() -> None:
    """Console entry point."""
    sys.exit(cli.main(prog_name="secops"))


speak_click()  # click's own messages (usage, errors) in the same language as ours
