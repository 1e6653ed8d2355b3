"""Continuous detection's store path: time and peak memory of `secops detect run --store` over a web log
whose every line matches, against the same run without --store (read + match + count only) in the
same run of this script. The matches stream to the alerts table in chunks, so memory must stay near
the baseline's whatever the number of matches (issue 15: 200k matching lines took 1.15 GB before).

Also measured: a second --store run over the same file (the bookmark: nothing new to read) and one
after --lines/10 more lines were appended (only those are read).

Run: .venv/bin/python bench/detect_store.py [--lines 200000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECOPS = [sys.executable, "-m", "secops"]
SCHOOL = ("--school-name", "基准测试学校", "--scope", "10.77.0.0/24")
RULE = ROOT / "rules/sigma/edu/webshell/web_webshell_command_parameter.yml"


def write_log(path: Path, first: int, count: int) -> None:
    start = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    with path.open("a", encoding="utf-8") as handle:
        for n in range(first, first + count):
            stamp = (start + timedelta(seconds=n)).strftime("%d/%b/%Y:%H:%M:%S +0000")
            client = f"198.51.{n // 250 % 250}.{n % 250 + 1}"
            handle.write(f'{client} - - [{stamp}] "GET /uploads/s{n}.php?cmd=id HTTP/1.1" 200 9 "-" "curl/8"\n')


def run(workspace: Path, log: Path, *extra: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB of that child, stderr) of one secops run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [*SECOPS, "--workspace", str(workspace), "detect", "run", "--rules", str(RULE), *extra, str(log)],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "SECOPS_NOW"},
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"secops failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the baseline first, then the bigger one
    return seconds, max(peak, before) / 1024, done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secops-bench-detect-") as tmp:
        folder = Path(tmp)
        workspace = folder / "ws"
        subprocess.run(
            [*SECOPS, "--workspace", str(workspace), "init", "--school-code", "4100000001", *SCHOOL],
            check=True,
            capture_output=True,
        )

        def rate(seconds: float) -> str:
            return f"{args.lines / seconds:9,.0f} lines/s"

        log = folder / "access.log"
        write_log(log, 0, args.lines)
        size = log.stat().st_size / 2**20
        print(f"{args.lines:,} matching lines, {size:.1f} MiB")
        base_s, base_mb, _ = run(workspace, log)
        print(f"baseline  detect run (no store):   {base_s:7.2f} s  {rate(base_s)}  peak {base_mb:6.0f} MiB")
        store_s, store_mb, said = run(workspace, log, "--store")
        print(f"detect run --store (first read):   {store_s:7.2f} s  {rate(store_s)}  peak {store_mb:6.0f} MiB")
        print(f"    ({said})")
        again_s, _, said = run(workspace, log, "--store")
        print(f"detect run --store (nothing new):  {again_s:7.2f} s  ({said})")
        write_log(log, args.lines, args.lines // 10)
        more_s, _, said = run(workspace, log, "--store")
        print(f"detect run --store (+{args.lines // 10:,} lines):   {more_s:7.2f} s  ({said})")
        print(f"ratio --store / baseline: time {store_s / base_s:.2f}x, peak memory {store_mb / base_mb:.2f}x")


if __name__ == "__main__":
    main()
