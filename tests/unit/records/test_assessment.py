"""The typed assessment record: what assess() produces survives to_json/from_json unchanged (so
stored rows and --format json output stay byte-identical), and what older versions stored loads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from secops.dengbao.assess import Target, assess
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.questionnaire import Answer
from secops.dengbao.risks import CONFIRMED, Decision
from secops.records.assessment import AssessedSystem, Assessment
from secops.records.highrisk import HighRiskProblem

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADDRESS = "10.77.1.5"
EXPOSED: dict[str, Any] = {
    "address": ADDRESS,
    "vantage": {"outside_zone": True},
    "services": [
        {"port": 22, "proto": "tcp", "name": "ssh", "product": "OpenSSH", "version": "9.2p1"},
        {"port": 23, "proto": "tcp", "name": "telnet"},
        {"port": 6379, "proto": "tcp", "name": "redis", "product": "Redis key-value store", "version": "7.0.11"},
    ],
    "unauthenticated": [{"service": "redis", "port": 6379}],
    "weak_credentials": [{"service": "ssh", "port": 22, "account": "root"}],
}


def real_assessment() -> dict[str, Any]:
    answers = [
        Answer("L3-CES1-18", "不符合", mitigation="6.4.3.1-source-restricted"),
        Answer("L3-SMC1-10", "不符合", note="待整改", mitigation="已集中到日志服务器"),
        Answer("L3-CES1-01", "符合"),
    ]
    result = assess(
        system=AssessedSystem("学籍管理系统", 3, "edu"),
        level=3,
        extensions=(),
        catalog=load_catalog(),
        checks=load_checks(),
        targets=[Target(ADDRESS, "network", json.loads(json.dumps(EXPOSED)), notes=["from outside"])],
        answers={a.item_id: a for a in answers},
        now=NOW,
        decisions={
            "6.4.1.1": Decision("6.4.1.1", CONFIRMED, "root/123456", "张老师", NOW),
            "9.9.9.9": Decision("9.9.9.9", "rejected", "不适用", "李老师", NOW),
        },
        school={"code": "S01", "name": "实验中学"},
    )
    return result.to_json()


def test_a_real_assessment_round_trips_identically() -> None:
    stored = json.loads(json.dumps(real_assessment(), ensure_ascii=False))  # what the store gives back
    record = Assessment.from_json(stored)
    assert record.highrisk and record.checks and record.decisions_not_raised  # the example covers them
    assert any(p.decision is not None for p in record.highrisk)
    again = record.to_json()
    assert again == stored
    assert json.dumps(again, ensure_ascii=False) == json.dumps(stored, ensure_ascii=False)  # same key order
    assert Assessment.from_json(again) == record


def test_without_school_the_key_stays_absent() -> None:
    result = real_assessment()
    del result["school"]
    record = Assessment.from_json(result)
    assert record.school is None
    assert "school" not in record.to_json()
    assert json.dumps(record.to_json(), ensure_ascii=False) == json.dumps(result, ensure_ascii=False)


def test_typed_fields() -> None:
    record = Assessment.from_json(real_assessment())
    assert record.assessed_at == NOW and record.assessed_at.tzinfo is not None
    assert isinstance(record.rate, float)
    assert record.system_name == "学籍管理系统"
    assert all(isinstance(p, HighRiskProblem) for p in record.highrisk)
    assert {item.id for item in record.items} >= {"L3-CES1-18", "L3-SMC1-10"}


def test_an_old_shape_loads_with_todays_defaults() -> None:
    """As the first versions stored it: no conclusion_rule, no decisions or candidates, no
    mitigation fields but the free-text one, and a key since dropped (typical_mitigations)."""
    old: dict[str, Any] = {
        "system": {"name": "学籍管理系统", "level": 2, "asset_tag": ""},
        "level": 2,
        "extensions": [],
        "assessed_at": "2026-01-05T08:00:00+00:00",
        "targets": [],
        "items": [
            {
                "id": "L2-CES1-01",
                "level": 2,
                "part": "technical",
                "class": "安全计算环境",
                "class_code": "CES",
                "control_point": "身份鉴别",
                "clause": "8.1.4.1",
                "item": "a",
                "summary": "应对登录的用户进行身份标识和鉴别",
                "evidence": [],
                "highrisk": ["6.4.1.1"],
                "result": "不符合",
                "source": "questionnaire",
                "automated": None,
                "answer": "不符合",
                "note": "",
                "mitigation": "",
                "conflict": None,
                "checks": [],
                "risk": "high",
                "highrisk_cases": ["6.4.1.1"],
            }
        ],
        "counts": {"符合": 0, "部分符合": 0, "不符合": 1, "不适用": 0, "未测评": 0, "total": 1},
        "by_class": {"安全计算环境": {"符合": 0, "部分符合": 0, "不符合": 1, "不适用": 0, "未测评": 0, "total": 1}},
        "rate": 0.0,
        "weighted_rate": 0.0,
        "highrisk": [
            {
                "case": "6.4.1.1",
                "title": "弱口令",
                "summary": "",
                "condition": "",
                "items": ["L2-CES1-01"],
                "evidence": [],
                "checks": [],
                "mitigation": "",
                "unmitigated": True,
                "typical_mitigations": ["双因素认证"],
            }
        ],
        "major_risk": True,
        "conclusion": "不符合",
        "score_2019": 0.0,
        "grade_2021": "差",
        "conflicts": 0,
        "checks_run": 0,
        "checks": [],
        "provisional": False,
        "rate_rule": "符合率 = 符合项 / (测评项 − 不适用项)",
    }
    record = Assessment.from_json(old)
    assert record.conclusion_rule == ""
    assert record.major_risk_candidates == () and record.undecided == () and record.decisions_not_raised == ()
    assert record.school is None
    problem = record.highrisk[0]
    assert problem.decision is None and problem.candidate is False and problem.reason == ""
    assert problem.mitigable is True and problem.mitigations_collected is True
    assert problem.allowed_mitigations == () and problem.mitigations_applied == () and problem.mitigation_note == ""
    assert problem.unmitigated is True
    assert problem.extra == {"typical_mitigations": ["双因素认证"]}
    assert record.items[0].part_name == "" and record.items[0].clause_28448 is None
    assert record.items[0].remediation == ""  # stored before the catalog carried 整改建议
    out = record.to_json()
    assert out["conclusion_rule"] == "" and out["highrisk"][0]["typical_mitigations"] == ["双因素认证"]
    assert Assessment.from_json(out) == record


def test_items_carry_the_catalogs_remediation() -> None:
    record = Assessment.from_json(real_assessment())
    catalog = load_catalog().by_id
    for item in record.items:
        assert item.remediation == catalog[item.id].remediation
        assert item.remediation  # the general part is filled for every item
    stored = record.to_json()["items"][0]
    assert list(stored).index("remediation") == list(stored).index("summary") + 1  # where as_dict puts it
