"""``secops dengbao system`` and ``questionnaire``: the graded systems and their answers."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, emit_object, format_option


@click.group(cls=SecopsGroup)
def system() -> None:
    """Graded systems (定级对象) of this school, linked to inventory assets by tag."""


@system.command(name="add")
@click.argument("name")
@click.option("--level", help="Protection level (1-4), when not graded with --answers.")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Grade from this answers file.")
@click.option("--extension", "extensions", multiple=True, help="Extensions: cloud, mobile, iot, ics.")
@click.option("--asset-tag", default="", help="Inventory system tag of its assets (secops assets tag --system).")
@click.option("--description", default="", help="What the system does.")
@click.option("--replace", is_flag=True, help="Update the system if it exists.")
@pass_app
def system_add(
    app: AppContext,
    name: str,
    level: str | None,
    answers_path: Path | None,
    extensions: tuple[str, ...],
    asset_tag: str,
    description: str,
    replace: bool,
) -> None:
    """Add system NAME with its level (from --answers or --level)."""
    from secops.dengbao.answers_grading import load_grading_answers
    from secops.dengbao.catalog import parse_extensions, parse_level
    from secops.dengbao.systems import save_system
    from secops.errors import SecopsError
    from secops.store.records import log_activity

    if bool(level) == bool(answers_path):
        raise SecopsError("give exactly one of --level N or --answers FILE")
    grading = None
    chosen_ext = parse_extensions(extensions)
    if answers_path:
        answers = load_grading_answers(answers_path)
        grading = answers.grading.as_dict()
        number = answers.grading.level
        if number > 4:
            raise SecopsError("the answers grade to level 5, which secops cannot assess (no published catalog)")
        chosen_ext = chosen_ext or answers.extensions
    else:
        assert level is not None
        number = parse_level(level)
    workspace = app.workspace()
    with app.store(workspace) as store:
        saved, created = save_system(
            store,
            name=name,
            level=number,
            extensions=chosen_ext,
            asset_tag=asset_tag,
            description=description,
            grading=grading,
            now=app.now(),
            replace=replace,
        )
        log_activity(store, "dengbao.system", {"name": saved.name, "level": saved.level}, app.now())
    click.echo(f"{'Added' if created else 'Updated'} system {saved.name}: level {saved.level}")


@system.command(name="list")
@format_option()
@pass_app
def system_list(app: AppContext, fmt: str) -> None:
    """List the graded systems."""
    from secops.dengbao.systems import list_systems

    with app.store() as store:
        rows = [s.as_dict() for s in list_systems(store)]
    for row in rows:
        row["extensions"] = ",".join(row["extensions"]) if fmt == "table" else row["extensions"]
    emit(rows, fmt, ["name", "level", "extensions", "asset_tag", "description", "updated_at"])


@system.command(name="show")
@click.argument("name")
@format_option()
@pass_app
def system_show(app: AppContext, name: str, fmt: str) -> None:
    """Show one system, its grading, answers and latest assessment."""
    from secops.dengbao.systems import get_system, latest_assessment, load_answers

    with app.store() as store:
        found = get_system(store, name)
        answers = load_answers(store, found)
        latest = latest_assessment(store, found)
    value = found.as_dict()
    value["answers"] = len(answers)
    value["latest_assessment"] = (
        {
            "assessed_at": latest.assessed_at.isoformat(),
            "conclusion": latest.conclusion,
            "rate": latest.rate,
            "major_risk": latest.major_risk,
        }
        if latest
        else None
    )
    emit_object(value, "json" if fmt == "table" else fmt)


@system.command(name="remove")
@click.argument("name")
@pass_app
def system_remove(app: AppContext, name: str) -> None:
    """Remove a system with its answers and assessments."""
    from secops.dengbao.systems import remove_system

    with app.store() as store:
        remove_system(store, name)
    click.echo(f"Removed system {name}")


@click.group(cls=SecopsGroup)
def questionnaire() -> None:
    """The questionnaire for what tools cannot see (XLSX or YAML, in Chinese)."""


@questionnaire.command(name="export")
@click.option("--system", "system_name", required=True, help="System name (secops dengbao system list).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="FILE.xlsx or FILE.yaml")
@pass_app
def questionnaire_export(app: AppContext, system_name: str, output: Path) -> None:
    """Write the questionnaire of a system's level, prefilled with earlier answers."""
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.checks import load_checks
    from secops.dengbao.questionnaire import export_questionnaire
    from secops.dengbao.systems import get_system, load_answers
    from secops.fsutil import check_output_path

    check_output_path(output)
    with app.store() as store:
        found = get_system(store, system_name)
        answers = load_answers(store, found)
    requirements = load_catalog().select(found.level, found.extensions)
    count = export_questionnaire(
        output, system=found.name, level=found.level, requirements=requirements, answers=answers, checks=load_checks()
    )
    click.echo(f"Wrote {output}: {count} items, {len(answers)} answered")


@questionnaire.command(name="import")
@click.option("--system", "system_name", required=True, help="System name.")
@click.argument("path", type=click.Path(path_type=Path))
@pass_app
def questionnaire_import(app: AppContext, system_name: str, path: Path) -> None:
    """Import an answered questionnaire (all rows valid, or nothing is stored)."""
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.questionnaire import import_questionnaire
    from secops.dengbao.systems import get_system, save_answers

    with app.store() as store:
        found = get_system(store, system_name)
        answers = import_questionnaire(path, load_catalog().select(found.level, found.extensions))
        stored = save_answers(store, found, answers, app.now())
    click.echo(f"Imported {stored} answers for {found.name}")
