"""An 等保 assessment: facts from the inventory, probes and host collectors, evaluated by the
checks, merged per item with the questionnaire, judged for high risk and scored.

Merging rules (documented in the report):
- a failing check makes its items 不符合, whatever the questionnaire says; a contradicting answer
  is flagged as a conflict (the evidence wins);
- a passing check covers only what it tests, so an answer of 不符合/部分符合 stands against it (the
  disagreement is flagged for review); with no answer, a passing item is 符合 (自动检查);
- with neither evidence nor answer an item is 未测评.

High risk: a failing check raises the guide cases it names; an item answered 不符合 raises every
case linked to it. Only a mitigation the guide names for the case, answered by its ID in the
questionnaire, lowers the case from high risk (the problem stays, as medium risk); free text is a
note and lowers nothing, nor does it lower a high-severity finding that matches no case.

Conclusion (scoring.conclude_2025, after the 2025 answers): a high-risk problem still open is a
*candidate* 重大风险隐患 (secops.dengbao.risks); only one the assessor confirmed counts, and even
then it lowers 符合 to 基本符合, never to 不符合. The result names the rule it applied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from secops.dengbao import scoring
from secops.dengbao.catalog import CLASSES, Catalog
from secops.dengbao.checks import SEVERITY_ORDER, Check, CheckResult, run_check
from secops.dengbao.questionnaire import Answer
from secops.dengbao.risks import Decision, apply_decisions
from secops.records.assessment import AssessedSystem, Assessment

NETWORK, HOST = "network", "host"


@dataclass
class Target:
    """One thing facts were gathered about: a network address, or a host reached by a collector."""

    name: str
    kind: str  # network | host
    facts: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def evaluate_targets(targets: Iterable[Target], checks: Iterable[Check]) -> list[CheckResult]:
    results = []
    checks = list(checks)
    for target in targets:
        for check in checks:
            if check.source == target.kind:
                results.append(run_check(check, target.facts, target=target.name))
    return results


def _automated_status(results: list[CheckResult]) -> str | None:
    if not results:
        return None
    if any(r.status == "fail" for r in results):
        return "fail"
    if any(r.status == "pass" for r in results):
        return "pass"
    return "not_evidenced"


def _merge(automated: str | None, answer: Answer | None) -> tuple[str, str, str | None]:
    """(result, source, conflict) for one item."""
    if automated == "fail":
        conflict = None
        if answer and answer.result != scoring.NON_COMPLIANT:
            conflict = f"答卷为“{answer.result}”，自动检查发现不符合，以自动检查为准"
        return scoring.NON_COMPLIANT, "automated", conflict
    if answer is not None:
        conflict = None
        if automated == "pass" and answer.result in (scoring.NON_COMPLIANT, scoring.PARTIAL):
            conflict = f"自动检查未发现问题，但答卷为“{answer.result}”，请复核"
        return answer.result, "questionnaire" if automated != "pass" else "both", conflict
    if automated == "pass":
        return scoring.COMPLIANT, "automated", None
    return scoring.UNASSESSED, "none", None


def _evidence_line(result: CheckResult) -> str:
    if result.status == "not_evidenced":
        return f"{result.target}：未取得（缺少 {', '.join(result.missing)}）"
    if not result.evidence:
        return f"{result.target}：{'通过' if result.status == 'pass' else '不通过'}"
    parts = []
    for element in result.evidence[:8]:
        if isinstance(element, dict):
            port = element.get("port")
            label = element.get("service") or element.get("name") or element.get("product") or ""
            account = element.get("account")
            text = f"{label}/{port}" if port else str(label)
            if account:
                text += f" 账户 {account}"
            parts.append(text.strip("/"))
        else:
            parts.append(str(element))
    more = f" 等 {len(result.evidence)} 项" if len(result.evidence) > 8 else ""
    return f"{result.target}：{'，'.join(parts)}{more}"


def assess(
    *,
    system: AssessedSystem,
    level: int,
    extensions: tuple[str, ...],
    catalog: Catalog,
    checks: Iterable[Check],
    targets: list[Target],
    answers: dict[str, Answer],
    now: datetime,
    check_results: list[CheckResult] | None = None,
    decisions: Mapping[str, Decision] | None = None,
    school: Mapping[str, str] | None = None,
) -> Assessment:
    """The full assessment of ``system`` against the ``level`` catalog (its own or a what-if).

    ``decisions`` are the assessor's on 重大风险隐患 candidates, by case (risks.load_decisions);
    ``school`` (code, name) is recorded with it when the assessment is to be stored."""
    checks = list(checks)
    requirements = catalog.select(level, extensions)
    results = check_results if check_results is not None else evaluate_targets(targets, checks)
    by_item: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        for item_id in result.check.items_for_level(level):
            by_item[item_id].append(result)

    items: list[dict[str, Any]] = []
    for req in requirements:
        item_results = by_item.get(req.id, [])
        automated = _automated_status(item_results)
        answer = answers.get(req.id)
        final, source, conflict = _merge(automated, answer)
        items.append(
            {
                **req.as_dict(),
                "result": final,
                "source": source,
                "automated": automated,
                "answer": answer.result if answer else None,
                "note": answer.note if answer else "",
                "mitigation": answer.mitigation if answer else "",
                "conflict": conflict,
                "checks": [
                    {
                        "check": r.check.id,
                        "title": r.check.title.zh,
                        "target": r.target,
                        "status": r.status,
                        "severity": r.check.severity,
                        "evidence": _evidence_line(r),
                        "remediation": r.check.remediation,
                    }
                    for r in item_results
                ],
                "risk": None,
                "highrisk_cases": [],
            }
        )
    item_index = {item["id"]: item for item in items}
    problems = _high_risk(catalog, level, item_index, results)
    for item in items:
        if item["result"] not in (scoring.NON_COMPLIANT, scoring.PARTIAL):
            continue
        failing = [c for c in item["checks"] if c["status"] == "fail"]
        if any(p["unmitigated"] and item["id"] in p["items"] for p in problems):
            item["risk"] = "high"
        elif failing:
            item["risk"] = min((c["severity"] for c in failing), key=lambda s: SEVERITY_ORDER[s])
            mitigated = any(not p["unmitigated"] and item["id"] in p["items"] for p in problems)
            if item["risk"] == "high" and mitigated:  # a guide-named mitigation of its case, not free text
                item["risk"] = "medium"
        else:
            item["risk"] = "medium" if item["result"] == scoring.NON_COMPLIANT else "low"
        item["highrisk_cases"] = [p["case"] for p in problems if item["id"] in p["items"]]

    overall = scoring.count(item["result"] for item in items)
    by_class: dict[str, scoring.Counts] = {}
    for code, name in CLASSES.items():
        members = [item["result"] for item in items if item["class_code"] == code]
        if members:
            by_class[name] = scoring.count(members)
    rate = scoring.compliance_rate(overall)
    high = any(item["risk"] == "high" for item in items)
    medium = any(item["risk"] == "medium" for item in items)
    score = scoring.score_2019(by_class)
    # Items are merged and judged as JSON-shaped dicts (the high-risk and decision steps work on
    # that shape); the record is built once, from the finished dict.
    assessment: dict[str, Any] = {
        "system": system.to_json(),
        "level": level,
        "extensions": list(extensions),
        "assessed_at": now.isoformat(),
        "targets": [{"name": t.name, "kind": t.kind, "notes": t.notes} for t in targets],
        "items": items,
        "counts": overall.as_dict(),
        "by_class": {name: counts.as_dict() for name, counts in by_class.items()},
        "rate": round(rate, 4),
        "weighted_rate": round(scoring.weighted_rate(overall), 4),
        "highrisk": problems,
        "score_2019": score,
        "grade_2021": scoring.grade_2021(score, high_risk=high, medium_risk=medium),
        "conflicts": sum(1 for item in items if item["conflict"]),
        "checks_run": len(results),
        "checks": [r.as_dict() for r in results if r.status != "pass" or r.evidence],
        "provisional": overall.unassessed > 0,
        "rate_rule": "符合率 = 符合项 / (测评项 − 不适用项)；部分符合不计入符合，未测评项计入分母",
    }
    # candidates, decisions, major_risk, conclusion and conclusion_rule
    decided = apply_decisions(assessment, decisions or {})
    if school is not None:
        decided["school"] = dict(school)
    return Assessment.from_json(decided)


def _high_risk(
    catalog: Catalog, level: int, items: dict[str, dict[str, Any]], results: list[CheckResult]
) -> list[dict[str, Any]]:
    """The guide's cases matched by non-compliant items or failing checks, with mitigations."""
    from secops.dengbao.highrisk import judge_mitigation

    problems = []
    failing_cases: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        if result.status == "fail":
            for case_id in result.check.highrisk:
                failing_cases[case_id].append(result)
    for case in catalog.cases:
        if case.min_level > level:
            continue
        case_items = [i for i in case.items if i in items]
        # An automated failure raises only the cases its check names; a 不符合 answer raises every
        # case linked to the item (the assessor judged the whole requirement unmet).
        failed_items = [
            i for i in case_items if items[i]["result"] == scoring.NON_COMPLIANT and items[i]["source"] != "automated"
        ]
        check_hits = failing_cases.get(case.id, [])
        if not failed_items and not check_hits:
            continue
        # only a mitigation the guide names for this case lowers it (secops.dengbao.highrisk)
        mitigation = judge_mitigation(case, (_mitigation_cell(items[i]) for i in case_items))
        problems.append(
            {
                "case": case.id,
                "title": case.title,
                "summary": case.summary,
                "condition": case.condition,
                "items": sorted(set(failed_items) | {i for r in check_hits for i in r.check.items if i in case_items}),
                "evidence": [_evidence_line(r) for r in check_hits],
                "checks": sorted({r.check.id for r in check_hits}),
                **mitigation,
            }
        )
    return problems


def _mitigation_cell(item: dict[str, Any]) -> str:
    """The item's mitigation IDs and the free text the import moved to its note (shown, never lowering)."""
    from secops.dengbao.questionnaire import NOTE_PREFIX

    typed = [line.removeprefix(NOTE_PREFIX) for line in item["note"].splitlines() if line.startswith(NOTE_PREFIX)]
    return "、".join([item["mitigation"], *typed]) if typed else str(item["mitigation"])
