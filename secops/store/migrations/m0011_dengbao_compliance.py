"""等保 compliance calendar: filings (备案), official assessments (等级测评), the trend of automated
runs and the deadline reminders already sent."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 11
DESCRIPTION = "dengbao filings, official assessments, trend history and reminders"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    systems = sa.Table("dengbao_systems", meta, autoload_with=conn)  # the foreign keys' target, not created here
    when = sa.DateTime(timezone=True)

    def system_fk() -> sa.ForeignKey:
        return sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE")

    sa.Table(
        "dengbao_filings",
        meta,
        sa.Column("system_id", sa.Integer, system_fk(), primary_key=True),
        sa.Column("filed_on", sa.Date, nullable=False),  # 备案日期 on the 备案证明
        sa.Column("certificate_no", sa.Text, nullable=False, server_default=""),  # 备案证明编号, may be unknown
        sa.Column("recorded_at", when, nullable=False),
    )
    sa.Table(
        "dengbao_official_assessments",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("system_id", sa.Integer, system_fk(), nullable=False, index=True),
        sa.Column("assessed_on", sa.Date, nullable=False),  # date of the 测评报告
        sa.Column("org", sa.Text, nullable=False),  # 测评机构
        sa.Column("conclusion", sa.String(10), nullable=False),  # 符合 / 基本符合 / 不符合
        sa.Column("report_no", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", when, nullable=False),
    )
    sa.Table(
        "dengbao_trend",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("system_id", sa.Integer, system_fk(), nullable=False, index=True),
        sa.Column("assessment_id", sa.Integer),  # the dengbao_assessments row of this run
        sa.Column("at", when, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),  # scheduled | manual
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("rate", sa.Float, nullable=False),
        sa.Column("score_2019", sa.Float),
        sa.Column("highrisk", sa.Integer, nullable=False),  # unmitigated high-risk problems
        sa.Column("conclusion", sa.String(10), nullable=False),
    )
    sa.Table(
        "dengbao_reminders",
        meta,
        sa.Column("system_id", sa.Integer, system_fk(), primary_key=True),
        sa.Column("deadline", sa.String(30), primary_key=True),  # certificate | assessment
        sa.Column("due_on", sa.Date, primary_key=True),
        sa.Column("days_before", sa.Integer, primary_key=True),  # 30, 7 or 1
        sa.Column("sent_at", when, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),  # notifier -> "sent" | "failed: reason"
    )
    meta.create_all(conn, tables=[t for t in meta.sorted_tables if t is not systems])
