"""Running the center with uvicorn."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from secops.center.context import CenterContext
from secops.errors import SecopsError
from secops.i18n import _

if TYPE_CHECKING:
    import uvicorn

    from secops.center.settings import CenterSettings

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
        family, kind, proto, _canonname, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise SecopsError(
            _("cannot listen on {host}:{port}: {reason}").format(host=host, port=port, reason=exc.strerror or exc),
            hint=_("choose another --port or --host"),
        ) from None
    return sock


def check_tls(certfile: Path | None, keyfile: Path | None) -> dict[str, str]:
    """uvicorn's TLS options for a certificate (chain) and its private key, both PEM, checked first:
    both or neither, readable, and the key the certificate's (one clear error, not a traceback
    from the event loop)."""
    import ssl

    if certfile is None and keyfile is None:
        return {}
    if certfile is None or keyfile is None:
        raise SecopsError(
            _("TLS needs both --certfile and --keyfile"),
            hint=_("give the certificate (PEM) and its private key (PEM), or neither"),
        )
    for path in (certfile, keyfile):
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            raise SecopsError(
                _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc),
                hint=_("check the path and that the center's user may read it"),
            ) from None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile=str(certfile), keyfile=str(keyfile))
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            raise SecopsError(
                _("the key {keyfile} does not belong to the certificate {certfile}").format(
                    keyfile=keyfile, certfile=certfile
                ),
                hint=_("give the private key the certificate was issued for"),
            ) from None
        raise SecopsError(
            _("cannot load the certificate {certfile} with the key {keyfile}: {reason}").format(
                certfile=certfile, keyfile=keyfile, reason=exc.reason or exc
            ),
            hint=_("both must be PEM; an encrypted key is not supported"),
        ) from None
    return {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}


LINGER_SECONDS = 1.0  # after answering a request whose body is not wanted, discard what still comes ...
LINGER_BYTES = 4 * 1024 * 1024  # ... for this long or this much, then close


class _LingeringTransport(asyncio.Transport):
    """The connection's transport as the protocol sees it. Closing it while the client is still
    sending a body (a refused stranger, a 413) first ends our side after the answer (FIN) and
    discards what arrives for a moment: closing a socket with unread data sends a reset, which
    can destroy the answer before the client reads it. Nothing is kept; see LINGER_*."""

    def __init__(self, real: asyncio.Transport, protocol: GuardedH11Protocol) -> None:
        super().__init__()
        self._real = real
        self._protocol = protocol
        self._closing = False

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        real = self._real
        if self._protocol.conn.their_state is h11.SEND_BODY and not real.is_closing() and real.can_write_eof():
            real.write_eof()
            self._protocol.start_lingering()
            real.resume_reading()
        else:
            real.close()

    def is_closing(self) -> bool:
        return self._closing or self._real.is_closing()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._real.write(data)

    def writelines(self, list_of_data: Any) -> None:
        self._real.writelines(list_of_data)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._real.get_extra_info(name, default)

    def pause_reading(self) -> None:
        if not self._closing:
            self._real.pause_reading()

    def resume_reading(self) -> None:
        self._real.resume_reading()

    def is_reading(self) -> bool:
        return self._real.is_reading()

    def abort(self) -> None:
        self._real.abort()

    def can_write_eof(self) -> bool:
        return self._real.can_write_eof()

    def write_eof(self) -> None:
        self._real.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._real.get_write_buffer_size()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._real.set_write_buffer_limits(high, low)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with what it lacks against slow clients.

    - A request line and headers must be complete ``header_timeout`` seconds after the connection
      opens or the request's first byte arrives (uvicorn has none: a client dripping header bytes,
      or saying nothing at all, kept its connection forever).
    - A response sent before the request body was all read ends the connection, so an unread
      body (a refused stranger's) is never drained byte by byte; the close lingers briefly so
      the client reads the answer rather than a reset (``_LingeringTransport``).
    The body deadline itself is ``secops.center.guard.RequestGuard``'s (the app reads the body).
    """

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._raw: asyncio.Transport | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._drained = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        super().connection_made(_LingeringTransport(transport, self))
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def start_lingering(self) -> None:
        self._cancel_header_timer()
        self._linger = self.loop.call_later(LINGER_SECONDS, self._close_now)

    def _close_now(self) -> None:
        if self._raw is not None and not self._raw.is_closing():
            self._raw.close()

    def data_received(self, data: bytes) -> None:
        if self._linger is not None:  # the answer is out: discard the unwanted body, up to a bound
            self._drained += len(data)
            if self._drained > LINGER_BYTES:
                self._close_now()
            return
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:  # part of a request line or headers: the clock runs
            if self._header_timer is None and not self.transport.is_closing():
                self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        unread = self.conn.their_state is h11.SEND_BODY
        super().on_response_complete()
        if unread and not self.transport.is_closing():
            self.transport.close()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timeout_expired)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout_expired(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._close_now()


def uvicorn_config(app: Any, settings: CenterSettings, *, log_level: str = "info", **extra: Any) -> uvicorn.Config:
    """The uvicorn settings the center runs with (also used by the tests that attack it)."""
    import uvicorn

    limits = settings.limits
    protocol = type("CenterH11Protocol", (GuardedH11Protocol,), {"header_timeout": limits.header_timeout_seconds})
    options: dict[str, Any] = {
        "log_level": log_level,
        "access_log": True,
        "server_header": False,
        "http": protocol,
        "timeout_keep_alive": 15,
        "timeout_graceful_shutdown": 10,
        "limit_concurrency": limits.max_connections,
        "h11_max_incomplete_event_size": 16 * 1024,  # request line and headers
        # uvicorn would believe X-Forwarded-For from loopback; the app decides (settings.trusted_proxies).
        "proxy_headers": False,
    }
    options.update(extra)
    return uvicorn.Config(app, **options)


def serve(
    ctx: CenterContext,
    *,
    host: str = "127.0.0.1",
    port: int = 8600,
    log_level: str = "info",
    relay: Callable[[], str] | None = None,
    relay_every: float = 60.0,
    tls: dict[str, str] | None = None,
) -> None:
    """Serve until interrupted. Access log lines carry method, path and status only, never alert contents.
    ``tls`` is ``check_tls``'s answer (HTTPS when not empty)."""
    import uvicorn

    from secops.center.app import create_app

    if not is_loopback(host) and not tls:
        log.warning("listening on %s: put a TLS-terminating reverse proxy in front of the center", host)
    try:
        sock = bind(host, port)
        app = create_app(ctx, relay=relay, relay_every=relay_every)
        config = uvicorn_config(app, ctx.settings, log_level=log_level, **(tls or {}))
        uvicorn.Server(config).run(sockets=[sock])
        sock.close()
    finally:
        ctx.close()


def serve_workers(
    app_factory: str,
    settings: CenterSettings,
    *,
    workers: int,
    host: str = "127.0.0.1",
    port: int = 8600,
    log_level: str = "info",
    tls: dict[str, str] | None = None,
) -> bool:
    """Serve with ``workers`` processes sharing one listening socket (uvicorn's supervisor: a worker
    that dies is replaced). Each worker builds its own app by calling ``app_factory`` (an import
    string ``module:function``), so every process has its own database pool and event loop; what
    they share (nonces, rate limits, leases) is in the center database. True when stopped by Ctrl-C."""
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        interrupted = False

        def handle_int(self) -> None:
            self.interrupted = True
            super().handle_int()

    if not is_loopback(host) and not tls:
        log.warning("listening on %s: put a TLS-terminating reverse proxy in front of the center", host)
    sock = bind(host, port)
    # the protocol by import string: the config travels to each worker process, a class made here would not
    config = uvicorn_config(
        app_factory,
        settings,
        log_level=log_level,
        factory=True,
        workers=workers,
        http=f"{GuardedH11Protocol.__module__}:{GuardedH11Protocol.__qualname__}",
        **(tls or {}),
    )
    supervisor = Supervisor(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        sock.close()
    return supervisor.interrupted


def use_header_timeout(settings: CenterSettings) -> None:
    """In a worker process: the header deadline of center.yaml for the protocol named by import string."""
    GuardedH11Protocol.header_timeout = settings.limits.header_timeout_seconds


@contextmanager
def serving(ctx: CenterContext, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``ctx`` in a background thread (the demo's center); yields its base URL, stops on exit."""
    import threading
    import time

    import uvicorn

    from secops.center.app import create_app

    sock = bind(host, port)
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(ctx), ctx.settings, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="center", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise SecopsError(_("the center did not start"), hint=_("run again with -v"))
        time.sleep(0.02)
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
