"""The center's ASGI app: the ingestion API, the dashboard and a background housekeeping thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from secops.center import auto_incidents, forwarder_watch, leases, login_failures, nonces
from secops.center.api import API_DESCRIPTION, Ingestion, router
from secops.center.compliance_api import router as compliance_router
from secops.center.context import CenterContext
from secops.center.guard import RequestGuard, networks
from secops.center.health import router as health_router
from secops.center.heartbeat_api import router as heartbeat_router
from secops.center.incidents_api import router as incidents_router
from secops.center.metrics import Metrics, MetricsMiddleware
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


def _housekeeping(ctx: CenterContext, stop: threading.Event, every: float) -> None:
    """Open automatic incidents, open cases for silent forwarders and forget old nonces; a failure
    is logged and retried next time. Of several instances on one database only the holder of the
    housekeeping lease works (secops.center.leases); another takes over when it stops renewing."""
    holder = leases.holder_name()
    ttl = leases.housekeeping_ttl(every)
    try:
        while not stop.wait(every):
            try:
                if not leases.acquire(ctx.state, leases.HOUSEKEEPING, holder, ttl, ctx.now()):
                    continue
            except Exception:
                log.exception("taking the housekeeping lease failed; retrying in %.0f s", every)
                continue
            _housekeeping_once(ctx, stop, every)
    finally:
        try:
            leases.release(ctx.state, leases.HOUSEKEEPING, holder, ctx.now())
        except Exception:
            log.warning("releasing the housekeeping lease failed; it expires on its own")


def _housekeeping_once(ctx: CenterContext, stop: threading.Event, every: float) -> None:
    try:
        auto_incidents.tick(ctx, stop)
    except SecopsError as exc:  # e.g. a lost audit key: one clear line, not a traceback every tick
        log.error("automatic incidents failed: %s", exc)
    except Exception:
        log.exception("automatic incidents failed; retrying in %.0f s", every)
    try:
        forwarder_watch.tick(ctx)
    except SecopsError as exc:
        log.error("watching forwarders failed: %s", exc)
    except Exception:
        log.exception("watching forwarders failed; retrying in %.0f s", every)
    try:
        nonces.prune_nonces(ctx.state, ctx.now())
        login_failures.prune_login_failures(ctx.state, ctx.now())
    except Exception:
        log.exception("pruning nonces and login failures failed")


def _relaying(relay: Callable[[], str], stop: threading.Event, every: float) -> None:
    """A lower center's relay to the center above, every ``every`` seconds (the first at once)."""
    while True:
        try:
            log.info("relayed: %s", relay())
        except SecopsError as exc:
            log.error("relay failed: %s", exc)
        except Exception:
            log.exception("relay failed; retrying in %.0f s", every)
        if stop.wait(every):
            return


def create_app(
    ctx: CenterContext,
    *,
    store_writes: int = 4,
    slot_wait: float = 2.0,
    tick_seconds: float = TICK_SECONDS,
    relay: Callable[[], str] | None = None,
    relay_every: float = 60.0,
) -> FastAPI:
    """``store_writes`` bounds concurrent store writes; a request waits ``slot_wait`` s for one, then gets 429.
    ``relay`` (a lower center's run to the center above) runs every ``relay_every`` seconds."""

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
                target=_relaying, args=(relay, stop, relay_every), name="center-relay", daemon=True
            )
            relayer.start()
        try:
            yield
        finally:
            stop.set()
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
    metrics = Metrics()
    app.state.metrics = metrics
    app.state.ingestion = Ingestion.build(ctx, store_writes=store_writes, slot_wait=slot_wait, metrics=metrics)
    app.state.center = ctx
    app.add_middleware(RequestGuard, body_timeout=ctx.settings.limits.body_timeout_seconds)
    app.add_middleware(ForwardedProto, trusted=networks(ctx.settings.trusted_proxies))
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: the guard's refusals count too
    app.include_router(router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(compliance_router)
    app.include_router(heartbeat_router)
    app.include_router(incidents_router)
    app.include_router(notices_router)
    app.include_router(periods_router)
    app.include_router(packs_router)
    app.include_router(tiers_router)
    from secops.center.dashboard import install_dashboard

    install_dashboard(app, ctx)
    from secops.center.apidocs import install_docs

    install_docs(app)
    return app
