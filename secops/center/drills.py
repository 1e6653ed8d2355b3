"""应急演练 at a center: drills it asks of its schools and the results they send up.

Staff ask a group of schools (or all, or some) to run a scenario before a deadline; the request is
sealed with the center's key (kind ``drill``) into the outbound queue every school pulls, like a
通报. A school's forwarder sends each drill it runs when it starts (so the center sees who is
drilling) and again when it finishes, with its outcome: drill minutes to each milestone, steps and
clocks met, questions answered. Times and counts only; the school keeps its report.

Results are kept per (school, drill number), idempotent: a resend changes nothing, and a finished
drill never goes back to running. A result names the request it answers only when that request
was addressed to the school; otherwise it is kept as a drill the school ran on its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from secops.center.schools import active_schools
from secops.center.signing_key import signing_key
from secops.errors import SecopsError
from secops.i18n import _
from secops.protocol import envelope
from secops.protocol.drills import DrillRequest, DrillResult
from secops.store import Store
from secops.store.schema import center_drill_results, center_drills, center_outbound

MIN_DUE, MAX_DUE = timedelta(hours=1), timedelta(days=90)
REQUEST_LIFETIME = timedelta(days=7)  # after the deadline, a school that never fetched it gets it no more
SCHOOL_STATES = {
    "finished": "已完成",
    "late": "逾期完成",
    "running": "进行中",
    "waiting": "未开展",
    "overdue": "逾期未开展",
}


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CenterDrill:
    id: str
    scenario: str
    title: str
    text: str
    speed: float
    issued_at: datetime
    due_at: datetime
    issued_by: str
    audience: str
    schools: list[str]  # empty: every registered school


@dataclass(frozen=True)
class SchoolResult:
    """One school's drill as the center knows it (from what its forwarder sent)."""

    school: str
    name: str
    drill: int
    request: str | None
    scenario: str
    speed: float
    state: str  # running | finished
    started_at: datetime
    finished_at: datetime | None
    outcome: dict[str, Any]

    def minutes(self, milestone: str) -> float | None:
        value = (self.outcome.get("milestones") or {}).get(milestone)
        return float(value) if value is not None else None

    def share(self, met: str, total: str) -> float | None:
        """steps_met / steps_total (or clocks), None when there were none."""
        whole = int(self.outcome.get(total) or 0)
        return int(self.outcome.get(met) or 0) / whole if whole else None


@dataclass(frozen=True)
class SchoolOnDrill:
    school: str
    name: str
    state: str  # a key of SCHOOL_STATES
    result: SchoolResult | None


@dataclass(frozen=True)
class DrillView:
    drill: CenterDrill
    schools: list[SchoolOnDrill]

    def count(self, *states: str) -> int:
        return sum(1 for s in self.schools if s.state in states)


def _center_drill(row: Any) -> CenterDrill:
    m = row._mapping
    issued, due = _aware(m["issued_at"]), _aware(m["due_at"])
    assert issued is not None and due is not None
    return CenterDrill(
        id=str(m["id"]),
        scenario=str(m["scenario"]),
        title=str(m["title"]),
        text=str(m["body"]),
        speed=float(m["speed"]),
        issued_at=issued,
        due_at=due,
        issued_by=str(m["issued_by"]),
        audience=str(m["audience"]),
        schools=list(m["schools"] or []),
    )


def issue_drill(
    state: Store,
    home: Path,
    *,
    scenario: str,
    title: str,
    text: str,
    speed: float,
    due: timedelta,
    schools: list[str],
    audience_text: str,
    issued_by: str,
    issuer: str,
    now: datetime,
) -> CenterDrill:
    """Ask the schools to run ``scenario`` within ``due``; sealed into the outbound queue."""
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.drill.store import check_speed

    chosen = scenario_named(scenario)  # the schools run the same shipped scenarios
    check_speed(speed)
    if not MIN_DUE <= due <= MAX_DUE:
        raise SecopsError(_("a drill is due between 1 hour and 90 days after it is asked (--due 7d)"))
    now = now.astimezone(UTC)
    body = DrillRequest(
        scenario=chosen.id,
        title=(title.strip() or chosen.name.zh)[:200],
        text=text.strip()[:5000],
        speed=speed,
        due_at=now + due,
    )
    # "d" (drill): notices are n..., packs p..., periods z...
    drill_id = "d" + now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(4)
    payload = envelope.Payload(
        kind="drill",
        id=drill_id,
        issuer=issuer,
        issued_at=now,
        expires_at=body.due_at + REQUEST_LIFETIME,
        schools=schools,
        body=body.model_dump(mode="json"),
    )
    sealed = envelope.seal(signing_key(home), payload)
    with state.engine.begin() as conn:
        conn.execute(
            center_outbound.insert().values(
                id=drill_id, kind="drill", issued_at=now, expires_at=payload.expires_at, schools=schools,
                envelope=sealed.model_dump(),
            )
        )  # fmt: skip
        conn.execute(
            center_drills.insert().values(
                id=drill_id, scenario=body.scenario, title=body.title, body=body.text, speed=speed, issued_at=now,
                due_at=body.due_at, issued_by=issued_by, audience=audience_text, schools=schools,
            )
        )  # fmt: skip
    return CenterDrill(
        drill_id, body.scenario, body.title, body.text, speed, now, body.due_at, issued_by, audience_text, schools
    )


def drills(state: Store) -> list[CenterDrill]:
    """Every drill asked, the newest first."""
    c = center_drills.c
    with state.engine.connect() as conn:
        rows = conn.execute(sa.select(center_drills).order_by(c.issued_at.desc(), c.id.desc())).all()
    return [_center_drill(row) for row in rows]


def find_drill(state: Store, drill_id: str) -> CenterDrill:
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(center_drills).where(center_drills.c.id == drill_id)).first()
    if row is None:
        raise SecopsError(_("no drill {id}").format(id=drill_id), hint=_("see secops center drill list"))
    return _center_drill(row)


def store_results(state: Store, school: str, results: Sequence[DrillResult], now: datetime) -> int:
    """Keep each result of ``school``; returns how many were new or changed."""
    c = center_drill_results.c
    changed = 0
    with state.engine.begin() as conn:
        for result in results:
            request = result.request
            if request is not None:
                addressed = conn.execute(
                    sa.select(center_drills.c.schools).where(center_drills.c.id == request)
                ).first()
                if addressed is None or (addressed.schools and school not in addressed.schools):
                    request = None  # not asked of this school: kept as a drill of its own
            outcome = result.model_dump(
                mode="json",
                include={
                    "milestones",
                    "steps_met",
                    "steps_total",
                    "clocks_met",
                    "clocks_total",
                    "questions_answered",
                    "questions_total",
                    "gaps",
                },
            )
            values = {
                "request": request,
                "scenario": result.scenario,
                "speed": result.speed,
                "state": result.state,
                "started_at": result.started_at,
                "finished_at": result.finished_at,
                "outcome": outcome,
                "updated_at": now,
            }
            row = conn.execute(
                sa.select(center_drill_results).where(c.school == school, c.drill == result.drill)
            ).first()
            if row is None:
                conn.execute(
                    center_drill_results.insert().values(school=school, drill=result.drill, received_at=now, **values)
                )
                changed += 1
            elif row.state == "finished" and result.state == "running":
                continue  # a late resend of the start: the finish stands
            elif (row.state, row.outcome, row.request) != (result.state, outcome, request):
                conn.execute(
                    center_drill_results.update().where(c.school == school, c.drill == result.drill).values(**values)
                )
                changed += 1
    return changed


def results(state: Store, *, request: str | None = None, scenario: str | None = None) -> list[SchoolResult]:
    """Results as sent, the latest start first; only those answering ``request`` or of ``scenario``."""
    c = center_drill_results.c
    stmt = sa.select(center_drill_results).order_by(c.started_at.desc(), c.school)
    if request is not None:
        stmt = stmt.where(c.request == request)
    if scenario is not None:
        stmt = stmt.where(c.scenario == scenario)
    with state.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        names = active_schools(conn)
    found = []
    for row in rows:
        started = _aware(row.started_at)
        assert started is not None
        found.append(
            SchoolResult(
                school=row.school,
                name=names.get(row.school, row.school),
                drill=int(row.drill),
                request=row.request,
                scenario=row.scenario,
                speed=float(row.speed),
                state=row.state,
                started_at=started,
                finished_at=_aware(row.finished_at),
                outcome=dict(row.outcome or {}),
            )
        )
    return found


def _state(drill: CenterDrill, result: SchoolResult | None, now: datetime) -> str:
    if result is None:
        return "overdue" if now > drill.due_at else "waiting"
    if result.state == "running":
        return "running"
    assert result.finished_at is not None
    return "late" if result.finished_at > drill.due_at else "finished"


def drill_views(state: Store, now: datetime, drill_id: str | None = None) -> list[DrillView]:
    """Each drill asked (or only ``drill_id``), with every school it addressed: done, running, not
    started or overdue; each school's latest drill answering the request counts."""
    asked = [find_drill(state, drill_id)] if drill_id is not None else drills(state)
    with state.engine.connect() as conn:
        registered = active_schools(conn)
    views = []
    for drill in asked:
        latest: dict[str, SchoolResult] = {}
        for result in results(state, request=drill.id):
            current = latest.get(result.school)
            # a finished drill beats a running one; among the same kind, the latest start
            if current is None or (result.state == "finished" and current.state != "finished"):
                latest[result.school] = result
        codes = drill.schools or sorted(registered)
        rows = [
            SchoolOnDrill(code, registered.get(code, code), _state(drill, latest.get(code), now), latest.get(code))
            for code in codes
        ]
        order = {"overdue": 0, "running": 1, "waiting": 2, "late": 3, "finished": 4}
        rows.sort(key=lambda r: (order[r.state], r.school))
        views.append(DrillView(drill, rows))
    return views


def comparison(state: Store, scenario: str | None = None) -> list[SchoolResult]:
    """Each school's latest finished drill (of ``scenario`` when given), the fastest first report
    first: what the dashboard compares across schools."""
    latest: dict[tuple[str, str], SchoolResult] = {}
    for result in results(state, scenario=scenario):
        if result.state != "finished":
            continue
        key = (result.school, result.scenario)
        if key not in latest:  # results() gives the latest start first
            latest[key] = result

    def order(result: SchoolResult) -> tuple[float, float, str]:
        reported = result.minutes("reported")
        acknowledged = result.minutes("acknowledged")
        return (
            reported if reported is not None else 1e9,
            acknowledged if acknowledged is not None else 1e9,
            result.school,
        )

    return sorted(latest.values(), key=order)
