"""The Elasticsearch alert store on the real node: template, monthly indices, dedup, queries, concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from secops.center.ingest import prepare_alert
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.stores.base import AlertQuery, StoredAlert
from secops.center.stores.elasticsearch import ElasticsearchAlertStore
from secops.center.stores.es_mapping import template_name
from tests.unit.center import alert, body_of, post, running_center

pytestmark = pytest.mark.es
NOW = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def store(es_url: str, es_prefix: str) -> Iterator[ElasticsearchAlertStore]:
    es = ElasticsearchAlertStore.from_url(es_url, prefix=es_prefix)
    es.ensure_ready()
    yield es
    es.client.indices.delete(index=f"{es_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    es.client.indices.delete_index_template(name=template_name(es_prefix))
    es.close()


def stored(school: str, n: int, received: datetime = NOW, **fields: object) -> StoredAlert:
    return prepare_alert(alert(n, **fields), school, NOW, received)


def test_monthly_indices_dedup_and_mapping(store: ElasticsearchAlertStore, es_prefix: str) -> None:
    batch = [stored("4111010001", n) for n in range(10)]
    batch.append(stored("4111010001", 100, **{"@timestamp": "2026-10-31T20:00:00-08:00"}))  # 11-01 UTC
    batch.append(batch[0])  # repeated inside the batch
    outcomes = store.insert(batch)
    assert [o.status for o in outcomes] == ["created"] * 11 + ["duplicate"]
    store.refresh()
    assert store.count(AlertQuery()) == 11
    again = store.insert(batch[:5])
    assert {o.status for o in again} == {"duplicate"}
    # The UTC month decides: 2026-11-01T00:00+08:00 (alert 0) is still October in UTC.
    assert set(store.client.indices.get(index=f"{es_prefix}-*")) == {f"{es_prefix}-2026.10", f"{es_prefix}-2026.11"}
    store.insert([stored("4111010001", 1, **{"@timestamp": "2026-12-01T07:59:59+08:00"})])
    assert f"{es_prefix}-2026.12" not in set(store.client.indices.get(index=f"{es_prefix}-*"))
    store.insert([stored("4111010001", 1, **{"@timestamp": "2026-12-01T08:00:00+08:00"})])
    assert f"{es_prefix}-2026.12" in set(store.client.indices.get(index=f"{es_prefix}-*"))
    mapping = store.client.indices.get_mapping(index=f"{es_prefix}-2026.12")[f"{es_prefix}-2026.12"]["mappings"]
    props = mapping["properties"]
    assert props["@timestamp"]["type"] == "date" and props["received_at"]["type"] == "date"
    assert props["organization"]["properties"]["id"]["type"] == "keyword"
    assert props["secops"]["properties"]["severity"]["type"] == "keyword"
    assert props["host"]["properties"]["name"]["type"] == "keyword"
    assert props["rule"]["properties"]["name"]["type"] == "keyword"


def test_queries_and_aggregations(store: ElasticsearchAlertStore) -> None:
    a, b = "4111010001", "4111010002"
    late = NOW + timedelta(hours=3)
    batch = [stored(a, n) for n in range(8)] + [
        stored(b, n, received=late, rule={"name": f"扫描 {n}"}) for n in range(4)
    ]
    store.insert(batch)
    store.refresh()
    assert store.count(AlertQuery(school=b)) == 4
    assert store.count_by("school", AlertQuery()) == {a: 8, b: 4}
    assert store.count_by("severity", AlertQuery(school=a)) == {"low": 2, "medium": 2, "high": 2, "critical": 2}
    assert store.count(AlertQuery(severities=("high", "critical"))) == 6
    since = datetime(2026, 11, 3, tzinfo=UTC)
    expected = sum(1 for s in batch if s.at >= since)
    assert store.count(AlertQuery(since=since)) == expected
    assert store.count(AlertQuery(until=since)) == len(batch) - expected
    assert store.count(AlertQuery(text="扫描 3")) == 1 and store.count(AlertQuery(text="Webshell")) == 8
    assert store.count(AlertQuery(text="*")) == 0
    found = store.search(AlertQuery(limit=5))
    assert len(found) == 5 and [x.at for x in found] == sorted((x.at for x in found), reverse=True)
    assert found[0].at == max(s.at for s in batch)
    page2 = store.search(AlertQuery(limit=5, offset=5))
    assert not {x.id for x in found} & {x.id for x in page2}
    one = store.get(batch[9].id)
    assert one is not None and one.doc == batch[9].doc and one.school == b and one.title == "扫描 1"
    assert one.received_at == late and store.get("0" * 64) is None
    days = store.histogram(AlertQuery(), "day")
    assert sum(n for _, n in days) == 12 and days == sorted(days)
    assert all(d.tzinfo is not None and d.hour == 0 for d, _ in days)
    hours = store.histogram(AlertQuery(school=a), "hour")
    assert sum(n for _, n in hours) == 8
    assert store.last_received() == {a: NOW, b: late}


def test_received_order_pages_by_keyset_on_both_stores(store: ElasticsearchAlertStore, tmp_path: Path) -> None:
    """Oldest received first, page after page by (received_at, id): every alert once, in order."""
    center = open_center(tmp_path / "center", now=lambda: NOW)
    alerts = [stored("4111010001", n, received=NOW + timedelta(seconds=n // 3)) for n in range(25)]
    try:
        for target in (store, center.alerts):
            target.insert(alerts)
            if isinstance(target, ElasticsearchAlertStore):
                target.refresh()
            seen: list[StoredAlert] = []
            after = None
            while True:
                page = target.search(
                    AlertQuery(
                        received_since=NOW + timedelta(seconds=2), order="received", received_after=after, limit=4
                    )
                )
                seen.extend(page)
                if len(page) < 4:
                    break
                after = (page[-1].received_at, page[-1].id)
            expected = sorted(
                (a for a in alerts if a.received_at >= NOW + timedelta(seconds=2)), key=lambda a: (a.received_at, a.id)
            )
            assert [a.id for a in seen] == [a.id for a in expected]
    finally:
        center.close()


def test_empty_store_answers_without_indices(store: ElasticsearchAlertStore) -> None:
    assert store.count(AlertQuery()) == 0 and store.search(AlertQuery()) == []
    assert store.histogram(AlertQuery(), "day") == [] and store.last_received() == {}
    assert store.count_by("school", AlertQuery()) == {}


def test_a_field_type_conflict_is_a_per_alert_failure(store: ElasticsearchAlertStore) -> None:
    outcomes = store.insert(
        [stored("4111010001", 1, event={"severity": 50, "created": "not a date"}), stored("4111010001", 2)]
    )
    assert [o.status for o in outcomes] == ["failed", "created"]
    assert outcomes[0].error and "not a date" not in outcomes[0].error


def test_eight_concurrent_senders_lose_and_duplicate_nothing(tmp_path: Path, es_url: str, es_prefix: str) -> None:
    ctx = open_center(tmp_path / "center", es_url=es_url, es_prefix=es_prefix)
    schools = [f"41110100{n:02d}" for n in range(1, 9)]
    keys = {code: add_school(ctx.state, code, f"学校{code}", ctx.secret, datetime.now(UTC)) for code in schools}
    per_school, batch = 600, 100
    created: dict[str, int] = {}
    errors: list[str] = []

    def sender(code: str, url: str) -> None:
        alerts = [alert(n) for n in range(per_school)]
        total = 0
        with httpx.Client(base_url=url, timeout=60) as http:
            for start in range(0, per_school, batch):
                # each batch overlaps the previous one by 20 alerts: those must come back as duplicates
                chunk = alerts[max(0, start - 20) : start + batch]
                response = post(http, keys[code], code, body_of(chunk))
                if response.status_code != 200:
                    errors.append(response.text)
                    return
                data = response.json()
                total += data["created"]
                if start and data["duplicate"] != 20:
                    errors.append(f"{code}: {data['duplicate']} duplicates")
        created[code] = total

    try:
        with running_center(ctx) as url:
            threads = [threading.Thread(target=sender, args=(code, url)) for code in schools]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors, errors[:3]
            assert time.monotonic() - started < 60
        assert created == dict.fromkeys(schools, per_school)
        es = Elasticsearch(es_url)
        es.indices.refresh(index=f"{es_prefix}-*")
        assert ctx.alerts.count(AlertQuery()) == 8 * per_school
        assert ctx.alerts.count_by("school", AlertQuery()) == dict.fromkeys(schools, per_school)
        es.close()
    finally:
        assert isinstance(ctx.alerts, ElasticsearchAlertStore)
        ctx.alerts.client.indices.delete(index=f"{es_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        ctx.alerts.client.indices.delete_index_template(name=template_name(es_prefix))
        ctx.close()
