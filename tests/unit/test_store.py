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
