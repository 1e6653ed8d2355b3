import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.errors import WorkspaceError
from secops.store import open_store, redact_url
from secops.store.engine import create_engine
from secops.store.migrate import apply_migrations, available_migrations, current_version
from secops.store.records import (
    ReportRun,
    ensure_identity,
    log_activity,
    recent_activity,
    record_report,
    report_history,
    table_counts,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
NEWEST = len(available_migrations())


def _exercise(url: str) -> None:
    """The same behaviour on every backend: identity, activity, report history, counts."""
    with open_store(url) as store:
        assert store.schema_version == NEWEST
        assert ensure_identity(store, "4111010001", "测试中学", NOW) is True
        assert ensure_identity(store, "4111010001", "测试中学（新）", NOW) is False
        log_activity(store, "workspace.created", {"scope": ["10.0.0.0/16"], "note": "中文"}, NOW)
        record_report(store, ReportRun("workspace", "pdf", "zh", "/tmp/x.pdf", "ab" * 32, 1234, NOW))
        assert recent_activity(store)[0].detail == {"scope": ["10.0.0.0/16"], "note": "中文"}
        assert report_history(store)[0].sha256 == "ab" * 32
        counts = table_counts(store)
        assert counts["workspace"] == 1 and counts["activity"] == 1 and counts["report_runs"] == 1
        assert "schema_migrations" not in counts
    # Re-opening applies nothing new and keeps the data.
    with open_store(url) as store:
        assert table_counts(store)["activity"] == 1


def test_sqlite_from_empty_database(tmp_path: Path) -> None:
    _exercise(f"sqlite:///{tmp_path / 'secops.db'}")


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'secops.db'}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_migration_step_carries_data_forward(tmp_path: Path) -> None:
    """A version-1 database with reports logged as activity gains them as report_runs rows."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    assert apply_migrations(engine, target=1) == [1]
    activity = sa.table(
        "activity", sa.column("at", sa.DateTime(timezone=True)), sa.column("action"), sa.column("detail", sa.JSON)
    )
    with engine.begin() as conn:
        assert current_version(conn) == 1
        assert not sa.inspect(conn).has_table("report_runs")
        conn.execute(
            activity.insert().values(
                at=NOW,
                action="report.built",
                detail={
                    "report": "workspace",
                    "format": "pdf",
                    "lang": "zh",
                    "path": "/r.pdf",
                    "sha256": "cd" * 32,
                    "size_bytes": 99,
                },
            )
        )
        conn.execute(activity.insert().values(at=NOW, action="workspace.created", detail={}))
    engine.dispose()
    with open_store(url) as store:
        assert store.schema_version == NEWEST
        runs = report_history(store)
    assert [(r.report_id, r.format, r.sha256, r.size_bytes) for r in runs] == [("workspace", "pdf", "cd" * 32, 99)]


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with open_store(url) as store, store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (999, 'future', '2030-01-01')"
        )
    with pytest.raises(WorkspaceError, match="newer than this secops"):
        open_store(url)


def test_corrupted_database_is_one_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "secops.db"
    db.write_bytes(b"this is not a database" * 200)
    with pytest.raises(WorkspaceError) as caught:
        open_store(f"sqlite:///{db}")
    message = str(caught.value)
    assert str(db) in message and "backup" in message


def test_unreadable_database_is_one_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    db = tmp_path / "secops.db"
    open_store(f"sqlite:///{db}").dispose()
    db.chmod(0)
    with pytest.raises(WorkspaceError):
        open_store(f"sqlite:///{db}")


def test_unsupported_and_invalid_urls(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not supported"):
        open_store("mysql://user@localhost/db")
    with pytest.raises(WorkspaceError, match="not valid"):
        open_store("not a url")
    with pytest.raises(WorkspaceError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")


def test_redact_url_hides_passwords() -> None:
    assert "s3cret" not in redact_url("postgresql+psycopg://secops:s3cret@db.example/secops")
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


@pytest.mark.postgres
def test_postgresql_from_empty_database() -> None:
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    engine = sa.create_engine(url)
    existing = sa.MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)  # start from an empty database every run
    engine.dispose()
    _exercise(url)


# --- migration 13: alert identities ----------------------------------------------------------------


def _old_alerts_database(url: str) -> None:
    """A version-12 workspace whose alerts were stored twice: a log stored again, a YARA hit
    raised again after its alert was closed, a correlation, discovery alerts of two scan runs, an
    incident opened from a second copy and that copy waiting in the forward outbox."""
    engine = create_engine(url)
    apply_migrations(engine, target=12)
    meta = sa.MetaData()
    meta.reflect(engine)
    alerts, changes, runs = meta.tables["alerts"], meta.tables["asset_changes"], meta.tables["scan_runs"]
    event = {"c-ip": "203.0.113.5", "cs-uri-query": "id=1 union select pwd"}
    sigma = {
        "rule": {"id": "rule-sqli", "name": "SQL injection"},
        "log": {"file": {"path": "/var/log/nginx/access.log"}, "record": 1},
        "sigma": {"type": "detection", "event": event},
    }
    rotated = {**sigma, "log": {"file": {"path": "/var/log/nginx/access.log.1"}, "record": 1}}
    yara = {"rule": {"name": "china_chopper_php"}, "file": {"path": "/www/a.php", "hash": {"sha256": "ab" * 32}}}
    members = [
        {"log_file": "/var/log/auth.log", "record": n, "timestamp": f"2026-11-23T08:00:0{n}+08:00"} for n in (1, 2)
    ]
    brute = {"rule": {"id": "rule-brute"}, "sigma": {"type": "correlation", "event": {}, "members": members}}
    new_host = {"change": "host_new", "rule": "new_host"}
    later = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def alert(source: str, kind: str, detail: dict, at: datetime = NOW, status: str = "open") -> dict:
        return {
            "at": at,
            "source": source,
            "kind": kind,
            "severity": "high",
            "title": kind,
            "asset_key": "aa:bb" if source == "assets" else None,
            "detail": detail,
            "status": status,
        }

    with engine.begin() as conn:
        for at in (NOW, later):
            conn.execute(
                runs.insert().values(profile="quick", targets=[], commands=[], status="completed", started_at=at)
            )
            conn.execute(
                changes.insert().values(
                    scan_run_id=1 if at == NOW else 2, asset_key="aa:bb", kind="host_new", detail={}, at=at
                )
            )
        conn.execute(
            alerts.insert(),
            [
                alert("sigma", "sigma_detection", sigma),  # 1
                alert("yara", "china_chopper_php", yara, status="closed"),  # 2
                alert("sigma", "sigma_detection", sigma),  # 3: the same log stored again
                alert("sigma", "sigma_detection", rotated),  # 4: its rotated copy
                alert("yara", "china_chopper_php", yara),  # 5: raised again once closed
                alert("sigma", "sigma_correlation", brute),  # 6
                alert("sigma", "sigma_correlation", brute),  # 7
                alert("assets", "new_host", new_host),  # 8: scan run 1
                alert("assets", "new_host", new_host, at=later),  # 9: scan run 2, another event
                alert("sigma-hunt", "sigma_detection", sigma),  # 10: a hunt is its own source
            ],
        )
        incidents = meta.tables["incidents"]
        values = {
            "title": "web attack",
            "category": "02",
            "subcategory": "网页篡改",
            "grade": "一般",
            "notified": False,
            "state": "open",
            "owner": "",
            "systems": [],
            "assets": [],
            "facts": {},
            "detected_at": NOW,
            "state_times": {},
            "created_at": NOW,
            "updated_at": NOW,
            "version": 1,
        }
        conn.execute(incidents.insert(), [{**values, "alerts": [3, 1]}, {**values, "alerts": [5, 6]}])
        outbox = meta.tables["forward_outbox"]
        box = {"payload": {}, "attempts": 0, "enqueued_at": NOW, "next_attempt_at": NOW}
        conn.execute(
            outbox.insert(),
            [
                {**box, "alert_id": 1, "state": "sent"},
                {**box, "alert_id": 3, "state": "pending"},
                {**box, "alert_id": 4, "state": "sent"},
            ],
        )
    engine.dispose()


def _check_alert_identities(url: str) -> None:
    from secops.store.alert_identity import discovery_identity, sigma_identity, yara_identity
    from secops.store.schema import alerts

    _old_alerts_database(url)
    with open_store(url) as store, store.engine.connect() as conn:
        assert store.schema_version == NEWEST
        rows = {r.id: r for r in conn.execute(sa.select(alerts).order_by(alerts.c.id))}
        assert sorted(rows) == [1, 2, 6, 8, 9, 10]  # the lowest id of each alert stays
        assert rows[2].status == "closed"
        event = rows[1].detail["sigma"]["event"]
        assert rows[1].identity == sigma_identity("sigma", "rule-sqli", 1, event)
        assert rows[10].identity == sigma_identity("sigma-hunt", "rule-sqli", 1, event)
        assert rows[2].identity == yara_identity("china_chopper_php", "/www/a.php", "ab" * 32)
        assert rows[8].identity == discovery_identity(1, "aa:bb", "new_host", rows[8].detail)
        assert rows[9].identity == discovery_identity(2, "aa:bb", "new_host", rows[9].detail)
        assert all(len(r.identity) == 64 for r in rows.values())
        incidents = sa.table("incidents", sa.column("id"), sa.column("alerts", sa.JSON))
        assert [r.alerts for r in conn.execute(sa.select(incidents.c.alerts).order_by(incidents.c.id))] == [
            [1],
            [2, 6],
        ]
        outbox = sa.table("forward_outbox", sa.column("alert_id"), sa.column("state"))
        assert sorted(conn.execute(sa.select(outbox.c.alert_id, outbox.c.state)).all()) == [(1, "sent"), (4, "sent")]
        unique = {i["name"]: bool(i["unique"]) for i in sa.inspect(conn).get_indexes("alerts")}
        assert unique["ix_alerts_identity"] is True


def test_migration_13_fills_alert_identities_and_merges_copies(tmp_path: Path) -> None:
    _check_alert_identities(f"sqlite:///{tmp_path / 'old.db'}")


@pytest.mark.postgres
def test_migration_13_on_postgresql() -> None:
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    engine = sa.create_engine(url)
    existing = sa.MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    engine.dispose()
    _check_alert_identities(url)
