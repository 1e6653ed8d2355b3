"""Shipped incident playbooks: they load, cover the incident types a school meets, keep their
deadlines in order and match the alerts their examples promise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secops.incident.playbooks import Playbook, load_playbooks, parse_duration

EXPECTED = {
    "webshell": ("02", "网页篡改"),
    "ransomware": ("01", "勒索软件"),
    "student-data-leak": ("03", "数据泄露"),
    "account-compromise": ("02", "凭据攻击"),
    "ddos-exam": ("02", "拒绝服务"),
    "phishing": ("02", "网络钓鱼"),
    "mining": ("01", "挖矿病毒"),
    "notified-vulnerability": ("07", "网络漏洞"),
    "zero-day": ("02", "漏洞利用"),
}
PLAYBOOKS = load_playbooks()


def test_at_least_the_expected_playbooks_ship_with_unique_ids() -> None:
    ids = [p.id for p in PLAYBOOKS]
    assert len(ids) == len(set(ids))
    assert len(PLAYBOOKS) >= 9
    by_id = {p.id: p for p in PLAYBOOKS}
    for playbook_id, (category, subcategory) in EXPECTED.items():
        assert playbook_id in by_id, playbook_id
        assert (by_id[playbook_id].category, by_id[playbook_id].subcategory) == (
            category,
            subcategory,
        )


def test_grades_and_notification_flags() -> None:
    by_id = {p.id: p for p in PLAYBOOKS}
    assert by_id["ddos-exam"].default_grade == "较大"
    assert by_id["zero-day"].default_grade == "较大"
    assert by_id["notified-vulnerability"].notified is True
    assert max(s.offset for s in by_id["notified-vulnerability"].steps[:-1]) == timedelta(hours=60)


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.id)
def test_deadlines_parse_and_run_in_order(playbook: Playbook) -> None:
    offsets = [parse_duration(step.deadline) for step in playbook.steps]
    assert 5 <= len(playbook.steps) <= 8
    handling, final = offsets[:-1], offsets[-1]
    assert handling == sorted(handling), [s.deadline for s in playbook.steps]
    assert final == timedelta(days=30)
    assert all(timedelta(0) < offset <= final for offset in offsets)


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: p.id)
def test_examples_hold(playbook: Playbook) -> None:
    assert len(playbook.examples.match) >= 2
    assert len(playbook.examples.no_match) >= 1
    for alert in playbook.examples.match:
        assert playbook.applies_to.matches(alert), alert
    for alert in playbook.examples.no_match:
        assert not playbook.applies_to.matches(alert), alert
