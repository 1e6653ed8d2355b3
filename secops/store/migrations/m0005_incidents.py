"""Incidents: the cases, their steps, the hash-chained audit trail and the clock notices sent."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 5
DESCRIPTION = "incidents, steps, audit trail and clock notices"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "incidents",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("category", sa.String(2), nullable=False),
        sa.Column("subcategory", sa.String(50), nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("notified", sa.Boolean, nullable=False, default=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("playbook", sa.String(100)),
        sa.Column("owner", sa.Text, nullable=False, default=""),
        sa.Column("systems", sa.JSON, nullable=False),
        sa.Column("assets", sa.JSON, nullable=False),
        sa.Column("alerts", sa.JSON, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),  # grading facts, report fields
        sa.Column("detected_at", when, nullable=False),
        sa.Column("reported_at", when),
        sa.Column("state_times", sa.JSON, nullable=False),  # state -> first time reached
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, default=1),  # optimistic lock: no lost update
    )
    sa.Table(
        "incident_steps",
        meta,
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("step_id", sa.String(100), primary_key=True),
        sa.Column("done_at", when, nullable=False),
        sa.Column("done_by", sa.Text, nullable=False, default=""),
        sa.Column("evidence", sa.JSON, nullable=False),  # [{"file": name, "sha256": hex}]
        sa.Column("out_of_order", sa.Boolean, nullable=False, default=False),
    )
    sa.Table(
        "incident_audit",
        meta,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("incident_id", sa.Integer, nullable=False, index=True),
        sa.Column("at", sa.String(40), nullable=False),  # ISO text: hashed exactly as stored
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),  # canonical JSON text: hashed exactly as stored
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    sa.Table(
        "clock_notices",
        meta,
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("deadline_id", sa.String(50), primary_key=True),
        sa.Column("fraction", sa.Float, primary_key=True),
        sa.Column("due_at", when, nullable=False),
        sa.Column("sent_at", when, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),  # notifier -> "sent" | "failed: reason"
    )
    meta.create_all(conn)
