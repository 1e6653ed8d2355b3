"""Reversible column encryption speed: `secops data mask --policy encrypt` (FF1 over SM4 for IDs,
学籍号 and mobiles, SM4-GCM tokens for names and the sensitive columns) and `secops data unmask`,
against the same tool's FF1 over AES (`--policy test-data`, the keyed format-preserving mask that
predates SM4) on the same roster in the same run, plus the two FF1 block ciphers alone.

Roster: ``secops.data.watermark.roster`` (13 columns, valid IDs, --rows rows, every value of the
ID columns distinct, so the per-distinct-value cache does not flatter the figure), UTF-8 CSV.
Each step runs through the library call behind its command (file in, file out), best of --runs.
Every run is checked: the restored CSV must equal the source byte for byte.

Baseline: mask with FF1-AES (test-data policy). Target: encrypt >= 0.5x of it (it encrypts more
columns: every sensitive column becomes a token, where test-data masks or drops them).

Run: .venv/bin/python bench/column_encrypt.py [--rows 200000] [--runs 1]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from secops.data.column_cipher import ColumnCipher
from secops.data.ff1 import FF1
from secops.data.mask_policy import load_policy
from secops.data.mask_table import mask_table
from secops.data.unmask_table import unmask_table
from secops.data.watermark.roster import HEADER, roster_rows

KEY = bytes(range(32))


def best(runs: int, step: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), result


def write_roster(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(rows))


def primitives(count: int) -> dict[str, float]:
    rng = random.Random(5)
    values = [f"{rng.randrange(10**8):08d}" for _ in range(count)]
    out = {}
    for cipher in ("aes", "sm4"):
        ff1 = FF1(bytes(16), cipher=cipher)
        started = time.perf_counter()
        for value in values:
            ff1.encrypt(value, b"110101")
        out[f"ff1_{cipher}"] = count / (time.perf_counter() - started)
    column = ColumnCipher(KEY)
    names = [f"学生{i}" for i in range(count)]
    started = time.perf_counter()
    tokens = [column.token(name) for name in names]
    out["token"] = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for token in tokens:
        column.untoken(token)
    out["untoken"] = count / (time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secops-bench-colenc-") as folder:
        work = Path(folder)
        source = work / "roster.csv"
        write_roster(source, args.rows)
        size = source.stat().st_size / 1e6
        print(f"roster: {args.rows:,} rows, {size:.1f} MB CSV")
        aes_policy, sm4_policy = load_policy(Path("test-data")), load_policy(Path("encrypt"))
        aes_s, _ = best(args.runs, lambda: mask_table(str(source), str(work / "aes.csv"), policy=aes_policy, key=KEY))
        enc_s, report = best(
            args.runs, lambda: mask_table(str(source), str(work / "enc.csv"), policy=sm4_policy, key=KEY)
        )
        dec_s, _ = best(
            args.runs, lambda: unmask_table(str(work / "enc.csv"), str(work / "back.csv"), policy=sm4_policy, key=KEY)
        )
        if (work / "back.csv").read_bytes() != source.read_bytes():
            raise SystemExit("FAILED: the restored roster differs from the source")
        encrypted = [c.name for c in report.columns if c.operator.name == "encrypt"]
        print(f"columns encrypted: {len(encrypted)} of {len(HEADER)} ({', '.join(encrypted)})")
        baseline = args.rows / aes_s
        for label, seconds in (
            ("mask --policy test-data (FF1-AES, baseline)", aes_s),
            ("mask --policy encrypt (FF1-SM4 + SM4-GCM tokens)", enc_s),
            ("unmask (restore, checked byte for byte)", dec_s),
        ):
            rate = args.rows / seconds
            print(f"{label:52} {rate:>10,.0f} rows/s  {size / seconds:6.1f} MB/s  ratio {rate / baseline:.2f}")
        for name, rate in primitives(50_000).items():
            print(f"primitive {name:10} {rate:>12,.0f} values/s")


if __name__ == "__main__":
    main()
