"""Hostile trials of the audit trail, the files' permissions, the scope and contradictory options
(issue 17, parts 5 and 6): each attack named in the issue is tried and must be caught."""

from __future__ import annotations

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.0/24"]


@pytest.fixture
def ws(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


# --- contradictory options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ["--ssh", "10.0.0.5"],
        ["--local"],
        ["--targets", "127.0.0.1"],
        ["--ssh-user", "root"],
        ["--ssh-identity", "id_ed25519"],
        ["--no-credentials"],
        ["--force"],
        ["--scanned-from", "outside"],
        ["--ssh", "10.0.0.5", "--force", "--local"],
    ],
)
def test_no_automated_with_an_automated_option_exits_2_naming_it(ws: Invoke, extra: list[str]) -> None:
    result = ws("dengbao", "assess", "--system", "无此系统", "--no-automated", *extra)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--no-automated" in result.stderr
    for flag in (a for a in extra if a.startswith("--")):
        assert flag in result.stderr


def test_ssh_user_without_ssh_is_refused(ws: Invoke) -> None:
    result = ws("dengbao", "assess", "--system", "无此系统", "--local", "--ssh-user", "root")
    assert result.exit_code == 2 and "--ssh-user without --ssh" in result.stderr


@pytest.mark.parametrize(
    ("kind", "extra", "named"),
    [
        ("discover", ["--ssh", "10.0.0.5"], "--ssh"),
        ("discover", ["--since", "1h"], "--since"),
        ("forward", ["--system", "门户网站"], "--system"),
        ("forward", ["--target", "127.0.0.1"], "--target"),
        ("hunt", ["--es", "http://127.0.0.1:9200", "--index", "x-*", "--paths", "/var/log"], "--paths"),
        ("detect", ["--paths", "/var/log", "--es", "http://127.0.0.1:9200"], "--es"),
        ("assess", ["--system", "门户网站", "--local", "--profile", "standard"], "--profile"),
        ("assess", ["--system", "门户网站", "--local", "--batch", "10"], "--batch"),
    ],
)
def test_scheduler_options_of_another_kind_exit_2(ws: Invoke, kind: str, extra: list[str], named: str) -> None:
    result = ws("scheduler", "add", kind, "--cron", "0 3 * * 1", *extra)
    assert result.exit_code == 2
    assert f"{named} does not apply to a {kind} job" in result.stderr
    assert ws("scheduler", "list", "--format", "json").stdout.strip() == "[]"


def test_scheduler_assess_ssh_identity_without_ssh_exits_2(ws: Invoke) -> None:
    result = ws(
        "scheduler", "add", "assess", "--system", "门户网站", "--local", "--ssh-identity", "k", "--cron", "0 3 * * 1"
    )
    assert result.exit_code == 2 and "--ssh-identity without --ssh" in result.stderr
