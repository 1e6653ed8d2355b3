"""SigmaHQ-style regression tests: each rule with ``regression_tests_path`` names an ``info.yml``
whose ``regression_tests_info`` entries give a log file (``type: evtx``, or ``jsonl`` for our own
samples), its ``path`` relative to the checkout and ``match_count``; a test passes when the rule
matches that file at least ``match_count`` times.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from secops.content.yamlload import safe_load
from secops.detection.events import ReadStats
from secops.detection.sigma.engine import Engine
from secops.detection.sigma.rules import load_rules
from secops.detection.sigma.ruleset import RuleSet, rule_key
from secops.errors import SecopsError
from secops.i18n import _

LOG_FORMATS = {"evtx": "evtx", "jsonl": "jsonl", "json": "jsonl"}
RULE_FOLDERS = ("rules", "rules-emerging-threats", "rules-threat-hunting", "rules-compliance", "rules-dfir")


@dataclass
class RegressionResult:
    rule_path: str
    rule_id: str
    title: str
    test: str
    log_path: str
    expected: int
    found: int
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.found >= self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": "pass" if self.passed else "fail",
            "rule": self.rule_path,
            "rule_id": self.rule_id,
            "title": self.title,
            "test": self.test,
            "log": self.log_path,
            "expected": self.expected,
            "found": self.found,
            "error": self.error,
        }


def rule_sources(root: Path) -> list[Path]:
    """Where the rules of a checkout are (SigmaHQ's folders, or ``root`` itself)."""
    found = [root / name for name in RULE_FOLDERS if (root / name).is_dir()]
    return found or [root]


def run_regression(root: Path) -> Iterator[RegressionResult]:
    """Run every regression test of the checkout at ``root``."""
    if not root.is_dir():
        raise SecopsError(
            _("{path} is not a folder").format(path=root), hint=_("give the path of a SigmaHQ rules checkout")
        )
    ruleset = load_rules(rule_sources(root))
    tested = [r for r in ruleset.rules if ruleset.raw_of(r).get("regression_tests_path")]
    subset = RuleSet(rules=tested, origins=ruleset.origins, raw=ruleset.raw)
    engine = Engine(subset)
    compiled = {id(c.rule): c for c in engine.rules}
    for error in engine.errors:
        yield RegressionResult(str(error.path), "", "", "", "", 0, 0, error=error.message)
    for rule in tested:
        path, _line = ruleset.origin(rule)
        info_path = root / str(ruleset.raw_of(rule)["regression_tests_path"])
        key = rule_key(rule)
        base = RegressionResult(str(path), key, rule.title, "", str(info_path), 0, 0)
        if id(rule) not in compiled:
            continue  # reported above
        try:
            tests = _tests(info_path)
        except (OSError, yaml.YAMLError, ValueError) as error:
            base.error = _("cannot read {path}: {reason}").format(path=info_path, reason=error)
            yield base
            continue
        for test in tests:
            yield _run_one(engine, root, rule, key, str(path), test)


def _tests(info_path: Path) -> list[dict[str, Any]]:
    info = safe_load(info_path.read_text(encoding="utf-8"))  # bounded: no alias bombs
    tests = info.get("regression_tests_info") if isinstance(info, dict) else None
    if not isinstance(tests, list) or not tests:
        raise ValueError(_("no regression_tests_info entries"))
    return [t for t in tests if isinstance(t, dict)]


def _run_one(engine: Engine, root: Path, rule: Any, key: str, rule_path: str, test: dict[str, Any]) -> RegressionResult:
    from secops.detection.readers import read_paths

    log_path = root / str(test.get("path", ""))
    kind = str(test.get("type", "evtx")).lower()
    result = RegressionResult(
        rule_path, key, rule.title, str(test.get("name", kind)), str(log_path), int(test.get("match_count", 1)), 0
    )
    if kind not in LOG_FORMATS:
        result.error = _("unsupported test type {kind!r} (evtx or jsonl)").format(kind=kind)
        return result
    if not log_path.is_file():
        result.error = _("log file missing: {path}").format(path=log_path)
        return result
    stats = ReadStats()
    for batch in read_paths([log_path], log_format=LOG_FORMATS[kind], stats=stats):
        result.found += sum(1 for m in engine.match(batch, include_hidden=True) if m.rule_id == key)
    if stats.skipped:
        result.error = "; ".join(stats.skipped.values())
    return result
