"""Running the center with uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import socket

from secops.center.context import CenterContext
from secops.errors import SecopsError

log = logging.getLogger("secops.center.server")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a taken port is one clear error rather than uvicorn's exit."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise SecopsError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="choose another --port or --host"
        ) from None
    return sock


def serve(ctx: CenterContext, *, host: str = "127.0.0.1", port: int = 8600, log_level: str = "info") -> None:
    """Serve until interrupted. Access log lines carry method, path and status only, never alert contents."""
    import uvicorn

    from secops.center.app import create_app

    if not is_loopback(host):
        log.warning("listening on %s: put a TLS-terminating reverse proxy in front of the center", host)
    try:
        sock = bind(host, port)
        config = uvicorn.Config(
            create_app(ctx),
            log_level=log_level,
            access_log=True,
            server_header=False,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=10,
        )
        uvicorn.Server(config).run(sockets=[sock])
        sock.close()
    finally:
        ctx.close()
