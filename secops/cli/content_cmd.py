"""``secops content``: validate and list the content library."""

from __future__ import annotations

from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, findings, format_option, quiet, to_json
from secops.i18n import _


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
@click.option("-q", "--quiet", "errors_only", is_flag=True, help="Print errors only (as secops -q does).")
@format_option()
def validate(paths: tuple[Path, ...], kind_name: str | None, errors_only: bool, fmt: str) -> None:
    """Check content files against their schemas (default: everything shipped).

    Prints ``file:line: message`` for every error (json/jsonl: file, line, message) and exits 1 when
    there is any; a PATH that does not exist or holds no content is exit 2.
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
                _("--kind {kind!r} is not a kind of content").format(kind=kind_name),
                hint=_("known: {names}").format(names=", ".join(k.name for k in KINDS)),
            ) from None
    for path in paths:
        if not path.exists():
            raise SecopsError(
                _("{path}: no such file or folder").format(path=path),
                hint=_("give a content file or a folder of them"),
            )
    targets = list(paths) or list(content_roots().values())
    checked, errors = validate_paths(targets, kind)
    if paths and not checked:
        raise SecopsError(
            _("no content found under {paths}").format(paths=", ".join(str(p) for p in paths)),
            hint=_(
                "give --kind (e.g. --kind sigma-rule) when the files are not in a content folder such as rules/sigma/"
            ),
        )
    if fmt == "table":
        for error in errors:
            click.echo(str(error))
    else:
        rows = [{"file": str(e.path), "line": e.line, "message": e.message} for e in errors]
        if fmt == "json":
            click.echo(to_json(rows))
        else:
            for row in rows:
                click.echo(to_json(row, indent=None))
    if not (errors_only or quiet()):
        click.echo(
            _("{checked} file(s) checked, {errors} error(s)").format(checked=checked, errors=len(errors)), err=True
        )
    findings(bool(errors))


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
    emit(
        rows,
        fmt,
        ["kind", "files", "folder", "description"],
        headers={"kind": _("KIND"), "files": _("FILES"), "folder": _("FOLDER"), "description": _("DESCRIPTION")},
    )


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
    emit(
        rows,
        fmt,
        ["name", "version", "sigma", "yara", "indicators", "installed_at", "center"],
        headers={
            "name": _("NAME"),
            "version": _("VERSION"),
            "sigma": "SIGMA",
            "yara": "YARA",
            "indicators": _("INDICATORS"),
            "installed_at": _("INSTALLED"),
            "center": _("CENTER"),
        },
        empty=_("No content packs installed (secops forward pulls them from the center)"),
    )
