"""应急演练 in the dashboard: the drills the center asked of its schools (with the schedule form for
admins), one drill with every school it addressed (finished with its drill minutes, running, not
started, or overdue), and a comparison of each school's latest finished drill.

Scheduling is a POST form carrying the session's CSRF token; the role check (管理员) happens before
anything is signed, and a successful POST answers 303 to the new drill's page (POST-redirect-GET).
Minutes are drill minutes from detection (real minutes times the speed), as the schools send them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from secops.center.dashboard.notice_pages import (
    ISSUER_ROLE,
    admin_refusal,
    audience_problem,
    choose_audience,
    parse_due,
    role_of,
)
from secops.center.dashboard.web import HEADERS, Dashboard, Viewer
from secops.center.drills import (
    MAX_DUE,
    MIN_DUE,
    REQUEST_LIFETIME,
    SCHOOL_STATES,
    DrillView,
    SchoolResult,
    comparison,
    drill_views,
    drills,
    issue_drill,
)
from secops.center.notices import groups
from secops.center.staff import role_allows
from secops.errors import SecopsError
from secops.incident.drill.scenarios import DrillScenario, load_scenarios
from secops.incident.drill.store import MAX_SPEED, MIN_SPEED
from secops.protocol.drills import DRILL_ID
from secops.store import Store

DEFAULT_DUE = "14d"
DEFAULT_SPEED = "1"
MAX_TITLE = 200
MAX_TEXT = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL and the like: PostgreSQL refuses NUL
DRILL_ID_RE = re.compile(DRILL_ID)  # secops.center.drills names them d<time><random>
MILESTONE_NAMES = {"acknowledged": "确认", "reported": "首次报告", "contained": "遏制", "recovered": "恢复"}


def scenario_choices() -> dict[str, DrillScenario]:
    """The shipped scenarios by id, in id order (what the schools can run)."""
    return {s.id: s for s in sorted(load_scenarios(), key=lambda s: s.id)}


def parse_speed(text: str) -> float:
    """``1`` to ``60`` (decimals allowed); ValueError for anything else."""
    value = float(text.strip())
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class ReportBar:
    """One bar of the chart of minutes to the first report."""

    result: SchoolResult
    minutes: float | None


@dataclass(frozen=True)
class Comparison:
    results: list[SchoolResult]
    scenario: str  # "" for every scenario
    bars: list[ReportBar]
    peak: float


def compare(state: Store, scenario: str) -> Comparison:
    found = comparison(state, scenario or None)
    bars = [ReportBar(r, r.minutes("reported")) for r in found]
    peak = max((b.minutes for b in bars if b.minutes is not None), default=0.0)
    return Comparison(found, scenario, bars, peak)


def known_scenarios(state: Store, shipped: dict[str, DrillScenario]) -> set[str]:
    """Scenarios the comparison may be filtered by: the shipped ones and any a school has sent."""
    return set(shipped) | {r.scenario for r in comparison(state)}


@dataclass(frozen=True)
class OpenDrills:
    """The overview's line: drills still open (not past their deadline by more than the week a
    school may still fetch them) and how many schools are overdue on them."""

    views: list[DrillView]

    @property
    def overdue(self) -> int:
        return sum(v.count("overdue") for v in self.views)

    @property
    def link(self) -> str:
        return f"/drills/{self.views[0].drill.id}" if len(self.views) == 1 else "/drills"


def open_drills(state: Store, now: datetime) -> OpenDrills | None:
    """None when no drill is open, so an old drill nobody ran does not stay red on the overview."""
    recent = [d.id for d in drills(state) if d.due_at + REQUEST_LIFETIME > now]
    if not recent:
        return None
    return OpenDrills([view for drill_id in recent for view in drill_views(state, now, drill_id)])


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    def list_page(
        viewer: Viewer,
        *,
        status: int = 200,
        error: str = "",
        entered: dict[str, str] | None = None,
        scenario: str = "",
        compare_error: str = "",
    ) -> Response:
        shipped = scenario_choices()
        views: list[DrillView] = drill_views(ctx.state, board.now())
        return board.render(
            "drills.html",
            viewer,
            status=status,
            nav="drills",
            views=views,
            scenarios=shipped,
            compared=compare(ctx.state, scenario),
            compare_error=compare_error,
            can_issue=role_allows(role_of(ctx.state, viewer), ISSUER_ROLE),
            groups=groups(ctx.state),
            states=SCHOOL_STATES,
            milestones=MILESTONE_NAMES,
            error=error,
            entered=entered or {"scope": "all", "due": DEFAULT_DUE, "speed": DEFAULT_SPEED},
        )

    @api.get("/drills", response_class=HTMLResponse)
    def drill_list(request: Request, scenario: str = "") -> Response:
        viewer = board.require(request)
        scenario = scenario.strip()
        if scenario and scenario not in known_scenarios(ctx.state, scenario_choices()):
            shown = scenario[:100]
            return list_page(
                viewer, status=400, compare_error=f"没有演练场景 {shown}，已显示全部场景。请从列表中选择。"
            )
        return list_page(viewer, scenario=scenario)

    @api.post("/drills")
    def schedule(
        request: Request,
        csrf: Annotated[str, Form(max_length=128)] = "",
        scenario: Annotated[str, Form(max_length=100)] = "",
        speed: Annotated[str, Form(max_length=40)] = "",
        due: Annotated[str, Form(max_length=40)] = "",
        title: Annotated[str, Form(max_length=1000)] = "",
        text: Annotated[str, Form(max_length=40_000)] = "",
        scope: Annotated[str, Form(max_length=20)] = "",
        group: Annotated[str, Form(max_length=100)] = "",
        schools: Annotated[str, Form(max_length=20_000)] = "",
    ) -> Response:
        viewer = board.require(request)
        entered = {
            "scenario": scenario,
            "speed": speed,
            "due": due,
            "title": title,
            "text": text,
            "scope": scope,
            "group": group,
            "schools": schools,
        }

        def refuse(status: int, message: str) -> Response:
            return list_page(viewer, status=status, error=message, entered=entered)

        refused = admin_refusal(board, request, viewer, csrf, "安排应急演练")
        if refused:
            return refuse(*refused)
        problem = _check(scenario, speed, due, title, text) or audience_problem(
            ctx.state, scope, group, schools, "演练"
        )
        if problem:
            return refuse(400, problem)
        try:
            chosen, shown = choose_audience(ctx.state, scope, group, schools)
            made = issue_drill(
                ctx.state,
                ctx.home,
                scenario=scenario,
                title=title.strip(),
                text=text.strip(),
                speed=parse_speed(speed),
                due=parse_due(due),
                schools=chosen,
                audience_text=shown,
                issued_by=viewer.username,
                issuer=ctx.home.name,
                now=board.now(),
            )
        except SecopsError as exc:
            return refuse(400, f"未能安排演练：{exc}")
        return RedirectResponse(f"/drills/{made.id}", status_code=303, headers=HEADERS)

    @api.get("/drills/{drill_id}", response_class=HTMLResponse)
    def drill_page(request: Request, drill_id: str) -> Response:
        viewer = board.require(request)
        try:
            found = drill_views(ctx.state, board.now(), drill_id) if DRILL_ID_RE.match(drill_id) else []
        except SecopsError:
            found = []
        if not found:
            return board.render("not_found.html", viewer, status=404, nav="drills", what=f"演练 {drill_id}")
        return board.render(
            "drill.html",
            viewer,
            nav="drills",
            view=found[0],
            scenarios=scenario_choices(),
            states=SCHOOL_STATES,
            milestones=MILESTONE_NAMES,
        )

    return api


def _check(scenario: str, speed: str, due: str, title: str, text: str) -> str:
    """What is wrong with the form's scenario, speed, deadline and texts, in Chinese ("" when nothing is)."""
    if scenario not in scenario_choices():
        return "请选择一个演练场景。"
    try:
        parse_speed(speed)
    except ValueError:
        return f"倍速应为 {MIN_SPEED:g} 至 {MAX_SPEED:g} 之间的数字（1 为实时）。"
    try:
        within = MIN_DUE <= parse_due(due) <= MAX_DUE
    except ValueError:
        within = False
    if not within:
        days = MAX_DUE // timedelta(days=1)
        return f"完成期限应写作小时或天数，例如 72h 或 14d（1 小时至 {days} 天）。"
    if len(title.strip()) > MAX_TITLE:
        return f"演练标题最多 {MAX_TITLE} 个字。"
    if len(text.strip()) > MAX_TEXT:
        return f"演练说明最多 {MAX_TEXT} 个字。"
    if _CONTROL.search(title) or "\n" in title or "\r" in title or _CONTROL.search(text):
        return "标题和演练说明不能包含控制字符（标题也不能换行）。"
    return ""
