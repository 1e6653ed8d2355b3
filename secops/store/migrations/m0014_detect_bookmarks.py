"""Where continuous detection stopped reading each log file (device, inode, offset)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 14
DESCRIPTION = "detection bookmarks"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "detect_bookmarks",
        meta,
        sa.Column("device", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("inode", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("records", sa.BigInteger, nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
