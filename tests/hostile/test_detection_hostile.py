"""Issue 17: one bad input never aborts a detection run.

The exact inputs an attacker trial found, through the CLI: each run completes within a time bound,
the alerts of the other rules and lines are produced, and the bad input is counted or reported
with its file and line (never its text).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from secops.cli.detect_run_cmd import default_rules
from secops.config import Workspace
from tests.conftest import Invoke

SECONDS = 60  # the shipped pack loads in a few seconds; a hang or a retry loop would blow this
SCANNER = '203.0.113.5 - - [23/Nov/2026:08:00:01 +0000] "GET /index.php HTTP/1.1" 200 512 "-" "sqlmap/1.7.2#stable"'
BAD_BYTES = '203.0.113.5 - - [23/Nov/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 30²12 "-" "Mozilla/5.0"'
BAD_YEAR = '203.0.113.5 - - [23/Nov/20260000000000000000:08:00:00 +0000] "GET / HTTP/1.1" 200 3012 "-" "sqlmap/1.7"'
SCANNER_RULE = "Vulnerability Scanner or Brute-Force Tool User Agent"  # shipped: rules/sigma/edu/web/

CONDITION_ONE = """\
title: Condition is a number
id: 0b7d5a3e-2c41-4e8f-9a6b-1d2c3e4f5a61
status: test
level: high
logsource:
  category: webserver
detection:
  sel:
    cs-method: GET
  condition: 1
"""
NUMBER_TAG = """\
title: A tag that is a number
id: 0b7d5a3e-2c41-4e8f-9a6b-1d2c3e4f5a62
status: test
level: high
logsource:
  category: webserver
tags:
  - attack.t1190
  - 1190
detection:
  sel:
    cs-method: GET
  condition: sel
"""
BOOM = """\
title: Boom
id: 0b7d5a3e-2c41-4e8f-9a6b-1d2c3e4f5a63
status: test
level: high
logsource:
  category: webserver
detection:
  sel:
    cs-uri-query|contains: boom-marker
  condition: sel
"""


def timed(run_cli: Invoke, *args: str) -> tuple[int, str, str]:
    started = time.monotonic()
    result = run_cli("detect", "run", *args)
    assert time.monotonic() - started < SECONDS
    return result.exit_code, result.stdout, result.stderr


def test_a_byte_count_with_a_unicode_digit_is_one_malformed_line(run_cli: Invoke, tmp_path: Path) -> None:
    log = tmp_path / "nginx" / "access.log"
    log.parent.mkdir()
    log.write_text(f"{SCANNER}\n{BAD_BYTES}\n{SCANNER}\n", encoding="utf-8")
    code, out, err = timed(run_cli, "--format", "jsonl", str(log))
    assert code == 1, err  # the scanner lines still alert
    matches = [json.loads(line) for line in out.splitlines()]
    assert {m["record"] for m in matches if m["rule_title"] == SCANNER_RULE} == {1, 3}
    assert f"{log}: 1 malformed line(s)/record(s) skipped (first: line 2)" in err
    assert "30²12" not in err  # the line's content is never echoed


def test_a_twenty_digit_year_is_a_bad_time_not_a_crash(run_cli: Invoke, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(f"{BAD_YEAR}\n{SCANNER}\n", encoding="utf-8")
    code, out, err = timed(run_cli, "--format", "jsonl", str(log))
    assert code == 1, err
    records = sorted(json.loads(line)["record"] for line in out.splitlines())
    assert records == [1, 2]  # the event keeps its place, only its time is unknown
    assert f"{log}: 1 line(s) with a time that cannot be read (first: line 1)" in err


@pytest.mark.parametrize(("text", "line", "reason"), [
    (CONDITION_ONE, 10, "condition must be a string"),
    (NUMBER_TAG, 7, "tags must be a list of strings"),
])  # fmt: skip
def test_a_bad_rule_beside_the_shipped_pack_is_one_rule_error(
    run_cli: Invoke, tmp_path: Path, text: str, line: int, reason: str
) -> None:
    bad = tmp_path / "myrules" / "sigma" / "bad.yml"  # a sigma/ folder: how validate knows the kind
    bad.parent.mkdir(parents=True)
    bad.write_text(text, encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(f"{SCANNER}\n", encoding="utf-8")
    code, out, err = timed(run_cli, "--rules", str(default_rules()), "--rules", str(bad), str(log))
    assert code == 1, err  # exit 1: something matched; a rule error does not change the convention
    assert SCANNER_RULE in out
    assert f"secops: rule error: {bad}:{line}: " in err and reason in err
    assert "1 rule error(s)" in err
    validated = run_cli("content", "validate", str(bad))
    assert validated.exit_code == 1
    assert f"{bad}:{line}: " in validated.stdout + validated.stderr
    assert reason in validated.stdout + validated.stderr


def test_only_bad_rules_is_exit_2(run_cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(CONDITION_ONE, encoding="utf-8")
    log = tmp_path / "access.log"
    log.write_text(f"{SCANNER}\n", encoding="utf-8")
    code, _out, err = timed(run_cli, "--rules", str(bad), str(log))
    assert code == 2
    assert f"{bad}:10: " in err and "no usable Sigma rule" in err


def test_a_rule_that_raises_while_matching_is_reported_once(
    run_cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule that throws on every batch (here: a patched atom) is skipped for those events, reported
    once with the count, and the other rules' alerts still come."""
    from secops.detection.sigma import batch

    real = batch.BatchContext._on_view

    def on_view(self: batch.BatchContext, atom: batch.Atom, column: batch.Column) -> int:
        if atom.arg == "boom-marker":
            raise RuntimeError("student 张三 in the message")  # never shown: only the type is
        return real(self, atom, column)

    monkeypatch.setattr(batch.BatchContext, "_on_view", on_view)
    rule = tmp_path / "boom.yml"
    rule.write_text(BOOM, encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    for name in ("a.log", "b.log", "c.log"):  # small files join into one batch (events.coalesce)
        (logs / name).write_text(f"{SCANNER}\n{SCANNER.replace('/index.php', '/?q=boom-marker')}\n")
    code, _out, err = timed(run_cli, "--rules", str(default_rules()), "--rules", str(rule), str(logs))
    assert code == 1, err
    assert "6 match(es)" in err  # the scanner rule, on every line of every file
    failures = [line for line in err.splitlines() if "rule 'Boom' failed" in line]
    assert failures == [
        f"secops: rule error: {rule}:1: rule 'Boom' failed (RuntimeError) on 6 event(s) in 1 batch(es); "
        "it was skipped for them, the other rules were not"
    ]
    assert "张三" not in err


def test_hostile_json_lines_are_counted_and_the_rest_stored(
    run_cli: Invoke, tmp_path: Path, workspace: Workspace
) -> None:
    """Nesting past the limit, NaN/Infinity/huge times, lone surrogates, NUL: the run completes,
    matches are printed as JSON and stored, the bad lines are counted with their numbers."""
    rule = tmp_path / "mimikatz.yml"
    rule.write_text(
        "title: Mimikatz\nid: 0b7d5a3e-2c41-4e8f-9a6b-1d2c3e4f5a64\nlevel: high\n"
        "logsource:\n  product: windows\ndetection:\n  sel:\n    CommandLine|contains: sekurlsa\n"
        "  condition: sel\n",
        encoding="utf-8",
    )
    good = '{"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "CommandLine": "sekurlsa::x%s"}'
    lines = [
        good % "\\ud800",  # a lone surrogate: no UTF-8 output could write it
        '{"a": ' * 100 + "1" + "}" * 100,  # past the depth bound
        '{"a": ' * 50_000 + "1" + "}" * 50_000,  # past the decoder's own limit
        '{"@timestamp": Infinity, "x": NaN}',
        '{"@timestamp": 1' + "0" * 400 + "}",
        '{"EventID": "²", "Channel": "Security", "x": "\\u0000"}',
        good % "",
    ]
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = timed(run_cli, "--rules", str(rule), "--format", "jsonl", "--store", str(log))
    assert code == 1, err
    assert sorted(json.loads(line)["record"] for line in out.splitlines()) == [1, 7]
    assert f"{log}: 2 malformed line(s)/record(s) skipped (first: line 2, 3)" in err
    assert "2 new alert(s) stored" in err
