"""Important periods and their daily 零报告: at the center the periods it defined and each school's
report per Beijing day; at the school the periods it received and its own submissions."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 21
DESCRIPTION = "important periods and daily zero reports"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_periods",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("start_day", sa.Date, nullable=False),
        sa.Column("end_day", sa.Date, nullable=False),
        sa.Column("deadline", sa.String(5), nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("schools", sa.JSON, nullable=False),
    )
    sa.Table(
        "center_zero_reports",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("incidents", sa.JSON, nullable=False),
        sa.Column("submitted_at", when, nullable=False),
        sa.Column("submitted_by", sa.String(10), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    sa.Table(
        "forward_periods",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("start_day", sa.Date, nullable=False),
        sa.Column("end_day", sa.Date, nullable=False),
        sa.Column("deadline", sa.String(5), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("received_at", when, nullable=False),
    )
    sa.Table(
        "forward_zero_reports",
        meta,
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("period_id", sa.String(64), nullable=False),
        sa.Column("held", sa.Boolean, nullable=False),
        sa.Column("held_by", sa.String(100)),
        sa.Column("kind", sa.String(10)),
        sa.Column("incidents", sa.JSON),
        sa.Column("submitted_at", when),
        sa.Column("submitted_by", sa.String(10)),
        sa.Column("person", sa.String(100)),
        sa.Column("sent_at", when),
        sa.Column("answer", sa.String(20)),
    )
    meta.create_all(conn)
