"""Believing a trusted reverse proxy about the scheme: ``X-Forwarded-Proto`` / ``Forwarded: proto=``.

A proxy terminating TLS talks plain HTTP to the center; without this the dashboard would think its
visitors came over HTTP and set its session cookie without ``Secure``. Only a request whose direct
peer is one of ``trusted_proxies`` (center.yaml, ``--trusted-proxy``, ``--forwarded-allow-ips``) is
believed, and only ``http`` or ``https``. The client address is decided where it is used
(``secops.center.guard.client_address``), with the same list.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

from secops.center.guard import Network


def _proto(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            proto: str = value.decode("latin-1").split(",")[0].strip().lower()
            return proto
    for name, value in scope.get("headers", ()):
        if name == b"forwarded":
            text: str = value.decode("latin-1")
            for pair in text.split(",")[0].split(";"):
                key, _sep, found = pair.partition("=")
                if key.strip().lower() == "proto":
                    return found.strip().strip('"').lower()
    return None


class ForwardedProto:
    def __init__(self, app: ASGIApp, *, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    def _from_trusted(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not self.trusted or not client:
            return False
        try:
            address = ipaddress.ip_address(str(client[0]))
        except ValueError:
            return False
        return any(address in net for net in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._from_trusted(scope):
            proto = _proto(scope)
            if proto in ("http", "https"):
                scope = {**scope, "scheme": proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]}
        await self.app(scope, receive, send)
