"""``secops forward setup|run|status`` and the forward/hunt scheduler jobs."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.stores.base import AlertQuery
from secops.protocol import signing
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke
from tests.unit.center import running_center
from tests.unit.forward.test_outbox import add_alerts


@pytest.fixture
def ws(run_cli: Invoke) -> Invoke:
    args = ("init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.0/24")
    assert run_cli(*args).exit_code == 0
    return run_cli


@pytest.fixture
def center(tmp_path: Path) -> Iterator[tuple[CenterContext, signing.SchoolKey, str]]:
    ctx = open_center(tmp_path / "center")
    key = add_school(ctx.state, SCHOOL_CODE, SCHOOL_NAME, ctx.secret, datetime.now(UTC))
    with running_center(ctx) as url:
        yield ctx, key, url
    ctx.close()


def key_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "school.key"
    path.write_text(text + "\n")
    return str(path)


def test_setup_checks_the_center_keeps_the_key_out_of_the_config_then_run_and_status(
    ws: Invoke, tmp_path: Path, center: tuple[CenterContext, signing.SchoolKey, str]
) -> None:
    ctx, key, url = center
    done = ws("forward", "setup", "--center", url + "/", "--key-file", key_file(tmp_path, key.text), "--check")
    assert done.exit_code == 0, done.output
    assert f"Center {url} is up" in done.stdout and "accepts this school's key" in done.stdout
    assert key.key_id in done.stdout and ctx.alerts.count(AlertQuery()) == 0
    saved = tmp_path / "ws" / "center.key"
    assert saved.read_text().strip() == key.text and stat.S_IMODE(saved.stat().st_mode) == 0o600
    config = (tmp_path / "ws" / "secops.yaml").read_text()
    assert f"center: {url}\n" in config and key.secret not in config

    from secops.config import load_workspace

    with open_workspace_store(load_workspace(tmp_path / "ws")) as store:
        add_alerts(store, 12)
    before = json.loads(ws("forward", "status", "--format", "json").stdout)
    assert (before["center"], before["pending"], before["not_enqueued"], before["sent"]) == (url, 0, 12, 0)
    sent = ws("forward", "run", "--once", "--batch", "5")
    assert sent.exit_code == 0, sent.output
    assert "sent 12" in sent.stderr and ctx.alerts.count(AlertQuery()) == 12
    after = json.loads(ws("forward", "status", "--format", "json").stdout)
    assert (after["pending"], after["sent"], after["rejected"], after["last_error"]) == (0, 12, 0, None)
    table = ws("forward", "status").stdout
    assert "pending" in table and "12" in table


def test_bad_setup_input_is_one_clear_line_and_changes_nothing(ws: Invoke, tmp_path: Path) -> None:
    bad_key = ws("forward", "setup", "--center", "http://127.0.0.1:9", "--key-file", key_file(tmp_path, "sk1.nope"))
    assert bad_key.exit_code == 2 and "sk1.<12 hex>" in bad_key.stderr
    good = signing.new_key().text
    bad_url = ws("forward", "setup", "--center", "ftp://center", "--key-file", key_file(tmp_path, good))
    assert bad_url.exit_code == 2 and "--center" in bad_url.stderr
    port = ws("forward", "setup", "--center", "http://127.0.0.1:9", "--key-file", key_file(tmp_path, good), "--check")
    assert port.exit_code == 2 and "cannot reach the center" in port.stderr
    assert not (tmp_path / "ws" / "center.key").exists()
    assert "forward" not in (tmp_path / "ws" / "secops.yaml").read_text()
    not_set_up = ws("forward", "run", "--once")
    assert not_set_up.exit_code == 2 and "secops forward setup" in not_set_up.stderr


def test_check_refuses_a_key_the_center_does_not_know(
    ws: Invoke, tmp_path: Path, center: tuple[CenterContext, signing.SchoolKey, str]
) -> None:
    _, _, url = center
    other = ws("forward", "setup", "--center", url, "--key-file", key_file(tmp_path, signing.new_key().text), "--check")
    assert other.exit_code == 2 and "revoked" in other.stderr and "secops forward setup" in other.stderr
    assert not (tmp_path / "ws" / "center.key").exists()


def test_center_down_run_once_exits_1_and_keeps_everything(ws: Invoke, tmp_path: Path) -> None:
    from secops.config import load_workspace

    assert (
        ws(
            "forward",
            "setup",
            "--center",
            "http://127.0.0.1:9",
            "--key-file",
            key_file(tmp_path, signing.new_key().text),
        ).exit_code
        == 0
    )
    with open_workspace_store(load_workspace(tmp_path / "ws")) as store:
        add_alerts(store, 3)
    down = ws("forward", "run", "--once")
    assert down.exit_code == 1 and "deferred: cannot reach the center" in down.stderr
    status = json.loads(ws("forward", "status", "--format", "json").stdout)
    assert status["pending"] == 3 and status["attempts"] == 1 and status["next_attempt_at"]


def test_scheduler_forward_and_hunt_jobs(ws: Invoke, tmp_path: Path) -> None:
    unset = ws("scheduler", "add", "forward", "--cron", "*/5 * * * *")
    assert unset.exit_code == 2 and "secops forward setup" in unset.stderr
    assert (
        ws(
            "forward",
            "setup",
            "--center",
            "http://127.0.0.1:9",
            "--key-file",
            key_file(tmp_path, signing.new_key().text),
        ).exit_code
        == 0
    )
    added = ws("scheduler", "add", "forward", "--cron", "*/5 * * * *")
    assert added.exit_code == 0, added.output
    no_es = ws("scheduler", "add", "hunt", "--cron", "0 * * * *", "--index", "logs-*")
    assert no_es.exit_code == 2 and "--es" in no_es.stderr
    bad_since = ws(
        "scheduler",
        "add",
        "hunt",
        "--cron",
        "0 * * * *",
        "--es",
        "http://127.0.0.1:9200",
        "--index",
        "logs-*",
        "--since",
        "yesterday",
    )
    assert bad_since.exit_code == 2 and "--since" in bad_since.stderr
    hunt = ws(
        "scheduler",
        "add",
        "hunt",
        "--cron",
        "0 * * * *",
        "--es",
        "http://127.0.0.1:9200",
        "--index",
        "logs-*",
        "--since",
        "2h",
    )
    assert hunt.exit_code == 0, hunt.output
    jobs = {j["id"]: j for j in json.loads(ws("scheduler", "list", "--format", "json").stdout)}
    assert jobs["forward"]["kind"] == "forward" and jobs["forward"]["cron"] == "*/5 * * * *"
    assert jobs["hunt"]["index"] == "logs-*" and jobs["hunt"]["since"] == "2h"
    assert Path(jobs["hunt"]["rules"]).name == "sigma"
    (tmp_path / "mine").mkdir()
    two = ("--rules", str(tmp_path / "mine"), "--rules", jobs["hunt"]["rules"], "--id", "hunt-two")
    assert (
        ws(
            "scheduler", "add", "hunt", "--cron", "0 * * * *", "--es", "http://127.0.0.1:9200", "--index", "x-*", *two
        ).exit_code
        == 0
    )
    listed = {j["id"]: j for j in json.loads(ws("scheduler", "list", "--format", "json").stdout)}
    assert listed["hunt-two"]["rules"] == f"{tmp_path / 'mine'}{os.pathsep}{jobs['hunt']['rules']}"
    missing = ws(
        "scheduler",
        "add",
        "hunt",
        "--cron",
        "0 * * * *",
        "--es",
        "http://127.0.0.1:9200",
        "--index",
        "x",
        "--rules",
        str(tmp_path / "nope"),
    )
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert "logs-*" in ws("scheduler", "list").stdout


def test_the_scheduled_forward_job_runs_one_pass(
    ws: Invoke, tmp_path: Path, center: tuple[CenterContext, signing.SchoolKey, str]
) -> None:
    from secops.config import load_workspace
    from secops.scheduler import run_forward_job

    ctx, key, url = center
    assert ws("forward", "setup", "--center", url, "--key-file", key_file(tmp_path, key.text)).exit_code == 0
    with open_workspace_store(load_workspace(tmp_path / "ws")) as store:
        add_alerts(store, 4)
    run_forward_job(str(tmp_path / "ws"))
    assert ctx.alerts.count(AlertQuery()) == 4
    # a job every 15 minutes checks in promising its own interval: the default one
    from secops.center.heartbeats import latest_checkins

    assert latest_checkins(ctx.state)[SCHOOL_CODE].every == timedelta(minutes=15)
    # a job every two hours promises no sooner than its next run, so a quiet night is not "silent"
    run_forward_job(str(tmp_path / "ws"), cron="0 */2 * * *")
    assert latest_checkins(ctx.state)[SCHOOL_CODE].every == timedelta(hours=2)


def test_setup_sets_the_checkin_interval_and_a_later_setup_keeps_it(
    ws: Invoke, tmp_path: Path, center: tuple[CenterContext, signing.SchoolKey, str]
) -> None:
    _ctx, key, url = center
    done = ws("forward", "setup", "--center", url, "--key-file", key_file(tmp_path, key.text), "--checkin-minutes", "5")
    assert done.exit_code == 0 and "checking in at least every 5 min" in done.stdout
    assert ws("forward", "setup", "--center", url, "--key-file", key_file(tmp_path, key.text)).exit_code == 0
    assert "checkin_minutes: 5" in (tmp_path / "ws" / "secops.yaml").read_text()
    sent = ws("forward", "run", "--once")
    assert sent.exit_code == 0 and "check-in: sent" in sent.stderr
    bad = ws("forward", "setup", "--center", url, "--key-file", key_file(tmp_path, key.text), "--checkin-minutes", "0")
    assert bad.exit_code == 2 and "--checkin-minutes" in bad.stderr


def test_status_speaks_chinese_by_default_and_takes_jsonl(
    ws: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = signing.new_key().text
    assert (
        ws("forward", "setup", "--center", "http://127.0.0.1:9", "--key-file", key_file(tmp_path, good)).exit_code == 0
    )
    monkeypatch.setenv("SECOPS_LANG", "zh")
    table = ws("forward", "status")
    assert table.exit_code == 0 and "待发送" in table.stdout and "pending" not in table.stdout
    lines = ws("forward", "status", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["pending"] == 0  # machines keep the English keys
    english = ws("--lang", "en", "forward", "status")
    assert "pending" in english.stdout
    bad = ws("forward", "setup", "--center", "ftp://center", "--key-file", key_file(tmp_path, good))
    assert bad.exit_code == 2 and bad.stderr.startswith("secops：错误：--center：")


def test_ctrl_c_ends_forward_run_with_one_line_and_130(ws: Invoke, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    good = signing.new_key().text
    assert (
        ws("forward", "setup", "--center", "http://127.0.0.1:9", "--key-file", key_file(tmp_path, good)).exit_code == 0
    )
    command = [
        sys.executable,
        "-m",
        "secops",
        "--workspace",
        str(tmp_path / "ws"),
        "forward",
        "run",
        "--interval",
        "0.2",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    forwarder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert forwarder.stderr is not None
        started = forwarder.stderr.readline().decode()
        assert "SIGTERM/Ctrl-C to stop" in started
        time.sleep(0.5)  # a pass or two against a center that is down
        forwarder.send_signal(signal.SIGINT)
        _out, err = forwarder.communicate(timeout=30)
    finally:
        if forwarder.poll() is None:
            forwarder.kill()
    assert forwarder.returncode == 130, err.decode()
    stderr = err.decode()
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "secops: interrupted"
