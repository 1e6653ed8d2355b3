"""通报 down, status up: a notice issued at a real center on loopback reaches the school on its next
forwarder pass, verified against the pinned center key, and opens a 60-hour 通报 incident there;
its status (received, acknowledged, rectified with an evidence summary) shows at the center. Forged,
misaddressed, expired and replayed envelopes are refused or ignored, and the refusal reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.notices import issue_notice, notice_views
from secops.center.open import open_center
from secops.center.signing_key import signing_key
from secops.config import Workspace, load_workspace, save_config
from secops.forward.sync import CenterClient, forward_once, load_target
from secops.incident.audit import audit_key
from secops.incident.clocks import clocks_for
from secops.incident.model import Session, get_incident, list_incidents, set_fields, transition
from secops.incident.policy import load_policy
from secops.protocol import envelope
from secops.protocol.notices import NoticeBody
from secops.store.schema import center_outbound, forward_received
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE, Invoke
from tests.integration.test_forward import connect
from tests.unit.center import running_center

BEIJING = timezone(timedelta(hours=8))
OTHER = "4111010002"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def _pin(ws: Workspace, ctx: CenterContext) -> Workspace:
    forward = ws.config.forward
    assert forward is not None
    pinned = forward.model_copy(update={"center_key": envelope.public_text(signing_key(ctx.home))})
    save_config(ws.path, ws.config.model_copy(update={"forward": pinned}))
    return load_workspace(ws.path)


def _issue(ctx: CenterContext, title: str = "某教务系统远程代码执行漏洞", **changes: object) -> str:
    values: dict[str, object] = {
        "kind": "vulnerability",
        "title": title,
        "text": "请于 60 小时内完成排查、修复并反馈。",
        "due": timedelta(hours=60),
        "schools": [SCHOOL_CODE],
        "audience_text": SCHOOL_CODE,
        "issued_by": "省中心值班员",
        "issuer": "省教育网络安全监测中心",
        "now": datetime.now(UTC),
        **changes,
    }
    return issue_notice(ctx.state, ctx.home, **values).id  # type: ignore[arg-type]


def _pass(ws: Workspace) -> str:
    target = load_target(ws)
    with open_workspace_store(ws) as store, CenterClient(target) as client:
        result = forward_once(target, store, client)
    return result.inbox or ""


def test_a_notice_opens_a_60_hour_incident_and_its_status_goes_back_up(
    workspace: Workspace, ctx: CenterContext, tmp_path: Path
) -> None:
    advisory = tmp_path / "advisory.txt"
    advisory.write_text("CVE-2026-0001 修复指引", encoding="utf-8")
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        notice_id = _issue(ctx, attachments=[advisory])
        line = _pass(ws)
        assert "漏洞通报" in line and "incident #1 opened" in line
        with open_workspace_store(ws) as store:
            [incident] = list_incidents(store)
            assert incident.notified and incident.playbook == "notified-vulnerability"
            assert (incident.category, incident.subcategory) == ("07", "网络漏洞")
            assert incident.facts["notice_id"] == notice_id
            issued = datetime.fromisoformat(incident.facts["notice_issued_at"])
            assert incident.detected_at == issued  # the clock runs from the issue time
            clock = {c.deadline_id: c for c in clocks_for(incident, load_policy(), datetime.now(UTC))}
            assert clock["handle-notified"].due_at == issued + timedelta(hours=60)
            saved = ws.path / "notices" / notice_id / "advisory.txt"
            assert saved.read_text(encoding="utf-8") == "CVE-2026-0001 修复指引" and saved.stat().st_mode & 0o077 == 0
        [view] = notice_views(ctx.state, datetime.now(UTC))
        [school] = view.schools
        assert school.status == "received" and school.received_at is not None and not school.overdue

        # The school acknowledges, then rectifies with its measures as the evidence summary.
        with open_workspace_store(ws) as store:
            session = Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))
            transition(session, incident.id, "acknowledged")
        assert "status: sent 1" in _pass(ws)
        assert notice_views(ctx.state, datetime.now(UTC))[0].schools[0].status == "acknowledged"
        with open_workspace_store(ws) as store:
            session = Session(store, audit_key(ws.path, store), "值班员", datetime.now(UTC))
            current = get_incident(store, incident.id)
            set_fields(session, incident.id, "set", {"facts": {**current.facts, "measures": "已升级至 3.2.1 并复测"}})
            transition(session, incident.id, "recovered")
        _pass(ws)
        [school] = notice_views(ctx.state, datetime.now(UTC))[0].schools
        assert school.status == "rectified" and school.summary == "已升级至 3.2.1 并复测" and not school.overdue
        assert _pass(ws) in ("nothing new", "status: up to date")  # nothing sent twice


def _inject(ctx: CenterContext, sealed: envelope.Envelope, schools: list[str]) -> None:
    """An envelope in the outbound queue as if the center had sent it (or someone in between)."""
    payload = json.loads(__import__("base64").b64decode(sealed.payload))
    with ctx.state.engine.begin() as conn:
        conn.execute(
            center_outbound.insert().values(
                id=payload["id"] + "-copy" if _exists(ctx, payload["id"]) else payload["id"],
                kind="notice",
                issued_at=datetime.now(UTC),
                expires_at=datetime.now(UTC) + timedelta(days=1),
                schools=schools,
                envelope=sealed.model_dump(),
            )
        )


def _exists(ctx: CenterContext, item_id: str) -> bool:
    with ctx.state.engine.connect() as conn:
        return conn.execute(sa.select(center_outbound.c.id).where(center_outbound.c.id == item_id)).first() is not None


def _payload(notice_id: str, *, schools: list[str], expires: datetime) -> envelope.Payload:
    now = datetime.now(UTC)
    body = NoticeBody(
        kind="vulnerability", title="伪造的通报", text="点击链接下载补丁", due_at=now + timedelta(hours=60)
    )
    return envelope.Payload(
        kind="notice", id=notice_id, issuer="?", issued_at=now, expires_at=expires, schools=schools,
        body=body.model_dump(mode="json"),
    )  # fmt: skip


def test_forged_misaddressed_expired_and_replayed_envelopes(workspace: Workspace, ctx: CenterContext) -> None:
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        later = datetime.now(UTC) + timedelta(days=1)
        forged = envelope.seal(envelope.new_private_key(), _payload("nforged000001", schools=[], expires=later))
        foreign = envelope.seal(signing_key(ctx.home), _payload("nforeign00001", schools=[OTHER], expires=later))
        expired = envelope.seal(
            signing_key(ctx.home), _payload("nexpired00001", schools=[], expires=datetime.now(UTC) - timedelta(hours=1))
        )
        for sealed in (forged, foreign, expired):
            _inject(ctx, sealed, [])
        line = _pass(ws)
        assert line.count("refused") == 3
        assert "not the pinned center key" in line and "addressed to other schools" in line and "expired" in line
        with open_workspace_store(ws) as store:
            assert list_incidents(store) == []  # nothing opened from any of them
        # A genuine notice, then the same envelope again (replayed under a new sequence number).
        genuine = _issue(ctx)
        assert "incident #1 opened" in _pass(ws)
        with ctx.state.engine.connect() as conn:
            sealed = conn.execute(
                sa.select(center_outbound.c.envelope).where(center_outbound.c.id == genuine)
            ).scalar_one()
        _inject(ctx, envelope.Envelope.model_validate(sealed), [SCHOOL_CODE])
        assert "opened" not in _pass(ws)
        with open_workspace_store(ws) as store:
            assert len(list_incidents(store)) == 1
            with store.engine.connect() as conn:
                refused = conn.execute(
                    sa.select(sa.func.count()).where(forward_received.c.accepted.is_(False))
                ).scalar_one()
            assert refused == 3


def test_without_a_pinned_key_nothing_is_accepted_and_a_school_that_never_fetches_is_overdue(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke
) -> None:
    with running_center(ctx) as url:
        ws = connect(workspace, ctx, url)  # no --center-key
        _issue(ctx)
        assert "no center key pinned" in _pass(ws)
        with open_workspace_store(ws) as store:
            assert list_incidents(store) == []
    # 61 hours on, the school has not even received it: overdue at the center.
    [view] = notice_views(ctx.state, datetime.now(UTC) + timedelta(hours=61))
    [school] = view.schools
    assert school.status == "not_received" and school.overdue


def test_the_cli_issues_lists_and_shows_notices(workspace: Workspace, ctx: CenterContext, run_cli: Invoke) -> None:
    from secops.center.schools import add_school

    add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC))
    add_school(ctx.state, OTHER, "第二中学", ctx.secret, datetime.now(UTC))
    home = str(ctx.home)
    key = run_cli("center", "--home", home, "key", "show")
    assert key.exit_code == 0 and key.stdout.startswith("ed25519:") and "fingerprint" in key.stderr
    assert run_cli("center", "--home", home, "group", "add", "县一", SCHOOL_CODE, OTHER).exit_code == 0
    issued = run_cli(
        "center", "--home", home, "notice", "issue", "--group", "县一", "--kind", "threat",
        "--title", "勒索软件攻击预警", "--body", "请检查备份", "--due", "3d",
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    assert "分组 县一（2 所）" in issued.stdout and "+08:00" in issued.stdout
    listed = json.loads(run_cli("center", "--home", home, "notice", "list", "--format", "json").stdout)
    assert listed[0]["title"] == "勒索软件攻击预警" and listed[0]["schools"] == 2 and listed[0]["overdue"] == 0
    shown = json.loads(run_cli("center", "--home", home, "notice", "show", listed[0]["id"], "--format", "json").stdout)
    assert {s["status"] for s in shown["schools"]} == {"not_received"}
    both = run_cli(
        "center", "--home", home, "notice", "issue", "--all", "--group", "县一", "--kind", "policy", "--title", "x"
    )
    assert both.exit_code == 2 and "exactly one of" in both.stderr
    bad = run_cli(
        "center", "--home", home, "notice", "issue", "--all", "--kind", "policy", "--title", "x", "--due", "soon"
    )
    assert bad.exit_code == 2 and "--due" in bad.stderr
    assert run_cli("center", "--home", home, "notice", "show", "nope").exit_code == 2
    # The key a school pins must be a center key.
    wrong = run_cli("forward", "setup", "--center", "http://127.0.0.1:9", "--key-file", __file__, "--center-key", "abc")
    assert wrong.exit_code == 2


def test_a_notice_due_sooner_than_60_hours_sets_the_schools_clock(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke
) -> None:
    with running_center(ctx) as url:
        ws = _pin(connect(workspace, ctx, url), ctx)
        _issue(ctx, title="紧急漏洞", due=timedelta(hours=24))
        _pass(ws)
        with open_workspace_store(ws) as store:
            [incident] = list_incidents(store)
            issued = datetime.fromisoformat(incident.facts["notice_issued_at"])
            [clock] = [
                c for c in clocks_for(incident, load_policy(), datetime.now(UTC)) if c.deadline_id == "handle-notified"
            ]
    assert clock.due_at == issued + timedelta(hours=24)  # the notice's deadline, not the policy's 60 hours
    assert "按通报要求" in clock.name
    [view] = notice_views(ctx.state, datetime.now(UTC))
    assert view.due_at == clock.due_at  # the center and the school watch the same moment
    # the notice itself, its issuer and deadline in Beijing time (in Chinese, the default language)
    shown = run_cli("--lang", "zh", "incident", "show", "1")
    beijing = clock.due_at.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert shown.exit_code == 0 and f"整改期限 {beijing}" in shown.stdout
    assert (
        "下发单位 省教育网络安全监测中心" in shown.stdout and "│ 请于 60 小时内完成排查、修复并反馈。" in shown.stdout
    )


def test_setup_check_refuses_a_center_key_that_is_not_the_centers(
    workspace: Workspace, ctx: CenterContext, run_cli: Invoke, tmp_path: Path
) -> None:
    from secops.center.schools import add_school

    key = add_school(ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC))
    key_file = tmp_path / "school.key"
    key_file.write_text(key.text + "\n")
    stranger = envelope.public_text(envelope.new_private_key())
    with running_center(ctx) as url:
        setup = ("forward", "setup", "--center", url, "--key-file", str(key_file), "--check")
        wrong = run_cli("--lang", "zh", *setup, "--center-key", stranger)
        assert wrong.exit_code == 2 and "不是" in wrong.stderr and "签名公钥" in wrong.stderr
        malformed = run_cli(*setup, "--center-key", "notakey")
        assert malformed.exit_code == 2 and "Center" not in malformed.stdout  # refused before any request
        right = run_cli(*setup, "--center-key", envelope.public_text(signing_key(ctx.home)))
        assert right.exit_code == 0, right.output
