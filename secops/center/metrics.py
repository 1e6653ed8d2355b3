"""``GET /metrics``: the center's counters in the Prometheus text exposition format (0.0.4).

Written by hand (prometheus_client is not a dependency). The counters live in the app's state. With
several worker processes (``serve --workers``) a scrape reaches one of them, so each worker also
publishes its counts to a folder the supervisor made (every ``PUBLISH_SECONDS``, at each scrape it
answers and when it stops) and the one scraped answers the sum of what all have published (the
others' up to ``PUBLISH_SECONDS`` old). A worker that died keeps its published counts, so the
totals never go down. What is counted:

- ``secops_center_requests_total{route,status}``: every answered request, by route template
  (``other`` for paths no route matched, so a scanner cannot grow the label set);
- ``secops_center_refusals_total{reason}``: requests the center refused, by the documented reason
  of their status (see ``REFUSAL_REASONS``);
- ``secops_center_store_write_seconds``: a histogram of alert-store write time per batch;
- ``secops_center_store_writes_waiting``: batches waiting for a store write slot (the center has
  no outbox of its own: this is its only queue);
- ``secops_center_silent_forwarders`` and ``secops_center_open_cases{grade}``: read from the center
  database at scrape time.

Access: loopback clients that did not come through a proxy, or ``Authorization: Bearer <metrics_token>``
(center.yaml); everyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secops.center.context import CenterContext

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STORE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# what a refused request's status means (the API's documented error contract)
REFUSAL_REASONS = {
    400: "malformed",  # malformed JSON, batch or document; JSON nested too deep
    401: "signature",  # missing or bad signature headers, unknown key, stale timestamp, wrong signature
    403: "wrong_school",  # the key is another school's, or the body names another school
    408: "body_timeout",
    409: "replay",  # the nonce was used before
    413: "size",  # body or batch too large
    429: "rate_limit",  # the school's rate limit, the store falling behind, or the login throttle
    503: "unavailable",  # the alert store is unavailable
}
_FORWARDED_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")
PUBLISH_SECONDS = 2.0


class Histogram:
    """A cumulative-bucket histogram (not thread-safe by itself: ``Metrics`` holds the lock)."""

    def __init__(self, buckets: Sequence[float]) -> None:
        self.bounds = tuple(sorted(buckets))
        self.counts = [0] * len(self.bounds)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        for index, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[index] += 1
                break
        self.sum += value
        self.count += 1


class Metrics:
    """Counters shared by the middleware and the handlers of one process; with ``share_dir``, the
    counts of every worker process of the instance (see the module's docstring)."""

    def __init__(self, share_dir: Path | None = None) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.refusals: Counter[str] = Counter()
        self.store_write = Histogram(STORE_BUCKETS)
        self.waiting = 0
        self.share_dir = share_dir
        self.worker = os.getpid()  # names this worker's published file; its liveness counts for the gauge

    def request(self, route: str, status: int, *, api: bool) -> None:
        reason = REFUSAL_REASONS.get(status)
        counted = reason is not None and (api or status in (408, 413, 429))
        with self._lock:
            self.requests[(route, str(status))] += 1
            if counted and reason is not None:
                self.refusals[reason] += 1

    def store_write_took(self, seconds: float) -> None:
        with self._lock:
            self.store_write.observe(seconds)

    def waiting_changed(self, delta: int) -> None:
        with self._lock:
            self.waiting += delta

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            hist = self.store_write
            return {
                "pid": self.worker,
                "requests": [[route, status, value] for (route, status), value in self.requests.items()],
                "refusals": dict(self.refusals),
                "store_write": {"counts": list(hist.counts), "sum": hist.sum, "count": hist.count},
                "waiting": self.waiting,
            }

    def publish(self) -> None:
        """Write this process's counts for the other workers (atomically: a reader sees old or new)."""
        if self.share_dir is None:
            return
        path = self.share_dir / f"worker-{self.worker}.json"
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps(self.snapshot()), encoding="utf-8")
        os.replace(temporary, path)

    def _published(self) -> list[dict[str, Any]]:
        """Every worker's last published counts, this one's included (a torn or foreign file is skipped)."""
        if self.share_dir is None:
            return []
        found = []
        for path in sorted(self.share_dir.glob("worker-*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and len(data.get("store_write", {}).get("counts", ())) == len(STORE_BUCKETS):
                found.append(data)
        return found

    def render(self, silent_forwarders: int, open_cases: dict[str, int]) -> str:
        # With workers, every count comes from the published files, this worker's written just now:
        # each file only grows, so a later scrape (by any worker) never reports less than an earlier one.
        # (Its own live counts plus the others' older files could: the next scrape, by another worker,
        # would pair that one's live counts with this one's older file.)
        if self.share_dir is not None:
            self.publish()
            snapshots = self._published()
        else:
            snapshots = [self.snapshot()]
        requests: Counter[tuple[str, str]] = Counter()
        refusals: Counter[str] = Counter()
        counts = [0] * len(STORE_BUCKETS)
        total, count, waiting = 0.0, 0, 0
        for snap in snapshots:
            for route, status, value in snap["requests"]:
                requests[(str(route), str(status))] += int(value)
            refusals.update({str(k): int(v) for k, v in snap["refusals"].items()})
            hist = snap["store_write"]
            counts = [a + int(b) for a, b in zip(counts, hist["counts"], strict=True)]
            total += float(hist["sum"])
            count += int(hist["count"])
            if _alive(int(snap["pid"])):  # a gauge: only the living are waiting
                waiting += int(snap["waiting"])
        out: list[str] = []
        _family(out, "secops_center_requests_total", "counter", "Requests answered, by route and status.")
        for (route, status), value in sorted(requests.items()):
            out.append(_sample("secops_center_requests_total", {"route": route, "status": status}, value))
        _family(out, "secops_center_refusals_total", "counter", "Requests refused, by reason.")
        for reason, value in sorted(refusals.items()):
            out.append(_sample("secops_center_refusals_total", {"reason": reason}, value))
        name = "secops_center_store_write_seconds"
        _family(out, name, "histogram", "Time to write one batch of alerts to the alert store.")
        cumulative = 0
        for bound, value in zip(STORE_BUCKETS, counts, strict=True):
            cumulative += value
            out.append(_sample(f"{name}_bucket", {"le": _number(bound)}, cumulative))
        out.append(_sample(f"{name}_bucket", {"le": "+Inf"}, count))
        out.append(_sample(f"{name}_sum", {}, total))
        out.append(_sample(f"{name}_count", {}, count))
        name = "secops_center_store_writes_waiting"
        _family(out, name, "gauge", "Alert batches waiting for a store write slot.")
        out.append(_sample(name, {}, waiting))
        name = "secops_center_silent_forwarders"
        _family(out, name, "gauge", "School forwarders silent past twice their promised check-in interval.")
        out.append(_sample(name, {}, silent_forwarders))
        name = "secops_center_open_cases"
        _family(out, name, "gauge", "Cases (incidents) not closed, by grade.")
        for grade, value in sorted(open_cases.items()):
            out.append(_sample(name, {"grade": grade}, value))
        return "\n".join(out) + "\n"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return str(value) if isinstance(value, int) else repr(float(value))


def _family(out: list[str], name: str, kind: str, help_text: str) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}")
    out.append(f"# TYPE {name} {kind}")


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    if not labels:
        return f"{name} {_number(value)}"
    inner = ",".join(f'{key}="{_escape_label(text)}"' for key, text in labels.items())
    return f"{name}{{{inner}}} {_number(value)}"


class MetricsMiddleware:
    """Counts every answered HTTP request by route template and status (outermost, so the request
    guard's own refusals count too)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if status:
                route = getattr(scope.get("route"), "path", None) or "other"
                path = str(scope.get("path", ""))
                self.metrics.request(str(route), status, api=path.startswith("/api/"))


def open_cases_by_grade(ctx: CenterContext) -> dict[str, int]:
    from secops.incident.playbooks import GRADES
    from secops.store.schema import incidents

    c = incidents.c
    query = sa.select(c.grade, sa.func.count()).where(c.state != "closed").group_by(c.grade)
    with ctx.state.engine.connect() as conn:
        found = {str(grade): int(count) for grade, count in conn.execute(query)}
    return {**dict.fromkeys(GRADES, 0), **found}


def silent_forwarders(ctx: CenterContext) -> int:
    """Active schools whose forwarder checked in once and is now silent past its promise."""
    from secops.center.heartbeats import latest_checkins
    from secops.store.schema import center_schools

    c = center_schools.c
    with ctx.state.engine.connect() as conn:
        active = {row.code for row in conn.execute(sa.select(c.code).where(c.revoked_at.is_(None)))}
    moment = ctx.now()
    now = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    checkins = latest_checkins(ctx.state)
    return sum(1 for code, checkin in checkins.items() if code in active and checkin.silent_for(now) is not None)


def _scrape(ctx: CenterContext, metrics: Metrics) -> str:
    return metrics.render(silent_forwarders(ctx), open_cases_by_grade(ctx))


def _from_proxy(scope: Scope) -> bool:
    return any(name in _FORWARDED_HEADERS for name, _value in scope.get("headers", ()))


def _loopback(peer: str | None) -> bool:
    try:
        return peer is not None and ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def allowed(request: Request, token: str | None) -> bool:
    """A bearer token equal to ``token`` (when set), or a loopback peer with no forwarded-for header
    (a proxy on the same host would otherwise make every client look local)."""
    authorization = request.headers.get("authorization", "")
    scheme, _sep, given = authorization.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    peer = request.client.host if request.client else None
    return _loopback(peer) and not _from_proxy(request.scope)


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (loopback, or Authorization: Bearer <metrics_token>)",
    response_class=PlainTextResponse,
)
async def metrics_endpoint(request: Request) -> Response:
    ctx: CenterContext = request.app.state.center
    metrics: Metrics = request.app.state.metrics
    if not allowed(request, ctx.settings.metrics_token):
        return PlainTextResponse(
            "metrics are served to loopback clients or with the metrics_token of center.yaml\n", status_code=403
        )
    text = await run_in_threadpool(_scrape, ctx, metrics)
    return Response(text, media_type=CONTENT_TYPE)


def parse_exposition(text: str) -> Iterable[tuple[str, dict[str, str], float]]:
    """The samples of an exposition (for tests and ``secops center`` tooling): name, labels, value."""
    sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = sample.match(line)
        if match is None:
            raise ValueError(f"not a sample line: {line!r}")
        name, inner, value = match.groups()
        labels = {key: _unescape.sub(_unescaped, raw) for key, raw in label.findall(inner or "")}
        yield name, labels, float(value)


_unescape = re.compile(r"\\(.)")


def _unescaped(match: re.Match[str]) -> str:
    return "\n" if match.group(1) == "n" else match.group(1)
