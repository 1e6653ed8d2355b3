"""Run ``linux.sh`` on this machine or on another over SSH and return that host's ``linux`` facts.

Over SSH the OpenSSH client runs ``sh -s`` with the script on stdin, in batch mode: keys or an agent
only, never a password prompt, and the user's known_hosts decides whether the host key is trusted (an
unknown key fails; add it after checking its fingerprint). Whatever stops the collection raises
:class:`CollectorUnavailable` with a one-line reason, and the caller records the host's ``linux`` facts
as not evidenced.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from importlib import resources
from typing import Any

from secops.discovery.collect.linux import linux_facts, parse_sections
from secops.errors import SecopsError

# The script's own time (apt-get -s upgrade is the slow part, commands are capped at 60 s each).
SCRIPT_BUDGET = 300.0
_START, _END = "==== secops:meta ====", "==== secops:end ===="
# Host names, IPv4 and IPv6 addresses (bare or in brackets, with a zone); nothing ssh could take as an option.
_HOST = re.compile(r"^[A-Za-z0-9_.:%\[\]-]+$")
_USER = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.@-]*\$?$")


class CollectorUnavailable(Exception):
    """The collector could not run on the host; ``reason`` is one line and holds no secrets."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class CollectorInputError(SecopsError):
    """A target, user, port or identity that cannot be used for an SSH collection."""


def script_text() -> str:
    """linux.sh as shipped inside the package (works from a checkout and from an installed wheel)."""
    return resources.files("secops.discovery.collect").joinpath("linux.sh").read_text(encoding="utf-8")


def _facts(stdout: bytes) -> dict[str, Any]:
    text = stdout.decode("utf-8", errors="replace")
    if _START not in text or _END not in text:
        raise CollectorUnavailable("the collector's output is missing or cut short")
    return linux_facts(parse_sections(text))


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no error message"


def collect_local(root: str | None = None) -> dict[str, Any]:
    """The ``linux`` facts of this machine, or of the file tree at ``root`` (commands are then not run)."""
    env = dict(os.environ)
    env["SECOPS_ROOT"] = root or ""
    # A root prefix is a tree, not the running system: live commands would describe the wrong host.
    env.pop("SECOPS_COMMANDS", None)
    try:
        result = subprocess.run(
            ["sh", "-s"], input=script_text().encode(), capture_output=True, env=env, timeout=SCRIPT_BUDGET, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise CollectorUnavailable(f"the local collector did not finish within {SCRIPT_BUDGET:.0f} s") from error
    except OSError as error:
        raise CollectorUnavailable(f"cannot run sh: {error.strerror or error}") from error
    return _facts(result.stdout)


def ssh_command(
    target: str, *, user: str | None = None, port: int = 22, identity: str | None = None, timeout: float = 10.0,
    sudo: bool = False, known_hosts: str | None = None,
) -> list[str]:  # fmt: skip
    """The ssh argv for a collection (checked so that nothing in it can be read as an ssh option)."""
    if not _HOST.match(target) or target.startswith("-"):
        raise CollectorInputError(f"invalid SSH target {target!r}", hint="give a host name or an IP address")
    if user is not None and (not _USER.match(user) or user.startswith("-")):
        raise CollectorInputError(f"invalid SSH user {user!r}", hint="give a plain login name")
    if not 1 <= port <= 65535:
        raise CollectorInputError(f"invalid SSH port {port}", hint="give a port between 1 and 65535")
    if identity is not None and not os.path.isfile(identity):
        raise CollectorInputError(f"SSH identity file not found: {identity}", hint="give the private key's path")
    if known_hosts is not None and not os.path.isfile(known_hosts):
        raise CollectorInputError(f"known_hosts file not found: {known_hosts}", hint="give an existing file")
    ssh = shutil.which("ssh")
    if ssh is None:
        raise CollectorUnavailable("the OpenSSH client (ssh) is not installed")
    argv = [
        ssh, "-T",
        "-o", "BatchMode=yes",  # never prompt for a password or a passphrase
        "-o", "PasswordAuthentication=no",
        "-o", "KbdInteractiveAuthentication=no",
        "-o", f"ConnectTimeout={max(1, math.ceil(timeout))}",
        "-o", "ConnectionAttempts=1",
        "-o", "ServerAliveInterval=15",
        "-o", "LogLevel=ERROR",
        "-p", str(port),
    ]  # fmt: skip
    if identity is not None:
        argv += ["-i", identity, "-o", "IdentitiesOnly=yes"]
    if known_hosts is not None:
        argv += ["-o", f"UserKnownHostsFile={known_hosts}"]
    if user is not None:
        argv += ["-l", user]
    # sudo -n fails at once instead of asking for a password.
    return [*argv, "--", target.strip("[]"), "sudo -n sh -s" if sudo else "sh -s"]


def collect_ssh(
    target: str, *, user: str | None = None, port: int = 22, identity: str | None = None, timeout: float = 10.0,
    sudo: bool = False, known_hosts: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The ``linux`` facts of ``target`` collected over SSH; ``timeout`` bounds the connection.

    ``sudo=True`` runs the script through ``sudo -n`` (passwordless sudo only) so that root-only sources
    (shadow, ``sshd -T``, ``auditctl -l``, the firewall rules) are read too. ``known_hosts`` replaces the
    user's known_hosts file (for example one the workspace keeps); the host key must be in it.
    """
    argv = ssh_command(
        target, user=user, port=port, identity=identity, timeout=timeout, sudo=sudo, known_hosts=known_hosts
    )
    try:
        result = subprocess.run(
            argv, input=script_text().encode(), capture_output=True, timeout=timeout + SCRIPT_BUDGET, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise CollectorUnavailable(f"ssh to {target} did not finish within {timeout + SCRIPT_BUDGET:.0f} s") from error
    except OSError as error:
        raise CollectorUnavailable(f"cannot run ssh: {error.strerror or error}") from error
    if result.returncode == 255:
        raise CollectorUnavailable(f"ssh to {target} failed: {_last_line(result.stderr)}")
    try:
        return _facts(result.stdout)
    except CollectorUnavailable as error:
        raise CollectorUnavailable(f"{error.reason} (ssh to {target}: {_last_line(result.stderr)})") from None
