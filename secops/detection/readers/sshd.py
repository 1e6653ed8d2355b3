"""What an sshd (or sudo) syslog message says, as fields: action, user, source address and port."""

from __future__ import annotations

import re
from typing import Any

from secops.detection.readers._batch import small_int

_FAILED = re.compile(r"Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d+)")
_ACCEPTED = re.compile(r"Accepted (\S+) for (.*) from (\S+) port (\d+)")
_INVALID = re.compile(r"Invalid user (.*) from (\S+)(?: port (\d+))?")
_CLOSED = re.compile(
    r"(?:Connection closed by|Disconnected from|Disconnecting) "
    r"(?:(?:authenticating|invalid) user (.*) |user (.*) )?(\S+) port (\d+)"
)
_RECEIVED = re.compile(r"Received disconnect from (\S+) port (\d+)")
_MAX_AUTH = re.compile(r"maximum authentication attempts exceeded for (invalid user )?(.*) from (\S+) port (\d+)")
_NO_ID = re.compile(r"Did not receive identification string from (\S+)(?: port (\d+))?")
_NEGOTIATE = re.compile(r"Unable to negotiate with (\S+) port (\d+)")
_PAM_FAILURE = re.compile(r"pam_unix\(sshd:auth\): authentication failures?;.*?rhost=(\S*)(?:\s+user=(\S+))?")
_PAM_MORE = re.compile(r"PAM (\d+) more authentication failures?;.*?rhost=(\S*)(?:\s+user=(\S+))?")
_SESSION = re.compile(r"pam_unix\(sshd:session\): session (opened|closed) for user (\S+?)(?:\(uid=\d+\))?(?: |$)")
_REPEATED = re.compile(r"message repeated (\d+) times: \[ ?(.*?) ?\]$")
_METHOD_NAME = re.compile(r"[^a-z0-9]+")


def _method(method: str) -> str:
    """``keyboard-interactive/pam`` -> ``keyboard_interactive`` (the action suffix)."""
    return _METHOD_NAME.sub("_", method.split("/", 1)[0].lower()).strip("_")


def sshd_fields(message: str, *, folded: bool = False) -> dict[str, Any]:
    """sshd_action and what goes with it; empty when the message is none of the known kinds."""
    repeated = None if folded else _REPEATED.match(message)
    if repeated:  # rsyslog folds identical lines: the count is kept so brute-force counts can use it
        fields = sshd_fields(repeated.group(2), folded=True)  # once: rsyslog never folds a fold
        count = small_int(repeated.group(1))
        if fields and count is not None:
            fields["repeat_count"] = count
        return fields
    head = message[:12]
    if head.startswith("Failed "):
        found = _FAILED.match(message)
        if found:
            method, invalid, user, ip, port = found.groups()
            return _login(f"failed_{_method(method)}", method, user, ip, port, invalid=bool(invalid))
    elif head.startswith("Accepted "):
        found = _ACCEPTED.match(message)
        if found:
            method, user, ip, port = found.groups()
            return _login(f"accepted_{_method(method)}", method, user, ip, port)
    elif head.startswith("Invalid user"):
        found = _INVALID.match(message)
        if found:
            user, ip, port = found.groups()
            return _login("invalid_user", None, user, ip, port, invalid=True)
    elif head.startswith(("Connection c", "Disconnect")):
        found = _CLOSED.match(message)
        if found:
            user, session_user, ip, port = found.groups()
            return _login("disconnect", None, user or session_user, ip, port)
    elif head.startswith("Received dis"):
        found = _RECEIVED.match(message)
        if found:
            return _login("disconnect", None, None, *found.groups())
    elif head.startswith("pam_unix(ssh"):
        found = _PAM_FAILURE.match(message)
        if found:
            return _login("auth_failure", None, found.group(2), found.group(1) or None, None)
        found = _SESSION.match(message)
        if found:
            return {"sshd_action": f"session_{found.group(1)}", "user": found.group(2)}
    elif head.startswith("PAM "):
        found = _PAM_MORE.match(message)
        if found:
            fields = _login("auth_failure", None, found.group(3), found.group(2) or None, None)
            count = small_int(found.group(1))
            if count is not None:
                fields["repeat_count"] = count
            return fields
    elif head.startswith("Did not rece"):
        found = _NO_ID.match(message)
        if found:
            return _login("no_identification", None, None, *found.groups())
    elif head.startswith("Unable to ne"):
        found = _NEGOTIATE.match(message)
        if found:
            return _login("negotiation_failed", None, None, *found.groups())
    elif "maximum authentication attempts" in message:
        found = _MAX_AUTH.search(message)
        if found:
            invalid, user, ip, port = found.groups()
            return _login("max_auth_exceeded", None, user, ip, port, invalid=bool(invalid))
    return {}


def _login(
    action: str, method: str | None, user: str | None, ip: str | None, port: str | None, *, invalid: bool = False
) -> dict[str, Any]:
    fields: dict[str, Any] = {"sshd_action": action}
    if user is not None:
        fields["user"] = user
    if invalid:
        fields["invalid_user"] = True
    if ip is not None:
        fields["src_ip"] = ip
    if port is not None:  # `\\d` also matches non-ASCII digits: such a port stays text
        number = small_int(port)
        fields["src_port"] = port if number is None else number
    if method is not None:
        fields["auth_method"] = method
    return fields


def sudo_fields(message: str) -> dict[str, Any]:
    """``bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id`` as fields."""
    user, sep, rest = message.partition(" : ")
    if not sep or " " in user.strip():
        return {}
    fields: dict[str, Any] = {"user": user.strip()}
    action = "command"
    for part in rest.split(" ; "):
        key, eq, value = part.partition("=")
        if eq and key in ("TTY", "PWD", "USER", "COMMAND"):
            fields[f"sudo_{key.lower()}"] = value
        elif "incorrect password" in part:
            action = "auth_failure"
        elif "user NOT in sudoers" in part or "NOT allowed" in part:
            action = "denied"
    if "sudo_command" not in fields and action == "command":
        return {}
    fields["sudo_action"] = action
    return fields
