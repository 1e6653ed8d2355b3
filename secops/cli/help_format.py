"""Help text wrapped by what the terminal shows: a Chinese character takes two columns and a line
may break between any two of them (click measures characters and breaks only at spaces)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import click

_TOKEN = re.compile(
    r"\s+|[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
# punctuation that must not begin a line (it stays with the character before it)
_NO_LINE_START = set("，。、；：？！）》」』】”’…%,.;:?!)")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# a run without spaces up to this wide stays whole ("[默认：table]", "--format"); longer runs are
# Chinese sentences, which may break between any two characters
_UNBROKEN = 16


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for word in re.split(r"(\s+)", text):
        if not word:
            continue
        if word.isspace() or display_width(word) <= _UNBROKEN:
            out.append(word)
        else:
            out.extend(_TOKEN.findall(word))
    return out


def fill(text: str, width: int, first_indent: str = "", indent: str = "") -> str:
    """One paragraph filled to ``width`` columns."""
    lines: list[str] = []
    line, used, space = first_indent, display_width(first_indent), False
    empty = True
    for token in _tokens(text):
        if token.isspace():
            space = not empty
            continue
        gap = " " if space else ""
        size = display_width(gap + token)
        if not empty and used + size > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used, gap, size = indent, display_width(indent), "", display_width(token)
        line += gap + token
        used += size
        empty, space = False, False
    lines.append(line.rstrip())
    return "\n".join(lines)


def _paragraphs(text: str) -> Iterable[tuple[int, bool, str]]:
    """(indent, raw, text) per paragraph, as click reads them: blank lines between paragraphs, a
    paragraph starting with a line holding only \\b is kept as written."""
    block: list[str] = []
    indent: int | None = None
    for line in [*text.expandtabs().splitlines(), ""]:
        if line.strip():
            if indent is None:
                indent = len(line) - len(line.lstrip())
            block.append(line)
            continue
        if block:
            if block[0].strip() == "\b":
                yield indent or 0, True, "\n".join(block[1:])
            else:
                yield indent or 0, False, " ".join(part.strip() for part in block)
        block, indent = [], None


def wrap_paragraphs(text: str, width: int, indent: str = "") -> str:
    out: list[str] = []
    for extra, raw, paragraph in _paragraphs(text):
        lead = indent + " " * extra
        if raw:
            out.append("\n".join(lead + line for line in paragraph.splitlines()))
        else:
            out.append(fill(paragraph, width, lead, lead))
    return "\n\n".join(out)


class DisplayWidthFormatter(click.HelpFormatter):
    """click's help layout with widths measured in terminal columns."""

    def write_text(self, text: str) -> None:
        self.write(wrap_paragraphs(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_width = min(max((display_width(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_width - col_spacing:
                self.write(" " * (first_width - display_width(first)))
            else:
                self.write("\n" + " " * (first_width + self.current_indent))
            text_width = max(self.width - first_width - 2 - self.current_indent, 10)
            lines = wrap_paragraphs(second, text_width).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_width + self.current_indent}}{line}\n" if line else "\n")


class SecopsContext(click.Context):
    formatter_class = DisplayWidthFormatter
