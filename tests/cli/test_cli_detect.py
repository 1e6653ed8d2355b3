"""`secops detect run | convert | regression` on real log files."""

from __future__ import annotations

import importlib.util
import json
import shutil
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from tests.conftest import Invoke

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "detection" / "fixtures" / "logs"
EVTX_SAMPLE = FIXTURES / "evtx" / "Security_short_selected.evtx"

SQLI = """\
title: SQL injection in the query
id: 3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01
status: test
level: high
tags: [attack.initial-access, attack.t1190]
logsource:
  category: webserver
detection:
  sel:
    cs-uri-query|contains: 'union select'
  condition: sel
"""
SSH_FAILED = """\
title: SSH failed password
id: 9b1c7a52-5e0d-4d6a-8f3b-2c4e6a8d0f11
name: ssh_failed
status: test
level: low
logsource:
  product: linux
  service: sshd
detection:
  sel:
    sshd_action: failed_password
  condition: sel
"""
SSH_BRUTE = """\
title: SSH brute force
id: 1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5
status: test
level: high
correlation:
  type: event_count
  rules:
    - ssh_failed
  group-by:
    - src_ip
  timespan: 5m
  condition:
    gte: 5
"""
WEB_LOG = (
    '203.0.113.5 - - [23/Nov/2026:08:00:00 +0000] "GET /n.php?id=1%20UNION%20SELECT%20pwd HTTP/1.1" 200 512 "-" "x"\n'
    '198.51.100.9 - - [23/Nov/2026:08:00:01 +0000] "GET /index.php HTTP/1.1" 200 5120 "-" "Mozilla/5.0"\n'
)


def auth_log(failures: int) -> str:
    lines = [
        f"Nov 23 08:00:{i:02d} web01 sshd[1234]: Failed password for root from 198.51.100.7 port {50000 + i} ssh2"
        for i in range(failures)
    ]
    lines.append("Nov 23 08:01:00 web01 sshd[1234]: Accepted password for root from 198.51.100.7 port 51000 ssh2")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "sqli.yml").write_text(SQLI)
    (rules / "ssh_failed.yml").write_text(SSH_FAILED)
    (rules / "ssh_brute.yml").write_text(SSH_BRUTE)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text(WEB_LOG)
    (logs / "auth.log").write_text(auth_log(6))
    return tmp_path


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_run_jsonl_reports_every_match_and_exits_1(run_cli: Invoke, files: Path) -> None:
    result = run_cli("detect", "run", "--rules", str(files / "rules"), "--format", "jsonl", str(files / "logs"))
    assert result.exit_code == 1, result.stderr
    matches = jsonl(result.stdout)
    by_title = {m["rule_title"]: m for m in matches}
    assert set(by_title) == {"SQL injection in the query", "SSH brute force"}  # the base rule stays quiet
    sqli = by_title["SQL injection in the query"]
    assert sqli["rule_id"] == "3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01"
    assert (sqli["level"], sqli["tags"], sqli["record"]) == ("high", ["attack.initial-access", "attack.t1190"], 1)
    assert (
        sqli["log_file"].endswith("access.log") and sqli["timestamp"] == "2026-11-23T16:00:00+08:00"
    )  # 08:00 UTC, shown in the workspace zone
    assert sqli["event"]["c-ip"] == "203.0.113.5"
    brute = by_title["SSH brute force"]
    assert brute["type"] == "correlation" and brute["event"] == {"src_ip": "198.51.100.7"}
    assert len(brute["members"]) >= 5 and all(m["rule_title"] == "SSH failed password" for m in brute["members"])
    assert "2 file(s), 9 event(s), 0 malformed" in result.stderr


def test_run_table_summary(run_cli: Invoke, files: Path) -> None:
    result = run_cli("detect", "run", "--rules", str(files / "rules" / "sqli.yml"), str(files / "logs" / "access.log"))
    assert result.exit_code == 1
    assert "SQL injection in the query" in result.stdout and "access.log:1" in result.stdout
    assert "1 match(es) of 1 rule(s)" in result.stdout


def test_run_without_matches_exits_0(run_cli: Invoke, files: Path) -> None:
    (files / "quiet.log").write_text(auth_log(2))
    result = run_cli("detect", "run", "--rules", str(files / "rules"), str(files / "quiet.log"))
    assert result.exit_code == 0, result.stderr
    assert "No matches." in result.stderr and result.stdout == ""


def test_bad_rules_and_bad_lines_are_reported_not_fatal(run_cli: Invoke, files: Path) -> None:
    (files / "rules" / "broken.yml").write_text("title: broken\ndetection: [\n")
    (files / "rules" / "modifier.yml").write_text(SQLI.replace("|contains", "|containz").replace("3f0a", "4f0a"))
    log = files / "logs" / "access.log"
    log.write_bytes(log.read_bytes() + b"\x00\xff garbage that is no log line\n")
    result = run_cli("detect", "run", "--rules", str(files / "rules"), "--format", "jsonl", str(log))
    assert result.exit_code == 1
    assert len(jsonl(result.stdout)) == 1
    assert "broken.yml:3: invalid YAML" in result.stderr  # where the parser gave up
    assert "modifier.yml:" in result.stderr and "containz" in result.stderr
    assert "2 rule error(s)" in result.stderr and "1 malformed" in result.stderr


def test_bad_usage_exits_2(run_cli: Invoke, files: Path) -> None:
    assert run_cli("detect", "run", "--rules", str(files / "rules"), str(files / "nope.log")).exit_code == 2
    assert run_cli("detect", "run", "--rules", str(files / "rules")).exit_code == 2
    bad_format = run_cli("detect", "run", "--rules", str(files / "rules"), "--log-format", "xml", str(files / "logs"))
    assert bad_format.exit_code == 2 and "xml" in bad_format.stderr
    (files / "only_bad").mkdir()
    (files / "only_bad" / "x.yml").write_text("title: x\n")
    no_rules = run_cli("detect", "run", "--rules", str(files / "only_bad"), str(files / "logs"))
    assert no_rules.exit_code == 2 and "no usable Sigma rule" in no_rules.stderr


def test_log_format_override(run_cli: Invoke, files: Path) -> None:
    renamed = files / "weird.txt"
    shutil.copy(files / "logs" / "access.log", renamed)
    result = run_cli("detect", "run", "--rules", str(files / "rules"), "--log-format", "web", str(renamed))
    assert result.exit_code == 1


def test_default_rules_are_the_shipped_pack(run_cli: Invoke, files: Path) -> None:
    from secops.content.locate import content_root

    if not any((content_root("rules") / "sigma").rglob("*.yml")):
        pytest.skip("the shipped Sigma pack (rules/sigma) is empty")
    result = run_cli("detect", "run", "--format", "jsonl", str(files / "logs"))
    assert result.exit_code in (0, 1), result.stderr
    assert "0 rule error(s)" in result.stderr


def test_store_writes_ecs_alerts(run_cli: Invoke, files: Path, workspace: Workspace) -> None:
    result = run_cli("detect", "run", "--rules", str(files / "rules"), "--store", str(files / "logs"))
    assert result.exit_code == 1, result.stderr
    assert "2 new alert(s) stored" in result.stderr
    engine = sa.create_engine(workspace.database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source, kind, severity, title, detail FROM alerts ORDER BY id")).all()
    engine.dispose()
    assert {(r.source, r.kind, r.severity) for r in rows} == {
        ("sigma", "sigma_detection", "high"),
        ("sigma", "sigma_correlation", "high"),
    }
    detail = next(json.loads(r.detail) for r in rows if r.kind == "sigma_detection")
    assert detail["event"]["kind"] == "alert" and detail["rule"]["id"] == "3f0a6c3e-1b8e-4f57-9d0e-0c1f6e2a9b01"
    assert detail["source"]["ip"] == "203.0.113.5" and detail["log"]["file"]["path"].endswith("access.log")


def test_reading_in_a_second_process_changes_nothing_but_time(
    run_cli: Invoke, files: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same output and counts as reading in one process, and --store's bookmarks come back from
    the reading process: a second --store run reads nothing new."""
    from secops.detection import readahead

    if not readahead.usable():
        pytest.skip("read-ahead needs more than one CPU, fork and no other thread in this process")
    started: list[object] = []

    class Spy(readahead.ReadAhead):
        def __init__(self, *args: object) -> None:
            started.append(self)
            super().__init__(*args)

    monkeypatch.setattr(readahead, "ReadAhead", Spy)
    args = ("detect", "run", "--rules", str(files / "rules"), "--format", "jsonl", str(files / "logs"))
    ahead = run_cli(*args)
    monkeypatch.setenv("SECOPS_READ_AHEAD", "0")
    here = run_cli(*args)
    assert len(started) == 1 and ahead.exit_code == here.exit_code == 1
    assert (ahead.stdout, ahead.stderr) == (here.stdout, here.stderr)
    monkeypatch.delenv("SECOPS_READ_AHEAD")
    store = ("detect", "run", "--rules", str(files / "rules"), "--store", str(files / "logs"))
    first, again = run_cli(*store), run_cli(*store)
    assert len(started) == 3
    assert "2 new alert(s) stored" in first.stderr and "0 new alert(s) stored" in again.stderr
    assert again.exit_code == 0 and " 0 event(s)" in again.stderr  # the bookmarks came back: nothing re-read


# --- regression -----------------------------------------------------------------------------------


def make_checkout(root: Path, tests: list[tuple[str, str, str, int]]) -> None:
    """A SigmaHQ-shaped checkout: rules/<name>.yml with regression_tests_path, and regression_data."""
    for name, rule, log_name, count in tests:
        data = root / "regression_data" / "rules" / name
        data.mkdir(parents=True)
        log = data / log_name
        kind = "evtx" if log_name.endswith(".evtx") else "jsonl"
        info = {
            "id": "00000000-0000-4000-8000-000000000000",
            "regression_tests_info": [
                {
                    "name": "Positive Detection Test",
                    "type": kind,
                    "match_count": count,
                    "path": str(log.relative_to(root)),
                }
            ],
        }
        (data / "info.yml").write_text(json.dumps(info))
        rules = root / "rules"
        rules.mkdir(exist_ok=True)
        path = f"regression_data/rules/{name}/info.yml"
        (rules / f"{name}.yml").write_text(rule + f"regression_tests_path: {path}\n")


FAILED_LOGON = textwrap.dedent("""\
    title: Failed logon
    id: 0b0a7f6e-5d4c-4b3a-9281-706f5e4d3c2b
    status: test
    level: low
    logsource:
      product: windows
      service: security
    detection:
      sel:
        EventID: 4625
      condition: sel
    """)
PROCESS = textwrap.dedent("""\
    title: Whoami
    id: 6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d
    status: test
    level: medium
    logsource:
      product: windows
      category: process_creation
    detection:
      sel:
        Image|endswith: '\\whoami.exe'
      condition: sel
    """)
PROCESS_EVENTS = [
    {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Image": "C:\\Windows\\System32\\whoami.exe"},
    {"EventID": 4688, "Channel": "Security", "NewProcessName": "C:\\Windows\\System32\\WHOAMI.EXE"},
    {"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational", "Image": "C:\\Windows\\System32\\whoami.exe"},
]


def write_samples(root: Path) -> None:
    sample = root / "regression_data" / "rules" / "proc" / "events.jsonl"
    sample.write_text("".join(json.dumps(e) + "\n" for e in PROCESS_EVENTS))


def test_regression_passes(run_cli: Invoke, tmp_path: Path) -> None:
    tests = [("proc", PROCESS, "events.jsonl", 2)]
    if EVTX_SAMPLE.is_file():
        tests.append(("logon", FAILED_LOGON, "sample.evtx", 1))
    make_checkout(tmp_path, tests)
    write_samples(tmp_path)
    if EVTX_SAMPLE.is_file():
        shutil.copy(EVTX_SAMPLE, tmp_path / "regression_data" / "rules" / "logon" / "sample.evtx")
    result = run_cli("detect", "regression", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"{len(tests)} passed, 0 failed" in result.stdout
    assert "PASS  Whoami  (2 match(es), expected at least 2)" in result.stdout


def test_regression_failures_exit_1(run_cli: Invoke, tmp_path: Path) -> None:
    make_checkout(
        tmp_path,
        [("proc", PROCESS, "events.jsonl", 3), ("missing", PROCESS.replace("6a5b", "7a5b"), "gone.jsonl", 1)],
    )
    write_samples(tmp_path)
    result = run_cli("detect", "regression", "--format", "jsonl", str(tmp_path))
    assert result.exit_code == 1
    rows = {r["rule"].rsplit("/", 1)[-1]: r for r in jsonl(result.stdout)}
    assert rows["proc.yml"]["result"] == "fail" and (rows["proc.yml"]["found"], rows["proc.yml"]["expected"]) == (2, 3)
    assert rows["missing.yml"]["result"] == "fail" and "missing" in rows["missing.yml"]["error"]
    assert "0 passed, 2 failed" in result.stderr
    as_json = run_cli("detect", "regression", "--format", "json", str(tmp_path))
    assert as_json.exit_code == 1 and sorted(r["result"] for r in json.loads(as_json.stdout)) == ["fail", "fail"]


def test_regression_without_tests_is_an_error(run_cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text(PROCESS)
    result = run_cli("detect", "regression", str(tmp_path))
    assert result.exit_code == 2 and "no regression tests" in result.stderr


# --- convert ---------------------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("secops.detection.convert") is None, reason="conversion not built")
def test_convert_to_lucene(run_cli: Invoke, files: Path) -> None:
    result = run_cli("detect", "convert", "--rules", str(files / "rules" / "sqli.yml"), "--target", "lucene")
    assert result.exit_code == 0, result.stderr
    assert "cs-uri-query" in result.stdout and "union" in result.stdout.lower()
    as_json = run_cli(
        "detect", "convert", "--rules", str(files / "rules" / "sqli.yml"), "--target", "eql", "--format", "json"
    )
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)[0]["query"]
    assert run_cli("detect", "convert", "--rules", str(files / "rules"), "--target", "sql").exit_code == 2
