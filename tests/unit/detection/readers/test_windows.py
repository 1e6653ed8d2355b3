"""EVTX through the evtx package: flattened Windows fields, EventRecordID, truncated and broken files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from secops.detection.events import EventBatch, ReadStats
from secops.detection.readers import read_paths
from secops.detection.readers.windows import CHUNK_BYTES, HEADER_BYTES, flatten_event, service_of

SAMPLE = Path(__file__).parent.parent / "fixtures" / "logs" / "evtx" / "Security_short_selected.evtx"
RECORD_IDS = [319457771, 319457830, 319457831, 319457832, 319457855, 319457856, 319457858]


def read(path: Path) -> tuple[list[EventBatch], ReadStats]:
    stats = ReadStats()
    return list(read_paths([path], stats=stats)), stats


def test_sample_records_are_flattened() -> None:
    batches, stats = read(SAMPLE)
    assert stats.formats == {str(SAMPLE): "evtx"} and stats.events == 7 and not stats.malformed
    (batch,) = batches
    assert batch.source == "evtx" and batch.records == RECORD_IDS
    first = batch.event(0, internal=True)
    assert {k: first[k] for k in ("EventID", "Channel", "Provider_Name", "Computer", "EventRecordID")} == {
        "EventID": 5152,
        "Channel": "Security",
        "Provider_Name": "Microsoft-Windows-Security-Auditing",
        "Computer": "temporal",
        "EventRecordID": 319457771,
    }
    assert first["TimeCreated"] == "2016-06-29T15:24:34.346000Z"
    assert first["SourceAddress"] == "23.94.153.202" and first["DestPort"] == "3389"  # EventData at top level
    assert first["ProcessID"] == 4 and first["ProcessId"] == 0  # System Execution vs EventData: both kept
    assert first["_product"] == "windows" and first["_service"] == ("security",)
    assert "_category" not in first
    assert batch.timestamps[0] == datetime(2016, 6, 29, 15, 24, 34, 346000, tzinfo=UTC)
    third = batch.event(2)
    assert third["EventID"] == 4776 and third["TargetUserName"] == "Administrator"
    assert json.loads(batch.raws[2])["Event"]["EventData"]["Status"] == "0xc000006a"


def test_truncated_copies(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    cut = tmp_path / "cut.evtx"
    cut.write_bytes(data[: HEADER_BYTES + 5000])  # inside the only chunk, part-way through record 4
    batches, stats = read(cut)
    assert [r for b in batches for r in b.records] == RECORD_IDS[:3]
    assert stats.malformed == {str(cut): 2}  # the partial chunk and the record it cut in half
    assert stats.formats == {str(cut): "evtx"}
    header_only = tmp_path / "header.evtx"
    header_only.write_bytes(data[:3000])
    batches, stats = read(header_only)
    assert batches == [] and stats.skipped == {str(header_only): "truncated EVTX file (incomplete header)"}
    two_chunks = tmp_path / "two.evtx"  # a complete chunk, then a second one cut short
    two_chunks.write_bytes((data + data[HEADER_BYTES:])[: HEADER_BYTES + CHUNK_BYTES + 5000])
    batches, stats = read(two_chunks)
    assert [r for b in batches for r in b.records] == RECORD_IDS + RECORD_IDS[:3]


def test_garbage_with_an_evtx_header_never_raises(tmp_path: Path) -> None:
    data = bytearray(SAMPLE.read_bytes())
    data[HEADER_BYTES + 512 + 300 : HEADER_BYTES + 512 + 340] = b"\xff" * 40  # corrupt the chunk's string table
    broken = tmp_path / "broken.evtx"
    broken.write_bytes(bytes(data))
    batches, stats = read(broken)
    assert stats.malformed[str(broken)] >= 1
    assert stats.formats == {str(broken): "evtx"}
    fake = tmp_path / "fake.evtx"
    fake.write_bytes(b"ElfFile\x00" + bytes(range(256)) * 40)
    batches, stats = read(fake)
    assert batches == [] and stats.events == 0
    assert str(fake) in stats.skipped or stats.malformed.get(str(fake))


def test_flatten_event_shapes() -> None:
    event = {
        "System": {
            "Provider": {"#attributes": {"Name": "PowerShell", "EventSourceName": "PowerShell"}},
            "EventID": {"#text": 400, "#attributes": {"Qualifiers": 0}},
            "Channel": "Windows PowerShell",
            "Computer": "LAB-PC-09",
            "EventRecordID": 18446744073709551615,  # beyond int64: stays an exact int
            "TimeCreated": {"#attributes": {"SystemTime": "2024-03-12T00:43:00.1234567Z"}},
            "Security": {"#attributes": {"UserID": "S-1-5-18"}},
        },
        "EventData": {
            "Data": [{"#text": "Available"}, {"#text": "None"}, {"#text": "HostApplication=powershell -enc"}]
        },
    }
    fields = flatten_event(event)
    assert fields["EventID"] == 400 and fields["EventID_Qualifiers"] == 0
    assert fields["Provider_Name"] == "PowerShell" and fields["Provider_EventSourceName"] == "PowerShell"
    assert fields["EventRecordID"] == 18446744073709551615
    assert fields["UserID"] == "S-1-5-18"
    assert fields["Data"] == ["Available", "None", "HostApplication=powershell -enc"]  # unnamed items: a list
    assert fields["_service"] == ("powershell-classic",)
    named = flatten_event(
        {
            "System": {"EventID": "4688", "Channel": "Security"},
            "EventData": {
                "Data": [
                    {"#attributes": {"Name": "NewProcessName"}, "#text": "C:\\Windows\\System32\\cmd.exe"},
                    {"#attributes": {"Name": "CommandLine"}, "#text": "cmd /c whoami"},
                ]
            },
        }
    )
    assert named["EventID"] == 4688 and named["CommandLine"] == "cmd /c whoami"
    assert named["NewProcessName"] == "C:\\Windows\\System32\\cmd.exe"
    cleared = flatten_event(
        {
            "System": {"EventID": 1102, "Channel": "Security"},
            "UserData": {
                "LogFileCleared": {
                    "#attributes": {"xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"},
                    "SubjectUserName": "admin",
                    "SubjectDomainName": "SCHOOL",
                }
            },
        }
    )
    assert cleared["SubjectUserName"] == "admin" and "xmlns" not in cleared
    spoofed = flatten_event(
        {"System": {"EventID": 1, "Channel": "Security"}, "EventData": {"Channel": "x", "EventID": 9}}
    )
    assert spoofed["Channel"] == "Security" and spoofed["EventID"] == 1  # System wins for the identity fields


def test_channel_services() -> None:
    assert service_of("Security") == "security"
    assert service_of("Microsoft-Windows-Sysmon/Operational") == "sysmon"
    assert service_of("Windows PowerShell") == "powershell-classic"
    assert service_of("Microsoft-Windows-PowerShell/Operational") == "powershell"
    assert service_of("Microsoft-Windows-TaskScheduler/Operational") == "microsoft-windows-taskscheduler/operational"
    assert service_of("") is None and service_of(None) is None


def test_an_event_is_numbered_by_its_event_record_id_even_when_the_xml_gave_a_string() -> None:
    """Users and other tools name an event by EventRecordID; the chunk's record number is the fallback."""
    from secops.detection.readers._batch import RowBatcher
    from secops.detection.readers.windows import _add

    def record(system: dict[str, object], header_number: int) -> dict[str, object]:
        event = {"Event": {"System": {"EventID": 4688, "Channel": "Security", **system}, "EventData": {}}}
        return {"event_record_id": header_number, "data": json.dumps(event)}

    stats = ReadStats()
    batcher = RowBatcher("evtx", "Security.evtx", 10)
    for item in (record({"EventRecordID": "319457771"}, 1), record({"EventRecordID": 42}, 2), record({}, 3)):
        _add(item, batcher, stats)
    [batch] = list(batcher.flush())
    assert batch.records == [319457771, 42, 3]


def test_records_parse_as_json_loads_would() -> None:
    """orjson reads the evtx parser's JSON; what it refuses falls back to json.loads."""
    import json

    import pytest

    from secops.detection.readers.windows import loads_record

    for text in (
        '{"Event": {"System": {"EventID": 4624, "EventRecordID": 18446744073709551615}}}',
        '{"a": [1.5, "x", null, true], "c": {"d": "\\u4e2d"}, "dup": 1, "dup": 2}',
        '{"n": NaN, "s": "\\ud800 lone"}',
    ):
        assert repr(loads_record(text)) == repr(json.loads(text)), text[:40]
    with pytest.raises(ValueError):
        loads_record("{not json")
