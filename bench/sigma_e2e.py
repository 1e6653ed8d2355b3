"""Sigma end to end: the real ``secops detect run`` over a folder of EVTX files, against pySigma's
SQLite backend over the same events, same rules, same run.

Facts: SigmaHQ's Windows rules (``rules/windows`` of the checkout, ~2,400; ``--rules-count``
takes the first N files sorted, or all) and hundreds of small real EVTX files (~30 events each,
written by tests/unit/detection/evtx_writer.py, several chunks when needed) in one folder: Sysmon
1/3/11/13, Security 4688/4624/4625 and PowerShell 4104, values repeating as in real logs and a few
percent carrying indicators taken from the rules (bench/sigma_engine.py's generator), so rules
match. Scale 1 is 8,000 events (~270 files).

secops: ``python -m secops --workspace W detect run --format jsonl --rules RULES FOLDER`` as a
subprocess, with a fresh workspace (``secops init``) per (rules, scale): a cold run (compiles the
rules and fills W/cache/sigma), then a warm run (reads the compiled rules back). Start-up alone is
the same command over one tiny EVTX file, cold (fresh workspace) and warm. Matches: the jsonl lines.

Baseline (Zircolite's design, as in bench/sigma_engine.py): its own subprocess converts every rule
with pySigma's SQLite backend (sysmon + windows-logsources pipelines), parses the EVTX files with
the ``evtx`` package and flattens them as secops does, inserts them into one in-memory SQLite table
and runs every query. Timed end to end (interpreter start, conversion, parsing, ingest, queries).

Figures: wall time and peak RSS of each subprocess (os.wait4; secops: the larger of cold and warm);
events/s = events / wall time;
ratio = secops warm events/s / baseline events/s.

Run: .venv/bin/python bench/sigma_e2e.py [--scale 1,4] [--rules-count 500,all] [--rules DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIGMAHQ = Path(os.environ.get("SECOPS_SIGMAHQ", ROOT.parent / "shared" / "data" / "sigmahq"))
SIGMAHQ_FALLBACK = Path("/work/shared/data/sigmahq")
EVENTS_PER_SCALE = 8000
EVENTS_PER_FILE = 30
SCHOOL = ["--school-code", "4111010001", "--school-name", "测试", "--scope", "127.0.0.1/32"]
SYSTEM_KEYS = {"Channel", "EventID", "Provider_Name", "Computer", "EventRecordID", "TimeCreated"}
PROVIDERS = {
    "Microsoft-Windows-Sysmon/Operational": "Microsoft-Windows-Sysmon",
    "Security": "Microsoft-Windows-Security-Auditing",
    "Microsoft-Windows-PowerShell/Operational": "Microsoft-Windows-PowerShell",
}


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


engine_bench = _load("sigma_engine_bench", ROOT / "bench" / "sigma_engine.py")
evtx_writer = _load("evtx_writer_bench", ROOT / "tests" / "unit" / "detection" / "evtx_writer.py")


# --- EVTX data ----------------------------------------------------------------------------------


def windows_event(generator: Any) -> dict[str, Any]:
    """One event of the mix: Sysmon 1/3/11/13, Security 4688/4624/4625, PowerShell 4104."""
    while True:
        roll = generator.rng.random()
        if roll < 0.40:
            return generator.process(security=False)
        if roll < 0.50:
            return generator.process(security=True)
        if roll < 0.65:
            event = generator.logon()
            if event["EventID"] in (4624, 4625):
                return event
        elif roll < 0.85:
            event = generator.sysmon_other()
            if event["EventID"] != 7:
                return event
        else:
            return generator.script()


def to_record(event: dict[str, Any]) -> Any:
    data = [(k, str(v)) for k, v in event.items() if not k.startswith("_") and k not in SYSTEM_KEYS]
    system = {"Level": "4", "Task": "0", "Keywords": "0x8000000000000000"}
    return evtx_writer.Record(
        event_id=event["EventID"],
        channel=event["Channel"],
        provider=PROVIDERS[event["Channel"]],
        time=datetime.fromisoformat(event["TimeCreated"]),
        computer=event["Computer"] + ".school.local",
        data=data,
        system=system,
    )


def evtx_file(records: list[Any]) -> bytes:
    """One EVTX file of as many chunks as the records need (the writer builds one chunk at a time)."""
    room = evtx_writer.CHUNK_BYTES - evtx_writer.CHUNK_HEADER_BYTES
    groups: list[list[Any]] = [[]]
    used = 0
    for record in records:
        size = 28 + len(evtx_writer._record_xml(record, 1, 0))
        if groups[-1] and used + size > room:
            groups.append([])
            used = 0
        groups[-1].append(record)
        used += size
    chunks = []
    next_id = 1
    for group in groups:
        chunks.append(evtx_writer.evtx_bytes(group, next_id)[evtx_writer.FILE_HEADER_BYTES :])
        next_id += len(group)
    header = bytearray(evtx_writer.FILE_HEADER_BYTES)
    struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\0", 0, len(chunks) - 1, next_id, 128, 1, 3, 4096, len(chunks))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    return bytes(header) + b"".join(chunks)


def generate(folder: Path, count: int, indicators: dict[str, list[str]], seed: int = 7) -> Counter[str]:
    folder.mkdir(parents=True, exist_ok=True)
    generator = engine_bench.Generator(seed, indicators)
    kinds: Counter[str] = Counter()
    written = 0
    number = 0
    while written < count:
        size = min(count - written, generator.rng.randint(EVENTS_PER_FILE - 8, EVENTS_PER_FILE + 8))
        events = [windows_event(generator) for _ in range(size)]
        kinds.update(f"{PROVIDERS[e['Channel']].rsplit('-', 1)[-1]} {e['EventID']}" for e in events)
        host = events[0]["Computer"]
        (folder / f"{host}-{number:04d}.evtx").write_bytes(evtx_file([to_record(e) for e in events]))
        written += size
        number += 1
    return kinds


# --- measured subprocesses --------------------------------------------------------------------------


def measured(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its wall time, peak RSS (os.wait4: this child only), exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "rss_mb": usage.ru_maxrss / 1024,
            "code": process.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def secops(workspace: Path, *arguments: str) -> dict[str, Any]:
    return measured([sys.executable, "-m", "secops", "--workspace", str(workspace), *arguments])


def fresh_workspace(parent: Path, name: str) -> Path:
    workspace = parent / name
    done = secops(workspace, "init", *SCHOOL)
    if done["code"] != 0:
        raise SystemExit(f"secops init failed:\n{done['stderr']}{done['stdout']}")
    return workspace


def detect(workspace: Path, rules: Path, target: Path) -> dict[str, Any]:
    done = secops(workspace, "detect", "run", "--format", "jsonl", "--rules", str(rules), str(target))
    if done["code"] not in (0, 1):
        raise SystemExit(f"secops detect run failed ({done['code']}):\n{done['stderr'][-3000:]}")
    rules_matched: set[str] = set()
    lines = [line for line in done["stdout"].splitlines() if line.strip()]
    for line in lines:
        try:
            match = json.loads(line)
        except json.JSONDecodeError:
            continue
        rule = match.get("rule_id") or match.get("rule") or match.get("title")
        if isinstance(rule, dict):
            rule = rule.get("id") or rule.get("title")
        if rule:
            rules_matched.add(str(rule))
    done["matches"] = len(lines)
    done["rules_matched"] = len(rules_matched)
    done["stderr_lines"] = len(done["stderr"].splitlines())
    return done


# --- the baseline (its own process) ------------------------------------------------------------------


def side_sqlite(rules: Path, folder: Path) -> dict[str, Any]:
    import sqlite3

    import evtx
    from sigma.backends.sqlite import sqliteBackend
    from sigma.pipelines.sysmon import sysmon_pipeline
    from sigma.pipelines.windows import windows_logsource_pipeline

    from secops.detection.readers.windows import flatten_event
    from secops.detection.sigma import load_rules

    started = time.perf_counter()
    ruleset = load_rules([rules])
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
        queries += [(str(rule.id or rule.title), str(query)) for query in converted]
    convert_seconds = time.perf_counter() - started

    started = time.perf_counter()
    events: list[dict[str, Any]] = []
    files = sorted(folder.glob("*.evtx"))
    for path in files:
        for record in evtx.PyEvtxParser(str(path)).records_json():
            events.append(flatten_event(json.loads(record["data"])["Event"]))
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    columns: dict[str, None] = {}
    for event in events:
        for name in event:
            if not name.startswith("_"):
                columns.setdefault(name.lower(), None)
    for _rule, query in queries:
        for groups in engine_bench.QUERY_FIELD.findall(query):
            name = next(g for g in groups if g)
            if name.upper() not in ("NOT", "AND", "OR", "ESCAPE"):
                columns.setdefault(name.lower(), None)
    connection = sqlite3.connect(":memory:")

    def regexp(pattern: str, value: Any) -> bool:
        return value is not None and re.search(pattern, str(value)) is not None

    connection.create_function("regexp", 2, regexp, deterministic=True)
    names = list(columns)
    index = {n: i for i, n in enumerate(names)}
    declared = ", ".join(f'"{n}" TEXT COLLATE NOCASE' for n in names)
    connection.execute(f"CREATE TABLE logs (row_id INTEGER PRIMARY KEY, {declared})")
    quoted = ", ".join(f'"{n}"' for n in names)
    insert = f"INSERT INTO logs ({quoted}) VALUES ({', '.join('?' for _ in names)})"
    rows = []
    for event in events:
        row: list[Any] = [None] * len(names)
        for name, value in event.items():
            if not name.startswith("_"):
                row[index[name.lower()]] = json.dumps(value) if isinstance(value, list | dict) else value
        rows.append(row)
    connection.executemany(insert, rows)
    ingest_seconds = time.perf_counter() - started

    started = time.perf_counter()
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
    return {
        "rules": len(ruleset.rules) - failed,
        "rule_errors": failed,
        "query_errors": query_errors,
        "events": len(events),
        "files": len(files),
        "convert_seconds": round(convert_seconds, 2),
        "parse_seconds": round(parse_seconds, 2),
        "ingest_seconds": round(ingest_seconds, 2),
        "query_seconds": round(time.perf_counter() - started, 2),
        "matches": matches,
        "rules_matched": len(per_rule),
    }


def baseline(rules: Path, folder: Path) -> dict[str, Any]:
    done = measured([sys.executable, __file__, "--side", "sqlite", "--rules", str(rules), "--folder", str(folder)])
    if done["code"] != 0:
        raise SystemExit(f"baseline failed:\n{done['stderr'][-3000:]}")
    return done | json.loads(done["stdout"].strip().splitlines()[-1])


# --- main -------------------------------------------------------------------------------------------


def rule_subset(windows: Path, count: str, target: Path) -> tuple[Path, int]:
    """The first N rule files (sorted by path), copied with their sub-folders; ``all``: the folder."""
    files = sorted(windows.rglob("*.yml"))
    if count == "all" or int(count) >= len(files):
        return windows, len(files)
    target.mkdir(parents=True)
    for file in files[: int(count)]:
        destination = target / file.relative_to(windows)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)
    return target, int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1,4", help="1 = 8,000 events (~270 files); e.g. 1,4,16")
    parser.add_argument("--rules-count", default="500,all", help="first N rule files sorted, or all")
    parser.add_argument("--rules", type=Path, help="Windows rules folder (default: SigmaHQ rules/windows)")
    parser.add_argument("--side", choices=("sqlite",), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "sqlite":
        print(json.dumps(side_sqlite(args.rules, args.folder)))
        return
    windows = args.rules
    if windows is None:
        checkout = SIGMAHQ if SIGMAHQ.exists() or "SECOPS_SIGMAHQ" in os.environ else SIGMAHQ_FALLBACK
        windows = checkout / "rules" / "windows"
    if not windows.is_dir():
        print(f"skipped: SigmaHQ Windows rules not found at {windows} (set SECOPS_SIGMAHQ or give --rules)")
        return
    scales = [int(s) for s in args.scale.split(",")]
    counts = [c.strip() for c in args.rules_count.split(",")]

    with tempfile.TemporaryDirectory(prefix="sigma-e2e-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        indicators = engine_bench.rule_indicators([windows])
        data: dict[int, tuple[Path, int, int]] = {}
        for scale in scales:
            folder = tmp / f"evtx-{scale}"
            kinds = generate(folder, scale * EVENTS_PER_SCALE, indicators, seed=7 + scale)
            files = len(list(folder.glob("*.evtx")))
            size = sum(p.stat().st_size for p in folder.glob("*.evtx"))
            data[scale] = (folder, scale * EVENTS_PER_SCALE, files)
            print(
                f"scale {scale}: {scale * EVENTS_PER_SCALE:,} events in {files} EVTX files ({size / 2**20:.1f} MB)"
                f" {dict(sorted(kinds.items()))}"
            )
        tiny = tmp / "tiny"
        generate(tiny, 1, indicators, seed=1)
        print(f"data generated in {time.perf_counter() - started:.1f}s\n")

        rows = []
        for count in counts:
            rules, rule_files = rule_subset(windows, count, tmp / f"rules-{count}")
            ws = fresh_workspace(tmp, f"ws-start-{count}")
            start_cold = detect(ws, rules, tiny)
            start_warm = detect(ws, rules, tiny)
            print(
                f"rules {rule_files}: start-up cold {start_cold['seconds']:.2f}s warm {start_warm['seconds']:.2f}s"
                f" (stderr lines: {start_cold['stderr_lines']}; cache entries: "
                f"{len(list((ws / 'cache' / 'sigma').glob('*'))) if (ws / 'cache' / 'sigma').exists() else 0})"
            )
            if start_cold["stderr"].strip():
                print("  stderr (first lines):", *start_cold["stderr"].splitlines()[:3], sep="\n    ")
            for scale in scales:
                folder, events, files = data[scale]
                ws = fresh_workspace(tmp, f"ws-{count}-{scale}")
                cold = detect(ws, rules, folder)
                warm = detect(ws, rules, folder)
                base = baseline(rules, folder)
                row = {
                    "rules": rule_files,
                    "scale": scale,
                    "events": events,
                    "files": files,
                    "cold_s": cold["seconds"],
                    "warm_s": warm["seconds"],
                    "warm_eps": events / warm["seconds"],
                    "base_s": base["seconds"],
                    "base_eps": events / base["seconds"],
                    "secops_rss": max(cold["rss_mb"], warm["rss_mb"]),
                    "base_rss": base["rss_mb"],
                    "start_cold": start_cold["seconds"],
                    "start_warm": start_warm["seconds"],
                    "secops_matches": warm["matches"],
                    "secops_rules_matched": warm["rules_matched"],
                    "base_matches": base["matches"],
                    "base_rules_matched": base["rules_matched"],
                }
                row["ratio"] = row["warm_eps"] / row["base_eps"]
                rows.append(row)
                print(
                    f"  scale {scale}: secops cold {cold['seconds']:.2f}s warm {warm['seconds']:.2f}s"
                    f" ({warm['matches']:,} matches, {warm['rules_matched']} rules; cold {cold['matches']:,});"
                    f" baseline {base['seconds']:.2f}s = convert {base['convert_seconds']}s + parse"
                    f" {base['parse_seconds']}s + ingest {base['ingest_seconds']}s + queries {base['query_seconds']}s"
                    f" ({base['rules']} rules converted, {base['rule_errors']} not, {base['query_errors']} query"
                    f" errors; events parsed {base['events']:,})"
                )

    print()
    header = (
        f"{'rules':>5} {'events':>7} {'files':>5} {'cold s':>7} {'warm s':>7} {'warm ev/s':>9} {'base s':>7}"
        f" {'base ev/s':>9} {'ratio':>6} {'RSS MB':>6} {'base MB':>7} {'start c/w s':>11}"
        f" {'matches (rules)':>16} {'base matches (rules)':>20}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['rules']:>5} {r['events']:>7,} {r['files']:>5} {r['cold_s']:>7.2f} {r['warm_s']:>7.2f}"
            f" {r['warm_eps']:>9,.0f} {r['base_s']:>7.2f} {r['base_eps']:>9,.0f} {r['ratio']:>5.1f}x"
            f" {r['secops_rss']:>6.0f} {r['base_rss']:>7.0f} {r['start_cold']:>5.2f}/{r['start_warm']:<5.2f}"
            f" {r['secops_matches']:>9,} ({r['secops_rules_matched']:>4})"
            f" {r['base_matches']:>13,} ({r['base_rules_matched']:>4})"
        )


if __name__ == "__main__":
    main()
