"""Scoring and conclusions of an 等保 assessment. Every rule lives here, with its source.

Sources:
- 2025 template (《网络安全等级保护测评报告模版（2025 版）》, required for reports dated after
  2025-03-20): 符合 when 符合率 > 90% and no 重大风险隐患; 基本符合 when 60% ≤ 符合率 ≤ 90%;
  不符合 when 符合率 < 60%. A 重大风险隐患 vetoes: the conclusion is then 不符合.
- 符合率 = 符合项 / (测评项 − 不适用项). Our choice, documented in reports: 部分符合 counts as not
  符合 (the strict reading used by assessors); items nobody assessed yet (未测评) stay in the
  denominator, so an unfinished questionnaire can only lower the rate, never raise it. The
  weighted variant (部分符合 = 0.5) is reported alongside for comparison.
- 2019 template 综合得分: M = 100 − (1/q) Σ_classes (Σw(不符合) + 0.5 Σw(部分符合)) / Σw × 100,
  q = number of classes with applicable items. Per-item weights (关键 1 / 重要 0.5 / 一般 0.2)
  are not published with the test-unit IDs, so every item weighs 1 here.
- 2021 grade from that score: 优 ≥ 90 with no medium or high risk; 良 ≥ 80 and no high risk;
  中 ≥ 70 and no high risk; otherwise 差.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

COMPLIANT = "符合"
PARTIAL = "部分符合"
NON_COMPLIANT = "不符合"
NOT_APPLICABLE = "不适用"
UNASSESSED = "未测评"
RESULTS = (COMPLIANT, PARTIAL, NON_COMPLIANT, NOT_APPLICABLE, UNASSESSED)
ANSWER_VALUES = (COMPLIANT, PARTIAL, NON_COMPLIANT, NOT_APPLICABLE)

CONCLUSION_MET = "符合"
CONCLUSION_BASIC = "基本符合"
CONCLUSION_FAIL = "不符合"
PASS_ABOVE = 0.90  # strictly above
BASIC_FROM = 0.60  # inclusive


@dataclass(frozen=True)
class Counts:
    compliant: int = 0
    partial: int = 0
    non_compliant: int = 0
    not_applicable: int = 0
    unassessed: int = 0

    @property
    def total(self) -> int:
        return self.compliant + self.partial + self.non_compliant + self.not_applicable + self.unassessed

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    def as_dict(self) -> dict[str, int]:
        return {
            COMPLIANT: self.compliant,
            PARTIAL: self.partial,
            NON_COMPLIANT: self.non_compliant,
            NOT_APPLICABLE: self.not_applicable,
            UNASSESSED: self.unassessed,
            "total": self.total,
        }


def count(results: Iterable[str]) -> Counts:
    tally = dict.fromkeys(RESULTS, 0)
    for result in results:
        if result not in tally:
            raise ValueError(f"unknown item result {result!r}")
        tally[result] += 1
    return Counts(tally[COMPLIANT], tally[PARTIAL], tally[NON_COMPLIANT], tally[NOT_APPLICABLE], tally[UNASSESSED])


def compliance_rate(counts: Counts) -> float:
    """符合项 / (测评项 − 不适用项); 1.0 when nothing applies (nothing can fail)."""
    return counts.compliant / counts.applicable if counts.applicable else 1.0


def weighted_rate(counts: Counts) -> float:
    """Like compliance_rate but 部分符合 counts one half."""
    return (counts.compliant + 0.5 * counts.partial) / counts.applicable if counts.applicable else 1.0


def conclusion_2025(rate: float, major_risk: bool) -> str:
    if major_risk:
        return CONCLUSION_FAIL
    if rate > PASS_ABOVE:
        return CONCLUSION_MET
    if rate >= BASIC_FROM:
        return CONCLUSION_BASIC
    return CONCLUSION_FAIL


def score_2019(by_class: Mapping[str, Counts]) -> float:
    """综合得分 M with every item weighing 1; 100 when nothing applies."""
    losses = []
    for counts in by_class.values():
        if counts.applicable == 0:
            continue
        lost = counts.non_compliant + counts.unassessed + 0.5 * counts.partial
        losses.append(lost / counts.applicable * 100)
    if not losses:
        return 100.0
    return round(100 - sum(losses) / len(losses), 2)


def grade_2021(score: float, *, high_risk: bool, medium_risk: bool) -> str:
    if score >= 90 and not high_risk and not medium_risk:
        return "优"
    if score >= 80 and not high_risk:
        return "良"
    if score >= 70 and not high_risk:
        return "中"
    return "差"
