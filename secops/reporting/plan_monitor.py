"""三、监测与预警 of the 应急预案: what secops watches, the channels warnings go out on, and the
warning levels with what each asks of the school."""

from __future__ import annotations

from secops.render.model import Cell, Paragraph, Report, Table
from secops.reporting.grading_report import PENDING
from secops.reporting.plan_facts import PlanFacts

CHANNEL_NAMES = {
    "dingtalk": "钉钉群机器人",
    "wecom": "企业微信群机器人",
    "smtp": "电子邮件",
    "webhook": "Webhook",
    "log": "本地日志",
}
MONITORING = (
    (
        "资产发现与变更监测",
        "secops assets discover（可由 secops scheduler 定时执行）",
        "发现新增主机、新开放端口和高危服务，生成变更告警",
    ),
    ("等级保护符合性评估", "secops dengbao assess", "按 GB/T 22239-2019 检查定级对象的技术与管理要求，跟踪整改"),
    ("日志威胁检测", "secops detect run（Sigma 规则）", "分析 Web、SSH、Windows 等日志中的攻击、暴力破解和异常行为"),
    ("恶意文件检测", "secops yara scan", "扫描网站目录和服务器，发现网页木马（Webshell）、挖矿程序和勒索信"),
    ("学生数据摸底", "secops data scan", "识别数据表中的个人信息和敏感个人信息，评估泄露影响"),
)
WARNINGS = (
    ("红色", "特别重大", "第一责任人立即组织应急领导小组，全员到岗，按上级统一部署处置，并持续报告。"),
    ("橙色", "重大", "第一责任人组织处置，1 小时内完成先期处置并报告区县教育局，必要时请求技术支援。"),
    ("黄色", "较大", "分管领导组织处置，加强监测，按时限报告区县教育局和属地网信部门。"),
    ("蓝色", "一般", "网络安全管理员组织工作组研判处置，记录在案，按属地要求报告。"),
)


def monitoring(report: Report, facts: PlanFacts) -> None:
    section = report.section("监测与预警")
    section.add(Paragraph("（一）日常监测", "heading"))
    section.add(
        Paragraph(
            "学校使用 secops 开展日常网络安全监测，由网络安全管理员负责运行和研判，结果作为预警和事件发现的主要来源："
        )
    )
    rows: list[list[Cell]] = [[name, tool, what] for name, tool, what in MONITORING]
    section.add(Table("监测内容", ["监测项目", "工具/命令", "内容"], rows, widths=(1.4, 2, 3)))
    if facts.center:
        section.add(
            Paragraph(
                f"告警、事件、心跳和零报告经 secops forward 报送上级网络安全监测中心（{facts.center}），"
                "监测中心下发的安全通报和重要时期通知由 secops 自动接收并登记。"
            )
        )
    else:  # not every school is connected to a center yet: said plainly, not a gap of the plan
        section.add(
            Paragraph(
                "本校尚未接入上级网络安全监测中心；接入后（secops forward setup）告警、事件和零报告自动上报，"
                "安全通报自动接收。",
                "note",
            )
        )
    section.add(
        Paragraph(
            "其他预警信息来源包括：上级教育行政部门、公安网安和网信部门的安全通报，技术支撑单位和安全厂商的"
            "漏洞预警，以及师生报告的异常情况。"
        )
    )
    section.add(Paragraph("（二）预警通知渠道", "heading"))
    if facts.channels:
        section.add(Paragraph("预警、时限提醒和事件通知经下列渠道发送（secops notify test 可随时测试）："))
        channel_rows: list[list[Cell]] = [
            [n, c.settings.name or "—", CHANNEL_NAMES.get(c.name, c.name), c.target() or "本工作区日志"]
            for n, c in enumerate(facts.channels, 1)
        ]
        section.add(Table("预警通知渠道", ["序号", "名称", "类型", "地址（已隐去密钥）"], channel_rows))
    else:
        facts.lack("通知渠道：在 notifiers.yaml 中启用钉钉、企业微信或邮件渠道，再用 secops notify test 测试")
        section.add(Paragraph(f"预警通知渠道：{PENDING}（目前通知只写入本机日志）。", "warning"))
    section.add(Paragraph("（三）预警分级与响应", "heading"))
    section.add(
        Paragraph("预警按可能发生事件的级别分为红、橙、黄、蓝四级，收到预警后按下表响应，预警解除后恢复日常监测：")
    )
    section.add(
        Table(
            "预警分级与响应",
            ["预警级别", "对应事件级别", "响应措施"],
            [[color, grade, action] for color, grade, action in WARNINGS],
            widths=(1, 1.2, 5),
        )
    )
