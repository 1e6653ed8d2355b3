"""``secops dengbao``: 等保 2.0 grading, catalog, systems, questionnaire and assessment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from secops.cli import complete
from secops.cli.base import SecopsGroup
from secops.cli.context import AppContext, pass_app
from secops.cli.dengbao_calendar_cmd import calendar, system_assessed, system_filed
from secops.cli.dengbao_risk_cmd import risk
from secops.cli.dengbao_system_cmd import questionnaire, system
from secops.cli.output import emit, emit_object, findings, force_option, format_option, refuse_overwrite, say, to_json
from secops.i18n import _

if TYPE_CHECKING:
    from secops.records.assessment import Assessment


@click.group(cls=SecopsGroup)
def dengbao() -> None:
    """等保 2.0: grade systems (GB/T 22240), browse the level 1-4 catalog (GB/T 22239 / 28448),
    answer the questionnaire, assess with automated evidence, and build the 差距分析 report.

    \b
    A typical first assessment:
      secops dengbao grade --preset 学籍 -o answers.yaml      # suggested grading, to confirm
      secops dengbao grade --answers answers.yaml
      secops dengbao system add 学籍管理系统 --answers answers.yaml --asset-tag xueji
      secops dengbao questionnaire export --system 学籍管理系统 -o q.xlsx
      secops dengbao questionnaire import --system 学籍管理系统 q.xlsx
      secops dengbao assess --system 学籍管理系统 --local
      secops report build dengbao --system 学籍管理系统 -o gap.pdf
    """


@dengbao.command()
@click.option("--level", required=True, help="Protection level: 1, 2, 3 or 4.")
@click.option("--extension", "extensions", multiple=True, help="Extensions: cloud, mobile, iot, ics (comma-separated).")
@click.option("--class", "class_filter", help="Only one class, by code (CES) or name (安全计算环境).")
@format_option()
def catalog(level: str, extensions: tuple[str, ...], class_filter: str | None, fmt: str) -> None:
    """List the requirement items of a level (general requirements plus chosen extensions)."""
    from secops.dengbao.catalog import CLASS_CODES, load_catalog, parse_extensions, parse_level
    from secops.errors import SecopsError

    chosen = load_catalog().select(parse_level(level), parse_extensions(extensions))
    if class_filter:
        code = CLASS_CODES.get(class_filter, class_filter.upper())
        if code not in CLASS_CODES.values():
            raise SecopsError(
                _("unknown class {name!r}").format(name=class_filter),
                hint=_("use a code such as CES or a name such as 安全计算环境"),
            )
        chosen = [r for r in chosen if r.class_code == code]
    rows = [r.as_dict() for r in chosen]
    if fmt == "table":
        for row, req in zip(rows, chosen, strict=True):
            row["evidence"] = ",".join(req.evidence)
            row["highrisk"] = ",".join(req.highrisk)
    emit(
        rows,
        fmt,
        ["id", "class", "control_point", "clause", "item", "evidence", "highrisk", "summary"],
        headers={
            "id": "ID",
            "class": _("CLASS"),
            "control_point": _("CONTROL POINT"),
            "clause": _("CLAUSE"),
            "item": _("ITEM"),
            "evidence": _("EVIDENCE"),
            "highrisk": _("HIGH RISK"),
            "summary": _("SUMMARY"),
        },
        empty=_("No requirement items match"),
    )


@dengbao.command()
@click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Grading answers (YAML).")
@click.option("--preset", help="Suggest a grading from an education preset (see `dengbao presets`).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    help="With --preset: write an answers file to edit (- for stdout).",
)
@force_option()
@format_option()
def grade(answers_path: Path | None, preset: str | None, output: Path | None, force: bool, fmt: str) -> None:
    """Grade a system per GB/T 22240-2020 from 受侵害的客体 and 侵害程度 of both dimensions.

    \b
    Answers file:
      system: 学籍管理系统
      business: {object: society, degree: serious}   # 业务信息安全
      service:  {object: society, degree: general}   # 系统服务安全
    object: citizen | society | nation; degree: general | serious | especially_serious
    (the Chinese names are accepted too).
    """
    from secops.cli.output import text_output
    from secops.dengbao.answers_grading import load_grading_answers
    from secops.dengbao.presets import find_preset
    from secops.errors import SecopsError
    from secops.fsutil import check_output_path

    if bool(answers_path) == bool(preset):
        raise SecopsError(
            _("give exactly one of --answers FILE or --preset NAME"), hint=_("see secops dengbao presets")
        )
    if output and not preset:
        raise SecopsError(_("-o writes the answers of a preset"), hint=_("add --preset NAME, or drop -o"))
    if preset:
        chosen = find_preset(preset)
        if output and str(output) == "-":
            with text_output(output) as handle:
                handle.write(chosen.answers_yaml())
            return  # the answers file is the output: no summary mixed into it
        if output:
            refuse_overwrite(output, force)
            check_output_path(output)
            with text_output(output) as handle:
                handle.write(chosen.answers_yaml())
            say(
                _("Wrote {path}: review it, then run secops dengbao grade --answers {path}").format(path=output),
                err=True,
            )
        result: dict[str, Any] = {"system": chosen.name, "preset": chosen.id, "suggestion": True}
        result.update(chosen.grading().as_dict())
        suggested = _("(suggested) {line}")
        result["reasoning"] = [suggested.format(line=line) for line in result["reasoning"]] + list(chosen.notes)
        result["extensions"] = list(chosen.extensions)
    else:
        assert answers_path is not None
        answers = load_grading_answers(answers_path)
        result = {"system": answers.system, "preset": answers.preset, "suggestion": False}
        result.update(answers.grading.as_dict())
        result["extensions"] = list(answers.extensions)
    if fmt == "table":
        title = result["system"] or _("System graded")
        suggestion = _(" (a suggestion, please confirm)") if result["suggestion"] else ""
        click.echo(
            _("{system}: {level}{suggestion}").format(system=title, level=result["level_name"], suggestion=suggestion)
        )
        for key in ("business", "service"):
            dim = result[key]
            click.echo(
                "  "
                + _("{dimension}: {object} × {degree} → level {level}").format(
                    dimension=dim["dimension_name"],
                    object=dim["object_name"],
                    degree=dim["degree_name"],
                    level=dim["level"],
                )
            )
        click.echo(_("Reasons for the grading:"))
        for line in result["reasoning"]:
            click.echo(f"  {line}")
        click.echo(_("What follows:"))
        for line in result["consequences"]:
            click.echo(f"  - {line}")
    else:
        emit_object(result, fmt)


@dengbao.command()
@format_option()
def presets(fmt: str) -> None:
    """List the education presets (typical school systems with a suggested grading)."""
    from secops.dengbao.presets import load_presets

    rows = [
        {
            "id": p.id,
            "name": p.name,
            "level": p.grading().level,
            "business": p.grading().business.level,
            "service": p.grading().service.level,
            "extensions": ",".join(p.extensions),
            "description": p.description,
        }
        for p in load_presets()
    ]
    emit(
        rows,
        fmt,
        ["id", "name", "level", "business", "service", "extensions", "description"],
        headers={
            "id": "ID",
            "name": _("NAME"),
            "level": _("LEVEL"),
            "business": _("BUSINESS"),
            "service": _("SERVICE"),
            "extensions": _("EXTENSIONS"),
            "description": _("DESCRIPTION"),
        },
        empty=_("No presets found"),
    )


@dengbao.command()
@click.option("--system", "system_name", required=True, shell_complete=complete.systems, help="System name.")
@click.option("--level", help="Assess against another level than the system's.")
@click.option("--targets", "targets", multiple=True, help="Addresses/CIDRs to probe (default: the system's assets).")
@click.option("--local", is_flag=True, help="Collect host configuration of this machine.")
@click.option("--ssh", "ssh_hosts", multiple=True, help="Collect host configuration over SSH (key-based, BatchMode).")
@click.option("--ssh-user", help="User for --ssh.")
@click.option("--ssh-identity", type=click.Path(path_type=Path), help="Private key for --ssh.")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path), help="Import this questionnaire first.")
@click.option("--no-credentials", is_flag=True, help="Skip weak-password guessing.")
@click.option("--no-automated", is_flag=True, help="Questionnaire only: no scans, probes or collectors.")
@click.option("--force", is_flag=True, help="Scan outside the profile's time window.")
@click.option(
    "--scanned-from",
    type=click.Choice(["outside", "inside"]),
    help="Where the network scan runs from: outside the targets' zone (Internet, another segment) or inside "
    "it. High-risk case 6.4.3.1 needs a risky port reachable from outside; unset, that check is not evidenced.",
)
@format_option()
@pass_app
def assess(
    app: AppContext,
    system_name: str,
    level: str | None,
    targets: tuple[str, ...],
    local: bool,
    ssh_hosts: tuple[str, ...],
    ssh_user: str | None,
    ssh_identity: Path | None,
    answers_path: Path | None,
    no_credentials: bool,
    no_automated: bool,
    force: bool,
    scanned_from: str | None,
    fmt: str,
) -> None:
    """Assess a system: automated evidence + questionnaire, high risk, 符合率 and conclusion.

    Exits 1 when the conclusion is not 符合.
    """
    from contextlib import nullcontext

    from secops.cli.output import progress_spinner
    from secops.dengbao.assessment import run_automated_assessment
    from secops.dengbao.catalog import load_catalog, parse_level
    from secops.dengbao.questionnaire import import_questionnaire
    from secops.dengbao.systems import get_system, save_answers
    from secops.errors import SecopsError

    automated_only = _given(
        "targets", "local", "ssh_hosts", "ssh_user", "ssh_identity", "no_credentials", "force", "scanned_from"
    )
    if no_automated and automated_only:
        raise SecopsError(
            _(
                "--no-automated (questionnaire only) contradicts {options}: "
                "they only steer the automated evidence, which --no-automated skips"
            ).format(options=", ".join(automated_only)),
            hint=_("drop those options, or drop --no-automated"),
        )
    if not ssh_hosts and (ssh_options := _given("ssh_user", "ssh_identity")):
        raise SecopsError(
            _("{options} without --ssh HOST: nothing to log in to").format(options=", ".join(ssh_options)),
            hint=_("add --ssh HOST"),
        )

    workspace = app.workspace()
    with app.store(workspace) as store:
        found = get_system(store, system_name)
        chosen_level = parse_level(level) if level else found.level
        if answers_path:
            imported = import_questionnaire(answers_path, load_catalog().select(chosen_level, found.extensions))
            save_answers(store, found, imported, app.now())
        spinner = nullcontext(None) if no_automated else progress_spinner(_("gathering evidence"))
        with spinner as progress:
            result = run_automated_assessment(
                workspace,
                store,
                found.name,
                level=chosen_level,
                automated=not no_automated,
                targets=targets,
                local=local,
                ssh_hosts=ssh_hosts,
                ssh_user=ssh_user,
                ssh_identity=str(ssh_identity) if ssh_identity else None,
                credentials=not no_credentials,
                force=force,
                outside_zone=None if scanned_from is None else scanned_from == "outside",
                progress=progress or (lambda _line: None),
                now=app.now,
                source="manual",
            )
    if fmt == "table":
        _print_summary(result)
    elif fmt == "json":
        click.echo(to_json(result.to_json()))
    else:
        for item in result.items:
            click.echo(to_json(item.to_json(), indent=None))
    findings(result.conclusion != "符合")


def _given(*names: str) -> list[str]:
    """The options among ``names`` the user actually gave (on the command line or by environment)."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    given = []
    for param in ctx.command.params:
        if param.name in names and ctx.get_parameter_source(param.name) in (
            ParameterSource.COMMANDLINE,
            ParameterSource.ENVIRONMENT,
        ):
            given.append(max(param.opts, key=len))
    return given


def _print_summary(result: Assessment) -> None:
    counts = result.counts
    click.echo(
        _("{system} · level {level} · {total} items").format(
            system=result.system.name, level=result.level, total=counts["total"]
        )
    )
    click.echo("  " + "  ".join(f"{k} {counts[k]}" for k in ("符合", "部分符合", "不符合", "不适用", "未测评")))
    click.echo(
        "  "
        + _(
            "符合率 {rate} ({weighted} counting 部分符合 as 0.5)  overall score (2019) {score}  2021 rating {grade}"
        ).format(
            rate=f"{result.rate:.1%}",
            weighted=f"{result.weighted_rate:.1%}",
            score=result.score_2019,
            grade=result.grade_2021,
        )
    )
    if result.highrisk:
        from secops.dengbao.highrisk import mitigation_state
        from secops.dengbao.risks import STATUS_NAMES

        click.echo(_("High-risk problems:"))
        for problem in result.highrisk:
            state = mitigation_state(problem)
            if problem.candidate:
                decision = problem.decision
                status = STATUS_NAMES[decision.decision if decision else None]
                state += _("; 重大风险隐患 candidate: {status}").format(status=status)
                if decision:
                    state += _(" ({who}: {reason})").format(who=decision.decided_by, reason=decision.reason)
            if problem.mitigation_note:
                state += _("; note (not a mitigation): {note}").format(note=problem.mitigation_note)
            click.echo(f"  [{problem.case}] {problem.title}（{', '.join(problem.items)}）{state}")
            for line in problem.evidence[:5]:
                click.echo(f"      {line}")
        if result.undecided:
            click.echo(
                "  "
                + _(
                    "{count} candidate(s) to decide: "
                    "secops dengbao risk confirm|reject CASE --system {system} --reason ..."
                ).format(count=len(result.undecided), system=result.system.name)
            )
    failing = [i for i in result.items if i.result == "不符合"]
    if failing:
        click.echo(_("Items 不符合 ({count}):").format(count=len(failing)))
        for item in failing[:30]:
            click.echo(f"  {item.id} {item.control_point}：{item.summary}")
        if len(failing) > 30:
            click.echo("  " + _("… {count} more, see --format json or the report").format(count=len(failing) - 30))
    if result.conflicts:
        click.echo(
            _("{count} answer(s) conflict with the automated checks (the automated checks win)").format(
                count=result.conflicts
            )
        )
    provisional = _(" (items not yet assessed: a provisional conclusion)") if result.provisional else ""
    confirmed = (
        _(", confirmed 重大风险隐患: {cases}").format(cases="、".join(result.major_risks)) if result.major_risks else ""
    )
    click.echo(
        _("Conclusion: {conclusion}{confirmed}{provisional}").format(
            conclusion=result.conclusion, confirmed=confirmed, provisional=provisional
        )
    )
    if result.conclusion_rule:
        click.echo("  " + _("Basis: {rule}").format(rule=result.conclusion_rule))


dengbao.add_command(system)
dengbao.add_command(questionnaire)
dengbao.add_command(calendar)
dengbao.add_command(risk)
system.add_command(system_filed)
system.add_command(system_assessed)
