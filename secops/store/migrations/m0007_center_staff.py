"""The center dashboard: staff accounts and their login sessions."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 7
DESCRIPTION = "center staff accounts and sessions"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_users",
        meta,
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),  # scrypt, with its parameters and salt
        sa.Column("created_at", when, nullable=False),
        sa.Column("disabled_at", when),
    )
    sa.Table(
        "center_sessions",
        meta,
        sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie value
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("expires_at", when, nullable=False),
    )
    meta.create_all(conn)
