"""The official reports of an incident as they are submitted: 首次报告 (initial), 续报 (follow-ups) and
总结报告 (final). Their times stop the reporting clocks (secops.incident.clocks) and travel to the
center with the incident's summary (secops.incident.summary)."""

from __future__ import annotations

from datetime import datetime

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident.model import CLOCK_SKEW, Incident, Session, get_incident, set_fields

REPORT_KINDS = ("initial", "followup", "final")


def record_submission(session: Session, incident_id: int, kind: str, at: datetime) -> Incident:
    """The official report of ``kind`` went to the authorities (or the center) at ``at``: the initial
    report stops the reporting clock (``reported_at``), a follow-up is added to the list, the final
    one stops the final-report clock. Audited like every change; a second initial report is refused."""
    if kind not in REPORT_KINDS:
        raise SecopsError(
            _("unknown report kind {kind!r}").format(kind=kind),
            hint=_("choose one of {choices}").format(choices=", ".join(REPORT_KINDS)),
        )
    if at > session.now + CLOCK_SKEW:
        raise SecopsError(
            _("the submission time {at} is in the future").format(
                at=at.astimezone(session.zone).isoformat(timespec="seconds")
            ),
            hint=_("give --at with its offset, e.g. 2026-11-23T09:40+08:00, or leave it out for now"),
        )
    current = get_incident(session.store, incident_id)
    if kind == "initial":
        if current.reported_at is not None:
            shown = current.reported_at.astimezone(session.zone).isoformat(timespec="seconds")
            raise SecopsError(
                _("incident #{id} already has its initial report (submitted {at})").format(id=incident_id, at=shown),
                hint=_("submit a follow-up with --kind followup"),
            )
        return set_fields(session, incident_id, "reported", {"reported_at": at})
    if kind == "followup":
        followups = [*current.facts.get("followup_reports", []), at.isoformat()]
        return set_fields(
            session, incident_id, "followup-report", {"facts": {**current.facts, "followup_reports": followups}}
        )
    return set_fields(
        session, incident_id, "final-report", {"facts": {**current.facts, "final_report_at": at.isoformat()}}
    )
