import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from secops.cli.main import COMMANDS, cli
from tests.conftest import Invoke

GROUPS = [
    "init",
    "workspace",
    "assets",
    "dengbao",
    "detect",
    "yara",
    "alerts",
    "center",
    "forward",
    "incident",
    "drill",
    "data",
    "keys",
    "notify",
    "report",
    "scheduler",
    "content",
    "demo",
    "version",
    "completion",
]


def _all_command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: click.Command, prefix: list[str]) -> None:
        paths.append(prefix)
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, [*prefix, name])

    walk(cli, [])
    return paths


def test_help_lists_every_group_in_order() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert listed == GROUPS
    assert list(COMMANDS) == GROUPS


@pytest.mark.parametrize("path", _all_command_paths(), ids=lambda p: " ".join(p) or "secops")
def test_help_works_for_every_command(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from secops.cli.main import cli;"
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0;"
        "heavy = [m for m in ('sqlalchemy', 'weasyprint', 'matplotlib', 'docx', 'xlsxwriter', 'jinja2', 'pydantic')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_center_groups_are_built(run_cli: Invoke) -> None:
    center = CliRunner().invoke(cli, ["center", "--help"])
    assert center.exit_code == 0
    for command in ("serve", "school", "user"):
        assert command in center.output
    forward = CliRunner().invoke(cli, ["forward", "--help"])
    assert forward.exit_code == 0 and "status" in forward.output


def test_version_as_json(run_cli: Invoke) -> None:
    result = run_cli("version", "--format", "json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    from secops import __version__

    assert info["secops"] == __version__
    assert "SQLAlchemy" in info


def test_version_option(run_cli: Invoke) -> None:
    from secops import __version__

    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"secops {__version__}\n")


def test_unknown_command_and_bad_option_exit_2(run_cli: Invoke) -> None:
    assert run_cli("frobnicate").exit_code == 2
    assert run_cli("version", "--format", "xml").exit_code == 2


def test_console_script_entry_point(tmp_path: Path) -> None:
    """The installed `secops` script gives one line and exit 2 on bad input, no traceback."""
    script = Path(sys.executable).parent / "secops"
    if not script.exists():
        pytest.skip("the secops console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "--workspace", str(tmp_path / "none"), "init", "--show"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("secops: error: no secops workspace")


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path: Path) -> None:
    """`secops ... | head -1`: the rest of the output has nowhere to go; no error, no traceback."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before secops writes a byte
    command = [
        sys.executable,
        "-m",
        "secops",
        "--workspace",
        str(tmp_path / "ws"),
        "dengbao",
        "catalog",
        "--level",
        "2",
    ]
    try:
        done = subprocess.run(command, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.stderr == "" and done.returncode == 141
