"""Scoring rules: the 2025 conclusion at its boundaries, 符合率 (strict and weighted), the 2019
综合得分 and the 2021 grade."""

from __future__ import annotations

import pytest

from secops.dengbao.scoring import (
    COMPLIANT,
    NON_COMPLIANT,
    NOT_APPLICABLE,
    PARTIAL,
    UNASSESSED,
    Counts,
    compliance_rate,
    conclude_2025,
    conclusion_2025,
    count,
    grade_2021,
    percent,
    score_2019,
    weighted_rate,
)


@pytest.mark.parametrize(
    ("rate", "major_risk", "expected"),
    [
        (1.0, False, "符合"),
        (0.95, False, "符合"),
        (0.9001, False, "符合"),
        (0.90, False, "基本符合"),  # 符合 needs strictly more than 90%
        (0.8999, False, "基本符合"),
        (0.75, False, "基本符合"),
        (0.60, False, "基本符合"),  # 60% is still 基本符合
        (0.5999, False, "不符合"),
        (0.0, False, "不符合"),
        # a confirmed 重大风险隐患 only keeps a rate above 90% from 符合 (2025 answers, Q20): no veto
        (1.0, True, "基本符合"),
        (0.95, True, "基本符合"),
        (0.9001, True, "基本符合"),
        (0.90, True, "基本符合"),
        (0.8999, True, "基本符合"),
        (0.75, True, "基本符合"),
        (0.60, True, "基本符合"),
        (0.5999, True, "不符合"),
        (0.30, True, "不符合"),
        (0.0, True, "不符合"),
    ],
)
def test_conclusion_2025(rate: float, major_risk: bool, expected: str) -> None:
    assert conclusion_2025(rate, major_risk) == expected
    assert conclude_2025(rate, major_risk).value == expected


def test_rate_of_exactly_nine_in_ten_items_is_only_basic() -> None:
    rate = compliance_rate(count([COMPLIANT] * 9 + [NON_COMPLIANT]))
    assert rate == 0.9
    assert conclusion_2025(rate, False) == "基本符合"


def test_rate_of_exactly_six_in_ten_items_is_basic() -> None:
    rate = compliance_rate(count([COMPLIANT] * 6 + [NON_COMPLIANT] * 4))
    assert rate == 0.6
    assert conclusion_2025(rate, False) == "基本符合"


@pytest.mark.parametrize(
    ("rate", "major_risk", "expected", "rule"),
    [
        (
            0.901,
            False,
            "符合",
            "符合率 90.1%，高于 90%，且无经确认的重大风险隐患：符合（2025 年测评报告模板，公安部十一局答复第 20 问）",
        ),
        (0.901, True, "基本符合", "符合率 90.1%，高于 90%，但存在经确认的重大风险隐患：基本符合"),
        (0.90, False, "基本符合", "符合率 90.0%，在 60%–90% 之间（含 90%，符合须高于 90%）：基本符合"),
        (0.90, True, "基本符合", "符合率 90.0%，在 60%–90% 之间（含 90%，符合须高于 90%）：基本符合"),
        (
            0.852,
            False,
            "基本符合",
            "符合率 85.2%，在 60%–90% 之间：基本符合（2025 年测评报告模板，公安部十一局答复第 20 问）",
        ),
        (
            0.852,
            True,
            "基本符合",
            "符合率 85.2%，在 60%–90% 之间：基本符合（2025 年测评报告模板，公安部十一局答复第 20 问）",
        ),
        (0.60, False, "基本符合", "符合率 60.0%，在 60%–90% 之间：基本符合"),
        (0.60, True, "基本符合", "符合率 60.0%，在 60%–90% 之间：基本符合"),
        (0.599, False, "不符合", "符合率 59.9%，低于 60%：不符合（2025 年测评报告模板，公安部十一局答复第 20 问）"),
        (0.599, True, "不符合", "符合率 59.9%，低于 60%：不符合"),
    ],
)
def test_every_conclusion_names_its_rule(rate: float, major_risk: bool, expected: str, rule: str) -> None:
    conclusion = conclude_2025(rate, major_risk)
    assert conclusion.value == expected
    assert conclusion.rule.startswith(rule)


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(0.90004, "90.004%"), (0.89996, "90.0%"), (0.59999, "59.999%"), (0.852, "85.2%"), (0.9, "90.0%")],
)
def test_percent_never_prints_across_a_boundary(rate: float, shown: str) -> None:
    assert percent(rate) == shown


def test_count_tallies_every_result() -> None:
    counts = count([COMPLIANT, COMPLIANT, PARTIAL, NON_COMPLIANT, NOT_APPLICABLE, UNASSESSED, UNASSESSED])
    assert counts == Counts(compliant=2, partial=1, non_compliant=1, not_applicable=1, unassessed=2)
    assert counts.total == 7
    assert counts.applicable == 6
    assert counts.as_dict() == {"符合": 2, "部分符合": 1, "不符合": 1, "不适用": 1, "未测评": 2, "total": 7}


def test_count_refuses_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="unknown item result"):
        count([COMPLIANT, "基本符合"])


@pytest.mark.parametrize(
    ("results", "rate"),
    [
        ([COMPLIANT] * 4, 1.0),
        ([COMPLIANT] * 3 + [NON_COMPLIANT], 0.75),
        # 不适用 leaves the denominator
        ([COMPLIANT] * 3 + [NON_COMPLIANT] + [NOT_APPLICABLE] * 6, 0.75),
        # 部分符合 is not 符合
        ([COMPLIANT] * 2 + [PARTIAL] * 2, 0.5),
        # 未测评 stays in the denominator: an unfinished questionnaire only lowers the rate
        ([COMPLIANT] * 2 + [UNASSESSED] * 2, 0.5),
        ([COMPLIANT, PARTIAL, NON_COMPLIANT, UNASSESSED, NOT_APPLICABLE], 0.25),
        ([UNASSESSED] * 5, 0.0),
        # nothing applicable: nothing can fail
        ([NOT_APPLICABLE] * 3, 1.0),
        ([], 1.0),
    ],
)
def test_compliance_rate(results: list[str], rate: float) -> None:
    assert compliance_rate(count(results)) == pytest.approx(rate)


@pytest.mark.parametrize(
    ("results", "rate"),
    [
        ([COMPLIANT] * 2 + [PARTIAL] * 2, 0.75),
        ([PARTIAL] * 4 + [NOT_APPLICABLE] * 2, 0.5),
        ([COMPLIANT, PARTIAL, NON_COMPLIANT, UNASSESSED], 0.375),
        ([COMPLIANT] * 3 + [NON_COMPLIANT], 0.75),
        ([NOT_APPLICABLE], 1.0),
    ],
)
def test_weighted_rate_counts_partial_as_half(results: list[str], rate: float) -> None:
    assert weighted_rate(count(results)) == pytest.approx(rate)


def test_weighted_rate_is_never_below_the_strict_rate() -> None:
    counts = count([COMPLIANT] * 5 + [PARTIAL] * 3 + [NON_COMPLIANT] * 2)
    assert compliance_rate(counts) == pytest.approx(0.5)
    assert weighted_rate(counts) == pytest.approx(0.65)


# ── 2019 综合得分: M = 100 − (1/q) Σ_classes (不符合 + 0.5 部分符合) / applicable × 100 ──


def test_score_2019_all_compliant() -> None:
    assert score_2019({"安全计算环境": count([COMPLIANT] * 10), "安全管理制度": count([COMPLIANT] * 3)}) == 100.0


def test_score_2019_one_class() -> None:
    # 10 applicable items: 2 不符合, 2 部分符合 -> loss (2 + 1) / 10 × 100 = 30
    counts = count([COMPLIANT] * 6 + [NON_COMPLIANT] * 2 + [PARTIAL] * 2 + [NOT_APPLICABLE] * 5)
    assert score_2019({"安全计算环境": counts}) == 70.0


def test_score_2019_averages_classes_not_items() -> None:
    # class A: 4 items, 1 不符合 -> loss 25; class B: 10 items, 1 部分符合 -> loss 5
    # M = 100 − (25 + 5) / 2 = 85 (a per-item average would give 100 − 1.5/14 × 100 ≈ 89.29)
    by_class = {
        "安全通信网络": count([COMPLIANT] * 3 + [NON_COMPLIANT]),
        "安全区域边界": count([COMPLIANT] * 9 + [PARTIAL]),
    }
    assert score_2019(by_class) == 85.0


def test_score_2019_three_classes_rounded() -> None:
    # losses: 1/3 × 100 = 33.333…, 0.5/2 × 100 = 25, 0 -> M = 100 − 58.333…/3 = 80.555… -> 80.56
    by_class = {
        "安全物理环境": count([COMPLIANT, COMPLIANT, NON_COMPLIANT]),
        "安全管理机构": count([COMPLIANT, PARTIAL]),
        "安全管理人员": count([COMPLIANT] * 4),
    }
    assert score_2019(by_class) == 80.56


def test_score_2019_skips_classes_with_nothing_applicable() -> None:
    # q counts only the classes with applicable items: (50 + nothing) / 1
    by_class = {"安全计算环境": count([COMPLIANT, NON_COMPLIANT]), "安全管理中心": count([NOT_APPLICABLE] * 4)}
    assert score_2019(by_class) == 50.0


def test_score_2019_unassessed_items_lose_like_non_compliant() -> None:
    # the conservative choice of the rate applies to the score too: an unanswered item cannot raise it
    by_class = {"安全计算环境": count([COMPLIANT] * 3 + [UNASSESSED])}
    assert score_2019(by_class) == 75.0


@pytest.mark.parametrize("by_class", [{}, {"安全物理环境": count([NOT_APPLICABLE] * 2)}])
def test_score_2019_with_nothing_applicable_is_100(by_class: dict[str, Counts]) -> None:
    assert score_2019(by_class) == 100.0


# ── 2021 grade ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("score", "high", "medium", "expected"),
    [
        (100, False, False, "优"),
        (90, False, False, "优"),
        (89.99, False, False, "良"),
        (90, False, True, "良"),  # a medium risk keeps it from 优
        (80, False, False, "良"),
        (80, False, True, "良"),
        (79.99, False, False, "中"),
        (70, False, False, "中"),
        (70, False, True, "中"),
        (69.99, False, False, "差"),
        (0, False, False, "差"),
        (100, True, False, "差"),  # any high risk is 差
        (95, True, True, "差"),
        (75, True, False, "差"),
    ],
)
def test_grade_2021(score: float, high: bool, medium: bool, expected: str) -> None:
    assert grade_2021(score, high_risk=high, medium_risk=medium) == expected
