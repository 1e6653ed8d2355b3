"""The 等保 tables: graded systems, questionnaire answers, assessments and their trend, filings,
official 等级测评, reminders sent, and the assessor's 重大风险隐患 decisions (re-exported by
``secops.store.schema``, where queries import them from)."""

import sqlalchemy as sa

from secops.store.schema_base import WHEN as _when
from secops.store.schema_base import metadata

dengbao_systems = sa.Table(
    "dengbao_systems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("grading", sa.JSON),
    sa.Column("extensions", sa.JSON, nullable=False),
    sa.Column("asset_tag", sa.String(100), nullable=False, default=""),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("updated_at", _when, nullable=False),
)

dengbao_answers = sa.Table(
    "dengbao_answers",
    metadata,
    sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.String(20), primary_key=True),
    sa.Column("result", sa.String(10), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("mitigation", sa.Text, nullable=False, default=""),
    sa.Column("answered_at", _when, nullable=False),
)

dengbao_assessments = sa.Table(
    "dengbao_assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("conclusion", sa.String(10), nullable=False),
    sa.Column("rate", sa.Float, nullable=False),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
)

dengbao_filings = sa.Table(
    "dengbao_filings",
    metadata,
    sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("certificate_no", sa.Text, nullable=False, default=""),
    sa.Column("recorded_at", _when, nullable=False),
)

dengbao_official_assessments = sa.Table(
    "dengbao_official_assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("org", sa.Text, nullable=False),
    sa.Column("conclusion", sa.String(10), nullable=False),
    sa.Column("report_no", sa.Text, nullable=False, default=""),
    sa.Column("recorded_at", _when, nullable=False),
)

dengbao_trend = sa.Table(
    "dengbao_trend",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("assessment_id", sa.Integer),
    sa.Column("at", _when, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("rate", sa.Float, nullable=False),
    sa.Column("score_2019", sa.Float),
    sa.Column("highrisk", sa.Integer, nullable=False),
    sa.Column("conclusion", sa.String(10), nullable=False),
)

dengbao_reminders = sa.Table(
    "dengbao_reminders",
    metadata,
    sa.Column("system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("deadline", sa.String(30), primary_key=True),
    sa.Column("due_on", sa.Date, primary_key=True),
    sa.Column("days_before", sa.Integer, primary_key=True),
    sa.Column("sent_at", _when, nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
)

dengbao_risk_decisions = sa.Table(
    "dengbao_risk_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "system_id", sa.Integer, sa.ForeignKey("dengbao_systems.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("case_id", sa.String(20), nullable=False),
    sa.Column("decision", sa.String(10), nullable=False),  # confirmed | rejected; the latest per case applies
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("decided_at", _when, nullable=False),
)
