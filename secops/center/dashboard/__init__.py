"""The center dashboard: server-rendered pages for center staff behind a login.

Pages (Chinese, Beijing time, no JavaScript, no external assets): ``/login``, ``/logout`` (POST),
``/`` overview, ``/alerts``, ``/schools``, ``/schools/{code}``, ``/incidents``, ``/incidents/{id}`` (a case and
the staff actions on it, POST forms), ``/alerts/{id}``, ``/compliance``, ``/notices`` (通报; admins issue
them through a POST form), ``/notices/{id}``, ``/periods`` (重要时段 and their daily 零报告; admins define
them through a POST form), ``/periods/{id}``, ``/drills`` (应急演练 asked of the schools and how fast
each responded; admins schedule them through a POST form) and ``/drills/{id}``. Accounts come from
``secops center user add``; see ``secops.center.staff``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from secops.center.context import CenterContext


class SpeakChinese:
    """The dashboard's pages are Chinese, so the messages they show from the center's rules (a case
    action refused, a notice not issued) are too, whatever language the process was started in. The
    API (``/api/``) is left as it is: machines read it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        from secops.i18n import speaking

        with speaking("zh"):  # a ContextVar: the worker thread of a sync page copies it
            await self.app(scope, receive, send)


def install_dashboard(app: FastAPI, ctx: CenterContext) -> None:
    """Mount the dashboard's routes (kept out of the OpenAPI spec, which documents the ingestion API)."""
    from secops.center.dashboard import (
        auth,
        case_pages,
        compliance_pages,
        drill_pages,
        notice_pages,
        pages,
        period_pages,
    )
    from secops.center.dashboard.web import Dashboard, LoginRequired

    board = Dashboard(ctx)
    app.include_router(auth.router(board))
    app.include_router(pages.router(board))
    app.include_router(compliance_pages.router(board))
    app.include_router(case_pages.router(board))
    app.include_router(notice_pages.router(board))
    app.include_router(period_pages.router(board))
    app.include_router(drill_pages.router(board))
    app.add_exception_handler(LoginRequired, auth.login_redirect)
    app.add_middleware(auth.LoginGate, board=board)
    app.add_middleware(SpeakChinese)
