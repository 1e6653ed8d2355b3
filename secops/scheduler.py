"""Scheduled jobs: APScheduler 3 with its SQLAlchemy job store in the workspace database.

Jobs survive restarts (they live in the database). A job never overlaps itself: APScheduler
runs at most one instance and coalesces missed runs, and discovery also holds a lock file.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from secops.config import Workspace, load_workspace
from secops.errors import SecopsError
from secops.i18n import _

log = logging.getLogger(__name__)
JOB_KINDS = ("discover", "forward", "hunt", "assess", "detect", "drill")
REMINDER_HOUR = 8  # the daily 等保 deadline reminders go out in the morning, workspace time
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class JobInfo:
    id: str
    kind: str
    cron: str
    next_run: datetime | None
    options: dict[str, Any]


def run_discover_job(workspace_path: str, profile: str, targets: list[str], cron: str = "") -> None:
    """The scheduled discovery; module-level so the job store can name it."""
    from secops.inventory.job import run_discovery
    from secops.workspace import open_workspace_store

    workspace = load_workspace(Path(workspace_path))
    try:
        with open_workspace_store(workspace) as store:
            outcome = run_discovery(
                workspace, store, profile_name=profile, targets=targets, now=lambda: datetime.now(UTC)
            )
        log.warning(
            "scheduled discovery run %s: %d hosts up, %d changes, %d alerts",
            outcome.run_id,
            outcome.result.hosts_up,
            len(outcome.result.changes),
            len(outcome.result.alerts),
        )
    except SecopsError as error:
        log.error("scheduled discovery (%s) failed: %s", profile, error)


def run_forward_job(workspace_path: str, batch: int = 500, cron: str = "") -> None:
    """One forwarder pass: new alerts into the outbox, due batches to the center."""
    from secops.forward.sync import CenterClient, forward_once, load_target
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        target = load_target(workspace)
        with open_workspace_store(workspace) as store, CenterClient(target) as client:
            # the next check-in comes with the next scheduled run: promise no sooner than that
            every = max(target.checkin_every, cron_period(cron, workspace))
            result = forward_once(target, store, client, batch=batch, checkin_every=every)
        if result.deferred:
            log.warning("scheduled forward: %d sent, deferred: %s", result.sent, result.deferred)
        else:
            log.warning(
                "scheduled forward: %d enqueued, %d sent, %d rejected", result.enqueued, result.sent, result.rejected
            )
    except SecopsError as error:
        log.error("scheduled forward failed: %s", error)


def run_hunt(workspace_path: str, es_url: str, index: str, rules: str, since: str, cron: str = "") -> None:
    """A scheduled Sigma hunt on Elasticsearch (secops detect hunt)."""
    from secops.detection.hunt_alerts import run_hunt_job

    try:
        run_hunt_job(workspace_path=workspace_path, es_url=es_url, index=index, rules=rules, since=since)
    except SecopsError as error:
        log.error("scheduled hunt on %s failed: %s", index, error)


def run_clock_check(workspace_path: str) -> None:
    """Incident clocks: send the escalation notices that fell due (built in: every minute)."""
    from secops.contacts.reach import reminder_reach
    from secops.incident.drill.run import deliver_running
    from secops.incident.escalation import check_clocks
    from secops.incident.policy import load_policy
    from secops.notify import load_notifiers
    from secops.workspace import open_workspace_store

    workspace = load_workspace(Path(workspace_path))
    now, zone = datetime.now(UTC), ZoneInfo(workspace.config.timezone)
    try:
        with open_workspace_store(workspace) as store:
            sent = check_clocks(
                store,
                load_policy(),
                load_notifiers(workspace.path),
                workspace.path,
                now,
                zone=zone,
                reach=reminder_reach(workspace.path, now, zone),
            )
            injects = deliver_running(store, workspace.path, now)  # the drills' injects
        for notice in sent:
            log.warning("incident clock notice: %s", notice["text"])
        for inject in injects:
            log.warning("drill inject: %s", inject["text"])
    except SecopsError as error:
        log.error("incident clock check failed: %s", error)


def run_drill_job(workspace_path: str, scenario: str, speed: float = 1.0, notify: bool = False, cron: str = "") -> None:
    """A planned 应急演练 starts: its incident opens (marked 演练), the first injects go out."""
    from secops.incident.audit import audit_key
    from secops.incident.drill import run
    from secops.incident.drill.scenarios import scenario_named
    from secops.incident.model import Session
    from secops.notify import load_notifiers
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        with open_workspace_store(workspace) as store:
            now = datetime.now(UTC)
            zone = ZoneInfo(workspace.config.timezone)
            session = Session(store, audit_key(workspace.path, store), "scheduler", now, zone)
            started, _written = run.start(session, workspace.path, scenario_named(scenario), speed=speed, notify=notify)
            run.deliver(store, started, now, load_notifiers(workspace.path) if notify else None, workspace.path)
        log.warning("scheduled drill #%d (%s) started: incident #%s", started.id, scenario, started.incident_id)
    except SecopsError as error:
        log.error("scheduled drill %s failed: %s", scenario, error)


def run_assess_job(
    workspace_path: str,
    system: str,
    targets: list[str],
    local: bool = False,
    ssh_hosts: list[str] | None = None,
    ssh_user: str | None = None,
    ssh_identity: str | None = None,
    credentials: bool = True,
    cron: str = "",
    scanned_from: str | None = None,
) -> None:
    """A scheduled 等保 assessment: the automated evidence again, stored with its trend point.

    ``scanned_from`` (outside/inside the targets' zone) is the job's vantage; jobs added before it
    existed run without one, and 6.4.3.1 is then not evidenced, as with ``dengbao assess``."""
    from secops.dengbao.assessment import run_automated_assessment
    from secops.dengbao.trend import open_highrisk
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        with open_workspace_store(workspace) as store:
            result = run_automated_assessment(
                workspace,
                store,
                system,
                targets=tuple(targets),
                local=local,
                ssh_hosts=tuple(ssh_hosts or ()),
                ssh_user=ssh_user,
                ssh_identity=ssh_identity,
                credentials=credentials,
                outside_zone=None if scanned_from is None else scanned_from == "outside",
            )
        log.warning(
            "scheduled assessment of %s: 符合率 %.1f%%, %d open high-risk, %s",
            system,
            result.rate * 100,
            open_highrisk(result),
            result.conclusion,
        )
    except SecopsError as error:
        log.error("scheduled assessment of %s failed: %s", system, error)


def run_compliance_reminders(workspace_path: str) -> None:
    """等保 deadlines: the 30/7/1-day reminders due today (built in: daily), each sent once."""
    from zoneinfo import ZoneInfo

    from secops.dengbao.reminders import check_reminders
    from secops.notify import load_notifiers
    from secops.workspace import open_workspace_store

    try:
        workspace = load_workspace(Path(workspace_path))
        now = datetime.now(UTC)
        today = now.astimezone(ZoneInfo(workspace.config.timezone)).date()
        with open_workspace_store(workspace) as store:
            sent = check_reminders(
                store, load_notifiers(workspace.path), workspace.path, now, today, school=workspace.config.school.name
            )
        for notice in sent:
            log.warning("compliance reminder: %s", notice["text"])
    except SecopsError as error:
        log.error("compliance reminder check failed: %s", error)


def _scheduler(workspace: Workspace, *, blocking: bool = False) -> Any:
    from zoneinfo import ZoneInfo

    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    return cls(
        jobstores={"default": SQLAlchemyJobStore(url=workspace.database_url, tablename="scheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=ZoneInfo(workspace.config.timezone),
    )


def _trigger(cron: str, workspace: Workspace) -> Any:
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    try:
        return CronTrigger.from_crontab(cron, timezone=ZoneInfo(workspace.config.timezone))
    except ValueError as exc:
        raise SecopsError(
            _("--cron {cron!r} is not a valid crontab expression: {reason}").format(cron=cron, reason=exc),
            hint=_('five fields: minute hour day month weekday, e.g. "0 2 * * *"'),
        ) from None


def cron_period(cron: str, workspace: Workspace, samples: int = 8) -> timedelta:
    """The longest gap between the next few runs of ``cron`` (0 when it cannot be told)."""
    if not cron:
        return timedelta(0)
    try:
        trigger = _trigger(cron, workspace)
    except SecopsError:
        return timedelta(0)
    previous = None
    at = datetime.now(UTC)
    longest = timedelta(0)
    for _sample in range(samples):
        fire = trigger.get_next_fire_time(previous, at)
        if fire is None:
            break
        if previous is not None:
            longest = max(longest, fire - previous)
        previous, at = fire, fire + timedelta(seconds=1)
    return longest


def add_job(
    workspace: Workspace,
    kind: str,
    *,
    cron: str,
    job_id: str | None,
    profile: str = "quick",
    targets: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> JobInfo:
    if kind not in JOB_KINDS:
        raise SecopsError(
            _("unknown job kind {kind!r}").format(kind=kind),
            hint=_("known: {names}").format(names=", ".join(JOB_KINDS)),
        )
    from secops import scheduler_options as checked

    func: Any
    if kind == "discover":
        func, (default_id, kwargs) = run_discover_job, checked.discover_options(workspace, profile, list(targets or []))
    elif kind == "forward":
        func, (default_id, kwargs) = run_forward_job, checked.forward_options(workspace, options or {})
    elif kind == "assess":
        assess = {**(options or {}), "targets": targets}
        func, (default_id, kwargs) = run_assess_job, checked.assess_options(workspace, assess)
    elif kind == "detect":
        from secops.detection.scheduled import run_detect_job

        func, (default_id, kwargs) = run_detect_job, checked.detect_options(options or {})
    elif kind == "drill":
        func, (default_id, kwargs) = run_drill_job, checked.drill_options(options or {})
    else:
        func, (default_id, kwargs) = run_hunt, checked.hunt_options(options or {})
    trigger = _trigger(cron, workspace)
    job_id = job_id or default_id
    if not _JOB_ID.match(job_id):
        raise SecopsError(
            _("job id {id!r} is not valid").format(id=job_id), hint=_("use letters, digits, '-', '_' or '.'")
        )
    scheduler = _scheduler(workspace)
    scheduler.start(paused=True)
    try:
        job = scheduler.add_job(
            func,
            trigger=trigger,
            id=job_id,
            name=kind,
            replace_existing=True,
            kwargs={"workspace_path": str(workspace.path), **kwargs, "cron": cron},
        )
        return _info(job)
    finally:
        scheduler.shutdown(wait=False)


def _info(job: Any) -> JobInfo:
    options = {k: v for k, v in job.kwargs.items() if k not in ("workspace_path", "cron")}
    return JobInfo(job.id, job.name, job.kwargs.get("cron", ""), getattr(job, "next_run_time", None), options)


def list_jobs(workspace: Workspace) -> list[JobInfo]:
    scheduler = _scheduler(workspace)
    scheduler.start(paused=True)
    try:
        jobs = [_info(job) for job in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=False)
    return jobs


def remove_job(workspace: Workspace, job_id: str) -> None:
    from apscheduler.jobstores.base import JobLookupError

    scheduler = _scheduler(workspace)
    scheduler.start(paused=True)
    try:
        scheduler.remove_job(job_id)
    except JobLookupError:
        raise SecopsError(_("no scheduled job {id!r}").format(id=job_id), hint=_("see secops scheduler list")) from None
    finally:
        scheduler.shutdown(wait=False)


def run_forever(workspace: Workspace) -> None:
    """Run the scheduler in the foreground until interrupted.

    Ctrl-C (KeyboardInterrupt) stops the scheduler without waiting for running jobs and is raised
    again, so that the CLI ends with its one line and exit 130, not with a normal exit (0) or a
    second error from shutting down a scheduler that never got as far as running.
    """
    from apscheduler.jobstores.memory import MemoryJobStore

    scheduler = _scheduler(workspace, blocking=True)
    # Built in, not stored: the incident clocks are checked every minute whatever else is scheduled.
    scheduler.add_jobstore(MemoryJobStore(), alias="builtin")
    scheduler.add_job(
        run_clock_check,
        "interval",
        minutes=1,
        id="incident-clocks",
        jobstore="builtin",
        kwargs={"workspace_path": str(workspace.path)},
        next_run_time=datetime.now(ZoneInfo(workspace.config.timezone)),  # logged in the workspace zone
    )
    # Built in as well: the 等保 deadline reminders, daily and once at start (each is sent only once).
    scheduler.add_job(
        run_compliance_reminders,
        "cron",
        hour=REMINDER_HOUR,
        id="compliance-reminders",
        jobstore="builtin",
        kwargs={"workspace_path": str(workspace.path)},
        next_run_time=datetime.now(ZoneInfo(workspace.config.timezone)),  # logged in the workspace zone
    )
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    try:
        scheduler.start()
    finally:
        _stop(scheduler)


def _stop(scheduler: Any) -> None:
    """Shut ``scheduler`` down if it is running (an interrupt can arrive while it is still starting)."""
    from apscheduler.schedulers import SchedulerNotRunningError

    with contextlib.suppress(SchedulerNotRunningError):
        scheduler.shutdown(wait=False)
