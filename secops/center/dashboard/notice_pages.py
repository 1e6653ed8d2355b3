"""通报 in the dashboard: the list of notices (with the issue form for admins), one notice with each
school's status on it, and a school's own notices for its page.

Issuing is a POST form carrying the session's CSRF token; the role check (管理员) happens before
anything is signed, and a successful POST answers 303 to the new notice's page (POST-redirect-GET).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from secops.center.dashboard.web import HEADERS, SESSION_COOKIE, Dashboard, Viewer
from secops.center.notices import NoticeView, SchoolOnNotice, audience, groups, issue_notice, notice_views
from secops.center.staff import ROLE_NAMES, get_user, role_allows
from secops.errors import SecopsError
from secops.protocol.notices import NOTICE_KINDS
from secops.store import Store
from secops.store.schema import center_schools

ISSUER_ROLE = "admin"
DEFAULT_DUE = "60h"
MAX_DUE = timedelta(days=365)
NOTICE_ID = re.compile(r"^[0-9A-Za-z_-]{8,64}$")
SCHOOL_CODE = re.compile(r"^\d{10}$")
_DUE = re.compile(r"^(\d{1,4})\s*([hd])$")
_SPLIT = re.compile(r"[,，、;；\s]+")
SCOPES = ("all", "group", "schools")


def parse_due(text: str) -> timedelta:
    """``60h`` / ``3d`` (the CLI's --due); ValueError for anything else or outside 1 hour-365 days."""
    match = _DUE.match(text.strip().lower())
    if not match:
        raise ValueError(text)
    number, unit = int(match.group(1)), match.group(2)
    due = timedelta(hours=number) if unit == "h" else timedelta(days=number)
    if not timedelta(hours=1) <= due <= MAX_DUE:
        raise ValueError(text)
    return due


def parse_codes(text: str) -> list[str]:
    return [p for p in _SPLIT.split(text.strip()) if p]


def audience_problem(state: Store, scope: str, group: str, schools: str, what: str) -> str:
    """What is wrong with a form's audience (all / a group / school codes), in Chinese ("" when nothing is).

    ``what`` names what is being sent (通报, 重要时段) in the messages."""
    if scope not in SCOPES:
        return f"请选择{what}对象：全部学校、一个分组或指定学校。"
    if scope == "group" and not group.strip():
        return "请选择一个分组。"
    if scope == "group" and not groups(state).get(group.strip()):
        return f"分组 {group.strip()} 不存在或没有学校。"
    if scope == "schools":
        codes = parse_codes(schools)
        if not codes:
            return "请填写学校代码（10 位数字），多个用逗号分隔。"
        bad = [c for c in codes if not SCHOOL_CODE.match(c)]
        if bad:
            return "学校代码应为 10 位数字：" + "、".join(bad[:10])
        known = registered(state)
        unknown = [c for c in codes if c not in known]
        if unknown:
            return "以下学校未在中心注册：" + "、".join(unknown[:10])
        revoked = [c for c in codes if known[c]]
        if revoked:
            return f"以下学校的接入已吊销，不能发送{what}：" + "、".join(revoked[:10])
    return ""


def choose_audience(state: Store, scope: str, group: str, schools: str) -> tuple[list[str], str]:
    """The school codes (empty: all) and the readable audience of a checked form (SecopsError if refused)."""
    codes = parse_codes(schools) if scope == "schools" else []
    return audience(state, schools=codes, group=group.strip() if scope == "group" else None, everyone=scope == "all")


@dataclass(frozen=True)
class SchoolNotice:
    """One notice as one school sees it (for the school's page)."""

    notice: NoticeView
    mine: SchoolOnNotice


def registered(state: Store) -> dict[str, bool]:
    """Every registered school code and whether its access was revoked."""
    c = center_schools.c
    with state.engine.connect() as conn:
        return {row.code: row.revoked_at is not None for row in conn.execute(sa.select(c.code, c.revoked_at))}


def school_notices(state: Store, now: datetime, code: str) -> list[SchoolNotice]:
    """The notices addressed to ``code`` (newest first) with the school's status on each."""
    found = []
    for view in notice_views(state, now):
        mine = next((s for s in view.schools if s.school == code), None)
        if mine is not None:
            found.append(SchoolNotice(view, mine))
    return found


def role_of(state: Store, viewer: Viewer) -> str:
    user = get_user(state, viewer.username)
    return user.role if user is not None else ""


def admin_refusal(board: Dashboard, request: Request, viewer: Viewer, csrf: str, action: str) -> tuple[int, str] | None:
    """(status, message) when an administrator's form may not be taken: no valid CSRF token, or a
    viewer whose role may not ``action`` (签发通报, 定义重要时段 ...); None when it may."""
    token = request.cookies.get(SESSION_COOKIE)
    if not board.csrf_valid(token and "session:" + token, csrf):
        return 403, f"请求无效（缺少或错误的表单令牌），未{action}。请刷新页面后重试。"
    role = role_of(board.ctx.state, viewer)
    if not role_allows(role, ISSUER_ROLE):
        return 403, f"{ROLE_NAMES.get(role, '该账号')}无权{action}：需要{ROLE_NAMES[ISSUER_ROLE]}角色。"
    return None


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    def list_page(
        viewer: Viewer, *, status: int = 200, error: str = "", entered: dict[str, str] | None = None
    ) -> Response:
        role = role_of(ctx.state, viewer)
        return board.render(
            "notices.html",
            viewer,
            status=status,
            nav="notices",
            notices=notice_views(ctx.state, board.now()),
            can_issue=role_allows(role, ISSUER_ROLE),
            groups=groups(ctx.state),
            kinds=NOTICE_KINDS,
            error=error,
            entered=entered or {"scope": "all", "due": DEFAULT_DUE},
        )

    @api.get("/notices", response_class=HTMLResponse)
    def notice_list(request: Request) -> Response:
        return list_page(board.require(request))

    @api.post("/notices")
    def issue(
        request: Request,
        csrf: Annotated[str, Form(max_length=128)] = "",
        scope: Annotated[str, Form(max_length=20)] = "",
        group: Annotated[str, Form(max_length=100)] = "",
        schools: Annotated[str, Form(max_length=20_000)] = "",
        kind: Annotated[str, Form(max_length=40)] = "",
        title: Annotated[str, Form(max_length=1000)] = "",
        text: Annotated[str, Form(max_length=40_000)] = "",
        due: Annotated[str, Form(max_length=40)] = "",
    ) -> Response:
        viewer = board.require(request)
        entered = {
            "scope": scope,
            "group": group,
            "schools": schools,
            "kind": kind,
            "title": title,
            "text": text,
            "due": due,
        }

        def refuse(status: int, message: str) -> Response:
            return list_page(viewer, status=status, error=message, entered=entered)

        refused = admin_refusal(board, request, viewer, csrf, "签发通报")
        if refused:
            return refuse(*refused)
        problem = _check(scope, group, schools, kind, title, text, due)
        if problem:
            return refuse(400, problem)
        try:
            chosen, shown = choose_audience(ctx.state, scope, group, schools)
            issued = issue_notice(
                ctx.state,
                ctx.home,
                kind=kind,
                title=title.strip(),
                text=text,
                due=parse_due(due),
                schools=chosen,
                audience_text=shown,
                issued_by=viewer.username,
                issuer=ctx.home.name,
                now=board.now(),
            )
        except SecopsError as exc:
            return refuse(400, f"未能签发通报：{exc}")
        return RedirectResponse(f"/notices/{issued.id}", status_code=303, headers=HEADERS)

    def _check(scope: str, group: str, schools: str, kind: str, title: str, text: str, due: str) -> str:
        """What is wrong with the form, in Chinese ("" when nothing is)."""
        problem = audience_problem(ctx.state, scope, group, schools, "通报")
        if problem:
            return problem
        if kind not in NOTICE_KINDS:
            return "请选择通报类型。"
        if not title.strip():
            return "请填写通报标题。"
        if len(title.strip()) > 200:
            return "通报标题最多 200 个字。"
        if len(text) > 20_000:
            return "通报正文最多 20000 个字。"
        try:
            parse_due(due)
        except ValueError:
            return "整改期限应写作小时或天数，例如 60h 或 3d（1 小时至 365 天）。"
        return ""

    @api.get("/notices/{notice_id}", response_class=HTMLResponse)
    def notice(request: Request, notice_id: str) -> Response:
        viewer = board.require(request)
        found = notice_views(ctx.state, board.now(), notice_id) if NOTICE_ID.match(notice_id) else []
        if not found:
            return board.render("not_found.html", viewer, status=404, nav="notices", what=f"通报 {notice_id}")
        return board.render("notice.html", viewer, nav="notices", notice=found[0])

    return api
