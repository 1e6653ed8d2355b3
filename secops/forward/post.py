"""A signed POST to the center, and what became of it in a few words: what every upward stream
besides the alert batches shares (summary, check-in, incidents, notice and pack status, 零报告)."""

from __future__ import annotations

import time

import httpx

from secops.forward.target import Target
from secops.protocol import signing


def post_signed(http: httpx.Client, target: Target, path: str, body: bytes) -> httpx.Response:
    """POST ``body`` to ``path``, signed as the target's school (a URL prefix is part of the signature)."""
    signed_path = httpx.URL(target.center + path).path
    headers = signing.signed_headers(target.key, target.school, body, now=time.time(), path=signed_path)
    return http.post(path, content=body, headers=headers)


def reason(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def error_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))[:200]
    except (ValueError, AttributeError):
        return response.reason_phrase


def send(http: httpx.Client, target: Target, path: str, body: bytes, what: str) -> str:
    """``sent``, or ``not sent: why``; never raises (the alerts matter more). ``what`` names the
    stream for a center too old to have its endpoint (404)."""
    try:
        response = post_signed(http, target, path, body)
    except httpx.HTTPError as exc:
        return f"not sent: {reason(exc)}"
    if response.status_code == 200:
        return "sent"
    if response.status_code == 404:
        return f"not sent: the center does not take {what} (404)"
    return f"not sent: center answered {response.status_code}: {error_of(response)}"
