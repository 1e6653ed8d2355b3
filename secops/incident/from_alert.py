"""The one way an alert becomes an incident: pick its playbook, then open the incident from its facts.

``secops incident open --from-alert``, the demo and the center's automatic incidents all come
here, each with an ``AlertFacts`` built from its own alert shape. A playbook fits an alert when
any of its ``applies_to`` tags, title words or sources matches (``Playbook.applies_to``); the
first that fits is taken, in the order the playbooks are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from secops.errors import SecopsError
from secops.i18n import _
from secops.incident.model import Incident, Session, open_incident
from secops.incident.playbooks import Playbook
from secops.models import AlertFacts

MAX_SCHOOL_TITLE = 500  # a school's name before the alert's title: kept within a dashboard line
DEFAULT_GRADE = "一般"


def matchable(alert: AlertFacts) -> dict[str, Any]:
    """The alert as ``AppliesTo.matches`` reads it: its words, tags and source."""
    return {
        "title": " ".join(filter(None, (alert.title, alert.text))),
        "tags": list(alert.tags),
        "source": alert.source,
    }


def choose_playbook(alert: AlertFacts, playbooks: Iterable[Playbook]) -> Playbook | None:
    """The first playbook whose ``applies_to`` fits the alert, or None."""
    facts = matchable(alert)
    return next((p for p in playbooks if p.applies_to.matches(facts)), None)


def incident_title(alert: AlertFacts) -> str:
    """The alert's title; an alert from a school (at a center) names the school first."""
    if not alert.school:
        return alert.title
    return f"[{alert.school_name or alert.school}] {alert.title}"[:MAX_SCHOOL_TITLE]


def open_from_alert(
    session: Session,
    alert: AlertFacts,
    playbooks: Iterable[Playbook],
    *,
    playbook: Playbook | None = None,
    grade: str | None = None,
    title: str | None = None,
    category: str | None = None,
    subcategory: str | None = None,
    unmatched: tuple[str, str] | None = None,
    detected_at: datetime | None = None,
    notified: bool = False,
    owner: str = "",
    systems: Sequence[str] = (),
    assets: Sequence[str] = (),
    facts: Mapping[str, Any] | None = None,
) -> Incident:
    """Open the incident ``alert`` calls for, with its clocks and its audit entry.

    ``playbook`` (a person's choice) is taken as given; else the first of ``playbooks`` that fits.
    The playbook gives the category, subcategory, grade (else 一般) and whether it is a 通报;
    ``unmatched`` is the (category, subcategory) of an alert no playbook fits, and without it such
    an alert needs ``category`` and ``subcategory`` given. Whatever is given wins over what the alert
    and the playbook say: the title, the detection time (else the alert's), the assets (else the
    alert's). The incident links ``alert.alert_ids`` and keeps ``alert.facts`` and ``facts``.
    """
    chosen = playbook if playbook is not None else choose_playbook(alert, playbooks)
    fallback = unmatched if chosen is None else None
    category = category or (chosen.category if chosen else fallback[0] if fallback else None)
    subcategory = subcategory or (chosen.subcategory if chosen else fallback[1] if fallback else None)
    if not category or not subcategory:
        raise SecopsError(
            _("give --category and --subcategory, or a --playbook that implies them"),
            hint=_("see secops incident playbooks, or give e.g. --category 02 --subcategory 网页篡改"),
        )
    title = title or incident_title(alert)
    if not title:
        raise SecopsError(_("the alert has no title: give --title"))
    return open_incident(
        session,
        title=title,
        category=category,
        subcategory=subcategory,
        grade=grade or (chosen.default_grade if chosen else DEFAULT_GRADE),
        detected_at=detected_at or alert.detected_at,
        notified=notified or bool(chosen and chosen.notified),
        playbook=chosen.id if chosen else None,
        owner=owner,
        systems=list(systems),
        assets=list(assets) or list(alert.assets),
        alert_ids=list(alert.alert_ids),
        facts={**alert.facts, **(facts or {})},
    )
