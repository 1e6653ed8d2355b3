"""How far a lower center has relayed each stream upward (or pulled downward): named cursors in
``center_upstream_state``, advanced only after the upper center answered for what they cover."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from secops.store import Store
from secops.store.bulk import insert_rows
from secops.store.schema import center_upstream_state


def cursor(state: Store, name: str) -> dict[str, Any]:
    with state.engine.connect() as conn:
        value = conn.execute(
            sa.select(center_upstream_state.c.value).where(center_upstream_state.c.name == name)
        ).scalar()
    return dict(value) if isinstance(value, dict) else {}


def save_cursor(state: Store, name: str, value: dict[str, Any]) -> None:
    row = {"name": name, "value": value, "at": datetime.now(UTC)}
    with state.engine.begin() as conn:
        insert_rows(conn, center_upstream_state, [row], conflict=("name",), update=["value", "at"])


def since(state: Store, name: str) -> datetime:
    """A time cursor (the oldest time when never advanced)."""
    text = cursor(state, name).get("at")
    return datetime.fromisoformat(text) if isinstance(text, str) else datetime(2000, 1, 1, tzinfo=UTC)
