"""One set of conventions, checked on every command of the tree (so a new command cannot forget them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from secops.cli.base import SecopsCommand
from secops.cli.main import cli

FORMATS = {"table", "json", "jsonl"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _commands(
    command: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None, f"secops {' '.join(path)} lists {name} but cannot load it"
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands())
IDS = ["secops " + " ".join(path) if path else "secops" for path, _ in COMMANDS]


def _option(command: click.Command, name: str) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and name in p.opts), None)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_speaks_the_workspace_language(path: tuple[str, ...], command: click.Command) -> None:
    assert isinstance(command, SecopsCommand), "made without cls=SecopsCommand/SecopsGroup: its help stays English"
    runner = CliRunner()
    chinese = runner.invoke(cli, ["--lang", "zh", *path, "--help"])
    english = runner.invoke(cli, ["--lang", "en", *path, "--help"])
    assert chinese.exit_code == 0 and english.exit_code == 0, chinese.output + english.output
    assert chinese.stdout.startswith("用法:") and english.stdout.startswith("Usage:")
    description = chinese.stdout.split("选项:")[0]
    assert CJK.search(description.split("\n", 1)[1] if "\n" in description else ""), "help text is not translated"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_data_comes_as_table_json_or_jsonl(path: tuple[str, ...], command: click.Command) -> None:
    option = _option(command, "--format")
    if option is None or option.hidden:  # a hidden --format is an old spelling of the -o suffix
        return
    assert isinstance(option.type, click.Choice), "--format must be a choice"
    assert set(option.type.choices) >= FORMATS, f"--format offers {option.type.choices}, not table|json|jsonl"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_output_files_are_never_overwritten_silently(path: tuple[str, ...], command: click.Command) -> None:
    output = _option(command, "--output") or _option(command, "-o")
    if output is None or output.is_flag:
        return
    if isinstance(output.type, click.Path) and not output.type.file_okay:
        return  # a folder the command fills afresh each run (the demo's reports)
    assert _option(command, "--force") is not None, "writes an output file but has no --force"
