"""What the 应急预案 (report source ``plan``) is built from, gathered once: the school, its people
(contacts.yaml), its 等保 systems, its notifiers, the playbooks and the incident policy. Every fact
the plan needs and the workspace lacks is recorded in ``missing`` with how to supply it, so that the
plan prints 待填写 where it belongs and lists the gaps in its 填写说明 (never fails for a gap)."""

from __future__ import annotations

from dataclasses import dataclass, field

from secops.contacts import Contacts, Person, find_role, load_contacts
from secops.dengbao.calendar import Filing, load_filing
from secops.dengbao.systems import System, list_systems
from secops.incident.drill.store import Drill
from secops.incident.drill.store import list_all as list_drills
from secops.incident.playbooks import Playbook, load_playbooks
from secops.incident.policy import IncidentPolicy, load_policy
from secops.notify import Channel, load_notifiers
from secops.reporting.build import ReportContext
from secops.reporting.grading_report import PENDING

ADD_HINT = "secops workspace contacts add {role} 姓名 --phone 号码"


@dataclass
class PlanFacts:
    school: str
    code: str
    contacts: Contacts
    systems: list[tuple[System, Filing | None]]
    channels: list[Channel]  # only the configured ones: the implicit local log alone counts as none
    playbooks: list[Playbook]
    policy: IncidentPolicy
    center: str | None  # the monitoring center this school forwards to
    drills: list[Drill] = field(default_factory=list)  # the drills run on this workspace, oldest first
    missing: list[str] = field(default_factory=list)  # what to fill in, each with how

    def lack(self, what: str) -> None:
        if what not in self.missing:
            self.missing.append(what)

    def people(self, role_id: str) -> list[Person]:
        """The people in ``role_id``; none is a gap (recorded once, with the command that fills it)."""
        found = self.contacts.holding(role_id)
        role = find_role(role_id)
        if not found and role is not None:
            self.lack(f"{role.zh}：{ADD_HINT.format(role=role.id)}")
        return found

    def who(self, role_id: str, *, phone: bool = True) -> str:
        """The people in ``role_id`` as the text prints them (张伟（13800138000）), else 待填写."""
        found = self.people(role_id)
        if not found:
            return PENDING
        return "、".join(_named(p, phone) for p in found)


def _named(person: Person, phone: bool) -> str:
    details = [person.title] if person.title else []
    if phone:
        details.append(person.phone)
    return f"{person.name}（{'，'.join(details)}）" if details else person.name


def gather(ctx: ReportContext) -> PlanFacts:
    folder = ctx.workspace.path
    config = ctx.workspace.config
    return PlanFacts(
        school=config.school.name,
        code=config.school.code,
        contacts=load_contacts(folder),  # channel names are `contacts check`'s to validate
        systems=[(system, load_filing(ctx.store, system)) for system in list_systems(ctx.store)],
        channels=[c for c in load_notifiers(folder) if c.name != "log" or c.settings.name],
        playbooks=sorted(load_playbooks(), key=lambda p: (p.category, p.id)),
        policy=load_policy(),
        center=config.forward.center if config.forward else None,
        drills=list_drills(ctx.store),
    )
