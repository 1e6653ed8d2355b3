"""Windows Defender sample events for the regression fixture tree (``fixtures/regression``).

Defender writes its EventData names with spaces (``Threat Name``, ``Source Name``, ``Process Name``,
``Detection User``); SigmaHQ's rules write them without. The samples are synthetic (no real
detection, no real user) and are written as EVTX by :mod:`evtx_writer` and as JSON lines in the
shape ``evtx_dump`` gives (``{"Event": {"System": ..., "EventData": ...}}``: the ``evtx`` parser's own
JSON of the same records). ``sigma/test_regression`` checks that the stored files are what this
module writes; after changing a sample, run ``python -m tests.unit.detection.defender_samples``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import evtx

from tests.unit.detection.evtx_writer import Record, evtx_bytes

ROOT = Path(__file__).resolve().parent / "fixtures" / "regression"
DATA = ROOT / "regression_data" / "rules" / "windows" / "builtin" / "windefend"
SIGMAHQ_SAMPLE = ROOT / "samples" / "windefend_sigmahq"  # .evtx and .jsonl, for SigmaHQ's own rules

DEFENDER_CHANNEL = "Microsoft-Windows-Windows Defender/Operational"
DEFENDER = "Microsoft-Windows-Windows Defender"
T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
AMSI_PATH = "amsi:_\\Device\\HarddiskVolume3\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
MIMIKATZ = "HackTool:PowerShell/Mimikatz.A"
WANNACRY = "Ransom:Win32/WannaCrypt.A!rsm"


def detection(
    event_id: int,
    minute: int,
    threat: str,
    source: str,
    process: str,
    path: str,
    *,
    user: str = "SCHOOL\\teacher01",
    action: str = "Not Applicable",
    channel: str = DEFENDER_CHANNEL,
    provider: str = DEFENDER,
) -> Record:
    """A Defender detection event (1116 detected, 1117 action taken, 1119 action failed), with the
    EventData names as Defender writes them."""
    when = T0 + timedelta(minutes=minute)
    data = [
        ("Product Name", "Microsoft Defender Antivirus"),
        ("Product Version", "4.18.24090.11"),
        ("Detection ID", "{5B2C7E41-0A6D-4E8F-9C31-7D4A2B6E8F10}"),
        ("Detection Time", when.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
        ("Threat ID", "2147725325"),
        ("Threat Name", threat),
        ("Severity Name", "High"),
        ("Category Name", "Tool" if threat.startswith("HackTool") else "Trojan"),
        ("Source Name", source),
        ("Process Name", process),
        ("Detection User", user),
        ("Path", path),
        ("Origin Name", "Local machine"),
        ("Action Name", action),
        ("Security intelligence Version", "AV: 1.419.112.0"),
        ("Engine Version", "AM: 1.1.24090.11"),
    ]
    return Record(event_id, channel, provider, when, data=data, system={"Level": "3" if event_id == 1116 else "4"})


def asr_block(minute: int, process: str) -> Record:
    """Attack Surface Reduction event 1121 (blocked): a process opening LSASS."""
    data = [
        ("Product Name", "Microsoft Defender Antivirus"),
        ("Product Version", "4.18.24090.11"),
        ("ID", "9E6C4E1F-7D60-472F-BA1A-A39EF669E4B2"),
        ("Detection Time", (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.000Z")),
        ("User", "SCHOOL\\teacher01"),
        ("Path", "C:\\Windows\\System32\\lsass.exe"),
        ("Process Name", process),
        ("Security intelligence Version", "1.419.112.0"),
        ("Engine Version", "1.1.24090.11"),
    ]
    return Record(1121, DEFENDER_CHANNEL, DEFENDER, T0 + timedelta(minutes=minute), data=data, system={"Level": "3"})


DOWNLOAD = "file:_C:\\Users\\student23\\Downloads\\mimikatz_trunk.zip"
RANSOM_PATH = "file:_C:\\Users\\student23\\Desktop\\@WanaDecryptor@.exe"
EXPLORER = "C:\\Windows\\explorer.exe"
REDSUN_PATH = (
    "file:_C:\\Users\\student23\\AppData\\Local\\Temp\\2\\RS-{3F2A9C14-6B7D-4E21-9A0C-5D8E1F2B7C46}"
    "\\TieringEngineService.exe"
)

SAMPLES: dict[Path, Sequence[Record]] = {
    # win_defender_credential_tool_amsi: SigmaHQ's spaceless names (SourceName, ThreatName, ProcessName)
    DATA / "win_defender_credential_tool_amsi" / "match": [
        detection(1116, 0, MIMIKATZ, "AMSI", POWERSHELL, AMSI_PATH),
        detection(1117, 1, MIMIKATZ, "AMSI", POWERSHELL, AMSI_PATH, action="Remove"),
    ],
    DATA / "win_defender_credential_tool_amsi" / "nomatch": [
        detection(1116, 2, MIMIKATZ, "Real-Time Protection", "Unknown", DOWNLOAD),  # not AMSI
        detection(1116, 3, "Trojan:Script/Wacatac.B!ml", "AMSI", POWERSHELL, AMSI_PATH),  # another threat
        detection(
            1116, 4, MIMIKATZ, "AMSI", "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", AMSI_PATH
        ),
        # the same fields in another log (another product's events): not the windefend service
        detection(1116, 5, MIMIKATZ, "AMSI", POWERSHELL, AMSI_PATH, channel="Application", provider="SchoolAV"),
    ],
    # win_defender_ransomware_spaced_fields: the names as Defender writes them (Threat Name, Detection User)
    DATA / "win_defender_ransomware_spaced_fields" / "match": [
        detection(1116, 10, WANNACRY, "Real-Time Protection", EXPLORER, RANSOM_PATH, user="SCHOOL\\student23"),
        detection(1117, 11, WANNACRY, "Real-Time Protection", EXPLORER, RANSOM_PATH, action="Quarantine"),
    ],
    DATA / "win_defender_ransomware_spaced_fields" / "nomatch": [
        detection(1116, 12, MIMIKATZ, "Real-Time Protection", EXPLORER, DOWNLOAD),  # not ransomware
        detection(1116, 13, WANNACRY, "Real-Time Protection", EXPLORER, RANSOM_PATH, user="SCHOOL\\malware-lab"),
        detection(1119, 14, WANNACRY, "Real-Time Protection", EXPLORER, RANSOM_PATH),  # action failed: not listed
        detection(1116, 15, WANNACRY, "Real-Time Protection", EXPLORER, RANSOM_PATH, channel="Application"),
    ],
    # SigmaHQ's own windefend rules (sigma/test_regression runs them when the checkout is there)
    SIGMAHQ_SAMPLE: [
        detection(1116, 20, MIMIKATZ, "AMSI", POWERSHELL, AMSI_PATH),  # Threat Detected + AMSI Trigger
        detection(1119, 21, "Virus:DOS/EICAR_Test_File", "Real-Time Protection", "Unknown", REDSUN_PATH),  # RedSun
        asr_block(22, "C:\\Users\\student23\\Downloads\\procdump64.exe"),  # LSASS access via ASR
        asr_block(23, "C:\\Windows\\System32\\svchost.exe"),  # the same, by a process the rule filters out
    ],
}
FIRST_RECORD_ID = 4100


def jsonl_of(evtx_path: Path) -> str:
    """The records of an EVTX file as JSON lines, in the parser's own JSON shape."""
    parser = evtx.PyEvtxParser(str(evtx_path))
    lines = []
    for record in parser.records_json():
        assert record is not None
        lines.append(json.dumps(json.loads(record["data"]), ensure_ascii=False) + "\n")
    return "".join(lines)


def write_samples(root: Path = ROOT) -> list[Path]:
    """Write every sample under ``root`` (``<stem>.evtx`` and ``<stem>.jsonl``); returns the paths."""
    written = []
    for stem, records in SAMPLES.items():
        target = root / stem.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        evtx_path = target.with_name(target.name + ".evtx")
        evtx_path.write_bytes(evtx_bytes(records, FIRST_RECORD_ID))
        jsonl_path = target.with_name(target.name + ".jsonl")
        jsonl_path.write_text(jsonl_of(evtx_path), encoding="utf-8")
        written += [evtx_path, jsonl_path]
    return written


if __name__ == "__main__":
    for path in write_samples():
        print(path.relative_to(ROOT))
