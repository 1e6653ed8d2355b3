"""What a center sends down, signed (通报 first): the center's outbound envelopes, its notices and
each school's status on them, school groups; and at the school, what it received."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 20
DESCRIPTION = "signed notices down, their status up, school groups"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_outbound",
        meta,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("expires_at", when, nullable=False),
        sa.Column("schools", sa.JSON, nullable=False),  # empty: every school
        sa.Column("envelope", sa.JSON, nullable=False),
    )
    sa.Table(
        "center_notices",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("due_at", when, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("audience", sa.Text, nullable=False),  # how it was addressed, for people
        sa.Column("schools", sa.JSON, nullable=False),  # the codes it went to (empty: all)
        sa.Column("attachments", sa.JSON, nullable=False),
    )
    sa.Table(
        "center_notice_status",
        meta,
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_at", when),
        sa.Column("acknowledged_at", when),
        sa.Column("rectified_at", when),
        sa.Column("summary", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("updated_at", when, nullable=False),
    )
    sa.Table(
        "center_school_groups",
        meta,
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("school", sa.String(10), primary_key=True),
    )
    sa.Table(
        "forward_received",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text),  # why it was refused
        sa.Column("incident_id", sa.Integer),
        sa.Column("payload", sa.JSON),  # the opened payload (accepted only)
        sa.Column("reported", sa.String(20)),  # the last status the center acknowledged
    )
    meta.create_all(conn)
