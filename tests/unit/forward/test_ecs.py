import json
from datetime import UTC, datetime
from typing import Any

from secops.center import ingest
from secops.forward import ecs
from secops.protocol.alerts import alert_id

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
SIGMA_DETAIL: dict[str, Any] = {
    "@timestamp": "2026-11-23T02:29:00+00:00",
    "event": {"kind": "alert", "module": "sigma", "severity_name": "high"},
    "rule": {"id": "5f1e3c6a-0000-4000-8000-000000000001", "name": "SSH brute force", "ruleset": "sigma"},
    "tags": ["attack.credential-access", "attack.t1110.001"],
    "log": {"file": {"path": "/var/log/auth.log"}, "record": 12},
    "sigma": {
        "type": "correlation",
        "event": {"message": "Failed password for 张三 from 10.20.0.9", "user": "zhangsan"},
    },
    "host": {"name": "web01"},
    "source": {"ip": "10.20.0.9"},
}


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": 42,
        "at": datetime(2026, 11, 23, 10, 29, 0, 123456),  # naive from SQLite: UTC
        "source": "sigma",
        "kind": "sigma_correlation",
        "severity": "high",
        "title": "SSH brute force",
        "asset_key": "10.20.0.5",
        "detail": SIGMA_DETAIL,
    }
    row.update(changes)
    return row


def test_a_sigma_alert_becomes_the_ecs_document_the_center_accepts() -> None:
    doc = ecs.to_ecs(_row(), "4111010001", "测试实验中学")
    assert doc["@timestamp"] == "2026-11-23T10:29:00.123Z"
    assert doc["message"] == "SSH brute force"
    assert doc["event"] == {"kind": "alert", "module": "sigma", "action": "sigma_correlation", "severity": 73}
    assert doc["secops"]["severity"] == "high" and doc["secops"]["alert_id"] == 42
    assert doc["rule"]["id"] == SIGMA_DETAIL["rule"]["id"] and doc["rule"]["level"] == "high"
    assert doc["rule"]["tags"] == ["attack.credential-access", "attack.t1110.001"]
    assert doc["host"] == {"ip": ["10.20.0.5"], "name": "web01"}
    assert doc["source"] == {"ip": "10.20.0.9"}
    assert doc["organization"] == {"id": "4111010001", "name": "测试实验中学"}
    # What the center's own validation makes of it: accepted, same severity.
    stored = ingest.prepare_alert(json.loads(json.dumps(doc)), "4111010001", NOW, NOW)
    assert stored.severity == "high" and stored.title == "SSH brute force"


def test_raw_log_lines_and_matched_strings_never_leave_the_school() -> None:
    yara_detail = {
        "rule": {"name": "php_webshell_eval", "ruleset": "webshells"},
        "file": {"path": "/var/www/x.php", "hash": {"sha256": "ab" * 32}},
        "yara": {"namespace": "webshells", "strings": [{"identifier": "$a", "snippet": "身份证 110101..."}]},
        "tags": ["webshell"],
    }
    for row in (_row(), _row(source="yara", kind="php_webshell_eval", detail=yara_detail, asset_key=None)):
        text = json.dumps(ecs.to_ecs(row, "4111010001", "x"), ensure_ascii=False)
        assert "张三" not in text and "zhangsan" not in text and "身份证" not in text and "snippet" not in text
    yara = ecs.to_ecs(_row(source="yara", detail=yara_detail, asset_key=None), "4111010001", "x")
    assert yara["rule"]["name"] == "php_webshell_eval" and yara["secops"]["detail"]["file"]["path"] == "/var/www/x.php"


def test_size_is_bounded_and_output_is_deterministic() -> None:
    huge = {"notes": ["x" * 5000] * 100, "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}
    first = ecs.to_ecs(_row(title="t" * 5000, detail=huge), "4111010001", "x")
    assert len(first["message"]) == ecs.MAX_MESSAGE
    assert len(json.dumps(first["secops"]["detail"]).encode()) <= ecs.MAX_DETAIL_BYTES
    again = ecs.to_ecs(_row(title="t" * 5000, detail=huge), "4111010001", "x")
    assert alert_id("4111010001", first) == alert_id("4111010001", again)
    # Two alerts with the same content stay two alerts (the workspace id is part of the document).
    assert alert_id("4111010001", ecs.to_ecs(_row(id=43), "4111010001", "x")) != alert_id(
        "4111010001", ecs.to_ecs(_row(), "4111010001", "x")
    )


def test_assets_alerts_name_their_host_by_address_or_mac_and_carry_no_rule_object() -> None:
    detail = {"change": "port_opened", "port": 6379, "proto": "tcp", "rule": "risky_service"}
    v6 = ecs.to_ecs(
        _row(source="assets", kind="risky_service", asset_key="2001:db8:20::5", detail=detail), "4111010001", "x"
    )
    assert v6["host"] == {"ip": ["2001:db8:20::5"]} and "rule" not in v6 and v6["event"]["module"] == "assets"
    mac = ecs.to_ecs(_row(asset_key="aa:bb:cc:dd:ee:0f", detail={}), "4111010001", "x")
    assert mac["host"] == {"mac": ["AA-BB-CC-DD-EE-0F"]}
    unknown = ecs.to_ecs(_row(severity="weird", detail={}), "4111010001", "x")
    assert unknown["secops"]["severity"] == "medium"
