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
