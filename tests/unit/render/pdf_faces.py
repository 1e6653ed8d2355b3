"""Which faces a PDF's text was set in, down to the Japanese or Chinese glyph forms.

The Noto CJK collections share one CFF table among their JP, KR, SC, TC and HK faces, so a PDF
names every embedded subset ``NotoSansCJKjp-…`` whichever face was used. What tells them apart is
the glyphs: for many characters the SC face maps a different glyph (CID) than the JP face.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTCollection
from pypdf import PdfReader

NOTO = Path("/usr/share/fonts/opentype/noto")


@functools.cache
def _glyphs(kind: str, face: str) -> frozenset[str]:
    for font in TTCollection(str(NOTO / f"Noto{kind}CJK-Regular.ttc")).fonts:
        if font["name"].getDebugName(4) == f"Noto {kind} CJK {face}":
            return frozenset(font.getBestCmap().values())
    raise LookupError(f"Noto {kind} CJK {face}")


def embedded_faces(pdf: Path) -> dict[str, tuple[int, int]]:
    """Each embedded font's name -> (glyphs only the SC face has, glyphs only the JP face has);
    (0, 0) for a font that is not a Noto CJK subset with CID glyph names."""
    found: dict[str, tuple[int, int]] = {}
    for page in PdfReader(pdf).pages:
        resources: Any = page["/Resources"]
        for ref in resources.get("/Font", {}).values():
            font: Any = ref.get_object()
            descriptor: Any = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font.get("/FontDescriptor")
            )
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            name = str(descriptor["/FontName"]).split("+")[-1]
            cids: set[str] = set()
            if "/FontFile" in descriptor:  # LibreOffice: Type 1 subsets whose glyphs are named cidNNNNN
                cids = set(re.findall(r"/(cid\d+)", descriptor["/FontFile"].get_object().get_data().decode("latin-1")))
            kind = "Sans" if "Sans" in name else "Serif"
            if cids and "CJK" in name:
                sc, jp = _glyphs(kind, "SC"), _glyphs(kind, "JP")
                found[name] = (len(cids & (sc - jp)), len(cids & (jp - sc)))
            else:
                found.setdefault(name, (0, 0))
    return found
