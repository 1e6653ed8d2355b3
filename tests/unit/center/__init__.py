"""Helpers for the center tests: a real uvicorn server on a free loopback port and a signing client."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from secops.center.app import create_app
from secops.center.context import CenterContext
from secops.center.server import uvicorn_config
from secops.protocol import signing


@contextmanager
def running_center(ctx: CenterContext, port: int = 0, **app_options: Any) -> Iterator[str]:
    """Serve ``create_app(ctx)`` on 127.0.0.1 (a socket bound here, so no port race); yields the base URL.

    A fixed ``port`` lets a forwarder find the center again after an outage."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    # the production settings (header timeout, connection cap, no forwarded-for from loopback)
    config = uvicorn_config(create_app(ctx, **app_options), ctx.settings, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the center did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def alert(n: int, **fields: Any) -> dict[str, Any]:
    """A small valid ECS alert, distinct per ``n``."""
    doc: dict[str, Any] = {
        "@timestamp": f"2026-11-{1 + n % 20:02d}T{n % 24:02d}:{n % 60:02d}:00+08:00",
        "message": f"Webshell upload attempt #{n}",
        "rule": {"name": "Webshell upload", "id": "edu-webshell-upload"},
        "host": {"name": f"web-{n % 7}"},
        "secops": {"severity": ("low", "medium", "high", "critical")[n % 4]},
    }
    doc.update(fields)
    return doc


def body_of(alerts: list[Any]) -> bytes:
    return json.dumps({"alerts": alerts}, ensure_ascii=False).encode()


def post(
    client: httpx.Client,
    key: signing.SchoolKey,
    school: str,
    body: bytes,
    *,
    now: float | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    signed = signing.signed_headers(key, school, body, now=time.time() if now is None else now)
    return client.post(signing.ALERTS_PATH, content=body, headers={**signed, **(headers or {})})
