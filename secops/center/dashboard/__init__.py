"""The center dashboard: server-rendered pages for center staff behind a login.

Pages (Chinese, Beijing time, no JavaScript, no external assets): ``/login``, ``/logout`` (POST),
``/`` overview, ``/alerts``, ``/schools``, ``/schools/{code}``, ``/incidents``, ``/incidents/{id}`` (a case and
the staff actions on it, POST forms), ``/alerts/{id}``, ``/compliance``, ``/notices`` (通报; admins issue
them through a POST form), ``/notices/{id}``, ``/periods`` (重要时段 and their daily 零报告; admins define
them through a POST form) and ``/periods/{id}``. Accounts come from ``secops center user add``;
see ``secops.center.staff``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from secops.center.context import CenterContext


def install_dashboard(app: FastAPI, ctx: CenterContext) -> None:
    """Mount the dashboard's routes (kept out of the OpenAPI spec, which documents the ingestion API)."""
    from secops.center.dashboard import auth, case_pages, compliance_pages, notice_pages, pages, period_pages
    from secops.center.dashboard.web import Dashboard, LoginRequired

    board = Dashboard(ctx)
    app.include_router(auth.router(board))
    app.include_router(pages.router(board))
    app.include_router(compliance_pages.router(board))
    app.include_router(case_pages.router(board))
    app.include_router(notice_pages.router(board))
    app.include_router(period_pages.router(board))
    app.add_exception_handler(LoginRequired, auth.login_redirect)
    app.add_middleware(auth.LoginGate, board=board)
