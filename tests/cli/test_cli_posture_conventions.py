"""The posture commands (init, assets, dengbao, report, content, scheduler) speak Chinese by default
and follow the shared conventions: --format, -o -, --force, empty listings, exit codes, completion, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli
from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A command run with --lang (or a workspace language) leaves its choice in this process."""
    from secops.i18n import set_language

    yield
    set_language(None)


INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]


@pytest.fixture
def school(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _scope(run: Invoke) -> list[str]:
    return list(json.loads(run("init", "--show", "--format", "json").stdout)["scope"])


def test_add_and_remove_scope_without_repeating_the_school(school: Invoke) -> None:
    added = school("init", "--add-scope", "10.30.0.0/16", "--add-scope", "2001:db8:20::/48")
    assert added.exit_code == 0, added.stderr
    assert _scope(school) == ["10.20.0.0/16", "10.30.0.0/16", "2001:db8:20::/48"]
    again = school("init", "--add-scope", "10.30.0.0/16")  # already there: nothing changes
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    removed = school("init", "--remove-scope", "10.20.0.0/16")
    assert removed.exit_code == 0 and "scope:" in removed.stdout
    assert _scope(school) == ["10.30.0.0/16", "2001:db8:20::/48"]
    unknown = school("init", "--remove-scope", "10.99.0.0/16")
    assert unknown.exit_code == 2 and "not in the scope" in unknown.stderr
    empty = school("init", "--remove-scope", "10.30.0.0/16", "--remove-scope", "2001:db8:20::/48")
    assert empty.exit_code == 2 and "--scope" in empty.stderr  # a workspace keeps at least one network
    replaced = school("init", "--scope", "10.40.0.0/16", "--add-scope", "10.41.0.0/16")
    assert replaced.exit_code == 0 and _scope(school) == ["10.40.0.0/16", "10.41.0.0/16"]


def test_workspace_language_is_stored_and_spoken(school: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_LANG")
    assert school("init", "--language", "en").exit_code == 0
    assert json.loads(school("init", "--show", "--format", "json").stdout)["language"] == "en"
    assert "No scheduled jobs" in school("scheduler", "list").stderr  # the workspace's language
    assert "没有计划任务" in school("--lang", "zh", "scheduler", "list").stderr  # --lang wins
    assert school("init", "--add-scope", "10.30.0.0/16").exit_code == 0  # an update keeps the language
    assert json.loads(school("init", "--show", "--format", "json").stdout)["language"] == "en"


def test_chinese_by_default_english_with_lang(school: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_LANG")
    updated = school("init", "--add-scope", "10.30.0.0/16")
    assert updated.exit_code == 0 and "已更新工作区" in updated.stdout and "扫描范围：" in updated.stdout
    assert "没有计划任务" in school("scheduler", "list").stderr
    listed = school("report", "list")
    assert listed.stdout.splitlines()[0].split()[:2] == ["ID", "标题"]
    error = school("scheduler", "remove", "nosuch")
    assert error.exit_code == 2 and error.stderr.count("\n") == 1
    assert "没有计划任务 'nosuch'" in error.stderr and "参见 secops scheduler list" in error.stderr
    english = school("--lang", "en", "scheduler", "remove", "nosuch")
    assert english.exit_code == 2 and "no scheduled job 'nosuch'" in english.stderr
    help_zh = school("dengbao", "assess", "--help").stdout
    assert "测评一个系统" in help_zh and "结论不是“符合”时退出码为 1" in help_zh
    assert "Assess a system" in school("--lang", "en", "dengbao", "assess", "--help").stdout


def test_empty_listings_say_so_on_stderr_and_json_is_empty(school: Invoke) -> None:
    for args, message in (
        (["assets", "list"], "No assets found"),
        (["assets", "runs"], "No scan runs yet"),
        (["assets", "alerts"], "No alerts match"),
        (["dengbao", "system", "list"], "No graded systems yet"),
        (["scheduler", "list"], "No scheduled jobs"),
    ):
        table = school(*args)
        assert table.exit_code == 0 and table.stdout == "" and message in table.stderr, args
        assert json.loads(school(*args, "--format", "json").stdout) == []
        assert school(*args, "--format", "jsonl").stdout == ""
        assert school("-q", *args).stderr == ""  # -q: no status lines


def test_assets_export_to_stdout_and_no_silent_overwrite(school: Invoke, tmp_path: Path) -> None:
    csv = school("assets", "export", "-o", "-")
    assert csv.exit_code == 0 and csv.stdout.startswith("key,ipv4,") and "\ufeff" not in csv.stdout
    as_json = school("assets", "export", "-o", "-", "--as", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    binary = school("assets", "export", "-o", "-", "--as", "xlsx")
    assert binary.exit_code == 2 and "stdout" in binary.stderr
    out = tmp_path / "new" / "folder" / "assets.csv"  # missing folders are created
    assert school("assets", "export", "-o", str(out)).exit_code == 0 and out.exists()
    refused = school("assets", "export", "-o", str(out))
    assert refused.exit_code == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert school("assets", "export", "-o", str(out), "--force").exit_code == 0


def test_questionnaire_and_grading_answers_to_stdout(school: Invoke, tmp_path: Path) -> None:
    answers = school("dengbao", "grade", "--preset", "学籍", "-o", "-")
    assert answers.exit_code == 0 and "business:" in answers.stdout and "service:" in answers.stdout
    assert school("dengbao", "system", "add", "学籍管理系统", "--level", "2").exit_code == 0
    yaml_out = school("dengbao", "questionnaire", "export", "--system", "学籍管理系统", "-o", "-")
    assert yaml_out.exit_code == 0 and "L2-" in yaml_out.stdout
    path = tmp_path / "q.yaml"
    assert school("dengbao", "questionnaire", "export", "--system", "学籍管理系统", "-o", str(path)).exit_code == 0
    again = school("dengbao", "questionnaire", "export", "--system", "学籍管理系统", "-o", str(path))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_report_build_refuses_stdout_and_overwrite_and_creates_folders(school: Invoke, tmp_path: Path) -> None:
    stdout = school("report", "build", "workspace", "-o", "-")
    assert stdout.exit_code == 2 and "stdout" in stdout.stderr
    out = tmp_path / "reports" / "2026" / "workspace.html"
    built = school("report", "build", "workspace", "-o", str(out))
    assert built.exit_code == 0, built.stderr
    assert 'lang="en"' in out.read_text(encoding="utf-8")  # the language of the command line
    refused = school("report", "build", "workspace", "-o", str(out))
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert school("report", "build", "workspace", "--lang", "zh", "-o", str(out), "--force").exit_code == 0
    assert 'lang="zh' in out.read_text(encoding="utf-8")


def test_content_validate_formats_and_exit_codes(run_cli: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "rules" / "sigma"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text("title: x\nid: bad\n", encoding="utf-8")
    result = run_cli("content", "validate", str(folder), "--kind", "sigma-rule", "--format", "json")
    assert result.exit_code == 1, result.output
    errors = json.loads(result.stdout)
    assert errors and {"file", "line", "message"} <= set(errors[0]) and errors[0]["file"].endswith("bad.yml")
    lines = run_cli("content", "validate", str(folder), "--kind", "sigma-rule", "--format", "jsonl")
    assert lines.exit_code == 1 and all(json.loads(line)["file"] for line in lines.stdout.splitlines())
    assert run_cli("-q", "content", "validate", str(folder), "--kind", "sigma-rule").stderr == ""
    missing = run_cli("content", "validate", str(tmp_path / "nothing"))
    assert missing.exit_code == 2


def _complete(words: str, workspace: Path) -> list[str]:
    line = f"secops --workspace {workspace} {words}"
    env = {"_SECOPS_COMPLETE": "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(line.split()) - 1)}
    result = CliRunner().invoke(cli, [], env=env, prog_name="secops")
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if "," in line]


def test_shell_completion_of_profiles_systems_reports_and_jobs(school: Invoke, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert "quick" in _complete("assets discover --profile q", workspace)
    assert _complete("report build dengb", workspace) == ["dengbao"]
    assert school("dengbao", "system", "add", "学籍管理系统", "--level", "2").exit_code == 0
    assert school("dengbao", "system", "add", "门户网站", "--level", "2").exit_code == 0
    assert _complete("dengbao assess --system 学", workspace) == ["学籍管理系统"]
    assert school("scheduler", "add", "discover", "--cron", "0 2 * * *").exit_code == 0
    assert _complete("scheduler remove disc", workspace) == ["discover-quick"]
    assert _complete("scheduler remove x", tmp_path / "no-workspace") == []  # never an error


def test_scheduler_run_ctrl_c_is_one_line_and_exit_130(school: Invoke, tmp_path: Path) -> None:
    env = {**os.environ, "SECOPS_HOME": str(tmp_path / "ws")}
    process = subprocess.Popen(
        [sys.executable, "-m", "secops", "scheduler", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    try:
        assert process.stderr is not None
        seen = [process.stderr.readline() for _line in range(1)]
        while "Ctrl-C" not in seen[-1] and seen[-1] and len(seen) < 50:  # up once it says how to stop it
            seen.append(process.stderr.readline())
        assert "Ctrl-C" in seen[-1], seen
        time.sleep(1.5)  # into the scheduler's main loop
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert stderr.strip() == "secops: interrupted" and "Traceback" not in stderr  # one line
