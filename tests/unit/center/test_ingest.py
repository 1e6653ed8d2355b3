"""Alert validation: what is stored, what is rejected and why, and the whole-request refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from secops.center import ingest
from secops.center.stores.base import InsertOutcome
from secops.protocol.alerts import SEVERITY_SCORE, alert_id
from tests.unit.center import alert

SCHOOL = "4111010001"
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def prepare(doc: Any) -> Any:
    return ingest.prepare_alert(doc, SCHOOL, NOW, NOW)


def rejected(doc: Any) -> str:
    with pytest.raises(ingest.InvalidAlert) as info:
        prepare(doc)
    return str(info.value)


def test_a_valid_alert_is_stored_with_the_school_and_severity_filled_in() -> None:
    doc = alert(1, organization={"name": "一中"})
    stored = prepare(doc)
    assert stored.school == SCHOOL and stored.severity == "medium"
    assert stored.doc["organization"] == {"name": "一中", "id": SCHOOL}
    assert stored.at == datetime(2026, 11, 1, 17, 1, tzinfo=UTC)
    assert stored.title == "Webshell upload"
    assert stored.id == alert_id(SCHOOL, stored.doc)
    assert doc["organization"] == {"name": "一中"}  # the input is not modified
    assert prepare(dict(reversed(list(doc.items())))).id == stored.id


SCORES = [(0, "info"), (1, "info"), (2, "low"), (21, "low"), (22, "medium"), (47, "medium"), (48, "high")]
SCORES += [(73, "high"), (74, "critical"), (100, "critical"), (55.5, "high")]


@pytest.mark.parametrize(("score", "severity"), SCORES)
def test_numeric_event_severity_maps_by_ranges(score: float, severity: str) -> None:
    assert ingest.severity_of_score(score) == severity
    doc = alert(1, event={"severity": score})
    del doc["secops"]
    assert prepare(doc).severity == severity
    for name, value in SEVERITY_SCORE.items():
        assert ingest.severity_of_score(value) == name


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"@timestamp": "2026-11-23T10:00:00"}, "with a zone"),
        ({"@timestamp": "2026-11-23 10:00:00+08:00"}, "ISO 8601"),
        ({"@timestamp": "2026-13-23T10:00:00Z"}, "not a valid date"),
        ({"@timestamp": 1764000000}, "ISO 8601"),
        ({"@timestamp": "1999-12-31T10:00:00Z"}, "before 2000"),
        ({"@timestamp": "2026-11-25T10:00:00Z"}, "a day ahead"),
        ({"message": ""}, "non-empty"),
        ({"message": "   "}, "non-empty"),
        ({"message": ["x"]}, "non-empty"),
        ({"message": "x" * 2001}, "longer than 2000"),
        ({"secops": {"severity": "urgent"}}, "secops.severity must be one of"),
        ({"secops": {}, "event": {"severity": "high"}}, "0 to 100"),
        ({"secops": {}, "event": {"severity": 101}}, "0 to 100"),
        ({"secops": {}, "event": {"severity": True}}, "0 to 100"),
        ({"secops": {}}, "no severity"),
        ({"rule": "Webshell"}, "rule must be an object"),
        ({"host": ["a"]}, "host must be an object"),
        ({"tags": "a,b"}, "tags must be a list"),
        ({"tags": ["a", 1]}, "tags must be a list"),
        ({"received_at": "2026-11-23T10:00:00Z"}, "set by the center"),
        ({"center": {}}, "set by the center"),
        ({"extra": "x" * 40_000}, "larger than 32 KiB"),
    ],
)
def test_invalid_alerts_say_why(change: dict[str, Any], needle: str) -> None:
    assert needle in rejected(alert(1, **change))


def test_non_objects_are_rejected() -> None:
    assert "JSON object" in rejected(["message"])
    assert "JSON object" in rejected(None)


def test_a_batch_mixes_accepted_and_rejected_and_answers_in_order() -> None:
    batch = [alert(1), "nope", alert(2, message=""), alert(3), alert(1)]
    prepared = ingest.prepare_batch(batch, SCHOOL, NOW)
    assert [i for i, _ in prepared.accepted] == [0, 3, 4]
    outcomes = [
        InsertOutcome(prepared.accepted[0][1].id, "created"),
        InsertOutcome(prepared.accepted[1][1].id, "failed", "mapper_parsing_exception: bad"),
        InsertOutcome(prepared.accepted[2][1].id, "duplicate"),
    ]
    answer = ingest.answer(prepared, outcomes, SCHOOL)
    assert [r["status"] for r in answer["results"]] == ["created", "rejected", "rejected", "rejected", "duplicate"]
    assert answer["results"][3]["error"] == "mapper_parsing_exception: bad"
    assert answer["results"][1]["id"] is None and answer["results"][0]["id"] == answer["results"][4]["id"]
    assert (answer["received"], answer["created"], answer["duplicate"], answer["rejected"]) == (5, 1, 1, 3)


def test_an_alert_of_another_school_refuses_the_whole_batch() -> None:
    batch = [alert(1), alert(2, organization={"id": "4111010002"})]
    with pytest.raises(ingest.ForeignSchool, match="school 4111010001 may not post alerts of school 4111010002"):
        ingest.prepare_batch(batch, SCHOOL, NOW)
    assert ingest.prepare_batch([alert(1, organization={"id": SCHOOL})], SCHOOL, NOW).accepted


def test_the_center_titles_an_alert_with_the_rules_chinese_title_when_sent() -> None:
    from secops.center.ingest import title_of

    rule = {"name": "Webshell upload", "name_zh": "疑似上传网页木马"}
    assert title_of({"rule": rule, "message": "x"}) == "疑似上传网页木马"
    assert title_of({"rule": {"name": "Webshell upload", "name_zh": "  "}}) == "Webshell upload"
    assert title_of({"message": "first line\nsecond"}) == "first line"
