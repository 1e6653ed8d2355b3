"""A school's incidents and audit head, school -> center, on a real uvicorn center on loopback and
the real clock (+08:00 inputs): a 重大 incident shows at the center with its 1-hour clock and its
initial report's time, no personal data travels, resends are duplicates, and a trail rewritten
with the local key after it was anchored is caught by ``verify-audit --against-center``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.school_incidents import anchor_conflicts, school_incidents
from secops.center.staff import add_user
from secops.config import Workspace
from secops.forward.incidents import unsent
from secops.forward.sync import CenterClient, forward_once, load_target
from secops.incident import audit
from secops.incident.audit import audit_key
from secops.incident.model import Session, open_incident, set_fields, transition
from secops.protocol import signing
from secops.protocol.incidents import INCIDENTS_PATH, IncidentBatch
from secops.store.schema import center_school_incidents, incident_audit, incident_audit_head
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_dashboard import dashboard_app, login
from tests.integration.test_forward import connect, free_port
from tests.unit.center import running_center

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _major(ws: Workspace, detected: datetime) -> int:
    with open_workspace_store(ws) as store:
        session = Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))
        incident = open_incident(
            session,
            title="张三的电脑被植入后门",  # a person's name: must not leave the school
            category="02",
            subcategory="网页篡改",
            grade="重大",
            detected_at=detected,
            playbook="webshell",
            assets=["10.20.1.15"],
            facts={"reporter": "13800138000"},
        )
        return incident.id


def test_a_major_incident_reaches_the_center_with_its_clock_and_report_time(
    workspace: Workspace, ctx: CenterContext
) -> None:
    detected = datetime.now(BEIJING) - timedelta(minutes=20)
    with running_center(ctx) as url:
        ws = connect(workspace, ctx, url)
        incident_id = _major(ws, detected)
        target = load_target(ws)
        with open_workspace_store(ws) as store, CenterClient(target) as client:
            first = forward_once(target, store, client)
            assert first.incidents == f"sent 1 incident change(s), audit head at entry {1}"
            assert forward_once(target, store, client).incidents == "up to date"  # nothing new
            [view] = school_incidents(ctx.state, datetime.now(UTC))
            assert (view.school, view.incident.id, view.incident.grade) == (SCHOOL_CODE, incident_id, "重大")
            clocks = {c.deadline: c for c in view.incident.clocks}
            assert clocks["handle-major"].due_at == detected + timedelta(hours=1)
            assert {n: s for n, s, _ in view.clock_statuses}[clocks["handle-major"].name] == "running"
            assert view.incident.reports == {}

            # The initial report is filed at 09:40 Beijing time; the change travels on the next pass.
            reported = datetime.now(BEIJING) - timedelta(minutes=5)
            session = Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))
            set_fields(session, incident_id, "reported", {"reported_at": reported})
            transition(session, incident_id, "acknowledged")
            assert forward_once(target, store, client).incidents.startswith("sent 1 incident change(s)")
        [view] = school_incidents(ctx.state, datetime.now(UTC))
        assert view.incident.reports["initial"] == reported
        assert view.incident.state == "acknowledged" and view.incident.version == 3
        with ctx.state.engine.connect() as conn:
            stored = json.dumps(conn.execute(sa.select(center_school_incidents.c.incident)).scalar_one())
        for private in ("张三", "13800138000", "10.20.1.15", "后门"):
            assert private not in stored  # no title, facts or assets at the center

        # Past its hour the center shows the clock overdue by its own clock, without a resend.
        [later] = school_incidents(ctx.state, datetime.now(UTC) + timedelta(hours=1))
        assert later.overdue

        # The dashboard: the school's incidents beside the center's own cases, times in Beijing.
        add_user(ctx.state, "duty", "correct horse battery", datetime.now(UTC))
        with TestClient(dashboard_app(ctx)) as board:
            login(board)
            page = board.get("/incidents").text
            row = page[page.index(f'data-school-incident="{SCHOOL_CODE}-{incident_id}"') :]
            row = row[: row.index("</tr>")]
            assert "网络攻击事件" in row and "重大" in row and "计时中" in row
            assert f"首次报告 {reported.strftime('%Y-%m-%d %H:%M')}" in row
            school_page = board.get(f"/schools/{SCHOOL_CODE}").text
            assert f'data-school-incident="{SCHOOL_CODE}-{incident_id}"' in school_page
            overview = board.get("/").text  # the duty officer sees it without looking for it
            section = overview[overview.index('id="open-school-incidents"') :]
            assert f'data-school-incident="{SCHOOL_CODE}-{incident_id}"' in section


def test_resends_are_duplicates_and_an_older_version_never_wins(workspace: Workspace, ctx: CenterContext) -> None:
    with running_center(ctx) as url:
        ws = connect(workspace, ctx, url)
        incident_id = _major(ws, datetime.now(BEIJING) - timedelta(minutes=3))
        key = signing.parse_key((ws.path / "center.key").read_text())
        with open_workspace_store(ws) as store:
            changes, head = unsent(store, datetime.now(UTC))
            old_batch = IncidentBatch(school=SCHOOL_CODE, sent_at=datetime.now(UTC), incidents=changes, audit_head=head)
            session = Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))
            transition(session, incident_id, "contained")
            newer, _ = unsent(store, datetime.now(UTC))
        new_batch = IncidentBatch(school=SCHOOL_CODE, sent_at=datetime.now(UTC), incidents=newer)

        def post(batch: IncidentBatch) -> dict[str, object]:
            body = batch.model_dump_json().encode()
            headers = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time(), path=INCIDENTS_PATH)
            answer = httpx.post(url + INCIDENTS_PATH, content=body, headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            return dict(answer.json())

        assert post(new_batch)["created"] == 1
        assert post(new_batch)["duplicate"] == 1
        assert post(old_batch)["older"] == 1
        [view] = school_incidents(ctx.state, datetime.now(UTC))
        assert view.incident.state == "contained"

        foreign = json.loads(new_batch.model_dump_json())
        foreign["incidents"][0]["title"] = "张三"  # a field the protocol does not have is refused, not dropped
        body = json.dumps(foreign).encode()
        headers = signing.signed_headers(key, SCHOOL_CODE, body, now=time.time(), path=INCIDENTS_PATH)
        answer = httpx.post(url + INCIDENTS_PATH, content=body, headers=headers, timeout=10)
        assert answer.status_code == 400 and "title" in answer.json()["error"] and "张三" not in answer.text


def _rewrite_entry(ws: Workspace, seq: int) -> None:
    """What an attacker holding audit.key can do: change an entry and re-hash the chain and head."""
    key = bytes.fromhex((ws.path / "audit.key").read_text().strip())
    with open_workspace_store(ws) as store, store.engine.begin() as conn:
        rows = conn.execute(sa.select(incident_audit).order_by(incident_audit.c.seq)).all()
        prev = audit.GENESIS
        for row in rows:
            detail = row.detail
            if row.seq == seq:
                detail = audit.canonical({**json.loads(row.detail), "note": "改写过的记录"})
            digest = audit.entry_hash(key, prev, row.seq, row.incident_id, row.at, row.actor, row.action, detail)
            conn.execute(
                incident_audit.update()
                .where(incident_audit.c.seq == row.seq)
                .values(detail=detail, prev_hash=prev, hash=digest)
            )
            prev = digest
        mac = audit.head_mac(key, len(rows), prev)
        conn.execute(incident_audit_head.update().values(entries=len(rows), last_hash=prev, mac=mac))


def test_a_trail_rewritten_with_the_key_is_caught_against_the_center(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke
) -> None:
    port = free_port()
    with running_center(ctx, port) as url:
        ws = connect(workspace, ctx, url)
        incident_id = _major(ws, datetime.now(BEIJING) - timedelta(minutes=10))
        assert run_cli("incident", "note", str(incident_id), "已隔离主机").exit_code == 0
        assert run_cli("forward", "run", "--once").exit_code == 0
        good = run_cli("incident", "verify-audit", "--against-center")
        assert good.exit_code == 0, good.output
        assert "Matches the center: 1 audit heads up to entry 2 (of 2)" in good.stdout

        _rewrite_entry(ws, 2)
        local = run_cli("incident", "verify-audit")
        assert local.exit_code == 0  # with the key, the rewrite is consistent locally ...
        caught = run_cli("incident", "verify-audit", "--against-center")
        assert caught.exit_code == 1  # ... but not with what the center saw
        assert "differs from the center at entry 2" in caught.stderr

        # The rewritten head reaches the center on the next run: it is kept, marked as a conflict.
        assert run_cli("forward", "run", "--once").exit_code == 0
        [(school, entries, _at, why)] = anchor_conflicts(ctx.state)
        assert (school, entries) == (SCHOOL_CODE, 2) and "entry 2 had hash" in why
    down = run_cli("incident", "verify-audit", "--against-center")  # the center is gone
    assert down.exit_code == 2 and "cannot reach the center" in down.stderr


def test_submit_tells_the_center_at_once_or_later_with_the_submission_time(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke
) -> None:
    port = free_port()
    with running_center(ctx, port) as url:
        ws = connect(workspace, ctx, url)
        incident_id = _major(ws, datetime.now(BEIJING) - timedelta(minutes=30))
        done = run_cli("incident", "submit", str(incident_id), "--kind", "initial")
        assert done.exit_code == 0, done.output
        assert "首次报告 submitted at" in done.stdout and "+08:00" in done.stdout and "the center has it" in done.stdout
        [view] = school_incidents(ctx.state, datetime.now(UTC))
        assert set(view.incident.reports) == {"initial"}
        again = run_cli("incident", "submit", str(incident_id), "--kind", "initial")
        assert again.exit_code == 2 and "already has its initial report" in again.stderr
    # The center is down when the follow-up is submitted at 10:05 Beijing time (given by hand).
    followup_at = (datetime.now(BEIJING) - timedelta(minutes=1)).replace(microsecond=0)
    late = run_cli("incident", "submit", str(incident_id), "--kind", "followup", "--at", followup_at.isoformat())
    assert late.exit_code == 0 and "not delivered yet" in late.stdout and "next forward run" in late.stdout
    with running_center(ctx, port):
        assert run_cli("forward", "run", "--once").exit_code == 0
    [view] = school_incidents(ctx.state, datetime.now(UTC))
    assert view.incident.reports["followup"] == followup_at  # its submission time, not the delivery time
