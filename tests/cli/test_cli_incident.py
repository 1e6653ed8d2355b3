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
    # 55 of 60 minutes gone: the 80% reminder goes out, the 50% one it supersedes never does
    assert sorted(n["fraction"] for n in first if n["deadline"] == "handle-major") == [0.8]
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
    verdict = json.loads(cli("incident", "verify-audit", "--format", "json").stdout)
    assert verdict["intact"] is False and verdict["problem"]["entry"] == 2 and verdict["entries"] == 2
    assert cli("incident", "verify-audit", "--format", "json").exit_code == 1


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


def test_final_report_lists_every_audited_action(cli: Invoke, tmp_path: Path) -> None:
    import subprocess

    _open_major(cli)
    for args in (
        ("ack", "1"),
        ("note", "1", "已断开外网"),
        ("contain", "1"),
        ("set", "1", "cause=上传组件未校验文件类型", "impact=首页被篡改约 40 分钟"),
        ("recover", "1"),
        ("reported", "1"),
        ("close", "1"),
    ):
        result = cli("incident", *args)
        assert result.exit_code == 0, (args, result.stderr)
    data = json.loads(cli("incident", "report", "1", "--kind", "final").stdout)  # JSON on stdout without -o
    assert [e["action"] for e in data["timeline"]] == [
        "open", "acknowledged", "note", "contained", "set", "recovered", "reported", "closed",
    ]  # fmt: skip
    pdf = tmp_path / "final.pdf"
    built = cli("incident", "report", "1", "--kind", "final", "-o", str(pdf))  # the type from the suffix
    assert built.exit_code == 0, built.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("网络安全事件总结报告", "处置时间线", "登记事件", "已断开外网", "上传组件未校验文件类型", "结束报告"):
        assert words in text, words
    assert len(data["timeline"]) == 8
    wrong = cli("incident", "report", "1", "--format", "pdf", "-o", str(tmp_path / "x.docx"))  # hidden, old scripts
    assert wrong.exit_code == 2
    unknown = cli("incident", "report", "1", "-o", str(tmp_path / "x.txt"))
    assert unknown.exit_code == 2 and ".docx, .pdf, .html or .json" in unknown.stderr
    again = cli("incident", "report", "1", "--kind", "final", "-o", str(pdf))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli("incident", "report", "1", "--kind", "final", "-o", str(pdf), "--force").exit_code == 0
    binary = cli("incident", "report", "1", "--format", "docx", "-o", "-")
    assert binary.exit_code == 2 and "stdout" in binary.stderr
    as_json = tmp_path / "out" / "final.json"  # a missing folder is created
    assert cli("incident", "report", "1", "--kind", "final", "-o", str(as_json)).exit_code == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["timeline"] == data["timeline"]


def test_initial_report_carries_what_is_known(cli: Invoke, tmp_path: Path) -> None:
    _open_major(cli)
    docx = tmp_path / "initial.docx"
    assert cli("incident", "report", "1", "-o", str(docx)).exit_code == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "事态发展趋势" not in text  # unknown yet: an initial report may carry items 1-2 only


def test_zero_report_and_metrics(cli: Invoke, tmp_path: Path) -> None:
    quiet = json.loads(cli("incident", "zero-report", "--date", "2026-09-02").stdout)
    assert quiet == {
        "date": "2026-09-02",
        "important_period": "开学季",
        "zero": True,
        "incidents": [],
        "still_open": [],
    }
    _open_major(cli)
    busy = json.loads(cli("incident", "zero-report", "--date", "2026-11-23").stdout)
    assert busy["zero"] is False and busy["incidents"][0]["grade"] == "重大"
    assert cli("incident", "ack", "1").exit_code == 0
    rows = json.loads(cli("incident", "metrics", "--format", "json").stdout)
    assert rows[0]["month"] == "2026-11" and rows[0]["minutes_to_acknowledge"] == 55.0
    xlsx = tmp_path / "metrics.xlsx"
    assert cli("incident", "metrics", "-o", str(xlsx)).exit_code == 0 and xlsx.stat().st_size > 0
    assert cli("incident", "metrics", "-o", str(xlsx)).exit_code == 2  # no silent overwrite
    assert cli("incident", "metrics", "-o", str(xlsx), "--force").exit_code == 0
    unknown = cli("incident", "metrics", "-o", str(tmp_path / "metrics.txt"))
    assert unknown.exit_code == 2 and ".xlsx, .pdf, .docx or .html" in unknown.stderr


def test_cacao_round_trip_of_every_playbook(run_cli: Invoke, tmp_path: Path) -> None:
    from secops.incident.cacao import from_cacao, to_cacao
    from secops.incident.playbooks import load_playbooks

    for playbook in load_playbooks():
        exported = run_cli("incident", "export-playbook", playbook.id)
        assert exported.exit_code == 0
        data = json.loads(exported.stdout)
        assert data["spec_version"] == "cacao-2.0" and "education" in data["industry_sectors"]
        assert data["workflow"][data["workflow_start"]]["type"] == "start"
        from datetime import UTC, datetime

        assert from_cacao(to_cacao(playbook, now=datetime.now(UTC))).model_dump() == playbook.model_dump()
    source = tmp_path / "ransomware.json"
    assert run_cli("incident", "export-playbook", "ransomware", "-o", str(source)).exit_code == 0
    target = tmp_path / "playbooks" / "ransomware-copy.yml"
    target.parent.mkdir()
    imported = run_cli("incident", "import-playbook", str(source), "-o", str(target))
    assert imported.exit_code == 0, imported.stderr
    text = target.read_text(encoding="utf-8").replace("id: ransomware", "id: ransomware-copy", 1)
    target.write_text(text, encoding="utf-8")
    assert run_cli("content", "validate", str(target)).exit_code == 0
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    bad = run_cli("incident", "import-playbook", str(broken), "-o", str(tmp_path / "x.yml"))
    assert bad.exit_code == 2 and "not JSON" in bad.stderr and not (tmp_path / "x.yml").exists()


def test_final_report_clock_is_not_started_until_recovery(cli: Invoke, tmp_path: Path) -> None:
    _open_major(cli)
    shown = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    assert all(c["deadline"] != "final-report" for c in shown["clocks"])  # no countdown from detection
    assert [(c["deadline"], c["status"]) for c in shown["pending_clocks"]] == [("final-report", "not_started")]
    table = cli("incident", "show", "1").stdout
    assert "30 日内提交总结报告: 未开始" in table and "剩余 29天" not in table
    status = json.loads(cli("incident", "status", "--format", "json").stdout)
    assert all(c["deadline"] != "final-report" for c in status)
    report = json.loads(cli("incident", "report", "1", "--kind", "followup", "-o", "-").stdout)
    assert [c["deadline"] for c in report["pending_clocks"]] == ["final-report"]
    docx = tmp_path / "followup.docx"
    assert cli("incident", "report", "1", "--kind", "followup", "-o", str(docx)).exit_code == 0
    from docx import Document

    rows = [[c.text for c in r.cells] for t in Document(str(docx)).tables for r in t.rows]
    final_row = next(r for r in rows if r[0] == "30 日内提交总结报告")
    assert final_row[1:3] == ["—", "未开始"] and "恢复或关闭后起算 30天" in final_row[3]
    for args in (("ack", "1"), ("recover", "1")):
        assert cli("incident", *args).exit_code == 0
    after = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    final = next(c for c in after["clocks"] if c["deadline"] == "final-report")
    assert final["status"] == "running" and final["left"] == "30天0小时" and after["pending_clocks"] == []
    assert "30 日内提交总结报告: 剩余 30天0小时" in cli("incident", "show", "1").stdout


def test_grading_a_portal_asks_for_its_level(cli: Invoke) -> None:
    _open_major(cli)
    asked = cli("incident", "grade", "1", "--fact", "portal_down_hours=3")
    assert asked.exit_code == 0 and "graded 一般" in asked.stdout and "--fact portal_level=prefecture" in asked.stdout
    given = cli("incident", "grade", "1", "--fact", "portal_down_hours=3", "--fact", "portal_level=prefecture")
    assert given.exit_code == 0 and "graded 较大" in given.stdout and "征求意见稿" in given.stdout
    assert "portal_level=" not in given.stdout
    shown = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    assert any("征求意见稿" in r for r in shown["facts"]["grading_reasons"])


def test_a_notified_vulnerability_opens_as_07_network_vulnerability(cli: Invoke) -> None:
    opened = cli(
        "incident", "open", "--title", "关于官网 SQL 注入漏洞的安全通报", "--playbook", "notified-vulnerability"
    )
    assert opened.exit_code == 0, opened.stderr
    shown = json.loads(cli("incident", "show", "1", "--format", "json").stdout)
    assert (shown["category"], shown["subcategory"], shown["notified"]) == ("07", "网络漏洞", True)
    old = cli("incident", "open", "--title", "x", "--category", "07", "--subcategory", "漏洞通报")
    assert (
        old.exit_code == 0
        and json.loads(cli("incident", "show", "2", "--format", "json").stdout)["subcategory"] == "网络漏洞"
    )
    wrong = cli("incident", "open", "--title", "x", "--category", "07", "--subcategory", "勒索软件")
    assert wrong.exit_code == 2 and "网络配置合规缺陷" in wrong.stderr
