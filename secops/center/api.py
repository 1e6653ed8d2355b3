"""The ingestion API: ``POST /api/v1/alerts`` (signed); ``GET /api/v1/health`` is ``secops.center.health``.

Checks run cheapest-first and nothing is stored for a refused request. The headers come first
(signature headers, nonce and timestamp shape, key, school), so a stranger's body is never read;
then the body (size, deadline), the signature over it, the rate limit, JSON (depth first), batch
shape, alerts, the nonce (recorded only now: a refused request leaves it unused) and the store
(through a bounded number of write slots).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from secops.center import ingest, nonces
from secops.center.context import CenterContext
from secops.center.guard import MAX_JSON_DEPTH, json_depth_exceeds, nested_deeper
from secops.center.metrics import Metrics
from secops.center.ratelimit import Limiter, limiter_for
from secops.center.schools import Signer, SignerCache
from secops.center.stores.base import StoreUnavailable
from secops.protocol import signing

log = logging.getLogger("secops.center.api")
router = APIRouter(prefix="/api/v1", tags=["ingestion"])

API_DESCRIPTION = f"""
Signed alert ingestion for the provincial monitoring center.

## Signing

Each school has a key `sk1.<key id>.<secret>` issued by `secops center school add`. Both sides
derive the signing key `K = HMAC-SHA256(secret, "secops-center-signing-v1")`. A request carries:

| header | value |
|---|---|
| `{signing.HEADER_SCHOOL}` | the school's 10-digit code (must be the key's school) |
| `{signing.HEADER_KEY_ID}` | the key id (12 hex) |
| `{signing.HEADER_TIMESTAMP}` | Unix seconds; within ±{signing.MAX_SKEW_SECONDS} s of the center clock |
| `{signing.HEADER_NONCE}` | 16-64 characters `[0-9A-Za-z_-]`, new for every request |
| `{signing.HEADER_SIGNATURE}` | hex HMAC-SHA256 with K over the string to sign |

The string to sign is the lines `v1`, the method (`POST`), the path (`{signing.ALERTS_PATH}`), the
timestamp, the nonce and the hex SHA-256 of the exact body bytes, joined by `\\n`. A nonce is
accepted once (409 on replay).

## Body and answer

`{{"alerts": [ECS alert, ...]}}`. Each alert needs `@timestamp` (ISO 8601 with a zone), a
non-empty `message` (at most {ingest.MAX_MESSAGE} characters) and a severity: `secops.severity`
(info, low, medium, high, critical) or a numeric `event.severity` (0-100). `rule`, `host`,
`event`, `secops` are objects, `tags` a list of strings. `organization.id` is set to the school;
an alert naming another school refuses the whole request (403).

The answer (200) has one result per alert, `{{"index", "id", "status", "error"}}` with status
`created`, `duplicate` (already stored: success) or `rejected` (invalid: do not resend), and
the totals. The id is the SHA-256 of the school and the canonical alert, so resending is safe.

## Errors

Every error body is `{{"error": "...", "hint": "..."}}`. 400 malformed JSON or batch (or JSON
nested deeper than {MAX_JSON_DEPTH} levels), 401 authentication, 403 wrong school, 408 body not
received in time, 409 replayed nonce, 413 body or batch too large, 429 rate limit or the store
falling behind (with `Retry-After`), 503 store unavailable or too many connections (with
`Retry-After`). The signature headers are checked before the body is read: a request failing
them is answered at once and its connection closed. Nothing is stored for a refused request,
and its nonce stays unused.
"""


class ApiError(Exception):
    def __init__(
        self, status: int, error: str, hint: str, *, retry_after: int | None = None, close: bool = False
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.hint = hint
        self.retry_after = retry_after
        self.close = close  # answered before (all of) the body was read

    def response(self) -> JSONResponse:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.status == 413 or self.close:
            headers["Connection"] = "close"  # the rest of the body is not read
        return JSONResponse({"error": self.error, "hint": self.hint}, status_code=self.status, headers=headers)


@dataclass
class Ingestion:
    """Per-app runtime state shared by the request handlers."""

    ctx: CenterContext
    signers: SignerCache
    limiter: Limiter
    store_writes: int = 4
    slot_wait: float = 2.0
    metrics: Metrics | None = None  # store write time and waiting batches for GET /metrics
    _slots: asyncio.Semaphore | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, ctx: CenterContext, *, store_writes: int = 4, slot_wait: float = 2.0, metrics: Metrics | None = None
    ) -> Ingestion:
        return cls(
            ctx=ctx,
            signers=SignerCache(ctx.state, ctx.secret),
            limiter=limiter_for(
                ctx.state, ctx.settings.limits.rate_per_minute, ctx.now, several_processes=ctx.several_processes
            ),
            store_writes=store_writes,
            slot_wait=slot_wait,
            metrics=metrics,
        )

    @property
    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.store_writes)
        return self._slots


_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Claim:
    """What the signature headers claim, checked as far as headers alone allow."""

    signer: Signer
    timestamp: str
    nonce: str
    signature: str


async def authenticate_headers(ing: Ingestion, request: Request) -> Claim:
    """Every check the headers allow, before a byte of the body is read: a stranger is refused
    (and the connection closed) without the center ever holding their body."""
    h = request.headers
    names = (
        signing.HEADER_SCHOOL,
        signing.HEADER_KEY_ID,
        signing.HEADER_TIMESTAMP,
        signing.HEADER_NONCE,
        signing.HEADER_SIGNATURE,
    )
    missing = [name for name in names if not h.get(name)]
    if missing:
        raise ApiError(
            401, f"missing signature headers: {', '.join(missing)}", "sign requests as described in /docs", close=True
        )
    school, key_id, timestamp = h[signing.HEADER_SCHOOL], h[signing.HEADER_KEY_ID], h[signing.HEADER_TIMESTAMP]
    nonce, signature = h[signing.HEADER_NONCE], h[signing.HEADER_SIGNATURE].strip()
    if not _SIGNATURE.match(signature):
        raise ApiError(401, "the signature must be 64 hex digits", "send hex HMAC-SHA256 (see /docs)", close=True)
    if not signing.valid_nonce(nonce):
        raise ApiError(401, "the nonce must be 16-64 characters of [0-9A-Za-z_-]", "use a new random nonce", close=True)
    now = ing.ctx.now().timestamp()
    try:
        sent = int(timestamp)
    except ValueError:
        raise ApiError(
            401, "timestamp must be Unix seconds", "send the current time as an integer", close=True
        ) from None
    if not signing.timestamp_fresh(timestamp, now):
        raise ApiError(
            401,
            f"timestamp {sent} is {round(abs(now - sent))} s off the center clock; check NTP",
            f"clocks must agree within {signing.MAX_SKEW_SECONDS} s",
            close=True,
        )
    known, signer = ing.signers.peek(key_id)  # a school posting steadily is in the cache: no thread trip
    if not known:
        signer = await run_in_threadpool(ing.signers.lookup, key_id[:64])
    if signer is None:
        raise ApiError(401, "unknown or revoked key", "ask the center for a key (secops center school add)", close=True)
    if signer.school != school:
        raise ApiError(
            403,
            f"this key does not belong to school {school[:20]}",
            "send the code the key was issued for",
            close=True,
        )
    return Claim(signer=signer, timestamp=timestamp, nonce=nonce, signature=signature)


async def read_body(request: Request, limit: int, max_batch: int) -> bytes:
    """The body, refused past ``limit`` bytes (the deadline is RequestGuard's)."""
    too_big = ApiError(
        413, f"the request body is larger than {limit} bytes", f"send smaller batches (at most {max_batch} alerts)"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(408, "the request body did not arrive", "send the whole request at once", close=True) from None
    return b"".join(chunks)


def verify_body(claim: Claim, request: Request, body: bytes) -> None:
    if not signing.verify(
        claim.signer.key, request.method, request.url.path, claim.timestamp, claim.nonce, body, claim.signature
    ):
        raise ApiError(
            401,
            "signature does not match",
            "sign v1, method, path, timestamp, nonce and the body's SHA-256 (see /docs)",
        )


async def use_nonce(ing: Ingestion, claim: Claim) -> None:
    """Record the nonce once the request is about to be stored (an atomic insert: of two copies
    in flight one wins, the other gets 409). A request refused earlier leaves it unused."""
    if not await run_in_threadpool(nonces.record_nonce, ing.ctx.state, claim.signer.school, claim.nonce, ing.ctx.now()):
        raise ApiError(409, "replayed request: this nonce was already used", "send every request with a new nonce")


async def rate_limit(ing: Ingestion, signer: Signer) -> None:
    take = ing.limiter.take
    if ing.limiter.shared:  # a database round trip: off the event loop
        wait = await run_in_threadpool(take, signer.school, signer.rate_per_minute)
    else:
        wait = take(signer.school, signer.rate_per_minute)
    if wait:
        rate = signer.rate_per_minute or ing.ctx.settings.limits.rate_per_minute
        raise ApiError(
            429,
            f"rate limit: at most {rate} requests a minute per school",
            f"retry after {wait} s",
            retry_after=wait,
        )


def _parse(body: bytes, max_batch: int) -> list[Any]:
    too_deep = ApiError(
        400,
        f"the JSON nests deeper than {MAX_JSON_DEPTH} levels",
        "send alerts as flat ECS documents; nothing was stored",
    )
    try:
        # several times faster than json; its errors carry the same positions, and it refuses to
        # nest past 1024 levels without recursing in Python
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if json_depth_exceeds(body):  # past orjson's own bound: say ours
            raise too_deep from None
        raise ApiError(
            400, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", 'send {"alerts": [...]}'
        ) from None
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8 text", 'send {"alerts": [...]} as UTF-8 JSON') from None
    if nested_deeper(data):
        raise too_deep
    alerts = data.get("alerts") if isinstance(data, dict) else None
    if not isinstance(alerts, list):
        raise ApiError(400, 'the body must be an object {"alerts": [...]}', "put the alerts in a list under alerts")
    if len(alerts) > max_batch:
        raise ApiError(
            413, f"{len(alerts)} alerts in one batch; the limit is {max_batch}", f"send at most {max_batch} per request"
        )
    return alerts


def _prepare(body: bytes, max_batch: int, signer: Signer, ing: Ingestion) -> ingest.Prepared:
    alerts = _parse(body, max_batch)
    try:
        return ingest.prepare_batch(alerts, signer.school, ing.ctx.now(), signer.covers)
    except ingest.ForeignSchool as exc:
        raise ApiError(403, str(exc), "a school may post only its own alerts; nothing was stored") from None


def _accept(ing: Ingestion, claim: Claim, body: bytes, max_batch: int) -> tuple[ingest.Prepared, list[Any]]:
    """Parse and check the batch, record the nonce, store: one trip to a worker thread, so a busy
    event loop (a login flood) delays a school's post as little as possible. The nonce is recorded
    only for a batch that passed its checks, and forgotten again if the store refuses it."""
    prepared = _prepare(body, max_batch, claim.signer, ing)
    if not nonces.record_nonce(ing.ctx.state, claim.signer.school, claim.nonce, ing.ctx.now()):
        raise ApiError(409, "replayed request: this nonce was already used", "send every request with a new nonce")
    if not prepared.accepted:
        return prepared, []
    started = time.perf_counter()
    try:
        return prepared, ing.ctx.alerts.insert([alert for _, alert in prepared.accepted])
    except StoreUnavailable as exc:
        nonces.forget_nonce(ing.ctx.state, claim.signer.school, claim.nonce)
        raise ApiError(
            503,
            f"the alert store is unavailable: {exc}",
            "keep the alerts and retry later",
            retry_after=exc.retry_after,
        ) from None
    finally:
        if ing.metrics is not None:
            ing.metrics.store_write_took(time.perf_counter() - started)


async def _accept_in_slot(
    ing: Ingestion, claim: Claim, body: bytes, max_batch: int
) -> tuple[ingest.Prepared, list[Any]]:
    slots = ing.slots
    if ing.metrics is not None:
        ing.metrics.waiting_changed(+1)
    try:
        await asyncio.wait_for(slots.acquire(), timeout=ing.slot_wait)
    except TimeoutError:
        raise ApiError(
            429, "the center is busy storing other batches", "retry after the given seconds", retry_after=2
        ) from None
    finally:
        if ing.metrics is not None:
            ing.metrics.waiting_changed(-1)
    try:
        return await run_in_threadpool(_accept, ing, claim, body, max_batch)
    finally:
        slots.release()


@router.post(
    "/alerts",
    summary="Send a signed batch of alerts",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["alerts"]}}},
        }
    },
)
async def post_alerts(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    limits = ing.ctx.settings.limits
    try:
        claim = await authenticate_headers(ing, request)
        body = await read_body(request, limits.max_body_bytes, limits.max_batch)
        verify_body(claim, request, body)
        signer = claim.signer
        await rate_limit(ing, signer)
        prepared, outcomes = await _accept_in_slot(ing, claim, body, limits.max_batch)
    except ApiError as exc:
        log.info("refused %s: %s", exc.status, exc.error)
        return exc.response()
    result = ingest.answer(prepared, outcomes, signer.school)
    log.info(
        "school %s: %d alerts, %d created, %d duplicate, %d rejected",
        signer.school,
        result["received"],
        result["created"],
        result["duplicate"],
        result["rejected"],
    )
    return Response(orjson.dumps(result), media_type="application/json")
