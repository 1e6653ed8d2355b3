"""The processes and measurements bench/ingest.py needs around the center: PostgreSQL and
Elasticsearch (given or started), a database of its own, the school keys, the running instances,
and CPU seconds read from /proc (Linux only)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.signing_key import signing_key
from secops.protocol import signing
from secops.store.schema import center_auto_incidents, incidents

ROOT = Path(__file__).resolve().parents[1]
SECOPS = [sys.executable, "-m", "secops"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def started(script: str, url: str | None, what: str) -> Iterator[str]:
    """The given server URL, or a throwaway server started with scripts/<script> and stopped after."""
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix=f"secops-bench-{script.split('.')[0]}.")
    os.chmod(folder, 0o755)
    env = {**os.environ, "SECOPS_TEST_PG_PORT": str(free_port())}  # postgres.sh's fixed default may be taken
    run = subprocess.run([str(ROOT / "scripts" / script), "start", folder], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"bench: {what} did not start: {run.stderr.strip()}")
    try:
        yield run.stdout.strip()
    finally:
        subprocess.run([str(ROOT / "scripts" / script), "stop", folder], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def own_database(base_url: str) -> Iterator[str]:
    """A fresh database on the server of ``base_url`` (dropped after), so runs never share state."""
    name = f"bench_ingest_{secrets.token_hex(4)}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def register_schools(home: Path, db: str, codes: list[str]) -> dict[str, signing.SchoolKey]:
    """One real key per school through the center's own add_school (about 1.5 ms each on PostgreSQL)."""
    ctx = open_center(home, db=db)
    try:
        signing_key(home)  # center-signing.key, created on first use: made here so every instance shares it
        now = datetime.now(UTC)
        return {code: add_school(ctx.state, code, f"基准测试学校{code[-5:]}", ctx.secret, now) for code in codes}
    finally:
        ctx.alerts.close()
        ctx.state.dispose()


def proc_tree(root: int) -> list[int]:
    """``root`` and its descendants (the uvicorn supervisor, its workers and their helpers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone: its time is lost, the caller warns when the set of processes changed
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def es_pids() -> list[int]:
    """Elasticsearch's processes, for its share of the CPU (read only; every node on the machine, so
    the figure is only its own when one node runs here)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if b"org.elasticsearch" in Path(f"/proc/{entry}/cmdline").read_bytes():
                    out.append(int(entry))
            except OSError:
                pass
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])
    return (total - values[3] - values[4]) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


@contextmanager
def instances(homes: list[Path], db: str, es_url: str, prefix: str, workers: int) -> Iterator[list[tuple[str, int]]]:
    """(URL, supervisor pid) of each running instance; each in a session of its own so stopping it
    (SIGTERM to its process group, SIGKILL after 30 s) reaches its workers and nothing else."""
    procs: list[subprocess.Popen[bytes]] = []
    out = []
    try:
        for home in homes:
            port = free_port()
            serve_args = ["--es-prefix", prefix, "--port", str(port), "--workers", str(workers)]
            log = (home / "serve.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
            procs.append(
                subprocess.Popen(
                    [*SECOPS, "center", "--home", str(home), "--db", db, "serve", "--es", es_url, *serve_args],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            out.append((f"http://127.0.0.1:{port}", procs[-1].pid))
        deadline = time.monotonic() + 120
        for (url, _), proc, home in zip(out, procs, homes, strict=True):
            while True:
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"bench: center at {url} did not start:\n{(home / 'serve.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield out
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def auto_incident_counts(db: str) -> tuple[int, int]:
    """(alerts claimed, incidents opened) by the center's automatic incidents so far: work the
    housekeeping instance does for every high/critical alert, on the same CPUs as ingestion."""
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            claimed = conn.execute(sa.select(sa.func.count()).select_from(center_auto_incidents)).scalar_one()
            opened = conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one()
    finally:
        engine.dispose()
    return int(claimed), int(opened)
