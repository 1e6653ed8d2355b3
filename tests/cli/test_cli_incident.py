"""``secops incident`` through the CLI with a fixed clock (SECOPS_NOW)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]
NOW = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def cli(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("SECOPS_NOW", NOW)
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _open_major(cli: Invoke) -> None:
    opened = cli(
        "incident", "open", "--title", "门户网站被植入后门", "--playbook", "webshell", "--grade", "重大",
        "--detected-at", "2026-11-23T09:05:00+08:00",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.stderr


def test_major_incident_has_5_minutes_left_and_notices_once(cli: Invoke, tmp_path: Path) -> None:
    _open_major(cli)
    status = json.loads(cli("incident", "status", "--format", "json").stdout)
    handle = next(c for c in status if c["deadline"] == "handle-major")
    assert handle["left_seconds"] == 300 and handle["status"] == "running"
    first = json.loads(cli("incident", "check-clocks", "--format", "json").stdout)
    assert sorted(n["fraction"] for n in first if n["deadline"] == "handle-major") == [0.5, 0.8]
    assert json.loads(cli("incident", "check-clocks", "--format", "json").stdout) == []


def test_verify_audit_detects_an_edited_row(cli: Invoke, tmp_path: Path) -> None:
    _open_major(cli)
    assert cli("incident", "ack", "1").exit_code == 0
    assert cli("incident", "note", "1", "已通知网站管理员").exit_code == 0
    intact = cli("incident", "verify-audit")
    assert intact.exit_code == 0 and "3 entries" in intact.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ws' / 'secops.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE incident_audit SET actor = '别人' WHERE seq = 2"))
    engine.dispose()
    broken = cli("incident", "verify-audit")
    assert broken.exit_code == 1 and "entry 2" in broken.stderr


def test_steps_evidence_and_bad_input(cli: Invoke, tmp_path: Path) -> None:
    _open_major(cli)
    evidence = tmp_path / "shot.png"
    evidence.write_bytes(b"\x89PNG fake screenshot")
    done = cli("incident", "step", "done", "isolate", "--incident", "1", "--evidence", str(evidence))
    assert done.exit_code == 0 and "sha256" in done.stdout
    assert "confirm" in done.stderr  # out of order: warned and recorded
    shown = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    assert shown["steps"]["isolate"]["out_of_order"] is True
    bad_state = cli("incident", "eradicate", "1")
    assert bad_state.exit_code == 2 and "possible now" in bad_state.stderr
    bad_grade = cli("incident", "grade", "1", "超大")
    assert bad_grade.exit_code == 2 and "一般 / 较大 / 重大 / 特别重大" in bad_grade.stderr
    bad_playbook = cli("incident", "open", "--title", "x", "--playbook", "nope")
    assert bad_playbook.exit_code == 2 and "webshell" in bad_playbook.stderr


def test_grade_from_facts(cli: Invoke) -> None:
    _open_major(cli)
    graded = cli("incident", "grade", "1", "--fact", "pi_leaked=1200000")
    assert graded.exit_code == 0 and "较大" in graded.stdout
    shown = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    assert shown["grade"] == "较大"
    assert all(c["deadline"] != "handle-major" for c in shown["clocks"])
