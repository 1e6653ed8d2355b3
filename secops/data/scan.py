"""``secops data scan``: per column the identifier found, category, level and the sensitive-PI flag;
per table the highest level (就高从严), minors under 14 found from ID birth dates, and the
k-anonymity of the quasi-identifiers.

Categories and levels follow a documented, configurable education table (JY/T 0661-2025's own
tables were not obtainable): see ``CATEGORIES``. All personal information of a child under 14 is
sensitive (PIPL art. 28), so one minor in a table makes every personal column sensitive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from secops.data import identifiers as ids
from secops.data.masking import mask_bank_card, mask_email, mask_id, mask_name, mask_phone
from secops.data.recognize import BY_KIND, recognize_column
from secops.data.tables import open_table

SAMPLE = 2000
# kind -> (category, level 1-4, sensitive under PIPL art. 28 on its own)
CATEGORIES: dict[str, tuple[str, int, bool]] = {
    "id_card": ("身份与学籍标识", 4, False),
    "xueji": ("身份与学籍标识", 3, False),
    "passport": ("身份与学籍标识", 4, False),
    "travel_permit": ("身份与学籍标识", 4, False),
    "name": ("学籍基本信息", 3, False),
    "birth_date": ("学籍基本信息", 3, False),
    "mobile": ("联系与家庭", 3, False),
    "address": ("联系与家庭", 3, False),
    "email": ("联系与家庭", 2, False),
    "plate": ("联系与家庭", 2, False),
    "ip": ("网络标识", 2, False),
    "bank_card": ("金融账户", 4, True),
    "uscc": ("机构信息", 1, False),
}
# header keywords that name a category no identifier reveals
HEADER_CATEGORIES: tuple[tuple[tuple[str, ...], str, int, bool], ...] = (
    (("心理", "psych"), "心理健康", 4, True),  # before 健康: 心理健康 must not read as 健康生理
    (("健康", "病史", "疾病", "体检", "残疾", "health", "medical"), "健康生理", 4, True),
    (("困难", "资助", "低保", "贫困", "助学金", "subsidy"), "家庭经济困难/资助", 4, True),
    (("宗教", "religion"), "宗教信仰", 4, True),
    (("指纹", "人脸", "虹膜", "biometric", "face"), "生物识别", 4, True),
    (("刷卡", "门禁", "轨迹", "位置", "location"), "行踪轨迹", 4, True),
    (("成绩", "分数", "排名", "score", "grade", "rank"), "学业成绩/排名", 3, False),
    (("奖惩", "处分", "奖励", "discipline"), "奖惩", 3, False),
    (("性别", "sex", "gender"), "学籍基本信息", 2, False),
    (("班级", "class", "年级"), "学籍基本信息", 2, False),
)
QUASI_HEADERS = ("性别", "sex", "gender", "班级", "class", "年级", "学校", "school", "区", "县", "district")
LEVEL_NAMES = {1: "一般数据 1 级", 2: "一般数据 2 级", 3: "一般数据 3 级", 4: "一般数据 4 级"}
MASKERS = {
    "id_card": mask_id,
    "name": mask_name,
    "mobile": mask_phone,
    "bank_card": mask_bank_card,
    "email": mask_email,
}


@dataclass
class ColumnReport:
    name: str
    kind: str | None
    label: str | None
    category: str | None
    level: int
    sensitive: bool
    confidence: str
    hits: int = 0
    rows: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "kind": self.kind,
            "label": self.label,
            "category": self.category,
            "level": self.level,
            "level_name": LEVEL_NAMES.get(self.level, "—") if self.level else "—",
            "sensitive": self.sensitive,
            "confidence": self.confidence,
            "hits": self.hits,
            "rows": self.rows,
            "examples": self.examples,
        }


@dataclass
class TableReport:
    path: str
    format: str
    encoding: str | None
    rows: int
    columns: list[ColumnReport]
    minors: int
    level: int
    k_anonymity: int | None
    quasi_identifiers: list[str]
    ragged_rows: int
    important_candidate: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "level": self.level,
            "level_name": LEVEL_NAMES.get(self.level, "无个人信息"),
            "minors_under_14": self.minors,
            "k_anonymity": self.k_anonymity,
            "quasi_identifiers": self.quasi_identifiers,
            "ragged_rows": self.ragged_rows,
            "important_data_candidate": self.important_candidate,
            "columns": [c.as_dict() for c in self.columns],
        }


def _header_category(header: str) -> tuple[str, int, bool] | None:
    text = header.lower()
    for words, category, level, sensitive in HEADER_CATEGORIES:
        if any(word in text for word in words):
            return category, level, sensitive
    return None


def scan_table(path: Path, *, today: date | None = None) -> TableReport:
    today = today or date.today()
    table = open_table(path)
    width = len(table.header)
    samples: list[list[str]] = [[] for _ in range(width)]
    first_chunks: list[list[list[Any]]] = []
    chunks = iter(table.chunks)
    # Sample the first rows to decide each column's kind, then count over every row.
    for chunk in chunks:
        first_chunks.append(chunk)
        for row in chunk:
            for index in range(width):
                value = row[index]
                if value not in (None, "") and len(samples[index]) < SAMPLE:
                    samples[index].append(str(value))
        if all(len(s) >= SAMPLE for s in samples):
            break
    findings = [recognize_column(table.header[i], samples[i]) for i in range(width)]
    columns: list[ColumnReport] = []
    for finding in findings:
        known = CATEGORIES.get(finding.kind or "")
        by_header = _header_category(finding.column)
        category, level, sensitive = known or by_header or (None, 0, False)
        if known and by_header and by_header[1] > known[1]:
            category, level, sensitive = by_header
        columns.append(
            ColumnReport(finding.column, finding.kind, finding.label, category, level, sensitive, finding.confidence)
        )
    quasi = [
        i
        for i, c in enumerate(columns)
        if c.kind == "birth_date" or any(word in c.name.lower() for word in QUASI_HEADERS)
    ]
    groups: Counter[tuple[str, ...]] = Counter()
    minors = rows = 0
    id_columns = [i for i, c in enumerate(columns) if c.kind in ("id_card", "xueji")]
    checks = {i: BY_KIND[c.kind].check for i, c in enumerate(columns) if c.kind in BY_KIND}

    def consume(chunk: list[list[Any]]) -> None:
        nonlocal minors, rows
        for row in chunk:
            rows += 1
            for index, check in checks.items():
                value = row[index]
                if value not in (None, "") and check(str(value)):
                    column = columns[index]
                    column.hits += 1
                    if len(column.examples) < 3:
                        masker = MASKERS.get(column.kind or "")
                        column.examples.append(masker(str(value)) if masker else "***")
            for index in id_columns:
                value = str(row[index] or "")
                number = value[1:] if value[:1] in ("G", "J") else value
                born = ids.id_birth_date(number) if len(number) == 18 else None
                if born is not None and ids.age_on(born, today) < 14:
                    minors += 1
                    break
            if quasi:
                groups[tuple(str(row[i]) for i in quasi)] += 1

    for chunk in first_chunks:
        consume(chunk)
    for chunk in chunks:
        consume(chunk)
    for column in columns:
        column.rows = rows
        if minors and column.level >= 2 and column.category not in (None, "机构信息", "网络标识"):
            column.sensitive = True  # PIPL art. 28: every personal field of a child under 14
    level = max((c.level for c in columns), default=0)
    return TableReport(
        path=str(path),
        format=table.format,
        encoding=table.encoding,
        rows=rows,
        columns=columns,
        minors=minors,
        level=level,
        k_anonymity=min(groups.values()) if groups else None,
        quasi_identifiers=[columns[i].name for i in quasi],
        ragged_rows=table.ragged_rows,
        # province-wide registries (millions of records) need review as 重要数据 candidates
        important_candidate=rows >= 1_000_000 and level >= 3,
    )
