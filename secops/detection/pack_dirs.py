"""Where installed content packs are and what they hold, read without the pack checker: every
detection run asks for the installed rule folders, and importing the checker (content kinds,
pydantic models) cost a quarter of a second of each ``yara scan`` and ``detect run``.
See :mod:`secops.detection.packs` for checking and installing packs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PACKS_FOLDER = "packs"
CURRENT = "current"
MANIFEST = "pack.json"


@dataclass(frozen=True)
class InstalledPack:
    name: str
    version: int
    pack_id: str
    issuer: str
    issued_at: str
    installed_at: str
    sigma: int
    yara: int
    indicators: int
    folder: Path


def packs_root(workspace: Path) -> Path:
    return workspace / PACKS_FOLDER


def installed(workspace: Path) -> list[InstalledPack]:
    """The packs installed in ``workspace``, by name; a damaged one is skipped, not fatal."""
    root = packs_root(workspace)
    found = []
    for current in sorted(root.glob(f"*/{CURRENT}")) if root.is_dir() else []:
        try:
            data = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
            found.append(
                InstalledPack(
                    name=str(data["name"]),
                    version=int(data["version"]),
                    pack_id=str(data["pack_id"]),
                    issuer=str(data["issuer"]),
                    issued_at=str(data["issued_at"]),
                    installed_at=str(data["installed_at"]),
                    sigma=int(data["sigma"]),
                    yara=int(data["yara"]),
                    indicators=int(data["indicators"]),
                    folder=current.resolve(),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def installed_version(workspace: Path, name: str) -> int | None:
    return next((p.version for p in installed(workspace) if p.name == name), None)


def rule_dirs(workspace: Path, kind: str) -> list[Path]:
    """The folders of installed ``sigma`` or ``yara`` rules, for the next detection run."""
    return [p.folder / kind for p in installed(workspace) if (p.folder / kind).is_dir()]
