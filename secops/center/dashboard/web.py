"""What every dashboard page shares: templates, the signed-in user, CSRF tokens, response headers."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from secops.center.context import CenterContext
from secops.center.guard import client_address, networks
from secops.center.login_failures import throttle_for
from secops.center.staff import SESSION_LIFETIME, HashPool, session_user
from secops.errors import SecopsError
from secops.incident.clocks import format_left
from secops.incident.model import STATE_NAMES
from secops.incident.policy import IncidentPolicy, load_policy
from secops.protocol.notices import NOTICE_KINDS, STATUS_NAMES

HERE = Path(__file__).parent
ZONE = ZoneInfo("Asia/Shanghai")
SESSION_COOKIE = "secops_session"
LOGIN_COOKIE = "secops_login"  # binds the login form's CSRF token before there is a session
NOTICE_STATUS_NAMES = {"not_received": "未接收", **STATUS_NAMES}
SEVERITY_NAMES = {"critical": "严重", "high": "高危", "medium": "中危", "low": "低危", "info": "信息"}
# Pages carry no script at all; styles come only from our own stylesheet.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """Raised by a page when nobody is signed in; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Viewer:
    username: str
    csrf: str  # for the logout form (bound to this session)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(ZONE).strftime(fmt)


def category_name(code: str) -> str:
    """The GB/T 20986 category's name for its code (the code itself if unknown)."""
    from secops.incident.taxonomy import load_taxonomy

    try:
        return load_taxonomy().category(code).name
    except SecopsError:  # an unknown code from a newer school: show it as sent
        return code


def duration(value: timedelta | None) -> str:
    """A span in Chinese, e.g. 3天2小时 (absolute: callers say whether it is left or overdue)."""
    if value is None:
        return "—"
    return format_left(abs(value))


def drill_minutes(value: float | None) -> str:
    """Drill minutes as a school sent them: 42, 12.5 (one decimal at most); — when not reached."""
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0")


def percent(value: float | None) -> str:
    """A share as a whole percentage (67%); — when there was nothing to count."""
    return "—" if value is None else f"{value:.0%}"


def safe_next(path: str | None) -> str:
    """Only a local path may be a post-login destination (no //host or scheme: no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in path):  # browsers drop tabs/newlines: "/\t/evil" is "//evil"
        return "/"
    return path


class Dashboard:
    def __init__(self, ctx: CenterContext, policy: IncidentPolicy | None = None) -> None:
        self.ctx = ctx
        self.policy = policy or load_policy()
        self.throttle = throttle_for(
            ctx.state, several_processes=ctx.several_processes
        )  # shared through the database on PostgreSQL
        self.hashes = HashPool()
        self.trusted_proxies = networks(ctx.settings.trusted_proxies)
        self._csrf_key = hmac.new(ctx.secret, b"secops-dashboard-csrf-v1", hashlib.sha256).digest()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True
        )
        self.env.filters["local"] = local_time
        self.env.filters["duration"] = duration
        self.env.filters["severity_name"] = lambda s: SEVERITY_NAMES.get(s, s)
        self.env.filters["state_name"] = lambda s: STATE_NAMES.get(s, s)
        self.env.filters["urlq"] = lambda s: quote(str(s), safe="")
        self.env.filters["category_name"] = category_name
        self.env.filters["notice_kind"] = lambda s: NOTICE_KINDS.get(s, s)
        self.env.filters["notice_status"] = lambda s: NOTICE_STATUS_NAMES.get(s, s)
        self.env.filters["minutes"] = drill_minutes
        self.env.filters["percent"] = percent
        self.stylesheet = (HERE / "static" / "dashboard.css").read_bytes()

    def now(self) -> datetime:
        return self.ctx.now()

    def client(self, request: Request) -> str:
        """The address the login throttle counts (forwarded-for only from a trusted proxy)."""
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers, self.trusted_proxies)

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self._csrf_key, binding.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_valid(self, binding: str | None, token: str | None) -> bool:
        if not binding or not token:
            return False
        return hmac.compare_digest(self.csrf_token(binding), token)

    def viewer(self, request: Request) -> Viewer | None:
        token = request.cookies.get(SESSION_COOKIE)
        name = session_user(self.ctx.state, token, self.now())
        if name is None or token is None:
            return None
        return Viewer(name, self.csrf_token("session:" + token))

    def require(self, request: Request) -> Viewer:
        found = self.viewer(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        return found

    def render(self, template: str, viewer: Viewer | None, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(viewer=viewer, now=self.now(), **values)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def set_cookie(self, request: Request, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",  # behind TLS; plain HTTP only on loopback/tests
        )

    def set_session(self, request: Request, response: Response, token: str) -> None:
        self.set_cookie(request, response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
