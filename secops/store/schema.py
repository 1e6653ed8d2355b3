"""The current schema as SQLAlchemy Core tables, for queries (migrations create them)."""

import sqlalchemy as sa

from secops.store.schema_base import WHEN as _when
from secops.store.schema_base import metadata as metadata
from secops.store.schema_dengbao import (
    dengbao_answers as dengbao_answers,
)
from secops.store.schema_dengbao import (
    dengbao_assessments as dengbao_assessments,
)
from secops.store.schema_dengbao import (
    dengbao_filings as dengbao_filings,
)
from secops.store.schema_dengbao import (
    dengbao_official_assessments as dengbao_official_assessments,
)
from secops.store.schema_dengbao import (
    dengbao_reminders as dengbao_reminders,
)
from secops.store.schema_dengbao import (
    dengbao_risk_decisions as dengbao_risk_decisions,
)
from secops.store.schema_dengbao import (
    dengbao_systems as dengbao_systems,
)
from secops.store.schema_dengbao import (
    dengbao_trend as dengbao_trend,
)
from secops.store.schema_wire import (
    center_alerts as center_alerts,
)
from secops.store.schema_wire import (
    center_audit_anchors as center_audit_anchors,
)
from secops.store.schema_wire import (
    center_auto_cursor as center_auto_cursor,
)
from secops.store.schema_wire import (
    center_auto_incidents as center_auto_incidents,
)
from secops.store.schema_wire import (
    center_compliance as center_compliance,
)
from secops.store.schema_wire import (
    center_heartbeats as center_heartbeats,
)
from secops.store.schema_wire import (
    center_keys as center_keys,
)
from secops.store.schema_wire import (
    center_leases as center_leases,
)
from secops.store.schema_wire import (
    center_login_failures as center_login_failures,
)
from secops.store.schema_wire import (
    center_nonces as center_nonces,
)
from secops.store.schema_wire import (
    center_notice_status as center_notice_status,
)
from secops.store.schema_wire import (
    center_notices as center_notices,
)
from secops.store.schema_wire import (
    center_outbound as center_outbound,
)
from secops.store.schema_wire import (
    center_pack_status as center_pack_status,
)
from secops.store.schema_wire import (
    center_packs as center_packs,
)
from secops.store.schema_wire import (
    center_periods as center_periods,
)
from secops.store.schema_wire import (
    center_rate_buckets as center_rate_buckets,
)
from secops.store.schema_wire import (
    center_school_groups as center_school_groups,
)
from secops.store.schema_wire import (
    center_school_incidents as center_school_incidents,
)
from secops.store.schema_wire import (
    center_sessions as center_sessions,
)
from secops.store.schema_wire import (
    center_upstream_state as center_upstream_state,
)
from secops.store.schema_wire import (
    center_users as center_users,
)
from secops.store.schema_wire import (
    center_zero_reports as center_zero_reports,
)
from secops.store.schema_wire import (
    forward_incident_sync as forward_incident_sync,
)
from secops.store.schema_wire import (
    forward_outbox as forward_outbox,
)
from secops.store.schema_wire import (
    forward_pack_status as forward_pack_status,
)
from secops.store.schema_wire import (
    forward_periods as forward_periods,
)
from secops.store.schema_wire import (
    forward_received as forward_received,
)
from secops.store.schema_wire import (
    forward_sync_state as forward_sync_state,
)
from secops.store.schema_wire import (
    forward_zero_reports as forward_zero_reports,
)
from secops.store.utctime import UTCDateTime as UTCDateTime

workspace = sa.Table(
    "workspace",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("school_code", sa.String(10), nullable=False, unique=True),
    sa.Column("school_name", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

activity = sa.Table(
    "activity",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False, index=True),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

report_runs = sa.Table(
    "report_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", sa.String(100), nullable=False, index=True),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("lang", sa.String(5), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("built_at", UTCDateTime(), nullable=False),
)


scan_runs = sa.Table(
    "scan_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("profile", sa.String(100), nullable=False),
    sa.Column("targets", sa.JSON, nullable=False),
    sa.Column("commands", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", _when, nullable=False),
    sa.Column("finished_at", _when),
    sa.Column("hosts_up", sa.Integer),
    sa.Column("changes", sa.Integer),
    sa.Column("error", sa.Text),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("ipv4", sa.String(15), index=True),
    sa.Column("mac", sa.String(17), index=True),
    sa.Column("vendor", sa.Text, nullable=False, default=""),
    sa.Column("hostname", sa.Text, nullable=False, default=""),
    sa.Column("asset_type", sa.String(20), nullable=False, default="unknown"),
    sa.Column("fingerprint", sa.String(100)),
    sa.Column("owner", sa.Text, nullable=False, default=""),
    sa.Column("system_tag", sa.String(100), nullable=False, default="", index=True),
    sa.Column("status", sa.String(10), nullable=False, default="up"),
    sa.Column("missed_scans", sa.Integer, nullable=False, default=0),
    sa.Column("first_seen", _when, nullable=False),
    sa.Column("last_seen", _when, nullable=False),
)

asset_addresses = sa.Table(
    "asset_addresses",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("address", sa.String(45), primary_key=True),
    sa.Column("family", sa.Integer, nullable=False),
    sa.Column("first_seen", _when, nullable=False),
    sa.Column("last_seen", _when, nullable=False),
)

services = sa.Table(
    "services",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("port", sa.Integer, primary_key=True),
    sa.Column("proto", sa.String(4), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("product", sa.Text, nullable=False, default=""),
    sa.Column("version", sa.Text, nullable=False, default=""),
    sa.Column("extrainfo", sa.Text, nullable=False, default=""),
    sa.Column("cpe", sa.JSON, nullable=False),
    sa.Column("banner", sa.Text, nullable=False, default=""),
    sa.Column("first_seen", _when, nullable=False),
    sa.Column("last_seen", _when, nullable=False),
)

asset_changes = sa.Table(
    "asset_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scan_run_id", sa.Integer, sa.ForeignKey("scan_runs.id"), index=True),
    sa.Column("asset_key", sa.String(100), nullable=False, index=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("at", _when, nullable=False, index=True),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", _when, nullable=False, index=True),
    sa.Column("source", sa.String(30), nullable=False),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("asset_key", sa.String(100), index=True),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="open"),  # open | acked | closed
    sa.Column("identity", sa.String(64)),  # see secops.store.alert_identity
    sa.Column("status_at", _when),  # when the status last changed (acked, closed)
    sa.Column("status_note", sa.Text),  # what the person who changed it wrote
    sa.Index("ix_alerts_identity", "identity", unique=True),
)


incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("category", sa.String(2), nullable=False),
    sa.Column("subcategory", sa.String(50), nullable=False),
    sa.Column("grade", sa.String(10), nullable=False),
    sa.Column("notified", sa.Boolean, nullable=False, default=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("playbook", sa.String(100)),
    sa.Column("owner", sa.Text, nullable=False, default=""),
    sa.Column("systems", sa.JSON, nullable=False),
    sa.Column("assets", sa.JSON, nullable=False),
    sa.Column("alerts", sa.JSON, nullable=False),
    sa.Column("facts", sa.JSON, nullable=False),  # grading facts, report fields
    sa.Column("detected_at", _when, nullable=False),
    sa.Column("reported_at", _when),
    sa.Column("state_times", sa.JSON, nullable=False),  # state -> first time reached
    sa.Column("created_at", _when, nullable=False),
    sa.Column("updated_at", _when, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, default=1),  # optimistic lock: no lost update
    sa.Column("drill_id", sa.Integer, index=True),  # set on a drill's incident: never counted or sent as real
)

incident_steps = sa.Table(
    "incident_steps",
    metadata,
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("step_id", sa.String(100), primary_key=True),
    sa.Column("done_at", _when, nullable=False),
    sa.Column("done_by", sa.Text, nullable=False, default=""),
    sa.Column("evidence", sa.JSON, nullable=False),  # [{"file": name, "sha256": hex}]
    sa.Column("out_of_order", sa.Boolean, nullable=False, default=False),
)

incident_audit = sa.Table(
    "incident_audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("incident_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),  # ISO text: hashed exactly as stored
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # canonical JSON text: hashed exactly as stored
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# The audit trail's keyed head (one row, id 1): how many entries it has and the last one's hash,
# HMAC'd with the audit key and written in the same transaction as each entry, so deleting the
# newest entries (or all of them) shows.
incident_audit_head = sa.Table(
    "incident_audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("entries", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Column("mac", sa.String(64), nullable=False),
)

clock_notices = sa.Table(
    "clock_notices",
    metadata,
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("deadline_id", sa.String(50), primary_key=True),
    sa.Column("fraction", sa.Float, primary_key=True),
    sa.Column("due_at", _when, nullable=False),
    sa.Column("sent_at", _when, nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),  # notifier -> "sent" | "failed: reason"
)

center_schools = sa.Table(
    "center_schools",
    metadata,
    sa.Column("code", sa.String(10), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(12), nullable=False, unique=True),
    sa.Column("sealed_key", sa.String(64), nullable=False),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("revoked_at", _when),
    sa.Column("rate_per_minute", sa.Integer),
    sa.Column("covers", sa.JSON),  # a lower center: the school codes it reports for
    sa.Column("via", sa.String(10)),  # a school reporting through a lower center: that center's code
)


data_releases = sa.Table(
    "data_releases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mark_id", sa.String(32), nullable=False, unique=True),
    sa.Column("recipient", sa.Text, nullable=False, index=True),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("output_name", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False, index=True),
    sa.Column("scheme", sa.JSON, nullable=False),
    sa.Column("marked_cells", sa.Integer, nullable=False),
    sa.Column("changed_cells", sa.Integer, nullable=False),
    sa.Column("pseudonymized", sa.JSON, nullable=False),
)


seal_keys = sa.Table(  # secops.data.seal.keys
    "seal_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("key_id", sa.String(16), nullable=False, unique=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("public_key", sa.String(130), nullable=False),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("revoked_at", _when),
)


drills = sa.Table(  # secops.drill.store
    "drills",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenario", sa.String(100), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("speed", sa.Float, nullable=False),
    sa.Column("notify", sa.Boolean, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("started_at", _when, nullable=False),
    sa.Column("finished_at", _when),
    sa.Column("incident_id", sa.Integer),
    sa.Column("started_by", sa.Text, nullable=False),
    sa.Column("notice_id", sa.String(64)),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("findings", sa.JSON, nullable=False),
    sa.Column("injected", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON),
    sa.Column("uploaded_at", _when),
    sa.Column("uploaded_state", sa.String(20)),
)

center_drills = sa.Table(  # secops.center.drills
    "center_drills",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("scenario", sa.String(100), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("speed", sa.Float, nullable=False),
    sa.Column("issued_at", _when, nullable=False),
    sa.Column("due_at", _when, nullable=False),
    sa.Column("issued_by", sa.Text, nullable=False),
    sa.Column("audience", sa.Text, nullable=False),
    sa.Column("schools", sa.JSON, nullable=False),
)

center_drill_results = sa.Table(  # secops.center.drills
    "center_drill_results",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("drill", sa.Integer, primary_key=True),
    sa.Column("request", sa.String(64), index=True),
    sa.Column("scenario", sa.String(100), nullable=False),
    sa.Column("speed", sa.Float, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("started_at", _when, nullable=False),
    sa.Column("finished_at", _when),
    sa.Column("outcome", sa.JSON, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("updated_at", _when, nullable=False),
)

seal_releases = sa.Table(  # secops.data.seal.ledger
    "seal_releases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("recipients", sa.JSON, nullable=False),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("output_name", sa.Text, nullable=False),
    sa.Column("plain_bytes", sa.BigInteger, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
)


detect_bookmarks = sa.Table(
    "detect_bookmarks",
    metadata,
    sa.Column("device", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("inode", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("path", sa.Text, nullable=False),  # the name it had when last read
    sa.Column("offset", sa.BigInteger, nullable=False),
    sa.Column("records", sa.BigInteger, nullable=False),
    sa.Column("head", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("read_at", _when, nullable=False),
)
