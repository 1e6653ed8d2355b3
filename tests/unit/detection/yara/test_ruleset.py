"""The shipped YARA rules (rules/yara): each one matches its synthetic samples and no near miss,
carries the meta secops reports, compiles without performance warnings, and the project's own
source (with its sample generator) matches nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secops.content.kinds import kind_named, kind_of
from secops.content.validate import validate_paths
from secops.detection.yara import load_ruleset, scan_paths
from secops.detection.yara.ruleset import REQUIRED_META, SEVERITIES, SHIPPED_META, default_rules_dir
from secops.detection.yara.samples import MARK, SAMPLES, Sample, samples_for, write_samples, write_web_root

REPO = Path(__file__).resolve().parents[4]
RULESET = load_ruleset()
RULES = {rule.identifier: rule for rule in RULESET.rules}


def _matched(content: bytes) -> set[str]:
    return {match.rule for match in RULESET.rules.match(data=content)}


def _id(sample: Sample) -> str:
    return f"{sample.rule}-{'hit' if sample.hit else 'miss'}-{sample.name}"


def test_the_shipped_set_is_the_documented_one() -> None:
    names = {path.stem for path in RULESET.files}
    assert names >= {
        "webshells_php",
        "obfuscation_php",
        "webshells_jsp",
        "webshells_aspx",
        "webshell_chopper",
        "webshell_behinder",
        "webshell_godzilla",
        "webshell_antsword",
        "webshell_families",
        "webshell_kits",
        "asp_webshells",
        "miners",
        "ransom_notes",
    }
    assert len(RULES) == RULESET.rule_count >= 30
    families = {rule.meta.get("family") for rule in RULES.values()}
    assert {"China Chopper", "Behinder", "Godzilla", "AntSword", "XMRig", "ransomware"} <= families
    assert {"WSO", "c99shell", "r57shell", "b374k", "phpspy", "ASPXSpy", "JspSpy"} <= families
    techniques = {rule.meta.get("technique") for rule in RULES.values()}
    assert {"family-marker", "kit-capabilities", "asp-vbscript-encode", "jsp-exec", "aspx-process-start"} <= techniques


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_has_meta_and_samples_both_ways(name: str) -> None:
    rule: Any = RULES[name]
    for key in (*REQUIRED_META, *SHIPPED_META):
        assert rule.meta.get(key), f"{name}: meta {key} missing"
    assert rule.meta["author"] == "secops"
    assert rule.meta["severity"] in SEVERITIES
    assert str(rule.meta["reference"]).startswith("https://")
    assert samples_for(name, hit=True), f"{name} has no hit sample"
    assert samples_for(name, hit=False), f"{name} has no miss sample"


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.hit], ids=_id)
def test_hit_sample_matches_its_rule(sample: Sample) -> None:
    assert sample.rule in RULES
    assert sample.rule in _matched(sample.content)


@pytest.mark.parametrize("sample", [s for s in SAMPLES if not s.hit], ids=_id)
def test_near_miss_matches_no_rule(sample: Sample) -> None:
    assert sample.rule in RULES
    assert _matched(sample.content) == set()


@pytest.mark.parametrize("sample", SAMPLES, ids=_id)
def test_sample_source_text_is_broken(sample: Sample) -> None:
    """What the repository holds (with the marks) is not what the rule needs to fire."""
    if sample.hit:
        assert MARK in sample.text
    assert sample.rule not in _matched(sample.text.encode("utf-8"))


def test_samples_written_to_disk_are_found_by_the_scanner(tmp_path: Path) -> None:
    written = write_samples(tmp_path)
    hits = list(scan_paths([tmp_path], RULESET))
    by_path: dict[str, set[str]] = {}
    for hit in hits:
        by_path.setdefault(hit.path, set()).add(hit.rule)
    for sample, path in written:
        if sample.hit:
            assert sample.rule in by_path.get(str(path), set()), path
        else:
            assert str(path) not in by_path, path


def test_demo_web_root_has_exactly_its_planted_findings(tmp_path: Path) -> None:
    planted = write_web_root(tmp_path / "www")
    found = {(str(Path(h.path).relative_to(tmp_path / "www")), h.rule) for h in scan_paths([tmp_path], RULESET)}
    assert {path for path, _ in found} == set(planted)
    assert set(planted.items()) <= found


def test_project_source_and_tests_match_nothing() -> None:
    """A school scanning a server with secops installed must not get secops itself as a finding:
    the code and the sample generator hold no signature in one piece, and the rule files in use
    are left out of the scan. (Log samples of the Sigma tests do hold attack traces, rightly.)"""
    mine = [*(REPO / "tests" / "unit" / "detection").glob("test_yara*.py"), REPO / "tests" / "cli" / "test_cli_yara.py"]
    roots = [REPO / "secops", REPO / "bench", default_rules_dir(), *(p for p in mine if p.exists())]
    hits = list(scan_paths(roots, RULESET))
    assert [(h.path, h.rule) for h in hits] == []


def test_rule_files_pass_content_validation() -> None:
    kind = kind_named("yara-rule")
    files = kind.shipped_files()
    assert files and all(kind_of(path) is kind for path in files)
    count, errors = validate_paths(files)
    assert errors == []
    assert count == len(files)


def test_content_checker_reports_file_and_line(tmp_path: Path) -> None:
    from secops.detection.yara.ruleset import check_rule_file

    folder = tmp_path / "yara"
    folder.mkdir()
    broken = folder / "broken.yar"
    broken.write_text(
        'rule ok { condition: true }\n\nrule bad {\n  strings:\n    $a = "xyzzy-42"\n  condition:\n    $a and $b\n}\n'
    )
    errors = check_rule_file(broken)
    # libyara places it at the end of the condition it could not finish
    assert [(e.path, e.line) for e in errors] == [(broken, 8)]
    assert errors[0].message == 'undefined string "$b"'

    slow = folder / "slow.yar"
    slow.write_text(
        'rule slow {\n  meta:\n    description = "d"\n    author = "me"\n    date = "2026-01-01"\n'
        '    severity = "low"\n    reference = "https://example.org"\n'
        "  strings:\n    $a = /[a-z]{3,}x/\n  condition:\n    $a\n}\n"
    )
    errors = check_rule_file(slow)
    assert [(e.line, "slow down scanning" in e.message) for e in errors] == [(9, True)]

    no_meta = folder / "nometa.yar"
    no_meta.write_text('\nrule a {\n  meta:\n    severity = "urgent"\n  condition:\n    true\n}\n')
    messages = [(e.line, e.message) for e in check_rule_file(no_meta)]
    assert (2, "rule a: meta description, author, date, reference missing") in messages
    assert any(line == 2 and "severity 'urgent'" in text for line, text in messages)

    # The content validator finds the kind by folder name, as for a user's own rule folder.
    count, errors = validate_paths([broken, no_meta])
    assert count == 2 and {e.path for e in errors} == {broken, no_meta}
