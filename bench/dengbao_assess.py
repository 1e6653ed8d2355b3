"""等保 assessment speed: the declarative checks and the item merge over many hosts.

Facts: N synthetic hosts shaped like a campus (ssh, http, a few risky ports, Redis, TLS, host
configuration). Baseline: the same pass/fail decisions hand-written in plain Python for the
network checks (no predicate engine), same facts, same run. The figure that matters to a user is
the full assessment (checks + merge + high risk + scoring) of a level-3 system.
Run: .venv/bin/python bench/dengbao_assess.py [--hosts N]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime
from typing import Any

from secops.dengbao.assess import HOST, NETWORK, Target, assess, evaluate_targets
from secops.dengbao.catalog import load_catalog
from secops.dengbao.checks import load_checks
from secops.records.assessment import AssessedSystem


def _host(index: int, rng: random.Random) -> dict[str, Any]:
    services = [{"port": 22, "proto": "tcp", "name": "ssh", "product": "OpenSSH", "version": "9.2p1"}]
    for port, name in ((23, "telnet"), (80, "http"), (443, "https"), (445, "microsoft-ds"), (6379, "redis")):
        if rng.random() < 0.3:
            services.append({"port": port, "proto": "tcp", "name": name, "product": "", "version": ""})
    return {
        "address": f"10.{index // 65536}.{index // 256 % 256}.{index % 256}",
        "services": services,
        "ssh": {"port": 22, "password_auth": rng.random() < 0.5, "weak_algorithms": []},
        "tls": [{"port": 443, "versions": ["TLSv1.2"], "weak_ciphers": []}],
        "weak_credentials": [{"service": "ssh", "port": 22, "account": "root"}] if rng.random() < 0.05 else [],
        "unauthenticated": [],
    }


def _hand_written(facts: dict[str, Any]) -> int:
    """The network checks' decisions without the engine (the baseline)."""
    failed = 0
    ports = {s["port"] for s in facts["services"]}
    names = {s["name"] for s in facts["services"]}
    failed += 23 in ports or "telnet" in names
    failed += 21 in ports or "ftp" in names
    failed += bool(ports & {135, 137, 139, 445, 512, 513, 514, 3389, 5900, 5901, 2049, 111, 161})
    failed += bool(ports & {3306, 5432, 1433, 1521, 6379, 27017, 9200, 11211})
    failed += bool(facts["unauthenticated"]) + bool(facts["weak_credentials"])
    failed += facts["ssh"]["password_auth"] is True
    failed += bool(facts["ssh"]["weak_algorithms"])
    failed += any({"SSLv3", "TLSv1.0", "TLSv1.1"} & set(t["versions"]) for t in facts["tls"])
    failed += any(t["weak_ciphers"] for t in facts["tls"])
    failed += "http" in names and not ({"https"} & names or {443, 8443} & ports)
    return failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(7)
    hosts = [_host(i, rng) for i in range(args.hosts)]
    checks = load_checks()
    network_checks = [c for c in checks if c.source == NETWORK and c.id != "known-vulnerable-versions"]
    targets = [Target(h["address"], NETWORK, h) for h in hosts]

    start = time.perf_counter()
    baseline_fails = sum(_hand_written(h) for h in hosts)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    results = evaluate_targets(targets, network_checks)
    engine = time.perf_counter() - start
    engine_fails = sum(r.status == "fail" for r in results)

    catalog = load_catalog()
    linux = {"linux": {"login_defs": {"pass_max_days": 99999}, "session_timeout": 0, "risky_services": []}}
    all_targets = [*(Target(h["address"], NETWORK, h) for h in hosts), Target("本机", HOST, linux)]
    start = time.perf_counter()
    result = assess(
        system=AssessedSystem("bench", 3),
        level=3,
        extensions=(),
        catalog=catalog,
        checks=checks,
        targets=all_targets,
        answers={},
        now=datetime.now(UTC),
    )
    full = time.perf_counter() - start

    print(f"等保 checks over {args.hosts:,} hosts ({len(network_checks)} network checks, {len(results):,} results):")
    print(f"  baseline  hand-written Python decisions: {baseline:.3f} s ({baseline_fails:,} failures)")
    print(f"  secops    declarative check engine:      {engine:.3f} s ({engine_fails:,} failures)")
    print(f"  ratio engine/hand-written: {engine / baseline:.1f}")
    print(f"full level-3 assessment (all {len(checks)} checks, merge, high risk, scoring): {full:.3f} s")
    print(f"  conclusion {result.conclusion}, {len(result.highrisk)} high-risk problems")


if __name__ == "__main__":
    main()
