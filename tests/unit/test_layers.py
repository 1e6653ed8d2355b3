"""The package's shape: the layer contracts in setup.cfg hold, and no module imports itself round a cycle.

A cycle (a imports b, b imports a, directly or through others, at module level or inside a function)
means a split by size rather than by responsibility: the two halves cannot be understood, tested or
moved apart. Import-linter checks the layers (scripts/test.sh runs it too); the cycles are found
here with the same import graph (grimp).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    import grimp

    graph = grimp.build_graph("secops")
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(groups)


def test_no_import_cycles() -> None:
    pytest.importorskip("grimp", reason="grimp comes with import-linter (the dev extra)")
    assert _cycles() == []


def test_the_layer_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    if not linter.exists():
        pytest.skip("lint-imports is not installed (the dev extra has it; scripts/test.sh installs it)")
    done = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:]
