import json
from pathlib import Path

import pytest

from secops.config import load_workspace
from secops.errors import SecopsError
from secops.inventory.job import exclusive
from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke


@pytest.fixture
def ws(run_cli: Invoke) -> Invoke:
    assert (
        run_cli("init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.0/24").exit_code
        == 0
    )
    return run_cli


def test_jobs_persist_in_the_workspace_database(ws: Invoke) -> None:
    added = ws("scheduler", "add", "discover", "--cron", "0 2 * * *", "--profile", "quick")
    assert added.exit_code == 0, added.output
    assert "next run" in added.stdout and "02:00" in added.stdout
    ws(
        "scheduler",
        "add",
        "discover",
        "--cron",
        "30 22 * * 1-5",
        "--profile",
        "gentle",
        "--target",
        "127.0.0.0/28",
        "--id",
        "printers",
    )
    # Every command opens a fresh scheduler: what it lists was read back from the database.
    jobs = {job["id"]: job for job in json.loads(ws("scheduler", "list", "--format", "json").stdout)}
    assert set(jobs) == {"discover-quick", "printers"}
    assert jobs["printers"]["targets"] == ["127.0.0.0/28"] and jobs["printers"]["cron"] == "30 22 * * 1-5"
    # Adding with the same id replaces, not duplicates.
    ws("scheduler", "add", "discover", "--cron", "0 3 * * *", "--profile", "quick")
    jobs = {job["id"]: job for job in json.loads(ws("scheduler", "list", "--format", "json").stdout)}
    assert len(jobs) == 2 and jobs["discover-quick"]["cron"] == "0 3 * * *"
    assert ws("scheduler", "remove", "printers").exit_code == 0
    assert [j["id"] for j in json.loads(ws("scheduler", "list", "--format", "json").stdout)] == ["discover-quick"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cron", "0 25 * * *"], "not a valid crontab expression"),
        (["--cron", "0 2 * * *", "--profile", "nosuch"], "no scan profile named 'nosuch'"),
        (["--cron", "0 2 * * *", "--target", "10.0.0.0/24"], "outside the workspace scope"),
        (["--cron", "0 2 * * *", "--id", "bad id!"], "job id"),
    ],
)
def test_bad_jobs_are_refused(ws: Invoke, args: list[str], message: str) -> None:
    result = ws("scheduler", "add", "discover", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert json.loads(ws("scheduler", "list", "--format", "json").stdout) == []


def test_removing_an_unknown_job(ws: Invoke) -> None:
    result = ws("scheduler", "remove", "nosuch")
    assert result.exit_code == 2 and "no scheduled job" in result.stderr


def test_two_discoveries_never_run_at_once(ws: Invoke, tmp_path: Path) -> None:
    workspace = load_workspace(tmp_path / "ws")
    with exclusive(workspace):
        with pytest.raises(SecopsError, match="another discovery is running"), exclusive(workspace):
            pass
        busy = ws("assets", "discover", "127.0.0.1")
        assert busy.exit_code == 2 and "another discovery is running" in busy.stderr
    with exclusive(workspace):
        pass  # released


def test_scheduled_job_function_runs_a_discovery(ws: Invoke, tmp_path: Path) -> None:
    import shutil

    if shutil.which("nmap") is None:
        pytest.skip("nmap is not installed")
    from secops.scheduler import run_discover_job

    run_discover_job(str(tmp_path / "ws"), "quick", ["127.0.0.1"])
    runs = json.loads(ws("assets", "runs", "--format", "json").stdout)
    assert [r["status"] for r in runs] == ["completed"] and runs[0]["hosts_up"] == 1
