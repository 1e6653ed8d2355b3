"""The alert's canonical form and id, which make a resent alert the same document at the center."""

from __future__ import annotations

from secops.protocol.alerts import alert_id, canonical_alert


def test_alert_id_ignores_key_order_and_spacing_but_not_school_or_content() -> None:
    a = {"message": "x", "rule": {"name": "r", "id": "1"}, "@timestamp": "2026-11-23T10:00:00+08:00"}
    b = {"@timestamp": "2026-11-23T10:00:00+08:00", "rule": {"id": "1", "name": "r"}, "message": "x"}
    assert canonical_alert(a) == canonical_alert(b)
    assert alert_id("4111010001", a) == alert_id("4111010001", b)
    assert alert_id("4111010001", a) != alert_id("4111010002", a)
    assert alert_id("4111010001", a) != alert_id("4111010001", {**a, "message": "y"})
    assert len(alert_id("4111010001", a)) == 64
