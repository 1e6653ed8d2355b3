"""``secops report``: build and list reports."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, format_option


@click.group(cls=SecopsGroup)
def report() -> None:
    """Build reports as PDF, HTML, XLSX or DOCX (Chinese by default)."""


@report.command()
@click.argument("report_id", metavar="REPORT")
@click.argument("tables", nargs=-1, metavar="[TABLE...]")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Output file; the format follows the extension (.pdf .html .xlsx .docx). Repeat for several.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Report language.")
@click.option("--system", "system_name", help="The 等保 system (for the dengbao, grading and filing reports).")
@click.option(
    "--categories",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A data category table (YAML) for the classification report.",
)
@click.option("--since", metavar="DATE", help="Start of the period (overview report; default: 30 days ago).")
@click.option("--until", metavar="DATE", help="End of the period (overview report; default: now).")
@pass_app
def build(
    app: AppContext,
    report_id: str,
    tables: tuple[str, ...],
    outputs: tuple[Path, ...],
    lang: str,
    system_name: str | None,
    categories: Path | None,
    since: str | None,
    until: str | None,
) -> None:
    """Build REPORT (see `secops report list`) into one or more files. The classification report
    takes the tables to classify: files or SQL URLs; the filing report (备案表) takes the system's
    tables to prefill its 数据摸底调查表.

    \b
    Example:
      secops report build workspace -o out/workspace.pdf -o out/workspace.xlsx
      secops report build dengbao --system 学籍管理系统 -o out/gap.pdf
      secops report build classification roster.csv sqlite:///school.db#students -o out/data.pdf
      secops report build filing --system 学籍管理系统 roster.csv -o out/filing.docx
      secops report build overview --since 2026-09-01 -o out/overview.pdf
    """
    from secops.errors import SecopsError
    from secops.fsutil import check_output_path
    from secops.render.formats import format_for
    from secops.reporting.build import build_to_file, check_params, definition_for

    params = {"system": system_name} if system_name else {}
    definition = definition_for(report_id)
    if definition.source == "data":
        from secops.data.categories import load_categories
        from secops.reporting.data_source import table_params

        if not tables:
            raise SecopsError(
                f"report {report_id!r} needs the tables to classify",
                hint=f"e.g. secops report build {report_id} roster.csv -o out/data.pdf",
            )
        load_categories(categories)  # a broken table fails before any scan
        params.update(table_params(list(tables), categories))
    elif definition.source == "filing" and (tables or categories):
        from secops.data.categories import load_categories
        from secops.reporting.data_source import table_params

        load_categories(categories)  # the 数据摸底调查表 scans these tables at build time
        params.update(table_params(list(tables), categories))
    elif tables or categories:
        raise SecopsError(f"report {report_id!r} takes no tables or --categories")
    if since or until:
        if definition.source != "overview":
            raise SecopsError(f"report {report_id!r} has no period", hint="--since/--until are for the overview report")
        params.update({k: v for k, v in (("since", since), ("until", until)) if v})
    check_params(definition, params)
    for path in outputs:  # refuse every bad path before any work is done
        format_for(path)
        check_output_path(path)
    workspace = app.workspace()
    with app.store(workspace) as store:
        for path in outputs:
            run = build_to_file(report_id, path, workspace, store, app.now(), lang, params)
            click.echo(f"Wrote {path} ({run.format}, {run.size_bytes:,} bytes)")


@report.command(name="list")
@format_option()
def list_reports(fmt: str) -> None:
    """List the reports secops can build."""
    from secops.reporting.build import report_definitions

    rows = [
        {"id": d.id, "title": d.title.zh, "title_en": d.title.en, "formats": ",".join(d.formats)}
        for d in report_definitions().values()
    ]
    emit(rows, fmt, ["id", "title", "title_en", "formats"])
