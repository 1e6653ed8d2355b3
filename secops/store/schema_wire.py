"""The tables of the wire. At a center: its schools' nonces, alerts (the SQLite store), staff and
sessions, automatic cases, its copy of each school's compliance summary, check-ins, incidents,
audit heads, notice and pack status and 零报告, and what it sends down. At a school: its alert
outbox and what it acknowledged, received and submitted. Re-exported by ``secops.store.schema``,
where queries import them from."""

import sqlalchemy as sa

from secops.store.schema_base import WHEN as _when
from secops.store.schema_base import metadata

center_upstream_state = sa.Table(
    "center_upstream_state",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),  # what a lower center relayed up to where
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("at", _when, nullable=False),
)

center_packs = sa.Table(
    "center_packs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the envelope's payload id
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("issued_at", _when, nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("audience", sa.Text, nullable=False),  # how it was addressed, for people
    sa.Column("schools", sa.JSON, nullable=False),  # the codes it went to (empty: all)
    sa.Column("files", sa.JSON, nullable=False),  # [{kind, name, sha256, bytes}]
    sa.UniqueConstraint("name", "version", name="uq_center_packs_name_version"),
)

center_pack_status = sa.Table(
    "center_pack_status",
    metadata,
    sa.Column("pack_id", sa.String(64), primary_key=True),
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # installed | ignored | refused
    sa.Column("reason", sa.Text),
    sa.Column("at", _when, nullable=False),  # when it happened at the school
    sa.Column("installed_version", sa.Integer),  # what the school runs now
    sa.Column("updated_at", _when, nullable=False),
)

forward_pack_status = sa.Table(
    "forward_pack_status",
    metadata,
    sa.Column("pack_id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("version", sa.Integer),  # installed version of that pack's name afterwards
    sa.Column("reason", sa.Text),
    sa.Column("at", _when, nullable=False),
    sa.Column("reported", sa.Boolean, nullable=False),  # the center acknowledged it
)

center_heartbeats = sa.Table(
    "center_heartbeats",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),  # the latest check-in per school replaces the last
    sa.Column("sent_at", _when, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("every_seconds", sa.Integer, nullable=False),
    sa.Column("skew_seconds", sa.Float, nullable=False),
    sa.Column("software", sa.String(40), nullable=False),
    sa.Column("outbox_pending", sa.Integer, nullable=False),
    sa.Column("beat", sa.JSON, nullable=False),
)

forward_incident_sync = sa.Table(
    "forward_incident_sync",
    metadata,
    sa.Column("incident_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),  # the version the center acknowledged
    sa.Column("sent_at", _when, nullable=False),
)

forward_sync_state = sa.Table(
    "forward_sync_state",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),  # e.g. the audit head the center acknowledged
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("at", _when, nullable=False),
)

center_school_incidents = sa.Table(
    "center_school_incidents",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("incident_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("grade", sa.String(10), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("detected_at", _when, nullable=False),
    sa.Column("incident", sa.JSON, nullable=False),  # secops.protocol.incidents.SchoolIncident
    sa.Index("ix_center_school_incidents_state", "state"),
)

center_audit_anchors = sa.Table(
    "center_audit_anchors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school", sa.String(10), nullable=False),
    sa.Column("entries", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("conflict", sa.Text),  # why this head contradicts one seen before (a rewritten trail)
    sa.Index("ix_center_audit_anchors_school", "school", "entries"),
)

center_outbound = sa.Table(
    "center_outbound",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),  # schools pull after their last seq
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("issued_at", _when, nullable=False),
    sa.Column("expires_at", _when, nullable=False),
    sa.Column("schools", sa.JSON, nullable=False),  # empty: every school
    sa.Column("envelope", sa.JSON, nullable=False),  # secops.protocol.envelope.Envelope
)

center_notices = sa.Table(
    "center_notices",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("issued_at", _when, nullable=False),
    sa.Column("due_at", _when, nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("audience", sa.Text, nullable=False),  # how it was addressed, for people
    sa.Column("schools", sa.JSON, nullable=False),  # the codes it went to (empty: all)
    sa.Column("attachments", sa.JSON, nullable=False),
)

center_notice_status = sa.Table(
    "center_notice_status",
    metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # received | acknowledged | rectified | refused
    sa.Column("received_at", _when),
    sa.Column("acknowledged_at", _when),
    sa.Column("rectified_at", _when),
    sa.Column("summary", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("updated_at", _when, nullable=False),
)

center_school_groups = sa.Table(
    "center_school_groups",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("school", sa.String(10), primary_key=True),
)

center_periods = sa.Table(
    "center_periods",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # also the envelope's id in center_outbound
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("start_day", sa.Date, nullable=False),  # Beijing dates, inclusive
    sa.Column("end_day", sa.Date, nullable=False),
    sa.Column("deadline", sa.String(5), nullable=False),  # HH:MM, Beijing
    sa.Column("issued_at", _when, nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("audience", sa.Text, nullable=False),  # how it was addressed, for people
    sa.Column("schools", sa.JSON, nullable=False),  # the codes it went to (empty: all)
)

center_zero_reports = sa.Table(
    "center_zero_reports",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),  # one report per school and Beijing day, whatever the period
    sa.Column("kind", sa.String(10), nullable=False),  # zero | incidents
    sa.Column("incidents", sa.JSON, nullable=False),  # the school's local incident ids (counts only)
    sa.Column("submitted_at", _when, nullable=False),  # the first submission: it decides late or not
    sa.Column("submitted_by", sa.String(10), nullable=False),  # auto | person
    sa.Column("received_at", _when, nullable=False),
    sa.Column("updated_at", _when, nullable=False),
)

forward_periods = sa.Table(
    "forward_periods",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the center's period id
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("start_day", sa.Date, nullable=False),  # Beijing dates, inclusive
    sa.Column("end_day", sa.Date, nullable=False),
    sa.Column("deadline", sa.String(5), nullable=False),  # HH:MM, Beijing
    sa.Column("issuer", sa.String(200), nullable=False),
    sa.Column("issued_at", _when, nullable=False),  # a day whose deadline passed before this is not ours to report
    sa.Column("received_at", _when, nullable=False),
)

forward_zero_reports = sa.Table(
    "forward_zero_reports",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),  # Beijing day
    sa.Column("period_id", sa.String(64), nullable=False),
    sa.Column("held", sa.Boolean, nullable=False),  # a responder stopped the automatic one
    sa.Column("held_by", sa.String(100)),
    sa.Column("kind", sa.String(10)),  # zero | incidents; NULL while held
    sa.Column("incidents", sa.JSON),
    sa.Column("submitted_at", _when),
    sa.Column("submitted_by", sa.String(10)),  # auto | person
    sa.Column("person", sa.String(100)),  # who, for the local record (never sent)
    sa.Column("sent_at", _when),  # when the center acknowledged it; NULL: send on the next pass
    sa.Column("answer", sa.String(20)),  # what the center answered
)

forward_received = sa.Table(
    "forward_received",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the envelope's payload id: a replay is known
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text),  # why it was refused
    sa.Column("incident_id", sa.Integer),
    sa.Column("payload", sa.JSON),  # the opened payload (accepted only)
    sa.Column("reported", sa.String(20)),  # the last status the center acknowledged
)


center_nonces = sa.Table(
    "center_nonces",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("seen_at", _when, nullable=False, index=True),
)


center_alerts = sa.Table(
    "center_alerts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("school", sa.String(10), nullable=False),
    sa.Column("at", _when, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
    sa.Index("ix_center_alerts_school_at", "school", "at"),
    sa.Index("ix_center_alerts_at", "at"),
    sa.Index("ix_center_alerts_received", "school", "received_at"),
)


center_users = sa.Table(
    "center_users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("disabled_at", _when),
    sa.Column("role", sa.String(10), nullable=False, server_default="duty"),  # duty | analyst | admin
    sa.Column("last_looked_at", _when),  # the overview shows what is new since
)


center_sessions = sa.Table(
    "center_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", _when, nullable=False),
    sa.Column("expires_at", _when, nullable=False),
)


forward_outbox = sa.Table(
    "forward_outbox",
    metadata,
    sa.Column("alert_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("enqueued_at", _when, nullable=False),
    sa.Column("next_attempt_at", _when, nullable=False),
    sa.Column("sent_at", _when),
    sa.Column("center_id", sa.String(64)),
    sa.Column("last_error", sa.Text),
)


center_auto_incidents = sa.Table(
    "center_auto_incidents",
    metadata,
    sa.Column("alert_id", sa.String(64), primary_key=True),
    sa.Column("school", sa.String(10), nullable=False),
    sa.Column("claimed_at", _when, nullable=False),
    sa.Column("incident_id", sa.Integer),
    sa.Column("opened_at", _when),
)


center_auto_cursor = sa.Table(
    "center_auto_cursor",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("at", _when, nullable=False),
)


center_compliance = sa.Table(
    "center_compliance",
    metadata,
    sa.Column("school", sa.String(10), primary_key=True),  # the latest summary per school replaces the last
    sa.Column("generated_at", _when, nullable=False),
    sa.Column("received_at", _when, nullable=False),
    sa.Column("overdue_filings", sa.Integer, nullable=False),
    sa.Column("overdue_assessments", sa.Integer, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
)


center_rate_buckets = sa.Table(  # a token bucket per key (secops.center.ratelimit.SharedRateLimiter)
    "center_rate_buckets",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),  # left after the last request
    sa.Column("at", sa.Float, nullable=False),  # when, in seconds since the epoch (plain arithmetic on both databases)
)


center_login_failures = sa.Table(  # failed dashboard logins (secops.center.staff.SharedLoginThrottle)
    "center_login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("at", _when, nullable=False),
    sa.Index("ix_center_login_failures_user", "username", "client", "at"),
    sa.Index("ix_center_login_failures_client", "client", "at"),
    sa.Index("ix_center_login_failures_at", "at"),
)


center_keys = sa.Table(  # fingerprints of the keys every instance's home must hold (secops.center.home_keys)
    "center_keys",
    metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("recorded_at", _when, nullable=False),
)

center_leases = sa.Table(  # one instance runs each background tick (secops.center.leases)
    "center_leases",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("expires_at", _when, nullable=False),
)
