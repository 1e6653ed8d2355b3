"""Running a drill: start it (its incident, marked 演练 and running its clocks ``speed`` times
faster; its artifacts laid out in the workspace), send the injects as they fall due, record the
answers and findings, and finish it (the incident closed, the outcome fixed).

Everything a drill sends or shows starts with 【演练】, and its incident never enters a count, a
report or an upload of real incidents (``list_incidents`` leaves it out unless asked).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from secops.errors import SecopsError
from secops.fsutil import write_bytes_atomic
from secops.i18n import _
from secops.incident.drill import store as drill_store
from secops.incident.drill.scenarios import DrillScenario, Inject, scenario_named
from secops.incident.model import Session, add_note, get_incident, open_incident, transition
from secops.notify import Channel, send
from secops.store import Store

DRILL_MARK = "【演练】"
DRILLS_FOLDER = "drills"
INJECT_KINDS = {"alert": "告警", "call": "来电", "message": "消息"}


@dataclass(frozen=True)
class DueInject:
    index: int
    inject: Inject
    due_at: datetime  # real time

    def text(self) -> str:
        kind = INJECT_KINDS[self.inject.kind]
        source = f"（{self.inject.source}）" if self.inject.source else ""
        detail = f"：{self.inject.detail}" if self.inject.detail else ""
        return f"{DRILL_MARK}[{kind}]{source}{self.inject.title}{detail}"


def drill_folder(workspace_dir: Path, drill_id: int) -> Path:
    return workspace_dir / DRILLS_FOLDER / str(drill_id)


def _lay_out(folder: Path, scenario: DrillScenario) -> list[Path]:
    """Write the scenario's artifacts under ``folder`` (owner-only): what the responders must find."""
    written = []
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    for artifact in scenario.artifacts:
        path = folder.joinpath(*artifact.path.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes_atomic(path, artifact.content.encode("utf-8"), permissions=0o600)
        written.append(path)
    return written


def start(
    session: Session,
    workspace_dir: Path,
    scenario: DrillScenario,
    *,
    speed: float = 1.0,
    notify: bool = False,
    owner: str = "",
    notice_id: str | None = None,
) -> tuple[drill_store.Drill, list[Path]]:
    """A running drill with its incident open and its artifacts laid out."""
    from secops.incident.playbooks import load_playbooks

    playbook = {p.id: p for p in load_playbooks()}.get(scenario.playbook)
    if playbook is None:
        raise SecopsError(
            _("the scenario {scenario} names the playbook {playbook}, which does not exist").format(
                scenario=scenario.id, playbook=scenario.playbook
            ),
            hint=_("check playbooks/ and playbooks/drills/ with secops content validate"),
        )
    title = f"{DRILL_MARK}{scenario.name.zh}"
    drill = drill_store.create(session.store, scenario.id, title, speed, notify, session.now, session.actor, notice_id)
    incident = open_incident(
        session,
        title=title,
        category=playbook.category,
        subcategory=playbook.subcategory,
        grade=scenario.grade,
        detected_at=session.now,
        notified=playbook.notified,
        playbook=playbook.id,
        owner=owner,
        systems=list(scenario.systems),
        facts={"drill_scenario": scenario.id},
        drill_id=drill.id,
    )
    drill = drill_store.update(session.store, drill.id, incident_id=incident.id)
    written = _lay_out(drill_folder(workspace_dir, drill.id), scenario) if scenario.artifacts else []
    return drill, written


def due_injects(drill: drill_store.Drill, scenario: DrillScenario, now: datetime) -> list[DueInject]:
    """Injects whose drill time has come and that have not gone out yet."""
    found = []
    for index, inject in enumerate(scenario.injects):
        due = drill.real_time_of(inject.offset)
        if str(index) not in drill.injected and due <= now:
            found.append(DueInject(index, inject, due))
    return found


def upcoming(drill: drill_store.Drill, scenario: DrillScenario) -> list[DueInject]:
    return [
        DueInject(index, inject, drill.real_time_of(inject.offset))
        for index, inject in enumerate(scenario.injects)
        if str(index) not in drill.injected
    ]


def deliver(
    store: Store,
    drill: drill_store.Drill,
    now: datetime,
    notifiers: list[Channel] | None,
    workspace_dir: Path,
) -> list[dict[str, Any]]:
    """Send the injects that fell due (to the notifiers when the drill notifies); each once."""
    if not drill.running:
        return []
    scenario = scenario_named(drill.scenario)
    sent = []
    injected = dict(drill.injected)
    for due in due_injects(drill, scenario, now):
        channels: dict[str, str] = {}
        event = {"drill": drill.id, "inject": due.index, "kind": due.inject.kind}
        if drill.notify and notifiers:
            channels = send(notifiers, due.text(), event, workspace_dir)
        injected[str(due.index)] = now.isoformat()
        sent.append({**event, "text": due.text(), "due_at": due.due_at, "channels": channels})
    if sent:
        drill_store.update(store, drill.id, injected=injected)
    return sent


def deliver_running(store: Store, workspace_dir: Path, now: datetime) -> list[dict[str, Any]]:
    """The injects of every running drill that fell due (each once); what the every-minute clock
    check sends, to the notifiers of the drills started with --notify."""
    from secops.notify import load_notifiers

    notifiers: list[Channel] | None = None
    sent = []
    for drill in drill_store.list_all(store):
        if not drill.running:
            continue
        if drill.notify and notifiers is None:
            notifiers = load_notifiers(workspace_dir)
        sent += deliver(store, drill, now, notifiers if drill.notify else None, workspace_dir)
    return sent


def _still_running(drill: drill_store.Drill) -> None:
    if not drill.running:
        raise SecopsError(
            _("drill #{id} is finished: its record is closed").format(id=drill.id),
            hint=_("start a new drill to practise again"),
        )


def answer(session: Session, drill: drill_store.Drill, question_id: str, text: str) -> drill_store.Drill:
    _still_running(drill)
    scenario = scenario_named(drill.scenario)
    questions = {q.id: q for q in scenario.questions}
    if question_id not in questions:
        raise SecopsError(
            _("the scenario {scenario} has no question {question!r}").format(
                scenario=scenario.id, question=question_id
            ),
            hint=_("questions: {ids}").format(ids=", ".join(questions)),
        )
    if not text.strip():
        raise SecopsError(_("the answer is empty"), hint=_("write what the team decided, in a sentence or two"))
    answers = {
        **drill.answers,
        question_id: {"text": text.strip(), "at": session.now.isoformat(), "by": session.actor},
    }
    if drill.incident_id is not None:
        add_note(session, drill.incident_id, f"{DRILL_MARK}问题 {question_id}：{text.strip()}")
    return drill_store.update(session.store, drill.id, answers=answers)


FINDING_KINDS = {"gap": "发现的问题", "improvement": "改进措施"}


def add_finding(session: Session, drill: drill_store.Drill, kind: str, text: str) -> drill_store.Drill:
    _still_running(drill)
    if not text.strip():
        raise SecopsError(_("the text is empty"))
    entry = {"kind": kind, "text": text.strip(), "at": session.now.isoformat(), "by": session.actor}
    findings = [*drill.findings, entry]
    if drill.incident_id is not None:
        add_note(session, drill.incident_id, f"{DRILL_MARK}{FINDING_KINDS[kind]}：{text.strip()}")
    return drill_store.update(session.store, drill.id, findings=findings)


def finish(session: Session, drill: drill_store.Drill, result: dict[str, Any]) -> drill_store.Drill:
    """Close the drill's incident if it is still open and fix the outcome."""
    if not drill.running:
        raise SecopsError(
            _("drill #{id} is finished already").format(id=drill.id),
            hint=_("its report: secops drill report {id} -o 演练报告.docx").format(id=drill.id),
        )
    if drill.incident_id is not None:
        incident = get_incident(session.store, drill.incident_id)
        if incident.state != "closed":
            transition(session, incident.id, "closed", note=f"{DRILL_MARK}演练结束")
    return drill_store.update(
        session.store, drill.id, state=drill_store.FINISHED, finished_at=session.now, result=result
    )
