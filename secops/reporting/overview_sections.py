"""The sections of the school overview report (see ``overview_source``); Chinese only, like the
document officials and the school's leadership read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from secops.dengbao.calendar import compliance_calendar
from secops.dengbao.systems import System, list_systems
from secops.dengbao.trend import trend_points
from secops.incident.clocks import left_text
from secops.incident.model import STATE_NAMES
from secops.incident.policy import load_policy
from secops.incident.summary import incident_summaries
from secops.inventory.queries import changes_of, list_assets, scan_run_list
from secops.models import ASSET_TYPES
from secops.records.incident import ClockSummary, IncidentSummary
from secops.render.model import Cell, Chart, Paragraph, Report, Table
from secops.store import Store
from secops.store.schema import data_releases

TYPE_NAMES = {
    "server": "服务器", "pc": "终端", "printer": "打印机", "camera": "摄像头", "network": "网络设备",
    "iot": "物联网设备", "unknown": "未识别",
}  # fmt: skip
CHANGE_NAMES = {
    "host_new": "新主机", "host_gone": "主机下线", "host_back": "主机重新上线", "port_opened": "端口开放",
    "port_closed": "端口关闭", "version_changed": "版本变化", "address_changed": "地址变化",
}  # fmt: skip
CLOCK_NAMES = {"met": "按时完成", "missed": "超时完成", "overdue": "已超时未完成", "running": "计时中"}
UNKNOWN = "未知"
SOON = timedelta(days=30)


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else "—"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _pct(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "—"


@dataclass
class Facts:
    """What several sections share, loaded once."""

    systems: list[System]
    calendar: list[dict[str, Any]]
    incidents: list[IncidentSummary]  # detected in the period
    clocks: list[tuple[IncidentSummary, ClockSummary]]  # of the period's incidents
    open_clocks: list[tuple[IncidentSummary, ClockSummary]]  # every open incident's overdue clock, whenever detected
    assets_up: int
    now: datetime

    @classmethod
    def load(cls, store: Store, since: datetime, until: datetime, now: datetime) -> Facts:
        every = incident_summaries(store, load_policy(), now)
        period = [i for i in every if since <= i.detected_at <= until]
        overdue = [(i, c) for i in every if not i.closed for c in i.overdue_clocks()]
        return cls(
            systems=list_systems(store),
            calendar=compliance_calendar(store, now.date()),
            incidents=period,
            clocks=[(i, c) for i in period for c in i.clocks],
            open_clocks=overdue,
            assets_up=sum(1 for a in list_assets(store) if a.up),
            now=now,
        )

    def overdue_deadlines(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(e, d) for e in self.calendar for d in e["deadlines"] if d["overdue"]]

    def unfiled(self) -> list[dict[str, Any]]:
        return [e for e in self.calendar if e["filing_required"] and e["filed_on"] is None]

    def headline(self, school: str) -> str:
        clocks = Counter(c.status for _, c in self.clocks)
        decided = clocks["met"] + clocks["missed"] + clocks["overdue"]
        rate = f"{clocks['met'] / decided * 100:.0f}%" if decided else "—"
        overdue = len(self.overdue_deadlines()) + len(self.open_clocks) + len(self.unfiled())
        return (
            f"{school}当前在线资产 {self.assets_up} 台，登记定级对象 {len(self.systems)} 个"
            f"（第二级及以上 {sum(1 for s in self.systems if s.level >= 2)} 个）。统计期间内发生网络安全事件 "
            f"{len(self.incidents)} 起，处置时限达标率 {rate}。当前逾期或待办的合规事项 {overdue} 项，详见“逾期事项”。"
        )


def assets_section(report: Report, store: Store, since: datetime) -> None:
    section = report.section("资产与变化")
    found = list_assets(store)
    if not scan_run_list(store, limit=1) and not found:
        section.add(Paragraph("尚未进行资产发现（secops assets discover），资产数量未知。", "warning"))
        return
    up = Counter(a.asset_type for a in found if a.up)
    gone = Counter(a.asset_type for a in found if not a.up)
    types = [t for t in ASSET_TYPES if up[t] or gone[t]]
    rows: list[list[Cell]] = [[TYPE_NAMES.get(t, t), up[t], gone[t]] for t in types]
    section.add(Table("资产分类统计", ["类型", "在线", "已下线"], rows))
    if types:
        section.add(
            Chart(
                "各类型在线资产数量",
                "bar",
                [TYPE_NAMES.get(t, t) for t in types],
                {"在线": [float(up[t]) for t in types]},
            )
        )
    changes = Counter(c["change"] for c in changes_of(store, since=since))
    if not changes:
        section.add(Paragraph("统计期间内资产没有变化记录。", "note"))
        return
    kinds = sorted(changes, key=lambda k: -changes[k])
    section.add(Table("统计期间内的资产变化", ["变化", "次数"], [[CHANGE_NAMES.get(k, k), changes[k]] for k in kinds]))
    section.add(
        Chart(
            "各类资产变化次数",
            "barh",
            [CHANGE_NAMES.get(k, k) for k in kinds],
            {"次数": [float(changes[k]) for k in kinds]},
        )
    )


def systems_section(report: Report, facts: Facts) -> None:
    section = report.section("定级对象与安全保护等级")
    if not facts.systems:
        section.add(Paragraph("尚未登记定级对象（secops dengbao system add），无法说明等级保护情况。", "warning"))
        return
    rows: list[list[Cell]] = [
        [s.name, f"第{s.level}级", s.asset_tag or "—", "已定级" if s.grading else "缺少定级答卷（待补充）"]
        for s in facts.systems
    ]
    section.add(Table("定级对象", ["定级对象", "安全保护等级", "资产标签", "定级依据"], rows))
    levels = Counter(s.level for s in facts.systems)
    labels = sorted(levels)
    section.add(
        Chart("各等级定级对象数量", "pie", [f"第{n}级" for n in labels], {"数量": [float(levels[n]) for n in labels]})
    )


def _filed(entry: dict[str, Any]) -> str:
    if entry["filed_on"]:
        return _day(entry["filed_on"])
    due = next((d for d in entry["deadlines"] if d["kind"] == "filing"), None)
    return f"未登记（应于 {_day(due['due_on'])} 前备案）" if due else "未登记（待填写）"


def dengbao_section(report: Report, store: Store, facts: Facts, zone: ZoneInfo) -> None:
    section = report.section("等保合规状态")
    if not facts.calendar:
        section.add(Paragraph("没有定级对象，无等保状态可报告。", "note"))
        return
    rows: list[list[Cell]] = []
    for entry in facts.calendar:
        auto = entry["latest_automated"]
        last = entry["last_assessment"]
        rows.append(
            [
                entry["system"],
                f"第{entry['level']}级",
                _pct(auto["rate"]) if auto else "未评估",
                auto["conclusion"] if auto else "—",
                len(entry["open_highrisk"]) if auto else "—",
                _filed(entry) if entry["filing_required"] else "无需备案",
                _day(entry["certificate_valid_until"]),
                f"{_day(last['date'])} {last['conclusion']}" if last else "无记录",
                _day(entry["next_assessment"]),
            ]
        )
    columns = ["定级对象", "等级", "最近符合率", "自评结论", "未缓解高风险", "备案日期", "备案证明有效期至"]
    section.add(Table("各定级对象等保状态", [*columns, "最近等级测评", "下次测评"], rows))
    section.add(
        Paragraph(
            "符合率、结论与高风险问题来自最近一次自动评估（secops dengbao assess，预评估）；"
            "备案与等级测评日期来自登记的备案证明和测评报告，未登记的显示“—”或“无记录”。",
            "note",
        )
    )
    rated = [e for e in facts.calendar if e["latest_automated"]]
    if rated:
        section.add(
            Chart(
                "各定级对象最近符合率",
                "bar",
                [e["system"] for e in rated],
                {"符合率(%)": [round(float(e["latest_automated"]["rate"]) * 100, 1) for e in rated]},
                y_label="%",
            )
        )
    for system in facts.systems:
        points = trend_points(store, system)
        if len(points) < 2:
            continue
        labels = [p["at"].astimezone(zone).strftime("%m-%d %H:%M") for p in points]
        section.add(
            Chart(
                f"{system.name} 符合率与高风险问题趋势",
                "line",
                labels,
                {
                    "符合率(%)": [round(p["rate"] * 100, 1) for p in points],
                    "高风险": [float(p["highrisk"]) for p in points],
                },
            )
        )
    if not any(len(trend_points(store, s)) >= 2 for s in facts.systems):
        section.add(
            Paragraph("各定级对象的自动评估不足两次，暂无趋势（secops scheduler add assess 可定期评估）。", "note")
        )


def data_section(report: Report, store: Store, since: datetime, until: datetime) -> None:
    section = report.section("数据分类分级")
    section.add(
        Paragraph(
            "数据分类分级扫描（secops data scan）的结果不保存在工作区，本报告无法汇总各类数据的级别与记录数；"
            "请附最近一次《数据分类分级报告》（secops report build classification）。",
            "warning",
        )
    )
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(data_releases).order_by(data_releases.c.created_at)).all()
    period = [r for r in rows if since <= r.created_at <= until]
    section.add(Paragraph(f"工作区记录的带水印数据对外提供共 {len(rows)} 次，其中统计期间内 {len(period)} 次。"))
    if period:
        section.add(
            Table(
                "统计期间内的数据对外提供（带水印）",
                ["时间", "接收方", "源数据", "行数"],
                [[r.created_at.strftime("%Y-%m-%d"), r.recipient, r.source_name, r.rows] for r in period],
            )
        )


def incidents_section(report: Report, facts: Facts, zone: ZoneInfo) -> None:
    section = report.section("统计期间内的网络安全事件")
    if not facts.incidents:
        section.add(Paragraph("统计期间内没有记录网络安全事件。", "note"))
        return
    rows: list[list[Cell]] = [
        [
            i.id,
            i.title,
            i.subcategory or i.category,
            i.grade,
            STATE_NAMES.get(i.state, i.state),
            _local(i.detected_at, zone),
        ]
        for i in facts.incidents
    ]
    section.add(Table("事件列表", ["编号", "事件", "类别", "分级", "状态", "发现时间"], rows))
    grades = Counter(i.grade for i in facts.incidents)
    section.add(Chart("各级别事件数量", "bar", list(grades), {"事件数": [float(n) for n in grades.values()]}))
    statuses = Counter(c.status for _, c in facts.clocks)
    if not facts.clocks:
        section.add(Paragraph("这些事件的分级没有处置时限要求。", "note"))
        return
    decided = statuses["met"] + statuses["missed"] + statuses["overdue"]
    section.add(
        Paragraph(
            f"处置时限共 {len(facts.clocks)} 项：按时完成 {statuses['met']} 项，超时完成 {statuses['missed']} 项，"
            f"已超时未完成 {statuses['overdue']} 项，计时中 {statuses['running']} 项；"
            + (f"达标率 {statuses['met'] / decided * 100:.0f}%。" if decided else "尚无已到期的时限。"),
            "warning" if statuses["missed"] or statuses["overdue"] else "body",
        )
    )
    section.add(
        Table(
            "处置时限执行情况",
            ["事件", "时限", "截止时间", "执行情况"],
            [[i.id, c.name, _local(c.due_at, zone), CLOCK_NAMES[c.status]] for i, c in facts.clocks],
        )
    )
    shown = [s for s in CLOCK_NAMES if statuses[s]]
    section.add(
        Chart("处置时限执行情况", "pie", [CLOCK_NAMES[s] for s in shown], {"项数": [float(statuses[s]) for s in shown]})
    )


def overdue_section(report: Report, facts: Facts, zone: ZoneInfo) -> None:
    section = report.section("逾期事项")
    rows: list[list[Cell]] = []
    for incident, clock in facts.open_clocks:
        rows.append(
            [
                "事件处置",
                f"#{incident.id} {incident.title}：{clock.name}",
                _local(clock.due_at, zone),
                left_text(clock.left(facts.now)),
            ]
        )
    for entry, deadline in facts.overdue_deadlines():
        rows.append(
            [
                "等保",
                f"{entry['system']}：{deadline['name']}",
                _day(deadline["due_on"]),
                f"已逾期 {-deadline['days_left']} 天",
            ]
        )
    for entry in facts.unfiled():
        rows.append(["等保", f"{entry['system']}（第{entry['level']}级）：未登记备案", UNKNOWN, "备案日期待填写"])
    if rows:
        section.add(Table("逾期与待办事项", ["类别", "事项", "截止", "情况"], rows))
    else:
        section.add(Paragraph("没有逾期事项。", "note"))
    today = facts.now.date()
    soon = [(e, d) for e in facts.calendar for d in e["deadlines"] if not d["overdue"] and d["due_on"] <= today + SOON]
    if soon:
        section.add(
            Table(
                "30 天内到期的等保事项",
                ["定级对象", "事项", "截止", "剩余天数"],
                [[e["system"], d["name"], _day(d["due_on"]), d["days_left"]] for e, d in soon],
            )
        )
