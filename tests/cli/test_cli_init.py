import json
import os
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = [
    "init",
    "--school-code",
    SCHOOL_CODE,
    "--school-name",
    SCHOOL_NAME,
    "--scope",
    "10.20.0.0/16",
    "--scope",
    "2001:db8:20::/48",
]


def test_init_then_show(run_cli: Invoke, tmp_path: Path) -> None:
    first = run_cli(*INIT)
    assert first.exit_code == 0, first.output
    assert "Created workspace" in first.stdout
    shown = run_cli("init", "--show", "--format", "json")
    assert shown.exit_code == 0
    config = json.loads(shown.stdout)
    assert config["school_code"] == SCHOOL_CODE
    assert config["school_name"] == SCHOOL_NAME
    assert config["scope"] == ["10.20.0.0/16", "2001:db8:20::/48"]
    assert config["schema_version"] >= 2
    table = run_cli("init", "--show")
    assert SCHOOL_NAME in table.stdout and "10.20.0.0/16, 2001:db8:20::/48" in table.stdout


def test_init_twice_is_safe(run_cli: Invoke) -> None:
    assert run_cli(*INIT).exit_code == 0
    again = run_cli(*INIT)
    assert again.exit_code == 0
    assert "nothing changed" in again.stdout
    changed = run_cli(*INIT[:-4], "--scope", "10.30.0.0/16")
    assert changed.exit_code == 0 and "scope:" in changed.stdout


def test_widening_the_scope_needs_only_the_scope(run_cli: Invoke) -> None:
    """The hint of an out-of-scope target says `secops init --scope`: that alone must work."""
    assert run_cli(*INIT).exit_code == 0
    widened = run_cli("init", "--scope", "10.20.0.0/16", "--scope", "10.30.0.0/16")
    assert widened.exit_code == 0, widened.output
    assert "scope:" in widened.stdout and "school" not in widened.stdout  # only the scope changed
    config = json.loads(run_cli("init", "--show", "--format", "json").stdout)
    assert (config["school_code"], config["school_name"]) == (SCHOOL_CODE, SCHOOL_NAME)
    assert config["scope"] == ["10.20.0.0/16", "10.30.0.0/16"]
    renamed = run_cli("init", "--school-name", "测试实验中学（新校区）")
    assert renamed.exit_code == 0 and "school name:" in renamed.stdout
    assert json.loads(run_cli("init", "--show", "--format", "json").stdout)["scope"] == ["10.20.0.0/16", "10.30.0.0/16"]


def test_workspace_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from secops.cli.main import cli

    monkeypatch.setenv("SECOPS_HOME", str(tmp_path / "env-ws"))
    result = CliRunner().invoke(cli, INIT)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-ws" / "secops.yaml").is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--school-code", "12345"), "--school-code: school code '12345' must be the 10-digit 学校标识码"),
        (("--scope", "10.20.0.0/33"), "not an IPv4 or IPv6 network"),
        (("--scope", "10.20.1.0/24"), "overlap"),
        (("--scope", "10.20.0.9/16"), "did you mean 10.20.0.0/16"),
        (("--database", "oracle://db/x"), "not supported"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_cli: Invoke, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    args = list(INIT)
    if change[0] == "--school-code":
        args[args.index("--school-code") + 1] = change[1]
    else:
        args += list(change)
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ws" / "secops.yaml").exists()


def test_missing_options_are_a_usage_error(run_cli: Invoke) -> None:
    result = run_cli("init", "--school-code", SCHOOL_CODE)
    assert result.exit_code == 2
    assert "missing --school-name, --scope" in result.stderr


def test_show_without_workspace(run_cli: Invoke) -> None:
    result = run_cli("init", "--show")
    assert result.exit_code == 2
    assert "secops init" in result.stderr


def test_corrupted_workspace_database(run_cli: Invoke, tmp_path: Path) -> None:
    assert run_cli(*INIT).exit_code == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp_path / 'ws' / 'secops.db'}{suffix}").unlink(missing_ok=True)
    (tmp_path / "ws" / "secops.db").write_bytes(os.urandom(4096))
    result = run_cli("init", "--show")
    assert result.exit_code == 2
    assert "cannot open the workspace database" in result.stderr
    assert result.stderr.count("\n") == 1


def test_verbose_shows_the_traceback(run_cli: Invoke, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from secops.cli.main import cli

    result = CliRunner().invoke(cli, ["-v", "--workspace", str(tmp_path / "none"), "init", "--show"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
