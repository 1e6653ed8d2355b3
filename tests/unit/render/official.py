"""A hand-built report with everything official documents carry: cover, 声明, sign-off, a wide
appendix, and charts that do and do not carry information."""

from __future__ import annotations

from datetime import UTC, datetime

from secops.render import Chart, Paragraph, Report, Section, Table
from secops.render.labels import labels_for
from secops.render.model import FrontMatter, Layout

APPENDIX_COLUMNS = ["编号", "安全类", "控制点", "条款", "要求概述", "结果", "来源", "风险", "高风险案例", "证据/说明"]


def appendix_rows(count: int = 40) -> list[list[str | int | float | None]]:
    return [
        [
            f"L3-PES1-{n:02d}",
            "安全物理环境",
            "物理访问控制",
            "8.1.1.2 a)",
            "机房出入口应配置电子门禁系统，控制、鉴别和记录进入的人员。" * (1 + n % 2),
            "部分符合" if n % 3 else "未测评",
            "自动检查+问卷",
            "中",
            "",
            "问卷：门禁记录保存 30 天；10.20.0.5：redis/6379",
        ]
        for n in range(1, count + 1)
    ]


def official_report(layout: Layout = "report", *, front: bool = True) -> Report:
    report = Report(
        id="official",
        title="网络安全等级保护差距分析报告",
        subtitle="样例",
        generated_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        metadata=[("学校名称", "测试实验中学")],
        labels=labels_for("zh"),
        layout=layout,
        signatures=("编制", "审核", "批准"),
    )
    if front:
        report.front = FrontMatter(
            number="DJBH-CJFX-4111010001-202612071800",
            fields=[("被测单位", "测试实验中学"), ("委托单位", "测试实验中学（自评估）")],
            issuer="测试实验中学",
            date="2026年12月07日",
            classification="内部",
            statement=["本报告是差距分析（自评估）的结果，不能代替等级测评。"],
        )
    report.sections.append(
        Section(
            "测评结论",
            [
                Paragraph("综合得分 62.5，结论：不符合。"),
                Chart("各安全类评估结果", "bar", ["安全物理环境"], {"符合": [3.0]}),  # one bar
                Chart("结果占比", "pie", ["符合", "不符合"], {"项数": [12.0, 0.0]}),  # one 100% slice
                Chart("各类数量", "bar", ["甲", "乙"], {"项数": [2.0, 5.0]}),  # informative
            ],
        )
    )
    report.sections.append(
        Section("全部要求项", [Table("全部要求项", APPENDIX_COLUMNS, appendix_rows())], appendix=True)
    )
    return report
