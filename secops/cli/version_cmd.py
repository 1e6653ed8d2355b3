"""``secops version``."""

from __future__ import annotations

import platform
import shutil
import sqlite3
from importlib import metadata

import click

from secops import __version__
from secops.cli.base import SecopsCommand
from secops.cli.output import emit_object, format_option
from secops.i18n import _

_COMPONENTS = (
    "click",
    "SQLAlchemy",
    "pydantic",
    "weasyprint",
    "python-nmap",
    "scapy",
    "yara-python",
    "pySigma",
    "elasticsearch",
    "APScheduler",
)


@click.command(cls=SecopsCommand)
@format_option()
def version(fmt: str) -> None:
    """Show the versions of secops, Python and the components it drives."""
    info: dict[str, str] = {
        "secops": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for name in _COMPONENTS:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = _("not installed")
    info["nmap"] = shutil.which("nmap") or _("not installed")
    emit_object(info, fmt)
