"""Start-up cost: `secops --help` and importing the center app, against a bare interpreter start
(`python -c pass`) measured in the same run. Median of --runs fresh processes each.

Run: .venv/bin/python bench/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    print(f"baseline  python -c pass:             {baseline * 1000:7.1f} ms")
    for label, argv in (
        ("secops --help", [sys.executable, "-m", "secops", "--help"]),
        ("import secops.center.app", [sys.executable, "-c", "import secops.center.app"]),
    ):
        seconds = median_seconds(argv, runs)
        extra = (seconds - baseline) * 1000
        print(f"{label:<38}{seconds * 1000:7.1f} ms  ratio {seconds / baseline:5.1f}x  (+{extra:.0f} ms)")


if __name__ == "__main__":
    main()
