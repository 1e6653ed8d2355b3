"""``secops dengbao system`` and ``questionnaire``: the graded systems and their answers."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, emit_object, force_option, format_option, refuse_overwrite, say
from secops.i18n import _


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
        raise SecopsError(_("give exactly one of --level N or --answers FILE"))
    grading = None
    chosen_ext = parse_extensions(extensions)
    if answers_path:
        answers = load_grading_answers(answers_path)
        grading = answers.grading.as_dict()
        number = answers.grading.level
        if number > 4:
            raise SecopsError(_("the answers grade to level 5, which secops cannot assess (no published catalog)"))
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
    done = _("Added system {name}: level {level}") if created else _("Updated system {name}: level {level}")
    say(done.format(name=saved.name, level=saved.level))


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
    emit(
        rows,
        fmt,
        ["name", "level", "extensions", "asset_tag", "description", "updated_at"],
        headers={
            "name": _("NAME"),
            "level": _("LEVEL"),
            "extensions": _("EXTENSIONS"),
            "asset_tag": _("ASSET TAG"),
            "description": _("DESCRIPTION"),
            "updated_at": _("UPDATED"),
        },
        empty=_("No graded systems yet (secops dengbao system add)"),
    )


@system.command(name="show")
@click.argument("name", shell_complete=complete.systems)
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
    emit_object(
        value,
        fmt,
        {
            "name": _("Name"),
            "level": _("Level"),
            "extensions": _("Extensions"),
            "asset_tag": _("Asset tag"),
            "description": _("Description"),
            "grading": _("Grading"),
            "created_at": _("Created"),
            "updated_at": _("Updated"),
            "answers": _("Questionnaire answers"),
            "latest_assessment": _("Latest assessment"),
        },
    )


@system.command(name="remove")
@click.argument("name", shell_complete=complete.systems)
@pass_app
def system_remove(app: AppContext, name: str) -> None:
    """Remove a system with its answers and assessments."""
    from secops.dengbao.systems import remove_system

    with app.store() as store:
        remove_system(store, name)
    say(_("Removed system {name}").format(name=name))


@click.group(cls=SecopsGroup)
def questionnaire() -> None:
    """The questionnaire for what tools cannot see (XLSX or YAML, in Chinese)."""


@questionnaire.command(name="export")
@click.option(
    "--system",
    "system_name",
    required=True,
    shell_complete=complete.systems,
    help="System name (secops dengbao system list).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    help="FILE.xlsx or FILE.yaml; - writes YAML to stdout.",
)
@force_option()
@pass_app
def questionnaire_export(app: AppContext, system_name: str, output: Path, force: bool) -> None:
    """Write the questionnaire of a system's level, prefilled with earlier answers."""
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.checks import load_checks
    from secops.dengbao.questionnaire import export_questionnaire
    from secops.dengbao.systems import get_system, load_answers
    from secops.fsutil import check_output_path

    to_stdout = str(output) == "-"
    if not to_stdout:
        refuse_overwrite(output, force)
        check_output_path(output)
    with app.store() as store:
        found = get_system(store, system_name)
        answers = load_answers(store, found)
    requirements = load_catalog().select(found.level, found.extensions)
    if to_stdout:
        from secops.cli.output import text_output
        from secops.dengbao.questionnaire import questionnaire_yaml

        with text_output(output) as handle:
            handle.write(
                questionnaire_yaml(
                    system=found.name,
                    level=found.level,
                    requirements=requirements,
                    answers=answers,
                    checks=load_checks(),
                )
            )
        return
    count = export_questionnaire(
        output, system=found.name, level=found.level, requirements=requirements, answers=answers, checks=load_checks()
    )
    say(_("Wrote {path}: {count} items, {answered} answered").format(path=output, count=count, answered=len(answers)))


@questionnaire.command(name="import")
@click.option("--system", "system_name", required=True, shell_complete=complete.systems, help="System name.")
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
    say(_("Imported {count} answers for {system}").format(count=stored, system=found.name))
