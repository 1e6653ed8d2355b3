"""The 安全问题 of a 差距分析 report: each problem with its 风险等级 (高/中/低) and the items it affects.

The high-risk cases of the guide come first (高, or 中 once a guide-named mitigation applies).
The other failing items are grouped by control point, as a 测评报告 states one problem per
control point, at the highest risk of its items.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from secops.dengbao.highrisk import mitigation_state
from secops.dengbao.risks import STATUS_NAMES
from secops.records.assessed_item import AssessedItem
from secops.records.assessment import Assessment
from secops.records.highrisk import HighRiskProblem
from secops.render.model import Cell

RISK_NAMES = {"high": "高", "medium": "中", "low": "低"}
_RISK_ORDER = {"high": 0, "medium": 1, "low": 2}


def _state(problem: HighRiskProblem, zone: str) -> str:
    state = mitigation_state(problem)
    if problem.candidate:
        decision = problem.decision
        state += f"；重大风险隐患候选：{STATUS_NAMES[decision.decision if decision else None]}"
        if decision:
            when = decision.decided_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
            state += f"（{decision.decided_by}，{when}：{decision.reason}）"
    if problem.mitigation_note:
        state += f"；备注（不作为缓解依据）：{problem.mitigation_note}"
    return state


def _failed_checks(item: AssessedItem) -> str:
    lines = [f"{c.title}（{c.evidence}）" for c in item.checks if c.status == "fail"]
    if not lines and item.note:
        lines.append(f"问卷：{item.note}")
    return "；".join(lines) or ("问卷答复为" + item.result)


def problem_rows(result: Assessment, zone: str) -> list[list[Cell]]:
    """Rows of 序号, 安全问题, 风险等级, 涉及要求项, 证据, 状态; high risk first."""
    found: list[tuple[int, list[Cell]]] = []
    covered: set[str] = set()
    for problem in result.highrisk:
        covered.update(problem.items)
        risk = "high" if problem.unmitigated else "medium"
        found.append(
            (
                _RISK_ORDER[risk],
                [
                    f"{problem.title}（高风险案例 {problem.case}）",
                    RISK_NAMES[risk],
                    "、".join(problem.items),
                    "；".join(problem.evidence) or "问卷答复为不符合",
                    _state(problem, zone),
                ],
            )
        )
    groups: dict[tuple[str, str], list[AssessedItem]] = {}
    for item in result.items:
        if item.result in ("不符合", "部分符合") and item.id not in covered:
            groups.setdefault((item.class_name, item.control_point), []).append(item)
    for (class_name, control_point), items in groups.items():
        risk = min((i.risk or "low" for i in items), key=lambda r: _RISK_ORDER.get(r, 2))
        results = "、".join(dict.fromkeys(i.result for i in items))
        found.append(
            (
                _RISK_ORDER.get(risk, 2),
                [
                    f"{class_name}·{control_point}：{len(items)} 项{results}",
                    RISK_NAMES.get(risk, "低"),
                    "、".join(i.id for i in items),
                    "；".join(_failed_checks(i) for i in items),
                    "待整改",
                ],
            )
        )
    found.sort(key=lambda pair: pair[0])  # stable: the guide's order, then the catalog's
    return [[number, *row] for number, (_, row) in enumerate(found, start=1)]
