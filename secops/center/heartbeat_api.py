"""``POST /api/v1/heartbeat``: a school forwarder's signed check-in (``secops.protocol.heartbeat``).

Signed and checked like every school request (``secops.center.signed``); the answer carries the
center's clock so the forwarder can show its own skew.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.heartbeats import store_heartbeat
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.heartbeat import Heartbeat

log = logging.getLogger("secops.center.heartbeat_api")
router = APIRouter(prefix="/api/v1", tags=["heartbeat"])
MAX_HEARTBEAT_BYTES = 16_384


@router.post(
    "/heartbeat",
    summary="A school forwarder's signed check-in (version, backlog, last runs; no personal data)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["school", "sent_at"]}}},
        }
    },
)
async def post_heartbeat(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_HEARTBEAT_BYTES, "check-in")
        beat = parse_for_school(body, Heartbeat, claim.signer, lambda b: b.school, "check-in")
        await use_nonce(ing, claim)
        now = ing.ctx.now()
        kept = await run_in_threadpool(store_heartbeat, ing.ctx.state, beat, now)
    except ApiError as exc:
        log.info("refused check-in %s: %s", exc.status, exc.error)
        return exc.response()
    log.debug("school %s checked in (%d pending)", beat.school, beat.outbox.pending)
    return JSONResponse(
        {"status": "stored" if kept else "older", "school": beat.school, "center_time": now.isoformat()}
    )
