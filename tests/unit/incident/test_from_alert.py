"""open_from_alert: the one way an alert becomes an incident (CLI --from-alert, demo, center)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from secops.config import Workspace
from secops.errors import SecopsError
from secops.incident.alerts import alert_facts
from secops.incident.audit import audit_key, entries, verify
from secops.incident.from_alert import choose_playbook, incident_title, open_from_alert
from secops.incident.model import Session, get_incident
from secops.incident.playbooks import Playbook, load_playbooks
from secops.models import AlertFacts
from secops.store import Store
from secops.store.schema import alerts
from secops.workspace import open_workspace_store

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    with open_workspace_store(workspace) as opened:
        yield opened


@pytest.fixture
def session(store: Store, workspace: Workspace) -> Session:
    return Session(store, audit_key(workspace.path), "值班员", NOW)


@pytest.fixture(scope="module")
def playbooks() -> list[Playbook]:
    return load_playbooks()


def facts(title: str = "Webshell upload to /upload/x.php", **changes: object) -> AlertFacts:
    values: dict[str, object] = {
        "title": title,
        "severity": "high",
        "detected_at": NOW - timedelta(minutes=10),
        "source": "sigma",
    }
    values.update(changes)
    return AlertFacts(**values)  # type: ignore[arg-type]


def by_id(playbooks: list[Playbook], playbook_id: str) -> Playbook:
    return next(p for p in playbooks if p.id == playbook_id)


def test_the_first_playbook_that_fits_gives_category_grade_and_id(session: Session, playbooks: list[Playbook]) -> None:
    alert = facts(assets=("10.20.0.5",), alert_ids=(7,))
    opened = open_from_alert(session, alert, playbooks)
    webshell = by_id(playbooks, "webshell")
    assert (opened.playbook, opened.category, opened.subcategory) == ("webshell", webshell.category, "网页篡改")
    assert opened.grade == webshell.default_grade and opened.notified is False
    assert opened.title == alert.title and opened.detected_at == alert.detected_at
    assert opened.assets == ["10.20.0.5"] and opened.alerts == [7] and opened.facts == {}
    (entry,) = entries(session.store, opened.id)
    assert (entry["actor"], entry["action"]) == ("值班员", "open")
    assert entry["detail"]["playbook"] == "webshell" and entry["detail"]["alerts"] == [7]
    assert verify(session.store, session.key) == (1, None)


def test_tags_source_and_extra_text_choose_the_playbook_too(playbooks: list[Playbook]) -> None:
    def chosen(alert: AlertFacts) -> str | None:
        found = choose_playbook(alert, playbooks)
        return found.id if found else None

    assert chosen(facts("Files encrypted", tags=("attack.t1486",))) == "ransomware"
    assert chosen(facts("Suspicious file", source="yara")) == "webshell"
    assert chosen(facts("rule 42", text="xmrig talking to a 矿池")) == "mining"
    assert chosen(facts("Something odd nobody has a playbook for")) is None


def test_a_notified_playbook_starts_the_60_hour_clock(session: Session, playbooks: list[Playbook]) -> None:
    opened = open_from_alert(session, facts("Vulnerability notice: weak password", source="cncert"), playbooks)
    assert opened.playbook == "notified-vulnerability" and opened.notified is True


def test_what_is_given_wins_over_the_alert_and_the_playbook(session: Session, playbooks: list[Playbook]) -> None:
    earlier = NOW - timedelta(hours=2)
    opened = open_from_alert(
        session,
        facts(assets=("10.20.0.5",), facts={"alert_severity": "high"}),
        playbooks,
        playbook=by_id(playbooks, "ransomware"),
        grade="重大",
        title="门户网站被植入网页后门",
        subcategory="网页篡改",
        category="02",
        detected_at=earlier,
        notified=True,
        owner="信息中心",
        systems=["学校门户网站"],
        assets=["web01"],
        facts={"pi_leaked": 0},
    )
    assert (opened.playbook, opened.grade, opened.title) == ("ransomware", "重大", "门户网站被植入网页后门")
    assert (opened.category, opened.subcategory, opened.detected_at) == ("02", "网页篡改", earlier)
    assert opened.notified is True and opened.owner == "信息中心" and opened.systems == ["学校门户网站"]
    assert opened.assets == ["web01"] and opened.facts == {"alert_severity": "high", "pi_leaked": 0}


def test_no_playbook_fits_either_the_fallback_or_a_clear_error(session: Session, playbooks: list[Playbook]) -> None:
    odd = facts("Something odd nobody has a playbook for")
    with pytest.raises(SecopsError, match="give --category and --subcategory"):
        open_from_alert(session, odd, playbooks)
    opened = open_from_alert(session, odd, playbooks, unmatched=("10", "其他"))
    assert (opened.category, opened.subcategory, opened.grade, opened.playbook) == ("10", "其他", "一般", None)
    given = open_from_alert(session, odd, playbooks, category="02", subcategory="网页篡改")
    assert (given.category, given.playbook) == ("02", None)
    with pytest.raises(SecopsError, match="no title"):
        open_from_alert(session, facts(""), playbooks, unmatched=("10", "其他"))


def test_an_alert_from_a_school_names_the_school_first(session: Session, playbooks: list[Playbook]) -> None:
    alert = facts(school="4111010001", school_name="测试实验中学", facts={"school": "4111010001"})
    assert incident_title(alert) == "[测试实验中学] Webshell upload to /upload/x.php"
    assert incident_title(facts(school="4111010001")) == "[4111010001] Webshell upload to /upload/x.php"
    assert len(incident_title(facts("x" * 600, school="4111010001"))) == 500
    opened = open_from_alert(session, alert, playbooks)
    assert opened.title.startswith("[测试实验中学] ") and opened.facts == {"school": "4111010001"}
    assert opened.alerts == []


def test_a_workspace_alert_row_becomes_its_facts(store: Store, session: Session, playbooks: list[Playbook]) -> None:
    seen = datetime(2026, 11, 23, 10, 20, tzinfo=BEIJING)
    with store.engine.begin() as conn:
        alert_id = conn.execute(
            alerts.insert().values(
                at=seen,
                source="sigma",
                kind="sigma_detection",
                severity="high",
                title="SSH brute force from one address",
                asset_key="10.20.0.9",
                detail={"rule": {"id": "r-1", "tags": ["attack.t1110.001"]}},
                status="open",
            )
        ).inserted_primary_key[0]
    alert = alert_facts(store, alert_id)
    assert alert == AlertFacts(
        title="SSH brute force from one address",
        severity="high",
        detected_at=seen,  # the same instant, in UTC
        source="sigma",
        rule="r-1",
        tags=("attack.t1110.001",),
        assets=("10.20.0.9",),
        alert_ids=(alert_id,),
    )
    opened = open_from_alert(session, alert, playbooks)
    assert opened.playbook == "account-compromise" and opened.alerts == [alert_id]
    assert get_incident(store, opened.id).assets == ["10.20.0.9"]
    with pytest.raises(SecopsError, match="no alert #9999"):
        alert_facts(store, 9999)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar_one() == 1
