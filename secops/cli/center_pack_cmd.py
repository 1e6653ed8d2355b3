"""``secops center pack``: content packs (Sigma rules, YARA rules, indicator lists) signed down to
schools, and which schools installed or refused which version."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from secops.cli.base import SecopsGroup
from secops.cli.center_common import center_db, center_home, center_now, headers, when
from secops.cli.center_complete import complete_groups, complete_packs, complete_schools
from secops.cli.output import emit, emit_object, format_option, say
from secops.errors import SecopsError
from secops.i18n import _
from secops.protocol.packs import NAME_PATTERN


@click.group(cls=SecopsGroup)
def pack() -> None:
    """Content packs: checked here, signed with the center's key, installed by schools on their next run.

    \b
      secops center pack publish webshells --sigma rules/ --yara yara/ --indicators iocs.txt --all
      secops center pack list
      secops center pack show webshells     # each school: installed, ignored or refused (why)
    \b
    Indicator lists: one a line, an IP address, a domain, or an MD5/SHA-1/SHA-256 file hash;
    '#' starts a comment.
    """


@pack.command("publish")
@click.argument("name", shell_complete=complete_packs)
@click.option(
    "--sigma",
    "sigma",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sigma rules: a file or folder (repeatable).",
)
@click.option(
    "--yara",
    "yara",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="YARA rules: a file or folder (repeatable).",
)
@click.option(
    "--indicators",
    "indicators",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Indicator list (.txt): a file or folder (repeatable).",
)
@click.option("--school", "schools", multiple=True, help="A school code (repeatable).", shell_complete=complete_schools)
@click.option("--group", help="A group of schools (secops center group).", shell_complete=complete_groups)
@click.option("--all", "everyone", is_flag=True, help="Every registered school.")
@click.option("--version", "version", type=click.IntRange(1, 10**9), help="Default: one more than the last published.")
@click.option("--as", "actor", help="Who publishes it (default: the OS user).")
def publish(
    name: str,
    sigma: tuple[Path, ...],
    yara: tuple[Path, ...],
    indicators: tuple[Path, ...],
    schools: tuple[str, ...],
    group: str | None,
    everyone: bool,
    version: int | None,
    actor: str | None,
) -> None:
    """Check every file (file:line for each problem, nothing published), then sign and queue pack NAME."""
    import re

    from secops.center.context import open_state
    from secops.center.notices import audience
    from secops.center.packs import publish_pack

    if not re.match(NAME_PATTERN, name):
        raise SecopsError(
            _("pack name {name} is not valid").format(name=repr(name)),
            hint=_("lowercase letters, digits, - and _, up to 50"),
        )
    if not (sigma or yara or indicators):
        raise SecopsError(_("a pack needs content"), hint=_("give --sigma, --yara and/or --indicators"))
    home = center_home()
    state = open_state(home, center_db())
    try:
        codes, shown = audience(state, schools=list(schools), group=group, everyone=everyone)
        done = publish_pack(
            state,
            home,
            name=name,
            sources={"sigma": sigma, "yara": yara, "indicators": indicators},
            version=version,
            schools=codes,
            audience_text=shown,
            issued_by=actor or f"host:{getpass.getuser()}",
            issuer=home.name,
            now=center_now(),
        )
    finally:
        state.dispose()
    say(
        _(
            "Pack {name} v{version} ({id}) issued to {audience}: {sigma} Sigma, {yara} YARA, "
            "{indicators} indicator lists, {kib} KiB"
        ).format(
            name=done.name,
            version=done.version,
            id=done.id,
            audience=done.audience,
            sigma=done.sigma,
            yara=done.yara,
            indicators=done.indicators,
            kib=done.size // 1024,
        )
    )


@pack.command("list")
@format_option()
def list_packs(fmt: str) -> None:
    """Pack versions, newest first, with how many schools installed, ignored or refused each."""
    from secops.center.context import open_state
    from secops.center.packs import pack_views

    state = open_state(center_home(), center_db())
    try:
        views = pack_views(state)
    finally:
        state.dispose()
    table = fmt == "table"
    rows = [
        {
            "name": v.name,
            "version": v.version,
            "id": v.id,
            "issued_at": when(v.issued_at, table=table),
            "audience": v.audience,
            "files": len(v.files),
            "schools": len(v.schools),
            "installed": v.count("installed"),
            "ignored": v.count("ignored"),
            "refused": v.count("refused"),
        }
        for v in views
    ]
    emit(
        rows,
        fmt,
        ["name", "version", "id", "issued_at", "audience", "files", "schools", "installed", "ignored", "refused"],
        headers=headers(),
        empty=_("No packs published: secops center pack publish NAME ..."),
    )


@pack.command("show")
@click.argument("name", shell_complete=complete_packs)
@format_option()
def show_pack(name: str, fmt: str) -> None:
    """Every version of pack NAME and what each school made of it: refused (with why) first."""
    from secops.center.context import open_state
    from secops.center.packs import pack_views

    state = open_state(center_home(), center_db())
    try:
        views = pack_views(state, name)
    finally:
        state.dispose()
    if not views:
        raise SecopsError(_("no pack {name}").format(name=repr(name)), hint=_("see secops center pack list"))
    table = fmt == "table"
    rows = [
        {
            "version": v.version,
            "school": s.school,
            "name": s.name,
            "status": s.status,
            "at": when(s.at, table=table),
            "installed_version": s.installed_version,
            "reason": s.reason,
        }
        for v in views
        for s in v.schools
    ]
    if not table:
        emit_object(
            {
                "name": name,
                "versions": [
                    {
                        "version": v.version,
                        "id": v.id,
                        "issued_at": when(v.issued_at, table=False),
                        "audience": v.audience,
                        "files": v.files,
                    }
                    for v in views
                ],
                "schools": rows,
            },
            fmt,
        )
        return
    columns = ["version", "school", "name", "status", "at", "installed_version", "reason"]
    emit(rows, fmt, columns, headers=headers(), empty=_("No school has answered yet"))
