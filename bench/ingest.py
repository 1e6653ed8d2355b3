"""Center ingestion at provincial scale (issue 23): 2 instances x 2 workers on one PostgreSQL state
database, 64 senders, 10,000 schools (one real key each), 1M alerts into Elasticsearch, against
``helpers.parallel_bulk`` (8 threads) into a fresh index of the same node in the same run.

Each school posts its own alerts (alerts / schools of them, in signed batches of at most --batch) to
one of the instances (`secops center serve --workers N`, real uvicorn processes on loopback). The
senders are threads of this process: a request carries 100+ alerts, so a sender spends its time
waiting on the center, and the bench's own CPU (printed) stays well under a core (0.09 cores in
the 1M run); processes would not help. At the defaults a school has 100 alerts, so each request
carries 100 (--batch is an upper bound) and the baseline's chunks are 100 too. 429/503 answers
are retried after Retry-After (counted); every response must account for each alert (created or
duplicate), and ES must hold exactly the expected ids afterwards (every id acknowledged, and the
count on the prefix equal to the total), or the bench exits non-zero.

Baseline: the same documents as the center stores them (same ids, op_type create, the same index
template, one request per batch of the same size) through ``parallel_bulk`` with 8 threads.
Figures: alerts/s of both and their ratio (target >= 0.8x), p50/p95 request latency, center CPU
seconds per 1,000 alerts (utime+stime of every process of the instances, per process too), then a
province's peak need set against the measurement. The center's CPU includes its automatic incidents
(the housekeeping instance reads every high/critical alert back and claims it): real work that a
storm brings, printed with how far it got. Helpers (servers, processes, /proc): ingest_cluster.py.

The bench machine may have 2 cores: the center, Elasticsearch, PostgreSQL and the senders share
them, so the API's alerts/s is a floor for a deployment where the center has cores of its own.

Run: .venv/bin/python bench/ingest.py [--alerts 1000000] [--schools 10000] [--senders 64]
     [--instances 2] [--workers 2] [--batch 500] [--db URL] [--es URL]
Without --db / --es (or SECOPS_TEST_POSTGRES_URL / SECOPS_TEST_ES_URL) it starts PostgreSQL and
Elasticsearch with scripts/postgres.sh and scripts/elasticsearch.sh and stops them at the end.
Small run: --alerts 20000 --schools 200.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import sqlalchemy as sa
from elasticsearch import Elasticsearch, helpers
from ingest_cluster import (
    auto_incident_counts,
    cpu_seconds,
    es_pids,
    instances,
    machine_busy,
    own_database,
    proc_tree,
    register_schools,
    started,
)

from secops.center.stores.es_mapping import index_template, monthly_index, template_name
from secops.protocol import signing
from secops.protocol.alerts import SEVERITY_SCORE, alert_id

# what instances share besides the database (README "省级规模")
HOME_FILES = ("center.secret", "center-signing.key", "audit.key", "center.yaml")
BASELINE_THREADS = 8
PROVINCE_SCHOOLS = 10_000
TYPICAL_PER_MIN = 1  # alerts per school per minute on an ordinary day
STORM_PER_MIN = 10  # ... during a province-wide storm (a worm, a mass scan)
TARGET_CPU_SHARE = 0.5  # size workers to be half busy at the storm peak
RULES = [
    ("Webshell upload on the school portal", "high"),
    ("Brute force against the 教务系统 login", "medium"),
    ("Mining pool connection", "high"),
    ("Suspicious PowerShell download cradle", "critical"),
    ("Port scan from the dormitory network", "low"),
]


def school_code(n: int) -> str:
    return f"41{n:08d}"  # 10 digits, as check_school_code wants


def make_alerts(count: int, seed: int) -> list[dict[str, Any]]:
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


@dataclass
class Workload:
    """Pre-serialised request bodies per school, the baseline's bulk actions and every expected id."""

    bodies: dict[str, list[tuple[bytes, int]]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    severe: int = 0  # high or critical: the alerts the center's automatic incidents look at


def build_workload(codes: list[str], per_school: int, batch: int, raw_prefix: str) -> Workload:
    work = Workload()
    received = datetime.now(UTC).isoformat()
    for n, code in enumerate(codes):
        alerts = make_alerts(per_school, seed=n)
        work.bodies[code] = [
            (orjson.dumps({"alerts": alerts[i : i + batch]}), len(alerts[i : i + batch]))
            for i in range(0, len(alerts), batch)
        ]
        for alert in alerts:
            alert["organization"] = {"id": code}  # what the center adds before computing the id
            aid = alert_id(code, alert)
            work.ids.add(aid)
            work.severe += alert["secops"]["severity"] in ("high", "critical")
            at = datetime.fromisoformat(alert["@timestamp"])
            # the document as the center stores it (stores/elasticsearch.py), so both sides index the same
            source = {**alert, "received_at": received, "center": {"title": alert["rule"]["name"], "id": aid}}
            work.actions.append(
                {"_op_type": "create", "_index": monthly_index(raw_prefix, at), "_id": aid, "_source": source}
            )
    return work


@dataclass
class SendResult:
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    retries: Counter[str] = field(default_factory=Counter)
    created: int = 0
    duplicate: int = 0
    acknowledged: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def send_all(urls: list[str], keys: dict[str, signing.SchoolKey], work: Workload, senders: int) -> SendResult:
    """``senders`` threads, sender i on instance i mod len(urls), each cycling over its schools."""
    codes = list(keys)
    result = SendResult()
    lock = threading.Lock()

    def plan(share: list[str]) -> Iterator[tuple[str, bytes, int]]:
        rounds = max(len(work.bodies[c]) for c in share)
        for r in range(rounds):
            for code in share:
                if r < len(work.bodies[code]):
                    yield code, *work.bodies[code][r]

    def post(client: httpx.Client, code: str, body: bytes, count: int) -> None:
        while True:
            headers = signing.signed_headers(keys[code], code, body, now=time.time())  # fresh nonce per try
            began = time.perf_counter()
            try:
                answer = client.post(signing.ALERTS_PATH, content=body, headers=headers)
            except httpx.TransportError as exc:  # resent: whatever was stored comes back as duplicates
                with lock:
                    result.retries[type(exc).__name__] += 1
                time.sleep(1)
                continue
            took = time.perf_counter() - began
            if answer.status_code in (429, 503):
                with lock:
                    result.retries[str(answer.status_code)] += 1
                time.sleep(float(answer.headers.get("Retry-After", "1")))
                continue
            if answer.status_code != 200:
                raise RuntimeError(f"{code}: HTTP {answer.status_code} {answer.text[:300]}")
            data = answer.json()
            if data["rejected"] or data["created"] + data["duplicate"] != count:
                raise RuntimeError(
                    f"{code}: {count} sent, answer { ({k: data[k] for k in ('created', 'duplicate', 'rejected')}) }"
                )
            ids = [item["id"] for item in data["results"]]
            with lock:
                result.latencies.append(took)
                result.created += data["created"]
                result.duplicate += data["duplicate"]
                result.acknowledged.update(ids)
            return

    def sender(index: int) -> None:
        try:
            with httpx.Client(base_url=urls[index % len(urls)], timeout=120) as client:
                for code, body, count in plan(codes[index::senders]):
                    post(client, code, body, count)
        except Exception as exc:  # reported after the run, and the bench fails
            with lock:
                result.errors.append(f"sender {index}: {exc}")

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(min(senders, len(codes)))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - began
    return result


def baseline(es: Elasticsearch, work: Workload, prefix: str, chunk: int) -> float:
    """Seconds for parallel_bulk to write every action into indices under the center's own template."""
    es.indices.put_index_template(name=template_name(prefix), **index_template(prefix))
    began = time.perf_counter()
    for ok, item in helpers.parallel_bulk(es, work.actions, thread_count=BASELINE_THREADS, chunk_size=chunk):
        if not ok:
            sys.exit(f"bench: parallel_bulk failed: {item}")
    elapsed = time.perf_counter() - began
    check_count(es, prefix, len(work.actions), "parallel_bulk")
    return elapsed


def check_count(es: Elasticsearch, prefix: str, expected: int, who: str) -> None:
    es.indices.refresh(index=f"{prefix}-*")
    stored = es.count(index=f"{prefix}-*")["count"]
    if stored != expected:
        sys.exit(f"bench: {who} left {stored:,} alerts in {prefix}-*, expected {expected:,}")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=64)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="alerts per request at most (center limit: 5000)")
    parser.add_argument("--db", default=os.environ.get("SECOPS_TEST_POSTGRES_URL"))
    parser.add_argument("--es", default=os.environ.get("SECOPS_TEST_ES_URL"))
    args = parser.parse_args()
    if args.alerts < args.schools:
        sys.exit("bench: --alerts must be at least --schools (every school sends)")
    hosts = [sa.engine.make_url(args.db).host if args.db else None, urlsplit(args.es).hostname if args.es else None]
    if any(host not in (None, "127.0.0.1", "localhost") for host in hosts):
        sys.exit("bench: --db and --es must be on loopback (127.0.0.1)")
    per_school = args.alerts // args.schools
    total = per_school * args.schools
    per_request = min(args.batch, per_school)
    codes = [school_code(n + 1) for n in range(args.schools)]
    run = f"bi{secrets.token_hex(4)}"
    api_prefix, raw_prefix = f"{run}-api", f"{run}-raw"  # disjoint patterns: {prefix}-* of one never matches the other
    print(
        f"ingest: {total:,} alerts from {args.schools:,} schools ({per_school} each, {per_request} per request), "
        f"{args.senders} senders -> {args.instances} instances x {args.workers} workers; baseline parallel_bulk x"
        f"{BASELINE_THREADS}; {os.cpu_count()} CPUs shared by center, Elasticsearch, PostgreSQL and senders"
    )
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    wall = time.perf_counter()
    began = time.perf_counter()
    work = build_workload(codes, per_school, per_request, raw_prefix)
    if len(work.ids) != total:
        sys.exit(f"bench: {total - len(work.ids)} alerts share an id; the workload is not what it claims")
    print(f"workload built: {time.perf_counter() - began:.1f} s")

    with (
        started("postgres.sh", args.db, "PostgreSQL") as pg_url,
        started("elasticsearch.sh", args.es, "Elasticsearch") as es_url,
        own_database(pg_url) as db,
        tempfile.TemporaryDirectory(prefix="secops-bench-center.") as tmp,
    ):
        es = Elasticsearch(es_url, request_timeout=300)
        try:
            esp = es_pids()
            busy0, es0 = machine_busy(), cpu_seconds(esp)
            raw_elapsed = baseline(es, work, raw_prefix, per_request)
            busy1, es1 = machine_busy(), cpu_seconds(esp)
            raw_rate = total / raw_elapsed
            print(f"parallel_bulk alerts/s: {raw_rate:,.0f} ({raw_elapsed:.1f} s)")
            print(f"parallel_bulk machine CPU busy: {(busy1[0] - busy0[0]) / raw_elapsed:.2f} cores")
            print(f"parallel_bulk elasticsearch CPU s per 1,000 alerts: {(es1 - es0) / total * 1000:.3f}")
            es.indices.delete(index=f"{raw_prefix}-*", expand_wildcards="all")  # the node carries only the API's data
            work.actions.clear()

            homes = [Path(tmp) / f"home-{chr(ord('a') + i)}" for i in range(args.instances)]
            began = time.perf_counter()
            keys = register_schools(homes[0], db, codes)
            print(f"schools registered: {len(keys):,} in {time.perf_counter() - began:.1f} s")
            for home in homes[1:]:
                home.mkdir(mode=0o700)
                for name in HOME_FILES:
                    shutil.copy2(homes[0] / name, home / name)
            with instances(homes, db, es_url, api_prefix, args.workers) as running:
                trees = [proc_tree(pid) for _, pid in running]
                pids = [p for tree in trees for p in tree]
                per0 = {pid: cpu_seconds([pid]) for pid in pids}
                cpu0, es0, busy0, self0 = cpu_seconds(pids), cpu_seconds(esp), machine_busy(), os.times()
                sent = send_all([url for url, _ in running], keys, work, args.senders)
                cpu1, es1, busy1, self1 = cpu_seconds(pids), cpu_seconds(esp), machine_busy(), os.times()
                per_process = [[cpu_seconds([pid]) - per0[pid] for pid in tree] for tree in trees]
                changed = [proc_tree(pid) for _, pid in running] != trees
            if sent.errors:
                sys.exit("bench: the center refused requests:\n  " + "\n  ".join(sent.errors[:5]))
            if sent.acknowledged != work.ids:
                sys.exit(f"bench: {len(work.ids - sent.acknowledged):,} alerts never acknowledged by the center")
            check_count(es, api_prefix, total, "the API")
            auto = auto_incident_counts(db)
        finally:
            es.indices.delete(index=f"{run}-*", allow_no_indices=True, expand_wildcards="all")
            for prefix in (api_prefix, raw_prefix):
                es.options(ignore_status=404).indices.delete_index_template(name=template_name(prefix))
            es.close()

    rate = total / sent.elapsed
    center_cpu = cpu1 - cpu0
    per_1000 = center_cpu / total * 1000
    bench_cpu = (self1.user + self1.system) - (self0.user + self0.system)
    print(f"api alerts/s: {rate:,.0f} ({sent.elapsed:.1f} s, {len(sent.latencies):,} requests)")
    print(f"ratio: {rate / raw_rate:.2f} (target >= 0.8)")
    print(f"api p50 latency: {pct(sent.latencies, 50) * 1000:.0f} ms")
    print(f"api p95 latency: {pct(sent.latencies, 95) * 1000:.0f} ms")
    print(f"api max latency: {max(sent.latencies) * 1000:.0f} ms")
    print(f"api created/duplicate: {sent.created:,}/{sent.duplicate:,}; retried: {dict(sent.retries) or 'none'}")
    print(f"verified: elasticsearch holds exactly the {total:,} expected ids")
    note = " (SOME CHANGED DURING THE RUN: time lost)" if changed else ""
    print(f"center CPU s: {center_cpu:.1f} over {len(pids)} processes{note}")
    for label, seconds in zip("ABCDEFGH", per_process, strict=False):
        print(f"center CPU s, instance {label} (supervisor first): {', '.join(f'{v:.1f}' for v in seconds)}")
    print(f"center CPU s per 1,000 alerts: {per_1000:.3f}")
    print(f"elasticsearch CPU s per 1,000 alerts (api run): {(es1 - es0) / total * 1000:.3f}")
    print(
        f"auto-incidents by the end (one instance's housekeeping, its CPU counted above): {auto[0]:,} alerts "
        f"claimed of {work.severe:,} high/critical sent, {auto[1]:,} incidents opened"
    )
    print(f"bench (senders) CPU s: {bench_cpu:.1f} ({bench_cpu / sent.elapsed:.2f} cores)")
    print(f"machine CPU busy during api run: {(busy1[0] - busy0[0]) / sent.elapsed:.2f} of {os.cpu_count()} cores")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"total wall time: {time.perf_counter() - wall:.0f} s")

    typical = PROVINCE_SCHOOLS * TYPICAL_PER_MIN / 60
    storm = PROVINCE_SCHOOLS * STORM_PER_MIN / 60
    cores = per_1000 * storm / 1000
    workers = max(1, math.ceil(cores / TARGET_CPU_SHARE))
    print(
        f"sizing: a province of {PROVINCE_SCHOOLS:,} schools at {TYPICAL_PER_MIN} alert/min/school (typical) "
        f"needs {typical:,.0f} alerts/s; at {STORM_PER_MIN}/min/school (storm peak) {storm:,.0f} alerts/s"
    )
    print(
        f"sizing: measured {rate:,.0f} alerts/s on {args.instances} x {args.workers} sharing {os.cpu_count()} cores "
        f"= {rate / storm:.1f}x the storm peak, {rate / typical:.1f}x typical"
    )
    print(
        f"sizing: at the storm peak the center burns {cores:.2f} cores (at {per_request} alerts/request; smaller "
        f"batches cost more per alert) -> {workers} worker(s) at <= {TARGET_CPU_SHARE:.0%} busy, e.g. "
        f"{max(2, math.ceil(workers / args.workers))} instances (two for failover) x {args.workers} workers, "
        "Elasticsearch and PostgreSQL sized apart"
    )


if __name__ == "__main__":
    main()
