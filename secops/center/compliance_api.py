"""``POST /api/v1/compliance``: a school's compliance summary, signed exactly like ``/api/v1/alerts``.

The same checks in the same order (body size, signature headers, key, school, timestamp,
signature, nonce, rate limit), then the summary is validated and kept as the school's latest.
Nothing is stored for a refused request.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, authenticate, read_body
from secops.center.compliance import ForeignSummary, parse_summary
from secops.center.compliance_store import store_summary

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
        body = await read_body(request, min(limits.max_body_bytes, MAX_SUMMARY_BYTES), limits.max_batch)
        signer = await authenticate(ing, request, body)
        wait = ing.limiter.take(signer.school, signer.rate_per_minute)
        if wait:
            raise ApiError(429, "rate limit reached for this school", f"retry after {wait} s", retry_after=wait)
        try:
            summary = parse_summary(body, signer.school)
        except ForeignSummary as exc:
            raise ApiError(403, str(exc), "a school may send only its own summary; nothing was stored") from None
        except ValueError as exc:
            raise ApiError(400, f"invalid compliance summary: {exc}", "send the summary secops builds") from None
        kept = await run_in_threadpool(store_summary, ing.ctx.state, summary, ing.ctx.now())
    except ApiError as exc:
        log.info("refused compliance summary %s: %s", exc.status, exc.error)
        return exc.response()
    log.info("school %s: compliance summary (%d systems) %s", signer.school, len(summary.systems), kept)
    return JSONResponse({"status": "stored" if kept else "older", "school": signer.school})
