"""Loading Sigma rules: bad files and rules are reported at file:line and skipped, the rest load."""

from __future__ import annotations

from pathlib import Path

from secops.detection.sigma import Engine, load_rules
from tests.unit.detection.sigma_helpers import batch_of, matched, rule_yaml

GOOD = rule_yaml("sel:\n  Image|endswith: '\\whoami.exe'\ncondition: sel", title="good")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_yaml_is_reported_with_its_line_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path, "a_good.yml", GOOD)
    write(tmp_path, "b_broken.yml", "title: x\ndetection:\n  sel: [unclosed\n  condition: sel\n")
    ruleset = load_rules([tmp_path])
    assert [r.title for r in ruleset.rules] == ["good"]
    [error] = ruleset.errors
    assert error.path.name == "b_broken.yml" and error.line is not None and error.line >= 3
    assert "invalid YAML" in str(error)


def test_unknown_modifier_is_named_with_its_line(tmp_path: Path) -> None:
    text = rule_yaml("sel:\n  Image|endswith: 'x'\n  CommandLine|containz: 'y'\ncondition: sel")
    write(tmp_path, "bad.yml", text)
    write(tmp_path, "good.yml", GOOD)
    ruleset = load_rules([tmp_path])
    assert len(ruleset.rules) == 1
    [error] = ruleset.errors
    assert "containz" in error.message
    assert error.line == [line.strip() for line in text.splitlines()].index("CommandLine|containz: 'y'") + 1


def test_invalid_sigma_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, "no_condition.yml", rule_yaml("sel:\n  Image: x"))
    write(tmp_path, "bad_reference.yml", rule_yaml("sel:\n  Image: x\ncondition: sel and other"))
    write(tmp_path, "not_a_map.yml", "- just\n- a list\n")
    write(tmp_path, "bad_regex.yml", rule_yaml("sel:\n  Image|re: '(unclosed'\ncondition: sel"))
    write(tmp_path, "good.yml", GOOD)
    ruleset = load_rules([tmp_path])
    engine = Engine(ruleset)
    assert [r.title for r in engine.rules] == ["good"]
    assert {e.path.name for e in engine.errors} == {
        "no_condition.yml",
        "bad_reference.yml",
        "not_a_map.yml",
        "bad_regex.yml",
    }
    assert all(e.line for e in engine.errors)
    assert matched(engine, batch_of({"Image": "C:\\whoami.exe"})) == [1]


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    write(tmp_path, "latin1.yml", "")
    (tmp_path / "latin1.yml").write_bytes(b"title: \xff\xfe\n")
    ruleset = load_rules([tmp_path / "latin1.yml", tmp_path / "missing.yml"])
    assert len(ruleset.errors) == 2 and not ruleset.rules


def test_multi_document_files_with_global_action(tmp_path: Path) -> None:
    text = """action: global
title: two parts
status: test
level: low
logsource:
  product: windows
  category: process_creation
detection:
  condition: sel
---
id: 11111111-2222-3333-4444-555555555551
detection:
  sel:
    Image|endswith: '\\a.exe'
---
id: 11111111-2222-3333-4444-555555555552
detection:
  sel:
    Image|endswith: '\\b.exe'
"""
    write(tmp_path, "multi.yml", text)
    ruleset = load_rules([tmp_path])
    assert not ruleset.errors
    assert len(ruleset.rules) == 2
    assert [ruleset.origin(r)[1] for r in ruleset.rules] == [11, 16]  # the first line after each ---
    engine = Engine(ruleset)
    assert matched(engine, batch_of({"Image": "C:\\a.exe"}, {"Image": "C:\\b.exe"}, {"Image": "C:\\c.exe"})) == [1, 2]


def test_correlations_resolve_their_base_rules_by_id_or_name(tmp_path: Path) -> None:
    base = rule_yaml("sel:\n  EventID: 4625\ncondition: sel", "product: windows\n  service: security", title="failed")
    base = base.replace("status: test", "name: failed_logon\nstatus: test")
    correlation = """title: brute force
id: 0a6e2a0b-0000-4000-8000-000000000001
status: test
correlation:
  type: event_count
  rules:
    - failed_logon
  group-by:
    - IpAddress
  timespan: 5m
  condition:
    gte: 10
level: high
"""
    write(tmp_path, "base.yml", base)
    write(tmp_path, "corr.yml", correlation)
    write(tmp_path, "dangling.yml", correlation.replace("failed_logon", "no_such_rule").replace("0001", "0002"))
    ruleset = load_rules([tmp_path])
    assert [c.title for c in ruleset.correlations] == ["brute force"]
    [error] = ruleset.errors
    assert "no_such_rule" in error.message and error.path.name == "dangling.yml"
    [ref] = ruleset.references(ruleset.correlations[0])
    assert ruleset.resolve(ref) is ruleset.rules[0]
    assert ruleset.resolve(str(ruleset.rules[0].id).upper()) is ruleset.rules[0]
    engine = Engine(ruleset)
    assert engine.rules[0].hidden  # generate: false (the default) keeps the base rule quiet
    batch = batch_of({"EventID": 4625}, base={"_product": "windows", "_service": "security", "Channel": "Security"})
    assert engine.match(batch) == []
    assert len(engine.match(batch, include_hidden=True)) == 1


def test_sigma_filters_apply_to_their_rules(tmp_path: Path) -> None:
    rule = rule_yaml("sel:\n  Image|endswith: '.exe'\ncondition: sel", id="7b0f1c42-6f57-4a39-9d3c-6a3a3f2b0c11")
    meta_filter = """title: known admin tools
id: 5a0c9a1e-3b7f-4f8e-9d3e-2b9b1a9e0f01
logsource:
  product: windows
  category: process_creation
filter:
  rules:
    - 7b0f1c42-6f57-4a39-9d3c-6a3a3f2b0c11
  selection:
    Computer: ADMIN1
  condition: not selection
"""
    write(tmp_path, "rule.yml", rule)
    write(tmp_path, "zz_filter.yml", meta_filter)
    ruleset = load_rules([tmp_path])
    assert not ruleset.errors, ruleset.errors
    engine = Engine(ruleset)
    batch = batch_of({"Image": "a.exe", "Computer": "ADMIN1"}, {"Image": "a.exe", "Computer": "PC7"})
    assert matched(engine, batch) == [2]
