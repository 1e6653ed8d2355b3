"""Faults: Elasticsearch down, a store falling behind, and kill -9 of the center mid-batch."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.stores.base import AlertQuery
from secops.center.stores.elasticsearch import ElasticsearchAlertStore
from secops.center.stores.es_mapping import template_name
from secops.protocol.alerts import alert_id
from tests.unit.center import alert, body_of, post, running_center

CODE = "4111010001"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.es
def test_elasticsearch_down_answers_503_and_the_alerts_go_in_later(tmp_path: Path, es_url: str, es_prefix: str) -> None:
    home = tmp_path / "center"
    down = open_center(home, es_url=f"http://127.0.0.1:{closed_port()}", es_prefix=es_prefix)
    key = add_school(down.state, CODE, "一中", down.secret, datetime.now(UTC))
    batch = body_of([alert(n) for n in range(50)])
    try:
        with running_center(down) as url, httpx.Client(base_url=url, timeout=60) as http:
            health = http.get("/api/v1/health")
            assert health.status_code == 503 and health.json()["store"] == "unavailable"
            response = post(http, key, CODE, batch)
            assert response.status_code == 503, response.text
            assert "alert store is unavailable" in response.json()["error"]
            assert int(response.headers["Retry-After"]) > 0
    finally:
        down.close()
    # The sender kept the batch; once Elasticsearch is back, every alert goes in exactly once.
    up = open_center(home, es_url=es_url, es_prefix=es_prefix)
    try:
        with running_center(up) as url, httpx.Client(base_url=url, timeout=60) as http:
            assert http.get("/api/v1/health").json()["status"] == "ok"
            data = post(http, key, CODE, batch).json()
            assert (data["created"], data["duplicate"]) == (50, 0)
        assert isinstance(up.alerts, ElasticsearchAlertStore)
        up.alerts.refresh()
        assert up.alerts.count(AlertQuery(school=CODE)) == 50
    finally:
        assert isinstance(up.alerts, ElasticsearchAlertStore)
        up.alerts.client.indices.delete(index=f"{es_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        up.alerts.client.indices.delete_index_template(name=template_name(es_prefix))
        up.close()


def test_backpressure_answers_429_and_stores_only_what_it_acknowledged(tmp_path: Path) -> None:
    ctx = open_center(tmp_path / "center")
    key = add_school(ctx.state, CODE, "一中", ctx.secret, datetime.now(UTC))
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def sender(n: int, url: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            response = post(http, key, CODE, body_of([alert(n * 10_000 + i) for i in range(3000)]))
        with lock:
            answers.append(response)

    try:
        # one write slot and almost no patience: concurrent batches must be pushed back, not queued
        with running_center(ctx, store_writes=1, slot_wait=0.01) as url:
            threads = [threading.Thread(target=sender, args=(n, url)) for n in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        statuses = sorted(r.status_code for r in answers)
        assert 429 in statuses and 200 in statuses and set(statuses) <= {200, 429}, statuses
        for response in answers:
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) >= 1
                assert "busy" in response.json()["error"]
        created = sum(r.json()["created"] for r in answers if r.status_code == 200)
        assert created == 3000 * statuses.count(200) == ctx.alerts.count(AlertQuery())
    finally:
        ctx.close()


def _center_command(home: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "secops", "center", "--home", str(home), "serve", "--port", str(port)]


def _start(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen(_center_command(home, port), stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"the center did not start: {log.read_text()[-2000:]}")


@pytest.fixture
def center_proc() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_kill_9_mid_batch_loses_and_duplicates_nothing(
    tmp_path: Path, center_proc: list[subprocess.Popen[bytes]]
) -> None:
    home = tmp_path / "center"
    ctx = open_center(home)
    key = add_school(ctx.state, CODE, "一中", ctx.secret, datetime.now(UTC))
    ctx.close()
    batches = [[alert(b * 100_000 + i) for i in range(2000)] for b in range(12)]
    expected = {alert_id(CODE, {**a, "organization": {"id": CODE}}) for batch in batches for a in batch}
    assert len(expected) == 12 * 2000
    port, log = closed_port(), tmp_path / "center.log"
    center_proc.append(_start(home, port, log))
    acked: set[int] = set()
    in_flight = threading.Event()
    failed: list[str] = []

    def sender() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for n, batch in enumerate(batches):
                in_flight.set()
                try:
                    response = post(http, key, CODE, body_of(batch))
                except httpx.HTTPError as exc:
                    failed.append(type(exc).__name__)
                    return
                if response.status_code == 200:
                    acked.add(n)

    thread = threading.Thread(target=sender)
    thread.start()
    while len(acked) < 3 and thread.is_alive():
        time.sleep(0.005)
    in_flight.clear()
    in_flight.wait(10)  # the next batch is on its way
    time.sleep(0.05)
    os.killpg(center_proc[0].pid, signal.SIGKILL)
    thread.join(60)
    assert failed, "the kill came after the last batch; nothing was interrupted"
    assert 3 <= len(acked) < len(batches)

    center_proc.append(_start(home, port, log))
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        for n, batch in enumerate(batches):
            if n in acked:
                continue
            response = post(http, key, CODE, body_of(batch))
            assert response.status_code == 200, response.text
            statuses = {r["status"] for r in response.json()["results"]}
            assert statuses <= {"created", "duplicate"}
    center_proc[1].send_signal(signal.SIGTERM)
    center_proc[1].wait(timeout=20)

    after = open_center(home)
    try:
        assert after.alerts.count(AlertQuery()) == len(expected)
        found = {a.id for a in after.alerts.search(AlertQuery(limit=len(expected) + 10))}
        assert found == expected
    finally:
        after.close()
    assert "Webshell" not in log.read_text()  # the log has requests, never alert contents
