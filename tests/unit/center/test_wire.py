"""The wire format both sides rely on: keys, signatures, canonical alerts and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from secops.center import wire


def test_key_text_round_trips_and_bad_keys_are_refused() -> None:
    key = wire.new_key()
    assert wire.parse_key(f"  {key.text}\n") == key
    for bad in ("", "sk1.abc.def", key.text.replace("sk1", "sk2"), key.text[:-1]):
        with pytest.raises(ValueError, match="sk1"):
            wire.parse_key(bad)


def test_signature_covers_method_path_timestamp_nonce_and_body() -> None:
    key = wire.new_key()
    signing = wire.signing_key(key)
    assert signing != key.secret.encode() and len(signing) == 32
    headers = wire.signed_headers(key, "4111010001", b'{"alerts":[]}', now=1_800_000_000)
    ts, nonce, sig = headers[wire.HEADER_TIMESTAMP], headers[wire.HEADER_NONCE], headers[wire.HEADER_SIGNATURE]
    assert wire.verify(signing, "POST", wire.ALERTS_PATH, ts, nonce, b'{"alerts":[]}', sig)
    assert wire.verify(signing, "post", wire.ALERTS_PATH, ts, nonce, b'{"alerts":[]}', sig.upper())
    changed = [
        ("GET", wire.ALERTS_PATH, ts, nonce, b'{"alerts":[]}'),
        ("POST", "/api/v1/other", ts, nonce, b'{"alerts":[]}'),
        ("POST", wire.ALERTS_PATH, str(int(ts) + 1), nonce, b'{"alerts":[]}'),
        ("POST", wire.ALERTS_PATH, ts, wire.new_nonce(), b'{"alerts":[]}'),
        ("POST", wire.ALERTS_PATH, ts, nonce, b'{"alerts": []}'),
    ]
    for method, path, t, n, body in changed:
        assert not wire.verify(signing, method, path, t, n, body, sig)
    assert not wire.verify(wire.signing_key(wire.new_key()), "POST", wire.ALERTS_PATH, ts, nonce, b'{"alerts":[]}', sig)


def test_every_request_gets_a_new_valid_nonce_and_fresh_timestamps() -> None:
    nonces = {wire.signed_headers(wire.new_key(), "4111010001", b"", now=0)[wire.HEADER_NONCE] for _ in range(50)}
    assert len(nonces) == 50 and all(wire.valid_nonce(n) for n in nonces)
    assert not wire.valid_nonce("short") and not wire.valid_nonce("x" * 65) and not wire.valid_nonce("a b" * 8)
    assert wire.timestamp_fresh("1000", 1300) and wire.timestamp_fresh("1300", 1000)
    assert not wire.timestamp_fresh("1000", 1301) and not wire.timestamp_fresh("soon", 1000)


def test_alert_id_ignores_key_order_and_spacing_but_not_school_or_content() -> None:
    a = {"message": "x", "rule": {"name": "r", "id": "1"}, "@timestamp": "2026-11-23T10:00:00+08:00"}
    b = {"@timestamp": "2026-11-23T10:00:00+08:00", "rule": {"id": "1", "name": "r"}, "message": "x"}
    assert wire.canonical_alert(a) == wire.canonical_alert(b)
    assert wire.alert_id("4111010001", a) == wire.alert_id("4111010001", b)
    assert wire.alert_id("4111010001", a) != wire.alert_id("4111010002", a)
    assert wire.alert_id("4111010001", a) != wire.alert_id("4111010001", {**a, "message": "y"})
    assert len(wire.alert_id("4111010001", a)) == 64


def test_monthly_index_uses_the_utc_month() -> None:
    cst = timezone(timedelta(hours=8))
    assert wire.monthly_index("p", datetime(2026, 12, 1, 3, 0, tzinfo=cst)) == "p-2026.11"
    assert wire.monthly_index("p", datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "p-2026.12"
    assert wire.monthly_index("p", datetime(2026, 1, 5)) == "p-2026.01"
