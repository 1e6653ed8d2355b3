"""Signing in and out: the login form (CSRF-protected, throttled) and the logout button."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from secops.center.dashboard.web import (
    HEADERS,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Dashboard,
    LoginRequired,
    safe_next,
)
from secops.center.guard import client_address
from secops.center.staff import authenticate, create_session, end_session

T = TypeVar("T")

LOGIN_FORM_LIFETIME = 3600  # seconds the login page's CSRF binding lives


def login_redirect(_request: Request, exc: Exception) -> Response:
    """The answer to LoginRequired: back to the page asked for once signed in."""
    assert isinstance(exc, LoginRequired)
    target = "/login" if safe_next(exc.next_path) == "/" else f"/login?next={_quote(exc.next_path)}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


async def _throttle(board: Dashboard, call: Callable[..., T], *args: Any) -> T:
    """A login-throttle call: off the event loop when the throttle asks the database."""
    if board.throttle.shared:
        return await run_in_threadpool(call, *args)
    return call(*args)


class LoginGate:
    """Refuses a login POST from an address (or a moment) already over the failure limits before
    its form is read or parsed: a flood of made-up names costs the center next to nothing."""

    def __init__(self, app: ASGIApp, board: Dashboard) -> None:
        self.app = app
        self.board = board

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/login":
            peer = scope["client"][0] if scope.get("client") else None
            client = client_address(peer, Headers(scope=scope), self.board.trusted_proxies)
            wait = await _throttle(self.board, self.board.throttle.address_wait, client, self.board.now())
            if wait:
                minutes = (wait + 59) // 60
                response = HTMLResponse(
                    f"<!doctype html><title>登录</title><p>失败次数过多，请 {minutes} 分钟后再试。</p>",
                    status_code=429,
                    headers={**HEADERS, "Retry-After": str(wait)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="")


def router(board: Dashboard) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    def login_page(
        request: Request, next_path: str, status: int = 200, error: str = "", username: str = ""
    ) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        if not 20 <= len(nonce) <= 64:
            nonce = secrets.token_urlsafe(24)
        response = board.render(
            "login.html",
            None,
            status=status,
            csrf=board.csrf_token("login:" + nonce),
            next_path=safe_next(next_path),
            error=error,
            username=username,
        )
        board.set_cookie(request, response, LOGIN_COOKIE, nonce, LOGIN_FORM_LIFETIME)
        return response

    @api.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next_path: Annotated[str, Query(alias="next", max_length=2048)] = "/") -> Response:
        if board.viewer(request) is not None:
            return RedirectResponse(safe_next(next_path), status_code=303)
        return login_page(request, next_path)

    def too_many(request: Request, next_path: str, username: str, wait: int) -> Response:
        minutes = (wait + 59) // 60
        response = login_page(request, next_path, 429, f"失败次数过多，请 {minutes} 分钟后再试。", username)
        response.headers["Retry-After"] = str(wait)
        return response

    @api.post("/login")
    async def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)] = "",
        password: Annotated[str, Form(max_length=1024)] = "",
        csrf: Annotated[str, Form(max_length=128)] = "",
        next_path: Annotated[str, Form(alias="next", max_length=2048)] = "/",
    ) -> Response:
        username = username.strip()
        nonce = request.cookies.get(LOGIN_COOKIE)
        if not board.csrf_valid(nonce and "login:" + nonce, csrf):
            return login_page(request, next_path, 400, "登录表单已失效，请重新输入。", username)
        now = board.now()
        client = board.client(request)
        throttle_key = username.lower()
        wait = await _throttle(board, board.throttle.retry_after, throttle_key, client, now)
        if wait:
            return too_many(request, next_path, username, wait)
        # The password check runs in the login pool, never in the one ingestion uses; a full pool is a 429.
        good = await board.hashes.run(authenticate, board.ctx.state, username, password) if username else False
        if good is None:
            response = login_page(request, next_path, 429, "登录请求过多，请稍后再试。", username)
            response.headers["Retry-After"] = "5"
            return response
        if not good:
            await _throttle(board, board.throttle.failed, throttle_key, client, now)
            return login_page(request, next_path, 401, "用户名或密码错误。", username)
        await _throttle(board, board.throttle.succeeded, throttle_key, client)
        token = await run_in_threadpool(create_session, board.ctx.state, username, now)
        response = RedirectResponse(safe_next(next_path), status_code=303, headers=HEADERS)
        board.set_session(request, response, token)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @api.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token and board.csrf_valid("session:" + token, csrf):
            end_session(board.ctx.state, token)
        elif board.viewer(request) is not None:
            # A signed-in browser posting without our token: a forged cross-site request; keep the session.
            return HTMLResponse("请求无效（缺少表单令牌）。", status_code=400, headers=HEADERS)
        response = RedirectResponse("/login", status_code=303, headers=HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return api
