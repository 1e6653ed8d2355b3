"""What keeps a hostile client from tiring the center: body deadlines and caps, JSON depth, client address.

``RequestGuard`` wraps the whole ASGI app. Every request gets ``body_timeout`` seconds to deliver
its body (408 and the connection closed otherwise), and requests outside the signed API (the
dashboard's forms) may carry at most ``FORM_BODY_BYTES``. The signed API checks its own, larger
limit after authenticating the headers, so a stranger learns nothing and is never read. The
header deadline lives in the HTTP protocol (``secops.center.server``): the app is not called
before the headers are complete.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 64  # an alert or a summary is a few levels deep; orjson refuses to write past ~254
FORM_BODY_BYTES = 64 * 1024  # the login form and the logout button are a few hundred bytes
API_PREFIX = "/api/"

# A JSON string (escapes included, unrolled so it cannot backtrack) or one bracket: strings are
# skipped in C, so only brackets and strings cost a Python step.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``body`` nests arrays/objects deeper than ``limit`` (no recursion, no parse).

    Brackets inside strings do not count. A malformed document may be misjudged either way; the
    parser refuses it afterwards anyway."""
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def nested_deeper(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when parsed JSON nests arrays/objects deeper than ``limit`` (iterative: no recursion).

    Checking the parsed value costs a step per container, where scanning the body costs one per
    bracket and string: a batch of alerts is parsed by orjson (bounded at 1024 levels) first."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


def _error(status: int, error: str, hint: str) -> tuple[dict[str, Any], bytes]:
    body = orjson.dumps({"error": error, "hint": hint})
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),  # the rest of the body is not read
        ],
    }
    return start, body


class RequestGuard:
    def __init__(self, app: ASGIApp, *, body_timeout: float, form_bytes: int = FORM_BODY_BYTES) -> None:
        self.app = app
        self.body_timeout = body_timeout
        self.form_bytes = form_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = None if str(scope.get("path", "")).startswith(API_PREFIX) else self.form_bytes
        declared = _content_length(scope)
        if cap is not None and declared is not None and declared > cap:
            start, body = _error(413, f"the request body is larger than {cap} bytes", "send a smaller request")
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        received = 0
        body_done = False
        answered = False  # the guard answered; the app's own answer is dropped
        started = False

        async def refuse(status: int, error: str, hint: str) -> Message:
            nonlocal answered
            if not started and not answered:
                answered = True
                start, body = _error(status, error, hint)
                await send(start)
                await send({"type": "http.response.body", "body": body})
            return {"type": "http.disconnect"}

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if answered:
                return {"type": "http.disconnect"}
            if body_done:  # afterwards only a disconnect can come: no deadline on waiting for it
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(deadline - loop.time(), 0.0))
            except TimeoutError:
                return await refuse(
                    408,
                    f"the request body did not arrive within {self.body_timeout:g} s",
                    "send the whole request at once",
                )
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if cap is not None and received > cap:
                    return await refuse(413, f"the request body is larger than {cap} bytes", "send a smaller request")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if not answered:
                raise
            # The app saw the disconnect the guard handed it after answering: nothing more to say.


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None
    return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in net for net in trusted)


def _forwarded_chain(headers: Mapping[str, str]) -> list[str]:
    """Client addresses the proxies reported, nearest client first, farthest proxy last."""
    if forwarded_for := headers.get("x-forwarded-for"):
        return [part for part in forwarded_for.split(",") if part.strip()]
    if forwarded := headers.get("forwarded"):
        chain = []
        for element in forwarded.split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for" and value.strip():
                    chain.append(value)
        return chain
    if real_ip := headers.get("x-real-ip"):
        return [real_ip]
    return []


def client_address(peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...]) -> str:
    """The address to hold a request against: the direct peer, unless the peer is a trusted proxy;
    then the nearest address its forwarded-for headers name that is not itself a trusted proxy
    (anything a client wrote further left could be forged)."""
    if not peer:
        return "-"
    if not trusted or not _trusted(_address(peer), trusted):
        return peer
    for entry in reversed(_forwarded_chain(headers)):
        address = _address(entry)
        if address is None:
            return peer  # garbage from the proxy chain: fall back to what we can see
        if not _trusted(address, trusted):
            return str(address)
    return peer
