"""Scoring and conclusions of an 等保 assessment. Every rule lives here, with its source.

Sources:
- 2025 template (《网络安全等级保护测评报告模版（2025 版）》, required for reports dated after
  2025-03-20), as clarified by the Ministry of Public Security's 11th Bureau answers on the 2025
  rules (letter of 2025-04-27, Q19 and Q20): 符合 when 符合率 > 90% and no 重大风险隐患; 基本符合
  when 60% ≤ 符合率 ≤ 90% whatever the high-risk problems or 重大风险隐患; 不符合 when 符合率 < 60%.
  There is no veto to 不符合. Above 90% with a 重大风险隐患 the letter is silent; the reading
  consistent with it, and ours, is 基本符合. Exactly 90% is 基本符合 (符合 needs *above* 90%);
  exactly 60% is 基本符合. A 重大风险隐患 is the assessor's judgement (Q19): only a confirmed one
  counts (see secops.dengbao.risks), a high-risk problem is a candidate until then.
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


RULE_SOURCE = "2025 年测评报告模板，公安部十一局答复第 20 问"


@dataclass(frozen=True)
class Conclusion:
    """A 2025 conclusion and the rule that produced it, in words a reader can check."""

    value: str
    rule: str


def _band(rate: float) -> int:
    return 2 if rate > PASS_ABOVE else 1 if rate >= BASIC_FROM else 0


def percent(rate: float) -> str:
    """The rate as a percentage with one decimal, or as many more as it takes not to cross a
    boundary in print (90.004% is shown 90.004%, not 90.0%, since it is above 90%)."""
    for digits in range(1, 6):
        text = f"{rate * 100:.{digits}f}"
        if _band(float(text) / 100) == _band(rate):
            return f"{text}%"
    return f"{rate * 100}%"


def conclude_2025(rate: float, major_risk: bool) -> Conclusion:
    """The 2025 conclusion; ``major_risk`` is a *confirmed* 重大风险隐患 (Q19), never a mere
    high-risk problem."""
    shown = percent(rate)
    if rate > PASS_ABOVE:
        if major_risk:
            return Conclusion(
                CONCLUSION_BASIC,
                f"符合率 {shown}，高于 90%，但存在经确认的重大风险隐患：基本符合"
                "（2025 年测评报告模板：符合须无重大风险隐患；"
                "公安部十一局答复第 20 问未述此情形，按其口径取基本符合）",
            )
        return Conclusion(CONCLUSION_MET, f"符合率 {shown}，高于 90%，且无经确认的重大风险隐患：符合（{RULE_SOURCE}）")
    if rate >= BASIC_FROM:
        edge = "（含 90%，符合须高于 90%）" if rate == PASS_ABOVE else ""
        return Conclusion(CONCLUSION_BASIC, f"符合率 {shown}，在 60%–90% 之间{edge}：基本符合（{RULE_SOURCE}）")
    return Conclusion(CONCLUSION_FAIL, f"符合率 {shown}，低于 60%：不符合（{RULE_SOURCE}）")


def conclusion_2025(rate: float, major_risk: bool) -> str:
    return conclude_2025(rate, major_risk).value


def counts_from_dict(tally: Mapping[str, int]) -> Counts:
    """The Counts of an assessment's stored ``counts`` (see Counts.as_dict)."""
    return Counts(tally[COMPLIANT], tally[PARTIAL], tally[NON_COMPLIANT], tally[NOT_APPLICABLE], tally[UNASSESSED])


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
