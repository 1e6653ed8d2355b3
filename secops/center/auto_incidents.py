"""Alerts at or above the configured severity open incidents with the matching playbook.

Never two incidents for one center alert: before opening, a tick *claims* the alert (a row keyed
by the alert id in ``center_auto_incidents``; a second tick, or a second center process, finds
the claim and skips), opens the incident through ``secops.incident`` (so it gets its clocks and
its audit entry like any other) and links it to the claim. A tick that dies between the claim and
the link leaves an unlinked claim; once it is older than ``STALE``, the next tick looks for an
incident already carrying the alert id (link it) or opens the one that is missing.

One case per school, asset and kind, not per alert: an alert joins the open automatic case of its
group (the school, the alert's first host, and its kind: the playbook that fits it, else its rule)
while that case last took an alert within ``cases_window_hours``; so an upload and a command on one
webshell, or 500 brute-force alerts against one server, make one case. At most
``max_new_cases_per_school_hour`` new cases a school per hour: beyond that its alerts join one
告警激增 case, so 2,000 critical alerts cannot bury the duty staff in 2,000 cases.

The grade comes from the alert's facts and the incident policy's grading (the CAC thresholds:
personal records leaked, loss, downtime; secops.incident.policy), not from the playbook's default:
an alert that reaches no threshold is 一般 until a person regrades it with a reason.

Which alerts are new: those the store *received* since the last tick (with a small overlap for
transactions that commit out of order and for Elasticsearch's refresh), whatever their own time,
so an alert delivered days late still opens its incident.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.stores.base import AlertQuery, StoredAlert
from secops.incident.from_alert import choose_playbook, open_from_alert
from secops.incident.model import Incident, Session
from secops.incident.playbooks import Playbook
from secops.incident.policy import CRITERIA, IncidentPolicy
from secops.models import AlertFacts
from secops.protocol.alerts import SEVERITY_SCORE
from secops.store.schema import center_auto_cursor, center_auto_incidents, incidents
from secops.store.upsert import upsert_insert

log = logging.getLogger(__name__)
ACTOR = "center-auto"
CURSOR = "auto-incidents"
PAGE = 500
CLAIM_ROWS = 100  # rows per INSERT: 5 columns each, far below SQLite's 32,766 bound parameters
RECEIVED_OVERLAP = timedelta(minutes=2)
STALE = timedelta(minutes=2)
FALLBACK = ("10", "其他")  # no playbook fits: 其他事件, graded 一般 for a person to review
OVERFLOW = "overflow"  # the group of a school's alerts past its hourly cap of new cases
HOUR = timedelta(hours=1)

_claims = center_auto_incidents.c


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _pages(items: Iterator[StoredAlert], size: int) -> Iterator[list[StoredAlert]]:
    while page := list(islice(items, size)):
        yield page


def severities_from(minimum: str) -> tuple[str, ...]:
    floor = SEVERITY_SCORE[minimum]
    return tuple(name for name, score in SEVERITY_SCORE.items() if score >= floor)


def _cursor(ctx: CenterContext) -> datetime | None:
    with ctx.state.engine.connect() as conn:
        at = conn.execute(sa.select(center_auto_cursor.c.at).where(center_auto_cursor.c.name == CURSOR)).scalar()
    return _utc(at) if isinstance(at, datetime) else None


def _save_cursor(ctx: CenterContext, at: datetime) -> None:
    with ctx.state.engine.begin() as conn:
        stmt = upsert_insert(conn, center_auto_cursor).values(name=CURSOR, at=_utc(at))
        conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"at": stmt.excluded.at}))


def _candidates(ctx: CenterContext, last: datetime | None, severities: tuple[str, ...]) -> Iterator[StoredAlert]:
    """Alerts the store took since the last tick (less a small overlap), oldest first, keyset-paged."""
    since = (last or datetime(2000, 1, 1, tzinfo=UTC)) - RECEIVED_OVERLAP
    after: tuple[datetime, str] | None = None
    while True:
        page = ctx.alerts.search(
            AlertQuery(severities=severities, received_since=since, order="received", received_after=after, limit=PAGE)
        )
        yield from page
        if len(page) < PAGE:
            return
        after = (page[-1].received_at, page[-1].id)


def _claim_page(
    ctx: CenterContext, page: list[tuple[StoredAlert, str]], groups: dict[tuple[str, str], int], now: datetime
) -> list[tuple[StoredAlert, str]]:
    """Claim a page of (alert, group) in one transaction; those of an open case's group are linked to
    it at once. Returns the alerts this tick won that still need a case.

    One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per kind of row (linked or not), not a
    statement per alert: in a storm the page is 500 alerts and the round trips were the tick's cost."""
    linked: list[dict[str, Any]] = []
    unlinked: list[dict[str, Any]] = []
    for alert, group in page:
        incident_id = groups.get((alert.school, group))
        values: dict[str, Any] = {"alert_id": alert.id, "school": alert.school, "claimed_at": now}
        if incident_id is None:
            unlinked.append(values)
        else:
            linked.append({**values, "incident_id": incident_id, "opened_at": now})
    won: set[str] = set()
    with ctx.state.engine.begin() as conn:
        for rows in (linked, unlinked):
            for start in range(0, len(rows), CLAIM_ROWS):
                # the rows back are the claims this tick won (an INSERT's rowcount is not reported on
                # every driver: psycopg under SQLAlchemy 2.1 gives -1)
                stmt = (
                    upsert_insert(conn, center_auto_incidents)
                    .values(rows[start : start + CLAIM_ROWS])
                    .on_conflict_do_nothing(index_elements=["alert_id"])
                    .returning(_claims.alert_id)
                )
                if rows is unlinked:
                    won.update(str(alert_id) for alert_id in conn.execute(stmt).scalars())
                else:
                    conn.execute(stmt)
    seen: set[str] = set()
    to_open = []
    for alert, group in page:  # in page order; an alert listed twice is opened once
        if alert.id in won and alert.id not in seen:
            seen.add(alert.id)
            to_open.append((alert, group))
    return to_open


def _kind(alert: StoredAlert, playbooks: list[Playbook]) -> str:
    """What the alert is about: the playbook that fits it, else its rule id, else its title."""
    chosen = choose_playbook(alert_facts(alert), playbooks)
    if chosen is not None:
        return f"playbook:{chosen.id}"
    rule = alert.doc.get("rule") if isinstance(alert.doc.get("rule"), dict) else {}
    rule_id = (rule or {}).get("id")
    return f"rule:{rule_id}" if isinstance(rule_id, str) and rule_id else f"title:{alert.title}"


def group_key(alert: StoredAlert, playbooks: list[Playbook]) -> str:
    """Alerts of one school with the same key join one case: the asset they concern and their kind."""
    assets = _assets(alert.doc)
    return f"{assets[0] if assets else '-'}|{_kind(alert, playbooks)}"


def _case_groups(facts: dict[str, Any]) -> list[str]:
    groups = facts.get("groups")
    if isinstance(groups, list):  # a case others were merged into takes all their groups
        return [str(g) for g in groups]
    return [str(facts["group"])] if facts.get("group") else []


def _open_groups(ctx: CenterContext, now: datetime, window: timedelta) -> dict[tuple[str, str], int]:
    """(school, group key) -> the open automatic case that takes further alerts of that group: one
    that took an alert (or was opened) within ``window``."""
    c = incidents.c
    claims = (
        sa.select(_claims.incident_id, sa.func.max(_claims.claimed_at).label("last"))
        .group_by(_claims.incident_id)
        .subquery()
    )
    with ctx.state.engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.id, c.facts, c.created_at, claims.c.last)
            .select_from(incidents.outerjoin(claims, claims.c.incident_id == c.id))
            .where(c.state != "closed")
            .order_by(c.id)
        ).all()
    groups: dict[tuple[str, str], int] = {}
    for incident_id, facts, created_at, last in rows:
        facts = facts or {}
        if facts.get("opened_by") != ACTOR:
            continue
        latest = max(
            _utc(_as_time(created_at)), _utc(_as_time(last)) if last is not None else _utc(_as_time(created_at))
        )
        if now - latest > window:
            continue  # a quiet case: the next alert of its group starts a new one
        for group in _case_groups(facts):
            groups.setdefault((str(facts.get("school")), group), incident_id)
    return groups


def _as_time(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value  # max() is text on SQLite


def _opened_last_hour(ctx: CenterContext, now: datetime) -> dict[str, int]:
    """How many automatic cases each school got in the hour before ``now`` (the cap counts them)."""
    c = incidents.c
    with ctx.state.engine.connect() as conn:
        rows = conn.execute(sa.select(c.facts).where(c.created_at >= now - HOUR)).scalars().all()
    counts: dict[str, int] = {}
    for facts in rows:
        facts = facts or {}
        if facts.get("opened_by") == ACTOR and facts.get("group") != OVERFLOW:
            school = str(facts.get("school"))
            counts[school] = counts.get(school, 0) + 1
    return counts


def _link(ctx: CenterContext, alert_id: str, incident_id: int, now: datetime) -> None:
    with ctx.state.engine.begin() as conn:
        conn.execute(
            center_auto_incidents.update()
            .where(_claims.alert_id == alert_id)
            .values(incident_id=incident_id, opened_at=now)
        )


def _assets(doc: dict[str, Any]) -> tuple[str, ...]:
    host = doc.get("host") if isinstance(doc.get("host"), dict) else {}
    found = [*((host or {}).get("ip") or []), (host or {}).get("name")]
    return tuple(str(a) for a in found if a)[:10]


def grading_facts(doc: dict[str, Any]) -> dict[str, Any]:
    """The quantities the policy grades on (personal records leaked, loss, downtime) that an alert
    carries under ``secops.facts``; anything else there is ignored."""
    secops = doc.get("secops") if isinstance(doc.get("secops"), dict) else {}
    given = (secops or {}).get("facts")
    if not isinstance(given, dict):
        return {}
    found: dict[str, Any] = {k: v for k, v in given.items() if k in CRITERIA and isinstance(v, (int, float))}
    if isinstance(given.get("portal_level"), str):
        found["portal_level"] = given["portal_level"]
    return found


def alert_facts(alert: StoredAlert, group: str = "") -> AlertFacts:
    """What a center alert tells its incident; the school and the alert's id go into its facts."""
    doc = alert.doc
    rule = doc.get("rule") if isinstance(doc.get("rule"), dict) else {}
    secops = doc.get("secops") if isinstance(doc.get("secops"), dict) else {}
    event = doc.get("event") if isinstance(doc.get("event"), dict) else {}
    organization = doc.get("organization") if isinstance(doc.get("organization"), dict) else {}
    tags = doc.get("tags") or (rule or {}).get("tags") or []
    school_name = str((organization or {}).get("name") or "")[:100]
    rule_id = (rule or {}).get("id")
    return AlertFacts(
        title=alert.title,
        severity=alert.severity,
        detected_at=alert.at,
        source=str((secops or {}).get("source") or (event or {}).get("module") or ""),
        rule=rule_id if isinstance(rule_id, str) else "",
        tags=tuple(tags) if isinstance(tags, list) else (),
        text=str(doc.get("message") or ""),
        assets=_assets(doc),
        school=alert.school,
        school_name=school_name,
        facts={
            "school": alert.school,
            "school_name": school_name,
            "center_alert_id": alert.id,
            "alert_severity": alert.severity,
            "group": group,
            "opened_by": ACTOR,
        },
    )


def open_for(
    session: Session,
    alert: StoredAlert,
    playbooks: list[Playbook],
    policy: IncidentPolicy | None = None,
    *,
    group: str | None = None,
    cap: int | None = None,
) -> Incident:
    """The case one center alert calls for, with the playbook that fits it (else 其他事件), graded by
    the policy from the alert's facts. The 告警激增 case of a school past its ``cap`` takes no playbook."""
    from secops.incident.policy import load_policy

    policy = policy or load_policy()
    group = group if group is not None else group_key(alert, playbooks)
    facts = alert_facts(alert, group)
    grade, reasons = policy.grade(grading_facts(alert.doc))
    extra = {"grade_reason": "自动定级：" + "；".join(reasons)}
    # a school clock running ahead must not refuse the incident
    detected = min(facts.detected_at, session.now)
    if group == OVERFLOW:
        name = facts.school_name or facts.school
        title = f"[{name}] 告警激增：一小时内超过 {cap} 个新事件，其余告警并入本事件"
        return open_from_alert(
            session, facts, [], title=title, unmatched=FALLBACK, grade=grade, detected_at=detected, facts=extra
        )
    return open_from_alert(
        session, facts, playbooks, unmatched=FALLBACK, grade=grade, detected_at=detected, facts=extra
    )


def _recover(ctx: CenterContext, session: Session, playbooks: list[Playbook]) -> int:
    """Claims a dead tick left unlinked: link the incident it opened, or open the missing one."""
    now = session.now
    with ctx.state.engine.connect() as conn:
        stale = conn.execute(
            sa.select(_claims.alert_id, _claims.claimed_at).where(
                _claims.incident_id.is_(None), _claims.claimed_at < now - STALE
            )
        ).all()
    opened = 0
    for alert_id, claimed_at in stale:
        with ctx.state.engine.begin() as conn:  # re-take the claim: only one recovering tick wins
            taken = conn.execute(
                center_auto_incidents.update()
                .where(_claims.alert_id == alert_id, _claims.claimed_at == claimed_at, _claims.incident_id.is_(None))
                .values(claimed_at=now)
            ).rowcount
            found = conn.execute(
                sa.select(incidents.c.id, incidents.c.facts).where(incidents.c.created_at >= _utc(claimed_at) - STALE)
            ).all()
        if taken != 1:
            continue
        existing = next((i for i, facts in found if (facts or {}).get("center_alert_id") == alert_id), None)
        if existing is not None:
            _link(ctx, alert_id, existing, now)
            continue
        alert = ctx.alerts.get(alert_id)
        if alert is None:  # gone from the store (retention): nothing left to open for
            _link(ctx, alert_id, 0, now)
            continue
        _link(ctx, alert_id, open_for(session, alert, playbooks).id, now)
        opened += 1
    return opened


def tick(ctx: CenterContext, stop: threading.Event | None = None) -> int:
    """Open the incidents that alerts stored since the last tick call for; returns how many.

    ``stop`` (the server shutting down) ends the tick between alerts; the cursor then stays where
    it was and the claims keep the next tick from repeating what was done."""
    settings = ctx.settings.auto_incidents
    if not settings.enabled:
        return 0
    from secops.incident.audit import audit_key
    from secops.incident.playbooks import load_playbooks
    from secops.incident.policy import load_policy

    now = _utc(ctx.now())
    playbooks = load_playbooks()
    policy = load_policy()
    session = Session(ctx.state, audit_key(ctx.home, ctx.state), ACTOR, now)  # a lost key is an error
    opened = _recover(ctx, session, playbooks)
    last = _cursor(ctx)
    groups = _open_groups(ctx, now, timedelta(hours=settings.cases_window_hours))
    cap = settings.max_new_cases_per_school_hour
    this_hour = _opened_last_hour(ctx, now)
    for page in _pages(_candidates(ctx, last, severities_from(settings.min_severity)), PAGE):
        if stop is not None and stop.is_set():
            return opened
        ids = [alert.id for alert in page]
        with ctx.state.engine.connect() as conn:  # one read per page; the claim below is what guards
            known = set(conn.execute(sa.select(_claims.alert_id).where(_claims.alert_id.in_(ids))).scalars())
        fresh = [(a, group_key(a, playbooks)) for a in page if a.id not in known]
        for alert, group in _claim_page(ctx, fresh, groups, now):
            if (alert.school, group) not in groups and this_hour.get(alert.school, 0) >= cap:
                group = OVERFLOW  # past the school's cap: into its 告警激增 case
            if (alert.school, group) in groups:  # opened a moment ago for an earlier alert
                _link(ctx, alert.id, groups[(alert.school, group)], now)
                continue
            incident = open_for(session, alert, playbooks, policy, group=group, cap=cap)
            groups[(alert.school, group)] = incident.id
            if group != OVERFLOW:
                this_hour[alert.school] = this_hour.get(alert.school, 0) + 1
            _link(ctx, alert.id, incident.id, now)
            opened += 1
            log.warning(
                "incident #%d opened for %s alert %s of school %s (%s)",
                incident.id,
                alert.severity,
                alert.id[:12],
                alert.school,
                group,
            )
    _save_cursor(ctx, now)
    return opened
