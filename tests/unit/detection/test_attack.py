"""ATT&CK tactics from Sigma tags, named in the workspace language."""

from __future__ import annotations

from secops.detection.attack import TACTICS, tactic_label, tactics_of, techniques_of, threat_group


def test_tags_old_and_new_spellings_name_the_same_tactic() -> None:
    tags = ["attack.command_and_control", "attack.command-and-control", "attack.t1505.003", "cve.2021-44228"]
    assert tactics_of(tags) == [("TA0011", "Command and Control", "命令与控制")]
    assert techniques_of(tags) == ["T1505.003"]


def test_threat_group_is_ecs_shaped_in_either_language() -> None:
    tags = ["attack.persistence", "attack.lateral_movement", "attack.t1021"]
    chinese = threat_group(tags, "zh")
    assert chinese == {
        "framework": "MITRE ATT&CK",
        "tactic": {"id": ["TA0003", "TA0008"], "name": ["持久化", "横向移动"]},
        "technique": {"id": ["T1021"]},
    }
    english = threat_group(tags, "en")
    assert english is not None and english["tactic"]["name"] == ["Persistence", "Lateral Movement"]
    assert threat_group(["detection.emerging-threats", "car.2016-04-005"], "zh") is None


def test_every_tactic_has_a_chinese_name_and_labels_resolve_any_spelling() -> None:
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in chinese) for _, _, chinese in TACTICS.values())
    assert tactic_label("Privilege Escalation", "zh") == "权限提升"
    assert tactic_label("privilege_escalation", "en") == "Privilege Escalation"
    assert tactic_label("TA0006", "zh") == "凭据访问"
    assert tactic_label("something-else", "zh") == "something-else"
