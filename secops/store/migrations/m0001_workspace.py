"""The first schema: the school the workspace belongs to and an activity log."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 1
DESCRIPTION = "workspace identity and activity log"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "workspace",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("school_code", sa.String(10), nullable=False, unique=True),
        sa.Column("school_name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "activity",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    meta.create_all(conn)
