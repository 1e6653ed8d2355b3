"""``secops content``: validate and list the content library."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, format_option


@click.group(cls=SecopsGroup)
def content() -> None:
    """Validate and list rules, scan profiles, playbooks and report templates."""


@content.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    "kind_name",
    help="Check every file under PATHS as this kind (see `secops content list`), e.g. sigma-rule for a "
    "--rules folder of your own. Default: from the folder, or what the file holds.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def validate(paths: tuple[Path, ...], kind_name: str | None, quiet: bool) -> None:
    """Check content files against their schemas (default: everything shipped).

    Prints ``file:line: message`` for every error and exits 1 when there is any; a PATH that does
    not exist or holds no content is exit 2.
    """
    from secops.content.kinds import KINDS, kind_named
    from secops.content.locate import content_roots
    from secops.content.validate import validate_paths
    from secops.errors import SecopsError

    kind = None
    if kind_name:
        try:
            kind = kind_named(kind_name)
        except KeyError:
            raise SecopsError(
                f"--kind {kind_name!r} is not a kind of content", hint="known: " + ", ".join(k.name for k in KINDS)
            ) from None
    for path in paths:
        if not path.exists():
            raise SecopsError(f"{path}: no such file or folder", hint="give a content file or a folder of them")
    targets = list(paths) or list(content_roots().values())
    checked, errors = validate_paths(targets, kind)
    if paths and not checked:
        raise SecopsError(
            f"no content found under {', '.join(str(p) for p in paths)}",
            hint="give --kind (e.g. --kind sigma-rule) when the files are not in a content folder such as rules/sigma/",
        )
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


@content.command(name="packs")
@format_option()
@pass_app
def packs(app: AppContext, fmt: str) -> None:
    """List the content packs the center sent this workspace (installed by `secops forward`).

    Their Sigma rules run with the shipped ones in `secops detect run` (and the scheduled detect
    job), their YARA rules in `secops yara scan`, unless --rules names other rules. Indicator
    lists become a generated Sigma rule (IPs, domains) and a YARA rule (file hashes).
    """
    from secops.detection.pack_dirs import installed

    rows = [
        {
            "name": p.name,
            "version": p.version,
            "sigma": p.sigma,
            "yara": p.yara,
            "indicators": p.indicators,
            "installed_at": p.installed_at,
            "issued_at": p.issued_at,
            "center": p.issuer,
            "folder": str(p.folder),
        }
        for p in installed(app.workspace().path)
    ]
    emit(rows, fmt, ["name", "version", "sigma", "yara", "indicators", "installed_at", "center"])
