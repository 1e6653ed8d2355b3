"""JSON lines: flat and ECS events, Windows events as JSON (flat, evtx_dump, Winlogbeat), bad lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from secops.detection.events import ReadStats
from secops.detection.readers import read_paths
from secops.detection.readers.jsonl import flatten, timestamp_of

EVENTS = Path(__file__).parent.parent / "fixtures" / "logs" / "json" / "events.jsonl"


def read() -> tuple[list[dict[str, object]], list[datetime | None], list[int], ReadStats]:
    stats = ReadStats()
    (batch,) = list(read_paths([EVENTS], stats=stats))
    assert batch.source == "jsonl"
    return [batch.event(row, internal=True) for row in batch.rows()], batch.timestamps, batch.records, stats


def test_bad_lines_are_counted() -> None:
    _, _, records, stats = read()
    assert stats.malformed == {str(EVENTS): 2}  # a JSON array and a broken line
    assert records == [1, 2, 3, 4, 5, 8]


def test_ecs_is_flattened_with_dots() -> None:
    events, stamps, _, _ = read()
    ecs = events[0]
    assert ecs["process.command_line"].startswith("./xmrig -o pool.supportxmr.com:443")
    assert ecs["process.parent.name"] == "bash" and ecs["process.pid"] == 4471
    assert ecs["event.category"] == ["process"]  # lists of values stay lists
    assert "_product" not in ecs  # no logsource is guessed for generic JSON
    assert stamps[0] == datetime(2024, 3, 12, 0, 40, 1, 250000, tzinfo=UTC)


def test_flat_event_and_epoch_timestamp() -> None:
    events, stamps, _, _ = read()
    assert events[1] == {"timestamp": 1710204000, "src_ip": "203.0.113.50", "dst_port": 22, "action": "blocked",
                         "tags": ["fw", "edge"]}  # fmt: skip
    assert stamps[1] == datetime(2024, 3, 12, 0, 40, tzinfo=UTC)


def test_windows_events_as_json() -> None:
    events, stamps, _, _ = read()
    sysmon = events[2]
    assert sysmon["EventID"] == 1  # "1" from the JSON becomes the int rules compare with
    assert sysmon["_product"] == "windows" and sysmon["_service"] == ("sysmon",)
    assert stamps[2] == datetime(2024, 3, 12, 8, 41).astimezone()  # no zone: local time
    record = events[3]  # an evtx_dump record
    assert record["EventID"] == 4720 and record["TargetUserName"] == "backup$"
    assert record["Provider_Name"] == "Microsoft-Windows-Security-Auditing" and record["_service"] == ("security",)
    assert stamps[3] == datetime(2024, 3, 12, 0, 42, 0, 123456, tzinfo=UTC)
    beat = events[4]  # Winlogbeat
    assert beat["Channel"] == "Windows PowerShell" and beat["EventID"] == 400 and beat["param1"] == "Available"
    assert beat["Provider_Name"] == "PowerShell" and beat["EventRecordID"] == 5511
    assert beat["_service"] == ("powershell-classic",)
    assert events[5]["counter"] == 18446744073709551615


def test_helpers() -> None:
    assert flatten({"a": {"b": {"c": 1}, "d": []}, "e": [{"x": 1}], "f": {}}) == {
        "a.b.c": 1,
        "a.d": [],
        "e": '[{"x": 1}]',
    }
    assert timestamp_of({"@timestamp": 1710204000123}) == datetime(2024, 3, 12, 0, 40, 0, 123000, tzinfo=UTC)
    assert timestamp_of({"time": "yesterday"}) is None
    assert timestamp_of({"time": True}) is None


def test_a_json_event_larger_than_the_detection_window(tmp_path: Path) -> None:
    path = tmp_path / "ps.json"
    script = "Write-Output 'x'\n" * 20000  # a 4104 script block of ~340 KB
    path.write_text(
        json.dumps({"Channel": "Microsoft-Windows-PowerShell/Operational", "EventID": 4104, "ScriptBlockText": script})
        + "\n",
        encoding="utf-8",
    )
    stats = ReadStats()
    (batch,) = list(read_paths([path], stats=stats))
    assert stats.formats == {str(path): "jsonl"}
    assert batch.event(0)["ScriptBlockText"] == script
    assert batch.columns["_service"] == [("powershell",)]


def test_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b"\xef\xbb\xbf" + EVENTS.read_bytes())
    stats = ReadStats()
    (batch,) = list(read_paths([path], stats=stats))
    assert stats.formats == {str(path): "jsonl"} and batch.size == 6
    assert batch.raws[0].startswith('{"@timestamp"')
