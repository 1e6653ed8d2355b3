"""The 定级报告 (report source ``grading``) of one 定级对象, per GB/T 22240-2020.

Built only from what the workspace records: the school (责任主体), the system record (level,
description, extensions, asset tag), its tagged assets (构成与边界) and the stored grading
answers (受侵害的客体 × 侵害程度 per dimension, with the engine's reasoning). Whatever is not
recorded is printed as 待填写 with the command that records it; a system registered with a bare
``--level`` and no answers still gets its report, which says exactly which parts are missing
(the officer needs the document to see the gap, and refusing would hide it).
"""

from __future__ import annotations

from typing import Any

from secops.dengbao.grading import DEGREES, DIMENSIONS, LEVEL_NAMES, MATRIX, OBJECTS
from secops.dengbao.systems import System, get_system
from secops.records.inventory import InventoryAsset
from secops.render.model import Cell, FrontMatter, Paragraph, Report, Section, Table
from secops.reporting.build import ReportContext
from secops.reporting.front_matter import CLASSIFICATION, official_date, report_number

PENDING = "待填写"
EXTENSION_NAMES = {
    "cloud": "云计算平台/系统",
    "mobile": "移动互联系统",
    "iot": "物联网",
    "ics": "工业控制系统",
}
SIGN_LINE = "签字：____________________        日期：______年____月____日"


def pending(hint: str = "") -> str:
    """The marker for a fact secops does not hold, with how to supply it."""
    return f"{PENDING}（{hint}）" if hint else PENDING


def level_name(level: int) -> str:
    return LEVEL_NAMES.get(level, f"第{level}级")


def object_type(system: System) -> str:
    kinds = [EXTENSION_NAMES.get(e, e) for e in system.extensions]
    return "、".join(kinds) if kinds else "传统信息系统（未登记扩展要求）"


def system_assets(ctx: ReportContext, system: System) -> list[InventoryAsset]:
    """The running assets tagged with the system's asset tag (its boundary as the inventory sees it)."""
    if not system.asset_tag:
        return []
    from secops.inventory.queries import list_assets

    return list_assets(ctx.store, tag=system.asset_tag, include_gone=False)


def asset_rows(assets: list[InventoryAsset]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for asset in assets:
        ports = "、".join(f"{s.port}/{s.proto} {s.name or ''}".strip() for s in asset.services)
        address = asset.address or asset.key
        rows.append([address, asset.hostname or "", asset.asset_type or "", ports, asset.owner or ""])
    return rows


ASSET_COLUMNS = ["地址", "主机名", "资产类型", "开放服务", "责任人/部门"]


def missing_grading(system: System) -> list[str]:
    """What a report or filing lacks when the system was registered without grading answers."""
    if system.grading:
        return []
    return [
        "业务信息安全：受侵害的客体与侵害程度",
        "系统服务安全：受侵害的客体与侵害程度",
        "由上述两项得出的定级理由",
    ]


def regrade_hint(system: System) -> str:
    return (
        f"secops dengbao grade --preset 预设名 -o answers.yaml，确认后执行 secops dengbao system add "
        f"{system.name} --answers answers.yaml --asset-tag {system.asset_tag or '标签'} --replace"
    )


def build(ctx: ReportContext) -> Report:
    system = get_system(ctx.store, ctx.params.get("system", ""))
    config = ctx.workspace.config
    report: Report = ctx.new_report()
    grading = system.grading
    report.metadata = [
        ("定级对象", system.name),
        ("运营使用单位", config.school.name),
        ("学校标识码", config.school.code),
        ("安全保护等级", level_name(system.level) + ("" if grading else "（手工登记，无定级答卷）")),
        ("定级依据", "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》"),
    ]
    # a 定级报告 is a GB/T 9704 document with a cover (no 声明: it states the unit's own decision)
    report.layout = "gbt9704"
    report.front = FrontMatter(
        number=report_number("DJBG", config.school.code, ctx.now),
        fields=[
            ("定级对象", system.name),
            ("运营使用单位", config.school.name),
            ("安全保护等级", level_name(system.level)),
        ],
        issuer=config.school.name,
        date=official_date(ctx.now),
        classification=CLASSIFICATION,
    )
    missing = missing_grading(system)
    if missing:
        lead = report.section("缺少的定级依据")
        lead.add(
            Paragraph(
                f"“{system.name}”登记时只填写了等级（{level_name(system.level)}），没有定级答卷。"
                "本报告第2–4部分中的以下内容无法生成，已标为“待填写”：" + "；".join(missing) + "。",
                "warning",
            )
        )
        lead.add(Paragraph("补录方法：" + regrade_hint(system) + "，然后重新生成本报告。", "note"))
    _describe(ctx, report, system)
    for key in ("business", "service"):
        _dimension(report, key, grading)
    _level(report, system, grading)
    _review(report)
    return report


def _describe(ctx: ReportContext, report: Report, system: System) -> None:
    config = ctx.workspace.config
    section = report.section("定级对象描述")
    assets = system_assets(ctx, system)
    if assets:
        boundary = f"以资产标签“{system.asset_tag}”登记，资产清单中现有 {len(assets)} 台在用资产（见下表）"
    elif system.asset_tag:
        boundary = pending(f"资产清单中没有标签为“{system.asset_tag}”的在用资产")
    else:
        boundary = pending("未登记资产标签：secops assets tag 地址 --system 标签，再以 --asset-tag 关联")
    rows: list[list[Cell]] = [
        ["责任主体", f"{config.school.name}（学校标识码 {config.school.code}）"],
        ["网络安全责任部门及负责人", pending("部门、姓名、职务、联系电话")],
        ["对象类型", object_type(system)],
        ["构成与边界", boundary],
        ["网络边界与互联情况", pending("所在网络区域、边界设备、与互联网及其他系统的连接")],
        ["承载的业务", system.description or pending("业务名称、功能、服务对象与范围；可用 --description 登记")],
        [
            "处理的数据",
            pending("数据类别、数据量、是否含个人信息/敏感个人信息；可用 secops data scan 摸底后填入备案表附表"),
        ],
    ]
    section.add(Table("定级对象基本情况", ["项目", "内容"], rows))
    if assets:
        section.add(Table("构成：在用资产", ASSET_COLUMNS, asset_rows(assets), sheet_name="资产"))


def _matrix(chosen_object: str | None, chosen_degree: str | None) -> Table:
    """The GB/T 22240 matrix with the chosen cell marked, as officials draw it in the report."""
    rows: list[list[Cell]] = []
    for obj, obj_name in OBJECTS.items():
        row: list[Cell] = [obj_name]
        for degree in DEGREES:
            mark = "■" if (obj, degree) == (chosen_object, chosen_degree) else "□"
            row.append(f"{mark} {level_name(MATRIX[(obj, degree)])}")
        rows.append(row)
    return Table("定级矩阵（■ 为本对象所处位置）", ["受侵害的客体", *DEGREES.values()], rows, sheet_name="定级矩阵")


def _dimension(report: Report, key: str, grading: dict[str, Any] | None) -> None:
    title = DIMENSIONS[key]
    section = report.section(f"{title}保护等级的确定")
    what = "业务信息" if key == "business" else "系统服务"
    section.add(
        Paragraph(
            f"{title}保护等级由{what}遭到破坏时所侵害的客体和对客体的侵害程度确定"
            "（GB/T 22240-2020 第 6 章），对照下列矩阵取值。",
            "note",
        )
    )
    dim = grading.get(key) if grading else None
    if not dim:
        section.add(
            Table(
                f"{title}定级",
                ["项目", "内容"],
                [["受侵害的客体", pending()], ["侵害程度", pending()], [f"{title}保护等级", pending()]],
            )
        )
        section.add(_matrix(None, None))
        return
    section.add(
        Table(
            f"{title}定级",
            ["项目", "内容"],
            [
                ["受侵害的客体", dim["object_name"]],
                ["侵害程度", dim["degree_name"]],
                [f"{title}保护等级", level_name(dim["level"])],
            ],
        )
    )
    section.add(_matrix(dim["object"], dim["degree"]))
    lines = [line for line in grading.get("reasoning", []) if line.startswith(title)] if grading else []
    for line in lines:
        section.add(Paragraph("定级理由：" + line))
    section.add(
        Paragraph(
            f"侵害程度的具体说明（{what}遭到破坏后对客体造成的影响范围和后果）：{PENDING}，由运营使用单位补充。",
            "note",
        )
    )


def _level(report: Report, system: System, grading: dict[str, Any] | None) -> None:
    section = report.section("安全保护等级")
    if not grading:
        section.add(
            Table(
                "安全保护等级",
                ["项目", "内容"],
                [
                    ["业务信息安全保护等级", pending()],
                    ["系统服务安全保护等级", pending()],
                    ["安全保护等级（登记值）", f"{level_name(system.level)}（手工登记，未经两个方面的定级）"],
                ],
            )
        )
        section.add(
            Paragraph("按 GB/T 22240-2020，安全保护等级取两者中的较高者；缺少定级答卷时无法确认登记值。", "warning")
        )
        return
    business, service = grading["business"], grading["service"]
    section.add(
        Table(
            "安全保护等级",
            ["项目", "内容"],
            [
                ["业务信息安全保护等级", level_name(business["level"])],
                ["系统服务安全保护等级", level_name(service["level"])],
                ["安全保护等级（取较高者）", level_name(grading["level"])],
            ],
        )
    )
    dimension_lines = tuple(DIMENSIONS.values())
    for line in grading.get("reasoning", []):
        if not line.startswith(dimension_lines):
            section.add(Paragraph(line, "warning" if line.startswith("注意") else "body"))
    if grading["level"] != system.level:
        section.add(
            Paragraph(
                f"登记等级（{level_name(system.level)}）与定级答卷得出的等级不一致，请核对后重新登记。", "warning"
            )
        )
    for number, step in enumerate(grading.get("consequences", []), 1):
        section.add(Paragraph(f"后续工作 {number}：{step}"))


def _review(report: Report) -> None:
    section = report.section("专家评审意见与主管部门审核意见")
    section.add(Paragraph("第二级及以上定级对象的定级结果须经专家评审，并报行业主管（监管）部门核准。", "note"))
    _opinion(section, "专家评审意见", "专家组组长")
    _opinion(section, "主管部门审核意见", "主管部门（盖章）负责人")
    _opinion(section, "运营使用单位意见", "单位（盖章）负责人")


def _opinion(section: Section, title: str, signer: str) -> None:
    section.add(
        Table(
            title,
            ["项目", "内容"],
            [["意见", pending()], ["结论", "□ 同意定级结果    □ 不同意，建议定为第____级"]],
        )
    )
    section.add(Paragraph(f"{signer}{SIGN_LINE}"))
