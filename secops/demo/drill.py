"""The demo's 应急演练: the webshell scenario at 10x, worked by a scripted team whose actions are
dated over the last 6 real minutes (60 minutes of drill time), so the demo does not wait. The YARA
scan of the laid-out artifacts is real; every result in the drill report follows from the recorded
times, like in a drill run by people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from secops.i18n import _

SPEED = 10.0
# (real minutes after the start, who, what): the scripted team
SCRIPT: tuple[tuple[float, str, str], ...] = (
    (0.4, "值班员", "ack"),
    (0.5, "值班员", "step:confirm"),
    (1.2, "值班员", "yara"),
    (2.5, "系统管理员", "step:isolate"),  # 25 drill minutes against a 20-minute deadline: a gap to find
    (2.8, "安全管理员", "step:report-internal"),
    (3.0, "安全管理员", "report"),
    (3.4, "值班员", "answer:evidence"),
    (4.5, "系统管理员", "step:eradicate"),
    (5.5, "系统管理员", "step:recover"),
    (5.6, "安全管理员", "answer:who-takes-offline"),
)
ANSWERS = {
    "evidence": "复制 avatar.php 和访问日志，记录 SHA-256 后用 incident attach 附加",
    "who-takes-offline": "分管领导决定下线，安全管理员执行；对外统一说“系统维护”",
}


def run_drill_step(workspace: Path, output_dir: Path, *, now: datetime, progress: Callable[[str], None]) -> list[Path]:
    """Run the drill, write its report (docx, pdf); returns the files written."""
    from secops.config import load_workspace
    from secops.detection.yara.ruleset import load_ruleset
    from secops.detection.yara.scanner import scan_paths
    from secops.incident.audit import audit_key
    from secops.incident.drill import run
    from secops.incident.drill import store as drill_store
    from secops.incident.drill.outcome import outcome
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.model import Session, get_incident, step_done, transition
    from secops.incident.playbooks import load_playbooks
    from secops.incident.policy import load_policy
    from secops.incident.submissions import record_submission
    from secops.render.formats import write_report
    from secops.reporting.drill_report import drill_report
    from secops.workspace import open_workspace_store

    loaded = load_workspace(workspace)
    scenario = scenario_named("webshell-portal")
    start = now - timedelta(minutes=6)
    with open_workspace_store(loaded) as store:
        key = audit_key(workspace, store)

        def session(minutes: float, who: str) -> Session:
            return Session(store, key, who, start + timedelta(minutes=minutes))

        drill, _files = run.start(session(0, "演练导调"), workspace, scenario, speed=SPEED)
        assert drill.incident_id is not None
        incident_id = drill.incident_id
        steps = [s.id for s in next(p for p in load_playbooks() if p.id == scenario.playbook).steps]
        found = 0
        for minutes, who, action in SCRIPT:
            run.deliver(store, drill_store.get(store, drill.id), start + timedelta(minutes=minutes), None, workspace)
            acting = session(minutes, who)
            if action == "ack":
                transition(acting, incident_id, "acknowledged")
            elif action == "yara":
                hits = scan_paths([run.drill_folder(workspace, drill.id)], load_ruleset(), workers=1)
                found = len({hit.path for hit in hits})  # the planted webshell, not the clean page
            elif action == "report":
                record_submission(acting, incident_id, "initial", acting.now)
            elif action.startswith("answer:"):
                question = action.split(":", 1)[1]
                run.answer(acting, drill_store.get(store, drill.id), question, ANSWERS[question])
            else:
                step_done(acting, incident_id, action.split(":", 1)[1], [], playbook_steps=steps)
                if action == "step:recover":
                    transition(acting, incident_id, "recovered")
        finishing = session(6, "演练导调")
        run.finish(finishing, drill_store.get(store, drill.id), {})
        finished = drill_store.get(store, drill.id)
        incident = get_incident(store, incident_id)
        playbook = next(p for p in load_playbooks() if p.id == incident.playbook)
        result = outcome(store, finished, scenario, incident, playbook, load_policy(), now)
        drill_store.update(store, drill.id, result=result.summary())
    written = []
    for suffix in ("docx", "pdf"):
        path = output_dir / f"drill.{suffix}"
        write_report(drill_report(result, loaded, now), path)
        written.append(path)
    summary = result.summary()
    progress(
        "      "
        + _(
            "drill #{drill} ({scenario}, {speed:g}x): YARA found {found} planted file(s); steps on time "
            "{steps}/{total}; its incident #{incident} is in no count or report of real incidents"
        ).format(
            drill=drill.id,
            scenario=scenario.id,
            speed=SPEED,
            found=found,
            steps=summary["steps_met"],
            total=summary["steps_total"],
            incident=incident_id,
        )
    )
    return written
