"""重大风险隐患: the assessor's decisions on the candidates an assessment proposes.

After the Ministry of Public Security's 11th Bureau answers on the 2025 rules (Q19), a 重大风险隐患
is the assessor's judgement on relevance, severity and frequency: one high-risk problem *may*
amount to one, several combined may. So secops never concludes one by itself:

- every high-risk problem still open after mitigation (``unmitigated``, as the high-risk guide's
  mitigation rules decide) is a *candidate*, with its reason (the case, the items, the evidence);
- the assessor confirms or rejects a candidate (``secops dengbao risk confirm|reject``), with a
  reason; who, when and why are kept, and the latest decision per case applies;
- only a confirmed candidate is a 重大风险隐患 for the conclusion (scoring.conclude_2025). A decision
  on a case the assessment does not raise (fixed since, or not yet found) is listed but counts
  for nothing; it applies again if a later assessment raises the case.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.dengbao import scoring
from secops.records.assessment import Assessment
from secops.records.highrisk import RiskDecision
from secops.store import Store
from secops.store.schema import dengbao_risk_decisions

CONFIRMED = "confirmed"
REJECTED = "rejected"
DECISIONS = (CONFIRMED, REJECTED)
STATUS_NAMES = {CONFIRMED: "已确认为重大风险隐患", REJECTED: "已否定", None: "待评估人确认"}


# The assessor's decision is the record an assessment stores with its problem.
Decision = RiskDecision


def candidate_reason(problem: Mapping[str, Any]) -> str:
    """Why a high-risk problem is proposed: which case, which items, which evidence."""
    parts = [f"符合高风险判定指引案例 {problem['case']}“{problem['title']}”"]
    if problem.get("items"):
        parts.append(f"涉及要求项 {'、'.join(problem['items'])}")
    if problem.get("evidence"):
        evidence = "；".join(problem["evidence"][:5])
        more = f" 等 {len(problem['evidence'])} 条" if len(problem["evidence"]) > 5 else ""
        parts.append(f"证据：{evidence}{more}")
    else:
        parts.append("依据：问卷答复为不符合")
    parts.append("未采取指引认可的缓解措施")
    return "，".join(parts)


def apply_decisions(result: Mapping[str, Any], decisions: Mapping[str, Decision]) -> dict[str, Any]:
    """A copy of an assessment with its candidates, the decisions on them and the conclusion (with
    its rule) that follows. Pure: used when assessing and again when a report or a listing shows
    an assessment stored before the latest decisions."""
    out = copy.deepcopy(dict(result))
    raised = set()
    for problem in out.get("highrisk", []):
        problem["candidate"] = bool(problem.get("unmitigated"))
        problem["reason"] = candidate_reason(problem) if problem["candidate"] else ""
        decision = decisions.get(problem["case"]) if problem["candidate"] else None
        problem["decision"] = decision.to_json() if decision else None
        if problem["candidate"]:
            raised.add(problem["case"])
    candidates = [p for p in out.get("highrisk", []) if p["candidate"]]
    confirmed = [p["case"] for p in candidates if p["decision"] and p["decision"]["decision"] == CONFIRMED]
    out["major_risk_candidates"] = [p["case"] for p in candidates]
    out["major_risks"] = confirmed
    out["major_risk"] = bool(confirmed)
    out["undecided"] = [p["case"] for p in candidates if p["decision"] is None]
    out["decisions_not_raised"] = [d.to_json() for case, d in sorted(decisions.items()) if case not in raised]
    rate = scoring.compliance_rate(scoring.counts_from_dict(out["counts"]))
    conclusion = scoring.conclude_2025(rate, bool(confirmed))
    out["conclusion"] = conclusion.value
    out["conclusion_rule"] = conclusion.rule
    return out


def decide(result: Assessment, decisions: Mapping[str, Decision]) -> Assessment:
    """apply_decisions on a typed assessment (a stored one, shown after the latest decisions)."""
    return Assessment.from_json(apply_decisions(result.to_json(), decisions))


# ── the store ────────────────────────────────────────────────────────────────


def record_decision(
    store: Store, system_id: int, case: str, decision: str, reason: str, decided_by: str, now: datetime
) -> Decision:
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    with store.engine.begin() as conn:
        conn.execute(
            dengbao_risk_decisions.insert().values(
                system_id=system_id,
                case_id=case,
                decision=decision,
                reason=reason,
                decided_by=decided_by,
                decided_at=now,
            )
        )
    return Decision(case, decision, reason, decided_by, now)


def decision_history(store: Store, system_id: int) -> list[Decision]:
    """Every decision on the system's cases, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(dengbao_risk_decisions)
            .where(dengbao_risk_decisions.c.system_id == system_id)
            .order_by(dengbao_risk_decisions.c.id)
        ).all()
    return [Decision(r.case_id, r.decision, r.reason, r.decided_by, r.decided_at) for r in rows]


def load_decisions(store: Store, system_id: int) -> dict[str, Decision]:
    """The decision that applies per case: the latest."""
    return {d.case: d for d in decision_history(store, system_id)}
