"""Running the center with uvicorn."""

from __future__ import annotations

import ipaddress
import logging

from secops.center.context import CenterContext

log = logging.getLogger("secops.center.server")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(ctx: CenterContext, *, host: str = "127.0.0.1", port: int = 8600, log_level: str = "info") -> None:
    """Serve until interrupted. Access log lines carry method, path and status only, never alert contents."""
    import uvicorn

    from secops.center.app import create_app

    if not is_loopback(host):
        log.warning("listening on %s: put a TLS-terminating reverse proxy in front of the center", host)
    config = uvicorn.Config(
        create_app(ctx),
        host=host,
        port=port,
        log_level=log_level,
        access_log=True,
        server_header=False,
        timeout_keep_alive=30,
        timeout_graceful_shutdown=10,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        ctx.close()
