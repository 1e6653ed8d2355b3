"""Center ingestion speed: alerts/s through the signed HTTP API with 8 concurrent senders on loopback,
into SQLite and into Elasticsearch, against raw ``helpers.bulk`` into the same node in the same run.

Each sender is a school of its own (its own key) posting batches of --batch alerts, each request
signed, through `secops center serve` (a real uvicorn process). Baseline: the elasticsearch
client's ``helpers.bulk`` (one sender, ``op_type: create`` with the same ids, the same chunk size)
into a fresh index of the same node; also ``parallel_bulk`` with 8 threads for reference. Every
run is checked: the store must hold exactly the alerts sent. Figures: alerts/s, p50/p95 request
latency; targets: API into ES >= 0.8x helpers.bulk, API into SQLite >= 5,000 alerts/s.

Run: .venv/bin/python bench/ingest.py [--alerts 100000] [--batch 500] [--es URL]
Without --es (or SECOPS_TEST_ES_URL) it starts a node with scripts/elasticsearch.sh.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import Elasticsearch, helpers

from secops.protocol import signing
from secops.protocol.alerts import SEVERITY_SCORE, alert_id

ROOT = Path(__file__).resolve().parents[1]
SECOPS = [sys.executable, "-m", "secops"]
SENDERS = 8
RULES = [
    ("Webshell upload on the school portal", "high"),
    ("Brute force against the 教务系统 login", "medium"),
    ("Mining pool connection", "high"),
    ("Suspicious PowerShell download cradle", "critical"),
    ("Port scan from the dormitory network", "low"),
]


def school_code(n: int) -> str:
    return f"41110100{n:02d}"


def make_alerts(count: int, school: str, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        title, severity = rnd.choice(RULES)
        at = start + timedelta(seconds=rnd.randrange(0, 20 * 86400))
        out.append(
            {
                "@timestamp": at.isoformat().replace("+00:00", "Z"),
                "message": title,
                "event": {"kind": "alert", "module": "sigma", "severity": SEVERITY_SCORE[severity]},
                "secops": {"severity": severity, "source": "sigma", "kind": "sigma_match", "alert_id": i},
                "rule": {"id": f"rule-{rnd.randrange(200)}", "name": title},
                "host": {"ip": [f"10.20.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"]},
                "tags": ["attack.t1505.003"],
            }
        )
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def elasticsearch_node(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="secops-bench-es.")
    os.chmod(folder, 0o755)
    started = subprocess.run([str(ROOT / "scripts/elasticsearch.sh"), "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit(f"bench: Elasticsearch did not start: {started.stderr.strip()}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(ROOT / "scripts/elasticsearch.sh"), "stop", folder], check=False)


@contextmanager
def center(home: Path, store_args: list[str]) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "SECOPS_CENTER_HOME": str(home)}
    proc = subprocess.Popen(
        [*SECOPS, "center", "serve", "--port", str(port), *store_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                sys.exit(f"bench: center did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def register_schools(home: Path) -> dict[str, signing.SchoolKey]:
    env = {**os.environ, "SECOPS_CENTER_HOME": str(home)}
    keys = {}
    for n in range(SENDERS):
        code = school_code(n + 1)
        out = subprocess.run(
            [*SECOPS, "center", "school", "add", code, "--name", f"基准测试学校{n + 1}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        key_text = next(word for word in out.split() if word.startswith("sk1."))
        keys[code] = signing.parse_key(key_text)
    return keys


def send_all(url: str, keys: dict[str, signing.SchoolKey], per_school: int, batch: int) -> tuple[float, list[float]]:
    import json

    bodies: dict[str, list[bytes]] = {}
    for n, code in enumerate(keys):
        alerts = make_alerts(per_school, code, seed=n)
        bodies[code] = [
            json.dumps({"alerts": alerts[i : i + batch]}, ensure_ascii=False).encode()
            for i in range(0, len(alerts), batch)
        ]
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def sender(code: str) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            for body in bodies[code]:
                while True:
                    headers = signing.signed_headers(keys[code], code, body, now=time.time())
                    began = time.perf_counter()
                    answer = client.post(signing.ALERTS_PATH, content=body, headers=headers)
                    took = time.perf_counter() - began
                    if answer.status_code == 200:
                        with lock:
                            latencies.append(took)
                        break
                    if answer.status_code in (429, 503):
                        time.sleep(float(answer.headers.get("Retry-After", "1")))
                        continue
                    errors.append(f"{answer.status_code} {answer.text[:200]}")
                    return

    threads = [threading.Thread(target=sender, args=(code,)) for code in keys]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        sys.exit(f"bench: the center refused requests: {errors[:3]}")
    return elapsed, latencies


def raw_bulk(es: Elasticsearch, index: str, total: int, batch: int, parallel: bool) -> float:
    docs = []
    for n in range(SENDERS):
        code = school_code(n + 1)
        for alert in make_alerts(total // SENDERS, code, seed=n):
            alert["organization"] = {"id": code}
            docs.append({"_op_type": "create", "_index": index, "_id": alert_id(code, alert), "_source": alert})
    began = time.perf_counter()
    if parallel:
        for ok, item in helpers.parallel_bulk(es, docs, thread_count=SENDERS, chunk_size=batch):
            if not ok:
                sys.exit(f"bench: parallel_bulk failed: {item}")
    else:
        helpers.bulk(es, docs, chunk_size=batch)
    elapsed = time.perf_counter() - began
    es.indices.refresh(index=index)
    stored = es.count(index=index)["count"]
    if stored != total:
        sys.exit(f"bench: raw bulk stored {stored} of {total}")
    return elapsed


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--es", default=os.environ.get("SECOPS_TEST_ES_URL"))
    args = parser.parse_args()
    per_school = args.alerts // SENDERS
    total = per_school * SENDERS
    print(f"ingest: {total:,} alerts, {SENDERS} senders, batches of {args.batch}")

    results: dict[str, float] = {}
    with elasticsearch_node(args.es) as es_url:
        es = Elasticsearch(es_url, request_timeout=120)
        run = f"bench-{int(time.time())}"
        try:
            results["helpers.bulk"] = total / raw_bulk(es, f"{run}-raw", total, args.batch, parallel=False)
            results["parallel_bulk x8"] = total / raw_bulk(es, f"{run}-par", total, args.batch, parallel=True)
            print(f"  raw helpers.bulk (1 sender):       {results['helpers.bulk']:>9,.0f} alerts/s")
            print(f"  raw parallel_bulk (8 threads):     {results['parallel_bulk x8']:>9,.0f} alerts/s")
            for label, store_args in (
                ("Elasticsearch", ["--es", es_url, "--es-prefix", f"{run}-api"]),
                ("SQLite", []),
            ):
                with tempfile.TemporaryDirectory(prefix="secops-bench-center.") as tmp:
                    home = Path(tmp)
                    keys = register_schools(home)
                    with center(home, store_args) as url:
                        elapsed, latencies = send_all(url, keys, per_school, args.batch)
                    if label == "Elasticsearch":
                        es.indices.refresh(index=f"{run}-api-*")
                        stored = es.count(index=f"{run}-api-*")["count"]
                    else:
                        import sqlite3

                        with sqlite3.connect(home / "center.db") as db:
                            stored = db.execute("SELECT count(*) FROM center_alerts").fetchone()[0]
                    if stored != total:
                        sys.exit(f"bench: the {label} store holds {stored} of {total} alerts")
                    rate = total / elapsed
                    results[label] = rate
                    print(
                        f"  API -> {label:<13} (8 senders): {rate:>9,.0f} alerts/s   "
                        f"p50 {pct(latencies, 50) * 1000:.0f} ms  p95 {pct(latencies, 95) * 1000:.0f} ms per request"
                    )
        finally:
            es.indices.delete(index=f"{run}-*", allow_no_indices=True, expand_wildcards="all")
    print(f"ratio API->ES / helpers.bulk: {results['Elasticsearch'] / results['helpers.bulk']:.2f} (target >= 0.8)")
    print(f"ratio API->ES / parallel_bulk x8: {results['Elasticsearch'] / results['parallel_bulk x8']:.2f}")
    print(f"API->SQLite: {results['SQLite']:,.0f} alerts/s (target >= 5,000)")


if __name__ == "__main__":
    main()
