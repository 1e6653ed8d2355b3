"""The layers of reporting and notifying: the renderers and the notifiers know no feature, and no
feature imports a report source or a renderer (the CLI calls reporting, never the feature)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import secops

ROOT = Path(secops.__file__).parent
# secops.i18n (the message catalog) is the bottom layer in setup.cfg, below secops.errors
FOUNDATION = ("secops.errors", "secops.i18n", "secops.fsutil", "secops.config", "secops.content", "secops.models")
FEATURES = ("dengbao", "incident", "inventory", "detection", "data")


def _imports(package: Path) -> dict[str, set[str]]:
    """Every secops module each file of ``package`` imports (also inside functions)."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT.parent))] = {n for n in names if n == "secops" or n.startswith("secops.")}
    return found


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


@pytest.mark.parametrize("leaf", ["render", "notify"])
def test_the_leaf_imports_only_itself_and_the_foundation(leaf: str) -> None:
    allowed = (f"secops.{leaf}", *FOUNDATION)
    wrong = {f: sorted(n for n in names if not _within(n, allowed)) for f, names in _imports(ROOT / leaf).items()}
    assert {f: names for f, names in wrong.items() if names} == {}


@pytest.mark.parametrize("feature", FEATURES)
def test_no_feature_imports_reporting_or_render(feature: str) -> None:
    above = ("secops.reporting", "secops.render")
    wrong = {f: sorted(n for n in names if _within(n, above)) for f, names in _imports(ROOT / feature).items()}
    assert {f: names for f, names in wrong.items() if names} == {}
