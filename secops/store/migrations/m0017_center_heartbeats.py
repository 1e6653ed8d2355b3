"""The center's record of school forwarders' check-ins: the latest one per school."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 17
DESCRIPTION = "center forwarder check-ins"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_heartbeats",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("sent_at", when, nullable=False),  # the school's clock; an older check-in never replaces a newer
        sa.Column("received_at", when, nullable=False),
        sa.Column("every_seconds", sa.Integer, nullable=False),
        sa.Column("skew_seconds", sa.Float, nullable=False),
        sa.Column("software", sa.String(40), nullable=False),
        sa.Column("outbox_pending", sa.Integer, nullable=False),
        sa.Column("beat", sa.JSON, nullable=False),
    )
    meta.create_all(conn)
