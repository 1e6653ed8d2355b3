"""``secops completion SHELL``: the script that makes the shell complete secops's commands and values."""

from __future__ import annotations

import click

from secops.cli.base import SecopsCommand
from secops.i18n import _

SHELLS = ("bash", "zsh", "fish")


@click.command(cls=SecopsCommand)
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    Commands, options and the values secops knows (scan profiles, 等保 systems, playbooks, report
    ids, rules, incident ids) are completed.

    \b
    Install it once:
      bash:  secops completion bash > ~/.local/share/bash-completion/completions/secops
      zsh:   secops completion zsh > "${fpath[1]}/_secops"
      fish:  secops completion fish > ~/.config/fish/completions/secops.fish
    """
    from click.shell_completion import get_completion_class

    from secops.cli.main import cli

    completer = get_completion_class(shell)
    if completer is None:  # click knows the three shells offered; kept for a future click
        raise click.BadParameter(_("no completion for {shell}").format(shell=shell))
    click.echo(completer(cli, {}, "secops", "_SECOPS_COMPLETE").source())
