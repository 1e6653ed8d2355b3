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


# Grading thresholds carry their source and status; the portal's level is asked for, never assumed.


@pytest.mark.parametrize(
    ("facts", "grade", "status"),
    [
        ({"pi_leaked": 1_000_000}, "较大", "正式文本"),  # PI rows are checked against the final text
        ({"pi_leaked": 10_000_000}, "重大", "正式文本"),
        ({"loss_yuan": 5_000_000}, "较大", "征求意见稿"),  # the other 重大/较大 values are the 2023 draft
        ({"cii_down_hours": 2}, "重大", "征求意见稿"),
        ({"portal_down_hours": 6, "portal_level": "prefecture"}, "重大", "征求意见稿"),
        ({"loss_yuan": 100_000_000}, "特别重大", "正式文本"),
    ],
)
def test_grading_reasons_name_the_source_and_its_status(
    policy: IncidentPolicy, facts: dict[str, object], grade: str, status: str
) -> None:
    got, reasons = policy.grade(facts)
    assert got == grade
    assert status in reasons[0] and "依据" in reasons[0]
    other = "征求意见稿" if status == "正式文本" else "正式文本"
    assert other not in reasons[0]


@pytest.mark.parametrize("facts", [{"portal_down_hours": 2}, {"portal_down_hours": 30}])
def test_a_portal_without_its_level_is_not_assumed_but_asked_for(
    policy: IncidentPolicy, facts: dict[str, object]
) -> None:
    grade, reasons = policy.grade(facts)
    assert grade == "一般"  # before: "other" was assumed and 2 hours graded 较大 (a 4-hour CAC clock)
    assert any("未给出门户网站级别" in r and "--fact portal_level=prefecture" in r for r in reasons)


def test_an_unknown_portal_level_is_asked_for_with_the_choices(policy: IncidentPolicy) -> None:
    grade, reasons = policy.grade({"portal_down_hours": 30, "portal_level": "county"})
    assert grade == "一般"
    assert any("'county'" in r and "provincial" in r and "prefecture" in r and "other" in r for r in reasons)


@pytest.mark.parametrize(
    ("level", "hours", "grade"),
    [
        ("prefecture", 6, "重大"),
        ("prefecture", 5.9, "较大"),
        ("provincial", 24, "特别重大"),
        ("other", 2, "较大"),
        ("other", 1.9, "一般"),
    ],
)
def test_a_portal_with_its_level_grades_and_asks_nothing(
    policy: IncidentPolicy, level: str, hours: float, grade: str
) -> None:
    got, reasons = policy.grade({"portal_down_hours": hours, "portal_level": level})
    assert got == grade
    assert not any("portal_level" in r for r in reasons)


def test_a_grade_from_other_facts_still_names_the_missing_portal_level(policy: IncidentPolicy) -> None:
    grade, reasons = policy.grade({"pi_leaked": 2_000_000, "portal_down_hours": 8})
    assert grade == "较大"
    assert reasons[0].startswith("泄露个人信息人数") and "portal_level" in reasons[-1]


def test_every_threshold_row_states_its_source_and_status(policy: IncidentPolicy) -> None:
    by_grade = {t.grade: t.source for t in policy.grading}
    assert by_grade["特别重大"].status == "final"
    for grade in ("重大", "较大"):
        assert by_grade[grade].status == "draft" and "2023" in by_grade[grade].text
        assert by_grade[grade].final_criteria == ("pi_leaked",)
    data = policy.model_dump()
    del data["grading"][0]["source"]
    with pytest.raises(ValueError, match="source"):
        IncidentPolicy.model_validate(data)
    data = policy.model_dump()
    data["grading"][1]["source"]["final_criteria"] = ["portal_hours"]
    with pytest.raises(ValueError, match="unknown criteria"):
        IncidentPolicy.model_validate(data)
    data = policy.model_dump()
    data["grading"][1]["source"]["final_text"] = None
    with pytest.raises(ValueError, match="needs final_text"):
        IncidentPolicy.model_validate(data)


def test_only_the_final_report_waits_for_the_end_of_handling(policy: IncidentPolicy) -> None:
    starts = {d.id: d.starts for d in policy.deadlines_for("重大")}
    assert starts.pop("final-report") == "end_of_handling"
    assert set(starts.values()) == {"detected"}
    assert policy.end_of_handling == "recovered"


# GB/T 20986-2023 subcategories, the renamed 漏洞通报, the 2007 crosswalk.


@pytest.mark.parametrize(
    ("category", "subcategory", "code"),
    [
        ("01", "勒索软件", "01007"),
        ("04", "反动宣传", "04001"),
        ("04", "网络欺诈", "04007"),
        ("05", "辐射干扰", "05004"),
        ("06", "资源未授权使用", "06007"),
        ("07", "网络漏洞", "07001"),
        ("07", "网络配置合规缺陷", "07002"),
        ("08", "流量异常", "08002"),
        ("09", "公共卫生", "09003"),
        ("10", "其他", "10001"),
    ],
)
def test_full_subcategory_lists(category: str, subcategory: str, code: str) -> None:
    from secops.incident.taxonomy import load_taxonomy

    found, sub = load_taxonomy().check(category, subcategory)
    assert found.subcategory_code(sub) == code


def test_categories_04_to_09_have_their_lists_and_end_with_other() -> None:
    from secops.incident.taxonomy import load_taxonomy

    sizes = {c.code: len(c.subcategories) for c in load_taxonomy().categories}
    assert sizes == {
        "01": 10, "02": 21, "03": 12, "04": 8, "05": 5, "06": 8, "07": 3, "08": 3, "09": 5, "10": 1,
    }  # fmt: skip
    assert all(c.subcategories[-1] == "其他" for c in load_taxonomy().categories)


def test_the_annex_b_caveat_stays_in_the_content() -> None:
    from secops.incident.taxonomy import load_taxonomy

    path = load_taxonomy().source_path
    assert path is not None and "Annex B" in path.read_text(encoding="utf-8")


def test_a_notified_vulnerability_is_07_network_vulnerability() -> None:
    from secops.errors import SecopsError
    from secops.incident.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    assert "漏洞通报" not in taxonomy.category("07").subcategories
    assert taxonomy.check("07", "漏洞通报")[1] == "网络漏洞"  # the name secops used before maps
    assert taxonomy.current_name("安全隐患事件", "漏洞通报") == "网络漏洞"
    assert taxonomy.current_name("02", "漏洞通报") == "漏洞通报"  # only under 07
    with pytest.raises(SecopsError, match="unknown subcategory"):
        taxonomy.check("02", "漏洞通报")


@pytest.mark.parametrize(
    ("old_class", "code"),
    [
        ("有害程序事件", "01"),
        ("网络攻击事件", "02"),
        ("信息破坏事件", "03"),
        ("信息内容安全事件", "04"),
        ("设备设施故障", "05"),
        ("灾害性事件", "09"),
        ("其他事件", "10"),
    ],
)
def test_the_2007_crosswalk(old_class: str, code: str) -> None:
    from secops.incident.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    assert taxonomy.from_2007(old_class).code == code
    assert taxonomy.to_2007(code) == old_class


def test_the_2007_crosswalk_refuses_unknown_classes_and_files_new_categories_under_other() -> None:
    from secops.errors import SecopsError
    from secops.incident.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    assert taxonomy.crosswalk_2007 is not None and len(taxonomy.crosswalk_2007.classes) == 7
    with pytest.raises(SecopsError, match="unknown 2007 incident class") as error:
        taxonomy.from_2007("信息安全事件")
    assert "有害程序事件" in (error.value.hint or "")
    assert [taxonomy.to_2007(code) for code in ("06", "07", "08")] == ["其他事件"] * 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"renamed": [{"category": "07", "old": "漏洞通报", "new": "漏洞报告"}]}, "is not a subcategory"),
        ({"renamed": [{"category": "07", "old": "网络漏洞", "new": "网络漏洞"}]}, "is still a subcategory"),
        (
            {
                "crosswalk_2007": {
                    "standard": "GB/Z 20986-2007",
                    "classes": [{"class": "有害程序事件", "category": "11"}],
                }
            },
            "unknown categories",
        ),
        (
            {
                "crosswalk_2007": {
                    "standard": "GB/Z 20986-2007",
                    "classes": [{"class": "其他事件", "category": "10"}, {"class": "其他事件", "category": "10"}],
                }
            },
            "appears once",
        ),
    ],
)
def test_bad_taxonomies_are_refused(change: dict[str, object], message: str) -> None:
    from secops.incident.taxonomy import Taxonomy, load_taxonomy

    data = load_taxonomy().model_dump(by_alias=True)
    data.update(change)
    with pytest.raises(ValueError, match=message):
        Taxonomy.model_validate(data)
