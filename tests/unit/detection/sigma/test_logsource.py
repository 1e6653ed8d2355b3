"""Rules only see events of their log source (no Chainsaw-style false positives across logs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.detection.sigma_helpers import batch_of, engine_for, matched, rule_yaml

SYSMON = {"_product": "windows", "_service": "sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational"}
SECURITY = {"_product": "windows", "_service": "security", "Channel": "Security"}
POWERSHELL = {"_product": "windows", "_service": "powershell", "Channel": "Microsoft-Windows-PowerShell/Operational"}
LINUX_AUTH = {"_product": "linux", "_service": ("sshd", "auth")}
WEB = {"_product": "nginx", "_category": "webserver", "_service": ("access",)}

EVENTS = [
    SYSMON | {"EventID": 1, "Image": "C:\\x\\evil.exe"},  # 1 process creation (Sysmon)
    SYSMON | {"EventID": 3, "Image": "C:\\x\\evil.exe"},  # 2 network connection
    SYSMON | {"EventID": 13, "Image": "C:\\x\\evil.exe"},  # 3 registry set
    SECURITY | {"EventID": 4688, "NewProcessName": "C:\\x\\evil.exe"},  # 4 process creation (Security)
    SECURITY | {"EventID": 4625, "Image": "C:\\x\\evil.exe"},  # 5 failed logon
    POWERSHELL | {"EventID": 4104, "Image": "C:\\x\\evil.exe"},  # 6 script block
    LINUX_AUTH | {"Image": "C:\\x\\evil.exe"},  # 7 auth.log
    WEB | {"Image": "C:\\x\\evil.exe"},  # 8 web access
    {"Image": "C:\\x\\evil.exe"},  # 9 no logsource information (plain JSON)
    {"EventID": 1, "Image": "C:\\x\\evil.exe"},  # 10 plain JSON with a Sysmon id
]


@pytest.mark.parametrize(
    ("logsource", "expected"),
    [
        ("product: windows\n  category: process_creation", [1, 4, 9, 10]),
        ("product: windows\n  category: network_connection", [2, 9]),
        ("product: windows\n  category: registry_set", [3, 9]),
        ("product: windows\n  service: security", [4, 5, 9, 10]),
        ("product: windows\n  service: sysmon", [1, 2, 3, 9, 10]),
        ("product: windows\n  category: ps_script", [6, 9]),
        ("product: windows", [1, 2, 3, 4, 5, 6, 9, 10]),
        ("product: linux\n  service: sshd", [7, 9, 10]),
        ("product: linux\n  service: auth", [7, 9, 10]),
        ("product: linux", [7, 9, 10]),
        ("category: webserver", [8, 9, 10]),
        ("product: nginx\n  category: webserver", [8, 9, 10]),
        ("product: apache\n  category: webserver", [9, 10]),
        ("category: proxy", [9, 10]),
    ],
)
def test_logsource_mapping(tmp_path: Path, logsource: str, expected: list[int]) -> None:
    engine = engine_for(tmp_path, rule_yaml("sel:\n  Image|endswith: '\\evil.exe'\ncondition: sel", logsource))
    batch = batch_of(*EVENTS, base={})
    assert matched(engine, batch) == expected


def test_a_4688_event_answers_the_sysmon_names_of_integrity_level_and_logon_id(tmp_path: Path) -> None:
    """Security 4688 carries IntegrityLevel as MandatoryLabel (a SID) and LogonId as SubjectLogonId;
    SigmaHQ's process_creation rules list both the name and the SID of a level."""
    detection = "sel:\n  IntegrityLevel:\n    - 'High'\n    - 'S-1-16-12288'\n  LogonId: '0x3e7'\ncondition: sel"
    engine = engine_for(tmp_path, rule_yaml(detection, "product: windows\n  category: process_creation"))
    security = SECURITY | {"EventID": 4688, "NewProcessName": "C:\\a.exe", "SubjectLogonId": "0x3e7"}
    sysmon = SYSMON | {"EventID": 1, "Image": "C:\\a.exe", "IntegrityLevel": "High", "LogonId": "0x3e7"}
    events = [
        security | {"MandatoryLabel": "S-1-16-12288"},  # 1 high
        security | {"MandatoryLabel": "S-1-16-8192"},  # 2 medium: no match
        sysmon,  # 3
        sysmon | {"MandatoryLabel": "S-1-16-8192"},  # 4 its own name wins over the alias
    ]
    assert matched(engine, batch_of(*events, base={})) == [1, 3, 4]


def test_a_value_with_a_trailing_space_matches_only_exactly(tmp_path: Path) -> None:
    """Decided: values are compared as logged, like SigmaHQ's regression data ('NtLmSsp ' with its
    space is not 'NtLmSsp'); Hayabusa trims. A rule that wants both says so with a wildcard."""
    rule = rule_yaml("sel:\n  LogonProcessName: 'NtLmSsp'\ncondition: sel", "product: windows")
    logon = SECURITY | {"EventID": 4624}
    events = [logon | {"LogonProcessName": "NtLmSsp "}, logon | {"LogonProcessName": "NtLmSsp"}]
    assert matched(engine_for(tmp_path, rule), batch_of(*events, base={})) == [2]
