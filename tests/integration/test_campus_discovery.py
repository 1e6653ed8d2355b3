"""Discovery against a campus of 52 real hosts (IPv4 + IPv6) in network namespaces.

The inventory must equal the truth, nothing missing and nothing extra; then the campus changes
and the diff and the alerts must say exactly what changed. Needs root: skipped loudly elsewhere.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secops.lab import Campus, build_campus, campus_unavailable_reason
from secops.lab.campus import SCANNER4

SECOPS = str(Path(sys.executable).parent / "secops")
HOSTS = 52
PORTS = "21,22,23,80,445,3306,5900,6379,3389"

pytestmark = [pytest.mark.root, pytest.mark.slow]


@pytest.fixture(scope="module")
def campus() -> Iterator[Campus]:
    reason = campus_unavailable_reason()
    if reason:
        pytest.skip(f"campus discovery tests skipped: {reason}")
    built = build_campus(HOSTS)
    try:
        yield built
    finally:
        built.teardown()


@pytest.fixture(scope="module")
def workspace(campus: Campus, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("campus")
    profile = folder / "campus.yml"
    profile.write_text(
        "id: campus\ndescription: every campus service port, IPv4 and IPv6, with versions\n"
        f'families: [4, 6]\nports: "{PORTS}"\nversion_detection: true\nipv6_multicast: true\n'
        "nmap_args: [--version-light]\n",
        encoding="utf-8",
    )
    paths = {"ws": str(folder / "ws"), "profile": str(profile)}
    init = secops(
        campus,
        paths,
        "init",
        "--school-code",
        "4111010001",
        "--school-name",
        "校园网测试",
        "--scope",
        "10.77.0.0/24",
        "--scope",
        "fd77::/64",
    )
    assert init.returncode == 0, init.stderr
    return paths


def secops(campus: Campus, paths: dict[str, str], *args: str) -> Any:
    return campus.run_in_scanner([SECOPS, "--workspace", paths["ws"], *args], timeout=600)


def discover(campus: Campus, paths: dict[str, str]) -> dict[str, Any]:
    result = secops(campus, paths, "assets", "discover", "--profile", paths["profile"], "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def inventory(campus: Campus, paths: dict[str, str]) -> dict[str, dict[str, Any]]:
    listed = json.loads(secops(campus, paths, "assets", "list", "--up", "--format", "json").stdout)
    return {
        a["ipv4"]: {
            "mac": a["mac"],
            "ipv6": [x for x in a["ipv6"] if x.startswith("fd77")],
            "ports": {s["port"]: s["name"] for s in a["services"]},
        }
        for a in listed
    }


def expected(campus: Campus) -> dict[str, dict[str, Any]]:
    truth = {ip: {"mac": h["mac"], "ipv6": [h["ipv6"]], "ports": set(h["ports"])} for ip, h in campus.truth().items()}
    truth[SCANNER4] = {"mac": None, "ipv6": [], "ports": set()}  # the scanning host is on the network too
    return truth


def test_inventory_equals_the_campus(campus: Campus, workspace: dict[str, str]) -> None:
    summary = discover(campus, workspace)
    found = inventory(campus, workspace)
    truth = expected(campus)
    assert set(found) == set(truth), f"missing: {set(truth) - set(found)} extra: {set(found) - set(truth)}"
    for ip, host in truth.items():
        assert found[ip]["mac"] == host["mac"], ip
        assert found[ip]["ipv6"] == host["ipv6"], ip  # v4 and v6 sightings merged into one asset by MAC
        assert set(found[ip]["ports"]) == host["ports"], ip
    names = {name for host in found.values() for name in host["ports"].values()}
    assert {"ssh", "http", "ftp", "telnet", "mysql", "redis", "vnc"} <= names
    assert summary["hosts_up"] == len(truth)
    new_hosts = [c for c in summary["changes"] if c["change"] == "host_new"]
    assert len(new_hosts) == len(truth)
    rules = {a["rule"] for a in summary["alerts"]}
    assert {
        "new-host",
        "exposed-telnet",
        "exposed-ftp",
        "exposed-redis",
        "exposed-mysql",
        "exposed-smb",
        "exposed-vnc",
    } <= rules


def test_changes_become_diffs_and_alerts(campus: Campus, workspace: dict[str, str]) -> None:
    quiet = next(h for h in campus.hosts.values() if not h.services)
    web = next(h for h in campus.hosts.values() if h.services == {80: "http"})
    ssh = next(h for h in campus.hosts.values() if 22 in h.services and 3306 in h.services)
    leaving = next(h for h in campus.hosts.values() if h.services == {6379: "redis"})
    campus.open_port(quiet.name, 23, "telnet")
    campus.close_port(ssh.name, 3306)
    campus.remove_host(leaving.name)
    newcomer = campus.add_host({80: "http", 3389: "vnc"})
    summary = discover(campus, workspace)
    changes = {(c["change"], c["asset"], c.get("port")) for c in summary["changes"]}
    assert ("host_new", newcomer.mac, None) in changes
    assert ("port_opened", quiet.mac, 23) in changes
    assert ("port_closed", ssh.mac, 3306) in changes
    assert not any(c[1] == web.mac for c in changes)
    assert not any(c[0] == "host_gone" for c in changes)  # missed once: not gone yet
    alerts = {(a["rule"], a["title"]) for a in summary["alerts"]}
    assert any(rule == "exposed-telnet" and quiet.mac in title for rule, title in alerts)
    assert any(rule == "new-host" and newcomer.mac in title for rule, title in alerts)

    again = discover(campus, workspace)
    assert [(c["change"], c["asset"]) for c in again["changes"]] == [("host_gone", leaving.mac)]
    assert set(inventory(campus, workspace)) == set(expected(campus))


# -- the shipped profiles see what schools expose (issue 15) ----------------------------------------
EXPOSED = {27017: "http", 2375: "http", 8848: "http"}  # MongoDB, Docker API, Nacos ports (banners only)


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two hosts: one with a real redis-server and services on ports nmap's top lists leave out."""
    from secops.lab.daemons import daemons_unavailable_reason, start_redis

    reason = campus_unavailable_reason() or daemons_unavailable_reason()
    if reason:
        pytest.skip(f"exposure discovery tests skipped: {reason}")
    built = build_campus(2, services=lambda i: dict(EXPOSED) if i == 0 else {80: "http"})
    redis = None
    try:
        host = next(h for h in built.hosts.values() if h.services == EXPOSED)
        redis = start_redis(host.namespace)
        yield {"campus": built, "host": host, "folder": tmp_path_factory.mktemp("exposed")}
    finally:
        if redis is not None:
            redis.stop()
        built.teardown()


@pytest.mark.parametrize("profile", ["standard", "quick"])
def test_default_profiles_find_redis_and_other_exposed_services(exposed: dict[str, Any], profile: str) -> None:
    campus: Campus = exposed["campus"]
    paths = {"ws": str(exposed["folder"] / profile)}
    scope = ("--scope", "10.77.0.0/24", "--scope", "fd77::/64")
    assert (
        secops(campus, paths, "init", "--school-code", "4111010001", "--school-name", "校园网", *scope).returncode == 0
    )
    address = exposed["host"].ipv4
    # --force: standard may only run outside class hours.
    result = secops(campus, paths, "assets", "discover", address, "--profile", profile, "--force", "--format", "json")
    assert result.returncode == 1, result.stderr  # new host and exposed services: alerts
    assert "Traceback" not in result.stderr
    listed = json.loads(secops(campus, paths, "assets", "show", address, "--format", "json").stdout)
    ports = {s["port"]: s["name"] for s in listed["services"]}
    assert set(ports) == {6379, *EXPOSED}, ports
    if profile == "standard":  # with version detection nmap names what the real redis-server says
        assert ports[6379] == "redis"
    rules = {a["rule"] for a in json.loads(result.stdout)["alerts"]}
    assert {"exposed-redis", "exposed-mongodb", "new-host"} <= rules
