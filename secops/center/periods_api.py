"""``POST /api/v1/zero-reports``: a school's daily 零报告 (or its incidents of the day, counts only)
in an important period, signed like every school request (``secops.center.signed``). Idempotent:
the forwarder resends until it gets this answer."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.periods import store_zero_reports
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.zero_reports import ZeroReportAnswer, ZeroReportBatch

log = logging.getLogger("secops.center.periods_api")
router = APIRouter(prefix="/api/v1", tags=["periods"])
MAX_ZERO_REPORT_BYTES = 200_000


@router.post("/zero-reports", summary="A school's daily 零报告 in an important period (counts only)")
async def post_zero_reports(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_ZERO_REPORT_BYTES, "零报告")
        batch = parse_for_school(body, ZeroReportBatch, claim.signer, lambda b: b.school, "零报告")
        await use_nonce(ing, claim)
        results = await run_in_threadpool(store_zero_reports, ing.ctx.state, batch.school, batch.reports, ing.ctx.now())
    except ApiError as exc:
        log.info("refused zero reports %s: %s", exc.status, exc.error)
        return exc.response()
    answer = ZeroReportAnswer(school=batch.school, results=results)
    return Response(answer.model_dump_json(), media_type="application/json")
