"""The dashboard's pages: overview, alerts, schools, one school, incidents. All need a signed-in user."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from secops.center.compliance_store import overdue_schools
from secops.center.dashboard import charts, queries
from secops.center.dashboard.drill_pages import open_drills
from secops.center.dashboard.notice_pages import school_notices
from secops.center.dashboard.period_pages import today_missing
from secops.center.dashboard.web import ZONE, Dashboard
from secops.center.school_incidents import school_incidents
from secops.center.staff import mark_looked
from secops.center.stores.base import AlertQuery

ALERTS_PER_PAGE = 50
REFRESH_SECONDS = 60  # the overview reloads itself (meta refresh: the CSP allows no script)
FIRST_LOOK = timedelta(hours=24)  # "new since you looked" on a first visit
MAX_SEEN_BACK = timedelta(days=30)
SCHOOLS_PER_PAGE = 100
MAX_WINDOW = 10_000  # deepest result reachable by paging (Elasticsearch's default max_result_window)
SCHOOL_CODE = re.compile(r"^\d{10}$")
_RELATIVE = re.compile(r"^(\d{1,12})([hd])$")  # a long number is out of range, not malformed
SINCE_CHOICES = (
    ("", "全部时间"),
    ("1h", "最近 1 小时"),
    ("24h", "最近 24 小时"),
    ("7d", "最近 7 天"),
    ("30d", "最近 30 天"),
)


# Absolute dates the alert stores can compare (year 1 overflowed converting to UTC: a 500).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class OutOfRange(ValueError):
    """A well-formed time the dashboard will not search from."""


def parse_since(text: str, now: datetime) -> datetime:
    """``24h`` / ``7d`` relative to now, or a date/time read in Beijing time (``2026-11-20``).

    ValueError for a malformed text, OutOfRange for a date outside 2000-2099."""
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            moment = now - (timedelta(hours=amount) if unit == "h" else timedelta(days=amount))
        except OverflowError:
            raise OutOfRange(text) from None
    else:
        moment = datetime.fromisoformat(text)  # ValueError: the caller reports it
        moment = moment if moment.tzinfo else moment.replace(tzinfo=ZONE)
    # The bounds are years as the user wrote them (2000-01-01 Beijing time is in, 2100-01-01 is out);
    # the conversion to UTC is what overflowed at year 1.
    if not EARLIEST.year <= moment.year < LATEST.year:
        raise OutOfRange(text)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise OutOfRange(text) from None
    return moment


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None


def pager(path: str, params: dict[str, str], page: int, total: int, per_page: int) -> Pager:
    reachable = min(total, MAX_WINDOW)
    pages = max(1, math.ceil(reachable / per_page))
    page = min(max(page, 1), pages)

    def url(number: int) -> str:
        query = {k: v for k, v in params.items() if v}
        if number > 1:
            query["page"] = str(number)
        return path + ("?" + urlencode(query) if query else "")

    return Pager(
        page=page,
        pages=pages,
        total=total,
        prev_url=url(page - 1) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
    )


def _seen(text: str, now: datetime) -> datetime | None:
    """The moment an auto-refreshing overview counts from (unix seconds), if plausible: at most 30
    days back and not in the future; anything else is ignored, not an error."""
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    moment = datetime.fromtimestamp(int(text), UTC)
    return moment if now - MAX_SEEN_BACK <= moment <= now else None


def _page_number(text: str) -> int:
    # isascii: "²".isdigit() is true but int() refuses it; length: no 10,000-digit conversions.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 8 and 0 < int(text) < 1_000_000 else 1


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    def silent_after() -> timedelta:
        return timedelta(hours=ctx.settings.silent_after_hours)

    @api.get("/static/dashboard.css")
    def stylesheet() -> Response:
        return Response(board.stylesheet, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @api.get("/", response_class=HTMLResponse)
    def overview(request: Request, seen: str = "") -> Response:
        viewer = board.require(request)
        now = board.now()
        # What is new since the viewer last looked (first visit: the last 24 h). The page reloads
        # itself every minute carrying that moment in ``seen``, so a screen left open keeps counting
        # from when the person sat down rather than from the previous reload.
        before = mark_looked(ctx.state, viewer.username, now) or now - FIRST_LOOK
        looked_since = _seen(seen, now) or before
        new_alerts = ctx.alerts.count(AlertQuery(received_since=looked_since))
        new_cases = queries.incidents_opened_since(ctx.state, looked_since)
        found = queries.schools(ctx.state, ctx.alerts, now, silent_after())
        views = queries.incident_views(ctx.state, board.policy, now)
        names = {s.code: s.name for s in found}
        top = queries.top_schools(ctx.alerts, now)
        return board.render(
            "overview.html",
            viewer,
            nav="overview",
            severities=queries.severity_table(ctx.alerts, now),
            top=top,
            top_peak=max((n for _, n in top), default=0),
            names=names,
            hourly=charts.hourly(ctx.alerts, now, ZONE),
            daily=charts.daily(ctx.alerts, now, ZONE),
            silent=queries.silent_schools(found),
            forwarder_silent=queries.forwarder_silent_schools(found),
            silent_hours=ctx.settings.silent_after_hours,
            school_count=sum(1 for s in found if not s.revoked),
            incidents=views[:10],
            incident_count=len(views),
            overdue_count=sum(1 for v in views if v.overdue),
            compliance_overdue=overdue_schools(ctx.state, now),
            school_open=school_incidents(ctx.state, now),
            periods_today=today_missing(ctx.state, now),
            drills_open=open_drills(ctx.state, now),
            looked_since=looked_since,
            new_alerts=new_alerts,
            new_cases=new_cases,
            refresh_url="/?" + urlencode({"seen": str(int(looked_since.timestamp()))}),
            refresh_seconds=REFRESH_SECONDS,
        )

    @api.get("/alerts", response_class=HTMLResponse)
    def alerts(
        request: Request, school: str = "", severity: str = "", since: str = "", q: str = "", page: str = "1"
    ) -> Response:
        viewer = board.require(request)
        now = board.now()
        errors: list[str] = []
        school, severity, since, q = school.strip(), severity.strip(), since.strip(), q.strip()[:100]
        if school and not SCHOOL_CODE.match(school):
            errors.append("学校代码应为 10 位数字，已忽略该条件。")
            school = ""
        if severity and severity not in queries.SEVERITIES:
            errors.append("未知的告警级别，已忽略该条件。")
            severity = ""
        since_at = None
        status = 200
        if since:
            try:
                since_at = parse_since(since, now)
            except OutOfRange:
                errors.append("起始时间超出范围（应在 2000 年至 2099 年之间），已忽略该条件。")
                since, status = "", 400
            except ValueError:
                errors.append("起始时间格式应为 24h、7d 或 2026-11-20，已忽略该条件。")
                since, status = "", 400
        query = AlertQuery(
            school=school or None, severities=(severity,) if severity else (), since=since_at, text=q or None
        )
        total = ctx.alerts.count(query)
        params = {"school": school, "severity": severity, "since": since, "q": q}
        pages = pager("/alerts", params, _page_number(page), total, ALERTS_PER_PAGE)
        offset = (pages.page - 1) * ALERTS_PER_PAGE
        rows = ctx.alerts.search(replace(query, limit=min(ALERTS_PER_PAGE, MAX_WINDOW - offset), offset=offset))
        return board.render(
            "alerts.html",
            viewer,
            status=status,
            nav="alerts",
            groups=queries.group_alerts(rows),
            names=queries.school_names(ctx.state),
            filters=params,
            since_choices=SINCE_CHOICES,
            severities=queries.SEVERITIES,
            pager=pages,
            capped=total > MAX_WINDOW,
            errors=errors,
        )

    @api.get("/schools", response_class=HTMLResponse)
    def school_list(request: Request, q: str = "", status: str = "", page: str = "1") -> Response:
        viewer = board.require(request)
        now = board.now()
        found = queries.schools(ctx.state, ctx.alerts, now, silent_after())
        q = q.strip()[:50]
        if q:
            found = [s for s in found if q in s.code or q.lower() in s.name.lower()]
        if status == "silent":
            found = queries.silent_schools(found)
        elif status == "forwarder_silent":
            found = queries.forwarder_silent_schools(found)
        elif status == "revoked":
            found = [s for s in found if s.revoked]
        else:
            status = ""
        params = {"q": q, "status": status}
        pages = pager("/schools", params, _page_number(page), len(found), SCHOOLS_PER_PAGE)
        start = (pages.page - 1) * SCHOOLS_PER_PAGE
        return board.render(
            "schools.html",
            viewer,
            nav="schools",
            schools=found[start : start + SCHOOLS_PER_PAGE],
            filters=params,
            pager=pages,
            silent_hours=ctx.settings.silent_after_hours,
        )

    @api.get("/schools/{code}", response_class=HTMLResponse)
    def school_page(request: Request, code: str) -> Response:
        viewer = board.require(request)
        now = board.now()
        found = (
            queries.schools(ctx.state, ctx.alerts, now, silent_after(), code=code) if SCHOOL_CODE.match(code) else []
        )
        if not found:
            return board.render("not_found.html", viewer, status=404, nav="schools", what=f"学校 {code}")
        school = found[0]
        values: dict[str, Any] = {
            "school": school,
            "severities": queries.severity_table(ctx.alerts, now, school=code),
            "hourly": charts.hourly(ctx.alerts, now, ZONE, school=code),
            "daily": charts.daily(ctx.alerts, now, ZONE, school=code),
            "recent": ctx.alerts.search(AlertQuery(school=code, limit=20)),
            "incidents": queries.incident_views(ctx.state, board.policy, now, open_only=False, school=code, limit=50),
            "silent_hours": ctx.settings.silent_after_hours,
            "reported": school_incidents(ctx.state, now, school=code, open_only=False, limit=50),
            "notices": school_notices(ctx.state, now, code),
        }
        return board.render("school.html", viewer, nav="schools", **values)

    @api.get("/incidents", response_class=HTMLResponse)
    def incident_list(request: Request, show: Annotated[str, Query(alias="all")] = "") -> Response:
        viewer = board.require(request)
        now = board.now()
        show_all = show == "1"
        views = queries.incident_views(ctx.state, board.policy, now, open_only=not show_all)
        return board.render(
            "incidents.html",
            viewer,
            nav="incidents",
            incidents=views,
            names=queries.school_names(ctx.state),
            show_all=show_all,
            overdue_count=sum(1 for v in views if v.overdue),
            school_incidents=school_incidents(ctx.state, now, open_only=not show_all),
        )

    return api
