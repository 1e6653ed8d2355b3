"""``secops detect``: Sigma rules run over logs, converted for Elasticsearch, regression-tested."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.detect_run_cmd import Summary, default_rules, report_reading, run
from secops.cli.output import safe_text, to_json
from secops.errors import SecopsError


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
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def convert(rule_paths: tuple[Path, ...], target: str, pipeline: str | None, fmt: str) -> None:
    """Convert Sigma rules to Elasticsearch queries (Lucene, ES|QL or EQL).

    A rule the target cannot express is reported with its reason; exits 1 when any rule failed.
    """
    try:
        from secops.detection.convert import convert_rules
    except ImportError as error:  # pragma: no cover - the module ships with secops
        raise SecopsError(f"conversion is not available: {error}") from None
    results = convert_rules(list(rule_paths), target, pipeline)
    failed = [r for r in results if not r.ok]
    if fmt == "json":
        click.echo(to_json([r.as_dict() for r in results]))
    else:
        for result in results:
            where = f"{result.path}:{result.line}" if result.line else result.path
            if result.ok and result.query:
                click.echo(f"# {result.title} ({where})\n{result.query}\n")
            elif result.ok and result.note:
                click.echo(f"# {result.title} ({where}): {result.note}\n")
            elif not result.ok:
                click.echo(f"secops: cannot convert {where}: {result.error}", err=True)
    click.echo(f"secops: {len(results) - len(failed)} converted, {len(failed)} failed", err=True)
    if failed:
        raise SystemExit(1)


@detect.command()
@click.argument("checkout", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="SIGMAHQ_DIR")
@click.option("--format", "fmt", type=click.Choice(("table", "jsonl")), default="table", show_default=True)
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
        else:
            status = "PASS" if result.passed else "FAIL"
            detail = result.error or f"{result.found} match(es), expected at least {result.expected}"
            click.echo(f"{status}  {safe_text(result.title or result.rule_path, 80)}  ({safe_text(detail, 300)})")
    failed = [r for r in results if not r.passed]
    summary = f"{len(results) - len(failed)} passed, {len(failed)} failed"
    if fmt == "table":
        click.echo(summary)
    else:
        click.echo(summary, err=True)
    if not results:
        raise SecopsError(f"no regression tests found under {checkout}", hint="rules need regression_tests_path")
    if failed:
        raise SystemExit(1)


@detect.command("index")
@click.argument("logpaths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="LOGPATH...")
@click.option("--es", "es_url", required=True, metavar="URL", help="Elasticsearch, e.g. http://127.0.0.1:9200.")
@click.option("--index", required=True, help="Index to write (created with the events mapping when missing).")
@click.option("--log-format", help="Read every file as this format instead of detecting it.")
@click.option("--timezone", "zone_name", metavar="ZONE", help="IANA zone of log times written without one.")
@pass_app
def index_cmd(
    app: AppContext, logpaths: tuple[Path, ...], es_url: str, index: str, log_format: str | None, zone_name: str | None
) -> None:
    """Index the events of LOGPATHs into Elasticsearch, as `detect run` reads them (for `detect hunt`).

    Re-indexing the same files is idempotent (each event's id is its file and record number).
    """
    from secops.detection.es_index import connect, index_logs

    outcome = index_logs(connect(es_url), logpaths, index, log_format=log_format, zone=app.zone(zone_name))
    report_reading(outcome.stats)
    reasons = f" ({', '.join(outcome.reasons)})" if outcome.reasons else ""
    click.echo(
        f"secops: {outcome.indexed} event(s) of {outcome.stats.files} file(s) indexed into {index}; "
        f"{outcome.rejected} rejected{reasons}",
        err=True,
    )
    if outcome.rejected:
        raise SystemExit(1)


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
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
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
        summary = Summary()
        for match in result.matches:
            summary.add(match)
        summary.echo()
    for problem in result.problems:
        click.echo(f"secops: rule error: {problem}", err=True)
    for outcome in result.failed:
        click.echo(f"secops: not hunted: {outcome.kind} {outcome.id} ({outcome.title}): {outcome.error}", err=True)
    confirmed = sum(1 for r in result.rules if r.kind == "rule" and not r.exact and not r.error)
    click.echo(
        f"secops: {len(result.rules)} rule(s) over {index} from {safe_text(start)} to {safe_text(end)}: "
        f"{len(result.failed) + len(result.problems)} not hunted, {confirmed} confirmed locally "
        f"(regex/CIDR/...); {len(result.matches)} match(es)"
        + (f", {written} new alert(s) stored" if written is not None else ""),
        err=True,
    )
    if result.matches:
        raise SystemExit(1)
