"""Content packs down (Sigma, YARA, indicators), signed like notices: the center's packs and what
each school made of them; at the school, the pack statuses still to report."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 22
DESCRIPTION = "content packs down, installed/refused up"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "center_packs",
        meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("issued_at", when, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("schools", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_center_packs_name_version"),
    )
    sa.Table(
        "center_pack_status",
        meta,
        sa.Column("pack_id", sa.String(64), primary_key=True),
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", when, nullable=False),
        sa.Column("installed_version", sa.Integer),
        sa.Column("updated_at", when, nullable=False),
    )
    sa.Table(
        "forward_pack_status",
        meta,
        sa.Column("pack_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("reason", sa.Text),
        sa.Column("at", when, nullable=False),
        sa.Column("reported", sa.Boolean, nullable=False),
    )
    meta.create_all(conn)
