"""``secops report``: build and list reports."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, force_option, format_option, refuse_overwrite, say
from secops.i18n import _


@click.group(cls=SecopsGroup)
def report() -> None:
    """Build reports as PDF, HTML, XLSX or DOCX (Chinese by default)."""


@report.command()
@click.argument("report_id", metavar="REPORT", shell_complete=complete.reports)
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
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="Report language (default: the language of the command line).",
)
@click.option(
    "--system",
    "system_name",
    shell_complete=complete.systems,
    help="The 等保 system (for the dengbao, grading and filing reports).",
)
@click.option(
    "--categories",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A data category table (YAML) for the classification report.",
)
@click.option("--since", metavar="DATE", help="Start of the period (overview report; default: 30 days ago).")
@click.option("--until", metavar="DATE", help="End of the period (overview report; default: now).")
@force_option()
@pass_app
def build(
    app: AppContext,
    report_id: str,
    tables: tuple[str, ...],
    outputs: tuple[Path, ...],
    lang: str | None,
    system_name: str | None,
    categories: Path | None,
    since: str | None,
    until: str | None,
    force: bool,
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
    from secops.i18n import language
    from secops.render.formats import format_for
    from secops.reporting.build import build_to_file, check_params, definition_for

    lang = lang or language()

    params = {"system": system_name} if system_name else {}
    definition = definition_for(report_id)
    if definition.source == "data":
        from secops.data.categories import load_categories
        from secops.reporting.data_source import table_params

        if not tables:
            raise SecopsError(
                _("report {report!r} needs the tables to classify").format(report=report_id),
                hint=_("e.g. {example}").format(example=f"secops report build {report_id} roster.csv -o out/data.pdf"),
            )
        load_categories(categories)  # a broken table fails before any scan
        params.update(table_params(list(tables), categories))
    elif definition.source == "filing" and (tables or categories):
        from secops.data.categories import load_categories
        from secops.reporting.data_source import table_params

        load_categories(categories)  # the 数据摸底调查表 scans these tables at build time
        params.update(table_params(list(tables), categories))
    elif tables or categories:
        raise SecopsError(_("report {report!r} takes no tables or --categories").format(report=report_id))
    if since or until:
        if definition.source != "overview":
            raise SecopsError(
                _("report {report!r} has no period").format(report=report_id),
                hint=_("--since/--until are for the overview report"),
            )
        params.update({k: v for k, v in (("since", since), ("until", until)) if v})
    check_params(definition, params)
    for path in outputs:  # refuse every bad path before any work is done
        if str(path) == "-":
            raise SecopsError(
                _("reports are documents (PDF, HTML, XLSX, DOCX) and are not written to stdout"),
                hint=_("give a file name, e.g. -o out/report.pdf"),
            )
        format_for(path)
        refuse_overwrite(path, force)
        check_output_path(path)
    workspace = app.workspace()
    with app.store(workspace) as store:
        for path in outputs:
            run = build_to_file(report_id, path, workspace, store, app.now(), lang, params)
            say(
                _("Wrote {path} ({format}, {size} bytes)").format(
                    path=path, format=run.format, size=f"{run.size_bytes:,}"
                )
            )


@report.command(name="list")
@format_option()
def list_reports(fmt: str) -> None:
    """List the reports secops can build."""
    from secops.reporting.build import report_definitions

    rows = [
        {"id": d.id, "title": d.title.zh, "title_en": d.title.en, "formats": ",".join(d.formats)}
        for d in report_definitions().values()
    ]
    headers = {"id": "ID", "title": _("TITLE"), "title_en": _("TITLE (EN)"), "formats": _("FORMATS")}
    emit(rows, fmt, ["id", "title", "title_en", "formats"], headers=headers, empty=_("No reports found"))
