"""The official face names and the fontconfig aliases that resolve them to the free faces."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from secops.content.locate import content_root
from secops.errors import SecopsError
from secops.render import fonts
from secops.render.fonts import FACES

ALIASES = content_root("reports") / "fonts" / "64-secops-official-cjk.conf"
INSTALLED = Path("/etc/fonts/conf.d") / ALIASES.name


def _aliases() -> dict[str, str]:
    root = ElementTree.parse(ALIASES).getroot()
    return {alias.findtext("family", ""): alias.findtext("prefer/family", "") for alias in root.iter("alias")}


def test_every_official_name_is_aliased_to_its_free_face() -> None:
    aliases = _aliases()
    for face in FACES.values():
        for name in (face.official, *face.alternates):
            assert aliases[name] == face.free, name
    assert FACES["hei"].free == "Noto Sans CJK SC" and FACES["song"].free == "Noto Serif CJK SC"


def test_css_stacks_name_the_official_face_first() -> None:
    assert FACES["fangsong"].css_stack() == '"仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", serif'


@pytest.mark.skipif(
    not (shutil.which("fc-match") and INSTALLED.exists()), reason="aliases not installed (scripts/install.sh)"
)
@pytest.mark.parametrize("name", ["宋体", "SimSun", "黑体", "SimHei", "仿宋_GB2312", "仿宋", "FangSong"])
def test_installed_aliases_resolve_the_official_names(name: str) -> None:
    found = subprocess.run(
        ["fc-match", "-f", "%{family[0]}", f"{name}:lang=zh-cn"], capture_output=True, text=True, check=True
    )
    face = next(face for face in FACES.values() if name in (face.official, *face.alternates))
    assert found.stdout == face.free


def test_missing_free_face_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "chinese_font_families", lambda: ("Noto Sans CJK SC",))
    with pytest.raises(SecopsError, match="Noto Serif CJK SC"):
        fonts.require_faces()
