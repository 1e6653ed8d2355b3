"""Important periods and their daily 零报告, on a real center on loopback with real forwarder passes.

The center's clock stays real (it checks every signature's timestamp against it), so the period is
set in the past few days: day D is three Beijing days ago, and each of D, D+1, D+2 has its 16:00
deadline behind the real clock. The school's passes take ``now=`` (it does not sign with it) and
the CLI takes SECOPS_NOW; the center's query functions take the moment to judge at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.periods import issue_period, missing_schools, period_days, store_zero_reports
from secops.center.schools import add_school
from secops.config import Workspace
from secops.forward.periods import submission
from secops.forward.sync import CenterClient, PassResult, forward_once, load_target
from secops.incident.audit import audit_key
from secops.incident.model import Session, open_incident
from secops.protocol.zero_reports import BEIJING, ZeroReport, beijing_day, deadline_at
from secops.store.schema import center_zero_reports, forward_periods, forward_zero_reports
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_forward import connect, free_port
from tests.integration.test_notices import _pin
from tests.unit.center import running_center

OTHER = "4111010002"
D = beijing_day(datetime.now(UTC)) - timedelta(days=3)


def at(day: date, hhmm: str) -> datetime:
    return deadline_at(day, hhmm)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _period(ctx: CenterContext, *, schools: list[str], deadline: str = "16:00") -> str:
    made = issue_period(
        ctx.state, ctx.home, name="高考", start=D, end=D + timedelta(days=4), deadline=deadline, schools=schools,
        audience_text="、".join(schools), issued_by="省中心值班员", issuer="省教育网络安全监测中心",
        now=at(D, "00:00"),
    )  # fmt: skip
    return made.id


def _pass(ws: Workspace, now: datetime) -> PassResult:
    target = load_target(ws)
    with open_workspace_store(ws) as store, CenterClient(target, timeout=3) as client:
        return forward_once(target, store, client, now=lambda: now, send_heartbeat=False, send_summary=False)


def _center_row(ctx: CenterContext, school: str, day: date) -> sa.Row[tuple[object, ...]] | None:
    z = center_zero_reports.c
    with ctx.state.engine.connect() as conn:
        return conn.execute(sa.select(center_zero_reports).where(z.school == school, z.day == day)).first()


def test_a_period_reaches_the_school_which_reports_at_the_deadline_and_the_silent_school_is_missing(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        add_school(ctx.state, OTHER, "第二中学", ctx.secret, datetime.now(UTC))  # never forwards
        period_id = _period(ctx, schools=[SCHOOL_CODE, OTHER])

        # The period arrives on the next pass; before the deadline nothing is due and nobody missing.
        first = _pass(ws, at(D, "10:00"))
        assert "重要时期“高考”" in (first.inbox or "") and first.zero_reports == "up to date"
        with open_workspace_store(ws) as store, store.engine.connect() as conn:
            assert conn.execute(sa.select(forward_periods.c.deadline)).scalar_one() == "16:00"
        assert missing_schools(ctx.state, period_id, D, at(D, "15:59")) == []

        # The pass a minute after 16:00 Beijing (08:00 UTC) submits a 零报告 dated at the deadline.
        done = _pass(ws, at(D, "16:01"))
        assert done.zero_reports is not None and "recorded" in done.zero_reports and "sent 1" in done.zero_reports
        row = _center_row(ctx, SCHOOL_CODE, D)
        assert row is not None and row.kind == "zero" and row.submitted_by == "auto"
        assert row.submitted_at.replace(tzinfo=UTC) == datetime(D.year, D.month, D.day, 8, 0, tzinfo=UTC)
        [day] = period_days(ctx.state, period_id, at(D, "16:02"), D)
        assert [s.school for s in day.submitted] == [SCHOOL_CODE] and not day.submitted[0].late
        assert [s.school for s in missing_schools(ctx.state, period_id, D, at(D, "16:02"))] == [OTHER]
        assert _pass(ws, at(D, "16:05")).zero_reports == "up to date"  # nothing twice

        # D+1: a responder holds it; the deadline passes and nothing goes up: missing at the center.
        d1 = D + timedelta(days=1)
        monkeypatch.setenv("SECOPS_NOW", at(d1, "10:00").isoformat())
        held = run_cli("--lang", "zh", "incident", "zero-report", "--hold", "--day", d1.isoformat())
        assert held.exit_code == 0, held.output
        assert "暂缓" in held.stdout
        assert _pass(ws, at(d1, "16:01")).zero_reports == "up to date"
        assert _center_row(ctx, SCHOOL_CODE, d1) is None
        missing = {s.school for s in missing_schools(ctx.state, period_id, d1, at(d1, "16:01"))}
        assert missing == {SCHOOL_CODE, OTHER}

        # D+2: an incident that day, then the responder submits before the deadline.
        d2 = D + timedelta(days=2)
        with open_workspace_store(ws) as store:
            session = Session(store, audit_key(ws.path, store), "值班员", at(d2, "11:00"))
            incident = open_incident(
                session, title="网页被篡改", category="03", subcategory="数据篡改", grade="一般",
                detected_at=at(d2, "09:00"),
            )  # fmt: skip
        monkeypatch.setenv("SECOPS_NOW", at(d2, "11:00").isoformat())
        submitted = run_cli(
            "--lang", "zh", "incident", "zero-report", "--submit", "--day", d2.isoformat(), "--actor", "张老师"
        )
        assert submitted.exit_code == 0, submitted.output
        assert "1 起事件" in submitted.stdout and "+08:00" in submitted.stdout
        twice = run_cli("incident", "zero-report", "--hold", "--day", d2.isoformat())
        assert twice.exit_code == 2 and "already submitted" in twice.stderr
        assert "sent 1" in (_pass(ws, at(d2, "11:01")).zero_reports or "")
        row = _center_row(ctx, SCHOOL_CODE, d2)
        assert row is not None and row.kind == "incidents" and row.incidents == [incident.id]
        assert row.submitted_by == "person" and row.submitted_at.replace(tzinfo=UTC) == at(d2, "11:00")
        assert _pass(ws, at(d2, "16:30")).zero_reports == "up to date"  # submitted: no automatic one

        # The center CLI shows the same, in Beijing time.
        monkeypatch.setenv("SECOPS_NOW", at(d2, "17:00").isoformat())
        home = str(ctx.home)
        shown = run_cli("center", "--home", home, "period", "show", "高考", "--format", "json")
        assert shown.exit_code == 0, shown.output
        data = json.loads(shown.stdout)
        by_day = {d["day"]: d for d in data["days"]}
        assert by_day[D.isoformat()]["missing"] == [OTHER]
        assert sorted(by_day[d1.isoformat()]["missing"]) == [SCHOOL_CODE, OTHER]
        assert by_day[D.isoformat()]["deadline"].endswith("16:00:00+08:00")
        auto = next(s for s in data["schools"] if s["day"] == D.isoformat() and s["school"] == SCHOOL_CODE)
        assert auto["status"] == "submitted" and auto["submitted_at"].endswith("16:00:00+08:00")
        listed = json.loads(run_cli("center", "--home", home, "period", "list", "--format", "json").stdout)
        assert listed[0]["name"] == "高考" and listed[0]["missing"] == 4  # OTHER ×3, the held day ×1


def test_center_down_at_the_deadline_the_report_goes_later_with_its_original_time_once(
    workspace: Workspace, ctx: CenterContext
) -> None:
    port = free_port()
    with running_center(ctx, port) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        period_id = _period(ctx, schools=[SCHOOL_CODE])
        _pass(ws, at(D, "10:00"))
    down = _pass(ws, at(D, "16:01"))  # the center is down
    assert down.zero_reports is not None and "recorded" in down.zero_reports and "not sent" in down.zero_reports
    with running_center(ctx, port):
        later = _pass(ws, at(D, "19:00"))
        assert "sent 1" in (later.zero_reports or "")
        row = _center_row(ctx, SCHOOL_CODE, D)
        assert row is not None and row.submitted_at.replace(tzinfo=UTC) == at(D, "16:00")
        assert row.received_at.replace(tzinfo=UTC) > at(D, "19:00")  # the center's own clock: real now
        [day] = period_days(ctx.state, period_id, at(D, "19:00"), D)
        assert not day.missing and not day.submitted[0].late
        # Sent again (as if killed before the answer was recorded): a duplicate, nothing changes.
        with open_workspace_store(ws) as store, store.engine.begin() as conn:
            conn.execute(forward_zero_reports.update().values(sent_at=None, answer=None))
        assert "sent 1" in (_pass(ws, at(D, "19:05")).zero_reports or "")
        with open_workspace_store(ws) as store:
            found = submission(store, D)
            assert found is not None and found.answer == "duplicate"
        again = _center_row(ctx, SCHOOL_CODE, D)
        assert again is not None and again.received_at == row.received_at and again.updated_at == row.updated_at


def test_a_pass_long_after_the_deadline_records_the_real_time_late(workspace: Workspace, ctx: CenterContext) -> None:
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        period_id = _period(ctx, schools=[SCHOOL_CODE])
        _pass(ws, at(D, "10:00"))
        _pass(ws, at(D, "18:30"))  # the forwarder was stopped from 10:00 to 18:30
        [day] = period_days(ctx.state, period_id, at(D, "19:00"), D)
        [school] = day.submitted
        assert school.submitted_at == at(D, "18:30") and school.late and school.submitted_by == "auto"


def test_the_center_keeps_one_report_per_school_and_day(ctx: CenterContext) -> None:
    add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC))
    _period(ctx, schools=[SCHOOL_CODE])
    now = datetime.now(UTC)

    def report(kind: str, incidents: list[int], when: datetime, day: date = D) -> ZeroReport:
        return ZeroReport(
            school=SCHOOL_CODE, day=day, kind=kind, incidents=incidents, submitted_at=when, submitted_by="auto"
        )

    first = store_zero_reports(ctx.state, SCHOOL_CODE, [report("zero", [], at(D, "16:00"))], now)
    assert [r.status for r in first] == ["stored"]
    same = store_zero_reports(ctx.state, SCHOOL_CODE, [report("zero", [], at(D, "16:00"))], now)
    assert [r.status for r in same] == ["duplicate"]
    # an incident found later replaces the 零报告's content; the first submission time stays
    more = store_zero_reports(ctx.state, SCHOOL_CODE, [report("incidents", [7], at(D, "20:00"))], now)
    assert [r.status for r in more] == ["updated"]
    row = _center_row(ctx, SCHOOL_CODE, D)
    assert row is not None and row.kind == "incidents" and row.incidents == [7]
    assert row.submitted_at.replace(tzinfo=UTC) == at(D, "16:00")
    # a later 零报告 never hides the incidents
    hidden = store_zero_reports(ctx.state, SCHOOL_CODE, [report("zero", [], at(D, "21:00"))], now)
    assert [r.status for r in hidden] == ["duplicate"]
    assert _center_row(ctx, SCHOOL_CODE, D).kind == "incidents"  # type: ignore[union-attr]
    # outside every period, from the future, or before the day began: ignored
    odd = store_zero_reports(
        ctx.state,
        SCHOOL_CODE,
        [
            report("zero", [], at(D - timedelta(days=1), "16:00"), D - timedelta(days=1)),
            report("zero", [], now + timedelta(hours=1), D + timedelta(days=1)),
            report("zero", [], at(D, "12:00"), D + timedelta(days=2)),
        ],
        now,
    )
    assert [r.status for r in odd] == ["ignored"] * 3


def test_beijing_dates_and_the_center_cli(ctx: CenterContext, run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    assert deadline_at(date(2027, 6, 7), "16:00") == datetime(2027, 6, 7, 8, 0, tzinfo=UTC)
    assert beijing_day(datetime(2027, 6, 7, 16, 30, tzinfo=UTC)) == date(2027, 6, 8)  # 00:30 Beijing next day
    add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC))
    home = str(ctx.home)
    monkeypatch.setenv("SECOPS_NOW", datetime(2027, 6, 1, 9, 0, tzinfo=BEIJING).isoformat())
    made = run_cli(
        "--lang", "zh", "center", "--home", home, "period", "add", "高考", "--from", "2027-06-07", "--to", "2027-06-10",
        "--deadline", "16:00", "--all",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "2027-06-07 至 2027-06-10" in made.stdout and "全部学校" in made.stdout
    before = json.loads(run_cli("center", "--home", home, "period", "show", "高考", "--format", "json").stdout)
    assert before["days"] == [] and before["schools"] == []  # not begun yet
    monkeypatch.setenv("SECOPS_NOW", "2027-06-07T07:59:00+00:00")  # 15:59 Beijing
    day = run_cli("center", "--home", home, "period", "show", "高考", "--day", "2027-06-07", "--format", "json")
    assert [s["status"] for s in json.loads(day.stdout)["schools"]] == ["not_yet_due"]
    monkeypatch.setenv("SECOPS_NOW", "2027-06-07T08:00:00+00:00")  # 16:00 Beijing
    day = run_cli("center", "--home", home, "period", "show", "高考", "--day", "2027-06-07", "--format", "json")
    assert [s["status"] for s in json.loads(day.stdout)["schools"]] == ["missing"]
    check = run_cli("--lang", "zh", "center", "--home", home, "period", "show", "高考", "--check")
    assert check.exit_code == 1 and "缺报" in check.stdout and "1 个校·日错过了报送截止时间" in check.stderr
    assert run_cli("center", "--home", home, "period", "show", "高考").exit_code == 0  # a listing, not a check
    bad = [
        ("--from", "2027-06-10", "--to", "2027-06-07", "--deadline", "16:00", "--all"),
        ("--from", "2027-06-07", "--to", "2027-06-10", "--deadline", "25:00", "--all"),
        ("--from", "2027-06-07", "--to", "2027-06-10", "--deadline", "16:00"),
        ("--from", "2027-05-01", "--to", "2027-05-02", "--deadline", "16:00", "--all"),  # already over
        ("--from", "June 7", "--to", "2027-06-10", "--deadline", "16:00", "--all"),
    ]
    for args in bad:
        refused = run_cli("center", "--home", home, "period", "add", "x", *args)
        assert refused.exit_code == 2, (args, refused.output)
    assert run_cli("center", "--home", home, "period", "show", "nope").exit_code == 2


def test_submit_outside_a_period_is_refused(workspace: Workspace, run_cli: Invoke) -> None:
    refused = run_cli("incident", "zero-report", "--submit", "--day", "2026-11-23")
    assert refused.exit_code == 2 and "no important period" in refused.stderr
    both = run_cli("incident", "zero-report", "--submit", "--hold")
    assert both.exit_code == 2


def test_a_bad_period_is_one_chinese_line(ctx: CenterContext, run_cli: Invoke) -> None:
    add = ("--lang", "zh", "center", "--home", str(ctx.home), "period", "add", "错")
    backwards = run_cli(*add, "--from", "2026-12-09", "--to", "2026-12-08", "--all")
    assert backwards.exit_code == 2 and "不是有效的重要时段" in backwards.stderr
    assert "pydantic" not in backwards.stderr and "Traceback" not in backwards.output
    late = run_cli(*add, "--from", "2026-12-09", "--to", "2026-12-10", "--deadline", "25:00", "--all")
    assert late.exit_code == 2 and "pydantic" not in late.stderr
