"""The request signing both sides rely on: keys, signatures, nonces and timestamps."""

from __future__ import annotations

import pytest

from secops.protocol import signing


def test_key_text_round_trips_and_bad_keys_are_refused() -> None:
    key = signing.new_key()
    assert signing.parse_key(f"  {key.text}\n") == key
    for bad in ("", "sk1.abc.def", key.text.replace("sk1", "sk2"), key.text[:-1]):
        with pytest.raises(ValueError, match="sk1"):
            signing.parse_key(bad)


def test_signature_covers_method_path_timestamp_nonce_and_body() -> None:
    key = signing.new_key()
    derived = signing.signing_key(key)
    assert derived != key.secret.encode() and len(derived) == 32
    headers = signing.signed_headers(key, "4111010001", b'{"alerts":[]}', now=1_800_000_000)
    ts, nonce, sig = headers[signing.HEADER_TIMESTAMP], headers[signing.HEADER_NONCE], headers[signing.HEADER_SIGNATURE]
    path = signing.ALERTS_PATH
    assert signing.verify(derived, "POST", path, ts, nonce, b'{"alerts":[]}', sig)
    assert signing.verify(derived, "post", path, ts, nonce, b'{"alerts":[]}', sig.upper())
    changed = [
        ("GET", path, ts, nonce, b'{"alerts":[]}'),
        ("POST", "/api/v1/other", ts, nonce, b'{"alerts":[]}'),
        ("POST", path, str(int(ts) + 1), nonce, b'{"alerts":[]}'),
        ("POST", path, ts, signing.new_nonce(), b'{"alerts":[]}'),
        ("POST", path, ts, nonce, b'{"alerts": []}'),
    ]
    for method, p, t, n, body in changed:
        assert not signing.verify(derived, method, p, t, n, body, sig)
    other = signing.signing_key(signing.new_key())
    assert not signing.verify(other, "POST", path, ts, nonce, b'{"alerts":[]}', sig)


def test_every_request_gets_a_new_valid_nonce_and_fresh_timestamps() -> None:
    nonces = {
        signing.signed_headers(signing.new_key(), "4111010001", b"", now=0)[signing.HEADER_NONCE] for _ in range(50)
    }
    assert len(nonces) == 50 and all(signing.valid_nonce(n) for n in nonces)
    assert not signing.valid_nonce("short") and not signing.valid_nonce("x" * 65)
    assert not signing.valid_nonce("a b" * 8)
    assert signing.timestamp_fresh("1000", 1300) and signing.timestamp_fresh("1300", 1000)
    assert not signing.timestamp_fresh("1000", 1301) and not signing.timestamp_fresh("soon", 1000)
