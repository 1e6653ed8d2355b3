"""The school forwarder: a durable outbox of workspace alerts on their way to the center."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 8
DESCRIPTION = "forwarder outbox"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "forward_outbox",
        meta,
        sa.Column("alert_id", sa.Integer, primary_key=True, autoincrement=False),  # workspace alerts.id
        sa.Column("payload", sa.JSON, nullable=False),  # the ECS alert exactly as it will be sent
        sa.Column("state", sa.String(10), nullable=False, index=True),  # pending | sent | rejected
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("enqueued_at", when, nullable=False),
        sa.Column("next_attempt_at", when, nullable=False),
        sa.Column("sent_at", when),
        sa.Column("center_id", sa.String(64)),  # the id the center stored it under
        sa.Column("last_error", sa.Text),
    )
    meta.create_all(conn)
