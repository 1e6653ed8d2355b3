"""Receiving a small signed JSON document from a school (or a lower center): the steps every
endpoint but the alert batch shares, in the same cheapest-first order as ``/api/v1/alerts``.

Headers before the body is read, then the body (size, deadline), the signature, the rate limit,
JSON depth and the model's validation for the school whose key signed it. The caller records the
nonce (``api.use_nonce``) only when it is about to store, so a refused request leaves it unused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from secops.center.api import ApiError, Claim, Ingestion, authenticate_headers, rate_limit, read_body, verify_body
from secops.center.guard import MAX_JSON_DEPTH, json_depth_exceeds
from secops.center.schools import Signer

Model = TypeVar("Model", bound=BaseModel)


async def receive_signed(ing: Ingestion, request: Request, max_bytes: int, what: str) -> tuple[Claim, bytes]:
    """The authenticated body of a signed request; ApiError for every refusal."""
    limits = ing.ctx.settings.limits
    claim = await authenticate_headers(ing, request)
    body = await read_body(request, min(limits.max_body_bytes, max_bytes), limits.max_batch)
    verify_body(claim, request, body)
    await rate_limit(ing, claim.signer)
    if json_depth_exceeds(body):
        raise ApiError(400, f"the JSON nests deeper than {MAX_JSON_DEPTH} levels", f"send the {what} secops builds")
    return claim, body


def parse_for_school(
    body: bytes, model: type[Model], signer: Signer, school_of: Callable[[Model], str], what: str
) -> Model:
    """Validate ``body`` as ``model``; 400 naming the first problem, 403 if it names another school."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"malformed JSON: {exc}", f"send the {what} secops builds") from None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(
            400,
            f"invalid {what}: {where}: {first['msg']} ({exc.error_count()} problem(s))",
            f"send the {what} secops builds",
        ) from None
    named = school_of(parsed)
    if not signer.speaks_for(named):  # its own, or (a lower center) a school it covers
        school = signer.school
        raise ApiError(
            403,
            f"the {what} is for school {named}, the key for {school}",
            f"a school may send only its own {what}; nothing was stored",
        )
    return parsed
