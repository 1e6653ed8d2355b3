"""A trusted TLS proxy's X-Forwarded-Proto / Forwarded proto sets the request's scheme; nobody else's does."""

from __future__ import annotations

import asyncio
from typing import Any

from secops.center.guard import networks
from secops.center.proxy import ForwardedProto


def scheme_seen(peer: str, headers: list[tuple[bytes, bytes]], trusted: list[str]) -> str:
    seen: dict[str, Any] = {}

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen["scheme"] = scope["scheme"]

    scope = {"type": "http", "scheme": "http", "client": (peer, 50000), "headers": headers}
    asyncio.run(ForwardedProto(app, trusted=networks(trusted))(scope, None, None))  # type: ignore[arg-type]
    return str(seen["scheme"])


def test_only_a_trusted_peer_sets_the_scheme() -> None:
    https = [(b"x-forwarded-proto", b"https")]
    assert scheme_seen("127.0.0.1", https, ["127.0.0.1"]) == "https"
    assert scheme_seen("10.0.0.9", https, ["10.0.0.0/24"]) == "https"
    assert scheme_seen("10.0.1.9", https, ["10.0.0.0/24"]) == "http"
    assert scheme_seen("127.0.0.1", https, []) == "http"  # nobody trusted, not even loopback


def test_forwarded_proto_and_nonsense() -> None:
    assert scheme_seen("127.0.0.1", [(b"forwarded", b'for=1.2.3.4;proto="https"')], ["127.0.0.1"]) == "https"
    assert scheme_seen("127.0.0.1", [(b"x-forwarded-proto", b"gopher")], ["127.0.0.1"]) == "http"
    assert scheme_seen("127.0.0.1", [(b"x-forwarded-proto", b"HTTPS, http")], ["127.0.0.1"]) == "https"
