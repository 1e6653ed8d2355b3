"""The center's compliance summaries: the latest one per school (等保 systems, deadlines, counts)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 12
DESCRIPTION = "center compliance summaries"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_compliance",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("generated_at", when, nullable=False),  # at the school; an older summary never replaces a newer
        sa.Column("received_at", when, nullable=False),
        sa.Column("overdue_filings", sa.Integer, nullable=False),
        sa.Column("overdue_assessments", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    meta.create_all(conn)
