"""What several instances of one center share through its database: rate-limit token buckets, failed
logins (the dashboard's throttle) and leases (one instance runs each background tick)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 24
DESCRIPTION = "center shared limits and leases"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_rate_buckets",
        meta,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    sa.Table(
        "center_login_failures",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.Index("ix_center_login_failures_user", "username", "client", "at"),
        sa.Index("ix_center_login_failures_client", "client", "at"),
        sa.Index("ix_center_login_failures_at", "at"),
    )
    sa.Table(
        "center_leases",
        meta,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", when, nullable=False),
    )
    meta.create_all(conn)
