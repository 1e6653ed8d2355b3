"""What the official incident reports carry, as data: the report kinds, the facts a school fills
with ``secops incident set`` (by CAC report item), a report's JSON form, the day's incidents for
the 零报告 and the monthly metrics.

The documents themselves (CAC report, 零报告, metrics) are built in
``secops.reporting.incident_reports``: the incident feature knows no renderer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from secops.config import Workspace
from secops.incident.audit import entries
from secops.incident.clocks import clocks_for, pending_clocks
from secops.incident.model import Incident, list_incidents
from secops.incident.policy import IncidentPolicy
from secops.store import Store

KINDS = {"initial": "首次报告", "followup": "续报", "final": "总结报告"}
# facts keys a school fills with `secops incident set`, by CAC report item
FIELDS = {
    "impact": "影响和危害",
    "measures": "已采取措施及效果",
    "trend": "事态发展趋势",
    "cause": "原因初步分析",
    "trace": "溯源线索（攻击者、攻击路径、漏洞）",
    "plan": "拟采取措施及请求支援",
    "scene": "现场保护情况",
    "other": "其他",
    "ransom": "赎金金额、方式、日期",
    "responsibility": "责任追究",
    "rectification": "整改措施",
    "lessons": "教训及防范",
    "leftover": "遗留问题",
    "reporter": "报告人",
    "location": "发生地点",
}


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def timed(value: Any) -> Any:
    """Audit details keep times as ISO text (hashed as stored); for people and JSON they are
    instants again, shown in the workspace zone like every other time."""
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        return datetime.fromisoformat(value)
    if isinstance(value, dict):
        return {key: timed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [timed(item) for item in value]
    return value


def report_json(incident: Incident, store: Store, policy: IncidentPolicy, kind: str, now: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "kind_name": KINDS[kind],
        "incident": incident.as_dict(),
        "clocks": [c.as_dict() for c in clocks_for(incident, policy, now)],
        "pending_clocks": [c.as_dict() for c in pending_clocks(incident, policy)],
        "timeline": [timed(entry) for entry in entries(store, incident.id)],
    }


def day_incidents(store: Store, zone: ZoneInfo, day: date) -> tuple[list[Incident], list[Incident]]:
    """The incidents detected on ``day`` (in ``zone``), and those detected before it still open."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + timedelta(days=1)
    todays = [i for i in list_incidents(store) if start <= i.detected_at.astimezone(zone) < end]
    still_open = [i for i in list_incidents(store, open_only=True) if i.detected_at.astimezone(zone) < start]
    return todays, still_open


def metrics(store: Store, workspace: Workspace, policy: IncidentPolicy, now: datetime) -> list[dict[str, Any]]:
    """Per month of detection: count, mean minutes to acknowledge / contain / close, clocks met."""
    zone = ZoneInfo(workspace.config.timezone)
    months: dict[str, list[Incident]] = defaultdict(list)
    for found in list_incidents(store):
        months[found.detected_at.astimezone(zone).strftime("%Y-%m")].append(found)
    rows = []
    for month in sorted(months):
        group = months[month]

        def mean_minutes(state: str, group: list[Incident] = group) -> float | None:
            spans = [
                (datetime.fromisoformat(i.state_times[state]) - i.detected_at).total_seconds() / 60
                for i in group
                if state in i.state_times
            ]
            return round(sum(spans) / len(spans), 1) if spans else None

        clocks = [c for i in group for c in clocks_for(i, policy, now) if c.status in ("met", "missed", "overdue")]
        met = sum(1 for c in clocks if c.status == "met")
        rows.append(
            {
                "month": month,
                "incidents": len(group),
                "minutes_to_acknowledge": mean_minutes("acknowledged"),
                "minutes_to_contain": mean_minutes("contained"),
                "minutes_to_close": mean_minutes("closed"),
                "clocks_decided": len(clocks),
                "clocks_met": met,
                "compliance": round(met / len(clocks), 3) if clocks else None,
            }
        )
    return rows
