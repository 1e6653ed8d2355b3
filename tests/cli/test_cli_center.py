"""`secops center` (schools, notices, packs, periods, groups, staff accounts, serve) follows the CLI's
conventions: --format table|json|jsonl, empty listings said on stderr, Chinese by default and English
with --lang en, completion of school codes, and Ctrl-C on the server is one line and exit 130."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from secops.cli.main import cli
from tests.conftest import Invoke

CODE = "4111010001"
OTHER = "4111010002"


@pytest.fixture
def center(run_cli: Invoke, tmp_path: Path) -> Invoke:
    """``secops center --home <tmp>/center ARGS``; root options (``--lang``) go before ``center``."""
    home = str(tmp_path / "center")

    def invoke(*args: str, lang: str | None = None, input: str | None = None) -> object:
        chosen = ("--lang", lang) if lang else ()
        return run_cli(*chosen, "center", "--home", home, *args, input=input)

    return invoke  # type: ignore[return-value]


LISTINGS = [
    (("school", "list"), "No schools registered", "还没有登记学校"),
    (("notice", "list"), "No notices issued", "还没有签发通报"),
    (("pack", "list"), "No packs published", "还没有发布规则包"),
    (("period", "list"), "No periods defined", "还没有定义重要时期"),
    (("group", "list"), "No groups", "没有分组"),
    (("user", "list"), "No staff accounts", "还没有工作人员账号"),
]


@pytest.mark.parametrize(("args", "english", "chinese"), LISTINGS)
def test_empty_listings_say_so_on_stderr_and_json_is_an_empty_list(
    center: Invoke, args: tuple[str, ...], english: str, chinese: str
) -> None:
    table = center(*args)
    assert table.exit_code == 0 and table.stdout == "" and english in table.stderr
    zh = center(*args, lang="zh")
    assert zh.exit_code == 0 and zh.stdout == "" and chinese in zh.stderr
    assert json.loads(center(*args, "--format", "json").stdout) == []
    jsonl = center(*args, "--format", "jsonl")
    assert jsonl.exit_code == 0 and jsonl.stdout == "" and jsonl.stderr == ""


def test_school_list_in_three_formats_and_in_chinese(center: Invoke, tmp_path: Path) -> None:
    assert center("school", "add", CODE, "--name", "郑州一中", "--key-file", str(tmp_path / "a.key")).exit_code == 0
    added = center("school", "add", OTHER, "--name", "郑州二中", lang="zh")
    assert added.exit_code == 0 and added.stdout.strip().startswith("sk1.")  # the key alone on stdout
    assert "已登记学校 4111010002（郑州二中）" in added.stderr and "只显示这一次" in added.stderr
    rows = json.loads(center("school", "list", "--format", "json").stdout)
    assert [(r["code"], r["status"], r["forwarder"]) for r in rows] == [
        (CODE, "active", "never"),
        (OTHER, "active", "never"),
    ]
    lines = center("school", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["code"] for line in lines] == [CODE, OTHER]
    english = center("school", "list").stdout.splitlines()
    assert english[0].split()[:3] == ["CODE", "NAME", "KEY_ID"]
    chinese = center("school", "list", lang="zh").stdout.splitlines()
    assert chinese[0].split()[:3] == ["标识码", "名称", "密钥ID"] and "有效" in chinese[1] and "从未" in chinese[1]
    assert center("school", "list", "--format", "text").exit_code == 2
    assert center("school", "list", "--check").exit_code == 0  # never seen is not silent
    assert center("notice", "list", "--check").exit_code == 0
    again = center("school", "add", CODE, "--name", "郑州一中", "--key-file", str(tmp_path / "a.key"))
    assert again.exit_code == 2  # the school is registered already: nothing written over
    kept = center("school", "add", CODE, "--name", "郑州一中", "--rotate", "--key-file", str(tmp_path / "a.key"))
    assert kept.exit_code == 2 and "keys are never overwritten" in kept.stderr


def test_errors_of_the_center_commands_are_one_chinese_line_by_default(center: Invoke) -> None:
    missing = center("notice", "show", "n404", lang="zh")
    assert missing.exit_code == 2 and missing.stderr.startswith("secops：错误：没有通报 'n404'")
    pack = center("pack", "publish", "Bad Name", "--all", lang="zh")
    assert pack.exit_code == 2 and "规则包名称 'Bad Name' 无效" in pack.stderr
    english = center("pack", "show", "nothing")
    assert english.exit_code == 2 and "no pack 'nothing'" in english.stderr


def test_help_is_chinese_by_default(center: Invoke) -> None:
    shown = center("school", "list", "--help", lang="zh")
    assert shown.exit_code == 0 and "已登记的学校" in shown.stdout and "table 供人阅读" in shown.stdout
    assert "Registered schools" in center("school", "list", "--help").stdout


def test_school_codes_complete_from_the_center(center: Invoke, tmp_path: Path) -> None:
    for code, name in ((CODE, "一中"), (OTHER, "二中")):
        assert center("school", "add", code, "--name", name, "--key-file", str(tmp_path / f"{code}.key")).exit_code == 0
    assert center("school", "revoke", OTHER).exit_code == 0

    def complete(args: list[str], incomplete: str) -> list[str]:
        completion = ShellComplete(cli, {}, "secops", "_SECOPS_COMPLETE")
        return [item.value for item in completion.get_completions(args, incomplete)]

    home = ["center", "--home", str(tmp_path / "center")]
    assert complete([*home, "school", "revoke"], "4111") == [CODE]  # a revoked school is not offered again
    assert complete([*home, "notice", "issue", "--school"], "41110100") == [CODE]
    assert complete([*home, "notice", "show"], "") == []  # no notices yet, and no error either
    assert complete(["center", "--home", str(tmp_path / "none"), "school", "revoke"], "") == []


def test_completion_through_the_shell_protocol(tmp_path: Path, center: Invoke) -> None:
    assert center("school", "add", CODE, "--name", "一中", "--key-file", str(tmp_path / "k")).exit_code == 0
    env = {
        **os.environ,
        "_SECOPS_COMPLETE": "bash_complete",
        "COMP_WORDS": f"secops center --home {tmp_path / 'center'} school revoke 41",
        "COMP_CWORD": "6",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    done = subprocess.run(
        [sys.executable, "-c", "from secops.cli.main import cli; cli(prog_name='secops')"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and f"plain,{CODE}" in done.stdout.decode().splitlines()


def test_ctrl_c_ends_center_serve_with_one_line_and_130(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    command = [sys.executable, "-m", "secops", "center", "--home", str(tmp_path / "c"), "serve", "--port", port]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert server.stderr is not None
        assert "secops center on http://127.0.0.1:" in server.stderr.readline().decode()
        while b"startup complete" not in server.stderr.readline():  # uvicorn's own log lines
            pass
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    stderr = err.decode()
    assert server.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "secops: interrupted"
