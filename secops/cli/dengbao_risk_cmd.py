"""``secops dengbao risk``: the assessor confirms or rejects each 重大风险隐患 candidate."""

from __future__ import annotations

from typing import Any

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.output import emit, format_option, shown, to_json
from secops.i18n import _


def _default_assessor() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group(cls=SecopsGroup)
def risk() -> None:
    """重大风险隐患: list the candidates (high-risk problems still open) and record the assessor's
    judgement on each (2025 answers, Q19: relevance, severity, frequency). Only confirmed ones
    weigh on the conclusion, and then 符合 becomes 基本符合, never 不符合.

    \b
      secops dengbao risk list --system 学籍管理系统
      secops dengbao risk confirm 6.4.1.1 --system 学籍管理系统 --reason "管理员弱口令，可远程登录"
      secops dengbao risk reject 6.4.3.1 --system 学籍管理系统 --reason "仅运维网段可达，已核实"
    """


def _decide(app: AppContext, case: str, system_name: str, reason: str, by: str | None, decision: str) -> None:
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.risks import STATUS_NAMES, decide, load_decisions, record_decision
    from secops.dengbao.systems import get_system, latest_assessment
    from secops.errors import SecopsError
    from secops.store.records import log_activity

    reason = reason.strip()
    if not reason:
        raise SecopsError(_("--reason is empty"), hint=_("say why: relevance, severity, frequency (2025 answers, Q19)"))
    known = {c.id for c in load_catalog().cases}
    if case not in known:
        raise SecopsError(
            _("unknown high-risk case {case!r}").format(case=case),
            hint=_("use a case number of the guide, e.g. 6.4.1.1 (see risk list)"),
        )
    workspace = app.workspace()
    now = app.now()
    who = by or _default_assessor()
    with app.store(workspace) as store:
        found = get_system(store, system_name)
        record_decision(store, found.id, case, decision, reason, who, now)
        log_activity(
            store, f"dengbao.risk.{decision}", {"system": found.name, "case": case, "reason": reason, "by": who}, now
        )
        latest = latest_assessment(store, found)
        decisions = load_decisions(store, found.id)
    click.echo(
        _("{system} {case}: {status} ({who}, {when}): {reason}").format(
            system=found.name,
            case=case,
            status=STATUS_NAMES[decision],
            who=who,
            when=f"{shown(now):%Y-%m-%d %H:%M}",
            reason=reason,
        )
    )
    if latest is None:
        click.echo(_("The system has no assessment yet; this applies from the next secops dengbao assess."))
        return
    current = decide(latest, decisions)
    if case not in current.major_risk_candidates:
        click.echo(
            _(
                "Note: the latest assessment does not raise {case} as a candidate; this decision applies once "
                "an assessment raises it."
            ).format(case=case),
            err=True,
        )
    click.echo(
        _("Conclusion of the latest assessment with the decisions so far: {conclusion}. {rule}").format(
            conclusion=current.conclusion, rule=current.conclusion_rule
        )
    )


@risk.command()
@click.argument("case")
@click.option("--system", "system_name", required=True, shell_complete=complete.systems, help="System name.")
@click.option("--reason", required=True, help="Why it is a 重大风险隐患 (relevance, severity, frequency).")
@click.option("--by", help="Who decides (default: the login name).")
@pass_app
def confirm(app: AppContext, case: str, system_name: str, reason: str, by: str | None) -> None:
    """Confirm high-risk CASE (e.g. 6.4.1.1) of a system as a 重大风险隐患."""
    _decide(app, case, system_name, reason, by, "confirmed")


@risk.command()
@click.argument("case")
@click.option("--system", "system_name", required=True, shell_complete=complete.systems, help="System name.")
@click.option("--reason", required=True, help="Why it is not a 重大风险隐患.")
@click.option("--by", help="Who decides (default: the login name).")
@pass_app
def reject(app: AppContext, case: str, system_name: str, reason: str, by: str | None) -> None:
    """Reject high-risk CASE of a system as a 重大风险隐患 (it stays a high-risk problem)."""
    _decide(app, case, system_name, reason, by, "rejected")


@risk.command(name="list")
@click.option("--system", "system_name", required=True, shell_complete=complete.systems, help="System name.")
@format_option()
@pass_app
def list_(app: AppContext, system_name: str, fmt: str) -> None:
    """The candidates of the latest assessment with the decision on each, the conclusion that
    follows, and decisions on cases the latest assessment does not raise."""
    from secops.dengbao.risks import STATUS_NAMES, decide, load_decisions
    from secops.dengbao.systems import get_system, latest_assessment

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = get_system(store, system_name)
        latest = latest_assessment(store, found)
        decisions = load_decisions(store, found.id)
    rows: list[dict[str, Any]] = []
    current = decide(latest, decisions) if latest else None
    for problem in current.highrisk if current else ():
        if not problem.candidate:
            continue
        decision = problem.decision
        rows.append(
            {
                "case": problem.case,
                "title": problem.title,
                "status": decision.decision if decision else "undecided",
                "status_name": STATUS_NAMES[decision.decision if decision else None],
                "candidate_reason": problem.reason,
                "decision_reason": decision.reason if decision else "",
                "decided_by": decision.decided_by if decision else "",
                "decided_at": decision.decided_at if decision else None,
                "raised": True,
            }
        )
    raised = {row["case"] for row in rows}
    for case, decision_ in sorted(decisions.items()):
        if case in raised:
            continue
        rows.append(
            {
                "case": case,
                "title": "",
                "status": decision_.decision,
                "status_name": STATUS_NAMES[decision_.decision] + _(" (not raised by the latest assessment)"),
                "candidate_reason": "",
                "decision_reason": decision_.reason,
                "decided_by": decision_.decided_by,
                "decided_at": decision_.decided_at,
                "raised": False,
            }
        )
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "system": found.name,
                    # stored as ISO text in the assessment: shown as an instant, in the workspace zone
                    "assessed_at": current.assessed_at if current else None,
                    "conclusion": current.conclusion if current else None,
                    "conclusion_rule": current.conclusion_rule if current else None,
                    "candidates": rows,
                }
            )
        )
        return
    if fmt == "jsonl":
        emit(rows, fmt)
        return
    if current is None:
        click.echo(
            _("{system} has no assessment yet; run secops dengbao assess --system {system} first").format(
                system=found.name
            ),
            err=True,
        )
    elif not rows:
        click.echo(
            _("The latest assessment raises no 重大风险隐患 candidates (no unmitigated high-risk problems)."), err=True
        )
    for row in rows:
        when = f"{shown(row['decided_at']):%Y-%m-%d %H:%M}" if row["decided_at"] else ""
        click.echo(f"[{row['case']}] {row['title']}  {row['status_name']}")
        if row["candidate_reason"]:
            click.echo("    " + _("Why a candidate: {reason}").format(reason=row["candidate_reason"]))
        if row["decision_reason"]:
            click.echo(
                "    "
                + _("Assessor's decision: {reason} ({who}, {when})").format(
                    reason=row["decision_reason"], who=row["decided_by"], when=when
                )
            )
    if current is not None:
        click.echo(
            _("Conclusion: {conclusion}. {rule}").format(conclusion=current.conclusion, rule=current.conclusion_rule)
        )
