"""Encryption keys of a school workspace (its own SM2 key pairs and its recipients' public keys) and
the ledger of encrypted releases."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 26
DESCRIPTION = "encryption keys and encrypted releases"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "seal_keys",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("key_id", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),  # own | recipient
        sa.Column("public_key", sa.String(130), nullable=False),  # hex of 04 || x || y
        sa.Column("created_at", when, nullable=False),
        sa.Column("revoked_at", when),
    )
    sa.Table(
        "seal_releases",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),  # names and key ids; never content
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("output_name", sa.Text, nullable=False),
        sa.Column("plain_bytes", sa.BigInteger, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),  # SM3 of the encrypted file
    )
    meta.create_all(conn)
