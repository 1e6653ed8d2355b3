"""Discovery benchmarks.

1. Scan: `secops assets discover` on a lab campus of 250 real hosts vs the raw nmap command with
   the same options, run in the same namespace in the same run (target ratio <= 1.10). Needs root.
2. Inventory update: 65,536 synthetic hosts x 5 services applied to an empty SQLite inventory,
   then applied again with 1% of hosts changed (target <= 10 s each), vs a baseline of plain
   executemany INSERTs of the same rows into the same tables.

Run: .venv/bin/python bench/discovery.py [--hosts 250] [--synthetic 65536] [--skip-scan]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from secops.inventory.fingerprints import load_classifier
from secops.inventory.repository import apply_discovery, start_run
from secops.lab import Campus
from secops.models import ObservedHost, ObservedService, ScanCoverage
from secops.store import open_store
from secops.store.schema import asset_addresses, assets, services

SERVICE_SET = [
    (22, "ssh", "OpenSSH", "9.2p1"),
    (80, "http", "nginx", "1.22.1"),
    (443, "https", "nginx", "1.22.1"),
    (3306, "mysql", "MySQL", "5.7.44"),
    (8080, "http-proxy", "Jetty", "9.4"),
]


PROFILES = {
    "ports only": "version_detection: false",
    "with -sV": "version_detection: true\nnmap_args: [--version-light]",
}


def bench_scan(hosts: int, repeats: int) -> None:
    from secops.lab import build_campus, campus_unavailable_reason

    reason = campus_unavailable_reason()
    if reason:
        print(f"scan benchmark skipped: {reason}")
        return
    started = time.perf_counter()
    campus = build_campus(hosts)
    print(f"lab campus of {hosts} hosts built in {time.perf_counter() - started:.1f} s")
    try:
        for label, options in PROFILES.items():
            _bench_profile(campus, hosts, repeats, label, options)
    finally:
        campus.teardown()


def _bench_profile(campus: Campus, hosts: int, repeats: int, label: str, options: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "bench.yml"
        profile.write_text(
            'id: bench\ndescription: bench\nfamilies: [4]\nports: "21,22,23,80,445,3306,5900,6379"\n'
            f"timing: 4\n{options}\n"
        )
        secops = [sys.executable, "-m", "secops", "--workspace", f"{folder}/ws"]
        campus.run_in_scanner(
            [*secops, "init", "--school-code", "4111010001", "--school-name", "bench", "--scope", "10.77.0.0/24"]
        )
        ours, raw, up = [], [], 0
        for _ in range(repeats):
            t = time.perf_counter()
            result = campus.run_in_scanner(
                [*secops, "assets", "discover", "--profile", str(profile), "--format", "json"]
            )
            ours.append(time.perf_counter() - t)
            assert result.returncode in (0, 1), result.stderr
            up = json.loads(result.stdout)["hosts_up"]
            nmap_argv = _last_nmap_command(Path(folder) / "ws" / "secops.db")
            t = time.perf_counter()
            campus.run_in_scanner([*nmap_argv, "-oX", "-"])  # python-nmap also has nmap write XML to stdout
            raw.append(time.perf_counter() - t)
    o, r = statistics.median(ours), statistics.median(raw)
    print(f"scan of {hosts} hosts ({up} up), {label}, median of {repeats}:")
    print(f"  baseline  raw nmap, same options:   {r:.2f} s")
    print(f"  secops    assets discover (CLI):    {o:.2f} s  (fixed overhead {o - r:.2f} s)")
    print(f"  ratio secops/raw nmap: {o / r:.3f} (target <= 1.10)")


def _last_nmap_command(database: Path) -> list[str]:
    """The exact nmap command secops ran, as its scan run recorded it."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        (commands,) = conn.execute("SELECT commands FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
    command: list[str] = json.loads(commands)[0]
    return command


def synthetic_hosts(count: int, changed: float = 0.0) -> list[ObservedHost]:
    base = int(ipaddress.ip_address("10.0.0.1"))
    hosts = []
    for index in range(count):
        services = [
            ObservedService(port, "tcp", name, product, version) for port, name, product, version in SERVICE_SET
        ]
        if changed and index % int(1 / changed) == 0:
            services[0] = ObservedService(22, "tcp", "ssh", "OpenSSH", "9.6p1")
        hosts.append(
            ObservedHost(
                ipv4=str(ipaddress.ip_address(base + index)),
                mac=f"02:00:{index >> 24 & 255:02x}:{index >> 16 & 255:02x}:{index >> 8 & 255:02x}:{index & 255:02x}",
                services=services,
            )
        )
    return hosts


def bench_inventory(count: int) -> None:
    classifier = load_classifier()
    coverage = ScanCoverage(("10.0.0.0/8",), frozenset(p for p, *_ in SERVICE_SET), True)
    first = synthetic_hosts(count)
    second = synthetic_hosts(count, changed=0.01)
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.db")
        t = time.perf_counter()
        run = start_run(store, "bench", ["10.0.0.0/8"], now)
        apply_discovery(store, run, first, coverage, classifier, [], now)
        initial = time.perf_counter() - t
        t = time.perf_counter()
        run = start_run(store, "bench", ["10.0.0.0/8"], now + timedelta(days=1))
        result = apply_discovery(store, run, second, coverage, classifier, [], now + timedelta(days=1))
        update = time.perf_counter() - t
        store.dispose()

        baseline_store = open_store(f"sqlite:///{folder}/baseline.db")
        t = time.perf_counter()
        with baseline_store.engine.begin() as conn:
            conn.execute(
                assets.insert(),
                [
                    {
                        "key": h.mac,
                        "ipv4": h.ipv4,
                        "mac": h.mac,
                        "vendor": "",
                        "hostname": "",
                        "asset_type": "server",
                        "owner": "",
                        "system_tag": "",
                        "status": "up",
                        "missed_scans": 0,
                        "first_seen": now,
                        "last_seen": now,
                    }
                    for h in first
                ],
            )
            ids = dict(conn.execute(sa.select(assets.c.key, assets.c.id)).all())
            conn.execute(
                asset_addresses.insert(),
                [
                    {"asset_id": ids[h.mac], "address": h.ipv4, "family": 4, "first_seen": now, "last_seen": now}
                    for h in first
                ],
            )
            conn.execute(
                services.insert(),
                [
                    {
                        "asset_id": ids[h.mac],
                        "port": s.port,
                        "proto": "tcp",
                        "name": s.name,
                        "product": s.product,
                        "version": s.version,
                        "extrainfo": "",
                        "cpe": [],
                        "banner": "",
                        "first_seen": now,
                        "last_seen": now,
                    }
                    for h in first
                    for s in h.services
                ],
            )
        baseline = time.perf_counter() - t
        baseline_store.dispose()
    print(f"inventory update, {count:,} hosts x {len(SERVICE_SET)} services (SQLite):")
    print(f"  baseline  plain executemany INSERT of the same rows: {baseline:.2f} s")
    print(
        f"  secops    first apply (all new, diff + classify + alerts): {initial:.2f} s  ratio {initial / baseline:.2f}"
    )
    print(
        f"  secops    second apply (1% versions changed, {len(result.changes):,} changes): {update:.2f} s  "
        f"ratio {update / baseline:.2f} (target <= 10 s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=65536)
    parser.add_argument("--skip-scan", action="store_true")
    args = parser.parse_args()
    if not args.skip_scan:
        bench_scan(args.hosts, args.repeats)
    bench_inventory(args.synthetic)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
