"""The workspace overview report: school, scan scope, what the workspace holds, recent activity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from secops import __version__
from secops.content.kinds import KINDS
from secops.render.model import Chart, Paragraph, Report, Table
from secops.reporting.build import ReportContext
from secops.scope import Network
from secops.store import redact_url
from secops.store.records import recent_activity, report_history, table_counts

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "school": "学校名称",
        "code": "学校标识码",
        "workspace": "工作区",
        "database": "数据库",
        "schema": "数据库架构版本",
        "version": "secops 版本",
        "overview": "概况",
        "scope": "授权扫描范围",
        "holds": "工作区数据",
        "content": "内容库",
        "activity": "最近活动",
        "reports": "报告记录",
        "summary": "本工作区属于{school}（学校标识码 {code}），授权扫描范围共 {networks} 个网段：{v4} 个 IPv4 地址，"
        "{v6} 个 IPv6 网段。数据库中共有 {rows} 条记录。",
        "scope_note": "只有以上网段内的主机可以被扫描；范围外的目标会在发出任何数据包之前被拒绝。",
        "network": "网段",
        "family": "协议",
        "size": "地址数量",
        "kind": "类型",
        "private": "内网地址",
        "global": "公网地址",
        "other": "特殊用途",
        "v6_size": "{subnets} 个 /64 子网",
        "scope_chart": "各 IPv4 网段地址数量",
        "addresses": "地址数",
        "table": "数据表",
        "meaning": "说明",
        "rows": "记录数",
        "rows_chart": "各数据表记录数",
        "content_kind": "内容类型",
        "files": "文件数",
        "folder": "位置",
        "at": "时间",
        "action": "操作",
        "detail": "详情",
        "report": "报告",
        "format": "格式",
        "lang": "语言",
        "sha": "SHA-256（前 16 位）",
    },
    "en": {
        "school": "School",
        "code": "School code",
        "workspace": "Workspace",
        "database": "Database",
        "schema": "Schema version",
        "version": "secops version",
        "overview": "Overview",
        "scope": "Authorised scan scope",
        "holds": "Workspace data",
        "content": "Content library",
        "activity": "Recent activity",
        "reports": "Report history",
        "summary": "This workspace belongs to {school} (school code {code}). Its scan scope has {networks} "
        "network(s): {v4} IPv4 addresses and {v6} IPv6 network(s). The database holds {rows} record(s).",
        "scope_note": "Only hosts inside these networks may be scanned; any other target is refused "
        "before a packet leaves.",
        "network": "Network",
        "family": "Family",
        "size": "Addresses",
        "kind": "Kind",
        "private": "private",
        "global": "public",
        "other": "special-purpose",
        "v6_size": "{subnets} /64 subnets",
        "scope_chart": "Addresses per IPv4 network",
        "addresses": "addresses",
        "table": "Table",
        "meaning": "Holds",
        "rows": "Rows",
        "rows_chart": "Rows per table",
        "content_kind": "Content kind",
        "files": "Files",
        "folder": "Location",
        "at": "Time",
        "action": "Action",
        "detail": "Detail",
        "report": "Report",
        "format": "Format",
        "lang": "Language",
        "sha": "SHA-256 (first 16)",
    },
}


# What each table holds and what each logged action means, for people reading the report.
TABLE_MEANINGS: dict[str, dict[str, str]] = {
    "zh": {
        "workspace": "学校身份信息",
        "activity": "操作记录",
        "report_runs": "已生成的报告",
    },
    "en": {"workspace": "school identity", "activity": "activity log", "report_runs": "reports built"},
}
ACTION_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "workspace.created": "创建工作区",
        "workspace.updated": "更新工作区配置",
        "report.built": "生成报告",
    },
    "en": {
        "workspace.created": "workspace created",
        "workspace.updated": "workspace updated",
        "report.built": "report built",
    },
}


def _network_kind(network: Network, text: dict[str, str]) -> str:
    if network.is_private:
        return text["private"]
    if network.is_global:
        return text["global"]
    return text["other"]


def _size(network: Network, text: dict[str, str]) -> str:
    if network.version == 4:
        return f"{network.num_addresses:,}"
    subnets = 2 ** max(64 - network.prefixlen, 0)
    return text["v6_size"].format(subnets=f"{subnets:,}")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _content_rows(lang: str) -> list[list[str | int | float | None]]:
    return [
        [
            kind.name,
            kind.description_zh if lang == "zh" else kind.description,
            "/".join((kind.folder, *kind.subpath)),
            len(kind.shipped_files()),
        ]
        for kind in KINDS
    ]


def build(ctx: ReportContext) -> Report:
    text = TEXT[ctx.lang]
    config = ctx.workspace.config
    zone = ZoneInfo(config.timezone)
    networks = config.networks()
    counts = table_counts(ctx.store)
    report = ctx.new_report()
    report.metadata = [
        (text["school"], config.school.name),
        (text["code"], config.school.code),
        (text["workspace"], str(ctx.workspace.path)),
        (text["database"], redact_url(ctx.workspace.database_url)),
        (text["schema"], str(ctx.store.schema_version)),
        (text["version"], __version__),
    ]

    v4 = [n for n in networks if n.version == 4]
    report.section(text["overview"]).add(
        Paragraph(
            text["summary"].format(
                school=config.school.name,
                code=config.school.code,
                networks=len(networks),
                v4=f"{sum(n.num_addresses for n in v4):,}",
                v6=len(networks) - len(v4),
                rows=sum(counts.values()),
            )
        )
    )

    scope = report.section(text["scope"])
    scope.add(
        Table(
            text["scope"],
            [text["network"], text["family"], text["size"], text["kind"]],
            [[str(n), f"IPv{n.version}", _size(n, text), _network_kind(n, text)] for n in networks],
        )
    )
    if v4:
        scope.add(
            Chart(
                text["scope_chart"],
                "barh",
                [str(n) for n in v4],
                {text["addresses"]: [float(n.num_addresses) for n in v4]},
            )
        )
    scope.add(Paragraph(text["scope_note"], "note"))

    holds = report.section(text["holds"])
    holds.add(
        Table(
            text["holds"],
            [text["table"], text["meaning"], text["rows"]],
            [[name, TABLE_MEANINGS[ctx.lang].get(name, ""), count] for name, count in counts.items()],
        )
    )
    holds.add(
        Chart(
            text["rows_chart"],
            "bar",
            list(counts),
            {text["rows"]: [float(c) for c in counts.values()]},
            y_label=text["rows"],
        )
    )

    report.section(text["content"]).add(
        Table(
            text["content"],
            [text["content_kind"], text["meaning"], text["folder"], text["files"]],
            _content_rows(ctx.lang),
        )
    )

    activity_rows: list[list[str | int | float | None]] = [
        [_local(entry.at, zone), ACTION_NAMES[ctx.lang].get(entry.action, entry.action), _activity_detail(entry.detail)]
        for entry in recent_activity(ctx.store)
    ]
    report.section(text["activity"]).add(
        Table(text["activity"], [text["at"], text["action"], text["detail"]], activity_rows)
    )

    history_rows: list[list[str | int | float | None]] = [
        [_local(run.built_at, zone), run.report_id, run.format, run.lang, run.sha256[:16]]
        for run in report_history(ctx.store)
    ]
    report.section(text["reports"]).add(
        Table(
            text["reports"],
            [text["at"], text["report"], text["format"], text["lang"], text["sha"]],
            history_rows,
        )
    )
    return report


def _activity_detail(detail: dict[str, Any]) -> str:
    if "report" in detail:
        return f"{detail['report']} ({detail.get('format', '')}, {detail.get('lang', '')})"
    if detail.get("changes"):
        return "; ".join(detail["changes"])
    if "scope" in detail:
        return ", ".join(detail["scope"])
    return ""
