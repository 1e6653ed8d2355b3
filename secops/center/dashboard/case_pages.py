"""A case's page and the staff actions on it, and one stored alert's page.

Every action is a POST form carrying the session's CSRF token and the version of the case the
person saw; the role check happens here before the service runs (so a refused POST changes
nothing) and again in ``secops.center.cases`` (which the CLI shares). A successful POST answers
303 back to the case page, so reloading it never repeats the action.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from secops.center import cases
from secops.center.dashboard import queries
from secops.center.dashboard.web import HEADERS, SESSION_COOKIE, Dashboard, Viewer
from secops.center.staff import ROLE_NAMES, get_user, role_allows
from secops.errors import SecopsError
from secops.incident.audit import AuditKeyError, audit_key, entries
from secops.incident.clocks import clocks_for
from secops.incident.model import STATE_NAMES, ConcurrentUpdate, Incident, get_incident
from secops.incident.playbooks import GRADES

CASE_ID = re.compile(r"^\d{1,9}$")
MAX_ALERTS_SHOWN = 100
MAX_MERGE = 50  # case numbers in one merge form
TEXT = 10_000  # form fields longer than this are cut by FastAPI (422); the service's own limit is lower
ACTION_LABELS = {
    "ack": "确认",
    "note": "备注",
    "grade": "调整级别",
    "assign": "指派",
    "merge": "合并",
    "close": "关闭",
    "reopen": "重新打开",
}
# What the audit trail's actions read as on the timeline.
TRAIL_NAMES = {
    "open": "创建",
    "acknowledged": "确认",
    "contained": "已遏制",
    "eradicated": "已根除",
    "recovered": "已恢复",
    "closed": "关闭",
    "reopen": "重新打开",
    "note": "备注",
    "grade": "调整级别",
    "assign": "指派",
    "merge": "合并",
    "merged-into": "并入其他事件",
    "close-reason": "记录关闭原因",
    "step": "完成处置步骤",
    "attach": "附加证据",
    "reported": "首次报告",
    "followup-report": "续报",
    "final-report": "总结报告",
}
ACTOR_NAMES = {"center-auto": "系统（自动研判）"}


def _new(detail: dict[str, Any], key: str) -> Any:
    new = detail.get("new")
    return new.get(key) if isinstance(new, dict) else None


def _old(detail: dict[str, Any], key: str) -> Any:
    old = detail.get("old")
    return old.get(key) if isinstance(old, dict) else None


def _fact(detail: dict[str, Any], key: str) -> Any:
    facts = _new(detail, "facts")
    return facts.get(key) if isinstance(facts, dict) else None


def trail_text(action: str, detail: dict[str, Any]) -> str:
    """One line saying what an audit entry changed, in Chinese."""
    if action == "open":
        playbook = detail.get("playbook")
        return f"级别 {detail.get('grade', '')}" + (f"，预案 {playbook}" if playbook else "")
    if "to" in detail and "from" in detail:  # a state change (with the note given with it)
        before, after = (STATE_NAMES.get(str(detail[k]), str(detail[k])) for k in ("from", "to"))
        moved = f"{before} → {after}"
        return moved + (f"：{detail['note']}" if detail.get("note") else "")
    if action == "note":
        return str(detail.get("text", ""))
    if action == "grade":
        return f"{_old(detail, 'grade')} → {_new(detail, 'grade')}；原因：{_fact(detail, 'grade_reason') or '—'}"
    if action == "assign":
        return f"负责人 {_old(detail, 'owner') or '（无）'} → {_new(detail, 'owner')}"
    if action == "merge":
        merged = _fact(detail, "merged") or []
        return "并入事件 " + "、".join(f"#{n}" for n in merged)
    if action == "merged-into":
        return f"并入事件 #{_fact(detail, 'merged_into')}"
    if action == "close-reason":
        return f"原因：{_fact(detail, 'close_reason')}"
    if action == "step":
        return f"步骤 {detail.get('step', '')}"
    if action == "attach":
        return str(detail.get("file", ""))
    return ""


def timeline(state: Any, incident_id: int) -> list[dict[str, Any]]:
    rows = []
    for entry in entries(state, incident_id):
        detail = entry["detail"] if isinstance(entry["detail"], dict) else {}
        at = datetime.fromisoformat(entry["at"])
        rows.append(
            {
                "at": at if at.tzinfo else at.replace(tzinfo=UTC),  # the trail writes UTC; never read as local
                "actor": ACTOR_NAMES.get(entry["actor"], entry["actor"]),
                "action": TRAIL_NAMES.get(entry["action"], entry["action"]),
                "text": trail_text(entry["action"], detail),
            }
        )
    return rows


def parse_case_numbers(text: str) -> list[int]:
    """``12, 15，#17`` -> [12, 15, 17]; ValueError for anything else."""
    parts = [p.strip().lstrip("#") for p in re.split(r"[,，、;；\s]+", text) if p.strip()]
    if not parts or len(parts) > MAX_MERGE or not all(CASE_ID.match(p) for p in parts):
        raise ValueError(text)
    return [int(p) for p in parts]


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    def role_of(viewer: Viewer) -> str:
        user = get_user(ctx.state, viewer.username)
        return user.role if user is not None else ""

    def load(case_id: str) -> Incident | None:
        if not CASE_ID.match(case_id):
            return None
        try:
            return get_incident(ctx.state, int(case_id))
        except SecopsError:
            return None

    def case_page(
        viewer: Viewer, incident: Incident, *, status: int = 200, error: str = "", entered: dict[str, str] | None = None
    ) -> Response:
        now = board.now()
        role = role_of(viewer)
        claimed = cases.claimed_alert_ids(ctx.state, incident.id)
        shown = [a for i in reversed(claimed[-MAX_ALERTS_SHOWN:]) if (a := ctx.alerts.get(i)) is not None]
        shown.sort(key=lambda a: a.at, reverse=True)
        return board.render(
            "case.html",
            viewer,
            status=status,
            nav="incidents",
            view=queries.view_of(incident, board.policy, now),
            clocks=clocks_for(incident, board.policy, now),
            names=queries.school_names(ctx.state),
            alerts=shown,
            alert_count=len(claimed),
            trail=timeline(ctx.state, incident.id),
            allowed={a for a, needed in cases.NEEDS.items() if role_allows(role, needed)},
            role_name=ROLE_NAMES.get(role, role or "无角色"),
            grades=GRADES,
            error=error,
            entered=entered or {},
        )

    def missing(viewer: Viewer, case_id: str) -> Response:
        return board.render("not_found.html", viewer, status=404, nav="incidents", what=f"事件 {case_id}")

    @api.get("/incidents/{case_id}", response_class=HTMLResponse)
    def case(request: Request, case_id: str) -> Response:
        viewer = board.require(request)
        incident = load(case_id)
        return missing(viewer, case_id) if incident is None else case_page(viewer, incident)

    @api.post("/incidents/{case_id}/{action}")
    def act(
        request: Request,
        case_id: str,
        action: str,
        csrf: Annotated[str, Form(max_length=128)] = "",
        version: Annotated[str, Form(max_length=20)] = "",
        note: Annotated[str, Form(max_length=TEXT)] = "",
        grade: Annotated[str, Form(max_length=20)] = "",
        reason: Annotated[str, Form(max_length=TEXT)] = "",
        owner: Annotated[str, Form(max_length=200)] = "",
        others: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        viewer = board.require(request)
        incident = load(case_id)
        if incident is None or action not in cases.NEEDS:
            return missing(viewer, case_id)
        entered = {"action": action, "note": note, "grade": grade, "reason": reason, "owner": owner, "others": others}

        def refuse(status: int, message: str) -> Response:
            current = get_incident(ctx.state, incident.id)
            return case_page(viewer, current, status=status, error=message, entered=entered)

        token = request.cookies.get(SESSION_COOKIE)
        if not board.csrf_valid(token and "session:" + token, csrf):
            # A signed-in browser posting without our token: a forged cross-site request.
            return refuse(403, "请求无效（缺少或错误的表单令牌），未做任何修改。请刷新页面后重试。")
        role = role_of(viewer)
        needed = cases.NEEDS[action]
        label = ACTION_LABELS[action]
        if not role_allows(role, needed):
            return refuse(403, f"{ROLE_NAMES.get(role, '该账号')}无权{label}事件：需要{ROLE_NAMES[needed]}或以上角色。")
        if not version.isascii() or not version.isdigit():
            return refuse(400, "表单缺少事件版本，请刷新页面后重试。")
        if int(version) != incident.version:
            return refuse(409, "有人先修改了这个事件，你的操作没有执行。请查看下面的最新内容后再操作。")
        try:
            staff = cases.Staff(ctx.state, audit_key(ctx.home, ctx.state), viewer.username, role, board.now())
            seen = int(version)
            if action == "ack":
                cases.acknowledge(staff, incident.id, note, seen)
            elif action == "note":
                cases.note(staff, incident.id, note)
            elif action == "grade":
                cases.regrade(staff, incident.id, grade, reason, seen)
            elif action == "assign":
                cases.assign(staff, incident.id, owner, seen)
            elif action == "merge":
                try:
                    numbers = parse_case_numbers(others)
                except ValueError:
                    return refuse(400, f"请填写要合并进来的事件编号（最多 {MAX_MERGE} 个），用逗号分隔，例如 12, 15。")
                cases.merge(staff, incident.id, numbers, reason)
            elif action == "close":
                cases.close(staff, incident.id, reason, seen)
            else:
                cases.reopen(staff, incident.id, reason)
        except ConcurrentUpdate:
            return refuse(409, "有人先修改了这个事件，你的操作没有执行。请查看下面的最新内容后再操作。")
        except cases.NotAllowed as exc:
            return refuse(403, f"无权{label}：{exc}")
        except AuditKeyError as exc:  # the center's audit key is missing or wrong: an operator must act
            return refuse(500, f"审计密钥不可用，未做任何修改：{exc}")
        except SecopsError as exc:
            return refuse(400, f"未能{label}：{exc}")  # the message names what to fix (and its hint how)
        return RedirectResponse(f"/incidents/{incident.id}", status_code=303, headers=HEADERS)

    @api.get("/alerts/{alert_id}", response_class=HTMLResponse)
    def alert(request: Request, alert_id: str) -> Response:
        viewer = board.require(request)
        found = ctx.alerts.get(alert_id) if 0 < len(alert_id) <= 128 else None
        if found is None:
            return board.render("not_found.html", viewer, status=404, nav="alerts", what="该告警")
        joined = queries.incident_of_alert(ctx.state, found.id)
        case_found = load(str(joined)) if joined else None
        return board.render(
            "alert.html",
            viewer,
            nav="alerts",
            alert=found,
            names=queries.school_names(ctx.state),
            document=json.dumps(found.doc, ensure_ascii=False, indent=2, sort_keys=True, default=str),
            case=case_found,
        )

    return api
