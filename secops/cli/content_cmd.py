"""``secops content``: validate and list the content library."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.output import emit, format_option


@click.group()
def content() -> None:
    """Validate and list rules, scan profiles, playbooks and report templates."""


@content.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def validate(paths: tuple[Path, ...], quiet: bool) -> None:
    """Check content files against their schemas (default: everything shipped).

    Prints ``file:line: message`` for every error and exits 1 when there is any.
    """
    from secops.content.locate import content_roots
    from secops.content.validate import validate_paths

    targets = list(paths) or list(content_roots().values())
    checked, errors = validate_paths(targets)
    for error in errors:
        click.echo(str(error))
    if not quiet:
        click.echo(f"{checked} file(s) checked, {len(errors)} error(s)", err=True)
    if errors:
        raise SystemExit(1)


@content.command(name="list")
@format_option()
def list_content(fmt: str) -> None:
    """List the kinds of content with where they live and how many files each has."""
    from secops.content.kinds import KINDS
    from secops.content.locate import content_root

    rows = [
        {
            "kind": kind.name,
            "files": len(kind.shipped_files()),
            "folder": str(content_root(kind.folder).joinpath(*kind.subpath)),
            "description": kind.description,
        }
        for kind in KINDS
    ]
    emit(rows, fmt, ["kind", "files", "folder", "description"])
