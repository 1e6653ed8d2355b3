"""Chinese titles and descriptions of the education Sigma pack (rules/sigma/edu).

Every rule (base rules and correlations included) carries two custom attributes right after its
English ``description``: ``title_zh``, the short Chinese title an administrator on duty reads in an
alert list, report or dashboard, and ``description_zh``, what the rule detects, why it matters and its
common false positives. ``title`` and ``description`` stay English for SigmaHQ compatibility.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

ROOT = Path(__file__).resolve().parents[2]
EDU = ROOT / "rules" / "sigma" / "edu"
RULE_FILES = sorted(EDU.rglob("*.yml"))

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
TITLE_MAX = 40
DESCRIPTION_MIN = 15


def chinese_problems(title: str, attributes: Mapping[str, Any]) -> list[str]:
    """What is wrong with a rule's Chinese attributes (empty when they are fine).

    ``title`` is the rule's English title, ``attributes`` its custom attributes."""
    problems = []
    title_zh = attributes.get("title_zh")
    if not isinstance(title_zh, str) or not title_zh.strip():
        problems.append("title_zh missing or empty")
    else:
        if not CJK.search(title_zh):
            problems.append(f"title_zh has no Chinese characters: {title_zh!r}")
        if len(title_zh.strip()) > TITLE_MAX:
            problems.append(f"title_zh longer than {TITLE_MAX} characters: {title_zh!r}")
        if title_zh.strip().casefold() == title.strip().casefold():
            problems.append("title_zh repeats the English title")
    description_zh = attributes.get("description_zh")
    if not isinstance(description_zh, str) or not description_zh.strip():
        problems.append("description_zh missing or empty")
    else:
        if not CJK.search(description_zh):
            problems.append("description_zh has no Chinese characters")
        if len(description_zh.strip()) < DESCRIPTION_MIN:
            problems.append(f"description_zh shorter than {DESCRIPTION_MIN} characters")
    return problems


def _rules(path: Path) -> list[Any]:
    collection = SigmaCollection.from_yaml(path.read_text(encoding="utf-8"), collect_errors=True)
    assert not collection.errors, f"{path}: {collection.errors}"
    assert collection.rules, f"{path}: no rule"
    return list(collection.rules)


def test_pack_is_there() -> None:
    assert len(RULE_FILES) >= 45


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_has_chinese_title_and_description(path: Path) -> None:
    for rule in _rules(path):
        problems = chinese_problems(rule.title, rule.custom_attributes)
        assert not problems, f"{path.name}: {rule.title}: {problems}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_chinese_attributes_follow_the_english_description(path: Path) -> None:
    """Placed right after ``description`` (title_zh, then description_zh), as the pack's convention."""
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if not document:
            continue
        keys = list(document)
        at = keys.index("description")
        assert keys[at + 1 : at + 3] == ["title_zh", "description_zh"], f"{path.name}: {document['title']}: {keys}"


def test_single_rule_files_keep_the_attributes_through_sigma_rule() -> None:
    """``SigmaRule.from_yaml`` (not only the collection loader) keeps the custom attributes."""
    checked = 0
    for path in RULE_FILES:
        text = path.read_text(encoding="utf-8")
        if len([doc for doc in yaml.safe_load_all(text) if doc]) != 1:
            continue
        attributes = SigmaRule.from_yaml(text).custom_attributes
        assert {"title_zh", "description_zh"} <= attributes.keys(), path.name
        checked += 1
    assert checked >= 45


def test_chinese_titles_are_unique_within_the_pack() -> None:
    seen: dict[str, str] = {}
    for path in RULE_FILES:
        for rule in _rules(path):
            title_zh = str(rule.custom_attributes.get("title_zh", "")).strip()
            assert title_zh not in seen, f"title_zh {title_zh!r} in {path.name} and {seen[title_zh]}"
            seen[title_zh] = path.name


# ------------------------------------------------------------------------------- the predicate itself
GOOD = {
    "title_zh": "上传目录中脚本携带一句话木马命令参数",
    "description_zh": "检测上传目录中带有一句话木马参数的脚本请求，误报可能性低。\n",
}


def test_predicate_accepts_a_good_rule() -> None:
    assert chinese_problems("Webshell Command Parameter", GOOD) == []


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({**GOOD, "title_zh": "Webshell Command Parameter"}, "title_zh has no Chinese characters"),
        ({**GOOD, "title_zh": "Webshell Command Parameter"}, "title_zh repeats the English title"),
        ({"description_zh": GOOD["description_zh"]}, "title_zh missing or empty"),
        ({"title_zh": GOOD["title_zh"]}, "description_zh missing or empty"),
        ({**GOOD, "title_zh": "   "}, "title_zh missing or empty"),
        ({**GOOD, "title_zh": "一" * (TITLE_MAX + 1)}, "title_zh longer than"),
        ({**GOOD, "description_zh": "Detects webshell requests with a command parameter."}, "no Chinese characters"),
        ({**GOOD, "description_zh": "一句话木马"}, "description_zh shorter than"),
    ],
)
def test_predicate_refuses(attributes: dict[str, str], expected: str) -> None:
    problems = chinese_problems("Webshell Command Parameter", attributes)
    assert any(expected in problem for problem in problems), problems


def test_a_rule_without_the_attributes_is_refused_end_to_end() -> None:
    """An English-only rule parsed by pySigma, as a new rule added without translation would be."""
    text = (
        "title: Webshell Command Parameter\n"
        "id: 5b0f3c1e-9a8d-4f6b-8e2a-1c3d5e7f9a0b\n"
        "status: experimental\n"
        "description: Detects a webshell command parameter.\n"
        "title_zh: Webshell Command Parameter\n"
        "logsource:\n    category: webserver\n"
        "detection:\n    selection:\n        cs-uri-query|contains: 'cmd='\n    condition: selection\n"
        "level: high\n"
    )
    rule = SigmaRule.from_yaml(text)
    problems = chinese_problems(rule.title, rule.custom_attributes)
    assert "title_zh has no Chinese characters: 'Webshell Command Parameter'" in problems
    assert "description_zh missing or empty" in problems
