"""Sigma engine speed: secops' local engine vs pySigma's SQLite backend, same rules, same events.

Facts: the SigmaHQ rules (>= 2,000; default: the whole ``rules/`` folder of the checkout) and
>= 100k synthetic but realistic events: Sysmon process creation / network / file / registry /
image load, Security 4688 and logons, PowerShell script blocks, and web access lines, with
values repeating the way real logs do and a few percent carrying indicators taken from the
rules themselves (so many rules match, and short-circuits cannot skip everything).

Baseline (Zircolite's design): every rule converted to SQL by pySigma's SQLite backend (with the
sysmon + windows-logsources pipelines so that rules keep their Channel/EventID conditions), the
events flattened into one in-memory SQLite table (TEXT COLLATE NOCASE columns, REGEXP as a Python
function), and every query run over it. Keyword rules do not convert (the backend cannot express
them) and are only run by secops.

Each side runs in its own subprocess (so peak RSS is its own): it loads the same events file,
then the timed part is ingest + matching (batches built and matched / rows inserted and queried).
Rule parsing and compilation are timed separately. ``--cli`` also times the real
``secops detect run`` over native files (JSON-lines Windows logs and an nginx access log) when
the log readers are available.

Run: .venv/bin/python bench/sigma_engine.py [--events 100000] [--rules DIR] [--cli]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

import yaml

ROOT = Path(__file__).resolve().parents[1]
SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", ROOT.parent / "shared" / "data" / "sigmahq"))
BATCH = 5000
# field names in the backend's SQL: quoted identifiers, or bare words before an operator
QUERY_FIELD = re.compile(
    r'"([^"]+)"|`([^`]+)`|\b([A-Za-z_][\w.@-]*)\s*(?:NOT\s+)?(?:LIKE|GLOB|REGEXP|IS|IN|=|<>|<=|>=|<|>)'
)
SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"

# --- synthetic events -------------------------------------------------------------------------

BINARIES = [
    (
        "C:\\Windows\\System32\\svchost.exe",
        "svchost.exe -k netsvcs -p -s Schedule",
        "C:\\Windows\\System32\\services.exe",
    ),
    (
        "C:\\Windows\\System32\\svchost.exe",
        "svchost.exe -k LocalServiceNetworkRestricted -p",
        "C:\\Windows\\System32\\services.exe",
    ),
    (
        "C:\\Windows\\System32\\conhost.exe",
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
        "C:\\Windows\\System32\\cmd.exe",
    ),
    (
        "C:\\Windows\\System32\\cmd.exe",
        'C:\\Windows\\system32\\cmd.exe /c "echo {n} > C:\\Temp\\job{n}.txt"',
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "powershell.exe -NoProfile -File C:\\Scripts\\backup{n}.ps1",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --field-trial-handle={n}',
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    ),
    (
        "C:\\Program Files\\Microsoft Office\\Office16\\WINWORD.EXE",
        '"C:\\Program Files\\Microsoft Office\\Office16\\WINWORD.EXE" /n C:\\Users\\{user}\\Documents\\教案{n}.docx',
        "C:\\Windows\\explorer.exe",
    ),
    ("C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe {guid}", "C:\\Windows\\System32\\svchost.exe"),
    (
        "C:\\Windows\\System32\\RuntimeBroker.exe",
        "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Windows\\System32\\SearchProtocolHost.exe",
        '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe{n}',
        "C:\\Windows\\System32\\SearchIndexer.exe",
    ),
    ("C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", "C:\\Windows\\System32\\userinit.exe"),
    (
        "C:\\Windows\\System32\\notepad.exe",
        '"C:\\Windows\\system32\\notepad.exe" C:\\Users\\{user}\\Desktop\\成绩{n}.txt',
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Program Files (x86)\\Tencent\\WeChat\\WeChat.exe",
        '"C:\\Program Files (x86)\\Tencent\\WeChat\\WeChat.exe"',
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Windows\\System32\\msiexec.exe",
        "C:\\Windows\\system32\\msiexec.exe /V",
        "C:\\Windows\\System32\\services.exe",
    ),
    (
        "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
        "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Windows\\System32\\backgroundTaskHost.exe",
        '"C:\\Windows\\system32\\backgroundTaskHost.exe" -ServerName:App.AppX{n}.mca',
        "C:\\Windows\\System32\\svchost.exe",
    ),
    ("C:\\Windows\\System32\\net.exe", "net use Z: \\\\fileserver\\share{n}", "C:\\Windows\\System32\\cmd.exe"),
    ("C:\\Windows\\System32\\ipconfig.exe", "ipconfig /all", "C:\\Windows\\System32\\cmd.exe"),
    ("C:\\Windows\\System32\\reg.exe", "reg query HKLM\\Software\\Vendor{n}", "C:\\Windows\\System32\\cmd.exe"),
    (
        "C:\\Program Files\\7-Zip\\7z.exe",
        '"C:\\Program Files\\7-Zip\\7z.exe" x C:\\Users\\{user}\\Downloads\\课件{n}.zip',
        "C:\\Windows\\explorer.exe",
    ),
]
USERS = ["zhangwei", "liuyang", "wangfang", "admin", "teacher01", "student123", "SYSTEM", "chenjing"]
HOSTS = ["PC-JW-01", "PC-JW-02", "SRV-EDU-01", "LAB-PC-17", "OFFICE-03"]
URLS = [
    "/index.php",
    "/static/js/app.{n}.js",
    "/static/css/site.css",
    "/news/show.php?id={n}",
    "/student/score.php?sid={n}&term=2026",
    "/api/v1/courses?page={n}",
    "/uploads/images/{n}.jpg",
    "/login.php",
    "/admin/index.php",
    "/wp-content/themes/edu/style.css",
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.44",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
]
REGISTRY = [
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Vendor{n}",
    "HKU\\S-1-5-21-1000\\Software\\Microsoft\\Office\\16.0\\Word\\MRU\\Item {n}",
    "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\S-1-5-21-{n}",
]
SCRIPTS = [
    "Get-ChildItem C:\\Scripts -Filter *.log | Remove-Item",
    "Import-Module ActiveDirectory; Get-ADUser -Filter * | Export-Csv C:\\Reports\\users{n}.csv",
    '$date = Get-Date; Write-Output "backup $date"; Copy-Item C:\\Data D:\\Backup{n} -Recurse',
    "Set-StrictMode -Version 2; function Test-Path2 {{ param($p) Test-Path $p }}",
]

INDICATOR_FIELDS = {
    "CommandLine",
    "Image",
    "ParentImage",
    "OriginalFileName",
    "ScriptBlockText",
    "TargetObject",
    "TargetFilename",
    "ImageLoaded",
    "DestinationHostname",
    "c-uri",
    "cs-uri-query",
    "c-useragent",
}


def rule_indicators(paths: list[Path]) -> dict[str, list[str]]:
    """Literal values the rules look for, per field (to plant in a few percent of the events)."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        for file in sorted(path.rglob("*.yml")):
            try:
                docs = list(yaml.safe_load_all(file.read_text(encoding="utf-8")))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            for doc in docs:
                detection = doc.get("detection") if isinstance(doc, dict) else None
                if not isinstance(detection, dict):
                    continue
                for name, selection in detection.items():
                    if name == "condition" or name.startswith("filter"):
                        continue
                    for item in selection if isinstance(selection, list) else [selection]:
                        if not isinstance(item, dict):
                            continue
                        for key, values in item.items():
                            field, _, mods = str(key).partition("|")
                            if field not in INDICATOR_FIELDS or any(
                                m in mods for m in ("re", "base64", "cidr", "wide")
                            ):
                                continue
                            for value in values if isinstance(values, list) else [values]:
                                if isinstance(value, str) and "*" not in value and "?" not in value and len(value) >= 3:
                                    found[field].add(value.replace("\\\\", "\\"))
    return {field: sorted(values) for field, values in found.items()}


class Generator:
    def __init__(self, seed: int, indicators: dict[str, list[str]], hit_rate: float = 0.03) -> None:
        self.rng = random.Random(seed)
        self.indicators = indicators
        self.hit_rate = hit_rate
        self.t = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
        self.record = 0

    def n(self) -> str:
        # values repeat (a few hundred distinct numbers), as in real logs
        return str(self.rng.choice((self.rng.randint(1, 40), self.rng.randint(1, 400), self.rng.randint(1, 99999))))

    def fill(self, template: str) -> str:
        return template.format(
            n=self.n(), user=self.rng.choice(USERS), guid=str(uuid.UUID(int=self.rng.getrandbits(128)))
        )

    def plant(self, field: str, value: str) -> str:
        values = self.indicators.get(field)
        if not values or self.rng.random() >= self.hit_rate:
            return value
        indicator = self.rng.choice(values)
        return indicator if field in ("Image", "ParentImage", "OriginalFileName") else f"{value} {indicator}"

    def base(self, channel: str, event_id: int) -> dict[str, Any]:
        self.record += 1
        self.t += timedelta(milliseconds=self.rng.randint(1, 200))
        service = {"Security": "security", SYSMON_CHANNEL: "sysmon"}.get(channel, "powershell")
        return {
            "_product": "windows",
            "_service": service,
            "Channel": channel,
            "EventID": event_id,
            "Provider_Name": "Microsoft-Windows-Sysmon"
            if channel == SYSMON_CHANNEL
            else "Microsoft-Windows-Security-Auditing",
            "Computer": self.rng.choice(HOSTS),
            "EventRecordID": self.record,
            "TimeCreated": self.t.isoformat(),
        }

    def process(self, security: bool) -> dict[str, Any]:
        image, command, parent = self.rng.choice(BINARIES)
        image = self.plant("Image", image)
        command = self.plant("CommandLine", self.fill(command))
        parent = self.plant("ParentImage", parent)
        user = self.rng.choice(USERS)
        if security:
            event = self.base("Security", 4688)
            event |= {
                "NewProcessName": image,
                "CommandLine": command,
                "ParentProcessName": parent,
                "SubjectUserName": user,
                "SubjectDomainName": "EDU",
                "NewProcessId": hex(self.rng.randint(100, 9000)),
                "TokenElevationType": "%%1936",
                "MandatoryLabel": "S-1-16-8192",
            }
            return event
        event = self.base(SYSMON_CHANNEL, 1)
        name = image.rsplit("\\", 1)[-1]
        event |= {
            "UtcTime": self.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "ProcessGuid": "{" + str(uuid.UUID(int=self.rng.getrandbits(128))) + "}",
            "ProcessId": self.rng.randint(100, 9000),
            "Image": image,
            "FileVersion": "10.0.19041.1 (WinBuild.160101.0800)",
            "Description": name.split(".")[0],
            "Product": "Microsoft® Windows® Operating System",
            "Company": "Microsoft Corporation",
            "OriginalFileName": self.plant("OriginalFileName", name),
            "CommandLine": command,
            "CurrentDirectory": "C:\\Windows\\system32\\",
            "User": f"EDU\\{user}",
            "LogonId": "0x3e7",
            "IntegrityLevel": self.rng.choice(("Medium", "High", "System")),
            "Hashes": f"SHA256={self.rng.getrandbits(64):016X},IMPHASH={self.rng.getrandbits(32):08X}",
            "ParentImage": parent,
            "ParentCommandLine": parent,
            "ParentUser": "NT AUTHORITY\\SYSTEM",
        }
        return event

    def logon(self) -> dict[str, Any]:
        event_id = self.rng.choice((4624, 4624, 4624, 4625, 4634, 4672, 4720, 4732))
        event = self.base("Security", event_id)
        event |= {
            "TargetUserName": self.rng.choice(USERS),
            "TargetDomainName": "EDU",
            "LogonType": self.rng.choice((2, 3, 3, 5, 10)),
            "IpAddress": f"10.20.{self.rng.randint(0, 3)}.{self.rng.randint(1, 254)}",
            "WorkstationName": self.rng.choice(HOSTS),
            "LogonProcessName": "NtLmSsp",
            "AuthenticationPackageName": self.rng.choice(("NTLM", "Kerberos", "Negotiate")),
            "SubjectUserSid": "S-1-5-18",
        }
        if event_id == 4625:
            event |= {"Status": "0xc000006d", "SubStatus": "0xc000006a", "FailureReason": "%%2313"}
        return event

    def sysmon_other(self) -> dict[str, Any]:
        kind = self.rng.choice((3, 7, 11, 13))
        event = self.base(SYSMON_CHANNEL, kind)
        image, _, _ = self.rng.choice(BINARIES)
        event |= {"Image": self.plant("Image", image), "ProcessId": self.rng.randint(100, 9000)}
        if kind == 3:
            event |= {
                "Protocol": "tcp",
                "Initiated": "true",
                "SourceIp": f"10.20.1.{self.rng.randint(1, 254)}",
                "DestinationIp": f"{self.rng.randint(1, 223)}.{self.rng.randint(0, 255)}.1.{self.rng.randint(1, 254)}",
                "DestinationPort": self.rng.choice((80, 443, 445, 3389, 8080)),
                "DestinationHostname": self.plant(
                    "DestinationHostname", self.rng.choice(("www.baidu.com", "edu.cn", ""))
                ),
            }
        elif kind == 7:
            dll = self.rng.choice(("ntdll.dll", "kernel32.dll", "amsi.dll", "clr.dll", "wininet.dll"))
            event |= {"ImageLoaded": self.plant("ImageLoaded", f"C:\\Windows\\System32\\{dll}"), "Signed": "true"}
        elif kind == 11:
            target = self.fill("C:\\Users\\{user}\\AppData\\Local\\Temp\\tmp{n}.tmp")
            event |= {"TargetFilename": self.plant("TargetFilename", target)}
        else:
            event |= {
                "EventType": "SetValue",
                "TargetObject": self.plant("TargetObject", self.fill(self.rng.choice(REGISTRY))),
                "Details": self.rng.choice(("DWORD (0x00000001)", "C:\\Program Files\\Vendor\\agent.exe")),
            }
        return event

    def script(self) -> dict[str, Any]:
        event = self.base("Microsoft-Windows-PowerShell/Operational", 4104)
        event |= {
            "MessageNumber": 1,
            "MessageTotal": 1,
            "ScriptBlockText": self.plant("ScriptBlockText", self.fill(self.rng.choice(SCRIPTS))),
            "ScriptBlockId": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "Path": "C:\\Scripts\\task.ps1",
        }
        return event

    def web(self) -> dict[str, Any]:
        self.record += 1
        self.t += timedelta(milliseconds=self.rng.randint(1, 200))
        target = self.plant("c-uri", self.fill(self.rng.choice(URLS)))
        if " " in target:  # a planted indicator travels URL-encoded, as on the wire
            path, _, extra = target.partition(" ")
            target = path + ("&" if "?" in path else "?") + "q=" + quote(extra, safe="/")
        stem, _, query = target.partition("?")
        agent = self.plant("c-useragent", self.rng.choice(AGENTS))
        status = self.rng.choice((200, 200, 200, 304, 404, 302, 500))
        size = self.rng.randint(200, 90000)
        ip = ".".join(str(self.rng.randint(low, high)) for low, high in ((1, 223), (0, 255), (0, 255), (1, 254)))
        when = self.t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        raw = f'{ip} - - [{when}] "GET {target} HTTP/1.1" {status} {size} "-" "{agent}"'
        event = {
            "_product": "nginx",
            "_category": "webserver",
            "_service": ["access"],
            "_raw": raw,
            "c-ip": ip,
            "date": when,
            "cs-method": "GET",
            "c-uri": target,
            "cs-uri-stem": stem,
            "cs-uri-query": query or None,
            "cs-version": "HTTP/1.1",
            "sc-status": status,
            "sc-bytes": size,
            "cs-referer": "-",
            "c-useragent": agent,
        }
        for name in ("c-uri", "cs-uri-stem", "cs-uri-query"):
            if event[name] and "%" in event[name]:
                event[name + "@decoded"] = unquote_plus(event[name])
        return {k: v for k, v in event.items() if v is not None}

    def event(self) -> tuple[str, dict[str, Any]]:
        roll = self.rng.random()
        if roll < 0.40:
            return "sysmon", self.process(security=False)
        if roll < 0.50:
            return "security", self.process(security=True)
        if roll < 0.60:
            return "security", self.logon()
        if roll < 0.75:
            return "sysmon", self.sysmon_other()
        if roll < 0.85:
            return "powershell", self.script()
        return "web", self.web()


KINDS = ("sysmon", "security", "powershell", "web")


def generate(folder: Path, count: int, indicators: dict[str, list[str]], seed: int = 5) -> Counter[str]:
    """One events file per log (as a school has one log per source): ``<kind>.events.jsonl``."""
    generator = Generator(seed, indicators)
    kinds: Counter[str] = Counter()
    outputs = {kind: (folder / f"{kind}.events.jsonl").open("w", encoding="utf-8") for kind in KINDS}
    for _ in range(count):
        kind, event = generator.event()
        kinds[kind] += 1
        outputs[kind].write(json.dumps(event, ensure_ascii=False) + "\n")
    for handle in outputs.values():
        handle.close()
    return kinds


def event_files(folder: Path) -> list[tuple[str, Path]]:
    return [(kind, folder / f"{kind}.events.jsonl") for kind in KINDS]


def write_native(folder: Path, target: Path) -> list[Path]:
    """The same events as the files a school would have: JSON-lines Windows logs, an access log."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, path in event_files(folder):
        out_path = target / f"{kind}.{'log' if kind == 'web' else 'jsonl'}"
        with path.open(encoding="utf-8") as source, out_path.open("w", encoding="utf-8") as out:
            for line in source:
                event = json.loads(line)
                if kind == "web":
                    out.write(event["_raw"] + "\n")
                else:
                    out.write(
                        json.dumps({k: v for k, v in event.items() if not k.startswith("_")}, ensure_ascii=False) + "\n"
                    )
        written.append(out_path)
    return written


# --- the two sides (each in its own process) -------------------------------------------------------


def side_secops(rule_paths: list[Path], folder: Path) -> dict[str, Any]:
    from secops.detection.events import BatchBuilder
    from secops.detection.sigma import Engine, load_rules

    started = time.perf_counter()
    ruleset = load_rules(rule_paths)
    engine = Engine(ruleset)
    compile_seconds = time.perf_counter() - started

    started = time.perf_counter()
    matches = total = 0
    per_rule: Counter[str] = Counter()
    for kind, path in event_files(folder):
        # what a reader does: parse each line, add it to a columnar batch of 5,000
        builder = BatchBuilder("web" if kind == "web" else "jsonl", path.name)
        with path.open(encoding="utf-8") as source:
            for number, line in enumerate(source, 1):
                event = json.loads(line)
                raw = event.pop("_raw", None) or line
                builder.add(number, None, raw, event)
                if builder.batch.size == BATCH:
                    found = engine.match(builder.take(), include_hidden=True)
                    matches += len(found)
                    per_rule.update(m.rule_id for m in found)
                total += number
        found = engine.match(builder.take(), include_hidden=True)
        matches += len(found)
        per_rule.update(m.rule_id for m in found)
    total = engine.stats.events
    seconds = time.perf_counter() - started
    return {
        "side": "secops",
        "rules": len(engine.rules),
        "rule_errors": len(engine.errors),
        "atoms": engine.atom_count,
        "events": total,
        "compile_seconds": round(compile_seconds, 2),
        "seconds": round(seconds, 3),
        "events_per_second": round(total / seconds),
        "matches": matches,
        "rules_matched": len(per_rule),
        "atoms_evaluated": engine.stats.atoms_evaluated,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def sqlite_queries(rule_paths: list[Path]) -> tuple[list[tuple[str, str]], int, int]:
    """The rules as pySigma SQLite queries (sysmon + windows-logsources pipelines), as Zircolite
    converts them: (rule id, query) pairs, rules converted, rules the backend could not express."""
    from sigma.backends.sqlite import sqliteBackend
    from sigma.pipelines.sysmon import sysmon_pipeline
    from sigma.pipelines.windows import windows_logsource_pipeline

    from secops.detection.sigma import load_rules

    ruleset = load_rules(rule_paths)
    backend = sqliteBackend(processing_pipeline=sysmon_pipeline() + windows_logsource_pipeline(), collect_errors=True)
    queries: list[tuple[str, str]] = []
    failed = 0
    for rule in ruleset.rules:
        try:
            converted = backend.convert_rule(rule)
        except Exception:  # the backend raises on what it cannot express
            failed += 1
            continue
        if rule.errors or not converted:
            failed += 1
            continue
        rule_id = str(rule.id or rule.title)
        queries += [(rule_id, str(query)) for query in converted]
    return queries, len(ruleset.rules) - failed, failed


def query_columns(queries: list[tuple[str, str]]) -> Iterator[str]:
    """Every field a query names (lowercase): absent columns must be NULL, never an error."""
    for _rule, query in queries:
        for groups in QUERY_FIELD.findall(query):
            name = next(g for g in groups if g)
            if name.upper() not in ("NOT", "AND", "OR", "ESCAPE"):
                yield name.lower()


def logs_table(names: list[str]) -> tuple[sqlite3.Connection, str]:
    """An in-memory ``logs`` table of these text columns (case-insensitive, with REGEXP), and its INSERT."""
    connection = sqlite3.connect(":memory:")

    def regexp(pattern: str, value: Any) -> bool:
        return value is not None and re.search(pattern, str(value)) is not None

    connection.create_function("regexp", 2, regexp, deterministic=True)
    declared = ", ".join(f'"{n}" TEXT COLLATE NOCASE' for n in names)
    connection.execute(f"CREATE TABLE logs (row_id INTEGER PRIMARY KEY, {declared})")
    quoted = ", ".join(f'"{n}"' for n in names)
    return connection, f"INSERT INTO logs ({quoted}) VALUES ({', '.join('?' for _ in names)})"


def run_queries(connection: sqlite3.Connection, queries: list[tuple[str, str]]) -> tuple[int, Counter[str], int]:
    """Every query over the table: (rows matched, matches per rule, queries SQLite refused)."""
    matches = query_errors = 0
    per_rule: Counter[str] = Counter()
    for rule_id, query in queries:
        try:
            found = len(connection.execute(query).fetchall())
        except sqlite3.Error:
            query_errors += 1
            continue
        matches += found
        if found:
            per_rule[rule_id] += found
    return matches, per_rule, query_errors


def side_sqlite(rule_paths: list[Path], folder: Path) -> dict[str, Any]:
    started = time.perf_counter()
    queries, converted, failed = sqlite_queries(rule_paths)
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    # the table's columns: every field of the events (a first pass over the files) and of the queries
    columns: dict[str, None] = {}
    for _kind, path in event_files(folder):
        with path.open(encoding="utf-8") as source:
            for line in source:
                for name in json.loads(line):
                    if not name.startswith("_"):
                        columns.setdefault(name.lower(), None)
    columns.update(dict.fromkeys(query_columns(queries)))
    names = list(columns)
    connection, insert = logs_table(names)
    index = {n: i for i, n in enumerate(names)}
    total = 0
    for _kind, path in event_files(folder):
        with path.open(encoding="utf-8") as source:
            rows = []
            for line in source:
                row: list[Any] = [None] * len(names)
                for name, value in json.loads(line).items():
                    if not name.startswith("_"):
                        row[index[name.lower()]] = json.dumps(value) if isinstance(value, list) else value
                rows.append(row)
                if len(rows) == BATCH:
                    connection.executemany(insert, rows)
                    total += len(rows)
                    rows = []
            connection.executemany(insert, rows)
            total += len(rows)
    matches, per_rule, query_errors = run_queries(connection, queries)
    seconds = time.perf_counter() - started
    return {
        "side": "sqlite",
        "rules": converted,
        "rule_errors": failed,
        "query_errors": query_errors,
        "events": total,
        "compile_seconds": round(compile_seconds, 2),
        "seconds": round(seconds, 3),
        "events_per_second": round(total / seconds),
        "matches": matches,
        "rules_matched": len(per_rule),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def side_cli(rule_paths: list[Path], folder: Path) -> dict[str, Any]:
    """The real command, in this process (rule loading and log reading included)."""
    import contextlib

    from secops.cli.main import cli

    files = write_native(folder, folder / "native")
    arguments = ["detect", "run", "--format", "jsonl"]
    for path in rule_paths:
        arguments += ["--rules", str(path)]
    started = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        try:
            cli.main([*arguments, *map(str, files)], prog_name="secops", standalone_mode=False)
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    seconds = time.perf_counter() - started
    return {
        "side": "secops detect run",
        "exit": code,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_side(side: str, rules: list[Path], events: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--side", side, "--events-file", str(events)]
    for path in rules:
        command += ["--rules", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} side failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rules", type=Path, action="append", help="rule folder (default: SigmaHQ rules/)")
    parser.add_argument("--cli", action="store_true", help="also time `secops detect run` on native files")
    parser.add_argument("--side", choices=("secops", "sqlite", "cli"), help=argparse.SUPPRESS)
    parser.add_argument("--events-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rules = args.rules or [SIGMAHQ / "rules"]
    if args.side == "secops":
        print(json.dumps(side_secops(rules, args.events_file)))
        return
    if args.side == "sqlite":
        print(json.dumps(side_sqlite(rules, args.events_file)))
        return
    if args.side == "cli":
        print(json.dumps(side_cli(rules, args.events_file)))
        return
    if not all(path.exists() for path in rules):
        raise SystemExit(f"rules not found: {rules} (set SECOPS_SIGMAHQ or give --rules)")

    with tempfile.TemporaryDirectory(prefix="sigma-bench-") as tmp:
        events = Path(tmp)
        started = time.perf_counter()
        kinds = generate(events, args.events, rule_indicators(rules))
        print(f"events: {args.events:,} ({dict(kinds)}), generated in {time.perf_counter() - started:.1f}s")
        ours = run_side("secops", rules, events)
        print("secops:", json.dumps(ours))
        base = run_side("sqlite", rules, events)
        print("sqlite:", json.dumps(base))
        ratio = ours["events_per_second"] / base["events_per_second"]
        print(
            f"\nsecops engine  {ours['events_per_second']:>9,} events/s  peak RSS {ours['peak_rss_mb']:>7} MB"
            f"  ({ours['rules']} rules, {ours['matches']:,} matches of {ours['rules_matched']} rules)"
        )
        print(
            f"pySigma+SQLite {base['events_per_second']:>9,} events/s  peak RSS {base['peak_rss_mb']:>7} MB"
            f"  ({base['rules']} rules, {base['matches']:,} matches of {base['rules_matched']} rules)"
        )
        print(f"speed ratio {ratio:.1f}x, memory ratio {ours['peak_rss_mb'] / base['peak_rss_mb']:.2f}")
        if args.cli:
            try:
                import secops.detection.readers  # noqa: F401
            except ImportError:
                print("secops detect run: skipped (log readers not available)")
                return
            cli = run_side("cli", rules, events)
            print(
                f"secops detect run {args.events / cli['seconds']:>9,.0f} events/s  peak RSS {cli['peak_rss_mb']:>7} MB"
                f"  (end to end: rule loading, reading JSON-lines and access logs, {cli['seconds']} s)"
            )


if __name__ == "__main__":
    main()
