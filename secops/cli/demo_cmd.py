"""``secops demo``: the main job end to end on the embedded default, in a temporary workspace."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsCommand
from secops.cli.context import AppContext, pass_app
from secops.cli.output import say
from secops.i18n import _


@click.command(cls=SecopsCommand)
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Where the demo's reports go.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="Language of the demo's reports (default: the language of the command line).",
)
@pass_app
def demo(app: AppContext, output_dir: Path, lang: str | None) -> None:
    """Set up a demo school in a temporary workspace and build its reports.

    Uses SQLite and touches nothing outside the temporary workspace and OUTPUT_DIR; your own
    workspace (--workspace) is left alone.
    """
    from secops.demo.run import run_demo
    from secops.i18n import language

    result = run_demo(output_dir, now=app.now(), lang=lang or language(), progress=say)
    click.echo("")
    click.echo(_("Demo workspace: {path}").format(path=result.workspace))
    click.echo(_("Reports:"))
    for path in result.reports:
        click.echo(f"  {path}")
