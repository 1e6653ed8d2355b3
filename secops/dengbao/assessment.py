"""Running one 等保 assessment end to end: gather the automated evidence (secops.dengbao.gather,
which reaches hosts through secops.discovery), evaluate it with the questionnaire answers
(secops.dengbao.assess), store the result and its trend point (secops.dengbao.trend).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from secops.config import Workspace
from secops.dengbao.assess import assess
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.gather import gather
from secops.dengbao.risks import load_decisions
from secops.dengbao.systems import get_system, load_answers, save_assessment
from secops.dengbao.trend import record_run
from secops.records.assessment import AssessedSystem, Assessment
from secops.store import Store
from secops.store.records import log_activity


def run_automated_assessment(
    workspace: Workspace,
    store: Store,
    system_name: str,
    *,
    level: int | None = None,
    automated: bool = True,
    targets: tuple[str, ...] = (),
    local: bool = False,
    ssh_hosts: tuple[str, ...] = (),
    ssh_user: str | None = None,
    ssh_identity: str | None = None,
    credentials: bool = True,
    force: bool = False,
    progress: Callable[[str], None] = lambda _line: None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    source: str = "scheduled",
    outside_zone: bool | None = None,
) -> Assessment:
    """One assessment, for ``secops dengbao assess`` (source "manual") and the scheduler alike:
    gather the automated evidence (unless ``automated`` is False), merge it with the stored
    questionnaire answers, store the assessment and its trend point.

    ``level`` assesses against another level's catalog than the system's own (a what-if); a
    scheduled run keeps to the scan profile's time windows (``force`` False)."""
    system = get_system(store, system_name)
    found = []
    if automated:
        found = gather(
            workspace,
            store,
            system,
            targets=targets,
            local=local,
            ssh_hosts=ssh_hosts,
            ssh_user=ssh_user,
            ssh_identity=ssh_identity,
            credentials=credentials,
            now=now,
            force=force,
            progress=progress,
            outside_zone=outside_zone,
        )
    moment = now()
    result = assess(
        system=AssessedSystem(system.name, system.level, system.asset_tag),
        level=level or system.level,
        extensions=system.extensions,
        catalog=load_catalog(),
        checks=load_checks(),
        targets=found,
        answers=load_answers(store, system),
        now=moment,
        decisions=load_decisions(store, system.id),
        school={"code": workspace.config.school.code, "name": workspace.config.school.name},
    )
    assessment_id = save_assessment(store, system, result, moment)
    record_run(store, system, result, assessment_id, moment, source)
    log_activity(
        store,
        "dengbao.assess",
        {"system": system.name, "conclusion": result.conclusion, "rate": result.rate, "source": source},
        moment,
    )
    return result
