"""CJK fonts: Chinese must render as text, never as boxes, so a missing font is an error.

Official Chinese documents set headings in 黑体 and body text in 宋体 or 仿宋 (GB/T 9704). Those
faces are proprietary; documents name them first, so Word and WPS use them where installed, and
name the free faces of Debian's fonts-noto-cjk after them for everything else (WeasyPrint,
LibreOffice). Debian packages no FangSong that covers simplified Chinese (cwTeX 仿宋 is
traditional only: 40 of 80 common simplified characters missing), so 仿宋 resolves to Noto Serif
CJK SC, the song-style face. ``reports/fonts/64-secops-official-cjk.conf`` aliases the official names
to the free faces for LibreOffice, which otherwise falls back to a sans face.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

from secops.errors import SecopsError

PREFERRED_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
_INSTALL_HINT = "install a Chinese font: apt-get install fonts-noto-cjk (scripts/install-system.sh does it)"

Role = Literal["hei", "song", "fangsong"]


@dataclass(frozen=True)
class Face:
    """One typeface role of official documents: the names Word/WPS know, then the free face."""

    official: str  # the name documents declare (w:eastAsia, first in a CSS stack)
    alternates: tuple[str, ...]  # other names of the same face (fontTable w:altName, CSS stack)
    free: str  # the Debian face that renders it where the official one is absent
    generic: str  # CSS generic family

    def css_stack(self) -> str:
        names = [self.official, *self.alternates, self.free]
        return ", ".join(f'"{name}"' for name in names) + f", {self.generic}"


FACES: dict[Role, Face] = {
    "hei": Face("黑体", ("SimHei",), "Noto Sans CJK SC", "sans-serif"),
    "song": Face("宋体", ("SimSun",), "Noto Serif CJK SC", "serif"),
    "fangsong": Face("仿宋_GB2312", ("仿宋", "FangSong"), "Noto Serif CJK SC", "serif"),
}


@functools.cache
def chinese_font_families() -> tuple[str, ...]:
    """Font families fontconfig knows that cover Chinese, preferred ones first."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise SecopsError("fontconfig (fc-list) is not installed, so fonts cannot be checked", hint=_INSTALL_HINT)
    result = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    families = {name.strip() for line in result.stdout.splitlines() for name in line.split(",") if name.strip()}
    ordered = [name for name in PREFERRED_FAMILIES if name in families]
    ordered += sorted(families - set(ordered))
    return tuple(ordered)


def require_chinese_font() -> str:
    """The family to render Chinese with; a SecopsError when none is installed."""
    families = chinese_font_families()
    if not families:
        raise SecopsError(
            "no font that covers Chinese is installed, so Chinese would print as boxes", hint=_INSTALL_HINT
        )
    return families[0]


def require_faces() -> None:
    """Refuse to render when a free face of the official roles is missing (it would be substituted)."""
    families = chinese_font_families()
    missing = sorted({face.free for face in FACES.values()} - set(families))
    if missing:
        raise SecopsError(
            f"the Chinese faces {', '.join(missing)} are not installed, so documents would use substitutes",
            hint=_INSTALL_HINT,
        )
