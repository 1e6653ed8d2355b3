"""`secops detect index | hunt` against the real Elasticsearch node."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from elasticsearch import Elasticsearch

from secops.config import Workspace
from secops.store.schema import alerts
from secops.workspace import open_workspace_store
from tests.conftest import Invoke

pytestmark = pytest.mark.es

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "secops" / "lab" / "samples"
SINCE = ("--since", "2026-01-01T00:00:00Z", "--until", "2027-01-01T00:00:00Z")


@pytest.fixture
def index(es_url: str, es_prefix: str) -> Iterator[str]:
    yield f"{es_prefix}-events"
    Elasticsearch(es_url).options(ignore_status=404).indices.delete(index=f"{es_prefix}-*")


def test_index_then_hunt_matches_detect_run_and_stores_alerts(
    run_cli: Invoke, workspace: Workspace, es_url: str, index: str
) -> None:
    logs = [str(LAB / "web-access.log"), str(LAB / "auth.log")]
    indexed = run_cli("detect", "index", *logs, "--es", es_url, "--index", index)
    assert indexed.exit_code == 0, indexed.stderr
    assert "351 event(s) of 2 file(s) indexed" in indexed.stderr and "0 rejected" in indexed.stderr

    local = run_cli("detect", "run", *logs, "--format", "jsonl")
    assert local.exit_code == 1
    expected = {(m["rule_id"], m["log_file"], m["record"]) for m in map(json.loads, local.stdout.splitlines())}

    hunted = run_cli("detect", "hunt", "--es", es_url, "--index", f"{index[:-3]}*", *SINCE, "--format", "json")
    assert hunted.exit_code == 1, hunted.stderr
    document = json.loads(hunted.stdout)
    assert {(m["rule_id"], m["log_file"], m["record"]) for m in document["matches"]} == expected
    assert any(m.get("type") == "correlation" for m in document["matches"])
    assert document["stored"] == len(expected)
    assert "0 not hunted" in hunted.stderr

    with open_workspace_store(workspace) as store, store.engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).where(alerts.c.source == "sigma-hunt")).scalar_one()
    assert stored == len(expected)

    again = run_cli("detect", "hunt", "--es", es_url, "--index", index, *SINCE)  # table; nothing new to store
    assert again.exit_code == 1
    assert "match(es) of" in again.stdout and "0 new alert(s) stored" in again.stderr


def test_no_store_only_prints(run_cli: Invoke, workspace: Workspace, es_url: str, index: str) -> None:
    run_cli("detect", "index", str(LAB / "auth.log"), "--es", es_url, "--index", index)
    result = run_cli("detect", "hunt", "--es", es_url, "--index", index, *SINCE, "--no-store")
    assert result.exit_code == 1 and "new alert(s)" not in result.stderr
    with open_workspace_store(workspace) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one() == 0
    quiet = run_cli("detect", "hunt", "--es", es_url, "--index", index, "--since", "30m", "--no-store")
    # the samples are older than 30 minutes; "nothing" is said on stderr, so a pipe reads nothing
    assert quiet.exit_code == 0 and "No matches." in quiet.stderr and quiet.stdout == ""


def test_bad_input_is_one_line_and_exit_2(run_cli: Invoke, workspace: Workspace, es_url: str, index: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    cases = [
        (("--es", f"http://127.0.0.1:{closed}", "--index", index), "not reachable"),
        (("--es", es_url, "--index", index), "no Elasticsearch index matches"),
        (("--es", es_url, "--index", index, "--since", "yesterday"), "neither a duration nor an ISO time"),
        (("--es", es_url, "--index", index, "--rules", "/nonexistent/rules"), "no such rule file"),
    ]
    for args, message in cases:
        result = run_cli("detect", "hunt", *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
