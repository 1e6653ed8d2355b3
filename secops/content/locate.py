"""Where the content folders are: inside the installed package, or beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

from secops.errors import SecopsError

CONTENT_FOLDERS = ("rules", "scanners", "playbooks", "reports")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def content_root(folder: str) -> Path:
    """The directory of one content folder (``rules``, ``scanners``, ``playbooks``, ``reports``).

    A wheel installs them as ``secops/<folder>``; a source checkout keeps them at the top level.
    """
    if folder not in CONTENT_FOLDERS:
        raise ValueError(f"unknown content folder {folder!r}")
    for candidate in (_PACKAGE_DIR / folder, _PACKAGE_DIR.parent / folder):
        if candidate.is_dir():
            return candidate
    from secops.i18n import _

    raise SecopsError(
        _("content folder {folder!r} is missing from the secops installation at {path}").format(
            folder=folder, path=_PACKAGE_DIR
        ),
        hint=_("reinstall secops: pip install --force-reinstall secops"),
    )


def content_roots() -> dict[str, Path]:
    return {folder: content_root(folder) for folder in CONTENT_FOLDERS}
