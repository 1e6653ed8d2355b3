"""``secops drill`` from the command line: a webshell drill at 10x worked with the ordinary incident
commands, its report in Chinese, the real clock, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def at(monkeypatch: pytest.MonkeyPatch, real_minutes: float) -> None:
    monkeypatch.setenv("SECOPS_NOW", (T0 + timedelta(minutes=real_minutes)).isoformat())


def test_a_drill_at_10x_end_to_end(run_cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docx import Document

    assert run_cli(*INIT).exit_code == 0
    listed = run_cli("--lang", "zh", "drill", "scenarios")
    assert "门户网站被植入网页后门" in listed.stdout and "学籍服务器遭勒索病毒加密" in listed.stdout
    at(monkeypatch, 0)
    started = run_cli("--lang", "zh", "drill", "start", "webshell-portal", "--speed", "10", "--actor", "张老师")
    assert started.exit_code == 0, started.output
    out = started.stdout
    assert "演练 #1 已开始：事件 #1 【演练】门户网站被植入网页后门" in out and "10 倍速" in out
    assert "【演练】[告警]（yara）" in out and "drills/1" in out
    scan = run_cli("yara", "scan", str(tmp_path / "ws" / "drills" / "1"), "--format", "json")
    assert [hit["path"].endswith("avatar.php") for hit in json.loads(scan.stdout)].count(True) >= 1
    at(monkeypatch, 0.5)  # 5 drill minutes
    assert run_cli("incident", "ack", "1", "--actor", "张老师").exit_code == 0
    assert run_cli("incident", "step", "done", "confirm", "--incident", "1", "--actor", "张老师").exit_code == 0
    steps = json.loads(run_cli("incident", "step", "list", "--incident", "1", "--format", "json").stdout)
    confirm_due = next(s["due_at"] for s in steps if s["step"] == "confirm")
    assert datetime.fromisoformat(confirm_due) == T0 + timedelta(minutes=1)  # 10 minutes at 10x
    at(monkeypatch, 2.5)  # 25 drill minutes: isolate (20 minutes) is late
    assert run_cli("incident", "step", "done", "isolate", "--incident", "1", "--actor", "李工").exit_code == 0
    status = run_cli("--lang", "zh", "drill", "status", "1")
    assert "[按时完成] 确认告警并保全现场" in status.stdout and "[超时完成] 隔离受影响站点" in status.stdout
    assert "【演练】[来电]（家长）" in status.stdout  # the 5-minute inject went out with this look
    listed = run_cli("--lang", "zh", "incident", "list")
    assert "【演练】门户网站被植入网页后门" in listed.stdout
    submitted = run_cli("--lang", "zh", "incident", "submit", "1", "--kind", "initial")
    assert "这是演练：只在本地记录" in submitted.stdout
    at(monkeypatch, 3)
    answered = run_cli("drill", "answer", "1", "who-takes-offline", "分管领导决定，安全管理员执行")
    assert answered.exit_code == 0
    assert run_cli("drill", "note", "1", "--gap", "系统管理员不熟悉维护页切换").exit_code == 0
    at(monkeypatch, 6)
    finished = run_cli("--lang", "zh", "drill", "finish", "1", "--format", "json")
    summary = json.loads(finished.stdout)
    assert summary["steps_met"] == 1 and summary["milestones"]["acknowledged"] == 5.0
    assert summary["questions_answered"] == 1 and summary["scenario"] == "webshell-portal"
    again = run_cli("--lang", "zh", "drill", "finish", "1")
    assert again.exit_code == 2 and "已经结束" in again.stderr
    docx, pdf = tmp_path / "演练报告.docx", tmp_path / "演练报告.pdf"
    assert run_cli("drill", "report", "1", "-o", str(docx), "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    tables = "\n".join(c.text for t in Document(str(docx)).tables for row in t.rows for c in row.cells)
    assert "网络与数据安全应急演练报告" in text and "不是真实网络安全事件" in text
    assert "隔离受影响站点" in tables and "超时完成" in tables and "25分" in tables and "分管领导决定" in tables
    assert "系统管理员不熟悉维护页切换" in text
    assert run_cli("drill", "report", "1", "-o", str(docx)).exit_code == 2  # exists: --force
    # the drill is in no real statistic
    zero = run_cli("incident", "zero-report", "--date", "2026-12-07")
    assert zero.exit_code == 0 and json.loads(zero.stdout)["incidents"] == []
    metrics = run_cli("incident", "metrics", "--format", "json")
    assert json.loads(metrics.stdout) == []


def test_the_real_clock(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_NOW", raising=False)
    assert run_cli(*INIT).exit_code == 0
    before = datetime.now(UTC)
    started = run_cli("drill", "start", "exam-ddos", "--speed", "60", "--format", "json")
    assert started.exit_code == 0, started.output
    assert run_cli("incident", "ack", "1").exit_code == 0
    done = run_cli("incident", "step", "done", "confirm", "--incident", "1")
    assert done.exit_code == 0
    status = json.loads(run_cli("drill", "status", "1", "--format", "json").stdout)
    confirm = next(s for s in status["steps"] if s["step"] == "confirm")
    elapsed = (datetime.now(UTC) - before).total_seconds()
    assert confirm["status"] == "met" or elapsed * 60 > 600  # met unless the machine took 10 real s
    assert status["drill_minutes"] <= elapsed + 1  # at 60x: minutes of drill time = seconds of real time


def test_bad_input(run_cli: Invoke) -> None:
    assert run_cli(*INIT).exit_code == 0
    unknown = run_cli("--lang", "zh", "drill", "start", "nope")
    assert unknown.exit_code == 2 and "没有演练情景" in unknown.stderr and "webshell-portal" in unknown.stderr
    fast = run_cli("--lang", "zh", "drill", "start", "exam-ddos", "--speed", "1000")
    assert fast.exit_code == 2 and "1 到 60" in fast.stderr
    missing = run_cli("--lang", "zh", "drill", "status", "9")
    assert missing.exit_code == 2 and "没有演练 #9" in missing.stderr
    both = run_cli("drill", "note", "9", "--gap", "a", "--improvement", "b")
    assert both.exit_code == 2
    assert run_cli("drill", "start", "exam-ddos").exit_code == 0
    wrong = run_cli("--lang", "zh", "drill", "answer", "1", "nope", "x")
    assert wrong.exit_code == 2 and "pause-exam" in wrong.stderr
    suffix = run_cli("drill", "report", "1", "-o", "r.txt")
    assert suffix.exit_code == 2 and "Traceback" not in suffix.output
    job = run_cli("--lang", "zh", "scheduler", "add", "drill", "--cron", "0 9 1 * *")
    assert job.exit_code == 2 and "--scenario" in job.stderr
    planned = run_cli("scheduler", "add", "drill", "--cron", "0 9 1 * *", "--scenario", "exam-ddos", "--speed", "10")
    assert planned.exit_code == 0, planned.output
    listed = run_cli("scheduler", "list", "--format", "json")
    assert any(j["id"] == "drill-exam-ddos" and j["speed"] == 10 for j in json.loads(listed.stdout))
