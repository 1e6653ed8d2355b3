"""Webshell techniques, not samples: every generated case (``gen_*.py``: input path x sink x
transform x wrapper x padding, per language) is caught by the shipped rules, every near miss is
clean, and the generators' own sources match nothing. The recall per technique is printed
(``pytest -s``) and written to the test's temporary folder as recall.tsv."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from secops.detection.yara import load_ruleset
from tests.unit.detection.yara.webshell_cases import Case, all_cases, generator_modules

TIMEOUT_S = 10


@pytest.fixture(scope="module")
def rules() -> object:
    return load_ruleset().rules


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    found = list(all_cases())
    assert len(generator_modules()) >= 4 and found
    return found


def _matched(rules: object, data: bytes) -> list[str]:
    return [match.rule for match in rules.match(data=data, timeout=TIMEOUT_S)]  # type: ignore[attr-defined]


def test_every_technique_is_caught(rules: object, cases: list[Case], tmp_path: Path) -> None:
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    missed: list[Case] = []
    for case in cases:
        if not case.hit:
            continue
        total[case.technique] += 1
        if _matched(rules, case.content):
            caught[case.technique] += 1
        else:
            missed.append(case)
    lines = [f"{name}\t{caught[name]}\t{count}\t{caught[name] / count:.1%}" for name, count in sorted(total.items())]
    report = "technique\tcaught\tcases\trecall\n" + "\n".join(lines) + "\n"
    (tmp_path / "recall.tsv").write_text(report, encoding="utf-8")
    print("\n" + report)
    assert not missed, f"{len(missed)} case(s) missed, e.g.: " + "; ".join(
        f"{c.technique} [{c.variant}] {c.name}" for c in missed[:15]
    )


def test_near_misses_match_nothing(rules: object, cases: list[Case]) -> None:
    noisy = [(c.technique, c.variant, _matched(rules, c.content)) for c in cases if not c.hit]
    assert [n for n in noisy if n[2]] == []
    assert noisy, "every generator should bring benign near misses too"


def test_the_generators_own_sources_are_inert(rules: object) -> None:
    for path in [*generator_modules(), Path(__file__).with_name("webshell_cases.py")]:
        assert _matched(rules, path.read_bytes()) == [], path.name
