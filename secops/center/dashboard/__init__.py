"""The center dashboard: server-rendered pages for center staff behind a login."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from secops.center.context import CenterContext


def install_dashboard(app: FastAPI, ctx: CenterContext) -> None:
    """Mount the dashboard's routes on the center app (being built in this session: issue 7)."""
