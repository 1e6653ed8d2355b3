"""重大风险隐患 after the 2025 answers (Q19/Q20): high-risk problems are candidates with a reason,
the assessor confirms or rejects each, and only a confirmation weighs on the conclusion (符合 ->
基本符合, never a veto to 不符合). Decisions are stored with who, when and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import pytest

from secops.config import Workspace
from secops.dengbao.assess import assess
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.questionnaire import Answer
from secops.dengbao.risks import (
    CONFIRMED,
    REJECTED,
    Decision,
    apply_decisions,
    decision_history,
    load_decisions,
    record_decision,
)
from secops.dengbao.systems import save_system
from secops.records.assessment import AssessedSystem
from secops.workspace import open_workspace_store

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WEAK = "L2-CES1-01"  # linked to case 6.4.1.1 (weak or empty admin password)


def run(compliant: int, *, weak_password: bool, decisions: dict[str, Decision] | None = None) -> dict[str, Any]:
    """A level-2 assessment (135 items) from answers: ``compliant`` items 符合, the rest 不符合,
    the weak-password item among the 不符合 ones when ``weak_password``."""
    requirements = load_catalog().select(2)
    unlinked = [r.id for r in requirements if not r.highrisk]
    linked = [r.id for r in requirements if r.highrisk and r.id != WEAK]
    failing = 135 - compliant
    bad = ([WEAK] if weak_password else []) + unlinked[: failing - (1 if weak_password else 0)]
    answers = {i: Answer(i, "不符合" if i in bad else "符合") for i in [WEAK, *unlinked, *linked]}
    return assess(
        system=AssessedSystem("学籍管理系统", 2),
        level=2,
        extensions=(),
        catalog=load_catalog(),
        checks=load_checks(),
        targets=[],
        answers=answers,
        now=NOW,
        decisions=decisions,
    ).to_json()


def decided(decision: str) -> dict[str, Decision]:
    return {"6.4.1.1": Decision("6.4.1.1", decision, "管理员口令为 123456，可远程登录", "张老师", NOW)}


def test_85_percent_with_a_weak_password_is_basic_and_lists_the_candidate() -> None:
    result = run(115, weak_password=True)  # 115/135 = 85.2 %
    assert result["rate"] == round(115 / 135, 4)
    assert result["conclusion"] == "基本符合"
    assert (
        result["conclusion_rule"]
        == "符合率 85.2%，在 60%–90% 之间：基本符合（2025 年测评报告模板，公安部十一局答复第 20 问）"
    )
    assert result["major_risk_candidates"] == ["6.4.1.1"] and result["undecided"] == ["6.4.1.1"]
    problem = next(p for p in result["highrisk"] if p["case"] == "6.4.1.1")
    assert problem["candidate"] is True and problem["decision"] is None
    assert "6.4.1.1" in problem["reason"] and WEAK in problem["reason"] and "问卷" in problem["reason"]
    assert result["major_risk"] is False


@pytest.mark.parametrize("decision", [CONFIRMED, REJECTED])
def test_85_percent_stays_basic_whatever_the_decision(decision: str) -> None:
    result = run(115, weak_password=True, decisions=decided(decision))
    assert result["conclusion"] == "基本符合"
    assert result["major_risk"] is (decision == CONFIRMED)
    assert result["major_risks"] == (["6.4.1.1"] if decision == CONFIRMED else [])
    problem = next(p for p in result["highrisk"] if p["case"] == "6.4.1.1")
    assert problem["decision"]["decision"] == decision and problem["decision"]["decided_by"] == "张老师"
    assert result["undecided"] == []


def test_92_percent_is_met_unless_a_major_risk_is_confirmed() -> None:
    # 125/135 = 92.6 %
    assert run(125, weak_password=True)["conclusion"] == "符合"  # a candidate alone changes nothing
    assert run(125, weak_password=True, decisions=decided(REJECTED))["conclusion"] == "符合"
    confirmed = run(125, weak_password=True, decisions=decided(CONFIRMED))
    assert confirmed["conclusion"] == "基本符合" and confirmed["major_risks"] == ["6.4.1.1"]
    assert "但存在经确认的重大风险隐患" in confirmed["conclusion_rule"]


@pytest.mark.parametrize(
    ("compliant", "met", "major"),
    [
        # 135 items: 122/135 = 90.37 %, 121/135 = 89.6 %, 81/135 = 60.0 % exactly, 80/135 = 59.3 %
        (122, "符合", "基本符合"),
        (121, "基本符合", "基本符合"),
        (81, "基本符合", "基本符合"),
        (80, "不符合", "不符合"),
    ],
)
def test_bands_with_and_without_a_confirmed_major_risk(compliant: int, met: str, major: str) -> None:
    assert run(compliant, weak_password=True)["conclusion"] == met
    assert run(compliant, weak_password=False, decisions=decided(CONFIRMED))["conclusion"] == met  # not raised
    assert run(compliant, weak_password=True, decisions=decided(CONFIRMED))["conclusion"] == major


def test_a_decision_on_a_case_not_raised_counts_for_nothing_but_is_listed() -> None:
    result = run(125, weak_password=False, decisions=decided(CONFIRMED))
    assert result["conclusion"] == "符合" and result["major_risk"] is False
    assert [d["case"] for d in result["decisions_not_raised"]] == ["6.4.1.1"]


def test_apply_decisions_reconcludes_a_stored_assessment() -> None:
    stored = run(125, weak_password=True)
    assert stored["conclusion"] == "符合"
    again = apply_decisions(stored, decided(CONFIRMED))
    assert again["conclusion"] == "基本符合" and stored["conclusion"] == "符合"  # a copy


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=8))])
def test_decisions_are_stored_with_who_when_and_why_latest_applies(workspace: Workspace, zone: tzinfo) -> None:
    first = NOW.astimezone(zone)  # a +08:00 input is stored and read back as the same instant
    with open_workspace_store(workspace) as store:
        system, _ = save_system(
            store, name="学籍管理系统", level=2, extensions=(), asset_tag="", description="", grading=None, now=NOW
        )
        record_decision(store, system.id, "6.4.1.1", CONFIRMED, "可远程登录", "张老师", first)
        record_decision(store, system.id, "6.4.1.1", REJECTED, "已核实仅本地", "李老师", first + timedelta(hours=1))
        history = decision_history(store, system.id)
        latest = load_decisions(store, system.id)["6.4.1.1"]
    assert [d.decision for d in history] == [CONFIRMED, REJECTED]
    assert history[0].decided_at == NOW and history[0].decided_at.tzinfo is not None
    assert (latest.decision, latest.decided_by, latest.reason) == (REJECTED, "李老师", "已核实仅本地")
