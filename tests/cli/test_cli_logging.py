"""--log-file, -q and -v in a real process (pytest's own log handlers hide what a terminal sees)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _secops(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SECOPS_LANG": "en", "SECOPS_HOME": str(tmp_path / "ws")}
    return subprocess.run([sys.executable, "-m", "secops", *args], capture_output=True, text=True, env=env, check=False)


def test_an_error_is_one_line_on_the_terminal_and_detailed_in_the_log_file(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "secops.log"
    done = _secops(tmp_path, "--log-file", str(log), "init", "--school-code", "4111010001", "--school-name", "测试中学",
                   "--scope", "10.20.0.0/33")  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    text = log.read_text(encoding="utf-8")
    assert "secops init started (options: " in text and "exit 2:" in text
    assert "测试中学" not in text  # option values are never logged: they may name people


def test_a_command_that_works_logs_its_start_and_exit(tmp_path: Path) -> None:
    log = tmp_path / "secops.log"
    done = _secops(tmp_path, "-q", "--log-file", str(log), "version", "--format", "json")
    assert done.returncode == 0 and done.stderr == ""
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split(" INFO ")[1] for line in lines] == [
        "secops.cli: secops version started (options: fmt)",
        "secops.cli: secops version finished (exit 0)",
    ]
