"""应急演练: drills run on a school workspace, and the mark on their incidents that keeps them out of
every real count, report and upload."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 27
DESCRIPTION = "drills and drill incidents"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "drills",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("speed", sa.Float, nullable=False),  # drill time runs this many times faster
        sa.Column("notify", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),  # running | finished
        sa.Column("started_at", when, nullable=False),
        sa.Column("finished_at", when),
        sa.Column("incident_id", sa.Integer),
        sa.Column("started_by", sa.Text, nullable=False),
        sa.Column("notice_id", sa.String(64)),  # the center's drill notice this drill answers
        sa.Column("answers", sa.JSON, nullable=False),  # question id -> {text, at, by}
        sa.Column("findings", sa.JSON, nullable=False),  # [{kind: gap|improvement, text, at, by}]
        sa.Column("injected", sa.JSON, nullable=False),  # inject index -> when it was sent out
        sa.Column("result", sa.JSON),  # the outcome fixed at finish (what goes to the center)
        sa.Column("uploaded_at", when),
        sa.Column("uploaded_state", sa.String(20)),  # the state the center last acknowledged
    )
    # at a center: the drills it asked of its schools, and the results they sent up
    sa.Table(
        "center_drills",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("due_at", when, nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("schools", sa.JSON, nullable=False),  # empty: every registered school
    )
    sa.Table(
        "center_drill_results",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("drill", sa.Integer, primary_key=True),  # the school's own drill number
        sa.Column("request", sa.String(64), index=True),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", when, nullable=False),
        sa.Column("finished_at", when),
        sa.Column("outcome", sa.JSON, nullable=False),  # milestones and counts (secops.protocol.drills)
        sa.Column("received_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    meta.create_all(conn)
    column = sa.Column("drill_id", sa.Integer)
    compiled = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE incidents ADD COLUMN {compiled}"))
    conn.execute(sa.text("CREATE INDEX ix_incidents_drill_id ON incidents (drill_id)"))
