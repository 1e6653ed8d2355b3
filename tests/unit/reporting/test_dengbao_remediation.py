"""The 整改建议 column of the 等保 gap report: a failed check's own advice first, then the catalog's
steps for the item; the stock "按要求整改" only for an item the catalog has no advice for."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from secops.dengbao.assess import Target, assess
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.records.assessed_item import AssessedItem
from secops.records.assessment import AssessedSystem, Assessment
from secops.reporting.dengbao_report import _remediation

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TELNET_EXPOSED = {
    "address": "10.77.1.5",
    "vantage": {"outside_zone": True},
    "services": [{"port": 23, "proto": "tcp", "name": "telnet"}],
}


def _items() -> dict[str, AssessedItem]:
    result = assess(
        system=AssessedSystem("学籍管理系统", 3, "edu"),
        level=3,
        extensions=(),
        catalog=load_catalog(),
        checks=load_checks(),
        targets=[Target("10.77.1.5", "network", json.loads(json.dumps(TELNET_EXPOSED)))],
        answers={},
        now=NOW,
    )
    record = Assessment.from_json(result.to_json())
    return {item.id: item for item in record.items}


def test_failed_check_advice_comes_first_then_the_catalog_steps() -> None:
    item = _items()["L3-CES1-18"]
    failed = [c.remediation for c in item.checks if c.status == "fail"]
    assert failed, "the exposed telnet service fails a check of L3-CES1-18"
    advice = _remediation(item)
    assert advice.startswith(failed[0])
    assert advice.endswith(item.remediation) and item.remediation
    assert "按要求整改" not in advice


def test_an_item_without_checks_gets_its_catalog_steps() -> None:
    item = _items()["L3-PSS1-01"]
    assert not item.checks
    assert _remediation(item) == item.remediation
    assert item.summary not in _remediation(item)


def test_no_item_of_a_level_3_assessment_falls_back_to_the_stock_phrase() -> None:
    assert not [i.id for i in _items().values() if _remediation(i).startswith("按要求整改")]


def test_the_stock_phrase_only_without_catalog_advice() -> None:
    item = dataclasses.replace(_items()["L3-PSS1-01"], remediation="")
    assert _remediation(item) == f"按要求整改：{item.summary}"
