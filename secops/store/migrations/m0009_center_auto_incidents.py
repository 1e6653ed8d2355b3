"""The center's automatic incidents: one claim per center alert (never two incidents) and a cursor."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 9
DESCRIPTION = "center automatic incidents"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_auto_incidents",
        meta,
        sa.Column("alert_id", sa.String(64), primary_key=True),  # the center's alert id
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("claimed_at", when, nullable=False),
        sa.Column("incident_id", sa.Integer),  # None: claimed, incident not (yet) linked
        sa.Column("opened_at", when),
    )
    sa.Table(
        "center_auto_cursor",
        meta,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("at", when, nullable=False),  # alerts received (or raised) from here on are still to look at
    )
    meta.create_all(conn)
