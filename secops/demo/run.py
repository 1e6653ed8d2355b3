"""The demo: every capability's main job, end to end, on the embedded default (SQLite).

1. a workspace for a demo school; 2. asset discovery - of a lab campus of real hosts in network
namespaces when run as root, else of this machine's loopback; 3. a level-2 等保 assessment of the
discovered hosts (automated evidence plus a partly answered questionnaire); 4. detection: the
Sigma rules over sample logs (a web attack, an SSH brute force) and YARA over a sample web root,
stored as alerts; 5. an incident opened from the top alert, with its running clocks; 6. student
data: a generated roster classified, masked, watermarked and traced from a leaked subset
(``secops.demo.data``); 7. 等保 compliance: three systems at levels 2, 3 and 3 with filings and an
official 等级测评, and their calendar (``secops.demo.compliance``); 8. the reports, with the roster's
数据分类分级 report, the 定级报告 and 备案表 of the 学籍 system, the leadership overview and the
school's 应急预案 (its people and 值班表 come with the workspace, ``secops.demo.contacts``).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from secops.errors import SecopsError
from secops.i18n import _
from secops.records.assessment import AssessedSystem, Assessment
from secops.reporting.build import build_to_file
from secops.workspace import init_workspace, open_workspace_store

DEMO_SCHOOL_CODE = "4133000001"  # a made-up code of the right shape
DEMO_SCHOOL_NAME = "示例实验中学"
LAB_SCOPE = ["10.77.0.0/24", "fd77::/64"]
LOOPBACK_SCOPE = ["127.0.0.1/32", "2001:db8:20::/48"]  # the second is documentation space: never scanned
LAB_HOSTS = 8
DEMO_SYSTEM = "学校门户网站"
DEMO_TAG = "portal"
ALL_FORMATS = ("pdf", "html", "xlsx", "docx")


@dataclass
class DemoResult:
    workspace: Path
    discovery: str = ""
    assessment: str = ""
    detection: str = ""
    incident: str = ""
    data: list[str] = field(default_factory=list)
    compliance: list[str] = field(default_factory=list)  # one calendar line per system
    data_files: list[Path] = field(default_factory=list)  # the roster, its masked, marked and leaked copies
    reports: list[Path] = field(default_factory=list)
    center: list[str] = field(default_factory=list)  # the school and its center, both ways


def _secops(workspace: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "secops", "--workspace", str(workspace), *args]


def _discover_lab(workspace: Path, now: datetime, progress: Callable[[str], None]) -> tuple[str, str]:
    from secops.lab import build_campus

    campus = build_campus(LAB_HOSTS)
    try:
        progress(
            "      "
            + _("lab campus of {hosts} hosts in network namespaces ({prefix}-*), scanning from inside").format(
                hosts=LAB_HOSTS, prefix=campus.prefix
            )
        )
        result = campus.run_in_scanner(
            [
                sys.executable,
                "-m",
                "secops",
                "--workspace",
                str(workspace),
                "assets",
                "discover",
                "--profile",
                "lab",
                "--format",
                "json",
            ],
            timeout=600,
        )
        if result.returncode not in (0, 1):
            raise SecopsError(_("demo discovery failed: {reason}").format(reason=result.stderr.strip()))
        summary = json.loads(result.stdout)
        discovery = _("{up} hosts up, {changes} changes, {alerts} alerts").format(
            up=summary["hosts_up"], changes=len(summary["changes"]), alerts=len(summary["alerts"])
        )
        progress(f"      {discovery}")
        progress(_("[3/9] 等保 level-2 assessment of the campus hosts (probes run from inside the lab)"))
        _prepare_system(workspace, now)
        assessed = campus.run_in_scanner(
            _secops(workspace, "dengbao", "assess", "--system", DEMO_SYSTEM, "--format", "json"), timeout=900
        )
    finally:
        campus.teardown()
    if assessed.returncode not in (0, 1):
        raise SecopsError(_("demo assessment failed: {reason}").format(reason=assessed.stderr.strip()))
    return discovery, _assessment_line(Assessment.from_json(json.loads(assessed.stdout)))


def _prepare_system(workspace: Path, now: datetime) -> None:
    """The demo's system: every discovered host tagged to it, manual items partly answered."""
    from secops.config import load_workspace
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.questionnaire import Answer
    from secops.dengbao.systems import save_answers, save_system
    from secops.inventory.queries import list_assets, tag_asset

    loaded = load_workspace(workspace)
    with open_workspace_store(loaded) as store:
        for asset in list_assets(store, include_gone=False):
            tag_asset(store, asset.key, owner="信息中心", system=DEMO_TAG, asset_type=None)
        system, _ = save_system(
            store,
            name=DEMO_SYSTEM,
            level=2,
            extensions=(),
            asset_tag=DEMO_TAG,
            description="对外发布学校信息的网站（演示）",
            grading=None,
            now=now,
            replace=True,
        )
        answers = []
        for index, req in enumerate(r for r in load_catalog().select(2) if r.evidence == ("manual",)):
            result = "部分符合" if index % 9 == 4 else "不符合" if index % 13 == 6 else "符合"
            answers.append(Answer(req.id, result, "演示答卷"))
        save_answers(store, system, answers, now)


def _assessment_line(result: Assessment) -> str:
    cases = ", ".join(sorted({p.case for p in result.highrisk}))
    rate = float(result.rate)
    return _("符合率 {rate}, {count} high-risk problem(s) [{cases}], conclusion {conclusion}").format(
        rate=f"{rate:.1%}", count=len(result.highrisk), cases=cases, conclusion=result.conclusion
    )


def _detect(workspace: Path, scratch: Path) -> str:
    """Sigma over the bundled sample logs and YARA over a generated web root, both --store."""
    import subprocess
    from importlib.resources import files

    from secops.detection.yara.samples import write_web_root

    logs = Path(str(files("secops.lab").joinpath("samples")))
    sigma = subprocess.run(
        _secops(workspace, "detect", "run", "--store", "--format", "jsonl", str(logs)),
        capture_output=True,
        text=True,
        check=False,
    )
    if sigma.returncode not in (0, 1):
        raise SecopsError(_("demo detection failed: {reason}").format(reason=sigma.stderr.strip()))
    matches = [json.loads(line) for line in sigma.stdout.splitlines() if line.strip()]
    correlations = sum(1 for m in matches if m.get("type") == "correlation")
    web_root = scratch / "www"
    planted = write_web_root(web_root)
    yara = subprocess.run(
        _secops(workspace, "yara", "scan", "--store", "--format", "jsonl", str(web_root)),
        capture_output=True,
        text=True,
        check=False,
    )
    if yara.returncode not in (0, 1):
        raise SecopsError(_("demo YARA scan failed: {reason}").format(reason=yara.stderr.strip()))
    hits = {json.loads(line)["path"] for line in yara.stdout.splitlines() if line.strip()}
    return _(
        "Sigma: {matches} matches ({correlations} correlations) in the sample logs; "
        "YARA: {hits} of {planted} planted files found in a sample web root"
    ).format(matches=len(matches), correlations=correlations, hits=len(hits), planted=len(planted))


def _open_incident(workspace: Path, output_dir: Path, now: datetime) -> str:
    """An incident from the most severe stored alert, graded 重大 so its 1-hour clock runs."""
    import sqlalchemy as sa

    from secops.config import load_workspace
    from secops.incident.alerts import alert_facts
    from secops.incident.audit import audit_key
    from secops.incident.clocks import clocks_for
    from secops.incident.from_alert import choose_playbook, open_from_alert
    from secops.incident.model import Session
    from secops.incident.playbooks import load_playbooks
    from secops.incident.policy import load_policy
    from secops.render.formats import write_report
    from secops.reporting.incident_reports import incident_report
    from secops.store.schema import alerts

    loaded = load_workspace(workspace)
    rank = sa.case({"critical": 0, "high": 1, "medium": 2, "low": 3}, value=alerts.c.severity, else_=4)
    with open_workspace_store(loaded) as store:
        with store.engine.connect() as conn:
            top = conn.execute(
                sa.select(alerts.c.id).where(alerts.c.source.in_(("sigma", "yara"))).order_by(rank, alerts.c.id)
            ).first()
        if top is None:
            return "no alert to open an incident from"
        alert = alert_facts(store, top.id)
        playbooks = load_playbooks()
        playbook = choose_playbook(alert, playbooks) or next(p for p in playbooks if p.id == "webshell")
        detected = now - timedelta(minutes=20)  # found 20 minutes ago: the clock is already running
        incident = open_from_alert(
            Session(store, audit_key(workspace), "值班员", now),
            alert,
            playbooks,
            playbook=playbook,
            grade="重大",
            detected_at=detected,
        )
        policy = load_policy()
        clock = next(c for c in clocks_for(incident, policy, now) if c.deadline_id == "handle-major")
        write_report(incident_report(incident, store, loaded, policy, "initial", now), output_dir / "incident.docx")
    minutes = int(clock.left.total_seconds() // 60)
    return _("incident #{id} ({playbook}, 重大) from alert #{alert}: {minutes} min left on its 1-hour clock").format(
        id=incident.id, playbook=playbook.id, alert=top.id, minutes=minutes
    )


def _assess_loopback(workspace: Path, now: datetime) -> str:
    from secops.config import load_workspace
    from secops.dengbao.assess import assess
    from secops.dengbao.catalog import load_catalog
    from secops.dengbao.checks import load_checks
    from secops.dengbao.gather import gather
    from secops.dengbao.systems import get_system, load_answers, save_assessment

    _prepare_system(workspace, now)
    loaded = load_workspace(workspace)
    with open_workspace_store(loaded) as store:
        system = get_system(store, DEMO_SYSTEM)
        targets = gather(loaded, store, system, local=True, now=lambda: now, force=True)
        record = assess(
            system=AssessedSystem(system.name, system.level, system.asset_tag),
            level=2,
            extensions=(),
            catalog=load_catalog(),
            checks=load_checks(),
            targets=targets,
            answers=load_answers(store, system),
            now=now,
        )
        save_assessment(store, system, record, now)
    return _assessment_line(record)


def _discover_loopback(workspace: Path, now: datetime) -> str:
    from secops.config import load_workspace
    from secops.inventory.job import run_discovery

    loaded = load_workspace(workspace)
    with open_workspace_store(loaded) as store:
        outcome = run_discovery(loaded, store, profile_name="quick", targets=["127.0.0.1"], now=lambda: now, force=True)
    result = outcome.result
    return _("{up} hosts up, {changes} changes, {alerts} alerts").format(
        up=result.hosts_up, changes=len(result.changes), alerts=len(result.alerts)
    )


def run_demo(
    output_dir: Path, *, now: datetime, lang: str = "zh", progress: Callable[[str], None] = print
) -> DemoResult:
    from secops.demo.compliance import RECORDS_SYSTEM, run_compliance_step
    from secops.demo.data import run_data_step
    from secops.lab import campus_unavailable_reason
    from secops.reporting.data_source import table_params

    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SecopsError(
            _("cannot create output folder {folder}: {reason}").format(folder=output_dir, reason=exc.strerror),
            hint=_("choose another --output-dir"),
        ) from None
    lab_reason = campus_unavailable_reason()
    scope = LAB_SCOPE if lab_reason is None else LOOPBACK_SCOPE
    workspace_dir = Path(tempfile.mkdtemp(prefix="secops-demo-"))
    progress(
        _("[1/9] Creating a demo workspace for {school} in {folder}").format(
            school=DEMO_SCHOOL_NAME, folder=workspace_dir
        )
    )
    result = init_workspace(
        workspace_dir, school_code=DEMO_SCHOOL_CODE, school_name=DEMO_SCHOOL_NAME, scope=scope, database=None, now=now
    )
    demo = DemoResult(workspace=workspace_dir)
    from secops.demo.contacts import write_demo_contacts

    progress("      " + write_demo_contacts(workspace_dir))
    if lab_reason is None:
        progress(_("[2/9] Discovering assets on a lab campus (IPv4 + IPv6)"))
        demo.discovery, demo.assessment = _discover_lab(workspace_dir, now, progress)
    else:
        progress(_("[2/9] Discovering assets on 127.0.0.1 (no lab campus: {reason})").format(reason=lab_reason))
        demo.discovery = _discover_loopback(workspace_dir, now)
        progress(f"      {demo.discovery}")
        progress(_("[3/9] 等保 level-2 assessment of 127.0.0.1 and this machine's configuration"))
        demo.assessment = _assess_loopback(workspace_dir, now)
    progress(f"      {demo.assessment}")
    progress(_("[4/9] Detection: Sigma over sample logs, YARA over a sample web root (stored as alerts)"))
    demo.detection = _detect(workspace_dir, workspace_dir)
    progress(f"      {demo.detection}")
    progress(_("[5/9] Opening an incident from the top alert (its 1-hour clock runs), and a drill at 10x"))
    demo.incident = _open_incident(workspace_dir, output_dir, now)
    demo.reports.append((output_dir / "incident.docx").resolve())
    progress(f"      {demo.incident}")
    from secops.demo.drill import run_drill_step

    demo.reports += [path.resolve() for path in run_drill_step(workspace_dir, output_dir, now=now, progress=progress)]
    progress(
        _(
            "[6/9] Student data: a generated roster scanned, masked, watermarked, traced and encrypted (in {folder})"
        ).format(folder=output_dir)
    )
    data = run_data_step(output_dir, workspace_dir, now=now, progress=progress)
    demo.data, demo.data_files = data.lines, [path.resolve() for path in data.files]
    progress(_("[7/9] 等保 compliance: three systems at levels 2, 3 and 3, filings, 等级测评, the calendar"))
    demo.compliance = run_compliance_step(workspace_dir, DEMO_SYSTEM, now=now, progress=progress)
    progress(
        _("[8/9] Building the reports (PDF, HTML, XLSX, DOCX; 数据分类分级, 定级报告, 备案表, the overview, 应急预案)")
    )
    roster = table_params([str(data.roster)], None)
    reports: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
        ("workspace", {}, ALL_FORMATS),
        ("assets", {}, ALL_FORMATS),
        ("dengbao", {"system": DEMO_SYSTEM}, ALL_FORMATS),
        ("classification", roster, ("pdf", "xlsx")),
        ("grading", {"system": RECORDS_SYSTEM}, ("docx", "pdf")),
        ("filing", {"system": RECORDS_SYSTEM, **roster}, ("docx", "xlsx")),
        ("overview", {}, ("pdf", "docx")),
        ("plan", {}, ("docx", "pdf")),
    ]
    with open_workspace_store(result.workspace) as store:
        for report_id, params, formats in reports:
            for fmt in formats:
                path = output_dir / f"{report_id}.{fmt}"
                build_to_file(report_id, path, result.workspace, store, now, lang, params)
                demo.reports.append(path.resolve())
    progress(_("[9/9] The provincial center on loopback: alerts, incidents and a check-in up; a 通报 down"))
    from secops.demo.center_loop import run_center_loop

    demo.center = run_center_loop(workspace_dir, DEMO_SCHOOL_CODE, DEMO_SCHOOL_NAME, progress)
    return demo
