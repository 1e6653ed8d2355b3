"""``POST /api/v1/compliance``: a school's compliance summary, signed exactly like ``/api/v1/alerts``.

The same checks in the same order (``secops.center.signed``: headers before the body is read, then
body size and deadline, signature, rate limit, JSON depth), then the summary is validated, the nonce
recorded and the summary kept as the school's latest. Nothing is stored, and the nonce stays unused, for a refused
request.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.compliance import ForeignSummary, parse_summary
from secops.center.compliance_store import store_summary
from secops.center.signed import receive_signed

log = logging.getLogger("secops.center.compliance_api")
router = APIRouter(prefix="/api/v1", tags=["compliance"])
MAX_SUMMARY_BYTES = 1_000_000  # 500 systems fit with room to spare


@router.post(
    "/compliance",
    summary="Send the school's signed compliance summary (等保 systems, deadlines, counts; no personal data)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "required": ["school", "systems"]}}},
        }
    },
)
async def post_compliance(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_SUMMARY_BYTES, "summary")
        signer = claim.signer
        try:
            summary = parse_summary(body, signer.school, signer.covers)
        except ForeignSummary as exc:
            raise ApiError(403, str(exc), "a school may send only its own summary; nothing was stored") from None
        except ValueError as exc:
            raise ApiError(400, f"invalid compliance summary: {exc}", "send the summary secops builds") from None
        await use_nonce(ing, claim)
        kept = await run_in_threadpool(store_summary, ing.ctx.state, summary, ing.ctx.now())
    except ApiError as exc:
        log.info("refused compliance summary %s: %s", exc.status, exc.error)
        return exc.response()
    log.info("school %s: compliance summary (%d systems) %s", signer.school, len(summary.systems), kept)
    return JSONResponse({"status": "stored" if kept else "older", "school": signer.school})
