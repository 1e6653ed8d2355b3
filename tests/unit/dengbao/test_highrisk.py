"""Mitigation of high-risk cases: only a mitigation the guide names for the case, by its ID, lowers
it; free text never does; the guide's unmitigable cases cannot be lowered. And the edges of the case
conditions the automated checks raise (6.4.3.1 reachable from outside its zone, 6.4.1.2 for any
credential in clear or reversible encoding)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from secops.dengbao.assess import HOST, NETWORK, Target, assess
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.highrisk import judge_mitigation, mitigation_state, split_mitigation
from secops.dengbao.questionnaire import Answer
from secops.records.assessment import AssessedSystem
from secops.records.highrisk import HighRiskProblem

CATALOG = load_catalog()
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SMB = {"port": 445, "proto": "tcp", "name": "microsoft-ds"}
HTTPS = {"port": 443, "proto": "tcp", "name": "https"}


def run(targets: list[Target], answers: list[Answer] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return assess(
        system=AssessedSystem("门户", 3),
        level=3,
        extensions=(),
        catalog=CATALOG,
        checks=load_checks(),
        targets=targets,
        answers={a.item_id: a for a in answers},
        now=NOW,
    ).to_json()


def cases_of(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["case"]: p for p in result["highrisk"]}


def scanned(services: list[dict[str, Any]], *, outside: bool | None) -> Target:
    facts: dict[str, Any] = {"address": "10.0.0.5", "services": services}
    if outside is not None:
        facts["vantage"] = {"outside_zone": outside}
    return Target("10.0.0.5", NETWORK, facts)


# ── the decision ──────────────────────────────────────────────────────────────


def test_split_keeps_ids_and_the_rest_as_text() -> None:
    assert split_mitigation("6.4.1.2-mgmt-vpn、6.4.1.2-mgmt-network；另有说明") == (
        ("6.4.1.2-mgmt-vpn", "6.4.1.2-mgmt-network"),
        "另有说明",
    )
    assert split_mitigation("管理只走 VPN") == ((), "管理只走 VPN")
    assert split_mitigation("") == ((), "")


def test_only_a_named_mitigation_of_the_case_lowers_it() -> None:
    case = CATALOG.case("6.4.1.2")
    assert judge_mitigation(case, ["管理只走VPN，很安全"])["unmitigated"] is True
    assert judge_mitigation(case, ["6.4.3.1-source-restricted"])["unmitigated"] is True  # another case's
    decided = judge_mitigation(case, ["", "6.4.1.2-mgmt-vpn 已建VPN"])
    assert decided["unmitigated"] is False
    assert decided["mitigations_applied"] == ["6.4.1.2-mgmt-vpn"]
    assert decided["mitigation_note"] == "已建VPN"
    assert decided["mitigable"] is True and len(decided["allowed_mitigations"]) == 2


def test_an_unmitigable_case_stays_high_risk_whatever_is_written() -> None:
    case = CATALOG.case("6.5.1.2")
    assert case.mitigable is False
    decided = judge_mitigation(case, ["日志已归档到外部硬盘", "6.5.1.2-archive"])
    assert decided["unmitigated"] is True and decided["allowed_mitigations"] == []
    assert decided["mitigations_ignored"] == ["6.5.1.2-archive"]
    assert "不可缓解" in mitigation_state(HighRiskProblem.from_json({"case": case.id, **decided}))


def test_free_text_in_the_questionnaire_no_longer_lowers_a_case() -> None:
    answer = Answer("L3-CES1-18", "不符合", mitigation="防火墙已限制来源")
    result = run([scanned([SMB], outside=True)], [answer])
    case = cases_of(result)["6.4.3.1"]
    assert case["unmitigated"] is True
    assert case["mitigation_note"] == "防火墙已限制来源"


def test_the_named_mitigation_lowers_the_case_in_an_assessment() -> None:
    answer = Answer("L3-CES1-18", "不符合", mitigation="6.4.3.1-source-restricted")
    case = cases_of(run([scanned([SMB], outside=True)], [answer]))["6.4.3.1"]
    assert case["unmitigated"] is False
    assert "已采取指引认可的缓解措施" in mitigation_state(HighRiskProblem.from_json(case))


def test_an_unmitigable_case_raised_by_a_check_stays_high_risk() -> None:
    host = Target("本机", HOST, {"linux": {"log_retention_days": 30}})
    answers = [Answer(item, "不符合", mitigation="已集中到日志服务器") for item in ("L3-SMC1-10", "L3-CES1-14")]
    case = cases_of(run([host], answers))["6.5.1.2"]
    assert case["unmitigated"] is True and case["mitigable"] is False


# ── 6.4.3.1: reachable from outside the zone ─────────────────────────────────


@pytest.mark.parametrize(
    ("services", "outside", "raised"),
    [
        ([SMB], True, True),
        ([{"port": 23, "proto": "tcp", "name": "telnet"}], True, True),
        ([SMB], False, False),  # only reachable inside its zone: the item fails, the case is not raised
        ([SMB], None, False),  # the scan did not say where it ran from: not evidenced
        ([HTTPS], True, False),
    ],
)
def test_risky_port_raises_6431_only_from_outside_its_zone(
    services: list[dict[str, Any]], outside: bool | None, raised: bool
) -> None:
    result = run([scanned(services, outside=outside)])
    assert ("6.4.3.1" in cases_of(result)) is raised
    item = next(i for i in result["items"] if i["id"] == "L3-CES1-18")
    assert item["result"] == ("符合" if services == [HTTPS] else "不符合")


# ── 6.4.1.2: credentials in clear or reversible encoding ─────────────────────


@pytest.mark.parametrize(
    ("service", "raised"),
    [
        ({"port": 80, "name": "http", "auth": "basic"}, True),  # base64 only
        ({"port": 8080, "name": "http-proxy", "banner": 'WWW-Authenticate: Basic realm="admin"'}, True),
        ({"port": 21, "name": "ftp"}, True),
        ({"port": 23, "name": "telnet"}, True),
        ({"port": 443, "name": "https", "auth": "basic"}, False),  # inside TLS
        ({"port": 80, "name": "http"}, False),  # plain HTTP with no login seen
    ],
)
def test_credentials_in_clear_or_base64_raise_6412(service: dict[str, Any], raised: bool) -> None:
    result = run([scanned([service], outside=False)])
    assert ("6.4.1.2" in cases_of(result)) is raised
