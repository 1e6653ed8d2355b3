"""The asset inventory: assets, their addresses and services, scan runs, changes and alerts."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

VERSION = 3
DESCRIPTION = "asset inventory, scan runs, changes and alerts"


def upgrade(conn: Connection) -> None:
    meta = sa.MetaData()
    when = sa.DateTime(timezone=True)
    sa.Table(
        "scan_runs",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile", sa.String(100), nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("commands", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),  # running, completed, aborted, failed
        sa.Column("started_at", when, nullable=False),
        sa.Column("finished_at", when),
        sa.Column("hosts_up", sa.Integer),
        sa.Column("changes", sa.Integer),
        sa.Column("error", sa.Text),
    )
    sa.Table(
        "assets",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(100), nullable=False, unique=True),  # MAC, else first address
        sa.Column("ipv4", sa.String(15), index=True),
        sa.Column("mac", sa.String(17), index=True),
        sa.Column("vendor", sa.Text, nullable=False, server_default=""),
        sa.Column("hostname", sa.Text, nullable=False, server_default=""),
        sa.Column("asset_type", sa.String(20), nullable=False, server_default="unknown"),
        sa.Column("fingerprint", sa.String(100)),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
        sa.Column("system_tag", sa.String(100), nullable=False, server_default="", index=True),
        sa.Column("status", sa.String(10), nullable=False, server_default="up"),  # up, gone
        sa.Column("missed_scans", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_seen", when, nullable=False),
        sa.Column("last_seen", when, nullable=False),
    )
    sa.Table(
        "asset_addresses",
        meta,
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("address", sa.String(45), primary_key=True),
        sa.Column("family", sa.Integer, nullable=False),
        sa.Column("first_seen", when, nullable=False),
        sa.Column("last_seen", when, nullable=False),
    )
    sa.Table(
        "services",
        meta,
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("port", sa.Integer, primary_key=True),
        sa.Column("proto", sa.String(4), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("product", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Text, nullable=False, server_default=""),
        sa.Column("extrainfo", sa.Text, nullable=False, server_default=""),
        sa.Column("cpe", sa.JSON, nullable=False),
        sa.Column("banner", sa.Text, nullable=False, server_default=""),
        sa.Column("first_seen", when, nullable=False),
        sa.Column("last_seen", when, nullable=False),
    )
    sa.Table(
        "asset_changes",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_run_id", sa.Integer, sa.ForeignKey("scan_runs.id"), index=True),
        sa.Column("asset_key", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("at", when, nullable=False, index=True),
    )
    sa.Table(
        "alerts",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", when, nullable=False, index=True),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("asset_key", sa.String(100), index=True),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    )
    meta.create_all(conn)
