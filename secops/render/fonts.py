"""CJK fonts: Chinese must render as text, never as boxes, so a missing font is an error."""

from __future__ import annotations

import functools
import shutil
import subprocess

from secops.errors import SecopsError

PREFERRED_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
_INSTALL_HINT = "install a Chinese font: apt-get install fonts-noto-cjk (scripts/install-system.sh does it)"


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
