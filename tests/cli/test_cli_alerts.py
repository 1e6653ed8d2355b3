"""`secops alerts list | show | ack | close` over alerts stored by detect, yara and discovery."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from secops.config import Workspace
from secops.detection.yara.samples import write_web_root
from tests.conftest import Invoke

CST = timezone(timedelta(hours=8))
FIXED_NOW = "2026-11-23T10:30:00+08:00"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SQLI = """\
title: SQL injection in the query
id: 3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01
status: test
level: high
logsource:
  category: webserver
detection:
  sel:
    cs-uri-query|contains: 'union select'
  condition: sel
"""
PHP_PAGE = """\
title: PHP page requested
id: 5b8d2f0e-7c1a-4e3b-9a6d-2f4e8c0b1a3d
status: test
level: low
logsource:
  category: webserver
detection:
  sel:
    cs-uri-stem|endswith: '.php'
  condition: sel
"""


def access_line(when: datetime, query: str = "id=1%20UNION%20SELECT%20pwd", ip: str = "203.0.113.5") -> str:
    """One nginx combined-format line stamped ``when`` in +0800 (month names as nginx writes them)."""
    local = when.astimezone(CST)
    stamp = f"{local:%d}/{MONTHS[local.month - 1]}/{local:%Y:%H:%M:%S} +0800"
    return f'{ip} - - [{stamp}] "GET /news.php?{query} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "sqli.yml").write_text(SQLI)
    return folder


def listed(run_cli: Invoke, *args: str) -> list[dict[str, Any]]:
    result = run_cli("alerts", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_a_log_stored_twice_and_rotated_is_one_alert_at_its_instant(
    run_cli: Invoke, workspace: Workspace, rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real clock, a +08:00 log line ten minutes old: stored, stored again, stored from a copy."""
    monkeypatch.delenv("SECOPS_NOW", raising=False)
    line_time = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text(access_line(line_time))
    for again in ((), ("--from-start",)):  # the second run reads the file whole again, past its bookmark
        stored = run_cli("detect", "run", "--rules", str(rules), "--store", *again, str(logs / "access.log"))
        assert stored.exit_code == 1, stored.stderr
    rotated = tmp_path / "elsewhere"
    rotated.mkdir()
    shutil.copy(logs / "access.log", rotated / "access.log.1")
    again = run_cli("detect", "run", "--rules", str(rules), "--store", str(rotated / "access.log.1"))
    assert again.exit_code == 1, again.stderr

    alerts = listed(run_cli)
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["source"], alert["severity"], alert["status"]) == ("sigma", "high", "open")
    assert alert["at"].endswith("+08:00")  # shown in the workspace zone, Asia/Shanghai
    assert datetime.fromisoformat(alert["at"]) == line_time
    assert alert["source_ip"] == "203.0.113.5"
    assert [a["id"] for a in listed(run_cli, "--since", "1h")] == [alert["id"]]
    assert listed(run_cli, "--since", "5m") == []
    table = run_cli("alerts", "list")
    local = line_time.astimezone(CST)
    assert f"{local:%Y-%m-%d %H:%M}" in table.stdout and "SQL injection in the query" in table.stdout


def discovery_alerts(workspace: Workspace, now: datetime) -> None:
    """What `assets discover` stores for a new host with RDP open, without a scan on the wire."""
    from secops.content.validate import load_units
    from secops.inventory.fingerprints import load_classifier
    from secops.inventory.repository import apply_discovery, start_run
    from secops.models import ObservedHost, ObservedService, ScanCoverage
    from secops.workspace import open_workspace_store

    host = ObservedHost(
        ipv4="10.20.0.9", mac="00:11:22:33:44:55", services=[ObservedService(3389, "tcp", "ms-wbt-server")]
    )
    coverage = ScanCoverage(("10.20.0.0/24",), frozenset({3389}), False)
    with open_workspace_store(workspace) as store:
        run_id = start_run(store, "quick", ["10.20.0.0/24"], now)
        apply_discovery(store, run_id, [host], coverage, load_classifier(), load_units("alert-rule"), now)


@pytest.fixture
def seeded(run_cli: Invoke, workspace: Workspace, rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """On a fixed clock: Sigma alerts from a log of three days ago and of this morning (high and
    low), YARA alerts from a web root, discovery alerts from a scan."""
    monkeypatch.setenv("SECOPS_NOW", FIXED_NOW)
    now = datetime.fromisoformat(FIXED_NOW)
    (rules / "php.yml").write_text(PHP_PAGE)
    log = tmp_path / "access.log"
    log.write_text(
        access_line(now - timedelta(days=3)) + access_line(now - timedelta(hours=1), "page=2", "198.51.100.9")
    )
    assert run_cli("detect", "run", "--rules", str(rules), "--store", str(log)).exit_code == 1
    www = tmp_path / "www"
    write_web_root(www)
    assert run_cli("yara", "scan", str(www), "--store").exit_code == 1
    discovery_alerts(workspace, now)
    return www


def test_list_filters_by_source_severity_since_status_and_limit(run_cli: Invoke, seeded: Path) -> None:
    every = listed(run_cli)
    assert {a["source"] for a in every} == {"sigma", "yara", "discovery"}
    times = [datetime.fromisoformat(a["at"]) for a in every]
    assert times == sorted(times, reverse=True)  # newest first
    sigma = listed(run_cli, "--source", "sigma")
    assert sorted(a["severity"] for a in sigma) == ["high", "low", "low"]
    assert {a["source"] for a in listed(run_cli, "--source", "yara")} == {"yara"}
    discovered = listed(run_cli, "--source", "discovery")
    assert {a["host"] for a in discovered} == {"00:11:22:33:44:55"} and len(discovered) == 2
    assert listed(run_cli, "--source", "hunt") == []
    assert {a["severity"] for a in listed(run_cli, "--severity", "high")} <= {"high", "critical"}
    assert len(listed(run_cli, "--severity", "high")) == len(
        [a for a in every if a["severity"] in ("high", "critical")]
    )
    recent = listed(run_cli, "--source", "sigma", "--since", "24h")
    assert [a["severity"] for a in recent] == ["low"]  # this morning's line; the other is 3 days old
    assert listed(run_cli, "--source", "sigma", "--since", "2026-11-23T09:00") == recent  # zone-less: Asia/Shanghai
    assert [a["id"] for a in listed(run_cli, "--limit", "2")] == [a["id"] for a in every[:2]]
    jsonl = run_cli("alerts", "list", "--format", "jsonl", "--source", "yara")
    assert len(jsonl.stdout.splitlines()) == len(listed(run_cli, "--source", "yara"))

    bad = run_cli("alerts", "list", "--since", "last week")
    assert bad.exit_code == 2 and "neither a duration nor an ISO time" in bad.stderr
    assert run_cli("alerts", "list", "--source", "email").exit_code == 2


def test_ack_and_close_with_notes(run_cli: Invoke, seeded: Path) -> None:
    first, second, *_ = [a["id"] for a in listed(run_cli)]
    acked = run_cli("alerts", "ack", str(first), str(second), "--note", "网管已确认，正在处理")
    assert acked.exit_code == 0, acked.stderr
    assert f"Acknowledged 2 alert(s): #{first}, #{second}." in acked.stdout
    closed = run_cli("alerts", "close", str(second), "--note", "webshell removed")
    assert closed.exit_code == 0 and f"Closed 1 alert(s): #{second}." in closed.stdout

    statuses = {a["id"]: a["status"] for a in listed(run_cli)}
    assert statuses[first] == "acked" and second not in statuses  # default: open and acked
    assert [a["id"] for a in listed(run_cli, "--status", "closed")] == [second]
    assert first in [a["id"] for a in listed(run_cli, "--status", "acked")]
    assert len(listed(run_cli, "--status", "all")) == len(statuses) + 1

    shown = json.loads(run_cli("alerts", "show", str(second), "--format", "json").stdout)
    assert (shown["status"], shown["status_note"]) == ("closed", "webshell removed")
    assert shown["status_at"] == FIXED_NOW
    noted = json.loads(run_cli("alerts", "show", str(first), "--format", "json").stdout)
    assert noted["status_note"] == "网管已确认，正在处理"

    refused = run_cli("alerts", "ack", str(second))
    assert refused.exit_code == 2 and "is closed and cannot be acknowledged" in refused.stderr
    again = run_cli("alerts", "close", str(second), "--format", "json")
    assert json.loads(again.stdout) == [{"id": second, "status": "closed", "changed": False}]


def test_unknown_ids_change_nothing(run_cli: Invoke, seeded: Path) -> None:
    before = listed(run_cli, "--status", "all")
    known = before[0]["id"]
    result = run_cli("alerts", "close", str(known), "9999", "--note", "typo")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "secops: error: no alert #9999; nothing was closed (see secops alerts list --status all)"
    ]
    assert listed(run_cli, "--status", "all") == before
    missing = run_cli("alerts", "show", "9999")
    assert missing.exit_code == 2 and "no alert #9999" in missing.stderr
    assert run_cli("alerts", "ack").exit_code == 2  # at least one ID
    assert run_cli("alerts", "ack", "abc").exit_code == 2
    incident = run_cli("incident", "open", "--from-alert", "9999")
    assert incident.exit_code == 2 and "see secops alerts list" in incident.stderr


def test_show_a_yara_alert(run_cli: Invoke, seeded: Path) -> None:
    shell = next(a for a in listed(run_cli, "--source", "yara") if a["rule"] == "china_chopper_php")
    shown = json.loads(run_cli("alerts", "show", str(shell["id"]), "--format", "json").stdout)
    avatar = seeded / "uploads/2026/11/avatar.php"
    assert shown["path"] == str(avatar)
    assert len(shown["sha256"]) == 64 and shown["severity"] == "critical"
    assert shown["at"] == FIXED_NOW and shown["status"] == "open"
    assert shown["detail"]["file"]["hash"]["sha256"] == shown["sha256"]
    assert shown["host"] and len(shown["identity"]) == 64
    table = run_cli("alerts", "show", str(shell["id"]))
    assert table.exit_code == 0
    lines = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in table.stdout.splitlines())
    assert lines["Path"] == str(avatar) and lines["Rule"] == "china_chopper_php"
    assert lines["Time"] == "2026-11-23 10:30" and lines["Source"] == "yara"
    chinese = run_cli("--lang", "zh", "alerts", "show", str(shell["id"]))  # labels for people, in Chinese
    lines = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in chinese.stdout.splitlines())
    assert lines["路径"] == str(avatar) and lines["规则"] == "china_chopper_php" and lines["严重程度"] == "critical"


def test_show_a_sigma_alert_with_its_event(run_cli: Invoke, seeded: Path) -> None:
    sqli = next(a for a in listed(run_cli, "--source", "sigma") if a["severity"] == "high")
    shown = json.loads(run_cli("alerts", "show", str(sqli["id"]), "--format", "json").stdout)
    assert shown["rule_id"] == "3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01" and shown["record"] == 1
    assert shown["log_file"].endswith("access.log")
    assert shown["event"]["cs-uri-query"] == "id=1%20UNION%20SELECT%20pwd"
    assert shown["at"] == "2026-11-20T10:30:00+08:00"
