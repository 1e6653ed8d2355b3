"""An 等保 assessment over the shipped catalog and checks: facts from hand-made targets, merged per
item with questionnaire answers, judged for high risk and concluded."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from secops.dengbao.assess import Target, assess, evaluate_targets
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.questionnaire import Answer
from secops.records.assessment import AssessedSystem

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADDRESS = "10.77.1.5"

SSH = {"port": 22, "proto": "tcp", "name": "ssh", "product": "OpenSSH", "version": "9.2p1"}
TELNET = {"port": 23, "proto": "tcp", "name": "telnet"}
REDIS = {"port": 6379, "proto": "tcp", "name": "redis", "product": "Redis key-value store", "version": "7.0.11"}
SMB = {"port": 445, "proto": "tcp", "name": "microsoft-ds"}

# the scans below ran from outside the host's zone, so a risky port there is case 6.4.3.1
CLEAN: dict[str, Any] = {
    "address": ADDRESS,
    "vantage": {"outside_zone": True},
    "services": [SSH],
    "ssh": {"port": 22, "auth_methods": ["publickey"], "password_auth": False, "weak_algorithms": []},
    "weak_credentials": [],
    "unauthenticated": [],
    "tls": [],
}
EXPOSED: dict[str, Any] = {
    "address": ADDRESS,
    "vantage": {"outside_zone": True},
    "services": [SSH, TELNET, REDIS],
    "unauthenticated": [{"service": "redis", "port": 6379}],
    "weak_credentials": [{"service": "ssh", "port": 22, "account": "root"}],
}
CLEAN_HOST: dict[str, Any] = {
    "linux": {
        "login_defs": {"pass_max_days": 90, "pass_min_days": 1, "pass_min_len": 12, "pass_warn_age": 7},
        "pwquality": {"enabled": True, "minlen": 12, "minclass": 3, "dcredit": -1, "ucredit": -1},
        "faillock": {"enabled": True, "deny": 5, "unlock_time": 600},
        "sshd": {"permitrootlogin": "no", "passwordauthentication": "no", "permitemptypasswords": "no"},
        "accounts": {"uid0": ["root"], "empty_password": [], "shared_or_default": []},
        "session_timeout": 600,
        "auditd": {"installed": True, "active": True, "rules": 12},
        "log_retention_days": 190,
        "time_sync": {"active": True, "service": "chrony"},
        "risky_services": [],
        "firewall": {"active": True, "rules": 14, "default_input_policy": "drop"},
        "updates": {"pending": 0, "security": 0},
        "antivirus": {"installed": True, "name": "clamav", "signature_age_days": 1},
    }
}


def run(
    targets: list[Target],
    answers: Sequence[Answer] = (),
    *,
    level: int = 3,
    extensions: tuple[str, ...] = (),
) -> dict[str, Any]:
    return assess(
        system=AssessedSystem("学籍管理系统", level),
        level=level,
        extensions=extensions,
        catalog=load_catalog(),
        checks=load_checks(),
        targets=targets,
        answers={a.item_id: a for a in answers},
        now=NOW,
    ).to_json()


def network(facts: dict[str, Any]) -> Target:
    return Target(ADDRESS, "network", copy.deepcopy(facts))


def items_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in result["items"]}


def cases_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {problem["case"]: problem for problem in result["highrisk"]}


# ── (1) an exposed host at level 3 ────────────────────────────────────────────


def test_exposed_host_fails_items_and_proposes_major_risk_candidates() -> None:
    result = run([network(EXPOSED)])
    items = items_of(result)
    for item_id in ("L3-CES1-18", "L3-CES1-01"):
        assert items[item_id]["result"] == "不符合"
        assert items[item_id]["source"] == "automated"
        assert items[item_id]["automated"] == "fail"
        assert items[item_id]["risk"] == "high"
    failing_18 = {c["check"] for c in items["L3-CES1-18"]["checks"] if c["status"] == "fail"}
    assert "telnet-exposed" in failing_18
    failing_01 = {c["check"] for c in items["L3-CES1-01"]["checks"] if c["status"] == "fail"}
    assert {"unauthenticated-service", "weak-credentials"} <= failing_01

    cases = cases_of(result)
    assert {"6.4.3.1", "6.4.1.1"} <= set(cases)
    assert cases["6.4.3.1"]["unmitigated"] is True
    assert "L3-CES1-18" in cases["6.4.3.1"]["items"]
    assert cases["6.4.3.1"]["checks"] == ["risky-ports-reachable-outside"]  # Telnet reached from outside
    assert "telnet-exposed" in cases["6.4.1.2"]["checks"]  # and its login travels in clear
    assert cases["6.4.1.1"]["unmitigated"] is True
    assert "L3-CES1-01" in cases["6.4.1.1"]["items"]
    assert {"unauthenticated-service", "weak-credentials"} <= set(cases["6.4.1.1"]["checks"])
    assert "6.4.3.1" in items["L3-CES1-18"]["highrisk_cases"]
    assert "6.4.1.1" in items["L3-CES1-01"]["highrisk_cases"]

    # high-risk problems are 重大风险隐患 candidates for the assessor, not a veto (2025 answers, Q19/Q20)
    assert {"6.4.3.1", "6.4.1.1"} <= set(result["major_risk_candidates"])
    assert cases["6.4.1.1"]["candidate"] is True and cases["6.4.1.1"]["decision"] is None
    assert "6.4.1.1" in cases["6.4.1.1"]["reason"] and "L3-CES1-01" in cases["6.4.1.1"]["reason"]
    assert result["major_risk"] is False and result["major_risks"] == []
    assert result["conclusion"] == "不符合"  # by the rate alone: most items are still unassessed
    assert "低于 60%" in result["conclusion_rule"]
    assert result["grade_2021"] == "差"
    assert result["level"] == 3 and result["assessed_at"] == NOW.isoformat()
    assert result["targets"] == [{"name": ADDRESS, "kind": "network", "notes": []}]


def test_evidence_names_the_account_and_service_never_a_password() -> None:
    result = run([network(EXPOSED)])
    evidence = " ".join(cases_of(result)["6.4.1.1"]["evidence"])
    assert "ssh/22 账户 root" in evidence
    assert "redis/6379" in evidence
    telnet = next(c for c in items_of(result)["L3-CES1-18"]["checks"] if c["check"] == "telnet-exposed")
    assert telnet["evidence"] == f"{ADDRESS}：telnet/23"
    assert telnet["target"] == ADDRESS


def test_network_target_runs_only_network_checks() -> None:
    results = evaluate_targets([network(EXPOSED)], load_checks())
    assert results and {r.check.source for r in results} == {"network"}
    host_results = evaluate_targets([Target("server-1", "host", copy.deepcopy(CLEAN_HOST))], load_checks())
    assert host_results and {r.check.source for r in host_results} == {"host"}
    assert {r.status for r in host_results} == {"pass"}


# ── (2) an answer contradicting a failing check ──────────────────────────────


@pytest.mark.parametrize("answer", ["符合", "部分符合", "不适用"])
def test_failing_check_wins_over_a_contradicting_answer(answer: str) -> None:
    facts = {**CLEAN, "services": [SSH, TELNET]}
    result = run([network(facts)], [Answer("L3-CES1-18", answer, note="已关闭 Telnet")])
    item = items_of(result)["L3-CES1-18"]
    assert item["result"] == "不符合"
    assert item["source"] == "automated"
    assert item["answer"] == answer
    assert item["conflict"] and answer in item["conflict"]
    assert result["conflicts"] >= 1


def test_agreeing_answer_is_no_conflict() -> None:
    facts = {**CLEAN, "services": [SSH, TELNET]}
    result = run([network(facts)], [Answer("L3-CES1-18", "不符合", note="Telnet 仍在使用")])
    item = items_of(result)["L3-CES1-18"]
    assert item["result"] == "不符合" and item["conflict"] is None
    assert item["note"] == "Telnet 仍在使用"


@pytest.mark.parametrize(("answer", "conflict"), [("不符合", True), ("部分符合", True), ("符合", False)])
def test_passing_check_lets_a_worse_answer_stand_but_flags_it(answer: str, conflict: bool) -> None:
    result = run([network(CLEAN)], [Answer("L3-CES1-18", answer)])
    item = items_of(result)["L3-CES1-18"]
    assert item["result"] == answer
    assert item["source"] == "both"
    assert bool(item["conflict"]) is conflict


# ── (3) a mitigation recorded in the questionnaire ───────────────────────────

MITIGATION = "6.4.3.1-source-restricted"  # a mitigation the guide names for 6.4.3.1, by its ID


def test_mitigation_marks_the_case_mitigated() -> None:
    facts = {**CLEAN, "services": [SSH, TELNET]}
    result = run([network(facts)], [Answer("L3-CES1-18", "不符合", mitigation=MITIGATION)])
    case = cases_of(result)["6.4.3.1"]
    assert case["unmitigated"] is False
    assert case["mitigations_applied"] == [MITIGATION] and case["mitigation"].startswith(MITIGATION)
    assert MITIGATION in {m["id"] for m in case["allowed_mitigations"]} and case["mitigable"] is True
    assert items_of(result)["L3-CES1-18"]["mitigation"] == MITIGATION


def test_mitigated_case_alone_is_no_major_risk_candidate() -> None:
    # SMB matches only 6.4.3.1: a candidate until mitigated, never a 重大风险隐患 by itself
    facts = {**CLEAN, "services": [SSH, SMB]}
    bare = run([network(facts)])
    assert set(cases_of(bare)) == {"6.4.3.1"}
    assert bare["major_risk_candidates"] == ["6.4.3.1"] and bare["major_risk"] is False

    mitigated = run([network(facts)], [Answer("L3-CES1-18", "不符合", mitigation=MITIGATION)])
    assert cases_of(mitigated)["6.4.3.1"]["unmitigated"] is False
    assert mitigated["major_risk_candidates"] == [] and mitigated["major_risk"] is False
    item = items_of(mitigated)["L3-CES1-18"]
    assert item["result"] == "不符合"
    assert item["risk"] == "medium"  # a high-severity finding with a mitigation


def test_problem_items_are_the_cases_own_items() -> None:
    facts = {**CLEAN, "services": [SSH, TELNET]}
    result = run([network(facts)], [Answer("L3-CES1-18", "不符合", mitigation=MITIGATION)])
    cases = cases_of(result)
    assert cases["6.4.1.2"]["items"] == ["L3-CES1-03"]
    assert cases["6.4.3.1"]["items"] == ["L3-CES1-18"]
    item = items_of(result)["L3-CES1-18"]
    assert item["highrisk_cases"] == ["6.4.3.1"]
    assert item["risk"] == "medium"


# ── (4) a clean host ──────────────────────────────────────────────────────────


def test_clean_host_items_pass_automatically() -> None:
    result = run([network(CLEAN)])
    items = items_of(result)
    for item_id in ("L3-CES1-18", "L3-CES1-01", "L3-CES1-03", "L3-CES1-04", "L3-CES1-06"):
        assert items[item_id]["result"] == "符合", item_id
        assert items[item_id]["source"] == "automated", item_id
        assert items[item_id]["automated"] == "pass", item_id
        assert items[item_id]["risk"] is None and items[item_id]["conflict"] is None
    assert result["highrisk"] == []
    assert result["major_risk"] is False
    assert result["checks_run"] == sum(1 for c in load_checks() if c.source == "network")
    assert result["checks"] == []  # only failing, unevidenced or evidenced results are listed
    # most of the catalog needs the questionnaire: the assessment stays provisional
    assert result["provisional"] is True
    assert result["counts"]["符合"] == sum(1 for item in result["items"] if item["source"] == "automated")


def test_clean_network_and_host_together() -> None:
    result = run([network(CLEAN), Target("server-1", "host", copy.deepcopy(CLEAN_HOST))])
    items = items_of(result)
    for item_id in ("L3-CES1-02", "L3-CES1-12", "L3-CES1-14", "L3-CES1-17", "L3-CES1-19", "L3-CES1-23"):
        assert items[item_id]["result"] == "符合", item_id
    targets = {c["target"] for c in items["L3-CES1-01"]["checks"]}
    assert targets == {ADDRESS, "server-1"}
    assert result["major_risk"] is False


# ── (5) no facts at all ───────────────────────────────────────────────────────


@pytest.mark.parametrize("kind", ["network", "host"])
def test_without_facts_items_stay_unassessed(kind: str) -> None:
    result = run([Target(ADDRESS, kind, {})])
    items = items_of(result)
    assert {item["result"] for item in result["items"]} == {"未测评"}
    automated = [item for item in result["items"] if item["automated"] is not None]
    assert automated and {item["automated"] for item in automated} == {"not_evidenced"}
    assert {item["source"] for item in result["items"]} == {"none"}
    first = items["L3-CES1-01"]["checks"][0]
    assert first["status"] == "not_evidenced" and "未取得" in first["evidence"]
    assert result["counts"]["未测评"] == 211
    assert result["rate"] == 0.0
    assert result["conclusion"] == "不符合"
    assert result["highrisk"] == [] and result["major_risk"] is False
    assert result["provisional"] is True


def test_no_targets_and_no_answers() -> None:
    result = run([])
    assert result["checks_run"] == 0
    assert {item["result"] for item in result["items"]} == {"未测评"}


# ── (6) answers of 不适用 leave the rate ─────────────────────────────────────


def test_not_applicable_answers_are_excluded_from_the_rate() -> None:
    catalog = load_catalog()
    physical = [r.id for r in catalog.select(3) if r.class_code == "PES"]
    management = [r.id for r in catalog.select(3) if r.class_code == "PSS"]
    answers = [Answer(i, "不适用", note="托管在教育城域网机房") for i in physical]
    answers += [Answer(i, "符合") for i in management]
    result = run([], answers)
    counts = result["counts"]
    assert counts["不适用"] == len(physical)
    assert counts["符合"] == len(management)
    assert counts["total"] == 211
    assert result["rate"] == round(len(management) / (211 - len(physical)), 4)
    assert result["by_class"]["安全物理环境"]["不适用"] == len(physical)
    sources = {item["source"] for item in result["items"] if item["id"] in physical}
    assert sources == {"questionnaire"}


@pytest.mark.parametrize(("compliant", "conclusion"), [(190, "符合"), (189, "基本符合"), (126, "基本符合")])
def test_conclusion_from_answers_alone(compliant: int, conclusion: str) -> None:
    # 211 items, 1 不适用: 190/210 > 90 % -> 符合; 189/210 = 90 % -> 基本符合; 126/210 = 60 % -> 基本符合
    requirements = [r for r in load_catalog().select(3) if not r.highrisk]
    linked = [r for r in load_catalog().select(3) if r.highrisk]
    ordered = requirements + linked  # non-compliant answers go to items no high-risk case links
    answers = [Answer(ordered[-1].id, "不适用")]
    answers += [Answer(r.id, "符合") for r in ordered[-1 - compliant : -1]]
    answers += [Answer(r.id, "不符合") for r in ordered[: 210 - compliant]]
    result = run([], answers)
    assert result["counts"]["符合"] == compliant and result["counts"]["不适用"] == 1
    assert result["major_risk"] is False
    assert result["conclusion"] == conclusion
    assert result["provisional"] is False


def test_a_non_compliant_answer_on_a_linked_item_raises_its_case() -> None:
    # L3-PES1-03 (electronic access control) is linked to case 6.1.1.1
    result = run([], [Answer("L3-PES1-03", "不符合", note="机房无门禁")])
    case = cases_of(result)["6.1.1.1"]
    assert case["items"] == ["L3-PES1-03"] and case["checks"] == []
    assert case["unmitigated"] is True and case["candidate"] is True
    assert result["major_risk_candidates"] == ["6.1.1.1"] and result["major_risk"] is False


# ── (7) the level decides the items ───────────────────────────────────────────


def test_level_2_assessment_uses_only_level_2_items() -> None:
    result = run([network(EXPOSED)], level=2)
    ids = [item["id"] for item in result["items"]]
    assert len(ids) == 135
    assert all(i.startswith("L2-") for i in ids)
    items = items_of(result)
    assert items["L2-CES1-12"]["result"] == "不符合"
    assert items["L2-CES1-01"]["result"] == "不符合"
    for problem in result["highrisk"]:
        assert all(i.startswith("L2-") for i in problem["items"]), problem["case"]
    cases = cases_of(result)
    assert {"6.4.3.1", "6.4.1.1"} <= set(cases)
    assert all(load_catalog().case(case_id).min_level <= 2 for case_id in cases)
    for item in result["items"]:
        for check in item["checks"]:
            assert check["status"] in ("pass", "fail", "not_evidenced")


def test_level_2_with_an_extension() -> None:
    result = run([], level=2, extensions=("cloud",))
    parts = {item["part"] for item in result["items"]}
    assert parts == {"general", "cloud"}
    assert len(result["items"]) == 135 + 29
    assert result["extensions"] == ["cloud"]


def test_level_3_only_case_is_not_raised_at_level_2() -> None:
    # ssh-password-login matches 6.4.1.3, a case from level 3 on; its items are L3/L4 only
    facts = {**CLEAN, "ssh": {"port": 22, "auth_methods": ["password"], "password_auth": True, "weak_algorithms": []}}
    assert "6.4.1.3" in cases_of(run([network(facts)], level=3))
    assert "6.4.1.3" not in cases_of(run([network(facts)], level=2))


def test_free_text_lowers_neither_the_case_nor_the_finding() -> None:
    facts = {**CLEAN, "services": [SSH, SMB]}
    note = "边界防火墙已限制访问，计划本月整改"  # free text, not a mitigation the guide names
    result = run([network(facts)], [Answer("L3-CES1-18", "不符合", mitigation=note)])
    assert cases_of(result)["6.4.3.1"]["unmitigated"] is True
    assert result["major_risk_candidates"] == ["6.4.3.1"]
    assert items_of(result)["L3-CES1-18"]["risk"] == "high"
