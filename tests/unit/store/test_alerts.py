"""Alerts as records: stored once by identity, found by filters, acknowledged and closed all or none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from secops.errors import SecopsError
from secops.models import Alert
from secops.store import Store, open_store
from secops.store import alerts as stored_alerts
from secops.store.alert_identity import (
    correlation_identity,
    digest,
    discovery_identity,
    sigma_identity,
    stored_identity,
    yara_identity,
)
from secops.store.alerts import AlertFilter, alert_row, commit_alerts, find_alerts, get_alert, set_status, store_alerts
from secops.store.schema import alerts
from tests.unit.store.databases import BACKENDS, database_url

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
EVENT = {"c-ip": "203.0.113.5", "cs-uri-query": "id=1 union select pwd", "sc-status": 200}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(database_url(request.param, tmp_path)) as opened:
        yield opened


def record(identity: str, **values: Any) -> Alert:
    return Alert(
        at=values.pop("at", NOW),
        source=values.pop("source", "sigma"),
        kind=values.pop("kind", "sigma_detection"),
        severity=values.pop("severity", "high"),
        title=values.pop("title", "SQL injection in the query"),
        asset_key=values.pop("asset_key", None),
        detail=values.pop("detail", {"rule": {"name": "sqli"}}),
        identity=identity,
    )


def row(identity: str, **values: Any) -> dict[str, Any]:
    return alert_row(record(identity, **values))


# --- identity -------------------------------------------------------------------------------------


def test_sigma_identity_follows_rule_record_and_event_not_the_file() -> None:
    base = sigma_identity("sigma", "rule-1", 7, EVENT)
    assert len(base) == 64 and int(base, 16) >= 0
    assert sigma_identity("sigma", "rule-1", 7, dict(reversed(EVENT.items()))) == base  # canonical JSON
    assert sigma_identity("sigma", "rule-2", 7, EVENT) != base
    assert sigma_identity("sigma", "rule-1", 8, EVENT) != base
    assert sigma_identity("sigma", "rule-1", 7, {**EVENT, "sc-status": 500}) != base
    assert sigma_identity("sigma-hunt", "rule-1", 7, EVENT) != base


def test_correlation_identity_is_the_sorted_members() -> None:
    members = [sigma_identity("sigma", "base", n, {"src_ip": "198.51.100.7", "n": n}) for n in range(5)]
    assert correlation_identity("sigma", "brute", members) == correlation_identity("sigma", "brute", members[::-1])
    assert correlation_identity("sigma", "brute", members[:4]) != correlation_identity("sigma", "brute", members)


def test_stored_rows_get_the_identity_writers_compute() -> None:
    """What migration 13 computes from an old row equals what today's writers store."""
    sigma_detail = {"rule": {"id": "rule-1"}, "log": {"file": {"path": "/a/access.log"}, "record": 7}}
    sigma_detail["sigma"] = {"type": "detection", "event": EVENT}
    assert stored_identity("sigma", "sigma_detection", None, NOW, sigma_detail) == sigma_identity(
        "sigma", "rule-1", 7, EVENT
    )
    yara_detail = {"rule": {"name": "china_chopper_php"}, "file": {"path": "/w/a.php", "hash": {"sha256": "ab" * 32}}}
    assert stored_identity("yara", "china_chopper_php", None, NOW, yara_detail) == yara_identity(
        "china_chopper_php", "/w/a.php", "ab" * 32
    )
    change = {"change": "host_new", "rule": "new_host"}
    assert stored_identity("assets", "new_host", "aa:bb", NOW, change, run_id=3) == discovery_identity(
        3, "aa:bb", "new_host", change
    )
    # anything else is at least unique per time, source, kind, asset and detail
    other = stored_identity("assets", "new_host", "aa:bb", NOW, change)
    assert other != stored_identity("assets", "new_host", "aa:bb", NOW + timedelta(seconds=1), change)
    assert digest([1, "a"]) == digest((1, "a"))


def test_canonical_json_is_the_same_on_both_paths() -> None:
    """orjson writes it; json only where orjson cannot (a 65-bit integer): the bytes agree."""
    import hashlib
    import json

    value = {"b": [1, 2.5, None, True], "a": '中文 \u0001 "q"', "c": {"z": 1, "y": "/x"}}
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert digest(value) == hashlib.sha256(expected).hexdigest()
    big = {"EventRecordID": 2**65}
    assert digest(big) == hashlib.sha256(b'{"EventRecordID":36893488147419103232}').hexdigest()


# --- storing once ---------------------------------------------------------------------------------


def test_store_alerts_counts_only_new_identities(store: Store) -> None:
    records = [record(digest(n)) for n in range(5)]
    with store.engine.begin() as conn:
        assert store_alerts(conn, records) == 5
    with store.engine.begin() as conn:
        assert store_alerts(conn, [*records[3:], record(digest(5)), record(digest(5), title="again")]) == 1
        assert store_alerts(conn, []) == 0
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one() == 6
        stored = conn.execute(sa.select(alerts).where(alerts.c.identity == digest(5))).mappings().one()
    assert stored["title"] == "SQL injection in the query"  # the first one stored stays
    assert stored["status"] == "open" and stored["status_at"] is None


def test_store_alerts_keeps_the_instant_in_utc(store: Store) -> None:
    shanghai = datetime(2026, 11, 23, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    with store.engine.begin() as conn:
        assert store_alerts(conn, iter([record(digest("east"), at=shanghai)])) == 1
    with store.engine.connect() as conn:
        at = conn.execute(sa.select(alerts.c.at).where(alerts.c.identity == digest("east"))).scalar_one()
    assert at == NOW and at.utcoffset() == timedelta(0)
    assert alert_row(record("x", at=shanghai))["at"].tzinfo is UTC


def test_store_alerts_counts_across_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_alerts, "CHUNK", 3)
    records = [record(digest(n)) for n in range(7)]
    with store.engine.begin() as conn:
        assert store_alerts(conn, (r for r in [*records, records[0], records[6]])) == 7
    assert commit_alerts(store, [*records, record(digest(7))]) == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one() == 8


def test_identity_is_unique_in_the_database(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(alerts.insert().values(**row("x" * 64)))
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(alerts.insert().values(**row("x" * 64)))


# --- finding --------------------------------------------------------------------------------------


def _seed(store: Store) -> None:
    shanghai = datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=8)))  # 00:00 UTC, kept as the instant
    records = [
        record(digest(1), at=NOW - timedelta(days=3), severity="low"),
        record(digest(2), at=NOW - timedelta(hours=2), severity="critical", source="yara", kind="chopper"),
        record(digest(3), at=NOW - timedelta(hours=1), severity="medium", source="assets", asset_key="aa:bb"),
        record(digest(4), at=NOW, severity="high", source="sigma-hunt"),
        record(digest(5), at=shanghai, severity="info"),
    ]
    with store.engine.begin() as conn:
        store_alerts(conn, records)


def test_find_filters_and_orders_newest_first(store: Store) -> None:
    _seed(store)
    every = find_alerts(store, AlertFilter())
    assert [a["at"] for a in every] == sorted((a["at"] for a in every), reverse=True)
    assert all(a["at"].tzinfo is not None for a in every)
    assert {a["source"] for a in every} == {"sigma", "yara", "discovery", "hunt"}
    assert [a["id"] for a in find_alerts(store, AlertFilter(sources=("yara",)))] == [2]
    assert {a["severity"] for a in find_alerts(store, AlertFilter(min_severity="high"))} == {"high", "critical"}
    recent = find_alerts(store, AlertFilter(since=NOW - timedelta(hours=2), sources=("sigma", "assets", "yara")))
    assert sorted(a["id"] for a in recent) == [2, 3]
    assert len(find_alerts(store, AlertFilter(limit=2))) == 2
    assert get_alert(store, 3)["host"] == "aa:bb"
    assert get_alert(store, 5)["at"] == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    with pytest.raises(SecopsError, match="no alert #99"):
        get_alert(store, 99)


def test_status_changes_are_all_or_none(store: Store) -> None:
    _seed(store)
    with pytest.raises(SecopsError, match=r"no alert #98, #99; nothing was acknowledged"):
        set_status(store, [1, 98, 2, 99], "acked", "on it", NOW)
    assert {a["status"] for a in find_alerts(store, AlertFilter(statuses=()))} == {"open"}

    done = set_status(store, [1, 2, 1], "acked", "网管已确认", NOW)
    assert (done.changed, done.unchanged) == ([1, 2], [])
    again = set_status(store, [2, 3], "acked", None, NOW + timedelta(minutes=5))
    assert (again.changed, again.unchanged) == ([3], [2])
    shown = get_alert(store, 2)
    assert (shown["status"], shown["status_note"], shown["status_at"]) == ("acked", "网管已确认", NOW)

    closed = set_status(store, [2], "closed", "webshell removed", NOW + timedelta(hours=1))
    assert closed.changed == [2]
    with pytest.raises(SecopsError, match="#2 is closed and cannot be acknowledged"):
        set_status(store, [1, 2], "acked", None, NOW)
    assert get_alert(store, 2)["status_note"] == "webshell removed"
    assert [a["id"] for a in find_alerts(store, AlertFilter(statuses=("closed",)))] == [2]
    assert 2 not in [a["id"] for a in find_alerts(store, AlertFilter())]  # default: open and acked
