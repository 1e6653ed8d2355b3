"""Graded systems (定级对象) in the workspace, their questionnaire answers and assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.dengbao.questionnaire import Answer
from secops.errors import SecopsError
from secops.i18n import _
from secops.records.assessment import Assessment
from secops.store import Store
from secops.store.schema import dengbao_answers, dengbao_assessments, dengbao_systems


@dataclass(frozen=True)
class System:
    id: int
    name: str
    level: int
    extensions: tuple[str, ...]
    asset_tag: str
    description: str
    grading: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "extensions": list(self.extensions),
            "asset_tag": self.asset_tag,
            "description": self.description,
            "grading": self.grading,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _system(row: Any) -> System:
    return System(
        id=row.id,
        name=row.name,
        level=row.level,
        extensions=tuple(row.extensions or ()),
        asset_tag=row.asset_tag,
        description=row.description,
        grading=row.grading,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def save_system(
    store: Store,
    *,
    name: str,
    level: int,
    extensions: tuple[str, ...],
    asset_tag: str,
    description: str,
    grading: dict[str, Any] | None,
    now: datetime,
    replace: bool = False,
) -> tuple[System, bool]:
    """Create the system, or update it when ``replace``; returns (system, created)."""
    name = name.strip()
    if not name:
        raise SecopsError(
            _("a system needs a name"),
            hint=_("e.g. {example}").format(example="secops dengbao system add 学籍管理系统 --level 3"),
        )
    values = {
        "level": level,
        "extensions": list(extensions),
        "asset_tag": asset_tag,
        "description": description,
        "grading": grading,
        "updated_at": now,
    }
    with store.engine.begin() as conn:
        existing = conn.execute(sa.select(dengbao_systems.c.id).where(dengbao_systems.c.name == name)).scalar()
        if existing is not None and not replace:
            raise SecopsError(
                _("system {name!r} exists already").format(name=name), hint=_("add --replace to update it")
            )
        if existing is None:
            conn.execute(dengbao_systems.insert().values(name=name, created_at=now, **values))
        else:
            conn.execute(dengbao_systems.update().where(dengbao_systems.c.id == existing).values(**values))
    return get_system(store, name), existing is None


def get_system(store: Store, name: str) -> System:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(dengbao_systems).where(dengbao_systems.c.name == name.strip())).first()
        if row is None:
            names = conn.execute(sa.select(dengbao_systems.c.name).order_by(dengbao_systems.c.name)).scalars().all()
    if row is None:
        known = ", ".join(names) if names else "-"
        raise SecopsError(
            _("no system named {name!r}").format(name=name),
            hint=_("add it with secops dengbao system add; known: {names}").format(names=known),
        )
    return _system(row)


def list_systems(store: Store) -> list[System]:
    with store.engine.connect() as conn:
        return [_system(r) for r in conn.execute(sa.select(dengbao_systems).order_by(dengbao_systems.c.name))]


def remove_system(store: Store, name: str) -> None:
    system = get_system(store, name)
    with store.engine.begin() as conn:
        conn.execute(dengbao_answers.delete().where(dengbao_answers.c.system_id == system.id))
        conn.execute(dengbao_assessments.delete().where(dengbao_assessments.c.system_id == system.id))
        conn.execute(dengbao_systems.delete().where(dengbao_systems.c.id == system.id))


def save_answers(store: Store, system: System, answers: list[Answer], now: datetime) -> int:
    """Upsert answers in one transaction; returns how many were stored."""
    with store.engine.begin() as conn:
        ids = [a.item_id for a in answers]
        if ids:
            conn.execute(
                dengbao_answers.delete().where(
                    (dengbao_answers.c.system_id == system.id) & dengbao_answers.c.item_id.in_(ids)
                )
            )
            conn.execute(
                dengbao_answers.insert(),
                [
                    {
                        "system_id": system.id,
                        "item_id": a.item_id,
                        "result": a.result,
                        "note": a.note,
                        "mitigation": a.mitigation,
                        "answered_at": now,
                    }
                    for a in answers
                ],
            )
    return len(answers)


def load_answers(store: Store, system: System) -> dict[str, Answer]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(dengbao_answers).where(dengbao_answers.c.system_id == system.id)).all()
    return {r.item_id: Answer(r.item_id, r.result, r.note, r.mitigation) for r in rows}


def save_assessment(store: Store, system: System, result: Assessment, now: datetime) -> int:
    with store.engine.begin() as conn:
        inserted = conn.execute(
            dengbao_assessments.insert().values(
                system_id=system.id,
                level=result.level,
                conclusion=result.conclusion,
                rate=result.rate,
                created_at=now,
                result=result.to_json(),
            )
        )
        key = inserted.inserted_primary_key
        assert key is not None
        return int(key[0])


def latest_assessment(store: Store, system: System) -> Assessment | None:
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(dengbao_assessments.c.result)
            .where(dengbao_assessments.c.system_id == system.id)
            .order_by(dengbao_assessments.c.id.desc())
            .limit(1)
        ).first()
    return Assessment.from_json(row.result) if row else None
