"""``secops detect``: Sigma rules run over logs, converted for Elasticsearch, regression-tested."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.detect_report import MatchStream, Summary, report_reading
from secops.cli.detect_run_cmd import complete_log_format, default_rules, run
from secops.cli.output import (
    findings,
    force_option,
    format_option,
    refuse_overwrite,
    safe_text,
    say,
    text_output,
    to_json,
)
from secops.errors import SecopsError
from secops.i18n import _


@click.group(cls=SecopsGroup)
def detect() -> None:
    """Sigma detection on logs (EVTX, JSON lines, syslog/auth.log, web access logs, auditd)."""


detect.add_command(run)


@detect.command()
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sigma rules.",
)
@click.option("--target", type=click.Choice(("lucene", "esql", "eql")), required=True, help="Query language.")
@click.option("--pipeline", help="pySigma processing pipeline(s), comma-separated names or YAML files.")
@format_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="-",
    show_default="stdout",
    help="Write the queries to this file (- is stdout).",
)
@force_option()
def convert(
    rule_paths: tuple[Path, ...], target: str, pipeline: str | None, fmt: str, output: Path, force: bool
) -> None:
    """Convert Sigma rules to Elasticsearch queries (Lucene, ES|QL or EQL).

    table prints the queries as text, as sigma-cli does, each after a `# title (file:line)` comment
    line; json and jsonl give every rule with its query or its error. A rule the target cannot express
    is reported with its reason; exits 1 when any rule failed.
    """
    refuse_overwrite(output, force)
    try:
        from secops.detection.convert import convert_rules
    except ImportError as error:  # pragma: no cover - the module ships with secops
        raise SecopsError(_("conversion is not available: {reason}").format(reason=error)) from None
    results = convert_rules(list(rule_paths), target, pipeline)
    failed = [r for r in results if not r.ok]
    with text_output(output) as out:
        if fmt == "json":
            out.write(to_json([r.as_dict() for r in results]) + "\n")
        elif fmt == "jsonl":
            for result in results:
                out.write(to_json(result.as_dict(), indent=None) + "\n")
        else:
            for result in results:
                where = f"{result.path}:{result.line}" if result.line else result.path
                if result.ok and result.query:
                    out.write(f"# {result.title} ({where})\n{result.query}\n\n")
                elif result.ok and result.note:
                    out.write(f"# {result.title} ({where}): {result.note}\n\n")
    for result in failed:
        where = f"{result.path}:{result.line}" if result.line else result.path
        click.echo(_("secops: cannot convert {where}: {reason}").format(where=where, reason=result.error), err=True)
    say(
        _("secops: {converted} converted, {failed} failed").format(
            converted=len(results) - len(failed), failed=len(failed)
        ),
        err=True,
    )
    if failed:
        click.get_current_context().exit(1)


@detect.command()
@click.argument("checkout", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="SIGMAHQ_DIR")
@format_option()
def regression(checkout: Path, fmt: str) -> None:
    """Run SigmaHQ-style regression tests of the rules in SIGMAHQ_DIR.

    \b
    A rule with `regression_tests_path: regression_data/.../info.yml` is run over each log its
    info.yml lists (paths relative to SIGMAHQ_DIR):
      regression_tests_info:
        - name: Positive Detection Test
          type: evtx          # or jsonl (one JSON event per line)
          match_count: 1      # pass = at least this many matches
          path: regression_data/rules/.../sample.evtx

    Example: secops detect regression ~/src/sigma. Exits 1 when any test fails.
    """
    from secops.detection.sigma.regression import run_regression

    results = []
    for result in run_regression(checkout):
        results.append(result)
        if fmt == "jsonl":
            click.echo(to_json(result.as_dict(), indent=None))
        elif fmt == "table":
            status = _("PASS") if result.passed else _("FAIL")
            detail = result.error or _("{found} match(es), expected at least {expected}").format(
                found=result.found, expected=result.expected
            )
            click.echo(f"{status}  {safe_text(result.title or result.rule_path, 80)}  ({safe_text(detail, 300)})")
    if fmt == "json":
        click.echo(to_json([r.as_dict() for r in results]))
    failed = [r for r in results if not r.passed]
    say(
        _("{passed} passed, {failed} failed").format(passed=len(results) - len(failed), failed=len(failed)),
        err=fmt != "table",
    )
    if not results:
        raise SecopsError(
            _("no regression tests found under {path}").format(path=checkout),
            hint=_("rules need regression_tests_path"),
        )
    findings(bool(failed))


@detect.command("index")
@click.argument("logpaths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="LOGPATH...")
@click.option("--es", "es_url", required=True, metavar="URL", help="Elasticsearch, e.g. http://127.0.0.1:9200.")
@click.option("--index", required=True, help="Index to write (created with the events mapping when missing).")
@click.option(
    "--log-format", shell_complete=complete_log_format, help="Read every file as this format instead of detecting it."
)
@click.option("--timezone", "zone_name", metavar="ZONE", help="IANA zone of log times written without one.")
@pass_app
def index_cmd(
    app: AppContext, logpaths: tuple[Path, ...], es_url: str, index: str, log_format: str | None, zone_name: str | None
) -> None:
    """Index the events of LOGPATHs into Elasticsearch, as `detect run` reads them (for `detect hunt`).

    Re-indexing the same files is idempotent (each event's id is its file and record number).
    Exits 1 when Elasticsearch rejected any event.
    """
    from secops.detection.es_index import connect, index_logs

    outcome = index_logs(connect(es_url), logpaths, index, log_format=log_format, zone=app.zone(zone_name))
    report_reading(outcome.stats)
    message = _("secops: {indexed} event(s) of {files} file(s) indexed into {index}; {rejected} rejected").format(
        indexed=outcome.indexed, files=outcome.stats.files, index=index, rejected=outcome.rejected
    )
    if outcome.reasons:
        message += f" ({', '.join(outcome.reasons)})"
    if outcome.rejected:
        click.echo(message, err=True)
        click.get_current_context().exit(1)
    say(message, err=True)


@detect.command()
@click.option("--es", "es_url", required=True, metavar="URL", help="Elasticsearch, e.g. http://127.0.0.1:9200.")
@click.option("--index", required=True, metavar="PATTERN", help="Index pattern holding the events (secops-events-*).")
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Sigma rule file or folder (repeatable; default: the shipped rules/sigma pack).",
)
@click.option("--since", default="24h", show_default=True, help="Start: 30m, 24h, 7d ... before now, or an ISO time.")
@click.option("--until", help="End (exclusive): a duration before now or an ISO time; default now.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "jsonl")),
    default="table",
    show_default=True,
    help="table: a summary per rule; json: one document (matches, rules, problems); jsonl: one JSON line per match",
)
@click.option("--no-store", is_flag=True, help="Only print the matches; do not store them as workspace alerts.")
@pass_app
def hunt(
    app: AppContext,
    es_url: str,
    index: str,
    rule_paths: tuple[Path, ...],
    since: str,
    until: str | None,
    fmt: str,
    no_store: bool,
) -> None:
    """Hunt with Sigma rules over events in Elasticsearch (what `detect index` wrote).

    Detection rules run as Lucene (pySigma's Elasticsearch backend); correlation rules are
    evaluated by the local engine over their base rules' hits, with the same sliding windows as
    `detect run`. Rules that cannot be hunted are listed with the reason. Exits 1 when anything matched.
    """
    from secops.detection.es_index import connect
    from secops.detection.hunt import default_window, run_hunt
    from secops.detection.hunt_alerts import store_hunt_alerts

    now = app.now()
    start, end = default_window(since, until, now, app.zone())
    es = connect(es_url)
    result = run_hunt(es, index, list(rule_paths) or [default_rules()], start, end)
    written = None
    if not no_store and result.matches:
        with app.store(app.workspace()) as opened:
            written = store_hunt_alerts(opened, result.matches, now, index)
    if fmt == "json":
        document = {
            "index": index,
            "start": start,
            "end": end,
            "matches": [m.as_dict() for m in result.matches],
            "rules": [r.as_dict() for r in result.rules],
            "problems": result.problems,
            "stored": written,
        }
        click.echo(to_json(document))
    else:
        out, summary = MatchStream(fmt), Summary()
        for match in result.matches:
            summary.add(match)
            out.add(match, live=False)
        if fmt == "table":
            summary.echo()
    for problem in result.problems:
        click.echo(_("secops: rule error: {error}").format(error=problem), err=True)
    for outcome in result.failed:
        click.echo(
            _("secops: not hunted: {kind} {id} ({title}): {reason}").format(
                kind=outcome.kind, id=outcome.id, title=outcome.title, reason=outcome.error
            ),
            err=True,
        )
    confirmed = sum(1 for r in result.rules if r.kind == "rule" and not r.exact and not r.error)
    line = _(
        "secops: {rules} rule(s) over {index} from {start} to {end}: {failed} not hunted, {confirmed} confirmed "
        "locally (regex/CIDR/...); {matches} match(es)"
    ).format(
        rules=len(result.rules),
        index=index,
        start=safe_text(start),
        end=safe_text(end),
        failed=len(result.failed) + len(result.problems),
        confirmed=confirmed,
        matches=len(result.matches),
    )
    if written is not None:
        line += _(", {count} new alert(s) stored").format(count=written)
    say(line, err=True)
    findings(bool(result.matches))
