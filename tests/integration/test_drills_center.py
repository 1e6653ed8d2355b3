"""应急演练 across a center and its schools, on a real center on loopback with real forwarder
passes: the center asks two schools for a drill, one pulls it and runs it at 10x with the ordinary
incident commands, its start and its outcome reach the center, the silent school is overdue, and
the drill's incident never travels up as a real incident."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.drills import comparison, drill_views, issue_drill, results, store_results
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.config import Workspace
from secops.errors import SecopsError
from secops.forward.sync import CenterClient, PassResult, forward_once, load_target
from secops.protocol.drills import DrillResult
from secops.store.schema import center_school_incidents
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_forward import connect
from tests.integration.test_notices import _pin
from tests.unit.center import running_center

OTHER = "4111010002"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _pass(ws: Workspace) -> PassResult:
    target = load_target(ws)
    with open_workspace_store(ws) as store, CenterClient(target, timeout=3) as client:
        return forward_once(target, store, client, send_heartbeat=False, send_summary=False)


def test_a_drill_asked_run_and_compared(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECOPS_NOW", raising=False)  # the center checks signatures against its real clock
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        add_school(ctx.state, OTHER, "第二中学", ctx.secret, datetime.now(UTC))  # never forwards
        asked = issue_drill(
            ctx.state, ctx.home, scenario="webshell-portal", title="门户网站网页后门演练", text="请在两周内完成",
            speed=10, due=timedelta(days=14), schools=[SCHOOL_CODE, OTHER], audience_text="两所学校",
            issued_by="省中心", issuer="省教育网络安全监测中心", now=datetime.now(UTC),
        )  # fmt: skip
        first = _pass(ws)
        assert "演练要求“门户网站网页后门演练”" in (first.inbox or "") and asked.id in (first.inbox or "")
        listed = run_cli("--lang", "zh", "drill", "requests", "--format", "json")
        [request] = json.loads(listed.stdout)
        assert request["id"] == asked.id and request["state"] == "waiting" and request["speed"] == 10

        wrong = run_cli("--lang", "zh", "drill", "start", "exam-ddos", "--notice", asked.id)
        assert wrong.exit_code == 2 and "webshell-portal" in wrong.stderr
        started = run_cli("--lang", "zh", "drill", "start", "webshell-portal", "--notice", asked.id)
        assert started.exit_code == 0, started.output
        assert "10 倍速" in started.stdout and "中心已收到" in started.stdout  # told at once, not at the next pass
        [view] = drill_views(ctx.state, datetime.now(UTC), asked.id)
        assert {s.school: s.state for s in view.schools} == {SCHOOL_CODE: "running", OTHER: "waiting"}

        assert run_cli("incident", "ack", "1").exit_code == 0
        assert run_cli("incident", "step", "done", "confirm", "--incident", "1").exit_code == 0
        finished = run_cli("--lang", "zh", "drill", "finish", "1")
        assert finished.exit_code == 0 and "中心已收到" in finished.stdout
        later = datetime.now(UTC) + timedelta(days=15)
        [view] = drill_views(ctx.state, later, asked.id)
        states = {s.school: s.state for s in view.schools}
        assert states == {SCHOOL_CODE: "finished", OTHER: "overdue"}
        mine = next(s for s in view.schools if s.school == SCHOOL_CODE).result
        assert mine is not None and mine.request == asked.id
        assert (mine.outcome["steps_met"], mine.outcome["steps_total"]) == (1, 1)  # only what fell due within it
        assert mine.minutes("acknowledged") is not None and mine.minutes("acknowledged") < 10

        again = _pass(ws)  # nothing twice, and the drill's incident never goes up as real
        assert "演练" not in (again.incidents or "")
        with ctx.state.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(center_school_incidents)).scalar_one() == 0

        monkeypatch.setenv("SECOPS_CENTER_HOME", str(ctx.home))
        shown = run_cli("--lang", "zh", "center", "drill", "show", asked.id, "--format", "json")
        assert shown.exit_code == 0, shown.output
        assert {row["school"]: row["state"] for row in json.loads(shown.stdout)["schools"]}[SCHOOL_CODE] == "finished"
        compared = run_cli("--lang", "zh", "center", "drill", "compare")
        assert SCHOOL_CODE in compared.stdout and "webshell-portal" in compared.stdout


def _result(drill: int, state: str, reported: float | None, request: str | None = None) -> DrillResult:
    start = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    finished = start + timedelta(minutes=30) if state == "finished" else None
    return DrillResult(
        drill=drill, request=request, scenario="webshell-portal", speed=10, state=state,  # type: ignore[arg-type]
        started_at=start, finished_at=finished, milestones={"reported": reported, "acknowledged": 3.0},  # type: ignore[arg-type]
        steps_met=4, steps_total=6, clocks_met=1, clocks_total=2,
    )  # fmt: skip


def test_results_are_idempotent_and_never_go_back(ctx: CenterContext) -> None:
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    for code, name in ((SCHOOL_CODE, "第一中学"), (OTHER, "第二中学")):
        add_school(ctx.state, code, name, ctx.secret, now)
    assert store_results(ctx.state, SCHOOL_CODE, [_result(1, "running", None)], now) == 1
    assert store_results(ctx.state, SCHOOL_CODE, [_result(1, "finished", 40.0)], now) == 1
    assert store_results(ctx.state, SCHOOL_CODE, [_result(1, "finished", 40.0)], now) == 0  # a resend
    assert store_results(ctx.state, SCHOOL_CODE, [_result(1, "running", None)], now) == 0  # late: ignored
    assert store_results(ctx.state, OTHER, [_result(7, "finished", 25.0, request="d20261207010000abcdef12")], now) == 1
    assert [r.school for r in comparison(ctx.state)] == [OTHER, SCHOOL_CODE]  # the faster first report first
    foreign = next(r for r in results(ctx.state) if r.school == OTHER)
    assert foreign.request is None  # a request never asked of it is not linked
    with pytest.raises(SecopsError, match="no drill scenario"):
        issue_drill(
            ctx.state, ctx.home, scenario="nope", title="", text="", speed=1, due=timedelta(days=1), schools=[],
            audience_text="全部学校", issued_by="x", issuer="y", now=now,
        )  # fmt: skip
    with pytest.raises(SecopsError, match="1 hour and 90 days"):
        issue_drill(
            ctx.state, ctx.home, scenario="exam-ddos", title="", text="", speed=1, due=timedelta(minutes=5),
            schools=[], audience_text="全部学校", issued_by="x", issuer="y", now=now,
        )  # fmt: skip
