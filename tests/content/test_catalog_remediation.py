"""整改建议 of the general part of the 等保 catalog (rules/dengbao/catalog/general-l*.yml): every item
has advice of its own, in steps, that does not restate the requirement; the items an automated check
evidences name the concrete setting or command; and none copies the standard's text.

The predicate lives in tests/content/remediation_quality.py so that the extension parts' test uses
the same one."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from secops.dengbao.catalog import Requirement, load_catalog
from secops.dengbao.checks import load_checks
from tests.content.remediation_quality import (
    ACTION_MARKERS,
    MAX_SIMILARITY,
    MIN_LENGTH,
    acceptable,
    concrete_tokens,
    names_evidence,
    needs_concrete,
    problems,
    shared_run,
    similarity,
)

PART = "general"
REFERENCE = Path(
    os.environ.get("SECOPS_DENGBAO_REFERENCE", Path(__file__).resolve().parents[3] / "shared" / "reference" / "dengbao")
)
REQUIREMENTS_JSON = REFERENCE / "dengbao_requirements_l1-l4.json"

CATALOG = load_catalog()
ITEMS = [r for r in CATALOG.requirements if r.part == PART]
# items an automated check evidences (rules/dengbao/checks), whatever the level
CHECKED = {item for check in load_checks() for item in check.items}


def concrete_needed(req: Requirement) -> bool:
    """Technical (安全物理环境 aside) and evidenced by an automated check: name the setting or command."""
    return needs_concrete(req.class_code, req.id, CHECKED)


def test_the_general_part_is_all_here() -> None:
    assert len(ITEMS) == 55 + 135 + 211 + 228


@pytest.mark.parametrize("req", ITEMS, ids=[r.id for r in ITEMS])
def test_item_has_real_remediation(req: Requirement) -> None:
    found = problems(req.remediation, req.summary, needs_concrete=concrete_needed(req))
    assert not found, f"{req.id} ({req.control_point}): " + "; ".join(found) + f" — {req.remediation[:80]!r}"


def test_automated_items_name_settings() -> None:
    """The rule the parametrized test applies to checked items, stated once over the whole part."""
    checked = [r for r in ITEMS if concrete_needed(r)]
    assert len(checked) >= 60  # every level's 身份鉴别, 安全审计, 入侵防范, 通信传输 ... items
    missing = [r.id for r in checked if not concrete_tokens(r.remediation)]
    assert not missing


def test_every_item_names_the_evidence_to_keep() -> None:
    """The general part also says what to keep for the 测评 (留存 制度文本、审批记录、配置截图 ...)."""
    assert not [r.id for r in ITEMS if not names_evidence(r.remediation)]


def test_advice_is_written_per_item_not_pasted_across_control_points() -> None:
    """Levels may share advice for the same requirement; different requirements at one level may not."""
    for level in (1, 2, 3, 4):
        seen: dict[str, str] = {}
        for req in (r for r in ITEMS if r.level == level):
            other = seen.setdefault(req.remediation, req.id)
            assert other == req.id, f"{req.id} repeats the advice of {other}"


# ── the predicate refuses what only restates the requirement ─────────────────────────────────────


def _reworded(summary: str) -> str:
    """The summary with its modal verbs dropped and a closing phrase: a restatement in disguise."""
    return re.sub("[须应要需]", "", summary).rstrip("。") + "，请落实到位。"


RESTATEMENTS = {
    "summary": lambda s: s,
    "stock prefix": lambda s: f"按要求整改：{s}",
    "summary and one step": lambda s: f"{s}；定期检查并留存记录。",
    "reworded": _reworded,
}


@pytest.mark.parametrize("kind", list(RESTATEMENTS))
def test_restatements_are_refused_for_every_item(kind: str) -> None:
    accepted = [r.id for r in ITEMS if acceptable(RESTATEMENTS[kind](r.summary), r.summary)]
    assert not accepted


def test_negative_examples() -> None:
    summary = "须启用登录失败处置：连续失败达上限即锁定或断开，会话闲置超时自动注销。"
    good = (
        "1. Linux 启用 pam_faillock（deny=5 unlock_time=600），/etc/profile.d/ 设 TMOUT=600；"
        "2. Windows 在 secpol.msc 设账户锁定阈值5次；3. 留存配置截图。"
    )
    assert acceptable(good, summary, needs_concrete=True)
    assert problems("按要求整改：" + summary, summary)  # the old report's fallback
    assert any(
        "stock phrase" in p
        for p in problems("按要求整改：请信息中心尽快完成相关工作并定期检查留存记录，确保满足测评。", summary)
    )
    assert any("contains the summary" in p for p in problems("信息中心负责：" + summary + "完成后留存记录。", summary))
    assert any("restates" in p for p in problems(_reworded(summary), summary))
    assert any("characters" in p for p in problems("启用锁定策略并留存截图。", summary))
    assert any(
        "no action" in p
        for p in problems(
            "这是安全计算环境中身份鉴别方面非常重要的一项内容，学校上下都应当高度重视，不能马虎对待。", summary
        )
    )
    vague = "1. 由系统管理员在各服务器上启用登录失败锁定和空闲超时；2. 每季度检查一次；3. 留存配置截图和检查记录。"
    assert acceptable(vague, summary)  # fine for a manual item ...
    assert any("concrete" in p for p in problems(vague, summary, needs_concrete=True))  # ... not for a checked one
    assert problems("", summary) == ["no remediation"]


def test_threshold_separates_advice_from_restatement() -> None:
    """The calibration behind MAX_SIMILARITY, kept true as advice is edited: the catalog's advice
    shares at most ~0.28 of its character pairs with the summary (first drafts above 0.30 turned out
    to be near-restatements and were rewritten), while the restatements above share 0.5 or more."""
    real = max(similarity(r.remediation, r.summary) for r in ITEMS)
    fakes = min(similarity(make(r.summary), r.summary) for make in RESTATEMENTS.values() for r in ITEMS)
    assert real < MAX_SIMILARITY <= fakes - 0.15


def test_predicate_constants_are_sane() -> None:
    assert MIN_LENGTH >= 40 and 0 < MAX_SIMILARITY < 0.5
    assert {"配置", "启用", "制定", "建立", "部署", "定期", "记录"} <= set(ACTION_MARKERS)
    assert similarity("", "x") == 0.0 and similarity("锁定策略", "锁定策略") == 1.0


# ── our own words ────────────────────────────────────────────────────────────────────────────────


def _reference() -> dict[str, dict[str, Any]]:
    if not REQUIREMENTS_JSON.is_file():
        pytest.skip(f"reference file {REQUIREMENTS_JSON} is not on this machine (set SECOPS_DENGBAO_REFERENCE)")
    data: list[dict[str, Any]] = json.loads(REQUIREMENTS_JSON.read_text(encoding="utf-8"))
    return {row["id"]: row for row in data}


def test_remediation_does_not_copy_the_standard() -> None:
    reference = _reference()
    copied = []
    for req in ITEMS:
        row = reference[req.id]
        for key in ("text", "test_procedure"):
            theirs = row.get(key) or ""
            theirs = "".join(theirs) if isinstance(theirs, list) else str(theirs)
            run = shared_run(req.remediation, theirs)
            if run:
                copied.append(f"{req.id} {key}: {run}")
    assert not copied
