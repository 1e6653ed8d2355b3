"""Shell completion: the script for each shell, and completions that come back from the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_for_each_shell_calls_back_into_secops(run_cli: Invoke, shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0 and "_SECOPS_COMPLETE" in result.stdout


def test_an_unknown_shell_is_refused(run_cli: Invoke) -> None:
    result = run_cli("completion", "powershell")
    assert result.exit_code == 2 and "powershell" in result.stderr


def test_commands_complete_through_the_entry_point(tmp_path: Path) -> None:
    env = {**os.environ, "COMP_WORDS": "secops as", "COMP_CWORD": "1", "_SECOPS_COMPLETE": "bash_complete"}
    env["SECOPS_HOME"] = str(tmp_path / "ws")
    code = "import sys; from secops.cli.main import cli; sys.exit(cli.main(prog_name='secops'))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "plain,assets" in done.stdout.splitlines()
