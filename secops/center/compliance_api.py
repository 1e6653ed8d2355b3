"""``POST /api/v1/compliance``: a school's compliance summary, signed exactly like ``/api/v1/alerts``.

The same checks in the same order (headers before the body is read, then body size and deadline,
signature, rate limit), then the summary is validated (JSON depth first), the nonce recorded and the
summary kept as the school's latest. Nothing is stored, and the nonce stays unused, for a refused
request.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import (
    ApiError,
    Ingestion,
    authenticate_headers,
    rate_limit,
    read_body,
    use_nonce,
    verify_body,
)
from secops.center.compliance import ForeignSummary, parse_summary
from secops.center.compliance_store import store_summary
from secops.center.guard import MAX_JSON_DEPTH, json_depth_exceeds

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
    limits = ing.ctx.settings.limits
    try:
        claim = await authenticate_headers(ing, request)
        body = await read_body(request, min(limits.max_body_bytes, MAX_SUMMARY_BYTES), limits.max_batch)
        verify_body(claim, request, body)
        signer = claim.signer
        rate_limit(ing, signer)
        if json_depth_exceeds(body):
            raise ApiError(400, f"the JSON nests deeper than {MAX_JSON_DEPTH} levels", "send the summary secops builds")
        try:
            summary = parse_summary(body, signer.school)
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
