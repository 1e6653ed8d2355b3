"""Tiers: a lower center (a county or city center) registered at the center above it, with the
school codes it covers; a covered school is listed with the lower center it reports through; and
what a center has relayed upward (cursors)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 23
DESCRIPTION = "center tiers"


def upgrade(conn: Connection) -> None:
    for column in (sa.Column("covers", sa.JSON), sa.Column("via", sa.String(10))):
        compiled = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE center_schools ADD COLUMN {compiled}"))
    meta = sa.MetaData()
    sa.Table(
        "center_upstream_state",
        meta,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
