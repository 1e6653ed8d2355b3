"""等保 content (rules/dengbao): the catalog matches the standard's counts and IDs, says everything
in its own words, the high-risk cases link to real items, every check's examples hold, and every
preset grades to its stated level."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from secops.content.locate import content_root
from secops.content.validate import load_units, validate_paths
from secops.dengbao.catalog import ITEM_ID, PARTS, load_catalog
from secops.dengbao.checks import STATUSES, Check, load_checks, run_check
from secops.dengbao.presets import load_presets

# Read-only reference facts; CI machines without them skip the comparisons with this reason.
REFERENCE = Path(
    os.environ.get("SECOPS_DENGBAO_REFERENCE", Path(__file__).resolve().parents[3] / "shared" / "reference" / "dengbao")
)
REQUIREMENTS_JSON = REFERENCE / "dengbao_requirements_l1-l4.json"
CASES_JSON = REFERENCE / "highrisk_cases_2025.json"
OWN_WORDS_WINDOW = 15  # a shared run of this many characters counts as copied

# Item counts per level of GB/T 22239-2019 (通用要求 and the four extensions).
COUNTS = {
    "general": (55, 135, 211, 228),
    "cloud": (11, 29, 46, 49),
    "mobile": (5, 14, 19, 21),
    "iot": (4, 7, 20, 21),
    "ics": (9, 15, 21, 22),
}
PART_NAMES = {part: name for part, (_, name) in PARTS.items()}

# GB/T 22240-2020, written out independently of secops.dengbao.grading.
MATRIX = {
    "citizen": {"general": 1, "serious": 2, "especially_serious": 2},
    "society": {"general": 2, "serious": 3, "especially_serious": 4},
    "nation": {"general": 3, "serious": 4, "especially_serious": 5},
}

CATALOG = load_catalog()
CHECKS = load_checks()
CHECK_EXAMPLES = [
    pytest.param(check, status, facts, id=f"{check.id}-{status}-{index}")
    for check in CHECKS
    for status in STATUSES
    for index, facts in enumerate(check.examples.pass_ if status == "pass" else getattr(check.examples, status))
]


def _reference(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        pytest.skip(f"reference file {path} is not on this machine (set SECOPS_DENGBAO_REFERENCE to its folder)")
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _shared_run(ours: str, theirs: str, size: int = OWN_WORDS_WINDOW) -> str | None:
    """The first run of ``size`` characters found in both texts, if any."""
    windows = {theirs[i : i + size] for i in range(len(theirs) - size + 1)}
    for i in range(len(ours) - size + 1):
        if ours[i : i + size] in windows:
            return ours[i : i + size]
    return None


# ── catalog ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("part", list(COUNTS))
def test_catalog_count_per_level_and_part(part: str, level: int) -> None:
    found = [r for r in CATALOG.requirements if r.level == level and r.part == part]
    assert len(found) == COUNTS[part][level - 1]


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_select_gives_general_plus_chosen_extensions(level: int) -> None:
    general = COUNTS["general"][level - 1]
    assert len(CATALOG.select(level)) == general
    everything = general + sum(COUNTS[ext][level - 1] for ext in ("cloud", "mobile", "iot", "ics"))
    assert len(CATALOG.select(level, ("cloud", "mobile", "iot", "ics"))) == everything
    assert len(CATALOG.select(level, ("cloud",))) == general + COUNTS["cloud"][level - 1]
    assert {r.level for r in CATALOG.select(level, ("iot",))} == {level}


def test_catalog_total_and_unique_ids() -> None:
    ids = [r.id for r in CATALOG.requirements]
    assert len(ids) == 942
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_item_ids_agree_with_level_part_and_class() -> None:
    for req in CATALOG.requirements:
        match = ITEM_ID.match(req.id)
        assert match is not None, req.id
        assert int(match.group(1)) == req.level, req.id
        assert match.group(2) == req.class_code, req.id
        assert match.group(3) == PARTS[req.part][0], req.id


def test_ids_have_the_standards_gaps() -> None:
    # IDs are data, never positions: the standard has no L3-CES1-16
    assert "L3-CES1-16" not in CATALOG.by_id
    assert {"L3-CES1-15", "L3-CES1-17"} <= set(CATALOG.by_id)


def test_catalog_ids_and_clauses_equal_the_reference() -> None:
    reference = {entry["id"]: entry for entry in _reference(REQUIREMENTS_JSON)}
    assert set(CATALOG.by_id) == set(reference)
    wrong = []
    for req in CATALOG.requirements:
        ref = reference[req.id]
        ours = (req.level, req.part, req.class_name, req.control_point, req.clause, req.item)
        theirs = (
            ref["level"],
            next(part for part, name in PART_NAMES.items() if name == ref["part"]),
            ref["area"],
            ref["control_point"],
            ref["clause_22239"],
            ref["item"],
        )
        if ours != theirs:
            wrong.append(f"{req.id}: ours {ours}, reference {theirs}")
    assert wrong == []  # clause_28448: test_every_clause_28448_against_the_reference


# The reference's clause_28448 is wrong on these items (issue 16): id -> (reference, GB/T 28448).
CLAUSE_28448_ERRATA = {
    "L3-SMC1-03": ("8.1.5.3.1", "8.1.5.2.1"),  # matched by text to the 安全管理 unit
    "L4-CNS1-07": ("9.1.2.2.2", "9.1.2.2.1"),  # matched by text to the 保密性 unit
    "L4-ORS1-07": ("8.1.7.3.1", "9.1.7.3.1"),  # the level-3 units
    "L4-ORS1-08": ("8.1.7.3.2", "9.1.7.3.2"),
    "L4-ORS1-09": ("8.1.7.3.3", "9.1.7.3.3"),
    "L4-ABS4-02": ("9.4.2.2.2", "9.4.2.2.1"),  # swapped in the reference
    "L4-ABS4-03": ("9.4.2.2.1", "9.4.2.2.2"),
}


def test_every_clause_28448_against_the_reference() -> None:
    """Every catalog item's clause_28448 equals the reference's, except the known errata (which
    carry the corrected clause); items the reference numbered in sequence have no clause and say
    where their ID comes from."""
    reference = {entry["id"]: entry for entry in _reference(REQUIREMENTS_JSON)}
    entries = {entry.id: entry for unit in load_units("dengbao-catalog") for entry in unit.items}
    assert set(entries) == set(reference)
    wrong = []
    for item_id, entry in sorted(entries.items()):
        ref = reference[item_id]
        expected = ref.get("clause_28448")
        if item_id in CLAUSE_28448_ERRATA:
            was, corrected = CLAUSE_28448_ERRATA[item_id]
            assert expected in (was, corrected), f"{item_id}: the reference changed to {expected}, review the erratum"
            expected = corrected
        if entry.clause_28448 != expected:
            wrong.append(f"{item_id}: catalog {entry.clause_28448}, expected {expected}")
        sequential = ref["id_source"] == "sequential"
        if sequential != bool(entry.id_note):
            wrong.append(f"{item_id}: id_source {ref['id_source']} but id_note {entry.id_note!r}")
    assert wrong == []


def test_clause_28448_errata_follow_the_22239_clause_and_item() -> None:
    # each corrected test unit is the GB/T 22239 clause plus the item's position (a=1, b=2, ...)
    for item_id, (_, corrected) in CLAUSE_28448_ERRATA.items():
        req = CATALOG.by_id[item_id]
        assert corrected == f"{req.clause}.{ord(req.item) - ord('a') + 1}", item_id
        assert req.clause_28448 == corrected


def test_summaries_are_in_our_own_words() -> None:
    reference = {entry["id"]: entry for entry in _reference(REQUIREMENTS_JSON)}
    copied = []
    for req in CATALOG.requirements:
        ref = reference[req.id]
        for field in ("text", "test_procedure"):
            theirs = ref.get(field) or ""
            if not theirs:
                continue
            if req.summary == theirs:
                copied.append(f"{req.id}: summary equals the reference {field}")
                continue
            run = _shared_run(req.summary, theirs)
            if run:
                copied.append(f"{req.id}: shares {run!r} with the reference {field}")
    assert copied == []


def test_shared_run_detector() -> None:
    # guard the guard: it finds a copied run and accepts a rewording
    assert (
        _shared_run("机房须设在具备防震、防风和防雨能力的建筑内", "机房场地应选择在具有防震、防风和防雨等能力的建筑内")
        is None
    )
    assert _shared_run("前缀应选择在具有防震、防风和防雨等能力", "机房场地应选择在具有防震、防风和防雨等能力的建筑内")


# ── high-risk cases ───────────────────────────────────────────────────────────


def test_81_high_risk_cases_with_unique_ids() -> None:
    ids = [case.id for case in CATALOG.cases]
    assert len(ids) == 81
    assert len(set(ids)) == 81


@pytest.mark.parametrize("case", CATALOG.cases, ids=lambda case: case.id)
def test_case_links_existing_items_at_or_above_its_level(case: Any) -> None:
    for item_id in case.items:
        assert item_id in CATALOG.by_id, f"case {case.id}: unknown item {item_id}"
        assert CATALOG.by_id[item_id].level >= case.min_level, (
            f"case {case.id}: {item_id} is below level {case.min_level}"
        )
        assert case.id in CATALOG.by_id[item_id].highrisk


def test_requirement_links_point_back_to_cases() -> None:
    cases = {case.id: case for case in CATALOG.cases}
    for req in CATALOG.requirements:
        for case_id in req.highrisk:
            assert req.id in cases[case_id].items


def test_cases_equal_the_reference_and_use_our_own_words() -> None:
    reference = {entry["id"]: entry for entry in _reference(CASES_JSON)}
    assert {case.id for case in CATALOG.cases} == set(reference)
    copied = []
    for case in CATALOG.cases:
        ref = reference[case.id]
        levels = re.findall(r"第([一二三四])级", ref["scope"])
        assert levels, ref["scope"]
        assert case.min_level == "一二三四".index(levels[0]) + 1, case.id
        texts = [(name, getattr(case, name) or "") for name in ("title", "summary", "condition")]
        texts += [(f"mitigations.{m.id}", m.summary) for m in case.mitigations]
        for name, ours in texts:
            for theirs in (ref["title"], ref["req"]):
                if ours and (ours == theirs or _shared_run(ours, theirs)):
                    copied.append(f"{case.id}.{name}")
    assert copied == []


# the guide (2025) lets no mitigation lower these cases
UNMITIGABLE = {
    "6.2.1.1", "6.4.6.2", "6.4.6.3", "6.4.7.2", "6.5.1.1", "6.5.1.2", "6.6.1.1", "6.7.1.1",
    "6.8.1.1", "6.10.1.1", "6.10.1.2", "7.2.1.4", "8.2.2.1", "8.2.3.2", "8.4.1.2", "9.1.1.1",
}  # fmt: skip


def test_the_16_unmitigable_cases_cannot_be_mitigated() -> None:
    cases = {case.id: case for case in CATALOG.cases}
    assert len(UNMITIGABLE) == 16 and set(cases) >= UNMITIGABLE
    for case_id in sorted(UNMITIGABLE):
        assert cases[case_id].mitigable is False, case_id
        assert cases[case_id].mitigations == (), case_id


@pytest.mark.parametrize("case", CATALOG.cases, ids=lambda case: case.id)
def test_every_named_mitigation_has_an_id_and_a_summary(case: Any) -> None:
    # a mitigable case names its mitigations, unless they are marked as not collected yet
    assert case.mitigable is bool(case.mitigations or not case.mitigations_collected)
    for mitigation in case.mitigations:
        assert mitigation.id.startswith(case.id + "-") and len(mitigation.id) > len(case.id) + 1
        assert len(mitigation.summary) >= 6 and mitigation.summary.endswith("。")


def test_only_the_guide_s_16_are_called_unmitigable() -> None:
    """A case whose mitigations we have not collected is not 'unmitigable by the guide' (reports
    would say the guide forbids what it allows): only the 16 the guide names carry that mark."""
    from secops.dengbao.highrisk import mitigation_state
    from secops.records.highrisk import HighRiskProblem

    unmitigable = {case.id for case in CATALOG.cases if not case.mitigable}
    assert unmitigable == set(UNMITIGABLE)
    pending = [case for case in CATALOG.cases if not case.mitigations_collected]
    assert pending and all(case.mitigable and not case.mitigations for case in pending)
    problem = {"case": pending[0].id, "unmitigated": True, "mitigable": True, "mitigations_collected": False}
    state = mitigation_state(HighRiskProblem.from_json(problem))
    assert "尚未收录" in state and "不可缓解" not in state


def test_mitigation_ids_are_unique_across_the_guide() -> None:
    ids = [m.id for case in CATALOG.cases for m in case.mitigations]
    assert len(ids) == len(set(ids))


# the guide's scope, where a short title misleads (reference README): key words our summaries keep
SCOPE_WORDS = {
    "6.1.1.1": ("电子门禁", "机械门锁", "无人值守"),  # no access control at all, and no guard
    "6.1.2.1": ("自动消防", "灭火器"),  # no fire-fighting at all, not merely no automatic system
    "6.3.3.1": ("六个月",),  # a rule library not updated for 6 months or more counts
    "6.4.1.2": ("明文", "Base64"),  # clear text or a reversible encoding
    "6.4.3.1": ("区域之外",),  # only when reachable from outside its zone
    "6.4.6.1": ("网盘",),  # a backup only on an Internet netdisk counts
    "8.2.2.1": ("没有开启任何接入认证",),  # no access authentication at all
}


@pytest.mark.parametrize(("case_id", "words"), SCOPE_WORDS.items())
def test_case_summaries_keep_the_guides_scope(case_id: str, words: tuple[str, ...]) -> None:
    summary = CATALOG.case(case_id).summary
    assert [w for w in words if w not in summary] == []


# ── checks ────────────────────────────────────────────────────────────────────


def test_checks_are_shipped() -> None:
    assert len(CHECKS) >= 20
    assert {c.source for c in CHECKS} == {"network", "host"}


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.id)
def test_check_links_existing_items_and_cases(check: Check) -> None:
    unknown = [i for i in check.items if i not in CATALOG.by_id]
    assert unknown == []
    known_cases = {case.id for case in CATALOG.cases}
    assert [c for c in check.highrisk if c not in known_cases] == []
    assert {int(i[1]) for i in check.items} & {2, 3}, "a check should evidence level-2 or level-3 items"


@pytest.mark.parametrize(("check", "status", "facts"), CHECK_EXAMPLES)
def test_check_example_gives_its_declared_status(check: Check, status: str, facts: dict[str, Any]) -> None:
    result = run_check(check, facts, target="example")
    assert result.status == status
    if status == "fail":
        assert result.missing == ()
    if status == "pass":
        assert result.evidence == ()
    if status == "not_evidenced":
        assert result.missing and set(result.missing) <= set(check.requires)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.id)
def test_check_never_passes_without_facts(check: Check) -> None:
    assert check.examples.pass_ and check.examples.fail
    assert run_check(check, {}).status == "not_evidenced"


# ── presets ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("preset", load_presets(), ids=lambda preset: preset.id)
def test_preset_grades_to_its_expected_level(preset: Any) -> None:
    grading = preset.grading()
    assert grading.level == preset.expected_level
    independent = max(
        MATRIX[preset.business.object][preset.business.degree], MATRIX[preset.service.object][preset.service.degree]
    )
    assert independent == preset.expected_level
    if preset.large_personal_data or preset.public_service:
        assert preset.expected_level >= 3 or any("不低于第三级" in line for line in grading.reasoning())


def test_presets_cover_typical_school_systems() -> None:
    ids = {preset.id for preset in load_presets()}
    assert {"portal", "student-records", "oa"} <= ids


# ── validation as `secops content validate rules/dengbao` does it ─────────────


def test_shipped_dengbao_content_validates() -> None:
    folder = content_root("rules") / "dengbao"
    checked, errors = validate_paths([folder])
    assert [str(e) for e in errors] == []
    shipped = sum(1 for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    assert checked == shipped >= 20 + 1 + len(load_presets()) + len(CHECKS)
    for kind in ("dengbao-catalog", "dengbao-highrisk", "dengbao-preset", "dengbao-check"):
        assert load_units(kind)


BROKEN_CHECK = """\
id: {name}
title: {{zh: 测试检查, en: Test check}}
items: [L3-CES1-18]
severity: high
source: network
requires: [services]
fail_if:
{predicate}
remediation: 关闭不需要的服务。
examples:
  pass: [{{services: []}}]
  fail: [{{services: [{{port: 23}}]}}]
"""


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        ("  some: {in: services, where: {port: {eq: 23}}}", None),
        ("  some: {in: services, where: {port: {eq: 24}}}", "examples.fail.0: the check says pass"),
        ("  some: {in: services, where: {port: {equals: 23}}}", "unknown op 'equals'"),
        ("  some: {in: services, where: {name: {matches: '(telnet'}}}", "bad regular expression"),
        ("  some: {in: services}", "expected {in: list-path, where: predicate}"),
    ],
)
def test_a_check_file_is_validated_with_its_examples(tmp_path: Path, predicate: str, message: str | None) -> None:
    folder = tmp_path / "rules" / "dengbao" / "checks"
    folder.mkdir(parents=True)
    path = folder / "telnet-test.yml"
    path.write_text(BROKEN_CHECK.format(name="telnet-test", predicate=predicate), encoding="utf-8")
    checked, errors = validate_paths([tmp_path / "rules"])
    assert checked == 1
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1
        assert message in str(errors[0]) and str(errors[0]).startswith(str(path))
