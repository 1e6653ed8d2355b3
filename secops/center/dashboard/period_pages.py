"""重要时段 in the dashboard: the list of periods (with the define form for admins), one period's days
with who submitted the 零报告 and who is missing, and today's missing schools for the overview.

Defining a period is a POST form carrying the session's CSRF token; the role check (管理员) happens
before anything is signed, and a successful POST answers 303 to the new period's page
(POST-redirect-GET). A day shows only once it has begun (Beijing); a school is *missing* only after
that day's deadline has passed, before it the school is still *waiting*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from secops.center.dashboard.notice_pages import (
    ISSUER_ROLE,
    admin_refusal,
    audience_problem,
    choose_audience,
    role_of,
)
from secops.center.dashboard.web import HEADERS, Dashboard, Viewer
from secops.center.notices import groups
from secops.center.periods import Period, PeriodDay, find_period, issue_period, period_days, periods
from secops.center.staff import role_allows
from secops.errors import SecopsError
from secops.protocol.zero_reports import MAX_DAYS, SUBMITTERS, beijing_day
from secops.store import Store

DEFAULT_DEADLINE = "16:00"
MAX_NAME = 100
PERIOD_ID = re.compile(r"^z\d{14}[0-9a-f]{8}$")  # secops.center.periods names them z<time><random>
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DEADLINE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` (Beijing) only; ValueError for anything else."""
    text = text.strip()
    if not _DAY.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


@dataclass(frozen=True)
class PeriodRow:
    """One period in the list, with where it stands today (Beijing)."""

    period: Period
    state: str  # current | upcoming | ended
    today: PeriodDay | None  # today's submissions when the period covers today

    @property
    def current(self) -> bool:
        return self.state == "current"


def period_rows(state: Store, now: datetime) -> list[PeriodRow]:
    """Every period: the current ones first, then upcoming, then ended (each the latest first day first)."""
    today = beijing_day(now)
    rows = []
    for period in periods(state):
        if period.covers(today):
            [day] = period_days(state, period.id, now, today)
            rows.append(PeriodRow(period, "current", day))
        else:
            rows.append(PeriodRow(period, "upcoming" if period.start > today else "ended", None))
    order = {"current": 0, "upcoming": 1, "ended": 2}
    return sorted(rows, key=lambda r: order[r.state])  # stable: keeps periods()'s order within each


@dataclass(frozen=True)
class TodayMissing:
    """The overview's line: the periods active today and the schools missing today's 零报告."""

    rows: list[PeriodRow]
    missing: list[str]  # school codes missing in any active period (after its deadline)

    @property
    def link(self) -> str:
        if len(self.rows) == 1:
            row = self.rows[0]
            assert row.today is not None
            return f"/periods/{row.period.id}?day={row.today.day.isoformat()}"
        return "/periods"


def today_missing(state: Store, now: datetime) -> TodayMissing | None:
    """None when no period covers today (Beijing)."""
    rows = [r for r in period_rows(state, now) if r.current]
    if not rows:
        return None
    missing = sorted({s.school for r in rows if r.today is not None for s in r.today.missing})
    return TodayMissing(rows, missing)


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    def list_page(
        viewer: Viewer, *, status: int = 200, error: str = "", entered: dict[str, str] | None = None
    ) -> Response:
        now = board.now()
        return board.render(
            "periods.html",
            viewer,
            status=status,
            nav="periods",
            rows=period_rows(ctx.state, now),
            today=beijing_day(now),
            can_issue=role_allows(role_of(ctx.state, viewer), ISSUER_ROLE),
            groups=groups(ctx.state),
            error=error,
            entered=entered or {"scope": "all", "deadline": DEFAULT_DEADLINE},
        )

    @api.get("/periods", response_class=HTMLResponse)
    def period_list(request: Request) -> Response:
        return list_page(board.require(request))

    @api.post("/periods")
    def define(
        request: Request,
        csrf: Annotated[str, Form(max_length=128)] = "",
        name: Annotated[str, Form(max_length=1000)] = "",
        start: Annotated[str, Form(max_length=40)] = "",
        end: Annotated[str, Form(max_length=40)] = "",
        deadline: Annotated[str, Form(max_length=40)] = "",
        scope: Annotated[str, Form(max_length=20)] = "",
        group: Annotated[str, Form(max_length=100)] = "",
        schools: Annotated[str, Form(max_length=20_000)] = "",
    ) -> Response:
        viewer = board.require(request)
        entered = {
            "name": name,
            "start": start,
            "end": end,
            "deadline": deadline,
            "scope": scope,
            "group": group,
            "schools": schools,
        }

        def refuse(status: int, message: str) -> Response:
            return list_page(viewer, status=status, error=message, entered=entered)

        refused = admin_refusal(board, request, viewer, csrf, "定义重要时段")
        if refused:
            return refuse(*refused)
        now = board.now()
        problem = _check(name, start, end, deadline, now) or audience_problem(
            ctx.state, scope, group, schools, "重要时段"
        )
        if problem:
            return refuse(400, problem)
        try:
            chosen, shown = choose_audience(ctx.state, scope, group, schools)
            made = issue_period(
                ctx.state,
                ctx.home,
                name=name.strip(),
                start=parse_day(start),
                end=parse_day(end),
                deadline=deadline.strip(),
                schools=chosen,
                audience_text=shown,
                issued_by=viewer.username,
                issuer=ctx.home.name,
                now=now,
            )
        except SecopsError as exc:
            return refuse(400, f"未能定义重要时段：{exc}")
        return RedirectResponse(f"/periods/{made.id}", status_code=303, headers=HEADERS)

    @api.get("/periods/{period_id}", response_class=HTMLResponse)
    def period_page(request: Request, period_id: str, day: str = "") -> Response:
        viewer = board.require(request)
        now = board.now()
        try:
            period = find_period(ctx.state, period_id) if PERIOD_ID.match(period_id) else None
        except SecopsError:
            period = None
        if period is None:
            return board.render("not_found.html", viewer, status=404, nav="periods", what=f"重要时段 {period_id}")
        today = beijing_day(now)
        error, status, chosen = "", 200, None
        if day.strip():
            try:
                chosen = parse_day(day)
            except ValueError:
                error = "日期格式应为 YYYY-MM-DD（北京时间），已显示全部日期。"
            else:
                if not period.covers(chosen):
                    span = f"{period.start.isoformat()} 至 {period.end.isoformat()}"
                    error = f"{chosen.isoformat()} 不在该时段内（{span}），已显示全部日期。"
                elif chosen > today:
                    error = f"{chosen.isoformat()} 尚未开始（北京时间今天是 {today.isoformat()}），已显示全部日期。"
            if error:
                chosen, status = None, 400
        days = period_days(ctx.state, period.id, now, chosen)
        return board.render(
            "period.html",
            viewer,
            status=status,
            nav="periods",
            period=period,
            days=sorted(days, key=lambda d: d.day, reverse=True),
            choices=[d for d in reversed(period.days()) if d <= today],
            chosen=chosen,
            error=error,
            submitters=SUBMITTERS,
        )

    return api


def _check(name: str, start: str, end: str, deadline: str, now: datetime) -> str:
    """What is wrong with the form's name, dates and deadline, in Chinese ("" when nothing is)."""
    if not name.strip():
        return "请填写重要时段名称。"
    if len(name.strip()) > MAX_NAME:
        return f"重要时段名称最多 {MAX_NAME} 个字。"
    try:
        first = parse_day(start)
    except ValueError:
        return "开始日期应写作 YYYY-MM-DD（北京时间），例如 2027-06-07。"
    try:
        last = parse_day(end)
    except ValueError:
        return "结束日期应写作 YYYY-MM-DD（北京时间），例如 2027-06-10。"
    if last < first:
        return "结束日期不能早于开始日期。"
    if (last - first).days >= MAX_DAYS:
        return f"一个重要时段最长 {MAX_DAYS} 天。"
    today = beijing_day(now)
    if last < today:
        return f"结束日期已过（北京时间今天是 {today.isoformat()}）。"
    if not _DEADLINE.match(deadline.strip()):
        return "每日截止时间应写作 HH:MM（北京时间），例如 16:00。"
    return ""
