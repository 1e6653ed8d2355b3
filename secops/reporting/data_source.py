"""The 数据分类分级 report (data source ``data``): the compliance officer's classification and
grading of student data tables, from ``secops data scan`` over the files and SQL URLs given.

Per table: rows, the highest level, 重要/核心数据 candidates, minors, k-anonymity; per column:
category, level, sensitive flag, identifier kind, exact hit counts, confidence and masked
examples; the category table used; what to do. Never a raw value: only the scan's masked
examples reach the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from secops.errors import SecopsError
from secops.render.model import Cell, Chart, Paragraph, Report, Table
from secops.reporting.build import ReportContext

TABLES_PARAM = "tables"  # a JSON list of paths and URLs
CATEGORIES_PARAM = "categories"  # a category table file (optional)
CONFIDENCE = {"high": "高", "medium": "中", "low": "低", "none": "—"}
KIND_ORDER = ("核心数据", "重要数据")


def table_params(sources: list[str], categories: Path | None) -> dict[str, str]:
    """The report parameters that carry the tables to scan (and the category table)."""
    params = {TABLES_PARAM: json.dumps(sources, ensure_ascii=False)}
    if categories is not None:
        params[CATEGORIES_PARAM] = str(categories)
    return params


def _sources(ctx: ReportContext) -> list[str]:
    sources = json.loads(ctx.params.get(TABLES_PARAM) or "[]")
    if not sources:
        raise SecopsError(
            f"report {ctx.definition.id!r} needs the tables to classify",
            hint=f"e.g. secops report build {ctx.definition.id} roster.csv sqlite:///school.db#students -o out.pdf",
        )
    return [str(s) for s in sources]


def _k_text(k: dict[str, Any]) -> str:
    if not k["quasi_identifiers"]:
        return "无准标识符"
    if k["k"] is not None:
        return str(k["k"])
    return f"≤ {k['k_at_most']}（组合过多）" if k["exceeded_limit"] else "—"


def build(ctx: ReportContext) -> Report:
    from secops.data.categories import load_categories
    from secops.data.scan import scan_table

    sources = _sources(ctx)
    given = ctx.params.get(CATEGORIES_PARAM)
    table_def = load_categories(Path(given) if given else None)
    today = ctx.now.date()
    scans = [scan_table(source, today=today, categories=table_def).as_dict() for source in sources]
    report: Report = ctx.new_report()
    config = ctx.workspace.config
    report.metadata = [
        ("学校名称", config.school.name),
        ("学校标识码", config.school.code),
        ("数据表", f"{len(scans)} 个"),
        ("分类分级表", f"{table_def.title}（{table_def.id}）"),
        ("年龄计算基准日", today.isoformat()),
    ]
    _overview(report, scans, table_def.minor_age)
    for scan in scans:
        _table_section(report, scan)
    _kanon_section(report, scans, table_def.k_target)
    _advice_section(report, scans, table_def.k_target, table_def.minor_age)
    _category_section(report, table_def)
    return report


def _overview(report: Report, scans: list[dict[str, Any]], minor_age: int) -> None:
    section = report.section("总体结论")
    highest = max((s["level"] for s in scans), default=0)
    candidates = [s for s in scans if s["candidates"]]
    minors = sum(s["minors_under_14"] for s in scans)
    section.add(
        Paragraph(
            f"本次共对 {len(scans)} 个数据表、{sum(s['rows'] for s in scans):,} 行数据进行了分类分级。"
            f"按“就高从严”原则，最高为{_level_name(highest)}；"
            f"{sum(1 for s in scans for c in s['columns'] if c['sensitive'])} 列含敏感个人信息。"
            "命中数为逐行精确统计；示例均已脱敏，报告不含任何原始值。"
        )
    )
    for scan in candidates:
        grades = "、".join(c["grade"] for c in scan["candidates"])
        section.add(
            Paragraph(f"{scan['path']}：达到{grades}识别阈值，列为候选，需数据处理者复核并按规定报送。", "warning")
        )
    if minors:
        section.add(
            Paragraph(
                f"发现 {minors:,} 名不满 {minor_age} 周岁的未成年人（由身份证号出生日期推算）："
                "其全部个人信息按敏感个人信息处理（《个人信息保护法》第二十八条），处理须取得监护人同意（第三十一条）。",
                "warning",
            )
        )
    rows: list[list[Cell]] = []
    for scan in scans:
        rows.append(
            [
                scan["path"],
                scan["format"],
                scan["rows"],
                scan["level_name"],
                "、".join(f"{c['grade']}候选" for c in scan["candidates"]) or "否",
                scan["individuals"],
                scan["sensitive_individuals"],
                scan["minors_under_14"],
                _k_text(scan["k_anonymity_detail"]),
                sum(1 for c in scan["columns"] if c["sensitive"]),
            ]
        )
    columns = ["数据表", "格式", "行数", "最高级别", "重要/核心数据候选", "涉及个人(人)", "含敏感信息(人)"]
    columns += [f"不满{minor_age}周岁(人)", "k-匿名", "敏感列数"]
    section.add(Table("数据表分级汇总", columns, rows))
    levels = [0, 0, 0, 0]
    for scan in scans:
        for column in scan["columns"]:
            if column["level"]:
                levels[column["level"] - 1] += 1
    section.add(
        Chart("各级别数据列数", "bar", [_level_name(n) for n in range(1, 5)], {"列数": [float(n) for n in levels]})
    )


def _level_name(level: int) -> str:
    return f"一般数据 {level} 级" if level else "无个人信息"


def _table_section(report: Report, scan: dict[str, Any]) -> None:
    section = report.section(f"数据表：{scan['path']}")
    encoding = f"，编码 {scan['encoding']}" if scan["encoding"] else ""
    ragged = f"；{scan['ragged_rows']:,} 行列数不齐（已补齐或截断后统计）" if scan["ragged_rows"] else ""
    section.add(
        Paragraph(
            f"格式 {scan['format']}{encoding}，{scan['rows']:,} 行，{len(scan['columns'])} 列；"
            f"分级结果：{scan['grade']}{ragged}。"
        )
    )
    rows: list[list[Cell]] = []
    for column in scan["columns"]:
        share = f"{column['share'] * 100:.1f}%" if column["share"] is not None and column["kind"] else ""
        rows.append(
            [
                column["column"],
                column["category"] or "未识别",
                column["level_name"] if column["level"] else "—",
                "是" if column["sensitive"] else "否",
                column["label"] or "",
                column["hits"] if column["kind"] else "",
                column["present"],
                share,
                CONFIDENCE.get(column["confidence"], column["confidence"]),
                " ".join(column["examples"]),
            ]
        )
    columns = ["列名", "类别", "级别", "敏感个人信息", "识别类型", "命中数", "非空值", "命中率", "置信度", "脱敏示例"]
    section.add(Table(f"列分类分级：{Path(scan['path']).name}", columns, rows, sheet_name=_sheet(scan)))
    missed = [c for c in scan["columns"] if not c["recognised"]]
    if missed:  # every column is accounted for: why these have no category (never their values)
        reasons = "；".join(f"{c['column']}（{c['reason']}）" for c in missed)
        section.add(
            Paragraph(
                f"未识别 {len(missed)} 列：{reasons}。未识别的列不计入分级，默认脱敏策略原样保留，"
                "请人工确认其中没有个人信息，必要时在分类分级表中补充表头关键词。",
                "note",
            )
        )


def _sheet(scan: dict[str, Any]) -> str:
    return Path(scan["path"].split("#")[-1]).name[:28] or "数据表"


def _kanon_section(report: Report, scans: list[dict[str, Any]], target: int) -> None:
    section = report.section("k-匿名性分析")
    section.add(
        Paragraph(
            "准标识符（出生日期、性别、班级、学校、区县等）单独不能识别个人，组合后可能重新识别。"
            f"k 为同一组合下最少的行数；k = 1 表示有人可被唯一识别。对外提供前建议 k ≥ {target}。",
            "note",
        )
    )
    rows: list[list[Cell]] = []
    for scan in scans:
        k = scan["k_anonymity_detail"]
        share = f"{k['unique_share'] * 100:.1f}%" if k["unique_share"] is not None else "—"
        rows.append([scan["path"], "、".join(k["quasi_identifiers"]) or "—", _k_text(k), k["groups"] or "—", share])
        if k["exceeded_limit"]:
            section.add(
                Paragraph(
                    f"{scan['path']}：准标识符组合超过 {k['groups']:,} 种，为控制内存未精确计算 k，"
                    f"可以确定 k ≤ {k['k_at_most']}。",
                    "warning",
                )
            )
    section.add(Table("k-匿名性", ["数据表", "准标识符", "k", "组合数", "唯一可识别行占比"], rows))


def _advice_section(report: Report, scans: list[dict[str, Any]], target: int, minor_age: int) -> None:
    section = report.section("处置建议")
    highest = max((s["level"] for s in scans), default=0)
    advice = [
        "对外提供或共享前先脱敏：secops data mask 输入 -o 输出（默认策略屏蔽全部识别出的个人信息列，"
        "删除敏感类别）；需要关联分析时使用带密钥的假名化（HMAC-SHA256 或 SM3），不要使用裸哈希。",
        "按级别控制访问：4 级数据仅限最小范围的授权人员，访问留痕并定期审计；3 级数据按岗位授权；"
        "含敏感个人信息的表加密存储和传输。",
        "向外部提供时为每个接收方嵌入数据水印（secops data watermark embed），泄露后可追溯。",
    ]
    if any(s["minors_under_14"] for s in scans):
        advice.append(
            f"表中有不满 {minor_age} 周岁的未成年人：制定专门的个人信息处理规则，取得监护人同意，禁止公开其成绩和排名。"
        )
    if any(s["k_anonymity_detail"]["k"] is not None and s["k_anonymity_detail"]["k"] < target for s in scans):
        advice.append(f"k-匿名低于 {target} 的表在发布前泛化准标识符（出生日期到年或年月、班级到年级、地址到区县）。")
    if any(s["candidates"] for s in scans):
        advice.append("重要数据候选：报主管部门确认后纳入重要数据目录，明确数据安全负责人，按规定开展风险评估。")
    to_encrypt = _columns_to_encrypt(scans)
    if to_encrypt:
        advice.append(
            f"{len(to_encrypt)} 列为 3 级及以上数据（见下表），应使用国密算法加密存储和传输："
            "整表交给需要原值的接收方时，先导入对方公钥（secops keys import-public 接收方 公钥.pem），"
            "再 secops data encrypt 表 -o 表.seal --recipient 接收方"
            "（SM2 封装、SM4-GCM 加密、SM3 校验，发放记入台账）；"
            "表留在本校系统中且仍要按证件号关联时，secops data mask 表 -o 加密表 --policy encrypt --key-file 密钥文件"
            "（身份证号、学籍号、手机号、银行卡号保留格式加密 FF1-SM4，其余为 SM4 令牌），"
            "持钥人用 secops data unmask 还原。"
        )
    if highest >= 3:
        advice.append("3 级及以上数据的系统宜按等保第三级要求建设与测评（secops dengbao）。")
    for number, text in enumerate(advice, 1):
        section.add(Paragraph(f"{number}. {text}"))
    if to_encrypt:
        section.add(Table("应加密的列（3 级及以上）", ["数据表", "列名", "类别", "级别", "建议方式"], to_encrypt))


PRESERVE_KINDS = frozenset({"id_card", "xueji", "mobile", "bank_card"})  # what the encrypt policy keeps in shape


def _columns_to_encrypt(scans: list[dict[str, Any]]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for scan in scans:
        for column in scan["columns"]:
            if (column["level"] or 0) < 3:
                continue
            way = "保留格式加密（FF1-SM4）" if column["kind"] in PRESERVE_KINDS else "SM4 令牌加密"
            name = Path(scan["path"]).name
            rows.append([name, column["column"], column["category"] or "", column["level_name"], way])
    return rows


def _category_section(report: Report, table_def: Any) -> None:
    section = report.section("分类分级依据")
    section.add(Paragraph(f"{table_def.title}：{table_def.description}", "note"))
    if table_def.reference:
        section.add(Paragraph(f"参考：{table_def.reference}", "note"))
    section.add(Table("级别定义", ["级别", "含义"], [[n, text] for n, text in sorted(table_def.levels.items())]))
    rows: list[list[Cell]] = [
        [
            c.name,
            c.level,
            "是" if c.sensitive else "否",
            "、".join(f"{kind}({level})" for kind, level in c.kinds.items()),
            "、".join(c.headers),
            c.pipl,
        ]
        for c in table_def.categories
    ]
    section.add(Table("数据类别", ["类别", "级别", "敏感个人信息", "识别类型(级别)", "表头关键词", "说明"], rows))
    thresholds: list[list[Cell]] = [
        [
            rule.grade,
            rule.individuals or "",
            rule.sensitive_individuals or "",
            rule.minors or "",
            rule.min_level,
            rule.note,
        ]
        for rule in sorted(table_def.candidates, key=lambda r: KIND_ORDER.index(r.grade))
    ]
    section.add(
        Table(
            "重要/核心数据候选阈值（任一达到即为候选）",
            ["候选", "个人信息(人)", "敏感个人信息(人)", "未成年人(人)", "最低级别", "说明"],
            thresholds,
        )
    )
