"""Rules pySigma accepts but cannot compile or run: load errors at their line, and a rule that
raises while matching is skipped for that batch, counted, and reported once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secops.detection.events import EventBatch, Match
from secops.detection.sigma import batch as batch_module
from secops.detection.sigma.content import check_rule_file
from secops.detection.sigma.correlation import correlate
from secops.detection.sigma.engine import Engine
from secops.detection.sigma.rules import load_rules

HEAD = "title: t\nid: 0b7d5a3e-2c41-4e8f-9a6b-1d2c3e4f5a70\nlogsource:\n  category: webserver\n"


@pytest.mark.parametrize(
    ("detection", "line", "message"),
    [
        ("detection:\n  sel:\n    x: a\n  condition: 1\n", 8, "condition must be a string"),
        ("detection:\n  sel:\n    x: a\n  condition: [sel, {a: 1}]\n", 8, "condition must be a string"),
        ("detection:\n  sel:\n    x: a\n  condition:\n", 8, "condition must be a string"),
        ("detection:\n  sel:\n    x|re: 5\n  condition: sel\n", 7, "regular expression must be a string"),
        ("detection:\n  sel:\n    - x|re: [a, null]\n  condition: sel\n", 7, "regular expression must be a string"),
        ("detection:\n  sel:\n    5: a\n  condition: sel\n", 7, "field name 5 in 'sel' must be a string"),
        ("detection:\n  sel:\n    x|containz: a\n  condition: sel\n", 7, "containz"),
        ("detection:\n  sel:\n    x|contains: null\n  condition: sel\n", 1, "value type of 'null'"),  # pySigma: no line
        ("tags: [attack.t1190, 5]\ndetection:\n  sel:\n    x: a\n  condition: sel\n", 5, "tags must be"),
    ],
)
def test_rules_pysigma_accepts_but_cannot_use(tmp_path: Path, detection: str, line: int, message: str) -> None:
    path = tmp_path / "rule.yml"
    path.write_text(HEAD + detection, encoding="utf-8")
    engine = Engine(load_rules([path]))
    assert not engine.rules
    assert [(e.path, e.line) for e in engine.errors] == [(path, line)]
    assert message in engine.errors[0].message
    assert [str(e) for e in check_rule_file(path)] == [str(e) for e in engine.errors]


def web_batch(rows: int) -> EventBatch:
    return EventBatch(
        "web",
        "/logs/access.log",
        list(range(1, rows + 1)),
        [None] * rows,
        ["raw"] * rows,
        {"cs-method": ["GET"] * rows, "_category": ["webserver"] * rows},
    )


def test_a_rule_raising_while_matching_is_skipped_counted_and_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.yml").write_text(HEAD + "detection:\n  sel:\n    cs-method: GET\n  condition: sel\n")
    (tmp_path / "bad.yml").write_text(
        HEAD.replace("title: t", "title: bad").replace("5a70", "5a71")
        + "detection:\n  sel:\n    cs-method|endswith: ET\n  condition: sel\n"
    )
    real = batch_module.BatchContext._on_view

    def on_view(self: Any, atom: Any, column: Any) -> int:
        if atom.op == "suffix":
            raise ZeroDivisionError("a value from the log")
        return int(real(self, atom, column))

    monkeypatch.setattr(batch_module.BatchContext, "_on_view", on_view)
    engine = Engine(load_rules([tmp_path]))
    matches = list(engine.run_batches([web_batch(3), web_batch(2)]))
    assert [m.rule_title for m in matches] == ["t"] * 5  # the good rule, on every event
    (error,) = engine.failure_errors()
    assert (error.path, error.line) == (tmp_path / "bad.yml", 1)
    assert error.message == (
        "rule 'bad' failed (ZeroDivisionError) on 5 event(s) in 2 batch(es); it was skipped for them, "
        "the other rules were not"
    )


def test_a_correlation_that_raises_gives_no_alert_and_the_others_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from secops.detection.sigma import correlation

    alert = Match("ok", "ok", "high", [], "/logs/a.log", 1, None, {})

    def one(rule: Any, known: Any, epochs: Any) -> list[Match]:
        if rule.title == "broken":
            raise KeyError("a group-by value from the log")
        return [alert]

    monkeypatch.setattr(correlation, "_correlate_one", one)
    monkeypatch.setattr(correlation, "dependency_order", list)
    rules: list[Any] = [
        SimpleNamespace(title="broken", id=None, name=None),
        SimpleNamespace(title="ok", id=None, name=None),
    ]
    failed: list[str] = []
    found = correlate(rules, {}, on_error=lambda rule, error: failed.append(f"{rule.title}: {type(error).__name__}"))
    assert found == [alert] and failed == ["broken: KeyError"]
    with pytest.raises(KeyError):
        correlate(rules, {})  # without on_error a library caller sees the error
