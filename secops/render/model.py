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
# "report": a technical report (宋体 body); "gbt9704": a document laid out after GB/T 9704
# (A4, 天头 37 mm, 订口 28 mm, 仿宋 body), as 定级报告, 备案表 and incident reports are.
Layout = Literal["report", "gbt9704"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    # "heading": a numbered sub-heading inside a section (4.1 初判与报告), as plans and rules have
    style: Literal["body", "note", "warning", "heading"] = "body"


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    sheet_name: str | None = None  # XLSX sheet; defaults to the title
    widths: tuple[float, ...] | None = None  # relative column widths; estimated from the text when None

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.title!r} row {index} has {len(row)} cells for {len(self.columns)} columns"
                )
        if self.widths is not None and len(self.widths) != len(self.columns):
            raise ValueError(f"table {self.title!r} has {len(self.widths)} widths for {len(self.columns)} columns")


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

    @property
    def informative(self) -> bool:
        """A chart earns its place only by comparing: one bar or a single 100% slice says nothing a
        sentence does not (``fact`` is that sentence); a line needs two points."""
        if self.kind == "line":
            return len(self.labels) >= 2 and bool(self.series)
        values = [v for series in self.series.values() for v in series]
        return sum(1 for v in values if v) >= 2

    def fact(self) -> str:
        """The chart's data as one sentence, printed instead of an uninformative chart."""
        parts = []
        for name, values in self.series.items():
            for label, value in zip(self.labels, values, strict=True):
                if value or len(self.labels) == 1:
                    shown = int(value) if float(value).is_integer() else value
                    parts.append(f"{label}{'' if len(self.series) == 1 else ' ' + name} {shown}")
        if self.kind == "pie" and len(parts) == 1:
            parts[0] += "（100%）"
        return f"{self.title}：" + ("；".join(parts) if parts else "0") + "。"


Block = Paragraph | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    appendix: bool = False  # numbered 附录A, 附录B ... after the body
    landscape: bool = False  # wide tables: printed on landscape pages

    def add(self, block: Block) -> Section:
        self.blocks.append(block)
        return self


@dataclass(frozen=True)
class FrontMatter:
    """The cover and 声明 page of a report (等级测评报告 style); forms have none."""

    number: str  # 报告编号
    fields: list[tuple[str, str]]  # 被测单位, 委托单位, 编制单位 ... under the title
    issuer: str  # 编制单位, printed at the foot of the cover
    date: str  # 报告日期, in words (2026年12月07日)
    classification: str = ""  # 密级, top right of the cover
    statement: list[str] = field(default_factory=list)  # the 声明 page; none when empty


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
    layout: Layout = "report"
    front: FrontMatter | None = None
    signatures: tuple[str, ...] = ()  # roles of the sign-off block: 编制, 审核, 批准

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

    def headings(self) -> list[str]:
        """Each section's numbered heading: the body 一、 二、 ..., the appendices 附录A, 附录B ..."""
        out: list[str] = []
        body = appendix = 0
        for section in self.sections:
            if section.appendix:
                word = "附录" if self.lang == "zh" else "Appendix "
                out.append(f"{word}{chr(ord('A') + appendix)}　{section.title}")
                appendix += 1
            else:
                body += 1
                out.append(f"{self.section_number(body)}{section.title}")
        return out

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
