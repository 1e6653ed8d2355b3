"""SigmaHQ-style regression tests (``secops detect regression``) over our own Windows Defender samples.

``fixtures/regression`` is a SigmaHQ-shaped checkout: two rules of our own under
``rules/windows/builtin/windefend`` (one writes Defender's EventData names as SigmaHQ does, without
spaces, the other as Defender logs them, with spaces), each with an ``info.yml`` naming an EVTX and a
JSON-lines sample, plus near-miss samples (``nomatch``) next to them. The EVTX files come from
``evtx_writer`` (see ``defender_samples``). SigmaHQ's own windefend rules run over a sample of the
same kind when a SigmaHQ checkout is there (``SECOPS_SIGMAHQ``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secops.detection.events import Match, ReadStats
from secops.detection.readers import read_paths
from secops.detection.sigma import Engine, load_rules
from secops.detection.sigma.regression import run_regression
from tests.unit.detection.defender_samples import DATA, ROOT, SAMPLES, SIGMAHQ_SAMPLE, write_samples

SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", Path(__file__).resolve().parents[5] / "shared" / "data" / "sigmahq"))
CREDENTIAL_TOOL = "e3bcabd8-4414-42dc-a75a-aa9e9b790457"
RANSOMWARE = "f0b94d01-db81-4a7b-8128-5b691e1e3278"
RULE_FOLDERS = {
    CREDENTIAL_TOOL: "win_defender_credential_tool_amsi",
    RANSOMWARE: "win_defender_ransomware_spaced_fields",
}


def run(engine: Engine, path: Path) -> list[Match]:
    stats = ReadStats()
    matches = list(engine.run_batches(read_paths([path], stats=stats)))
    assert stats.formats == {str(path): path.suffix.lstrip(".")} and not stats.malformed and not stats.skipped
    return matches


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine(load_rules([ROOT / "rules"]))
    assert not engine.errors and len(engine.rules) == 2
    return engine


def test_stored_samples_are_what_the_writer_writes(tmp_path: Path) -> None:
    for written in write_samples(tmp_path):
        stored = ROOT / written.relative_to(tmp_path)
        if written.suffix == ".evtx":
            assert stored.read_bytes() == written.read_bytes(), (
                f"{stored}: run python -m {__package__}.defender_samples"
            )
        else:  # the parser's JSON: compared as data, so a new evtx release's key order does not matter
            assert [json.loads(line) for line in stored.read_text("utf-8").splitlines()] == [
                json.loads(line) for line in written.read_text("utf-8").splitlines()
            ]


def test_evtx_and_jsonl_samples_read_alike() -> None:
    for stem in SAMPLES:
        evtx_path, jsonl_path = stem.with_name(stem.name + ".evtx"), stem.with_name(stem.name + ".jsonl")
        (from_evtx,) = list(read_paths([evtx_path], stats=ReadStats()))
        (from_jsonl,) = list(read_paths([jsonl_path], stats=ReadStats()))
        assert from_evtx.size == len(SAMPLES[stem]) and from_evtx.records == list(range(4100, 4100 + from_evtx.size))
        assert [from_evtx.event(row) for row in from_evtx.rows()] == [
            from_jsonl.event(row) for row in from_jsonl.rows()
        ]
        first = from_evtx.event(0)
        assert "Threat Name" in first or "Process Name" in first  # names as Defender writes them
        assert first["EventID"] in (1116, 1117, 1119, 1121) and isinstance(first["EventRecordID"], int)


def test_regression_checkout_passes() -> None:
    results = list(run_regression(ROOT))
    assert [r.error for r in results] == [None] * 4
    found = {(r.rule_id, Path(r.log_path).name): (r.expected, r.found, r.passed) for r in results}
    assert found == {(rule, sample): (2, 2, True) for rule in RULE_FOLDERS for sample in ("match.evtx", "match.jsonl")}


@pytest.mark.parametrize("kind", ["evtx", "jsonl"])
@pytest.mark.parametrize("rule_id", sorted(RULE_FOLDERS))
def test_near_misses_do_not_match(engine: Engine, rule_id: str, kind: str) -> None:
    """Another source, another threat, another process or user, another EventID, another channel."""
    matches = run(engine, DATA / RULE_FOLDERS[rule_id] / f"nomatch.{kind}")
    assert [m.record for m in matches if m.rule_id == rule_id] == []


def test_alerts_carry_the_event_as_logged(engine: Engine) -> None:
    matches = run(engine, DATA / RULE_FOLDERS[CREDENTIAL_TOOL] / "match.evtx")
    assert [(m.rule_id, m.record) for m in matches] == [(CREDENTIAL_TOOL, 4100), (CREDENTIAL_TOOL, 4101)]
    event = matches[0].event
    assert event["Threat Name"] == "HackTool:PowerShell/Mimikatz.A" and event["Source Name"] == "AMSI"
    assert not {"ThreatName", "SourceName", "ProcessName"} & set(event)


# --- SigmaHQ's own rules ---------------------------------------------------------------------------

AMSI_TRIGGER = "ea9bf0fa-edec-4fb8-8b78-b119f2528186"  # SourceName: AMSI
THREAT_DETECTED = "57b649ef-ff42-4fb0-8bf6-62da243a1708"  # EventID only
REDSUN = "a7c3e5f2-8b1d-4e9a-b6c2-3d7f5e8a9b4c"  # SourceName, ThreatName, Path (rules-emerging-threats)
LSASS_ASR = "a0a278fe-2c0e-4de2-ac3c-c68b08a9ba98"  # Path, and filters on ProcessName


def _windefend_rules(root: Path) -> list[Path]:
    """SigmaHQ's rules for the windefend service, in every rule folder of the checkout."""
    found = []
    for folder in ("rules", "rules-emerging-threats", "rules-threat-hunting"):
        for path in sorted((root / folder).rglob("*.yml")) if (root / folder).is_dir() else []:
            if "service: windefend" in path.read_text(encoding="utf-8", errors="replace"):
                found.append(path)
    return found


@pytest.mark.skipif(
    not (SIGMAHQ / "rules" / "windows" / "builtin" / "windefend").is_dir(),
    reason=f"SigmaHQ rules checkout not found at {SIGMAHQ} (set SECOPS_SIGMAHQ)",
)
@pytest.mark.parametrize("kind", ["evtx", "jsonl"])
def test_sigmahq_windefend_rules_fire_on_spaced_names(kind: str, tmp_path: Path) -> None:
    rules = tmp_path / "windefend"
    rules.mkdir()
    for path in _windefend_rules(SIGMAHQ):
        (rules / path.name).write_bytes(path.read_bytes())
    engine = Engine(load_rules([rules]))
    assert not engine.errors, [str(e) for e in engine.errors]
    first = 4100 if kind == "evtx" else 1  # EventRecordID, or the line number
    fired: list[set[str]] = [set() for _ in SAMPLES[SIGMAHQ_SAMPLE]]
    for match in run(engine, SIGMAHQ_SAMPLE.with_name(f"{SIGMAHQ_SAMPLE.name}.{kind}")):
        fired[match.record - first].add(match.rule_id)
    amsi, redsun, lsass_tool, lsass_svchost = fired
    assert {AMSI_TRIGGER, THREAT_DETECTED} <= amsi  # a 1116 detection from AMSI
    if REDSUN in {c.key for c in engine.rules}:  # an emerging-threats rule of 2026: older checkouts lack it
        assert REDSUN in redsun
    assert LSASS_ASR in lsass_tool  # an unknown tool opening LSASS
    assert LSASS_ASR not in lsass_svchost  # svchost.exe: the rule's ProcessName filter holds
