"""``POST /api/v1/incidents`` (a school's incident changes and audit head) and
``GET /api/v1/audit-anchors`` (the audit heads the center has seen of the asking school), both
signed like every school request (``secops.center.signed``)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, authenticate_headers, rate_limit, use_nonce, verify_body
from secops.center.school_incidents import anchors_of, store_batch
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.incidents import AnchorList, IncidentBatch

log = logging.getLogger("secops.center.incidents_api")
router = APIRouter(prefix="/api/v1", tags=["incidents"])
MAX_INCIDENTS_BYTES = 2_000_000


@router.post(
    "/incidents",
    summary="A school's incident changes (classification, times, clocks, reports; no personal data) and audit head",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["school", "incidents"]}}},
        }
    },
)
async def post_incidents(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_INCIDENTS_BYTES, "incidents")
        batch = parse_for_school(body, IncidentBatch, claim.signer, lambda b: b.school, "incidents")
        await use_nonce(ing, claim)
        outcome = await run_in_threadpool(store_batch, ing.ctx.state, batch, ing.ctx.now())
    except ApiError as exc:
        log.info("refused incidents %s: %s", exc.status, exc.error)
        return exc.response()
    if outcome.anchor and outcome.anchor.startswith("conflict"):
        log.warning("school %s: audit head %s", batch.school, outcome.anchor)
    return JSONResponse(
        {
            "school": batch.school,
            "created": outcome.created,
            "updated": outcome.updated,
            "duplicate": outcome.duplicate,
            "older": outcome.older,
            "audit_head": outcome.anchor,
        }
    )


@router.get("/audit-anchors", summary="The audit heads of the asking school the center has seen (signed GET)")
async def get_anchors(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim = await authenticate_headers(ing, request)
        verify_body(claim, request, b"")
        await rate_limit(ing, claim.signer)
        await use_nonce(ing, claim)
        anchors = await run_in_threadpool(anchors_of, ing.ctx.state, claim.signer.school)
    except ApiError as exc:
        log.info("refused audit anchors %s: %s", exc.status, exc.error)
        return exc.response()
    answer = AnchorList(school=claim.signer.school, anchors=anchors)
    return Response(answer.model_dump_json(), media_type="application/json")
