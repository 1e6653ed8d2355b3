"""Page geometry and table column widths shared by the PDF, DOCX and XLSX renderers.

Column widths are fixed, not left to the word processor: an automatic layout squeezes short
columns (控制点, 结果, 安全类) until they print one character per line. Here every column first
gets what its header and short values need, and long text columns share the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from secops.render.model import Layout, Report, Section, Table


@dataclass(frozen=True)
class Page:
    """A4 geometry in millimetres: margins top, bottom, left (订口), right."""

    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom

    def turned(self) -> Page:
        """The landscape page: the binding margin stays on the long side that is bound."""
        return Page(self.height, self.width, self.left, self.right, self.bottom, self.top)


# GB/T 9704-2012 7.1: 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm.
GBT9704_PAGE = Page(210, 297, 37, 35, 28, 26)
REPORT_PAGE = Page(210, 297, 25, 25, 25, 20)


def page_for(layout: Layout) -> Page:
    return GBT9704_PAGE if layout == "gbt9704" else REPORT_PAGE


SHORT_TEXT = (
    20  # half-width units (a time stamp, 10 Chinese characters): a column no wider keeps its values on one line
)
LONG_MIN = 8  # what a long text column gets at least (4 Chinese characters) before sharing the rest
_LONG_CAP = 60  # long text shares the spare width by what it wants, up to this


def display_width(text: str) -> float:
    """Width in half-width units: Chinese and full-width characters count two, capitals and
    digits a little over one (they are wider than half an em in the CJK faces)."""
    return sum(2 if ord(ch) > 0x2E80 else 1.2 if ch.isupper() or ch.isdigit() else 1 for ch in text)


def _longest_word(text: str) -> float:
    """The widest part that cannot break: Latin words and numbers (Chinese breaks anywhere)."""
    longest = current = 0.0
    for ch in text:
        if ord(ch) > 0x2E80 or ch.isspace() or ch in "，、；：。,;/":
            longest, current = max(longest, current, 2 if ord(ch) > 0x2E80 else 0), 0.0
        else:
            current += 1.2 if ch.isupper() or ch.isdigit() else 1
    return max(longest, current)


def _bounds(table: Table) -> tuple[list[float], list[float]]:
    """Per column: the width its text wants on one line, and the least it can take without
    breaking a word or squeezing a short value (in half-width units, with cell padding)."""
    pad = 3  # cell padding and borders
    natural: list[float] = []
    minimum: list[float] = []
    for col, header in enumerate(table.columns):
        cells = ["" if row[col] is None else str(row[col]) for row in table.rows]
        longest = max([display_width(c) for c in cells] or [0])
        unbreakable = max([_longest_word(c) for c in cells] or [0])
        head = display_width(header)
        natural.append(min(max(head, longest), _LONG_CAP) + pad)
        short = max(head, longest) <= SHORT_TEXT
        minimum.append((max(head, longest) if short else max(head, unbreakable, LONG_MIN)) + pad)
    return natural, minimum


def column_widths(table: Table, available: float) -> list[float]:
    """Each column's share of the width (fractions adding up to 1); ``available`` in half-width
    units of the table's text (how many fit on one line of the page)."""
    count = len(table.columns)
    if table.widths is not None:
        total = sum(table.widths)
        return [w / total for w in table.widths]
    natural, minimum = _bounds(table)
    if sum(natural) <= available:
        widths = natural
    elif sum(minimum) >= available:
        widths = minimum
    else:
        spare = available - sum(minimum)
        stretch = [n - m for n, m in zip(natural, minimum, strict=True)]
        total_stretch = sum(stretch) or 1.0
        widths = [m + spare * s / total_stretch for m, s in zip(minimum, stretch, strict=True)]
    total = sum(widths) or float(count)
    return [w / total for w in widths]


def units_per_line(text_width_mm: float, font_pt: float) -> float:
    """Half-width units of text at ``font_pt`` that fit in ``text_width_mm`` (a Chinese character is
    one em wide)."""
    em_mm = font_pt * 25.4 / 72
    return 2 * text_width_mm / em_mm


def body_font_pt(layout: Layout) -> float:
    """三号 (16 pt) 仿宋 for GB/T 9704 documents, 小四 (12 pt) 宋体 for technical reports."""
    return 16.0 if layout == "gbt9704" else 12.0


def table_font_pt(layout: Layout, landscape: bool) -> float:
    """Tables in forms print 小四 (12 pt); report tables 五号 (10.5 pt); landscape appendices 小五 (9 pt)."""
    if layout == "gbt9704":
        return 10.5 if landscape else 12.0
    return 9.0 if landscape else 10.5


def line_pitch_pt(layout: Layout) -> float:
    """GB/T 9704's grid is 22 lines to the 225 mm text block (28.95 pt); reports use 1.5 lines."""
    return 225 / 22 * 72 / 25.4 if layout == "gbt9704" else body_font_pt(layout) * 1.5


def table_widths(table: Table, layout: Layout, landscape: bool) -> list[float]:
    """Column shares of one table as printed on its page."""
    page = page_for(layout)
    width = (page.turned() if landscape else page).text_width
    return column_widths(table, units_per_line(width, table_font_pt(layout, landscape)))


def landscape(report: Report, section: Section) -> bool:
    """Landscape pages for a section that asks for them, or whose table cannot fit a portrait page
    without squeezing columns below what their words need."""
    if section.landscape:
        return True
    page = page_for(report.layout)
    available = units_per_line(page.text_width, table_font_pt(report.layout, False))
    return any(isinstance(block, Table) and sum(_bounds(block)[1]) > available for block in section.blocks)
