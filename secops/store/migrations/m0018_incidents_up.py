"""Incidents up: what the forwarder sent of each incident and of the audit head (the school side),
and the schools' incidents and audit anchors (the center side)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 18
DESCRIPTION = "school incidents and audit anchors at the center"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "forward_incident_sync",
        meta,
        sa.Column("incident_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),  # the version the center acknowledged
        sa.Column("sent_at", when, nullable=False),
    )
    sa.Table(
        "forward_sync_state",
        meta,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("at", when, nullable=False),
    )
    sa.Table(
        "center_school_incidents",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("incident_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("detected_at", when, nullable=False),
        sa.Column("incident", sa.JSON, nullable=False),
        sa.Index("ix_center_school_incidents_state", "state"),
    )
    sa.Table(
        "center_audit_anchors",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("conflict", sa.Text),  # why this head contradicts one seen before (a rewritten trail)
        sa.Index("ix_center_audit_anchors_school", "school", "entries"),
    )
    meta.create_all(conn)
