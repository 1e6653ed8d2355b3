"""The watermark release ledger: who received which marked copy, and how to find its marks again."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 10
DESCRIPTION = "data watermark releases"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "data_releases",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mark_id", sa.String(32), nullable=False, unique=True),  # derives the fingerprint (with the key)
        sa.Column("recipient", sa.Text, nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),  # file names only: never the data
        sa.Column("output_name", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False, index=True),  # the key's fingerprint, never the key
        sa.Column("scheme", sa.JSON, nullable=False),  # identity + carrier columns, gamma, fingerprint length
        sa.Column("marked_cells", sa.Integer, nullable=False),
        sa.Column("changed_cells", sa.Integer, nullable=False),
        sa.Column("pseudonymized", sa.JSON, nullable=False),  # columns replaced by per-recipient tokens
    )
    meta.create_all(conn)
