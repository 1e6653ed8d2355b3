"""应急演练 between the school and its center: the drills the center asks for (kind ``drill``,
pulled like a 通报) and the school's drills sent up when they start and when they finish.

A request is kept among the received envelopes and announced on the notifiers; the school runs it
with ``secops drill start SCENARIO --notice ID`` whenever it chooses before the deadline (an
unannounced drill is the point). Each drill goes up twice at most: started (the center sees who is
drilling), then finished with its outcome in times and counts. What the center acknowledged is
recorded after its answer, so a pass killed half-way sends the same again and the center keeps one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import sqlalchemy as sa

from secops.forward.post import send
from secops.forward.target import Target
from secops.incident.drill import store as drill_store
from secops.protocol import envelope
from secops.protocol.drills import (
    DRILL_RESULTS_PATH,
    MAX_BATCH,
    DrillRequest,
    DrillResult,
    DrillResultBatch,
    Milestones,
)
from secops.store import Store
from secops.store.schema import forward_received

log = logging.getLogger(__name__)


class Delivered(Protocol):
    """What ``secops.forward.inbox`` hands a handler (its ``Delivery``), without importing it."""

    @property
    def store(self) -> Store: ...
    @property
    def workspace(self) -> Path: ...
    @property
    def payload(self) -> envelope.Payload: ...
    @property
    def now(self) -> datetime: ...


def receive_drill_request(delivery: Delivered) -> tuple[int | None, str]:
    """The inbox handler of kind ``drill``: check the scenario is one this secops ships, announce it."""
    from secops.incident.drill.scenarios import scenario_named

    body = DrillRequest.model_validate(delivery.payload.body)
    scenario = scenario_named(body.scenario)  # unknown: refused (this secops is older than the center)
    due = body.due_at.astimezone(_zone(delivery.workspace)).strftime("%Y-%m-%d %H:%M")
    command = f"secops drill start {scenario.id} --notice {delivery.payload.id}"
    _announce(
        delivery.workspace,
        f"收到上级应急演练要求：{body.title}（情景：{scenario.name.zh}，{body.speed:g} 倍速），"
        f"请在 {due} 前完成：{command}" + (f"。说明：{body.text}" if body.text else ""),
        {"kind": "drill-request", "request": delivery.payload.id, "scenario": scenario.id},
    )
    return None, f"演练要求“{body.title}”（{scenario.id}），{due} 前完成：{command}"


def _zone(workspace: Path) -> Any:
    from zoneinfo import ZoneInfo

    from secops.config import load_workspace
    from secops.errors import SecopsError

    try:
        return ZoneInfo(load_workspace(workspace).config.timezone)
    except (SecopsError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def _announce(workspace: Path, text: str, event: dict[str, Any]) -> None:
    from secops.errors import SecopsError
    from secops.notify import load_notifiers
    from secops.notify import send as notify

    try:
        notify(load_notifiers(workspace), text, event, workspace)
    except SecopsError as exc:  # a broken notifiers.yaml must not lose the request
        log.warning("drill request not sent to the notifiers: %s", exc)


@dataclass(frozen=True)
class Request:
    """A drill the center asked for, and where this school stands on it."""

    id: str
    scenario: str
    title: str
    text: str
    speed: float
    due_at: datetime
    received_at: datetime
    drills: list[drill_store.Drill]  # this school's drills answering it

    @property
    def state(self) -> str:
        """finished | running | waiting (not started, deadline ahead) | overdue."""
        if any(not d.running for d in self.drills):
            return "finished"
        if self.drills:
            return "running"
        return "overdue" if datetime.now(UTC) > self.due_at else "waiting"


def requests(store: Store) -> list[Request]:
    """The center's drill requests received, the newest first."""
    r = forward_received.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(forward_received).where(r.kind == "drill", r.accepted.is_(True)).order_by(r.received_at.desc())
        ).all()
    mine = drill_store.list_all(store)
    found = []
    for row in rows:
        payload = envelope.Payload.model_validate(row.payload)
        body = DrillRequest.model_validate(payload.body)
        received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
        answering = [d for d in mine if d.notice_id == payload.id]
        found.append(
            Request(payload.id, body.scenario, body.title, body.text, body.speed, body.due_at, received, answering)
        )
    return found


def request_named(store: Store, request_id: str) -> Request | None:
    return next((r for r in requests(store) if r.id == request_id), None)


def _result(drill: drill_store.Drill) -> DrillResult:
    summary = drill.result or {}
    return DrillResult(
        drill=drill.id,
        request=drill.notice_id if drill.notice_id and drill.notice_id.startswith("d") else None,
        scenario=drill.scenario,
        speed=drill.speed,
        state="running" if drill.running else "finished",
        started_at=drill.started_at,
        finished_at=None if drill.running else drill.finished_at,
        milestones=Milestones(**(summary.get("milestones") or {})),
        steps_met=int(summary.get("steps_met") or 0),
        steps_total=int(summary.get("steps_total") or 0),
        clocks_met=int(summary.get("clocks_met") or 0),
        clocks_total=int(summary.get("clocks_total") or 0),
        questions_answered=int(summary.get("questions_answered") or 0),
        questions_total=int(summary.get("questions_total") or 0),
        gaps=int(summary.get("gaps") or 0),
    )


def send_drill_results(http: httpx.Client, target: Target, store: Store, now: datetime) -> str:
    """Send the drills whose state the center has not acknowledged yet; what happened (never raises)."""
    try:
        pending = [d for d in drill_store.list_all(store) if d.uploaded_state != d.state][:MAX_BATCH]
        results = [_result(d) for d in pending]
    except Exception as exc:  # a broken row must not stop the pass
        return f"not built: {exc}"
    if not results:
        return "up to date"
    batch = DrillResultBatch(school=target.school, results=results)
    outcome = send(http, target, DRILL_RESULTS_PATH, batch.model_dump_json().encode(), "drill results")
    if outcome != "sent":
        return outcome
    for drill in pending:
        drill_store.update(store, drill.id, uploaded_state=drill.state, uploaded_at=now)
    return f"sent {len(results)}"
