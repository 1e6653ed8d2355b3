"""MITRE ATT&CK tactics by the tag names Sigma rules use, with the Chinese names shown to people.

Sigma tags a rule ``attack.persistence`` (or the older ``attack.command_and_control``); alerts carry
the tactics as the ECS ``threat`` group so that every view shows them in the workspace language.
"""

from __future__ import annotations

from typing import Any

# tag name -> (tactic id, English name, Chinese name); Enterprise then ICS
TACTICS: dict[str, tuple[str, str, str]] = {
    "reconnaissance": ("TA0043", "Reconnaissance", "侦察"),
    "resource-development": ("TA0042", "Resource Development", "资源开发"),
    "initial-access": ("TA0001", "Initial Access", "初始访问"),
    "execution": ("TA0002", "Execution", "执行"),
    "persistence": ("TA0003", "Persistence", "持久化"),
    "privilege-escalation": ("TA0004", "Privilege Escalation", "权限提升"),
    "defense-evasion": ("TA0005", "Defense Evasion", "防御规避"),
    "credential-access": ("TA0006", "Credential Access", "凭据访问"),
    "discovery": ("TA0007", "Discovery", "发现"),
    "lateral-movement": ("TA0008", "Lateral Movement", "横向移动"),
    "collection": ("TA0009", "Collection", "收集"),
    "command-and-control": ("TA0011", "Command and Control", "命令与控制"),
    "exfiltration": ("TA0010", "Exfiltration", "数据渗出"),
    "impact": ("TA0040", "Impact", "危害影响"),
    "evasion": ("TA0103", "Evasion", "规避（工控）"),
    "inhibit-response-function": ("TA0107", "Inhibit Response Function", "抑制响应功能"),
    "impair-process-control": ("TA0106", "Impair Process Control", "破坏过程控制"),
}


def _tag_name(tag: str) -> str | None:
    namespace, _, name = tag.lower().partition(".")
    return name.replace("_", "-") if namespace == "attack" and name else None


def tactics_of(tags: list[str]) -> list[tuple[str, str, str]]:
    """The tactics among a rule's tags, in the rule's order, each once."""
    found: dict[str, tuple[str, str, str]] = {}
    for tag in tags:
        name = _tag_name(tag)
        if name in TACTICS:
            found.setdefault(name, TACTICS[name])
    return list(found.values())


def techniques_of(tags: list[str]) -> list[str]:
    """ATT&CK technique ids among the tags (``attack.t1505.003`` -> ``T1505.003``)."""
    out: list[str] = []
    for tag in tags:
        name = _tag_name(tag)
        if name and name[0] == "t" and name[1:2].isdigit() and name.upper() not in out:
            out.append(name.upper())
    return out


def tactic_label(name: str, lang: str) -> str:
    """A tactic's name in ``lang`` (zh or en) from its English name or tag name; itself if unknown."""
    key = name.lower().replace("_", "-").replace(" ", "-")
    for tag, (tactic_id, english, chinese) in TACTICS.items():
        if key in (tag, english.lower().replace(" ", "-"), tactic_id.lower()):
            return chinese if lang == "zh" else english
    return name


def threat_group(tags: list[str], lang: str) -> dict[str, Any] | None:
    """The ECS ``threat`` group of an alert: framework, tactic ids and names (in ``lang``), techniques."""
    tactics = tactics_of(tags)
    techniques = techniques_of(tags)
    if not tactics and not techniques:
        return None
    group: dict[str, Any] = {"framework": "MITRE ATT&CK"}
    if tactics:
        group["tactic"] = {
            "id": [tactic_id for tactic_id, _, _ in tactics],
            "name": [chinese if lang == "zh" else english for _, english, chinese in tactics],
        }
    if techniques:
        group["technique"] = {"id": techniques}
    return group
