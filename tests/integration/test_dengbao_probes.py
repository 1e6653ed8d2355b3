"""The 等保 network probes against real daemons on a lab campus (network namespaces).

Host A: OpenSSH with password logins and an account whose password is in the dictionary.
Host B: Redis without a password.     Host C: Redis with a strong password.
Host D: OpenSSH, public keys only, legacy algorithms enabled.
Host E: TLS on 443 (TLS 1.0 and NULL/anonymous ciphers where OpenSSL allows) and 8443 (TLS 1.2+).
Host F: Redis whose password is in the dictionary.
Every probe runs from the campus's scanner namespace. Needs root, nmap, sshd and redis-server:
skipped loudly elsewhere. Set SECOPS_CAPTURE_PROBE_FIXTURES=DIR to save the nmap XML it reads
(that is how tests/unit/discovery/fixtures/probes/ was made).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import ssl
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from secops.discovery import nmap_runner
from secops.discovery.probes import probe_host
from secops.lab import Campus, CampusHost, build_campus, campus_unavailable_reason
from secops.lab.daemons import Daemon, daemons_unavailable_reason, inside, start_redis, start_sshd, start_tls_server

pytestmark = [pytest.mark.root, pytest.mark.slow]

ACCOUNT, PASSWORD = "admin", "admin@123"  # a pair from the built-in dictionary
REDIS_WEAK = "123456"
STRONG = f"Lab-{secrets.token_urlsafe(18)}"  # never in any dictionary
LEGACY_SSH = [
    "KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
    "Ciphers +aes128-cbc,3des-cbc",
    "MACs +hmac-md5,hmac-sha1-96",
]
SSH = {"port": 22, "proto": "tcp", "name": "ssh", "product": "OpenSSH", "version": "9.2p1", "banner": ""}
REDIS = {"port": 6379, "proto": "tcp", "name": "redis", "product": "Redis key-value store", "version": "", "banner": ""}
HTTPS = {"port": 443, "proto": "tcp", "name": "https", "product": "", "version": "", "banner": ""}
HTTPS_ALT = {"port": 8443, "proto": "tcp", "name": "https-alt", "product": "", "version": "", "banner": ""}
RATE = 20.0  # guesses per second: the lab's own daemons, no lockout to fear


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Lab:
    campus: Campus
    hosts: dict[str, CampusHost]
    daemons: list[Daemon]
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    tempdirs: list[str] = field(default_factory=list)

    def probe(self, address: str, services: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        handler = _Records()
        root = logging.getLogger("secops")
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            with inside(self.campus.scanner_ns):
                facts = probe_host(address, services, **kwargs)
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
        self.log += handler.lines
        return facts


def _legacy_tls_handshake(address: str, port: int) -> bool:
    """Whether a TLS 1.0 handshake with the server really works (the ground truth)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 is the point here
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
        with socket.create_connection((address, port), timeout=3) as raw, context.wrap_socket(raw):
            return True
    except (OSError, ValueError):
        return False


def _capture_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = os.environ.get("SECOPS_CAPTURE_PROBE_FIXTURES")
    if not folder:
        return
    original = nmap_runner.parse_script_results

    def keep(xml: bytes | str) -> Any:
        raw = xml if isinstance(xml, bytes) else xml.encode()
        Path(folder, f"capture-{time.monotonic_ns()}.xml").write_bytes(raw)
        return original(xml)

    monkeypatch.setattr(nmap_runner, "parse_script_results", keep)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    reason = campus_unavailable_reason() or daemons_unavailable_reason()
    if reason:
        pytest.skip(f"dengbao probe tests skipped: {reason}")
    monkeypatch = pytest.MonkeyPatch()
    _capture_fixtures(monkeypatch)
    tempdirs: list[str] = []
    mkdtemp = tempfile.mkdtemp

    def recorded(*args: Any, **kwargs: Any) -> str:
        path = mkdtemp(*args, **kwargs)
        tempdirs.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)  # which private directories the probes made
    campus = build_campus(6, services=lambda i: {})
    daemons: list[Daemon] = []
    try:
        hosts = dict(zip("ABCDEF", campus.hosts.values(), strict=True))
        daemons += [
            start_sshd(hosts["A"].namespace, password_auth=True, accounts={ACCOUNT: PASSWORD, "teacher": STRONG}),
            start_redis(hosts["B"].namespace),
            start_redis(hosts["C"].namespace, password=STRONG),
            start_sshd(hosts["D"].namespace, password_auth=False, accounts={"ops": PASSWORD}, extra_config=LEGACY_SSH),
            start_tls_server(hosts["E"].namespace, port=443, legacy=True),
            start_tls_server(hosts["E"].namespace, port=8443, legacy=False),
            start_redis(hosts["F"].namespace, password=REDIS_WEAK),
        ]
        lab = Lab(campus, hosts, daemons, tempdirs=tempdirs)
        plan = {"A": [SSH], "B": [REDIS], "C": [REDIS], "D": [SSH], "E": [HTTPS, HTTPS_ALT], "F": [REDIS]}
        for name, services in plan.items():
            started = time.monotonic()
            lab.facts[name] = lab.probe(hosts[name].ipv4, services, rate=RATE, timeout=3)
            lab.seconds[name] = time.monotonic() - started
        yield lab
    finally:
        for daemon in daemons:
            daemon.stop()
        campus.teardown()
        monkeypatch.undo()


def test_password_ssh_with_a_dictionary_account(lab: Lab) -> None:
    facts = lab.facts["A"]
    assert facts["ssh"]["port"] == 22
    assert facts["ssh"]["password_auth"] is True
    assert facts["ssh"]["auth_methods"] == ["publickey", "password"]
    assert facts["ssh"]["weak_algorithms"] == []  # Debian 12's defaults
    assert {"kex", "ciphers", "macs", "host_keys"} <= set(facts["ssh"])
    assert facts["weak_credentials"] == [{"service": "ssh", "port": 22, "account": ACCOUNT}]  # not "teacher"
    assert facts["unauthenticated"] == []
    assert facts["tls"] == []


def test_no_password_reaches_facts_logs_or_disk(lab: Lab) -> None:
    everything = json.dumps(lab.facts) + "\n".join(lab.log)
    for secret in (PASSWORD, STRONG, REDIS_WEAK):
        assert secret not in everything
    assert any("ssh-brute" in line for line in lab.log)  # the logs were captured at all
    made = [path for path in lab.tempdirs if Path(path).name.startswith(("secops-brute-", "secops-probe-"))]
    assert made  # the dictionary file and nmap's output lived in private directories...
    assert not [path for path in made if Path(path).exists()]  # ...that are gone


def test_open_redis_is_unauthenticated(lab: Lab) -> None:
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    facts = lab.facts["B"]
    (entry,) = facts["unauthenticated"]
    assert (entry["service"], entry["port"]) == ("redis", 6379)
    assert f"v={entry['version']} " in version
    assert facts["weak_credentials"] == []  # no password at all is the unauthenticated finding
    assert "ssh" not in facts


def test_redis_with_a_strong_password_is_neither(lab: Lab) -> None:
    assert lab.facts["C"] == {"tls": [], "unauthenticated": [], "weak_credentials": []}


def test_redis_with_a_dictionary_password(lab: Lab) -> None:
    facts = lab.facts["F"]
    assert facts["unauthenticated"] == []
    assert facts["weak_credentials"] == [{"service": "redis", "port": 6379, "account": "default"}]


def test_publickey_only_ssh_with_legacy_algorithms(lab: Lab) -> None:
    facts = lab.facts["D"]
    assert facts["ssh"]["password_auth"] is False
    assert facts["ssh"]["auth_methods"] == ["publickey"]
    assert facts["weak_credentials"] == []
    assert set(facts["ssh"]["weak_algorithms"]) == {
        "diffie-hellman-group1-sha1",
        "diffie-hellman-group14-sha1",
        "aes128-cbc",
        "3des-cbc",
        "hmac-md5",
        "hmac-sha1-96",
    }


def test_tls_versions_and_weak_ciphers(lab: Lab) -> None:
    host = lab.hosts["E"]
    with inside(lab.campus.scanner_ns):
        tls10 = _legacy_tls_handshake(host.ipv4, 443)
        tls10_modern = _legacy_tls_handshake(host.ipv4, 8443)
    by_port = {entry["port"]: entry for entry in lab.facts["E"]["tls"]}
    assert set(by_port) == {443, 8443}
    legacy, modern = by_port[443], by_port[8443]
    assert ("TLSv1.0" in legacy["versions"]) is tls10
    assert {"TLSv1.2", "TLSv1.3"} <= set(legacy["versions"])
    assert any("anon" in c for c in legacy["weak_ciphers"])
    assert legacy["grade"] == "F"
    assert tls10_modern is False
    assert modern["versions"] == ["TLSv1.2", "TLSv1.3"]
    assert modern["weak_ciphers"] == []
    assert modern["grade"] == "A"


def test_ipv6_and_no_guessing(lab: Lab) -> None:
    facts = lab.probe(lab.hosts["A"].ipv6, [SSH], credentials=False, timeout=3)
    assert facts["ssh"]["password_auth"] is True
    assert "weak_credentials" not in facts


def test_closed_and_unreachable_services_are_absent(lab: Lab) -> None:
    # Host C only runs Redis: its SSH and HTTPS ports are closed.
    facts = lab.probe(lab.hosts["C"].ipv4, [SSH, HTTPS, {**REDIS, "port": 6380}], rate=RATE, timeout=2)
    assert facts == {}
    # Nothing answers at this address at all.
    started = time.monotonic()
    facts = lab.probe("10.77.0.250", [SSH, REDIS], rate=RATE, timeout=2)
    assert facts == {}
    assert time.monotonic() - started < 20


def test_timings(lab: Lab) -> None:
    assert sum(lab.seconds.values()) < 45, lab.seconds
    print("probe seconds per host:", {k: round(v, 2) for k, v in lab.seconds.items()})
