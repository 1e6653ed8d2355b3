"""``GET /api/v1/health``: each dependency of the center with its status and latency (no authentication).

- ``state``: the center database answers ``SELECT 1``;
- ``alert_store``: SQLite answers ``SELECT 1``; Elasticsearch's cluster health for the alert
  indices (green ok, yellow degraded, red or unreachable down);
- ``disk``: free space of the center home (degraded below ``DISK_DEGRADED_BYTES``, down below
  ``DISK_DOWN_BYTES``: SQLite writes would soon fail).

The overall status is the worst of them: ``ok`` or ``degraded`` answer 200, ``down`` 503 (with
``Retry-After``). The answer keeps the older fields forwarders read (``store``, ``signing_key``, the
fingerprint of the center's public notice-signing key) and holds nothing secret: failures are
named by their kind, never with a connection string.
"""

from __future__ import annotations

import shutil
import time
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from secops.center.context import CenterContext
from secops.center.stores.base import StoreUnavailable

Status = Literal["ok", "degraded", "down"]
_RANK: dict[str, int] = {"ok": 0, "degraded": 1, "down": 2}
DISK_DEGRADED_BYTES = 1024**3
DISK_DOWN_BYTES = 100 * 1024**2
router = APIRouter(prefix="/api/v1", tags=["ingestion"])


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def check_state(ctx: CenterContext) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with ctx.state.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure of the database is its status, not a 500
        return {"status": "down", "latency_ms": _ms(started), "error": type(exc).__name__}
    return {"status": "ok", "latency_ms": _ms(started)}


def check_alert_store(ctx: CenterContext) -> dict[str, Any]:
    from secops.center.stores.elasticsearch import ElasticsearchAlertStore
    from secops.center.stores.sqlite import SQLiteAlertStore

    store = ctx.alerts
    started = time.perf_counter()
    try:
        if isinstance(store, ElasticsearchAlertStore):
            # the center's own indices: another index's missing replica on a shared node is not ours
            health = store.client.cluster.health(index=store.pattern, timeout="5s")
            color = str(health.get("status", "red"))
            status: Status = {"green": "ok", "yellow": "degraded"}.get(color, "down")  # type: ignore[assignment]
            return {"status": status, "latency_ms": _ms(started), "kind": "elasticsearch", "cluster": color}
        if isinstance(store, SQLiteAlertStore):
            with store.store.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            # the SQL alert store is SQLite or, on a small center kept in PostgreSQL, that database
            return {"status": "ok", "latency_ms": _ms(started), "kind": store.store.engine.dialect.name}
        store.ensure_ready()
        return {"status": "ok", "latency_ms": _ms(started), "kind": type(store).__name__}
    except StoreUnavailable as exc:
        return {"status": "down", "latency_ms": _ms(started), "error": str(exc), "retry_after": exc.retry_after}
    except Exception as exc:  # e.g. Elasticsearch unreachable: named by kind and HTTP status, no URL
        status_code = getattr(getattr(exc, "meta", None), "status", None)
        what = f"HTTP {status_code}" if status_code else type(exc).__name__
        return {"status": "down", "latency_ms": _ms(started), "error": what, "retry_after": 10}


def check_disk(ctx: CenterContext) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        usage = shutil.disk_usage(ctx.home)
    except OSError as exc:
        return {"status": "down", "latency_ms": _ms(started), "error": type(exc).__name__}
    status: Status = "ok"
    if usage.free < DISK_DOWN_BYTES:
        status = "down"
    elif usage.free < DISK_DEGRADED_BYTES:
        status = "degraded"
    return {"status": status, "latency_ms": _ms(started), "free_bytes": usage.free, "total_bytes": usage.total}


def overall(checks: dict[str, dict[str, Any]]) -> Status:
    worst = max((str(check["status"]) for check in checks.values()), key=_RANK.__getitem__, default="ok")
    return "down" if worst == "down" else "degraded" if worst == "degraded" else "ok"


def report(ctx: CenterContext) -> dict[str, Any]:
    """The health document (blocking: run it in a worker thread)."""
    checks = {"state": check_state(ctx), "alert_store": check_alert_store(ctx), "disk": check_disk(ctx)}
    store = checks["alert_store"]
    document: dict[str, Any] = {
        "status": overall(checks),
        "store": "ok" if store["status"] != "down" else "unavailable",
        "checks": checks,
    }
    if store["status"] == "down":
        document["error"] = store.get("error", "")
    try:
        from secops.center.signing_key import signing_key
        from secops.protocol.envelope import key_id

        # the fingerprint of the key this center signs notices with: `forward setup --check` compares it
        document["signing_key"] = key_id(signing_key(ctx.home))
    except Exception as exc:
        document["signing_key"] = None
        document["signing_key_error"] = type(exc).__name__
    return document


@router.get("/health", summary="The center's dependencies, each with status and latency (no authentication)")
async def health(request: Request) -> JSONResponse:
    ctx: CenterContext = request.app.state.center
    document = await run_in_threadpool(report, ctx)
    if document["status"] != "down":
        return JSONResponse(document)
    retry = document["checks"]["alert_store"].get("retry_after", 5)
    return JSONResponse(document, status_code=503, headers={"Retry-After": str(retry)})
