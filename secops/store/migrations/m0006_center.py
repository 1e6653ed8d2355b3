"""The provincial center: registered schools and their sealed signing keys, seen nonces, alerts (SQLite store)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 6
DESCRIPTION = "center schools, request nonces and alerts"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_schools",
        meta,
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(12), nullable=False, unique=True),
        sa.Column("sealed_key", sa.String(64), nullable=False),  # hex: derived signing key XOR keyed pad
        sa.Column("created_at", when, nullable=False),
        sa.Column("revoked_at", when),
        sa.Column("rate_per_minute", sa.Integer),  # None: the center's default
    )
    sa.Table(
        "center_nonces",
        meta,
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("seen_at", when, nullable=False, index=True),
    )
    sa.Table(
        "center_alerts",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("doc", sa.JSON, nullable=False),
        sa.Index("ix_center_alerts_school_at", "school", "at"),
        sa.Index("ix_center_alerts_at", "at"),
        sa.Index("ix_center_alerts_received", "school", "received_at"),
    )
    meta.create_all(conn)
