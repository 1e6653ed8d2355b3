"""Report history: which report was built, when, in which format and with which digest."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 2
DESCRIPTION = "report history"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "report_runs",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(100), nullable=False, index=True),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
    # Reports built before this version were logged only as activity; carry them over.
    activity = sa.table(
        "activity", sa.column("at", sa.DateTime(timezone=True)), sa.column("action"), sa.column("detail", sa.JSON)
    )
    rows = conn.execute(sa.select(activity.c.at, activity.c.detail).where(activity.c.action == "report.built")).all()
    for at, detail in rows:
        conn.execute(
            meta.tables["report_runs"]
            .insert()
            .values(
                report_id=detail.get("report", "unknown"),
                format=detail.get("format", "unknown"),
                lang=detail.get("lang", "zh"),
                path=detail.get("path", ""),
                sha256=detail.get("sha256", ""),
                size_bytes=int(detail.get("size_bytes", 0)),
                built_at=at,
            )
        )
