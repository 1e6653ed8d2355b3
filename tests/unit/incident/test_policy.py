"""The incident policy: deadlines per grade, grading thresholds, important periods, durations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from secops.incident.playbooks import parse_duration
from secops.incident.policy import IncidentPolicy, load_policy


@pytest.fixture(scope="module")
def policy() -> IncidentPolicy:
    return load_policy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H", timedelta(hours=1)),
        ("PT60H", timedelta(hours=60)),
        ("P30D", timedelta(days=30)),
        ("PT1H30M", timedelta(minutes=90)),
        ("PT10M", timedelta(minutes=10)),
        ("P1DT2H", timedelta(days=1, hours=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["1h", "PT", "P", "PT1.5H", "", "P1W"])
def test_bad_durations_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_duration(bad)


def test_major_incident_has_the_one_hour_clock_and_cac_reporting(policy: IncidentPolicy) -> None:
    deadlines = {d.id: d.offset for d in policy.deadlines_for("重大")}
    assert deadlines == {
        "handle-major": timedelta(hours=1),
        "report-cac": timedelta(hours=4),
        "report-education": timedelta(hours=1),
        "final-report": timedelta(days=30),
    }


def test_ordinary_incident_has_no_clock_unless_notified(policy: IncidentPolicy) -> None:
    assert policy.deadlines_for("一般") == []
    notified = policy.deadlines_for("一般", notified=True)
    assert [(d.id, d.offset) for d in notified] == [("handle-notified", timedelta(hours=60))]


def test_larger_incident_reports_but_has_no_one_hour_handling(policy: IncidentPolicy) -> None:
    ids = {d.id for d in policy.deadlines_for("较大")}
    assert "handle-major" not in ids and {"report-cac", "final-report"} <= ids


def test_operator_type_chooses_the_reporting_deadline(policy: IncidentPolicy) -> None:
    cii = policy.model_copy(update={"operator_type": "cii"})
    ids = {d.id: d.offset for d in cii.deadlines_for("重大")}
    assert ids["report-cii"] == timedelta(hours=1) and "report-cac" not in ids


@pytest.mark.parametrize(
    ("facts", "grade"),
    [
        ({"pi_leaked": 1_000_000}, "较大"),  # "以上" includes the number
        ({"pi_leaked": 999_999}, "一般"),
        ({"pi_leaked": 10_000_000}, "重大"),
        ({"pi_leaked": 100_000_000}, "特别重大"),
        ({"loss_yuan": 5_000_000}, "较大"),
        ({"loss_yuan": 19_999_999}, "较大"),
        ({"cii_down_hours": 0.5}, "较大"),
        ({"cii_down_hours": 0.4}, "一般"),
        ({"cii_main_down_hours": 24}, "特别重大"),
        ({"portal_down_hours": 24, "portal_level": "provincial"}, "特别重大"),
        ({"portal_down_hours": 24, "portal_level": "other"}, "较大"),
        ({"pi_leaked": 2_000_000, "cii_down_hours": 3}, "重大"),  # the highest grade reached wins
        ({}, "一般"),
    ],
)
def test_grading_thresholds(policy: IncidentPolicy, facts: dict[str, object], grade: str) -> None:
    got, reasons = policy.grade(facts)
    assert got == grade
    assert reasons


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2026, 9, 1), "开学季"),
        (date(2026, 9, 10), "开学季"),
        (date(2026, 9, 11), None),
        (date(2026, 10, 3), "国庆假期"),
    ],
)
def test_important_periods(policy: IncidentPolicy, day: date, period: str | None) -> None:
    assert policy.important_period(day) == period


def test_periods_may_wrap_the_year_end(policy: IncidentPolicy) -> None:
    winter = policy.model_copy(update={"important_periods": ({"name": "寒假", "start": "12-25", "end": "01-05"},)})
    assert winter.important_period(date(2027, 1, 2)) == "寒假"
    assert winter.important_period(date(2026, 12, 24)) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"escalation": [0.8, 0.5, 1.0]}, "escalation"),
        ({"escalation": [0.5, 0.8]}, "escalation"),
        ({"important_periods": [{"name": "x", "start": "13-01", "end": "13-02"}]}, "month-day"),
        (
            {"examples": [{"facts": {"pi_leaked": 5}, "grade": "重大"}, {"facts": {}, "grade": "一般"}]},
            "thresholds give",
        ),
    ],
)
def test_bad_policies_are_refused(policy: IncidentPolicy, change: dict[str, object], message: str) -> None:
    data = policy.model_dump()
    data.update(change)
    with pytest.raises(ValueError, match=message):
        IncidentPolicy.model_validate(data)


def test_taxonomy_has_the_ten_categories_and_checks_choices() -> None:
    from secops.errors import SecopsError
    from secops.incident.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    assert [c.code for c in taxonomy.categories] == [f"{n:02d}" for n in range(1, 11)]
    category, sub = taxonomy.check("01", "勒索软件")
    assert category.subcategory_code(sub) == "01007"
    assert taxonomy.check("网络攻击事件", "网页篡改")[0].code == "02"
    with pytest.raises(SecopsError, match="unknown incident category") as error:
        taxonomy.check("99", "x")
    assert "02 网络攻击事件" in (error.value.hint or "")
    with pytest.raises(SecopsError, match="unknown subcategory"):
        taxonomy.check("01", "网页篡改")
