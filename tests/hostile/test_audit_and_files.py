"""Hostile trials of the audit trail, the files' permissions, the scope and contradictory options
(issue 17, parts 5 and 6): each attack named in the issue is tried and must be caught."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.0/24"]
NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def ws(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the audit trail --------------------------------------------------------------------------------


@pytest.fixture
def trail(ws: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Invoke:
    """A workspace with an incident and 6 audit entries (open, ack, 4 notes)."""
    monkeypatch.setenv("SECOPS_NOW", NOW)
    opened = ws(
        "incident", "open", "--title", "门户网站被植入后门", "--playbook", "webshell", "--grade", "较大",
        "--detected-at", "2026-11-23T09:05:00+08:00",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr
    assert ws("incident", "ack", "1").exit_code == 0
    for n in range(4):
        assert ws("incident", "note", "1", f"第 {n} 条").exit_code == 0
    intact = ws("incident", "verify-audit")
    assert intact.exit_code == 0 and "intact: 6 entries" in intact.stdout
    return ws


def _sql(tmp_path: Path, statement: str) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ws' / 'secops.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (
            "DELETE FROM incident_audit WHERE seq = 6",
            "entry 6: the trail ends at entry 5 but its head records 6 entries: 1 deleted from the end",
        ),
        (
            "DELETE FROM incident_audit WHERE seq > 2",
            "entry 3: the trail ends at entry 2 but its head records 6 entries: 4 deleted from the end",
        ),
        ("DELETE FROM incident_audit", "entry 1: the trail is empty but its head records 6 entries: all 6 deleted"),
        ("DELETE FROM incident_audit_head", "the trail has 6 entries but no head record"),
        ("UPDATE incident_audit_head SET entries = 4", "head record does not verify"),
    ],
)
def test_deleting_from_the_end_is_reported_with_what_is_missing(
    trail: Invoke, tmp_path: Path, statement: str, reason: str
) -> None:
    _sql(tmp_path, statement)
    broken = trail("incident", "verify-audit")
    assert broken.exit_code == 1
    assert "Audit trail broken" in broken.stderr and reason in broken.stderr


def test_deleting_everything_the_trail_holds_is_reported(trail: Invoke, tmp_path: Path) -> None:
    _sql(tmp_path, "DELETE FROM incident_audit")
    _sql(tmp_path, "DELETE FROM incident_audit_head")
    broken = trail("incident", "verify-audit")
    assert broken.exit_code == 1 and "the trail was deleted" in broken.stderr


def test_a_deleted_trail_cannot_restart_intact(trail: Invoke, tmp_path: Path) -> None:
    """Trail and head deleted, then more work: the incidents without entries and the restart stay visible."""
    assert trail("incident", "open", "--title", "第二起", "--playbook", "webshell", "--grade", "一般").exit_code == 0
    _sql(tmp_path, "DELETE FROM incident_audit")
    _sql(tmp_path, "DELETE FROM incident_audit_head")
    assert trail("incident", "note", "2", "之后的记录").exit_code == 0
    broken = trail("incident", "verify-audit")
    assert broken.exit_code == 1, broken.stdout
    assert "head was gone" in broken.stderr
    _sql(tmp_path, "DELETE FROM incident_audit WHERE seq = 1")  # and the restart's own marker as well
    _sql(tmp_path, "UPDATE incident_audit SET seq = 1, prev_hash = '" + "0" * 64 + "' WHERE seq = 2")
    broken = trail("incident", "verify-audit")
    assert broken.exit_code == 1
    assert "have no audit entry" in broken.stderr or "changed after it was written" in broken.stderr


def test_a_removed_key_with_a_deleted_trail_is_not_replaced(trail: Invoke, tmp_path: Path) -> None:
    key = tmp_path / "ws" / "audit.key"
    key.unlink()
    _sql(tmp_path, "DELETE FROM incident_audit")
    _sql(tmp_path, "DELETE FROM incident_audit_head")
    for args in (["incident", "verify-audit"], ["incident", "note", "1", "重新开始？"]):
        result = trail(*args)
        assert result.exit_code == 2, (args, result.stdout)
        assert "1 incident(s) exist" in result.stderr
    assert not key.exists()


def test_the_lost_key_of_an_empty_trail_is_replaced(ws: Invoke, tmp_path: Path) -> None:
    """Nothing was ever recorded: there is nothing a new key could hide."""
    (tmp_path / "ws" / "audit.key").unlink()
    opened = ws("incident", "open", "--title", "首起事件", "--playbook", "webshell", "--grade", "一般")
    assert opened.exit_code == 0, opened.stderr
    assert ws("incident", "verify-audit").exit_code == 0


def test_work_after_truncation_does_not_launder_it(trail: Invoke, tmp_path: Path) -> None:
    _sql(tmp_path, "DELETE FROM incident_audit WHERE seq > 4")
    assert trail("incident", "note", "1", "之后的记录").exit_code == 0  # incident work goes on
    broken = trail("incident", "verify-audit")
    assert broken.exit_code == 1 and "entries 5-6 are missing" in broken.stderr


def test_a_removed_key_is_exit_2_and_never_replaced(trail: Invoke, tmp_path: Path) -> None:
    key = tmp_path / "ws" / "audit.key"
    saved = key.read_bytes()
    key.unlink()
    for args in (["incident", "verify-audit"], ["incident", "note", "1", "换了钥匙？"]):
        result = trail(*args)
        assert result.exit_code == 2, args
        assert "audit key" in result.stderr and "missing" in result.stderr and "backup" in result.stderr
        assert result.stderr.count("\n") == 1
        assert not key.exists()
    key.write_bytes(saved)  # restored from backup: all is well again
    assert trail("incident", "verify-audit").exit_code == 0


# --- files and folders ------------------------------------------------------------------------------


def test_a_fresh_workspace_is_owner_only(ws: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    assert _mode(folder) == 0o700
    for name in ("secops.db", "audit.key"):
        assert _mode(folder / name) == 0o600, name
    for sidecar in folder.glob("secops.db-*"):  # SQLite's -wal/-shm take the database's mode
        assert _mode(sidecar) == 0o600, sidecar


def test_an_open_workspace_keeps_its_wal_files_private(ws: Invoke, tmp_path: Path) -> None:
    from secops.config import load_workspace
    from secops.workspace import open_workspace_store

    with open_workspace_store(load_workspace(tmp_path / "ws")) as store, store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE incident_audit_head SET entries = entries"))
        sidecars = list((tmp_path / "ws").glob("secops.db-*"))
        assert sidecars and all(_mode(path) == 0o600 for path in sidecars)


def test_a_workspace_left_readable_is_tightened_on_open(
    ws: Invoke, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "ws"
    folder.chmod(0o755)
    for name in ("secops.db", "audit.key"):
        (folder / name).chmod(0o644)
    (folder / "center.key").write_text("x\n")
    (folder / "center.key").chmod(0o644)
    with caplog.at_level("WARNING", logger="secops.fsutil"):
        assert ws("assets", "list").exit_code == 0
    assert _mode(folder) == 0o700
    for name in ("secops.db", "audit.key", "center.key"):
        assert _mode(folder / name) == 0o600, name
    warned = caplog.text
    assert f"{folder} 0755 -> 0700" in warned and f"{folder / 'secops.db'} 0644 -> 0600" in warned


def test_init_into_an_existing_open_folder_makes_it_private(run_cli: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert run_cli(*INIT).exit_code == 0
    assert _mode(folder) == 0o700 and _mode(folder / "secops.db") == 0o600


def test_the_center_home_and_its_files_are_owner_only(tmp_path: Path) -> None:
    from secops.center.context import load_secret, open_state, prepare_home

    home = tmp_path / "center"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    load_secret(prepare_home(home))
    open_state(home).dispose()
    assert _mode(home) == 0o700
    assert _mode(home / "center.db") == 0o600 and _mode(home / "center.secret") == 0o600
    (home / "center.db").chmod(0o644)
    home.chmod(0o755)
    open_state(home).dispose()
    assert _mode(home) == 0o700 and _mode(home / "center.db") == 0o600


# --- contradictory options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ["--ssh", "10.0.0.5"],
        ["--local"],
        ["--targets", "127.0.0.1"],
        ["--ssh-user", "root"],
        ["--ssh-identity", "id_ed25519"],
        ["--no-credentials"],
        ["--force"],
        ["--scanned-from", "outside"],
        ["--ssh", "10.0.0.5", "--force", "--local"],
    ],
)
def test_no_automated_with_an_automated_option_exits_2_naming_it(ws: Invoke, extra: list[str]) -> None:
    result = ws("dengbao", "assess", "--system", "无此系统", "--no-automated", *extra)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--no-automated" in result.stderr
    for flag in (a for a in extra if a.startswith("--")):
        assert flag in result.stderr


def test_ssh_user_without_ssh_is_refused(ws: Invoke) -> None:
    result = ws("dengbao", "assess", "--system", "无此系统", "--local", "--ssh-user", "root")
    assert result.exit_code == 2 and "--ssh-user without --ssh" in result.stderr


@pytest.mark.parametrize(
    ("kind", "extra", "named"),
    [
        ("discover", ["--ssh", "10.0.0.5"], "--ssh"),
        ("discover", ["--since", "1h"], "--since"),
        ("forward", ["--system", "门户网站"], "--system"),
        ("forward", ["--target", "127.0.0.1"], "--target"),
        ("hunt", ["--es", "http://127.0.0.1:9200", "--index", "x-*", "--paths", "/var/log"], "--paths"),
        ("detect", ["--paths", "/var/log", "--es", "http://127.0.0.1:9200"], "--es"),
        ("assess", ["--system", "门户网站", "--local", "--profile", "standard"], "--profile"),
        ("assess", ["--system", "门户网站", "--local", "--batch", "10"], "--batch"),
    ],
)
def test_scheduler_options_of_another_kind_exit_2(ws: Invoke, kind: str, extra: list[str], named: str) -> None:
    result = ws("scheduler", "add", kind, "--cron", "0 3 * * 1", *extra)
    assert result.exit_code == 2
    assert f"{named} does not apply to a {kind} job" in result.stderr
    assert ws("scheduler", "list", "--format", "json").stdout.strip() == "[]"


def test_scheduler_assess_ssh_identity_without_ssh_exits_2(ws: Invoke) -> None:
    result = ws(
        "scheduler", "add", "assess", "--system", "门户网站", "--local", "--ssh-identity", "k", "--cron", "0 3 * * 1"
    )
    assert result.exit_code == 2 and "--ssh-identity without --ssh" in result.stderr
