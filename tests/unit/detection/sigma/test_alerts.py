"""Sigma, hunt and YARA matches stored as alerts: each once, lazily, counted as new."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.detection.events import Match
from secops.detection.hunt_alerts import store_hunt_alerts
from secops.detection.sigma.alerts import store_matches
from secops.detection.yara.alerts import store_hits
from secops.detection.yara.scanner import YaraHit
from secops.store import Store, open_store
from secops.store import alerts as stored_alerts
from secops.store.alerts import set_status
from secops.store.schema import alerts
from tests.unit.store.databases import BACKENDS, database_url

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
CST = timezone(timedelta(hours=8))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(database_url(request.param, tmp_path)) as opened:
        yield opened


def match(record: int, path: str = "/var/log/nginx/access.log", rule: str = "rule-sqli") -> Match:
    return Match(
        rule_id=rule,
        rule_title="SQL injection in the query",
        level="high",
        tags=["attack.t1190"],
        log_file=path,
        record=record,
        timestamp=datetime(2026, 11, 23, 10, 0, tzinfo=CST) + timedelta(seconds=record),
        event={"c-ip": "203.0.113.5", "cs-uri-query": f"id={record} union select pwd"},
    )


def count(store: Store, source: str = "sigma") -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(alerts.c.source == source)).scalar_one())


def test_same_log_stored_twice_or_rotated_adds_nothing(store: Store) -> None:
    assert store_matches(store, [match(1), match(2)], NOW) == 2
    assert store_matches(store, [match(1), match(2)], NOW) == 0
    rotated = [match(1, "/var/log/nginx/access.log.1"), match(2, "/srv/copy/access.log.1.gz")]
    assert store_matches(store, rotated, NOW) == 0
    assert store_matches(store, [match(1), match(3)], NOW) == 1
    assert store_matches(store, [match(1, rule="rule-other")], NOW) == 1
    assert count(store) == 4
    with store.engine.connect() as conn:
        at = conn.execute(sa.select(alerts.c.at).where(alerts.c.id == 1)).scalar_one()
    assert at == datetime(2026, 11, 23, 2, 0, 1, tzinfo=UTC)  # the event's instant, +08:00 in the log


def test_matches_are_consumed_lazily_in_chunks(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_alerts, "CHUNK", 100)
    seen: list[int] = []

    def matches() -> Iterator[Match]:
        for n in range(1, 351):
            if n in (101, 201, 301):  # the chunk before was written before this one was asked for
                seen.append(count(store))
            yield match(n)
        yield match(5)  # a duplicate within the same call

    assert store_matches(store, matches(), NOW) == 350
    assert seen == [100, 200, 300]
    assert store_matches(store, (match(n) for n in range(340, 360)), NOW) == 9


def test_correlations_are_their_members(store: Store) -> None:
    def burst(records: range, path: str) -> Match:
        found = match(records[-1], path, "rule-brute")
        found.rule_type = "correlation"
        found.event = {"src_ip": "198.51.100.7"}
        found.members = [match(n, path, "rule-failed") for n in records]
        return found

    assert store_matches(store, [burst(range(1, 6), "/var/log/auth.log")], NOW) == 1
    assert store_matches(store, [burst(range(1, 6), "/var/log/auth.log.1")], NOW) == 0
    assert store_matches(store, [burst(range(1, 7), "/var/log/auth.log")], NOW) == 1


def test_hunts_are_stored_once_apart_from_local_runs(store: Store) -> None:
    assert store_hunt_alerts(store, [match(1), match(2)], NOW, "secops-events-*") == 2
    assert store_hunt_alerts(store, [match(2), match(3)], NOW, "secops-events-*") == 1
    assert store_matches(store, [match(1)], NOW) == 1  # a local run of the same log is another source
    assert count(store, "sigma-hunt") == 3


def hit(path: str, sha256: str, rule: str = "china_chopper_php") -> YaraHit:
    meta = {"severity": "critical", "description": "China Chopper webshell", "family": "China Chopper"}
    return YaraHit(path, rule, "webshell_chopper", [], meta, [], sha256, 120)


def test_yara_hits_once_per_rule_path_and_content_even_closed(store: Store) -> None:
    assert store_hits(store, [hit("/www/a.php", "aa" * 32), hit("/www/b.php", "bb" * 32)], NOW) == (2, 0)
    assert store_hits(store, [hit("/www/a.php", "aa" * 32)], NOW) == (0, 1)
    set_status(store, [1], "closed", "removed", NOW)
    assert store_hits(store, [hit("/www/a.php", "aa" * 32)], NOW) == (0, 1)  # closed: handled, not raised again
    assert store_hits(store, [hit("/backup/a.php", "aa" * 32)], NOW) == (1, 0)  # the same shell planted elsewhere
    assert store_hits(store, [hit("/www/a.php", "cc" * 32)], NOW) == (1, 0)  # changed content
    assert store_hits(store, [], NOW) == (0, 0)
    assert count(store, "yara") == 4


def test_a_rule_with_a_chinese_title_gives_chinese_alerts_and_keeps_the_english_name(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    chinese = match(1)
    chinese.rule_title_zh = "查询参数中的 SQL 注入"
    chinese.tags = ["attack.initial-access", "attack.t1190"]
    monkeypatch.setenv("SECOPS_LANG", "zh")
    assert store_matches(store, [chinese], NOW) == 1
    english = match(2)
    english.rule_title_zh = "查询参数中的 SQL 注入"
    monkeypatch.setenv("SECOPS_LANG", "en")
    assert store_matches(store, [english, match(3, rule="sigmahq-rule")], NOW) == 2
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(alerts.c.title, alerts.c.detail).order_by(alerts.c.id)).all()
    titles = [row.title for row in rows]
    assert titles == ["查询参数中的 SQL 注入", "SQL injection in the query", "SQL injection in the query"]
    detail = rows[0].detail if isinstance(rows[0].detail, dict) else __import__("json").loads(rows[0].detail)
    assert detail["rule"]["name"] == "SQL injection in the query" and detail["rule"]["name_zh"] == chinese.rule_title_zh
    assert detail["threat"]["tactic"] == {"id": ["TA0001"], "name": ["初始访问"]}
    assert detail["threat"]["technique"] == {"id": ["T1190"]}
