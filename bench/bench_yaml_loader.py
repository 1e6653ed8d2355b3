"""Content loading speed: secops's line-tracking YAML loader against plain PyYAML.

Corpus: SigmaHQ's public rules in ../shared/data/sigmahq (the same files the detection engine
will load). Baseline: ``yaml.load`` with PyYAML's fastest safe loader, same files, same run.
Run: .venv/bin/python bench/bench_yaml_loader.py [CORPUS_DIR]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from secops.content.yamlload import load_yaml_text

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sigmahq"
BASELINE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _best_of(runs: int, work: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    files = sorted(corpus.rglob("*.yml"))
    if not files:
        print(f"skipped: no YAML files under {corpus} (the shared SigmaHQ corpus is absent)")
        return 0
    texts = [(path, path.read_text(encoding="utf-8")) for path in files]

    def baseline() -> None:
        for _path, text in texts:
            list(yaml.load_all(text, Loader=BASELINE_LOADER))

    def secops_loader() -> None:
        for path, text in texts:
            load_yaml_text(text, path, multi=True)

    base = _best_of(3, baseline)
    ours = _best_of(3, secops_loader)
    print(f"corpus: {len(files)} files from {corpus}")
    print(f"baseline  PyYAML {BASELINE_LOADER.__name__}: {base:.3f} s  ({len(files) / base:,.0f} files/s)")
    print(f"secops    load_yaml_text (line-tracking): {ours:.3f} s  ({len(files) / ours:,.0f} files/s)")
    print(f"ratio secops/baseline time: {ours / base:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
