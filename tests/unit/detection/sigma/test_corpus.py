"""The whole SigmaHQ corpus loads and compiles, and every compiled test runs without error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secops.detection.events import BatchBuilder
from secops.detection.sigma import Engine, load_rules
from secops.detection.sigma.batch import BatchContext
from secops.detection.sigma.regression import rule_sources

SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", Path(__file__).resolve().parents[5] / "shared" / "data" / "sigmahq"))

pytestmark = pytest.mark.skipif(
    not (SIGMAHQ / "rules").is_dir(), reason=f"SigmaHQ rules checkout not found at {SIGMAHQ} (set SECOPS_SIGMAHQ)"
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules(rule_sources(SIGMAHQ)))


def test_at_least_99_percent_of_sigmahq_rules_compile(engine: Engine) -> None:
    ruleset = engine.ruleset
    total = len(ruleset.rules) + sum(1 for e in ruleset.errors if "correlation" not in e.message)
    compiled = len(engine.rules)
    print(f"SigmaHQ: {compiled}/{total} detection rules compiled, {len(ruleset.correlations)} correlation(s)")
    for error in engine.errors:
        print(f"  {error}")
    assert total > 3000
    assert compiled / total >= 0.99


def test_every_atom_evaluates_on_a_batch_with_every_field(engine: Engine) -> None:
    fields = {atom.field for atom in engine.table.atoms if atom.field}
    builder = BatchBuilder("evtx", "all-fields.evtx")
    samples = ["C:\\Windows\\System32\\cmd.exe /c whoami", "10.1.2.3", "12345", "", "2026-11-23T08:00:00Z"]
    for row, sample in enumerate(samples):
        builder.add(row + 1, None, sample, dict.fromkeys(fields, sample) | {"_product": "windows", "EventID": 1})
    batch = builder.take()
    context = BatchContext(batch, engine.table.atoms)
    for index in range(len(engine.table.atoms)):
        assert context.atom(index) >= 0
    # and the rules run as a whole
    engine.match(batch, include_hidden=True)
