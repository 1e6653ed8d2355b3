"""The school forwarder against the real center service (uvicorn on loopback, SQLite alert store)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.stores.base import AlertQuery
from secops.config import ForwardConfig, Workspace, load_workspace, save_config
from secops.forward import outbox
from secops.forward.sync import CenterClient, forward_once, load_target, save_key
from secops.forward.target import Target
from secops.store import Store
from secops.store.schema import center_alerts, forward_outbox
from secops.workspace import open_workspace_store
from tests.conftest import SCHOOL_CODE
from tests.unit.center import running_center
from tests.unit.forward.test_outbox import add_alerts, states

SECOPS = [sys.executable, "-m", "secops"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def center_on(ctx: CenterContext, port: int) -> AbstractContextManager[str]:
    return running_center(ctx, port)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


def connect(workspace: Workspace, ctx: CenterContext, url: str, *, rate_per_minute: int | None = None) -> Workspace:
    """What `secops center school add` + `secops forward setup` do, done directly."""
    key = add_school(
        ctx.state, SCHOOL_CODE, "测试实验中学", ctx.secret, datetime.now(UTC), rate_per_minute=rate_per_minute
    )
    save_key(workspace.path, key)
    save_config(workspace.path, workspace.config.model_copy(update={"forward": ForwardConfig(center=url)}))
    return load_workspace(workspace.path)


def center_ids(ctx: CenterContext) -> list[int]:
    """The workspace alert id of every alert the center stored (duplicates would repeat)."""
    with ctx.state.engine.connect() as conn:
        docs = conn.execute(sa.select(center_alerts.c.doc)).scalars().all()
    return sorted(doc["secops"]["alert_id"] for doc in docs)


def outbox_counts(store: Store) -> dict[str, int]:
    return states(store)


def test_n_alerts_forwarded_are_n_alerts_at_the_center_even_when_resent(
    workspace: Workspace, ctx: CenterContext
) -> None:
    port = free_port()
    with center_on(ctx, port) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url)
        add_alerts(store, 1234)
        target = load_target(ws)
        with CenterClient(target) as client:
            result = forward_once(target, store, client, batch=500)
            assert (result.enqueued, result.batches, result.created, result.deferred) == (1234, 3, 1234, None)
            assert ctx.alerts.count(AlertQuery()) == 1234 and center_ids(ctx) == list(range(1, 1235))
            assert outbox_counts(store) == {"sent": 1234}
            # Killed after the center stored a batch but before marking it: the resend is deduplicated.
            with store.engine.begin() as conn:
                conn.execute(forward_outbox.update().where(forward_outbox.c.alert_id > 1000).values(state="pending"))
            again = forward_once(target, store, client, batch=500)
            assert (again.created, again.duplicate) == (0, 234)
            assert ctx.alerts.count(AlertQuery()) == 1234 and outbox_counts(store) == {"sent": 1234}
            with store.engine.connect() as conn:
                center_id = conn.execute(
                    sa.select(forward_outbox.c.center_id).where(forward_outbox.c.alert_id == 1)
                ).scalar()
            stored = ctx.alerts.get(str(center_id))
            assert stored is not None and stored.school == SCHOOL_CODE and stored.doc["secops"]["alert_id"] == 1
            assert forward_once(target, store, client).sent == 0  # nothing new: nothing sent


def test_center_down_keeps_the_outbox_backs_off_and_delivers_later(workspace: Workspace, ctx: CenterContext) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ws = connect(workspace, ctx, url)
    target = load_target(ws)
    clock = [datetime.now(UTC)]
    with open_workspace_store(ws) as store, CenterClient(target, timeout=5) as client:
        add_alerts(store, 40)
        down = forward_once(target, store, client, batch=10, now=lambda: clock[0])
        assert down.sent == 0 and down.deferred and "cannot reach the center" in down.deferred
        assert down.next_attempt_at is not None and down.next_attempt_at > clock[0]
        assert outbox_counts(store) == {"pending": 40}
        assert outbox.due(store, clock[0], 100) == []  # backing off: nothing due, nothing lost
        with center_on(ctx, port):
            early = forward_once(target, store, client, batch=10, now=lambda: clock[0])
            assert early.sent == 0 and early.deferred is None and ctx.alerts.count(AlertQuery()) == 0
            clock[0] = down.next_attempt_at
            later = forward_once(target, store, client, batch=10, now=lambda: clock[0])
            assert later.created == 40 and later.batches == 4
        assert ctx.alerts.count(AlertQuery()) == 40 and outbox_counts(store) == {"sent": 40}


def test_backpressure_429_is_honoured_with_its_retry_after(workspace: Workspace, ctx: CenterContext) -> None:
    with center_on(ctx, free_port()) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url, rate_per_minute=1)
        target = load_target(ws)
        add_alerts(store, 25)
        start = datetime.now(UTC)
        with CenterClient(target) as client:
            result = forward_once(target, store, client, batch=10, now=lambda: start)
        assert result.created == 10 and result.deferred and "429" in result.deferred
        assert result.next_attempt_at is not None and result.next_attempt_at >= start + timedelta(seconds=1)
        assert outbox_counts(store) == {"sent": 10, "pending": 15}
        assert ctx.alerts.count(AlertQuery()) == 10


def test_kill_9_mid_run_then_restart_delivers_each_alert_exactly_once(
    workspace: Workspace, ctx: CenterContext, tmp_path: Path
) -> None:
    total = 1500
    with center_on(ctx, free_port()) as url:
        ws = connect(workspace, ctx, url)
        with open_workspace_store(ws) as store:
            add_alerts(store, total)
        command = [*SECOPS, "--workspace", str(ws.path), "forward", "run"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        forwarder = subprocess.Popen([*command, "--batch", "30", "--interval", "0.2"], env=env, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while ctx.alerts.count(AlertQuery()) < 300:
                assert forwarder.poll() is None, forwarder.stderr.read().decode() if forwarder.stderr else ""
                assert time.monotonic() < deadline, "the forwarder made no progress"
                time.sleep(0.05)
        finally:
            forwarder.send_signal(signal.SIGKILL)
            forwarder.wait(timeout=10)
        assert forwarder.returncode == -signal.SIGKILL
        with open_workspace_store(ws) as store:
            interrupted = outbox_counts(store)
        assert 0 < interrupted.get("sent", 0) < total and interrupted.get("pending", 0) > 0
        restarted = subprocess.run([*command, "--once", "--batch", "30"], env=env, capture_output=True, timeout=120)
        assert restarted.returncode == 0, restarted.stderr.decode()
        assert center_ids(ctx) == list(range(1, total + 1))  # every alert, each once
        with open_workspace_store(ws) as store:
            assert outbox_counts(store) == {"sent": total}


def test_a_revoked_key_is_a_clear_error_and_the_outbox_is_kept(workspace: Workspace, ctx: CenterContext) -> None:
    from secops.center.schools import revoke_school

    with center_on(ctx, free_port()) as url:
        ws = connect(workspace, ctx, url)
        revoke_school(ctx.state, SCHOOL_CODE, datetime.now(UTC))
        with open_workspace_store(ws) as store:
            add_alerts(store, 7)
        command = [*SECOPS, "--workspace", str(ws.path), "forward", "run", "--once"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        done = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert done.returncode == 2
        error = done.stderr.decode()
        assert "revoked" in error and "secops forward setup" in error and "Traceback" not in error
        assert len(error.strip().splitlines()) == 1
        with open_workspace_store(ws) as store:
            assert outbox_counts(store) == {"pending": 7}
            assert "revoked" in (outbox.summary(store, datetime.now(UTC))["last_error"] or "")
        assert ctx.alerts.count(AlertQuery()) == 0


def test_wrong_key_for_the_key_id_and_unknown_center_path_are_named(workspace: Workspace, ctx: CenterContext) -> None:
    from secops.errors import SecopsError
    from secops.protocol import signing

    with center_on(ctx, free_port()) as url, open_workspace_store(workspace) as store:
        ws = connect(workspace, ctx, url)
        add_alerts(store, 3)
        real = load_target(ws)
        forged = Target(real.center, real.school, real.school_name, signing.SchoolKey(real.key.key_id, "A" * 43))
        with CenterClient(forged) as client, pytest.raises(SecopsError, match="signature"):
            forward_once(forged, store, client)
        elsewhere = Target(url + "/nothing-here", real.school, real.school_name, real.key)
        with CenterClient(elsewhere) as client, pytest.raises(SecopsError, match="no alert API"):
            forward_once(elsewhere, store, client)
        assert outbox_counts(store) == {"pending": 3}


def test_sigterm_stops_after_the_batch_in_flight_with_everything_recorded(
    workspace: Workspace, ctx: CenterContext
) -> None:
    total = 900
    with center_on(ctx, free_port()) as url:
        ws = connect(workspace, ctx, url)
        with open_workspace_store(ws) as store:
            add_alerts(store, total)
        command = [*SECOPS, "--workspace", str(ws.path), "forward", "run", "--batch", "20"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        forwarder = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while ctx.alerts.count(AlertQuery()) < 100:
            assert forwarder.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        forwarder.send_signal(signal.SIGTERM)
        _, stderr = forwarder.communicate(timeout=30)
        assert forwarder.returncode == 0, stderr.decode()
        assert "stopped" in stderr.decode()
        with open_workspace_store(ws) as store:
            counts = outbox_counts(store)
        # Stopped early, and what the center took is exactly what the outbox marked as sent.
        assert 0 < counts["sent"] < total and counts["sent"] + counts["pending"] == total
        assert center_ids(ctx) == list(range(1, counts["sent"] + 1))
