"""Continuous local detection: --store reads only new lines, --follow tails, the scheduled job,
zone-less log times read in the workspace zone (or --timezone), unreadable times counted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from secops.store.schema import alerts
from secops.workspace import open_workspace_store
from tests.conftest import Invoke

FAILED = "Dec  7 09:{:02d}:{:02d} web sshd[4242]: Failed password for root from 203.0.113.{} port 22 ssh2\n"
RULE = """title: SSH failed password for root
id: 5d3f2b4e-0a0b-4c7e-9a51-3f1c2d4e5f60
status: test
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|contains: 'Failed password for root'
    condition: selection
level: high
"""


def _failures(first: int, count: int) -> str:
    return "".join(FAILED.format(n // 60 % 60, n % 60, n % 250) for n in range(first, first + count))


def _rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "ssh_root.yml").write_text(RULE, encoding="utf-8")
    return folder


def _alert_times(workspace: Workspace) -> list[datetime]:
    with open_workspace_store(workspace) as store, store.engine.connect() as conn:
        return [row.at for row in conn.execute(sa.select(alerts.c.at).order_by(alerts.c.id))]


def test_store_reads_only_new_lines(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    log.write_text(_failures(0, 3), encoding="utf-8")
    first = run_cli("detect", "run", "--rules", str(rules), "--store", str(log))
    assert first.exit_code == 1 and "3 new alert(s)" in first.stderr, first.stderr
    again = run_cli("detect", "run", "--rules", str(rules), "--store", str(log))
    assert again.exit_code == 0 and "0 event(s)" in again.stderr, again.stderr
    with log.open("a", encoding="utf-8") as handle:
        handle.write(_failures(3, 2))
    grown = run_cli("detect", "run", "--rules", str(rules), "--store", str(log))
    assert "2 event(s)" in grown.stderr and "2 new alert(s)" in grown.stderr, grown.stderr
    whole = run_cli("detect", "run", "--rules", str(rules), "--store", "--from-start", str(log))
    assert "5 event(s)" in whole.stderr and "0 new alert(s)" in whole.stderr, whole.stderr
    assert len(_alert_times(workspace)) == 5


def test_zone_less_times_are_read_in_the_workspace_zone_or_the_one_given(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    log.write_text(FAILED.format(30, 0, 7), encoding="utf-8")
    os.utime(log, (datetime(2026, 12, 7, 12, tzinfo=UTC).timestamp(),) * 2)  # the year comes from the mtime
    shanghai = run_cli("detect", "run", "--rules", str(rules), "--format", "jsonl", str(log))
    assert json.loads(shanghai.stdout)["timestamp"] == "2026-12-07T09:30:00+08:00"
    york = run_cli(
        "detect", "run", "--rules", str(rules), "--format", "jsonl", "--timezone", "America/New_York", str(log)
    )
    assert json.loads(york.stdout)["timestamp"] == "2026-12-07T09:30:00-05:00"
    run_cli("detect", "run", "--rules", str(rules), "--store", "--timezone", "America/New_York", str(log))
    assert _alert_times(workspace) == [datetime(2026, 12, 7, 14, 30, tzinfo=UTC)]


def test_a_timezone_that_is_not_iana_is_one_clear_error(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(_failures(0, 1), encoding="utf-8")
    for bad in ("UTC+8", "Beijing", "../etc/passwd"):
        result = run_cli("detect", "run", "--timezone", bad, str(log))
        assert result.exit_code == 2, (bad, result.output)
        assert "IANA" in result.stderr and "Traceback" not in result.output


def test_unreadable_times_are_counted_with_their_line_and_the_event_kept(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    bad = "2026-13-45T99:00:00 web sshd[1]: Failed password for root from 203.0.113.8 port 22 ssh2\n"
    log.write_text(_failures(0, 1) + bad + _failures(1, 1), encoding="utf-8")
    result = run_cli("detect", "run", "--rules", str(rules), "--format", "jsonl", str(log))
    matches = [json.loads(line) for line in result.stdout.splitlines()]
    assert [m["record"] for m in matches] == [1, 2, 3]  # the file's order, the bad one included
    assert matches[1]["timestamp"] is None
    assert "1 line(s) with a time that cannot be read (first: line 2)" in result.stderr


def test_follow_tails_the_file_and_stores_as_lines_come(workspace: Workspace, tmp_path: Path) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    log.write_text(_failures(0, 2), encoding="utf-8")
    command = [sys.executable, "-m", "secops", "--workspace", str(workspace.path), "detect", "run", "--follow"]
    command += ["--store", "--interval", "0.2", "--rules", str(rules), str(log)]
    env = {k: v for k, v in os.environ.items() if k != "SECOPS_NOW"}
    follower = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        _wait_for(lambda: len(_alert_times(workspace)) == 2)  # what was there: stored (it has no bookmark yet)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(_failures(2, 3))
        _wait_for(lambda: len(_alert_times(workspace)) == 5)
    finally:
        follower.send_signal(signal.SIGTERM)
        out, err = follower.communicate(timeout=30)
    assert follower.returncode == 1, err  # matches were found
    assert out.count("SSH failed password for root") == 5
    assert "Traceback" not in err


def test_follow_waits_for_a_log_that_is_not_there_yet(workspace: Workspace, tmp_path: Path) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    command = [sys.executable, "-m", "secops", "--workspace", str(workspace.path), "detect", "run", "--follow"]
    command += ["--store", "--interval", "0.2", "--rules", str(rules), str(log)]
    env = {k: v for k, v in os.environ.items() if k != "SECOPS_NOW"}
    follower = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.0)
        log.write_text(_failures(0, 2), encoding="utf-8")  # created after the follower started (like tail -F)
        _wait_for(lambda: len(_alert_times(workspace)) == 2)
    finally:
        follower.send_signal(signal.SIGTERM)
        _out, err = follower.communicate(timeout=30)
    assert follower.returncode == 1, err
    assert "secops: skipped" not in err  # it was read in the end: no stale "no such file"


def test_run_without_follow_refuses_a_missing_log(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    result = run_cli("detect", "run", str(tmp_path / "nope.log"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def _wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("the follower did not store the alerts in time")


def test_the_scheduled_job_reads_only_new_lines(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    from secops.detection.scheduled import run_detect_job

    rules, logs = _rules(tmp_path), tmp_path / "logs"
    logs.mkdir()
    (logs / "auth.log").write_text(_failures(0, 2), encoding="utf-8")
    added = run_cli("scheduler", "add", "detect", "--paths", str(logs), "--rules", str(rules), "--cron", "*/5 * * * *")
    assert added.exit_code == 0, added.output
    listed = json.loads(run_cli("scheduler", "list", "--format", "json").stdout)
    job = next(j for j in listed if j["kind"] == "detect")
    run_detect_job(str(workspace.path), job["paths"], job["rules"])
    run_detect_job(str(workspace.path), job["paths"], job["rules"])
    assert len(_alert_times(workspace)) == 2
    with (logs / "auth.log").open("a", encoding="utf-8") as handle:
        handle.write(_failures(2, 1))
    run_detect_job(str(workspace.path), job["paths"], job["rules"])
    assert len(_alert_times(workspace)) == 3
    missing = run_cli("scheduler", "add", "detect", "--paths", str(tmp_path / "nope"), "--cron", "*/5 * * * *")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_a_syslog_file_whose_times_are_all_unreadable_is_still_read(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    log.write_text(
        "Feb 30 10:00:00 web sshd[3]: Failed password for root from 203.0.113.8 port 22 ssh2\n"
        "Dec  7 25:61:00 web sshd[3]: Failed password for root from 203.0.113.8 port 22 ssh2\n",
        encoding="utf-8",
    )
    result = run_cli("detect", "run", "--rules", str(rules), "--format", "jsonl", str(log))
    assert result.exit_code == 1, result.stderr  # a bad time never hides a root login
    assert [json.loads(line)["record"] for line in result.stdout.splitlines()] == [1, 2]
    assert "2 line(s) with a time that cannot be read (first: line 1, 2)" in result.stderr


def test_an_alert_whose_log_time_is_unreadable_says_its_time_is_when_it_was_stored(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    rules, log = _rules(tmp_path), tmp_path / "auth.log"
    log.write_text("Feb 30 10:00:00 web sshd[3]: Failed password for root from 203.0.113.8 port 22 ssh2\n")
    assert run_cli("detect", "run", "--rules", str(rules), "--store", str(log)).exit_code == 1
    (alert,) = json.loads(run_cli("alerts", "list", "--format", "json").stdout)
    assert alert["time_known"] is False
    table = run_cli("alerts", "list")
    assert "*" in table.stdout and "the log's time could not be read" in table.stderr
    shown = run_cli("alerts", "show", str(alert["id"]))
    assert "this is when it was stored" in shown.stdout
    table = run_cli("--lang", "zh", "alerts", "list")
    assert "*" in table.stdout and "日志时间无法读取" in table.stderr
    shown = run_cli("--lang", "zh", "alerts", "show", str(alert["id"]))
    assert "此为入库时间" in shown.stdout


def test_the_scheduled_job_logs_rule_errors_and_malformed_lines(
    workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from secops.detection.scheduled import run_detect_job

    rules, logs = _rules(tmp_path), tmp_path / "logs"
    (rules / "bad.yml").write_text(RULE.replace("condition: selection", "condition: 1"), encoding="utf-8")
    logs.mkdir()
    (logs / "auth.log").write_text(_failures(0, 1) + "<²>1 not syslog\n" + _failures(1, 1), encoding="utf-8")
    with caplog.at_level("WARNING", logger="secops.detection.scheduled"):
        run_detect_job(str(workspace.path), str(logs), str(rules))
    assert len(_alert_times(workspace)) == 2  # the good rule ran on both good lines
    text = caplog.text
    assert "1 malformed, 2 match(es), 2 new alert(s), 1 rule error(s)" in text
    assert f"rule error: {rules / 'bad.yml'}:10: the detection's condition must be a string" in text
    assert f"{logs / 'auth.log'}: 1 malformed line(s) skipped (first: line 2)" in text
    assert "²" not in text
