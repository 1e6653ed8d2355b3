"""``POST /api/v1/covered``: a lower center names the schools it covers (signed like every request;
only the codes it was registered for are taken)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from secops.center.api import ApiError, Ingestion, use_nonce
from secops.center.schools import rename_covered
from secops.center.signed import parse_for_school, receive_signed
from secops.protocol.tiers import CoveredSchools

log = logging.getLogger("secops.center.tiers_api")
router = APIRouter(prefix="/api/v1", tags=["tiers"])
MAX_COVERED_BYTES = 5_000_000


@router.post("/covered", summary="A lower center's names for the schools it covers")
async def post_covered(request: Request) -> Response:
    ing: Ingestion = request.app.state.ingestion
    try:
        claim, body = await receive_signed(ing, request, MAX_COVERED_BYTES, "school names")
        covered = parse_for_school(body, CoveredSchools, claim.signer, lambda b: b.center, "school names")
        if covered.center != claim.signer.school:
            raise ApiError(403, "only a center names its own schools", "send your own code as center")
        await use_nonce(ing, claim)
        names = {s.code: s.name for s in covered.schools if s.code in claim.signer.covers}
        changed = await run_in_threadpool(rename_covered, ing.ctx.state, claim.signer.school, names)
    except ApiError as exc:
        log.info("refused school names %s: %s", exc.status, exc.error)
        return exc.response()
    return JSONResponse({"center": covered.center, "taken": len(names), "changed": changed})
