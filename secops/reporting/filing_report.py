"""The 备案表 (report source ``filing``) of one 定级对象 at level 2 or above, with the 数据摸底调查表.

Fields follow the 2025 filing forms: 单位信息, 定级对象信息, 定级等级, 测评情况, 建设整改情况 and,
for level 3 and above, the list of materials to hand in. secops fills what the workspace records
(the school, the system, its grading, tagged assets and latest assessment); every other field is
printed as 待填写. Scan results are not stored per system, so the 数据摸底调查表 is prefilled by
scanning the tables given to ``report build filing`` (files or SQL URLs, like ``secops data
scan``) at build time; without tables it is a blank form that says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from secops.dengbao.calendar import Filing, OfficialAssessment, filing_authority, load_filing, load_official
from secops.dengbao.systems import System, get_system, latest_assessment, list_systems
from secops.errors import SecopsError
from secops.render.model import Cell, Paragraph, Report, Section, Table
from secops.reporting.build import ReportContext
from secops.reporting.data_source import CATEGORIES_PARAM, TABLES_PARAM
from secops.reporting.grading_report import (
    ASSET_COLUMNS,
    PENDING,
    asset_rows,
    level_name,
    missing_grading,
    object_type,
    pending,
    regrade_hint,
    system_assets,
)

FIELD_COLUMNS = ["栏目", "填写内容"]
MATERIALS = (
    "网络拓扑结构及说明",
    "网络安全组织机构及管理制度",
    "网络安全保护设施设计实施方案或改建实施方案",
    "网络安全产品清单及其认证、销售许可证明",
    "测评后符合要求的等级测评报告",
    "专家评审情况",
    "上级主管部门审批意见",
)
SURVEY_COLUMNS = [
    "序号",
    "数据类别",
    "数据级别",
    "敏感个人信息",
    "记录条数",
    "所在数据表及字段",
    "数据来源",
    "存储位置",
    "共享/对外提供",
    "是否出境",
]


def check_filing_level(system: System) -> None:
    """备案 is required (and accepted) from level 2: refuse a level-1 system with the reason."""
    if system.level < 2:
        raise SecopsError(
            f"system {system.name!r} is at level {system.level}: 备案 is required only from level 2 (第二级及以上)",
            hint="第一级由运营使用单位自主保护，无需备案；if the level is wrong, re-grade it: "
            f"secops dengbao system add {system.name} --answers FILE --replace",
        )


def build(ctx: ReportContext) -> Report:
    system = get_system(ctx.store, ctx.params.get("system", ""))
    check_filing_level(system)
    config = ctx.workspace.config
    report: Report = ctx.new_report()
    report.layout = "gbt9704"  # a form: no cover, the GB/T 9704 page and 仿宋 body
    report.metadata = [
        ("备案单位", f"{config.school.name}（盖章）"),
        ("定级对象", system.name),
        ("安全保护等级", level_name(system.level)),
        ("备案表编号", pending("由受理公安机关填写")),
        ("备案日期", pending()),
        ("受理备案单位", pending(filing_authority(system.level))),
    ]
    notes = report.section("填表说明")
    notes.add(
        Paragraph(
            "本表由 secops 依据工作区登记的信息预填，栏目按 2025 年版备案表整理，以受理公安机关下发的正式表样为准。"
            f"标为“{PENDING}”的栏目 secops 未掌握，须由单位核实填写；预填内容也须逐项核对。",
            "note",
        )
    )
    missing = missing_grading(system)
    if missing:
        notes.add(
            Paragraph(
                "该定级对象没有定级答卷，表三中的"
                + "、".join(missing)
                + f"为{PENDING}。补录：{regrade_hint(system)}。",
                "warning",
            )
        )
    _organisation(ctx, report)
    _system_info(ctx, report, system)
    _grading(report, system, load_filing(ctx.store, system))
    _assessment(ctx, report, system, load_official(ctx.store, system))
    if system.level >= 3:
        _materials(report)
    _data_survey(ctx, report)
    return report


def _organisation(ctx: ReportContext, report: Report) -> None:
    config = ctx.workspace.config
    counts: dict[int, int] = {}
    for system in list_systems(ctx.store):
        counts[system.level] = counts.get(system.level, 0) + 1
    systems = "，".join(f"{level_name(level)} {n} 个" for level, n in sorted(counts.items()))
    rows: list[list[Cell]] = [
        ["单位名称", config.school.name],
        ["学校标识码", config.school.code],
        ["统一社会信用代码", pending()],
        ["单位地址及邮政编码", pending()],
        ["行政区划", pending()],
        ["单位负责人（姓名、职务、办公电话、电子邮件）", pending()],
        ["网络安全责任部门", pending()],
        ["责任部门联系人（姓名、职务、办公电话、移动电话、电子邮件）", pending()],
        ["隶属关系", pending()],
        ["单位类型", pending("党委机关 / 政府机关 / 事业单位 / 企业 / 其他")],
        ["行业类别", "教育"],
        ["本单位定级对象（secops 登记）", f"共 {sum(counts.values())} 个：{systems}"],
    ]
    report.section("单位信息").add(Table("表一 单位信息", FIELD_COLUMNS, rows, sheet_name="表一 单位信息"))


def _system_info(ctx: ReportContext, report: Report, system: System) -> None:
    assets = system_assets(ctx, system)
    if assets:
        boundary = f"资产标签“{system.asset_tag}”，在用资产 {len(assets)} 台（见下表）"
    elif system.asset_tag:
        boundary = pending(f"资产清单中没有标签为“{system.asset_tag}”的在用资产")
    else:
        boundary = pending("未登记资产标签")
    rows: list[list[Cell]] = [
        ["定级对象名称", system.name],
        ["定级对象编号", pending()],
        ["对象类型", object_type(system)],
        ["承载业务情况（业务类型、业务描述）", system.description or pending()],
        ["服务对象及服务范围", pending()],
        ["网络性质、覆盖范围及互联情况", pending()],
        ["构成与边界（资产）", boundary],
        ["关键产品使用情况", pending()],
        ["采用服务情况（云服务、运维、灾备等）", pending()],
        ["上线运行时间", pending()],
        ["是否为关键信息基础设施", pending("□ 是  □ 否")],
        ["secops 登记时间", system.created_at.strftime("%Y-%m-%d")],
    ]
    section = report.section("定级对象信息")
    section.add(Table("表二 定级对象信息", FIELD_COLUMNS, rows, sheet_name="表二 定级对象信息"))
    if assets:
        section.add(Table("定级对象资产清单", ASSET_COLUMNS, asset_rows(assets), sheet_name="资产清单"))


def _grading(report: Report, system: System, filing: Filing | None) -> None:
    grading = system.grading
    rows: list[list[Cell]] = []
    for key, title in (("business", "业务信息安全"), ("service", "系统服务安全")):
        dim = grading.get(key) if grading else None
        if dim:
            rows.append(
                [f"{title}保护等级", f"{level_name(dim['level'])}（{dim['object_name']}，{dim['degree_name']}）"]
            )
        else:
            rows.append([f"{title}保护等级", pending("无定级答卷")])
    recorded = "" if grading else "（手工登记，无定级答卷）"
    rows += [
        ["安全保护等级", level_name(system.level) + recorded],
        ["定级时间", system.updated_at.strftime("%Y-%m-%d") if grading else pending()],
        ["专家评审情况", pending("□ 已评审  □ 未评审")],
        ["是否有主管部门", pending("□ 有  □ 无")],
        ["主管部门名称", pending()],
        ["主管部门审批定级情况", pending("□ 已审批  □ 未审批")],
        ["定级报告", "随表提交（secops report build grading --system " + system.name + "）"],
        ["原备案情况", _filed(system, filing)],
        ["填表人 / 填表日期", pending()],
    ]
    report.section("定级等级").add(Table("表三 定级等级", FIELD_COLUMNS, rows, sheet_name="表三 定级等级"))


def _filed(system: System, filing: Filing | None) -> str:
    if filing is None:
        return pending(f"secops 无备案记录；已备案的用 secops dengbao system filed {system.name} --date 登记")
    number = filing.certificate_no or pending()
    return f"{filing.filed_on.isoformat()} 备案，备案证明编号 {number}（本表用于重新备案时核对）"


def _official(section: Section, system: System, official: list[OfficialAssessment]) -> None:
    """The 测评机构's 等级测评 recorded with `secops dengbao system assessed`, newest first."""
    if not official:
        hint = f"secops 无等级测评记录；用 secops dengbao system assessed {system.name} --date --org --conclusion 登记"
        section.add(Table("等级测评", FIELD_COLUMNS, [["测评机构等级测评", pending(hint)]], sheet_name="等级测评"))
        return
    rows: list[list[Cell]] = [
        [a.assessed_on.isoformat(), a.org, a.conclusion, a.report_no or pending()] for a in reversed(official)
    ]
    columns = ["测评时间", "测评机构", "测评结论", "测评报告编号"]
    section.add(Table("等级测评", columns, rows, sheet_name="等级测评"))


def _assessment(ctx: ReportContext, report: Report, system: System, official: list[OfficialAssessment]) -> None:
    result = latest_assessment(ctx.store, system)
    section = report.section("测评情况与建设整改情况")
    _official(section, system, official)
    if result is None:
        section.add(
            Table(
                "测评情况",
                FIELD_COLUMNS,
                [["secops 自查评估", pending("secops 中没有该系统的评估记录")]],
            )
        )
        section.add(Table("建设整改情况", FIELD_COLUMNS, [["整改情况", pending("尚无评估结果")]]))
        return
    counts = result.counts
    open_risks = result.unmitigated
    rows: list[list[Cell]] = [
        ["最近一次评估时间", result.assessed_at.isoformat()[:10]],
        ["评估依据等级", level_name(result.level)],
        ["评估结论（2025 模板口径）", result.conclusion],
        ["符合率", f"{result.rate * 100:.1f}%"],
        ["评估性质", "secops 自查评估（非测评机构出具的等级测评报告）"],
    ]
    section.add(Table("测评情况", FIELD_COLUMNS, rows, sheet_name="测评情况"))
    fixes: list[list[Cell]] = [
        ["不符合项", f"{counts['不符合']} 项"],
        ["部分符合项", f"{counts['部分符合']} 项"],
        ["未测评项", f"{counts['未测评']} 项"],
        ["未缓解的高风险问题", "；".join(f"{p.case} {p.title}" for p in open_risks) or "无"],
        ["整改完成情况及计划完成时间", pending()],
    ]
    section.add(Table("建设整改情况", FIELD_COLUMNS, fixes, sheet_name="建设整改情况"))
    if result.provisional:
        section.add(Paragraph("评估中仍有未测评项，上述结论为预评估结论。", "warning"))


def _materials(report: Report) -> None:
    rows: list[list[Cell]] = [[n, name, pending("□ 已提交  □ 未提交")] for n, name in enumerate(MATERIALS, 1)]
    section = report.section("第三级以上定级对象提交材料")
    section.add(Table("表四 提交材料", ["序号", "材料", "提交情况"], rows, sheet_name="表四 提交材料"))


def _scans(ctx: ReportContext) -> list[dict[str, Any]]:
    sources = [str(s) for s in json.loads(ctx.params.get(TABLES_PARAM) or "[]")]
    if not sources:
        return []
    from secops.data.categories import load_categories
    from secops.data.scan import scan_table

    given = ctx.params.get(CATEGORIES_PARAM)
    table_def = load_categories(Path(given) if given else None)
    return [scan_table(s, today=ctx.now.date(), categories=table_def).as_dict() for s in sources]


def survey_rows(scans: list[dict[str, Any]]) -> list[list[Cell]]:
    """One row per data category over all tables: highest level, sensitive flag, records, where."""
    by_category: dict[str, dict[str, Any]] = {}
    for scan in scans:
        name = Path(scan["path"].split("#")[-1]).name
        per_table: dict[str, int] = {}
        for column in scan["columns"]:
            category = column["category"]
            if not category:
                continue
            entry = by_category.setdefault(category, {"level": 0, "sensitive": False, "records": 0, "where": []})
            entry["level"] = max(entry["level"], column["level"])
            entry["sensitive"] = entry["sensitive"] or column["sensitive"]
            entry["where"].append(f"{name}:{column['column']}")
            # records holding the category: the fullest column of it in this table (not a sum of columns)
            count = column["hits"] if column["kind"] else column["present"]
            per_table[category] = max(per_table.get(category, 0), count)
        for category, count in per_table.items():
            by_category[category]["records"] += count
    rows: list[list[Cell]] = []
    ordered = sorted(by_category.items(), key=lambda kv: (-kv[1]["level"], kv[0]))
    for number, (category, entry) in enumerate(ordered, 1):
        rows.append(
            [
                number,
                category,
                f"一般数据 {entry['level']} 级" if entry["level"] else "—",
                "是" if entry["sensitive"] else "否",
                entry["records"],
                "、".join(entry["where"]),
                pending(),
                pending(),
                pending(),
                pending("□ 是  □ 否"),
            ]
        )
    return rows


def _data_survey(ctx: ReportContext, report: Report) -> None:
    section = report.section("数据摸底调查表")
    scans = _scans(ctx)
    if not scans:
        section.add(
            Paragraph(
                "未提供数据表，secops 未对本定级对象处理的数据做摸底扫描：下表全部栏目待填写。"
                "预填方法：secops report build filing --system 名称 数据表... -o 文件"
                "（文件或 SQL 地址，同 secops data scan）。",
                "warning",
            )
        )
        blank: list[Cell] = [1, *([pending()] * (len(SURVEY_COLUMNS) - 1))]
        section.add(Table("数据摸底调查表", SURVEY_COLUMNS, [blank], sheet_name="数据摸底调查表"))
        return
    rows = survey_rows(scans)
    section.add(
        Paragraph(
            f"以下按 secops data scan 对 {len(scans)} 个数据表的扫描结果预填"
            f"（{ctx.now.date().isoformat()} 扫描，逐行精确计数）；"
            "记录条数为含该类数据的非空记录数。数据来源、存储位置、共享与出境情况须由单位填写。",
            "note",
        )
    )
    section.add(Table("数据摸底调查表（按数据类别）", SURVEY_COLUMNS, rows, sheet_name="数据摸底调查表"))
    tables: list[list[Cell]] = [
        [
            scan["path"],
            scan["rows"],
            scan["level_name"],
            "、".join(f"{c['grade']}候选" for c in scan["candidates"]) or "否",
            scan["individuals"],
            scan["sensitive_individuals"],
            scan["minors_under_14"],
        ]
        for scan in scans
    ]
    columns = ["数据表", "总行数", "最高级别", "重要/核心数据候选", "涉及个人(人)", "含敏感信息(人)", "未成年人(人)"]
    section.add(Table("扫描的数据表", columns, tables, sheet_name="扫描的数据表"))
