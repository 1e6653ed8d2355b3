"""The trend of a system's automated assessments: 符合率, score and open high-risk problems per run.

Scheduled runs (``secops scheduler add assess``) write a row to ``dengbao_trend`` as they store the
assessment; runs of ``secops dengbao assess`` by hand are read from their stored results, so the
trend has every run whichever way it was started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from secops.config import Workspace
from secops.dengbao.systems import System, get_system, load_answers, save_assessment
from secops.store import Store
from secops.store.schema import dengbao_assessments, dengbao_trend


def open_highrisk(result: dict[str, Any]) -> int:
    """Unmitigated high-risk problems: the 重大风险隐患 candidates (only confirmed ones weigh on the
    conclusion, see secops.dengbao.risks)."""
    return sum(1 for problem in result.get("highrisk", []) if problem.get("unmitigated"))


def record_run(
    store: Store, system: System, result: dict[str, Any], assessment_id: int | None, now: datetime, source: str
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            dengbao_trend.insert().values(
                system_id=system.id,
                assessment_id=assessment_id,
                at=now,
                source=source,
                level=int(result["level"]),
                rate=float(result["rate"]),
                score_2019=result.get("score_2019"),
                highrisk=open_highrisk(result),
                conclusion=str(result["conclusion"]),
            )
        )


def trend_points(store: Store, system: System) -> list[dict[str, Any]]:
    """Every run, oldest first: {at, source, level, rate, score_2019, highrisk, conclusion}."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(dengbao_trend).where(dengbao_trend.c.system_id == system.id)).all()
        recorded = {r.assessment_id for r in rows if r.assessment_id is not None}
        others = conn.execute(
            sa.select(dengbao_assessments.c.id, dengbao_assessments.c.created_at, dengbao_assessments.c.result).where(
                (dengbao_assessments.c.system_id == system.id)
                & dengbao_assessments.c.id.notin_(sorted(recorded) or [-1])
            )
        ).all()
    points = [
        {
            "at": r.at,
            "source": r.source,
            "level": r.level,
            "rate": r.rate,
            "score_2019": r.score_2019,
            "highrisk": r.highrisk,
            "conclusion": r.conclusion,
        }
        for r in rows
    ]
    for other in others:
        result = dict(other.result)
        points.append(
            {
                "at": other.created_at,
                "source": "manual",
                "level": result["level"],
                "rate": result["rate"],
                "score_2019": result.get("score_2019"),
                "highrisk": open_highrisk(result),
                "conclusion": result["conclusion"],
            }
        )
    points.sort(key=lambda p: p["at"])
    return points


def run_automated_assessment(
    workspace: Workspace,
    store: Store,
    system_name: str,
    *,
    level: int | None = None,
    automated: bool = True,
    targets: tuple[str, ...] = (),
    local: bool = False,
    ssh_hosts: tuple[str, ...] = (),
    ssh_user: str | None = None,
    ssh_identity: str | None = None,
    credentials: bool = True,
    force: bool = False,
    progress: Callable[[str], None] = lambda _line: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    source: str = "scheduled",
    outside_zone: bool | None = None,
) -> dict[str, Any]:
    """One assessment, for ``secops dengbao assess`` (source "manual") and the scheduler alike:
    gather the automated evidence (unless ``automated`` is False), merge it with the stored
    questionnaire answers, store the assessment and its trend point.

    ``level`` assesses against another level's catalog than the system's own (a what-if); a
    scheduled run keeps to the scan profile's time windows (``force`` False)."""
    from secops.dengbao.assess import assess
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.checks import load_checks
    from secops.dengbao.gather import gather
    from secops.dengbao.risks import load_decisions
    from secops.store.records import log_activity

    system = get_system(store, system_name)
    found = []
    if automated:
        found = gather(
            workspace,
            store,
            system,
            targets=targets,
            local=local,
            ssh_hosts=ssh_hosts,
            ssh_user=ssh_user,
            ssh_identity=ssh_identity,
            credentials=credentials,
            now=now,
            force=force,
            progress=progress,
            outside_zone=outside_zone,
        )
    moment = now()
    result = assess(
        system={"name": system.name, "level": system.level, "asset_tag": system.asset_tag},
        level=level or system.level,
        extensions=system.extensions,
        catalog=load_catalog(),
        checks=load_checks(),
        targets=found,
        answers=load_answers(store, system),
        now=moment,
        decisions=load_decisions(store, system.id),
    )
    result["school"] = {"code": workspace.config.school.code, "name": workspace.config.school.name}
    assessment_id = save_assessment(store, system, result, moment)
    record_run(store, system, result, assessment_id, moment, source)
    log_activity(
        store,
        "dengbao.assess",
        {"system": system.name, "conclusion": result["conclusion"], "rate": result["rate"], "source": source},
        moment,
    )
    return result
