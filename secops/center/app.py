"""The center's ASGI app: the ingestion API, the dashboard and a background housekeeping thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from secops.center import auto_incidents, forwarder_watch, leases, login_failures, nonces
from secops.center.api import API_DESCRIPTION, Ingestion, router
from secops.center.compliance_api import router as compliance_router
from secops.center.context import CenterContext
from secops.center.drills_api import router as drills_router
from secops.center.guard import RequestGuard, networks
from secops.center.health import router as health_router
from secops.center.heartbeat_api import router as heartbeat_router
from secops.center.incidents_api import router as incidents_router
from secops.center.metrics import PUBLISH_SECONDS, Metrics, MetricsMiddleware
from secops.center.metrics import router as metrics_router
from secops.center.notices_api import router as notices_router
from secops.center.packs_api import router as packs_router
from secops.center.periods_api import router as periods_router
from secops.center.proxy import ForwardedProto
from secops.center.stores.base import StoreUnavailable
from secops.center.tiers_api import router as tiers_router
from secops.errors import SecopsError

log = logging.getLogger("secops.center.app")
TICK_SECONDS = 10.0


def _holding(ctx: CenterContext, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew lease ``name``; an unreachable database is one warning line (it is retried)."""
    try:
        return leases.acquire(ctx.state, name, holder, ttl, ctx.now())
    except DBAPIError as exc:
        log.warning("lease %s: the center database is unavailable (%s); retrying", name, type(exc.orig).__name__)
    except Exception:
        log.exception("taking the lease %s failed; retrying", name)
    return False


def _letting_go(ctx: CenterContext, name: str, holder: str) -> None:
    try:
        leases.release(ctx.state, name, holder, ctx.now())
    except Exception:
        log.warning("releasing the lease %s failed; it expires on its own", name)


def _housekeeping(ctx: CenterContext, stop: threading.Event, every: float) -> None:
    """Open automatic incidents, open cases for silent forwarders and forget old nonces; a failure
    is logged and retried next time. Of several instances (and workers) on one database only the
    holder of the housekeeping lease works (secops.center.leases); it renews the lease before each
    job, so a long tick keeps it, and another takes over when it stops renewing."""
    holder = leases.holder_name()
    ttl = leases.housekeeping_ttl(every)

    def still_leader() -> bool:
        return not stop.is_set() and _holding(ctx, leases.HOUSEKEEPING, holder, ttl)

    try:
        while not stop.wait(every):
            _housekeeping_once(ctx, stop, every, still_leader)
    finally:
        _letting_go(ctx, leases.HOUSEKEEPING, holder)


def _housekeeping_once(
    ctx: CenterContext, stop: threading.Event, every: float, still_leader: Callable[[], bool]
) -> None:
    if not still_leader():
        return
    try:
        auto_incidents.tick(ctx, stop)
    except SecopsError as exc:  # e.g. a lost audit key: one clear line, not a traceback every tick
        log.error("automatic incidents failed: %s", exc)
    except DBAPIError as exc:
        log.warning("automatic incidents: the center database is unavailable (%s)", type(exc.orig).__name__)
    except Exception:
        log.exception("automatic incidents failed; retrying in %.0f s", every)
    if not still_leader():
        return
    try:
        forwarder_watch.tick(ctx)
    except SecopsError as exc:
        log.error("watching forwarders failed: %s", exc)
    except DBAPIError as exc:
        log.warning("watching forwarders: the center database is unavailable (%s)", type(exc.orig).__name__)
    except Exception:
        log.exception("watching forwarders failed; retrying in %.0f s", every)
    if not still_leader():
        return
    try:
        nonces.prune_nonces(ctx.state, ctx.now())
        login_failures.prune_login_failures(ctx.state, ctx.now())
    except DBAPIError as exc:
        log.warning("pruning: the center database is unavailable (%s)", type(exc.orig).__name__)
    except Exception:
        log.exception("pruning nonces and login failures failed")


def _relaying(ctx: CenterContext, relay: Callable[[], str], stop: threading.Event, every: float) -> None:
    """A lower center's relay to the center above, every ``every`` seconds (the first at once), by
    the holder of the relay lease only: several workers or instances relay once, not once each."""
    holder = leases.holder_name()
    ttl = leases.relay_ttl(every)
    try:
        while True:
            if _holding(ctx, leases.RELAY, holder, ttl):
                try:
                    log.info("relayed: %s", relay())
                except SecopsError as exc:
                    log.error("relay failed: %s", exc)
                except Exception:
                    log.exception("relay failed; retrying in %.0f s", every)
            if stop.wait(every):
                return
    finally:
        _letting_go(ctx, leases.RELAY, holder)


DATABASE_RETRY_AFTER = 5


def _publishing(metrics: Metrics, stop: threading.Event) -> None:
    """Publish this worker's counts for the others to sum, and once more when it stops."""
    while True:
        stopping = stop.wait(PUBLISH_SECONDS)
        try:
            metrics.publish()
        except OSError as exc:
            log.warning("publishing metrics failed: %s", exc.strerror or exc)
        if stopping:
            return


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    """The center database went away mid-request (restarted, failed over, unreachable): 503 with
    Retry-After, so forwarders keep their alerts and retry, rather than a 500 they would not."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    assert isinstance(exc, DBAPIError)
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        log.warning("the center database is unavailable: %s", type(exc.orig).__name__)
        return JSONResponse(
            {"error": "the center database is unavailable", "hint": "keep the request and retry later"},
            status_code=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    log.error("center database error", exc_info=exc)
    return JSONResponse({"error": "internal error", "hint": "see the center's log"}, status_code=500)


def create_app(
    ctx: CenterContext,
    *,
    store_writes: int = 4,
    slot_wait: float = 2.0,
    tick_seconds: float = TICK_SECONDS,
    relay: Callable[[], str] | None = None,
    relay_every: float = 60.0,
    metrics_dir: Path | None = None,
) -> FastAPI:
    """``store_writes`` bounds concurrent store writes; a request waits ``slot_wait`` s for one, then gets 429.
    ``relay`` (a lower center's run to the center above) runs every ``relay_every`` seconds.
    ``metrics_dir``: where the worker processes of one instance publish their counts (serve --workers)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            ctx.alerts.ensure_ready()
        except StoreUnavailable as exc:  # keep serving: requests answer 503 until the store is back
            log.warning("alert store not ready: %s", exc)
        stop = threading.Event()
        worker = threading.Thread(
            target=_housekeeping, args=(ctx, stop, tick_seconds), name="center-housekeeping", daemon=True
        )
        worker.start()
        relayer = None
        if relay is not None:
            relayer = threading.Thread(
                target=_relaying, args=(ctx, relay, stop, relay_every), name="center-relay", daemon=True
            )
            relayer.start()
        publisher = None
        if metrics.share_dir is not None:
            publisher = threading.Thread(target=_publishing, args=(metrics, stop), name="center-metrics", daemon=True)
            publisher.start()
        try:
            yield
        finally:
            stop.set()
            if publisher is not None:
                publisher.join(timeout=10)
            worker.join(timeout=30)
            if relayer is not None:
                relayer.join(timeout=60)

    app = FastAPI(
        title="secops provincial center",
        description=API_DESCRIPTION,
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from the center's own files, not a CDN
        redoc_url=None,
    )
    metrics = Metrics(share_dir=metrics_dir)
    app.state.metrics = metrics
    app.state.ingestion = Ingestion.build(ctx, store_writes=store_writes, slot_wait=slot_wait, metrics=metrics)
    app.state.center = ctx
    app.add_middleware(RequestGuard, body_timeout=ctx.settings.limits.body_timeout_seconds)
    app.add_middleware(ForwardedProto, trusted=networks(ctx.settings.trusted_proxies))
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: the guard's refusals count too
    app.add_exception_handler(DBAPIError, _database_error)
    app.include_router(router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(compliance_router)
    app.include_router(heartbeat_router)
    app.include_router(incidents_router)
    app.include_router(notices_router)
    app.include_router(periods_router)
    app.include_router(drills_router)
    app.include_router(packs_router)
    app.include_router(tiers_router)
    from secops.center.dashboard import install_dashboard

    install_dashboard(app, ctx)
    from secops.center.apidocs import install_docs

    install_docs(app)
    return app
