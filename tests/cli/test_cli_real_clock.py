"""Incidents and alerts as a user meets them: the real clock (no SECOPS_NOW) and +08:00 log times.

Last round's two worst bugs passed a suite whose tests all fixed the clock and fed UTC: alert times
stored eight hours late, and ``incident open`` without ``--detected-at`` refused as "in the future".
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from secops.store.schema import alerts
from secops.workspace import open_workspace_store
from tests.conftest import Invoke

BEIJING = timezone(timedelta(hours=8))
# one shipped rule, so that "one alert" is one rule's match (the pack has several webshell rules)
WEBSHELL_RULE = Path(__file__).parents[2] / "rules/sigma/edu/webshell/web_webshell_command_parameter.yml"


@pytest.fixture(autouse=True)
def _real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOPS_NOW", raising=False)


def _access_line(moment: datetime, uri: str = "/uploads/shell.php?cmd=whoami") -> str:
    stamp = moment.astimezone(BEIJING).strftime("%d/%b/%Y:%H:%M:%S +0800")
    return f'203.0.113.9 - - [{stamp}] "GET {uri} HTTP/1.1" 200 12 "-" "curl/8.4.0"\n'


def _stored(workspace: Workspace) -> list[sa.Row[tuple[int, datetime, str]]]:
    with open_workspace_store(workspace) as store, store.engine.connect() as conn:
        return list(conn.execute(sa.select(alerts.c.id, alerts.c.at, alerts.c.source)).all())


def test_a_manual_incident_opens_with_the_default_detection_time(run_cli: Invoke, workspace: Workspace) -> None:
    before = datetime.now(UTC)
    result = run_cli("incident", "open", "--title", "网站被篡改", "--playbook", "webshell", "--grade", "重大")
    assert result.exit_code == 0, result.output
    assert "剩余" in result.output and "已超时" not in result.output
    shown = run_cli("incident", "show", "1", "--format", "json")
    document = json.loads(shown.output)
    detected = datetime.fromisoformat(document["detected_at"])
    assert detected.utcoffset() == timedelta(hours=8)  # shown in the workspace zone, with its offset
    assert before - timedelta(seconds=1) <= detected <= datetime.now(UTC)
    handled = next(c for c in document["clocks"] if c["left_seconds"] <= 3600)
    assert 3540 <= handled["left_seconds"] <= 3600


def test_a_log_line_ten_minutes_old_is_one_alert_and_a_clock_with_50_minutes_left(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    seen_at = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    logs = tmp_path / "nginx"
    logs.mkdir()
    log = logs / "access.log"
    log.write_text(_access_line(seen_at), encoding="utf-8")
    rules = ("--rules", str(WEBSHELL_RULE))
    for _ in range(2):  # stored twice: the second run reads nothing new
        assert run_cli("detect", "run", *rules, "--store", str(log)).exit_code in (0, 1)
    assert run_cli("detect", "run", *rules, "--store", "--from-start", str(log)).exit_code == 1  # no duplicate
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(log, copy / "access.log.1")  # the same log from another folder, as rotation names it
    assert run_cli("detect", "run", *rules, "--store", str(copy)).exit_code == 1
    listed = json.loads(run_cli("alerts", "list", "--format", "json").stdout)
    assert len(listed) == 1 and datetime.fromisoformat(listed[0]["at"]) == seen_at

    rows = _stored(workspace)
    assert len(rows) == 1, rows
    alert_id, at, source = rows[0]
    assert source == "sigma"
    assert at == seen_at  # the instant of the +08:00 line, not eight hours off

    opened = run_cli("incident", "open", "--from-alert", str(alert_id), "--grade", "重大", "--format", "json")
    assert opened.exit_code == 0, opened.output
    document = json.loads(opened.output)
    assert datetime.fromisoformat(document["detected_at"]) == seen_at
    handled = min(document["clocks"], key=lambda c: c["left_seconds"])
    assert 49 * 60 - 30 <= handled["left_seconds"] <= 50 * 60 + 5, handled
    assert handled["left_text"].startswith("剩余 4") or handled["left_text"].startswith("剩余 5")


def test_an_alert_from_a_log_a_little_ahead_of_this_clock_opens_now(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_text(_access_line(datetime.now(UTC) + timedelta(minutes=2)), encoding="utf-8")
    assert run_cli("detect", "run", "--store", str(log)).exit_code == 1
    (alert_id, _at, _source), *_ = _stored(workspace)
    opened = run_cli("incident", "open", "--from-alert", str(alert_id), "--grade", "重大", "--format", "json")
    assert opened.exit_code == 0, opened.output
    detected = datetime.fromisoformat(json.loads(opened.output)["detected_at"])
    assert detected <= datetime.now(UTC)


def test_an_overdue_clock_says_how_long_ago_it_ran_out(run_cli: Invoke, workspace: Workspace) -> None:
    two_hours_ago = (datetime.now(BEIJING) - timedelta(hours=2)).isoformat(timespec="seconds")
    result = run_cli(
        "incident", "open", "--title", "网站被篡改", "--playbook", "webshell", "--grade", "重大",
        "--detected-at", two_hours_ago,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已超时 1小时" in result.output and "剩余 -" not in result.output


def test_a_future_detection_time_is_one_clear_error(run_cli: Invoke, workspace: Workspace) -> None:
    later = (datetime.now(BEIJING) + timedelta(hours=1)).replace(second=0, microsecond=0)
    typed = later.replace(tzinfo=None).isoformat(timespec="minutes")  # as a person types it: local, no offset
    result = run_cli("incident", "open", "--title", "x", "--playbook", "webshell", "--detected-at", typed)
    assert result.exit_code == 2
    assert "in the future" in result.stderr and "Traceback" not in result.output
    assert later.isoformat(timespec="seconds") in result.stderr  # told in the zone it was typed in


def test_reported_incidents_show_every_time_in_the_workspace_zone(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    assert (
        run_cli("incident", "open", "--title", "网站被篡改", "--playbook", "webshell", "--grade", "重大").exit_code == 0
    )
    reported = run_cli("incident", "reported", "1")
    assert reported.exit_code == 0 and "+08:00" in reported.output, reported.output
    document = json.loads(run_cli("incident", "show", "1", "--format", "json").output)
    assert all(at.endswith("+08:00") for at in document["state_times"].values()), document["state_times"]
    met = [c for c in document["clocks"] if c["status"] == "met"]
    assert met and all(c["left_text"].startswith("按时完成") for c in met)
    report = json.loads(run_cli("incident", "report", "1", "--format", "json").output)
    assert all(entry["at"].endswith("+08:00") for entry in report["timeline"])
    assert "+00:00" not in json.dumps(report, ensure_ascii=False)
