"""The signed ingestion API over real HTTP (uvicorn on loopback) into the SQLite alert store."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.schools import add_school, revoke_school
from secops.center.stores.base import AlertQuery
from secops.protocol import signing
from tests.unit.center import alert, body_of, post, running_center

A = "4111010001"
B = "4111010002"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[CenterContext]:
    center = open_center(tmp_path / "center")
    yield center
    center.close()


@pytest.fixture
def keys(ctx: CenterContext) -> dict[str, signing.SchoolKey]:
    now = datetime.now(UTC)
    return {code: add_school(ctx.state, code, f"学校{code[-1]}", ctx.secret, now) for code in (A, B)}


@pytest.fixture
def client(ctx: CenterContext, keys: dict[str, signing.SchoolKey]) -> Iterator[httpx.Client]:
    with running_center(ctx) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield http


def stored(ctx: CenterContext) -> int:
    return ctx.alerts.count(AlertQuery())


def test_batch_is_stored_with_a_result_per_alert(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    batch = [alert(1), alert(2), {"message": "no time"}, alert(3, message=""), alert(4, secops={"severity": "huge"})]
    batch.append(alert(5, secops={}, event={"severity": 80}))
    response = post(client, keys[A], A, body_of(batch))
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["received"], data["created"], data["duplicate"], data["rejected"]) == (6, 3, 0, 3)
    statuses = [r["status"] for r in data["results"]]
    assert statuses == ["created", "created", "rejected", "rejected", "rejected", "created"]
    assert [r["index"] for r in data["results"]] == list(range(6))
    assert "@timestamp" in data["results"][2]["error"]
    assert "message" in data["results"][3]["error"]
    assert "secops.severity" in data["results"][4]["error"]
    first = ctx.alerts.get(data["results"][0]["id"])
    assert first is not None and first.school == A and first.doc["organization"]["id"] == A
    assert first.at == datetime(2026, 11, 1, 17, 1, tzinfo=UTC)
    mapped = ctx.alerts.get(data["results"][5]["id"])
    assert mapped is not None and mapped.severity == "critical"  # 80 is above high's 73
    assert stored(ctx) == 3

    again = post(client, keys[A], A, body_of(batch)).json()  # a resend: a new nonce, the same alerts
    assert (again["created"], again["duplicate"], again["rejected"]) == (0, 3, 3)
    assert [r["id"] for r in again["results"]] == [r["id"] for r in data["results"]]
    assert stored(ctx) == 3


def test_the_same_alert_from_two_schools_is_two_documents(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    ids = {post(client, keys[s], s, body_of([alert(7)])).json()["results"][0]["id"] for s in (A, B)}
    assert len(ids) == 2 and stored(ctx) == 2


def refused(response: httpx.Response, status: int, needle: str) -> None:
    assert response.status_code == status, response.text
    data = response.json()
    assert needle in data["error"], data
    assert data["hint"]


def test_wrong_signature_stale_timestamp_and_replay_are_refused(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    body = body_of([alert(1)])
    refused(post(client, keys[A], A, body, headers={signing.HEADER_SIGNATURE: "0" * 64}), 401, "signature")
    tampered = signing.signed_headers(keys[A], A, body, now=time.time())
    refused(client.post(signing.ALERTS_PATH, content=body_of([alert(2)]), headers=tampered), 401, "signature")
    other_key = signing.SchoolKey(keys[A].key_id, keys[B].secret)
    refused(post(client, other_key, A, body), 401, "signature")
    stale = post(client, keys[A], A, body, now=time.time() - 3600)
    refused(stale, 401, "s off the center clock; check NTP")
    assert re.search(r"is 360\d s off", stale.json()["error"])  # an hour, give or take the test's own delay
    refused(post(client, keys[A], A, body, now=time.time() + 301), 401, "check NTP")
    missing = client.post(signing.ALERTS_PATH, content=body, headers={"Content-Type": "application/json"})
    refused(missing, 401, "missing signature headers")
    unknown = signing.SchoolKey("0123456789ab", keys[A].secret)
    refused(post(client, unknown, A, body), 401, "unknown or revoked key")

    headers = signing.signed_headers(keys[A], A, body, now=time.time())
    assert client.post(signing.ALERTS_PATH, content=body, headers=headers).status_code == 200
    refused(client.post(signing.ALERTS_PATH, content=body, headers=headers), 409, "replayed request")
    assert stored(ctx) == 1


def test_school_a_cannot_post_as_or_for_school_b(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    body = body_of([alert(1)])
    refused(post(client, keys[A], B, body), 403, f"does not belong to school {B}")
    claims_b = body_of([alert(1), alert(2, organization={"id": B, "name": "B"}), {"bad": True}])
    refused(post(client, keys[A], A, claims_b), 403, f"school {A} may not post alerts of school {B}")
    own = post(client, keys[A], A, body_of([alert(3, organization={"id": A, "name": "甲"})]))
    assert own.status_code == 200 and own.json()["created"] == 1
    assert stored(ctx) == 1


def test_malformed_json_and_wrong_shapes(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    bad = post(client, keys[A], A, b'{"alerts": [{"message": "x",}]}')
    refused(bad, 400, "malformed JSON at line 1 column")
    refused(post(client, keys[A], A, b'[{"message": "x"}]'), 400, '{"alerts": [...]}')
    refused(post(client, keys[A], A, b"\xff\xfe\x00garbage"), 400, "")
    assert stored(ctx) == 0


def test_a_10_mb_body_and_a_100k_batch_are_refused(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    big = json.dumps({"alerts": [alert(1, message="x" * 1000)] * 10_000}).encode()
    assert len(big) > 10_000_000
    refused(post(client, keys[A], A, big), 413, "larger than 5242880 bytes")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts while it reads
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    headers = signing.signed_headers(keys[A], A, big, now=time.time())
    refused(client.post(signing.ALERTS_PATH, content=chunks(), headers=headers), 413, "larger than")

    many = body_of([{"message": "m"}] * 100_000)
    assert len(many) < ctx.settings.limits.max_body_bytes
    refused(post(client, keys[A], A, many), 413, "100000 alerts in one batch; the limit is 5000")
    assert stored(ctx) == 0
    assert post(client, keys[A], A, body_of([alert(1)])).status_code == 200  # the center is still fine


def test_rate_limit_answers_429_with_retry_after(ctx: CenterContext, client: httpx.Client) -> None:
    code = "4111010009"
    key = add_school(ctx.state, code, "限速学校", ctx.secret, datetime.now(UTC), rate_per_minute=3)
    answers = [post(client, key, code, body_of([alert(n)])) for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused(answers[3], 429, "at most 3 requests a minute")
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 20
    assert ctx.alerts.count(AlertQuery(school=code)) == 3


def test_revoked_and_rotated_keys_are_refused(
    ctx: CenterContext, keys: dict[str, signing.SchoolKey], client: httpx.Client
) -> None:
    assert post(client, keys[A], A, body_of([alert(1)])).status_code == 200
    revoke_school(ctx.state, A, datetime.now(UTC))
    time.sleep(1.1)
    refused(post(client, keys[A], A, body_of([alert(2)])), 401, "unknown or revoked key")
    new = add_school(ctx.state, B, "学校2", ctx.secret, datetime.now(UTC), rotate=True)
    time.sleep(1.1)
    refused(post(client, keys[B], B, body_of([alert(3)])), 401, "unknown or revoked key")
    assert post(client, new, B, body_of([alert(3)])).status_code == 200
    assert stored(ctx) == 2


def test_health_and_openapi_document_the_signing(client: httpx.Client) -> None:
    health = client.get("/api/v1/health").json()
    assert {k: health[k] for k in ("status", "store")} == {"status": "ok", "store": "ok"}
    assert len(health["signing_key"]) == 16  # the fingerprint schools compare at forward setup --check
    spec = client.get("/openapi.json").json()
    assert "/api/v1/alerts" in spec["paths"]
    assert "X-Secops-Signature" in spec["info"]["description"]
    assert client.get("/docs").status_code == 200


def test_a_separate_sqlite_alert_database(tmp_path: Path) -> None:
    alerts_db = tmp_path / "alerts" / "alerts.db"
    alerts_db.parent.mkdir()
    ctx = open_center(tmp_path / "center", store_url=f"sqlite:///{alerts_db}")
    key = add_school(ctx.state, A, "甲", ctx.secret, datetime.now(UTC))
    try:
        with running_center(ctx) as url, httpx.Client(base_url=url, timeout=30) as http:
            assert post(http, key, A, body_of([alert(1), alert(2)])).json()["created"] == 2
        assert stored(ctx) == 2
    finally:
        ctx.close()
    default = open_center(tmp_path / "center")  # the center database itself holds no alerts
    try:
        assert stored(default) == 0
    finally:
        default.close()


def test_store_options_are_checked(tmp_path: Path) -> None:
    from secops.errors import SecopsError

    with pytest.raises(SecopsError, match="choose one alert store"):
        open_center(tmp_path / "c", store_url="sqlite:///x.db", es_url="http://127.0.0.1:9")
    with pytest.raises(SecopsError, match="unsupported alert store"):
        open_center(tmp_path / "c", store_url="postgresql://db/alerts")
