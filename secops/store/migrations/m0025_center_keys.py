"""The fingerprints of a center's keys (sealing secret, notice-signing key, audit key), recorded by
the first home that opens the database, so an instance with other keys is refused."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 25
DESCRIPTION = "center key fingerprints"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "center_keys",
        meta,
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
