"""detect, yara, alerts and data follow the CLI's conventions: Chinese by default (English with
--lang en), --format table|json|jsonl, no silent overwrite, exit 1 for findings, shell completion,
and Ctrl-C ending a long run with one line and exit 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from secops.cli.main import cli
from secops.config import Workspace
from secops.detection.yara.samples import write_web_root
from tests.cli.test_cli_detect import SQLI, SSH_FAILED, WEB_LOG, auth_log
from tests.conftest import Invoke


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "sqli.yml").write_text(SQLI)
    (rules / "ssh_failed.yml").write_text(SSH_FAILED)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").write_text(WEB_LOG)
    (tmp_path / "logs" / "auth.log").write_text(auth_log(0))  # no failed password: nothing matches
    return tmp_path


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """No --lang, no $SECOPS_LANG: the default language, Chinese."""
    monkeypatch.delenv("SECOPS_LANG", raising=False)


def test_detect_run_speaks_chinese_by_default_and_english_on_request(
    run_cli: Invoke, logs: Path, chinese: None
) -> None:
    result = run_cli("detect", "run", "--rules", str(logs / "rules"), str(logs / "logs" / "access.log"))
    assert result.exit_code == 1
    assert result.stdout.split()[:5] == ["级别", "命中数", "文件数", "首次命中", "规则"]
    assert "1 条规则共命中 1 次" in result.stdout and "命中 1 次" in result.stderr
    quiet = run_cli("detect", "run", "--rules", str(logs / "rules"), str(logs / "logs" / "auth.log"))
    assert quiet.exit_code == 0 and quiet.stdout == "" and "没有命中。" in quiet.stderr
    english = run_cli(
        "--lang", "en", "detect", "run", "--rules", str(logs / "rules"), str(logs / "logs" / "access.log")
    )
    assert english.stdout.split()[:4] == ["Level", "Matches", "Files", "First"]
    assert "1 match(es) of 1 rule(s)" in english.stdout


def test_an_error_is_one_line_in_chinese(run_cli: Invoke, logs: Path, chinese: None) -> None:
    empty = logs / "no-rules"
    empty.mkdir()
    result = run_cli("detect", "run", "--rules", str(empty), str(logs / "logs" / "access.log"))
    assert result.exit_code == 2 and "没有可用的 Sigma 规则" in result.stderr and "请检查 --rules" in result.stderr
    assert "Traceback" not in result.output
    english = run_cli("--lang", "en", "detect", "run", "--rules", str(empty), str(logs / "logs" / "access.log"))
    assert english.exit_code == 2 and "no usable Sigma rule in" in english.stderr


def test_detect_run_json_is_one_array_of_the_jsonl_matches(run_cli: Invoke, logs: Path) -> None:
    args = (
        "detect",
        "run",
        "--rules",
        str(logs / "rules"),
        str(logs / "logs" / "access.log"),
        str(logs / "logs" / "auth.log"),
    )
    lines = run_cli(*args, "--format", "jsonl")
    as_json = run_cli(*args, "--format", "json")
    assert as_json.exit_code == lines.exit_code == 1
    assert json.loads(as_json.stdout) == [json.loads(line) for line in lines.stdout.splitlines()]
    none = run_cli("detect", "run", "--rules", str(logs / "rules"), str(logs / "logs" / "auth.log"), "--format", "json")
    assert none.exit_code == 0 and json.loads(none.stdout) == []


def test_convert_writes_text_to_stdout_or_a_file_never_over_one(run_cli: Invoke, logs: Path) -> None:
    rule = str(logs / "rules" / "sqli.yml")
    shown = run_cli("detect", "convert", "--rules", rule, "--target", "lucene", "-o", "-")
    assert shown.exit_code == 0 and shown.stdout.startswith("# SQL injection in the query (")
    out = logs / "queries" / "sqli.txt"  # a missing folder is created
    assert run_cli("detect", "convert", "--rules", rule, "--target", "lucene", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == shown.stdout
    again = run_cli("detect", "convert", "--rules", rule, "--target", "esql", "-o", str(out))
    assert again.exit_code == 2 and "already exists" in again.stderr and out.read_text(encoding="utf-8") == shown.stdout
    forced = run_cli("detect", "convert", "--rules", rule, "--target", "esql", "-o", str(out), "--force")
    assert forced.exit_code == 0 and out.read_text(encoding="utf-8") != shown.stdout
    lines = run_cli("detect", "convert", "--rules", rule, "--target", "lucene", "--format", "jsonl")
    (only,) = [json.loads(line) for line in lines.stdout.splitlines()]
    assert only["title"] == "SQL injection in the query" and only["query"]


def test_yara_scan_json_and_chinese_table(run_cli: Invoke, tmp_path: Path, chinese: None) -> None:
    www = tmp_path / "www"
    planted = write_web_root(www)
    as_json = run_cli("yara", "scan", str(www), "--format", "json")
    assert as_json.exit_code == 1
    assert {(str(Path(h["path"]).relative_to(www)), h["rule"]) for h in json.loads(as_json.stdout)} >= set(
        planted.items()
    )
    table = run_cli("yara", "scan", str(www))
    assert table.stdout.split()[:3] == ["严重程度", "规则", "家族"] and "已用" in table.stderr
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "index.php").write_text("<?php echo 'hi';\n")
    nothing = run_cli("yara", "scan", str(clean), "--format", "json")
    assert nothing.exit_code == 0 and json.loads(nothing.stdout) == []
    said = run_cli("yara", "scan", str(clean))
    assert said.exit_code == 0 and said.stdout == "" and "没有规则命中" in said.stderr
    assert "没有规则命中" not in run_cli("-q", "yara", "scan", str(clean)).stderr  # -q: results and errors only


def test_alerts_empty_listing_says_so(run_cli: Invoke, workspace: Workspace, chinese: None) -> None:
    table = run_cli("alerts", "list")
    assert table.exit_code == 0 and table.stdout == "" and "没有符合条件的告警" in table.stderr
    assert json.loads(run_cli("alerts", "list", "--format", "json").stdout) == []
    assert run_cli("alerts", "list", "--format", "jsonl").stdout == ""
    assert "No alerts match." in run_cli("--lang", "en", "alerts", "list").stderr


def test_data_mask_refuses_to_overwrite_and_stdout(tmp_path: Path, run_cli: Invoke, chinese: None) -> None:
    from tests.unit.data.test_tables import roster, write_csv

    source = write_csv(tmp_path / "名单.csv", roster(10))
    out = tmp_path / "masked.csv"
    out.write_text("keep me\n", encoding="utf-8")
    refused = run_cli("data", "mask", str(source), "-o", str(out))
    assert refused.exit_code == 2 and "已存在" in refused.stderr and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = run_cli("data", "mask", str(source), "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "部分屏蔽" in forced.stdout and out.read_text(encoding="utf-8") != "keep me\n"
    to_stdout = run_cli("data", "mask", str(source), "-o", "-")
    assert to_stdout.exit_code == 2 and "标准输出" in to_stdout.stderr


def _completions(workspace: Path, *args: str, incomplete: str = "") -> list[tuple[str, str | None]]:
    complete = ShellComplete(cli, {}, "secops", "_SECOPS_COMPLETE")
    return [(c.value, c.help) for c in complete.get_completions(["--workspace", str(workspace), *args], incomplete)]


def test_alert_ids_and_yara_rule_names_complete(run_cli: Invoke, workspace: Workspace, logs: Path) -> None:
    assert (
        run_cli("detect", "run", "--store", "--rules", str(logs / "rules"), str(logs / "logs" / "access.log")).exit_code
        == 1
    )
    (alert,) = json.loads(run_cli("alerts", "list", "--format", "json").stdout)
    assert _completions(workspace.path, "alerts", "ack") == [(str(alert["id"]), "SQL injection in the query")]
    assert run_cli("alerts", "ack", str(alert["id"])).exit_code == 0
    assert _completions(workspace.path, "alerts", "ack") == []  # acked: nothing left to acknowledge
    assert [v for v, _ in _completions(workspace.path, "alerts", "close")] == [str(alert["id"])]
    assert _completions(logs / "nowhere", "alerts", "show") == []  # no workspace: nothing, no error
    names = [v for v, _ in _completions(workspace.path, "yara", "rules", incomplete="china_")]
    assert "china_chopper_php" in names and all(n.startswith("china_") for n in names)
    shown = run_cli("yara", "rules", "china_chopper_php", "--format", "json")
    assert [r["rule"] for r in json.loads(shown.stdout)] == ["china_chopper_php"]
    assert run_cli("yara", "rules", "no_such_rule").exit_code == 2
    assert ("web", None) in _completions(workspace.path, "detect", "run", "--log-format", incomplete="we")


def test_ctrl_c_ends_a_follow_with_one_line_and_exit_130(workspace: Workspace, logs: Path) -> None:
    command = [sys.executable, "-m", "secops", "--lang", "en", "--workspace", str(workspace.path), "detect", "run"]
    command += ["--follow", "--interval", "0.2", "--format", "json", "--rules", str(logs / "rules"), str(logs / "logs")]
    env = {k: v for k, v in os.environ.items() if k != "SECOPS_NOW"}
    follower = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(3.0)  # the rules loaded and the first pass done
        with (logs / "logs" / "access.log").open("a", encoding="utf-8") as handle:
            handle.write(WEB_LOG.splitlines(keepends=True)[0])
        time.sleep(2.0)
    finally:
        follower.send_signal(signal.SIGINT)
        out, err = follower.communicate(timeout=30)
    assert follower.returncode == 130, err
    assert "Traceback" not in err and err.splitlines()[-1] == "secops: interrupted"
    (match,) = json.loads(out)  # the array was closed: what was printed stays valid JSON
    assert match["rule_title"] == "SQL injection in the query"
