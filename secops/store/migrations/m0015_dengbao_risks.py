"""The assessor's decisions on 重大风险隐患 candidates: a high-risk case of a system confirmed or
rejected, by whom, when and why (kept as a history; the latest decision per case applies)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 15
DESCRIPTION = "dengbao 重大风险隐患 decisions"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    systems = sa.Table("dengbao_systems", meta, autoload_with=conn)  # the foreign key's target, not created here
    sa.Table(
        "dengbao_risk_decisions",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("case_id", sa.String(20), nullable=False),  # a case of the high-risk guide, e.g. 6.4.1.1
        sa.Column("decision", sa.String(10), nullable=False),  # confirmed | rejected
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn, tables=[t for t in meta.sorted_tables if t is not systems])
