"""The demo's student-data step: a generated district roster (children aged 6 to 17, so most are
minors under 14) is classified (``data scan``), masked with the default policy (``data mask``),
marked for two recipients (``data watermark embed``), and a leaked 10% of one recipient's copy,
shuffled, stripped of a column and converted to XLSX, is traced back (``data watermark detect``).

Everything goes through the same library calls as the commands; the files land in the demo's
output folder and the release ledger in the demo workspace.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pyarrow as pa

from secops.data.identifiers import age_on, id_check_char
from secops.data.watermark.roster import HEADER, roster_rows

DEMO_ROWS = 20_000
RECIPIENTS = ("区教育局", "校外培训合作方")
DISTRICT_CODE = "4111000001"  # the district office's own workspace in the demo
LEAKER = RECIPIENTS[1]
LEAK_SHARE = 0.1
DROPPED_IN_LEAK = "体重kg"  # the leaker drops a column: a carrier among several
_REGIONS = ("410102", "410105", "410122", "410181", "320684", "110105", "440305", "330106")
_GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二", "高三")
_AGE_DAYS = 4370  # birth dates 6 to 17.97 years back (6 years are at most 2192 days)
_OPERATORS = {"mask": "屏蔽", "generalize": "泛化", "suppress": "删除", "pseudonym": "假名化", "ff1": "FF1 加密"}


@dataclass
class DataDemo:
    roster: Path
    masked: Path
    marked: list[Path]
    leaked: Path
    scan: dict[str, Any]
    mask: dict[str, Any]
    trace: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    sealed: Path | None = None  # the roster encrypted for the district office (SM2 + SM4)
    opened: Path | None = None  # ... and decrypted there

    @property
    def files(self) -> list[Path]:
        extra = [path for path in (self.sealed, self.opened) if path is not None]
        return [self.roster, self.masked, *self.marked, self.leaked, *extra]


def student_row(index: int, base: list[str], today: date, rng: random.Random) -> list[str]:
    """A roster row re-dated to ``today``: a unique, valid ID per index (below 17 million) whose
    birth date spreads the students over 12 years, with the matching 学籍号, sex and grade."""
    block, within = divmod(index // len(_REGIONS), _AGE_DAYS)
    born = today - timedelta(days=2195 + within * 7919 % _AGE_DAYS)  # 7919 is prime to 4370: no two alike
    sequence = (block % 500) * 2 + rng.randrange(2)  # its parity is the sex
    first17 = f"{_REGIONS[index % len(_REGIONS)]}{born:%Y%m%d}{sequence:03d}"
    number = first17 + id_check_char(first17)
    grade = _GRADES[min(max(age_on(born, today) - 6, 0), len(_GRADES) - 1)]
    row = list(base)
    row[0], row[2], row[3], row[4] = "G" + number, "男" if sequence % 2 else "女", number, born.isoformat()
    row[5] = f"{grade}{rng.randrange(1, 11)}班"
    return row


def demo_rows(rows: int, today: date, *, seed: int = 8) -> Iterator[list[str]]:
    rng = random.Random(seed)  # noqa: S311 - made-up students, reproducible; no secret here
    for index, base in enumerate(roster_rows(rows, seed=seed)):
        yield student_row(index, base, today, rng)


def write_roster(path: Path, rows: int, today: date) -> None:
    """A school export: GB18030 CSV, as Excel on a Chinese Windows saves it."""
    from secops.data.table_base import batch_of
    from secops.data.writers import open_writer

    with open_writer(path, list(HEADER), encoding="gb18030") as writer:
        chunk: list[list[str]] = []
        for row in demo_rows(rows, today):
            chunk.append(row)
            if len(chunk) == 5000:
                writer.write(batch_of(chunk, list(HEADER)))
                chunk = []
        if chunk:
            writer.write(batch_of(chunk, list(HEADER)))


def leak(source: Path, target: Path, *, share: float, seed: int = 14) -> int:
    """What a careless recipient passes on: a random share of the rows in random order, one
    column dropped, saved as XLSX."""
    from secops.data.tables import open_table
    from secops.data.writers import open_writer

    table = open_table(source)
    whole = pa.Table.from_batches(list(table.batches)).drop_columns([DROPPED_IN_LEAK])
    picked = random.Random(seed).sample(range(whole.num_rows), int(whole.num_rows * share))  # noqa: S311
    subset = whole.take(pa.array(picked))
    with open_writer(target, subset.column_names) as writer:
        for batch in subset.to_batches():
            writer.write(batch)
    return cast("int", subset.num_rows)


def scan_lines(value: dict[str, Any]) -> list[str]:
    """The classification summary: table level, minors, k-anonymity, then columns by category."""
    k = value["k_anonymity"]
    quasi = "、".join(value["quasi_identifiers"])
    lines = [
        f"分类分级: {value['rows']:,} 行 · 表级别 {value['level_name']}（就高从严）"
        f" · 14 岁以下未成年人 {value['minors_under_14']:,} 人"
        + (f" · k-匿名 k={k}（准标识符 {quasi}）" if k is not None else "")
    ]
    by_level: dict[int, dict[str, list[str]]] = {}
    for column in value["columns"]:
        if column["category"]:
            names = by_level.setdefault(column["level"], {}).setdefault(column["category"], [])
            names.append(column["column"] + ("*" if column["sensitive"] else ""))
    for level in sorted(by_level, reverse=True):
        groups = "；".join(f"{category} {'、'.join(names)}" for category, names in by_level[level].items())
        lines.append(f"  {level} 级: {groups}")
    sensitive = sum(1 for c in value["columns"] if c["sensitive"])
    lines[-1] += f"（* 敏感个人信息，共 {sensitive} 列）"
    return lines


def mask_lines(value: dict[str, Any], output: Path, k_after: int | None) -> list[str]:
    by_operator: dict[str, list[str]] = {}
    for column in value["columns"]:
        if column["operator"] != "keep":
            by_operator.setdefault(_OPERATORS.get(column["operator"], column["operator"]), []).append(column["column"])
    done = "；".join(f"{name} {'、'.join(columns)}" for name, columns in by_operator.items())
    after = f"脱敏后 k-匿名 k={k_after}" if k_after is not None else "脱敏后无准标识符"
    return [f"脱敏（默认策略）: {value['rows']:,} 行 -> {output.name}；{after}", f"  {done}"]


def run_data_step(
    output_dir: Path, workspace_dir: Path, *, now: datetime, rows: int = DEMO_ROWS, progress: Callable[[str], None]
) -> DataDemo:
    """Generate, scan, mask, watermark and trace; ``workspace_dir`` holds the ledger and data key."""
    from secops.config import load_workspace
    from secops.data.mask_table import mask_table
    from secops.data.scan import scan_table
    from secops.data.watermark.keys import workspace_key
    from secops.data.watermark.ledger import list_releases
    from secops.data.watermark.release import EmbedOptions, release
    from secops.data.watermark.trace import trace_table
    from secops.workspace import open_workspace_store

    today = now.date()
    output_dir.mkdir(parents=True, exist_ok=True)
    roster = output_dir / "students.csv"
    write_roster(roster, rows, today)
    progress(f"      名册 {roster.name}: {rows:,} 名学生（GB18030 编码 CSV，6-17 岁）")
    scanned = scan_table(roster, today=today).as_dict()
    lines = scan_lines(scanned)
    masked = output_dir / "students-masked.csv"
    mask = mask_table(str(roster), str(masked), today=today).as_dict()
    lines += mask_lines(mask, masked, scan_table(masked, today=today).k_anonymity)
    for line in lines:
        progress(f"      {line}")

    key, _ = workspace_key(workspace_dir, None)
    marked = [output_dir / f"students-marked-{index + 1}.csv" for index in range(len(RECIPIENTS))]
    with open_workspace_store(load_workspace(workspace_dir)) as store:
        for recipient, path in zip(RECIPIENTS, marked, strict=True):
            result = release(store, roster, path, key=key, recipient=recipient, now=now, options=EmbedOptions())
            changed = sum(result.stats.changed.values())
            line = (
                f"水印: 为「{recipient}」生成 {path.name}（发放记录 #{result.release_id}，"
                f"改动 {changed:,} 格，仅末位，载体 {'、'.join(c.column for c in result.scheme.carriers)}）"
            )
            lines.append(line)
            progress(f"      {line}")
        releases = list_releases(store)
    leaked = output_dir / "leaked.xlsx"
    leaked_rows = leak(marked[RECIPIENTS.index(LEAKER)], leaked, share=LEAK_SHARE)
    trace = trace_table(leaked, key=key, releases=releases).as_dict()
    if trace["verdict"] == "named":
        found = (
            f"水印指向「{trace['recipient']}」（{trace['matches']}/{trace['total']} 个指纹位相符，"
            f"误判概率上界 {trace['candidates'][0]['bound_text']}）"
        )
    else:
        found = f"未能认定接收方（{trace['verdict']}）"
    how = f"{leaked_rows:,} 行，{LEAK_SHARE:.0%} 乱序抽取、删去 {DROPPED_IN_LEAK} 列、转为 XLSX"
    line = f"溯源: 泄露副本 {leaked.name}（{how}）: {found}"
    lines.append(line)
    progress(f"      {line}")
    sealed, opened, said = encrypt_for_district(roster, output_dir, workspace_dir, now)
    lines.append(said)
    progress(f"      {said}")
    return DataDemo(roster, masked, marked, leaked, scanned, mask, trace, lines, sealed, opened)


def encrypt_for_district(roster: Path, output_dir: Path, workspace_dir: Path, now: datetime) -> tuple[Path, Path, str]:
    """The district office (a workspace of its own beside the school's) makes an SM2 key pair and
    gives the school its public key; the school encrypts the roster to it (``data encrypt``), and the
    office decrypts it (``data decrypt``): what `secops keys` and `secops data encrypt` do by hand."""
    from secops.config import load_workspace
    from secops.data.seal.envelope import content_key_for, read_header, seal, sm3_file, unseal
    from secops.data.seal.keys import find, import_public, new_key, private_key
    from secops.data.seal.ledger import record_release
    from secops.workspace import init_workspace, open_workspace_store

    office_dir = workspace_dir.parent / "district-office"
    if not (office_dir / "secops.yaml").exists():
        init_workspace(
            office_dir,
            school_code=DISTRICT_CODE,
            school_name=RECIPIENTS[0],
            scope=["127.0.0.1/32"],
            database=None,
            now=now,
        )
    office = load_workspace(office_dir)
    with open_workspace_store(office) as store:  # a second run in the same place reuses the keys
        office_key = find(store, RECIPIENTS[0]) or new_key(store, office_dir, RECIPIENTS[0], now)
    sealed, opened = output_dir / f"{roster.name}.seal", output_dir / f"{roster.stem}-district.csv"
    with open_workspace_store(load_workspace(workspace_dir)) as store:
        recipient = find(store, office_key.name) or import_public(store, office_key.name, office_key.public, now)
        with roster.open("rb") as source, sealed.open("wb") as sink:
            size = seal(source, sink, [recipient])
        release_id = record_release(store, [recipient], roster.name, sealed.name, size, sm3_file(sealed), now, False)
    with sealed.open("rb") as source, opened.open("wb") as sink:
        header = read_header(source, str(sealed))
        holder = private_key(office_dir, office_key)
        unseal(source, sink, header, content_key_for(header, [(office_key, holder)], None))
    same = "与原件一致" if opened.read_bytes() == roster.read_bytes() else "与原件不一致"
    said = (
        f"加密: 名册以 SM4 加密、内容密钥以「{RECIPIENTS[0]}」的 SM2 公钥封装 → {sealed.name}（发放记录 #{release_id}，"
        f"{size:,} 字节）；该局以自己的私钥解密为 {opened.name}，{same}"
    )
    return sealed, opened, said
