"""Field lookup in a batch: Windows names with spaces (Defender's ``Threat Name``) and their spaceless
form (``ThreatName``, as SigmaHQ's rules write them) are one field, for every kind of test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secops.detection.events import EventBatch
from secops.detection.sigma.batch import BatchContext, spaced_names, spaceless
from tests.unit.detection.sigma_helpers import batch_of, engine_for, matched, rule_yaml

DEFENDER = {
    "_product": "windows",
    "_service": "microsoft-windows-windows defender/operational",
    "Channel": "Microsoft-Windows-Windows Defender/Operational",
    "Provider_Name": "Microsoft-Windows-Windows Defender",
    "EventID": 1116,
}
WINDEFEND = "product: windows\n  service: windefend"
MIMIKATZ = {"Threat Name": "HackTool:Win32/Mimikatz", "Source Name": "AMSI", "Detection User": "SCHOOL\\t01"}


def defender(*events: dict[str, Any]) -> EventBatch:
    return batch_of(*events, base=DEFENDER)


def test_names() -> None:
    assert spaceless("Security intelligence Version") == "SecurityintelligenceVersion"
    assert spaced_names(["Image", "Threat Name", "ThreatName", "Threat  Name"]) == {
        "ThreatName": ["Threat Name", "Threat  Name"]
    }
    assert spaced_names(["Image", "CommandLine"]) == {}


def test_spaceless_and_spaced_rule_names_match_spaced_event_names(tmp_path: Path) -> None:
    spaceless_rule = rule_yaml(
        """
        sel:
          ThreatName|contains: mimikatz
          SourceName: AMSI
        condition: sel
        """,
        WINDEFEND,
    )
    spaced_rule = rule_yaml("sel:\n  Threat Name|startswith: 'HackTool:'\ncondition: sel", WINDEFEND)
    batch = defender(MIMIKATZ, MIMIKATZ | {"Source Name": "Real-Time Protection"}, {"Threat Name": "Ransom:W32/X"})
    assert matched(engine_for(tmp_path, spaceless_rule), batch) == [1]
    assert matched(engine_for(tmp_path, spaced_rule), batch) == [1, 2]
    # a spaced rule name also finds a log that already wrote the name without spaces
    assert matched(engine_for(tmp_path, spaced_rule), defender({"ThreatName": "HackTool:Win32/Rubeus"})) == [1]


def test_exists_null_fieldref_and_filters_use_both_forms(tmp_path: Path) -> None:
    batch = defender(MIMIKATZ, {"Threat Name": ""}, {"Path": "C:\\x.exe"})
    exists = rule_yaml("sel:\n  ThreatName|exists: true\ncondition: sel", WINDEFEND)
    null = rule_yaml("sel:\n  ThreatName: null\ncondition: sel", WINDEFEND)
    assert matched(engine_for(tmp_path, exists), batch) == [1, 2]
    assert matched(engine_for(tmp_path, null), batch) == [2, 3]
    same = defender(MIMIKATZ | {"Path": "SCHOOL\\t01"}, MIMIKATZ | {"Path": "C:\\x.exe"})
    fieldref = rule_yaml("sel:\n  DetectionUser|fieldref: Path\ncondition: sel", WINDEFEND)
    assert matched(engine_for(tmp_path, fieldref), same) == [1]
    # a filter on the spaceless name excludes the spaced event (without the fold it would alert)
    filtered = rule_yaml(
        """
        sel:
          EventID: 1116
        filter:
          DetectionUser|endswith: '\\t01'
        condition: sel and not filter
        """,
        WINDEFEND,
    )
    assert matched(engine_for(tmp_path, filtered), defender(MIMIKATZ, {"Detection User": "SCHOOL\\t02"})) == [2]


def test_one_batch_with_both_forms(tmp_path: Path) -> None:
    """Rows of one batch may write the name either way; a row with both keeps the name as the rule wrote it."""
    batch = defender({"Threat Name": "A"}, {"ThreatName": "A"}, {"ThreatName": "A", "Threat Name": "B"})
    assert matched(engine_for(tmp_path, rule_yaml("sel:\n  ThreatName: A\ncondition: sel", WINDEFEND)), batch) == [
        1,
        2,
        3,
    ]
    assert matched(engine_for(tmp_path, rule_yaml("sel:\n  Threat Name: B\ncondition: sel", WINDEFEND)), batch) == [3]


def test_events_keep_their_names(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, rule_yaml("sel:\n  ThreatName|contains: mimikatz\ncondition: sel", WINDEFEND))
    (match,) = engine.match(defender(MIMIKATZ))
    assert match.event["Threat Name"] == "HackTool:Win32/Mimikatz" and "ThreatName" not in match.event


def test_batches_without_spaced_names_read_columns_as_they_are() -> None:
    """No per-row work when no name has a space: the lookup hands back the reader's own column."""
    batch = batch_of({"Image": "C:\\a.exe", "CommandLine": "a"}, {"Image": "C:\\b.exe"})
    context = BatchContext(batch, [])
    assert context._values("Image") is batch.columns["Image"]
    assert context._values("Threat Name") is None and context._values("ThreatName") is None
    spaced = defender(MIMIKATZ)
    context = BatchContext(spaced, [])
    assert context._values("ThreatName") is spaced.columns["Threat Name"]
    assert context._values("EventID") is spaced.columns["EventID"]


def test_correlation_groups_by_the_spaceless_name(tmp_path: Path) -> None:
    rules = (
        rule_yaml("sel:\n  EventID: 1116\ncondition: sel", WINDEFEND, id="8d3c9a6e-1f2b-4c5d-9e8f-0a1b2c3d4e5f")
        + "\nname: defender_detection\n---\n"
        + "title: Same threat on three machines\nstatus: test\nlevel: high\n"
        + "correlation:\n  type: event_count\n  rules: [defender_detection]\n  group-by: [ThreatName]\n"
        + "  timespan: 1h\n  condition: {gte: 3}\n"
    )
    engine = engine_for(tmp_path, rules)
    batch = defender(
        *({"Threat Name": "HackTool:Win32/Mimikatz", "Computer": f"PC-{n}"} for n in range(3)),
        {"Threat Name": "Ransom:Win32/WannaCrypt", "Computer": "PC-9"},
    )
    alerts = [m for m in engine.run_batches([batch]) if m.rule_type == "correlation"]
    assert len(alerts) == 1 and alerts[0].event == {"ThreatName": "HackTool:Win32/Mimikatz"}
    assert [m.record for m in alerts[0].members] == [1, 2, 3]
