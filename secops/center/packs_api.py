"""``POST /api/v1/pack-status``: what a school made of the content packs it was sent (installed,
ignored as not newer, refused with the reason), signed and checked like every school request."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.packs import store_pack_statuses
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.packs import PackStatusBatch

log = logging.getLogger("secops.center.packs_api")
router = APIRouter(prefix="/api/v1", tags=["packs"])
MAX_PACK_STATUS_BYTES = 1_000_000


@router.post(
    "/pack-status",
    summary="A school's status on the content packs it was sent (installed, ignored, refused with the reason)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["school", "statuses"]}}},
        }
    },
)
async def post_pack_status(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_PACK_STATUS_BYTES, "pack status")
        batch = parse_for_school(body, PackStatusBatch, claim.signer, lambda b: b.school, "pack status")
        await use_nonce(ing, claim)
        kept = await run_in_threadpool(store_pack_statuses, ing.ctx.state, batch.school, batch.statuses, ing.ctx.now())
    except ApiError as exc:
        log.info("refused pack status %s: %s", exc.status, exc.error)
        return exc.response()
    return JSONResponse({"status": "stored", "school": batch.school, "kept": kept})
