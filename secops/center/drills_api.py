"""``POST /api/v1/drill-results``: a school's drills, when they start and when they finish (times
and counts only), signed like every school request (``secops.center.signed``). Idempotent: the
forwarder resends until it gets this answer."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.drills import store_results
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.drills import DrillResultAnswer, DrillResultBatch

log = logging.getLogger("secops.center.drills_api")
router = APIRouter(prefix="/api/v1", tags=["drills"])
MAX_DRILL_RESULT_BYTES = 200_000


@router.post("/drill-results", summary="A school's 应急演练: started and finished drills (times and counts)")
async def post_drill_results(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_DRILL_RESULT_BYTES, "演练结果")
        batch = parse_for_school(body, DrillResultBatch, claim.signer, lambda b: b.school, "演练结果")
        await use_nonce(ing, claim)
        stored = await run_in_threadpool(store_results, ing.ctx.state, batch.school, batch.results, ing.ctx.now())
    except ApiError as exc:
        log.info("refused drill results %s: %s", exc.status, exc.error)
        return exc.response()
    answer = DrillResultAnswer(school=batch.school, stored=stored)
    return Response(answer.model_dump_json(), media_type="application/json")
