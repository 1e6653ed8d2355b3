"""等保: graded systems, questionnaire answers and stored assessments."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 4
DESCRIPTION = "dengbao systems, questionnaire answers and assessments"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "dengbao_systems",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("grading", sa.JSON),  # the grading answers and result, when graded in secops
        sa.Column("extensions", sa.JSON, nullable=False),
        sa.Column("asset_tag", sa.String(100), nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    sa.Table(
        "dengbao_answers",
        meta,
        sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_id", sa.String(20), primary_key=True),
        sa.Column("result", sa.String(10), nullable=False),  # 符合 / 部分符合 / 不符合 / 不适用
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("mitigation", sa.Text, nullable=False, server_default=""),
        sa.Column("answered_at", when, nullable=False),
    )
    sa.Table(
        "dengbao_assessments",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("conclusion", sa.String(10), nullable=False),
        sa.Column("rate", sa.Float, nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )
    meta.create_all(conn)
