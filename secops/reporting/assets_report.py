"""The asset report: inventory by type, risky services exposed now, changes since the last one."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from secops.content.validate import load_units
from secops.inventory.queries import changes_of, list_assets, scan_run_list
from secops.models import ASSET_TYPES, ObservedService
from secops.records.inventory import InventoryAsset
from secops.render.model import Cell, Chart, Paragraph, Report, Table
from secops.reporting.build import ReportContext
from secops.store.records import report_history

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "school": "学校名称",
        "code": "学校标识码",
        "last_scan": "最近一次扫描",
        "never": "尚未扫描",
        "overview": "概况",
        "by_type": "资产分类",
        "risky": "高危服务暴露",
        "changes": "资产变化",
        "inventory": "资产清单",
        "summary": "当前在线资产 {up} 台，已下线 {gone} 台，开放服务 {services} 个；其中高危服务暴露 {risky} 处。",
        "since": "自上次生成本报告（{since}）以来的变化，共 {n} 项。",
        "since_all": "全部历史变化，共 {n} 项。",
        "no_risky": "未发现高危服务暴露。",
        "type": "类型",
        "count": "数量",
        "type_chart": "各类型资产数量",
        "asset": "资产",
        "address": "地址",
        "port": "端口",
        "service": "服务",
        "severity": "风险等级",
        "advice": "处置建议",
        "at": "时间",
        "change": "变化",
        "detail": "详情",
        "kind_chart": "各类变化数量",
        "mac": "MAC",
        "ports": "开放端口",
        "system": "所属系统",
        "owner": "负责人",
        "status": "状态",
        "types": {
            "server": "服务器",
            "pc": "终端",
            "printer": "打印机",
            "camera": "摄像头",
            "network": "网络设备",
            "iot": "物联网设备",
            "unknown": "未识别",
        },
        "kinds": {
            "host_new": "新主机",
            "host_gone": "主机下线",
            "host_back": "主机重新上线",
            "port_opened": "端口开放",
            "port_closed": "端口关闭",
            "version_changed": "版本变化",
            "address_changed": "地址变化",
        },
        "status_names": {"up": "在线", "gone": "已下线"},
        "severities": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"},
    },
    "en": {
        "school": "School",
        "code": "School code",
        "last_scan": "Last scan",
        "never": "never",
        "overview": "Overview",
        "by_type": "Assets by type",
        "risky": "Risky services exposed",
        "changes": "Changes",
        "inventory": "Inventory",
        "summary": "{up} assets up, {gone} gone, {services} open services; {risky} risky service exposure(s).",
        "since": "{n} change(s) since this report was last built ({since}).",
        "since_all": "{n} change(s) in all.",
        "no_risky": "No risky service is exposed.",
        "type": "Type",
        "count": "Count",
        "type_chart": "Assets per type",
        "asset": "Asset",
        "address": "Address",
        "port": "Port",
        "service": "Service",
        "severity": "Severity",
        "advice": "What to do",
        "at": "Time",
        "change": "Change",
        "detail": "Detail",
        "kind_chart": "Changes per kind",
        "mac": "MAC",
        "ports": "Open ports",
        "system": "System",
        "owner": "Owner",
        "status": "Status",
        "types": {t: t for t in ASSET_TYPES},
        "kinds": {
            k: k.replace("_", " ")
            for k in (
                "host_new",
                "host_gone",
                "host_back",
                "port_opened",
                "port_closed",
                "version_changed",
                "address_changed",
            )
        },
        "status_names": {"up": "up", "gone": "gone"},
        "severities": {s: s for s in ("critical", "high", "medium", "low", "info")},
    },
}
_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _risky(items: list[InventoryAsset], lang: str) -> list[list[Cell]]:
    rules = [r for r in load_units("alert-rule") if r.services is not None]
    rows: list[tuple[int, list[Cell]]] = []
    for asset in items:
        if not asset.up:
            continue
        for s in asset.services:
            service = ObservedService(s.port, s.proto, s.name, s.product, s.version)
            for rule in rules:
                if rule.services is not None and rule.services.matches(service):
                    label = " ".join(filter(None, (s.name, s.product, s.version)))
                    rows.append(
                        (
                            _SEVERITY_ORDER[rule.severity],
                            [
                                asset.address or "",
                                f"{s.port}/{s.proto}",
                                label,
                                TEXT[lang]["severities"][rule.severity],
                                rule.remediation,
                            ],
                        )
                    )
                    break
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def build(ctx: ReportContext) -> Report:
    text = TEXT[ctx.lang]
    zone = ZoneInfo(ctx.workspace.config.timezone)
    items = list_assets(ctx.store)
    runs = scan_run_list(ctx.store, limit=1)
    previous = [r for r in report_history(ctx.store, limit=200) if r.report_id == "assets"]
    since = previous[0].built_at if previous else None
    changes = changes_of(ctx.store, since=since or datetime(1970, 1, 1, tzinfo=UTC))
    risky = _risky(items, ctx.lang)
    up = [a for a in items if a.up]

    report = ctx.new_report()
    config = ctx.workspace.config
    report.metadata = [
        (text["school"], config.school.name),
        (text["code"], config.school.code),
        (text["last_scan"], f"{_local(runs[0]['started'], zone)} ({runs[0]['profile']})" if runs else text["never"]),
    ]
    report.section(text["overview"]).add(
        Paragraph(
            text["summary"].format(
                up=len(up), gone=len(items) - len(up), services=sum(len(a.services) for a in up), risky=len(risky)
            )
        )
    )

    counts = Counter(a.asset_type for a in up)
    types = [t for t in ASSET_TYPES if counts[t]]
    by_type = report.section(text["by_type"])
    by_type.add(Table(text["by_type"], [text["type"], text["count"]], [[text["types"][t], counts[t]] for t in types]))
    if types:
        by_type.add(
            Chart(
                text["type_chart"],
                "pie",
                [text["types"][t] for t in types],
                {text["count"]: [float(counts[t]) for t in types]},
            )
        )

    section = report.section(text["risky"])
    if not risky:
        section.add(Paragraph(text["no_risky"], "note"))
    section.add(
        Table(text["risky"], [text["address"], text["port"], text["service"], text["severity"], text["advice"]], risky)
    )

    changed = report.section(text["changes"])
    changed.add(
        Paragraph((text["since"] if since else text["since_all"]).format(n=len(changes), since=_local(since, zone)))
    )
    kinds = Counter(c["change"] for c in changes)
    if kinds:
        changed.add(
            Chart(
                text["kind_chart"],
                "barh",
                [text["kinds"].get(k, k) for k in kinds],
                {text["count"]: [float(v) for v in kinds.values()]},
            )
        )
    changed.add(
        Table(
            text["changes"],
            [text["at"], text["asset"], text["change"], text["detail"]],
            [
                [
                    _local(c["at"], zone),
                    c["asset"],
                    text["kinds"].get(c["change"], c["change"]),
                    ", ".join(f"{k}={v}" for k, v in c["detail"].items() if v not in (None, "", [])),
                ]
                for c in changes[-500:]
            ],
        )
    )

    report.section(text["inventory"]).add(
        Table(
            text["inventory"],
            ["IPv4", "IPv6", text["mac"], text["type"], text["ports"], text["system"], text["owner"], text["status"]],
            [
                [
                    a.ipv4,
                    " ".join(a.ipv6[:2]),
                    a.mac,
                    text["types"].get(a.asset_type, a.asset_type),
                    ", ".join(str(s.port) for s in a.services),
                    a.system_tag,
                    a.owner,
                    text["status_names"].get(a.status, a.status),
                ]
                for a in items
            ],
        )
    )
    return report
