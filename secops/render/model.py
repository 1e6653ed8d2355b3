"""The generic report: title, metadata, and sections of paragraphs, tables and charts.

Every capability builds one of these; the renderers turn it into documents. Text is already
in the report's language: renderers add no words of their own except through ``labels``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ChartKind = Literal["bar", "barh", "pie", "line"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["body", "note", "warning"] = "body"


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    sheet_name: str | None = None  # XLSX sheet; defaults to the title

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.title!r} row {index} has {len(row)} cells for {len(self.columns)} columns"
                )


@dataclass(frozen=True)
class Chart:
    title: str
    kind: ChartKind
    labels: list[str]
    series: dict[str, list[float]]  # series name -> one value per label
    x_label: str = ""
    y_label: str = ""

    def __post_init__(self) -> None:
        for name, values in self.series.items():
            if len(values) != len(self.labels):
                raise ValueError(
                    f"chart {self.title!r} series {name!r} has {len(values)} values for {len(self.labels)} labels"
                )


Block = Paragraph | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Section:
        self.blocks.append(block)
        return self


@dataclass
class Report:
    id: str
    title: str
    generated_at: datetime
    lang: str = "zh"
    subtitle: str = ""
    metadata: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # fixed words: "generated", "page", ...

    @property
    def stamp(self) -> str:
        """When it was generated, with the offset (what the documents print)."""
        return stamp_text(self.generated_at)

    def section(self, title: str) -> Section:
        section = Section(title)
        self.sections.append(section)
        return section

    def section_number(self, index: int) -> str:
        """The heading prefix of section ``index`` (from 1): 一、 二、 ... in Chinese, as official
        documents number their parts; 1. 2. ... otherwise."""
        return f"{chinese_numeral(index)}、" if self.lang == "zh" else f"{index}. "

    def tables(self) -> list[Table]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Table)]

    def charts(self) -> list[Chart]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Chart)]


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1..99 in Chinese numerals (十, 十一, 二十, 二十一); other numbers as Arabic digits."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def stamp_text(moment: datetime) -> str:
    """A report's time with its offset (2026-12-07 10:22 UTC+08:00): zone abbreviations such as CST
    are ambiguous (China, or US Central)."""
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M") + (f" UTC{offset[:3]}:{offset[3:5]}" if offset else "")
