"""The dashboard's 等保 compliance page: every school's latest summary, overdue filings and
assessments first. Summaries arrive through ``POST /api/v1/compliance`` (the forwarder sends them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from secops.center.compliance_store import summaries
from secops.center.dashboard.web import Dashboard


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    ctx = board.ctx

    @api.get("/compliance", response_class=HTMLResponse)
    def compliance(request: Request, show: str = "") -> Response:
        viewer = board.require(request)
        now = board.now()
        found = summaries(ctx.state, now)
        overdue = sorted((s for s in found if s.overdue), key=lambda s: (-len(s.overdue), s.code))
        return board.render(
            "compliance.html",
            viewer,
            nav="compliance",
            overdue=overdue,
            schools=found if show == "all" else [],
            show_all=show == "all",
            reported=len(found),
        )

    return api
