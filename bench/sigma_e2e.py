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

Figures: wall time (secops warm: the median of --repeat runs) and peak memory: the summed PSS of
the process and its children sampled every 20 ms (secops reads logs in a forked child; PSS counts
the pages they share once), secops's the largest of its cold and warm runs; events/s = events /
wall time; ratio = secops warm events/s / baseline events/s. Rule sets: the first 500 files of
rules/windows, rules/windows (~2,400) and every SigmaHQ rule folder (~3,700).

Run: .venv/bin/python bench/sigma_e2e.py [--scale 1,4,16] [--rules-count 500,windows,all] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
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


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc/*/stat: secops reads logs in a child process)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _memory(pids: list[int]) -> tuple[float, float]:
    """Summed RSS and PSS (MB) of ``pids``; PSS splits the pages a forked child shares with its parent."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def measured(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its wall time, peak memory, exit code and output. Memory: the peak over time
    of the summed PSS and RSS of the process and its children, sampled every 20 ms (a forked child's
    shared pages count once in PSS, twice in RSS), and os.wait4's peak RSS of the largest process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        peak = [0.0, 0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                rss, pss = _memory(_tree(process.pid))
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "rss_mb": usage.ru_maxrss / 1024,
            "tree_rss_mb": peak[0],
            "tree_pss_mb": peak[1],
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


def detect(workspace: Path, rules: list[Path], target: Path) -> dict[str, Any]:
    named = [argument for folder in rules for argument in ("--rules", str(folder))]
    done = secops(workspace, "detect", "run", "--format", "jsonl", *named, str(target))
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


def side_sqlite(rules: list[Path], folder: Path) -> dict[str, Any]:
    import evtx

    from secops.detection.readers.windows import flatten_event

    started = time.perf_counter()
    queries, converted, failed = engine_bench.sqlite_queries(rules)
    convert_seconds = time.perf_counter() - started

    started = time.perf_counter()
    events: list[dict[str, Any]] = []
    files = sorted(folder.glob("*.evtx"))
    for path in files:
        for record in evtx.PyEvtxParser(str(path)).records_json():
            events.append(flatten_event(json.loads(record["data"])["Event"]))
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    columns = {name.lower(): None for event in events for name in event if not name.startswith("_")}
    columns.update(dict.fromkeys(engine_bench.query_columns(queries)))
    names = list(columns)
    connection, insert = engine_bench.logs_table(names)
    index = {n: i for i, n in enumerate(names)}
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
    matches, per_rule, query_errors = engine_bench.run_queries(connection, queries)
    return {
        "rules": converted,
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


def baseline(rules: list[Path], folder: Path) -> dict[str, Any]:
    named = [argument for path in rules for argument in ("--rules", str(path))]
    done = measured([sys.executable, __file__, "--side", "sqlite", *named, "--folder", str(folder)])
    if done["code"] != 0:
        raise SystemExit(f"baseline failed:\n{done['stderr'][-3000:]}")
    return done | json.loads(done["stdout"].strip().splitlines()[-1])


# --- main -------------------------------------------------------------------------------------------


RULE_FOLDERS = ("rules", "rules-emerging-threats", "rules-threat-hunting")


def rule_subset(checkout: Path, count: str, target: Path) -> tuple[list[Path], int]:
    """``windows``: SigmaHQ's rules/windows (~2,400 files); ``all``: every rule folder of the checkout
    (~3,700, most not about Windows: they cost loading, not matching); N: the first N files of
    rules/windows sorted by path, copied with their sub-folders."""
    windows = checkout / "rules" / "windows"
    if count == "windows":
        return [windows], len(list(windows.rglob("*.yml")))
    if count == "all":
        folders = [checkout / name for name in RULE_FOLDERS if (checkout / name).is_dir()]
        return folders, sum(len(list(folder.rglob("*.yml"))) for folder in folders)
    files = sorted(windows.rglob("*.yml"))
    target.mkdir(parents=True)
    for file in files[: int(count)]:
        destination = target / file.relative_to(windows)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)
    return [target], min(int(count), len(files))


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1,4", help="1 = 8,000 events (~270 files); e.g. 1,4,16")
    parser.add_argument("--rules-count", default="500,windows,all", help="N first Windows rule files, windows, all")
    parser.add_argument("--repeat", type=int, default=3, help="warm secops runs per row (the median is shown)")
    parser.add_argument("--checkout", type=Path, help="SigmaHQ checkout (default: ../shared/data/sigmahq)")
    parser.add_argument("--side", choices=("sqlite",), help=argparse.SUPPRESS)
    parser.add_argument("--rules", type=Path, action="append", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "sqlite":
        print(json.dumps(side_sqlite(args.rules, args.folder)))
        return
    checkout = args.checkout or (SIGMAHQ if SIGMAHQ.exists() or "SECOPS_SIGMAHQ" in os.environ else SIGMAHQ_FALLBACK)
    windows = checkout / "rules" / "windows"
    if not windows.is_dir():
        print(f"skipped: SigmaHQ Windows rules not found at {windows} (set SECOPS_SIGMAHQ or give --checkout)")
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
        print(f"data generated in {time.perf_counter() - started:.1f}s; {os.cpu_count()} CPUs\n")

        rows = []
        for count in counts:
            rules, rule_files = rule_subset(checkout, count, tmp / f"rules-{count}")
            ws = fresh_workspace(tmp, f"ws-start-{count}")
            start_cold = detect(ws, rules, tiny)
            start_warm = _median([detect(ws, rules, tiny) for _ in range(args.repeat)])
            print(
                f"rules {count} ({rule_files} files): start-up cold {start_cold['seconds']:.2f}s"
                f" warm {start_warm['seconds']:.2f}s (median of {args.repeat})"
            )
            for scale in scales:
                folder, events, files = data[scale]
                ws = fresh_workspace(tmp, f"ws-{count}-{scale}")
                cold = detect(ws, rules, folder)
                warms = [detect(ws, rules, folder) for _ in range(args.repeat)]
                warm = _median(warms)
                base = baseline(rules, folder)
                row = {
                    "count": count,
                    "rules": rule_files,
                    "scale": scale,
                    "events": events,
                    "files": files,
                    "cold_s": cold["seconds"],
                    "warm_s": warm["seconds"],
                    "warm_range": (min(w["seconds"] for w in warms), max(w["seconds"] for w in warms)),
                    "warm_eps": events / warm["seconds"],
                    "base_s": base["seconds"],
                    "base_eps": events / base["seconds"],
                    "secops_pss": max(run["tree_pss_mb"] for run in [cold, *warms]),
                    "secops_rss": max(run["tree_rss_mb"] for run in [cold, *warms]),
                    "base_pss": base["tree_pss_mb"],
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
                    f" ({row['warm_range'][0]:.2f}-{row['warm_range'][1]:.2f}; {warm['matches']:,} matches,"
                    f" {warm['rules_matched']} rules; cold {cold['matches']:,}); baseline {base['seconds']:.2f}s ="
                    f" convert {base['convert_seconds']}s + parse {base['parse_seconds']}s + ingest"
                    f" {base['ingest_seconds']}s + queries {base['query_seconds']}s ({base['rules']} rules converted,"
                    f" {base['rule_errors']} not, {base['query_errors']} query errors;"
                    f" events parsed {base['events']:,})"
                )

    print()
    header = (
        f"{'rules':>5} {'events':>7} {'files':>5} {'cold s':>7} {'warm s':>7} {'warm ev/s':>9} {'base s':>7}"
        f" {'base ev/s':>9} {'ratio':>6} {'PSS MB':>6} {'base MB':>7} {'start c/w s':>11}"
        f" {'matches (rules)':>16} {'base matches (rules)':>20}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['rules']:>5} {r['events']:>7,} {r['files']:>5} {r['cold_s']:>7.2f} {r['warm_s']:>7.2f}"
            f" {r['warm_eps']:>9,.0f} {r['base_s']:>7.2f} {r['base_eps']:>9,.0f} {r['ratio']:>5.1f}x"
            f" {r['secops_pss']:>6.0f} {r['base_pss']:>7.0f} {r['start_cold']:>5.2f}/{r['start_warm']:<5.2f}"
            f" {r['secops_matches']:>9,} ({r['secops_rules_matched']:>4})"
            f" {r['base_matches']:>13,} ({r['base_rules_matched']:>4})"
        )
    print(
        "\nwarm s: median of --repeat runs; PSS MB: peak summed PSS of secops and its read-ahead child (RSS of"
        " both, shared pages twice: up to "
        + ", ".join(f"{r['secops_rss']:.0f}" for r in rows)
        + " MB); base MB: the baseline's peak PSS (one process)"
    )


if __name__ == "__main__":
    main()
