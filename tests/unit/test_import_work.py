"""No work at import time: importing a module must not hash, load native libraries or start engines.

`secops --help` stays fast only while the CLI imports nothing heavy, and the center must not spend
an scrypt hash (0.3 s) on every import of its login module. Each check runs in a fresh interpreter,
so what an earlier test imported does not hide what this import pulls in. (How long it takes is
measured in bench/import_time.py, never asserted here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Libraries that load native code or do real work when imported; none belongs in `secops --help`.
HEAVY = (
    "sqlalchemy", "yara", "scapy", "nmap", "pyarrow", "numpy", "pandas", "matplotlib", "weasyprint",
    "elasticsearch", "uvicorn", "fastapi", "openpyxl", "docx", "sigma", "apscheduler", "psycopg", "pydantic",
)  # fmt: skip

PROBE = """
import hashlib, json, sys
calls = []
real_scrypt = hashlib.scrypt
def counting_scrypt(*args, **kwargs):
    calls.append(1)
    return real_scrypt(*args, **kwargs)
hashlib.scrypt = counting_scrypt
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps({"modules": sorted(sys.modules), "scrypt_calls": len(calls)}))
"""


def _import(*modules: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_cli_entry_imports_nothing_heavy() -> None:
    loaded = _import("secops.cli.main")
    modules = {str(m).split(".")[0] for m in loaded["modules"]}  # type: ignore[attr-defined]
    assert sorted(modules & set(HEAVY)) == []


def test_help_runs_without_the_heavy_libraries() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = (
        "import sys, runpy; sys.argv = ['secops', '--help']\n"
        "try:\n    runpy.run_module('secops', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('HEAVY:', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "Usage:" in done.stdout
    assert done.stdout.rstrip().endswith("HEAVY: []"), done.stdout[-300:]


@pytest.mark.parametrize("module", ["secops.center.app", "secops.center.staff", "secops.center.dashboard"])
def test_importing_the_center_hashes_nothing(module: str) -> None:
    assert _import(module)["scrypt_calls"] == 0
