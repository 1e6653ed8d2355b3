"""``GET /api/v1/outbound`` (what the center sends down to the asking school, signed envelopes after
the school's last sequence number) and ``POST /api/v1/notice-status`` (a school's status on the
notices it received), both signed like every school request (``secops.center.signed``)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, authenticate_headers, rate_limit, use_nonce, verify_body
from secops.center.notices import outbound_for, store_statuses
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.notices import OutboundItem, OutboundPage, StatusBatch

log = logging.getLogger("secops.center.notices_api")
router = APIRouter(prefix="/api/v1", tags=["notices"])
MAX_STATUS_BYTES = 2_000_000


def _after(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) < 16):
        raise ApiError(400, "after must be a sequence number", "send the last seq you received, or 0")
    return int(text)


@router.get("/outbound", summary="Signed envelopes (通报, periods, content packs) for the asking school")
async def get_outbound(request: Request, after: str = "0") -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim = await authenticate_headers(ing, request)
        verify_body(claim, request, b"")
        await rate_limit(ing, claim.signer)
        start = _after(after)
        await use_nonce(ing, claim)
        signer = claim.signer
        items, more = await run_in_threadpool(outbound_for, ing.ctx.state, signer.school, start, covers=signer.covers)
    except ApiError as exc:
        log.info("refused outbound %s: %s", exc.status, exc.error)
        return exc.response()
    page = OutboundPage(
        school=claim.signer.school, items=[OutboundItem(seq=seq, envelope=sealed) for seq, sealed in items], more=more
    )
    return Response(page.model_dump_json(), media_type="application/json")


@router.post("/notice-status", summary="A school's status on the notices it received (no personal data)")
async def post_notice_status(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_STATUS_BYTES, "notice status")
        batch = parse_for_school(body, StatusBatch, claim.signer, lambda b: b.school, "notice status")
        await use_nonce(ing, claim)
        changed = await run_in_threadpool(store_statuses, ing.ctx.state, batch.school, batch.statuses, ing.ctx.now())
    except ApiError as exc:
        log.info("refused notice status %s: %s", exc.status, exc.error)
        return exc.response()
    return JSONResponse({"school": batch.school, "received": len(batch.statuses), "changed": changed})
