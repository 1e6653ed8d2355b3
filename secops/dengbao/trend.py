"""The trend of a system's automated assessments: 符合率, score and open high-risk problems per run.

Scheduled runs (``secops scheduler add assess``) write a row to ``dengbao_trend`` as they store the
assessment; runs of ``secops dengbao assess`` by hand are read from their stored results, so the
trend has every run whichever way it was started.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.dengbao.systems import System
from secops.records.assessment import Assessment
from secops.store import Store
from secops.store.schema import dengbao_assessments, dengbao_trend


def open_highrisk(result: Assessment) -> int:
    """Unmitigated high-risk problems: the 重大风险隐患 candidates (only confirmed ones weigh on the
    conclusion, see secops.dengbao.risks)."""
    return len(result.unmitigated)


def record_run(
    store: Store, system: System, result: Assessment, assessment_id: int | None, now: datetime, source: str
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            dengbao_trend.insert().values(
                system_id=system.id,
                assessment_id=assessment_id,
                at=now,
                source=source,
                level=int(result.level),
                rate=float(result.rate),
                score_2019=result.score_2019,
                highrisk=open_highrisk(result),
                conclusion=str(result.conclusion),
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
        result = Assessment.from_json(other.result)
        points.append(
            {
                "at": other.created_at,
                "source": "manual",
                "level": result.level,
                "rate": result.rate,
                "score_2019": result.score_2019,
                "highrisk": open_highrisk(result),
                "conclusion": result.conclusion,
            }
        )
    points.sort(key=lambda p: p["at"])
    return points
