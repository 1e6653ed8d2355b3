"""The 等保 network probes without root: nmap XML captured from real runs against the lab
campus daemons (fixtures/probes/), and the socket probes against tiny servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from secops.discovery import nmap_runner, probes
from secops.discovery.probes import ssh, tls, unauth, weak
from secops.errors import SecopsError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "probes"
FIXTURE_PASSWORD = "admin@123"  # the dictionary pair the lab's sshd accepted when ssh_brute_found.xml was captured


def results(name: str) -> list[nmap_runner.ScriptResult]:
    parsed = nmap_runner.parse_script_results((FIXTURES / name).read_bytes())
    assert parsed is not None
    return parsed


# -- TLS ---------------------------------------------------------------------------------------------
def tls_entries() -> dict[int, dict[str, Any]]:
    parsed = [tls.parse_ssl_enum_ciphers(r) for r in results("tls_443_legacy_8443_modern.xml")]
    return {entry["port"]: entry for entry in parsed if entry is not None}


def test_legacy_tls_server_versions_weak_ciphers_and_grade() -> None:
    entry = tls_entries()[443]
    assert entry["versions"] == ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    assert entry["grade"] == "F"
    assert all(tls.WEAK_CIPHER.search(c) for c in entry["weak_ciphers"])  # here every weak one is anon or NULL
    assert any("_anon_" in c for c in entry["weak_ciphers"])
    assert any("_WITH_NULL_" in c for c in entry["weak_ciphers"])
    assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" not in entry["weak_ciphers"]
    assert len(entry["weak_ciphers"]) == len(set(entry["weak_ciphers"]))
    assert any("Anonymous" in w for w in entry["warnings"])


def test_modern_tls_server_is_grade_a_without_weak_ciphers() -> None:
    assert tls_entries()[8443] == {
        "port": 8443,
        "versions": ["TLSv1.2", "TLSv1.3"],
        "weak_ciphers": [],
        "grade": "A",
        "warnings": [],
    }


def test_a_cipher_graded_below_a_is_weak_whatever_its_name() -> None:
    xml = (
        '<nmaprun><host><ports><port protocol="tcp" portid="443"><state state="open"/>'
        '<script id="ssl-enum-ciphers" output=""><table key="TLSv1.2"><table key="ciphers">'
        '<table><elem key="name">TLS_RSA_WITH_AES_128_CBC_SHA</elem><elem key="strength">C</elem></table>'
        '<table><elem key="name">TLS_RSA_WITH_AES_256_GCM_SHA384</elem><elem key="strength">A</elem></table>'
        '</table></table><elem key="least strength">C</elem></script></port></ports></host></nmaprun>'
    )
    (result,) = nmap_runner.parse_script_results(xml) or []
    entry = tls.parse_ssl_enum_ciphers(result)
    assert entry is not None
    assert entry["weak_ciphers"] == ["TLS_RSA_WITH_AES_128_CBC_SHA"]
    assert entry["grade"] == "C"


def test_tls_ports_by_number_and_name() -> None:
    services = [
        {"port": 443, "proto": "tcp", "name": "https"},
        {"port": 4443, "proto": "tcp", "name": "ssl/http"},
        {"port": 993, "proto": "tcp", "name": ""},
        {"port": 80, "proto": "tcp", "name": "http"},
        {"port": 443, "proto": "udp", "name": "https"},
    ]
    assert tls.tls_ports(services) == [443, 993, 4443]


def test_closed_or_filtered_ports_mean_not_probed() -> None:
    assert nmap_runner.parse_script_results((FIXTURES / "closed_ports.xml").read_bytes()) is None
    assert nmap_runner.parse_script_results((FIXTURES / "unreachable.xml").read_bytes()) is None
    assert nmap_runner.parse_script_results("<not xml") is None


# -- SSH ---------------------------------------------------------------------------------------------
def test_ssh_with_password_auth_and_modern_algorithms() -> None:
    fact = ssh.parse_ssh(results("ssh_password_auth.xml"), 22)
    assert fact is not None
    assert fact["port"] == 22
    assert fact["auth_methods"] == ["publickey", "password"]
    assert fact["password_auth"] is True
    assert "curve25519-sha256" in fact["kex"]
    assert "aes256-gcm@openssh.com" in fact["ciphers"]
    assert "hmac-sha2-256" in fact["macs"]
    assert fact["host_keys"] == ["ssh-ed25519", "ecdsa-sha2-nistp256"]
    assert fact["weak_algorithms"] == []


def test_ssh_publickey_only_with_legacy_algorithms() -> None:
    fact = ssh.parse_ssh(results("ssh_publickey_weak_algorithms.xml"), 22)
    assert fact is not None
    assert fact["auth_methods"] == ["publickey"]
    assert fact["password_auth"] is False
    assert fact["weak_algorithms"] == [
        "diffie-hellman-group1-sha1",
        "diffie-hellman-group14-sha1",
        "aes128-cbc",
        "3des-cbc",
        "hmac-md5",
        "hmac-sha1-96",
    ]


def test_ssh_over_ipv6_reads_the_same() -> None:
    assert ssh.parse_ssh(results("ssh_ipv6.xml"), 22) == ssh.parse_ssh(results("ssh_password_auth.xml"), 22)


def test_ssh_without_script_output_is_not_a_fact() -> None:
    assert ssh.parse_ssh([], 22) is None


@pytest.mark.parametrize(
    ("algorithm", "weak"),
    [
        ("diffie-hellman-group1-sha1", True),
        ("diffie-hellman-group-exchange-sha1", True),
        ("arcfour256", True),
        ("blowfish-cbc", True),
        ("hmac-md5-etm@openssh.com", True),
        ("ssh-dss", True),
        ("ssh-rsa", True),
        ("rsa-sha2-512", False),
        ("diffie-hellman-group14-sha256", False),
        ("hmac-sha1-etm@openssh.com", False),
        ("chacha20-poly1305@openssh.com", False),
    ],
)
def test_weak_ssh_algorithms(algorithm: str, weak: bool) -> None:
    assert ssh.is_weak(algorithm) is weak


def test_ssh_port_prefers_22_then_named_ssh() -> None:
    assert ssh.ssh_port([{"port": 2222, "name": "ssh"}, {"port": 22, "name": "ssh"}]) == 22
    assert ssh.ssh_port([{"port": 2222, "name": "ssh"}, {"port": 80, "name": "http"}]) == 2222
    assert ssh.ssh_port([{"port": 80, "name": "http"}]) is None


# -- weak credentials ----------------------------------------------------------------------------------
def test_brute_output_yields_account_names_only() -> None:
    (result,) = results("ssh_brute_found.xml")
    accounts = weak.parse_brute_accounts(result)
    assert accounts == ["admin"]
    assert FIXTURE_PASSWORD not in json.dumps(accounts)
    (refused,) = results("ssh_brute_no_password_auth.xml")
    assert weak.parse_brute_accounts(refused) == []


def test_dictionary_is_small_and_never_tries_an_account_more_than_three_times() -> None:
    pairs = weak.load_dictionary()
    assert 15 <= len(pairs) <= 30
    accounts = [p.account for p in pairs]
    assert {"root", "admin", "test"} <= set(accounts)
    assert max(accounts.count(a) for a in accounts) <= weak.MAX_GUESSES_PER_ACCOUNT
    assert all(p.password and "/" not in p.account for p in pairs)
    assert "s3cret" not in repr(weak.Pair("teacher", "s3cret"))


def test_brute_targets() -> None:
    services = [
        {"port": 22, "name": "ssh"},
        {"port": 2222, "name": "ssh"},
        {"port": 2121, "name": "ftp"},
        {"port": 3306, "name": "mysql"},
        {"port": 6380, "name": "redis"},
        {"port": 80, "name": "http"},
    ]
    assert weak.brute_targets(services) == {"ssh": [22, 2222], "ftp": [2121], "mysql": [3306], "redis": [6380]}


def test_a_failed_brute_run_logs_nothing_nmap_said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(nmap_runner, "nmap_path", lambda: "/usr/bin/nmap")

    def failing(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(argv, 1, b"", b"NSE: Trying username/password pair: root:hunter2\n")

    monkeypatch.setattr(nmap_runner.subprocess, "run", failing)
    caplog.set_level(logging.DEBUG)
    pairs = weak.load_dictionary("root/hunter2\n")
    assert weak.nmap_brute("192.0.2.1", 22, "ssh", pairs, rate=100, timeout=1) is None
    assert "hunter2" not in caplog.text
    assert "exit 1" in caplog.text


# -- the socket probes against 127.0.0.1 -------------------------------------------------------------------
Handler = Callable[[socket.socket], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], int]]:
    """Start a loopback TCP server whose connections ``handler`` answers; returns its port."""
    servers: list[socketserver.ThreadingTCPServer] = []

    def start(handler: Handler) -> int:
        class Request(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(3)
                with contextlib.suppress(OSError):
                    handler(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Request)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        port: int = server.server_address[1]
        return port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def fake_redis(password: str | None) -> Handler:
    info = b"# Server\r\nredis_version:6.2.14\r\n"

    def handle(conn: socket.socket) -> None:
        authed = password is None
        while data := conn.recv(4096):
            words = [w for w in data.split(b"\r\n") if w and w[:1] not in (b"*", b"$")]
            command = words[0].upper()
            if command == b"AUTH":
                if password is None:
                    conn.sendall(
                        b"-ERR AUTH <password> called without any password configured for the default user\r\n"
                    )
                elif words[1].decode() == password:
                    authed = True
                    conn.sendall(b"+OK\r\n")
                else:
                    conn.sendall(b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
            elif not authed:
                conn.sendall(b"-NOAUTH Authentication required.\r\n")
            elif command == b"PING":
                conn.sendall(b"+PONG\r\n")
            elif command == b"INFO":
                conn.sendall(b"$%d\r\n%s\r\n" % (len(info), info))

    return handle


def test_redis_without_password_is_unauthenticated(serve: Callable[[Handler], int]) -> None:
    port = serve(fake_redis(None))
    assert unauth.probe_redis("127.0.0.1", port, 2) == {"unauthenticated": True, "version": "6.2.14"}
    # Not a weak password: there is none, which the unauthenticated probe reports.
    assert weak.redis_auth("127.0.0.1", port, weak.load_dictionary(), rate=1000, timeout=2) == []


def test_redis_with_password(serve: Callable[[Handler], int]) -> None:
    strong = serve(fake_redis("k3-Very-Long-Unlisted"))
    assert unauth.probe_redis("127.0.0.1", strong, 2) == {"unauthenticated": False}
    assert weak.redis_auth("127.0.0.1", strong, weak.load_dictionary(), rate=1000, timeout=2) == []
    weak_port = serve(fake_redis("123456"))
    assert weak.redis_auth("127.0.0.1", weak_port, weak.load_dictionary(), rate=1000, timeout=2) == ["default"]


def test_unreachable_service_is_not_probed() -> None:
    port = closed_port()
    assert unauth.probe_redis("127.0.0.1", port, 1) is None
    assert unauth.probe_mongodb("127.0.0.1", port, 1) is None
    assert unauth.probe_elasticsearch("127.0.0.1", port, 1) is None
    assert weak.redis_auth("127.0.0.1", port, weak.load_dictionary(), rate=1000, timeout=1) is None
    services = [{"port": port, "proto": "tcp", "name": "redis"}]
    assert unauth.probe_unauthenticated("127.0.0.1", services, timeout=1) is None


def bson_with_array(ok: float, extra: bytes = b"") -> bytes:
    """{databases: [{name: "admin"}], ok: <ok>} built by hand: the nested array must be skipped."""
    inner = unauth.bson_document({"name": "admin"})
    array = struct.pack("<i", 5 + 3 + len(inner)) + b"\x030\x00" + inner + b"\x00"
    body = b"\x04databases\x00" + array + b"\x01ok\x00" + struct.pack("<d", ok) + extra
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def fake_mongodb(ok: float, *, legacy: bool = False) -> Handler:
    def handle(conn: socket.socket) -> None:
        request = conn.recv(65536)
        opcode = struct.unpack_from("<i", request, 12)[0]
        document = bson_with_array(ok)
        if opcode == unauth.OP_MSG and not legacy:
            body = struct.pack("<I", 0) + b"\x00" + document
            conn.sendall(struct.pack("<iiii", 16 + len(body), 9, 1, unauth.OP_MSG) + body)
        elif opcode == unauth.OP_QUERY and legacy:
            body = struct.pack("<iqii", 8, 0, 0, 1) + document
            conn.sendall(struct.pack("<iiii", 16 + len(body), 9, 1, unauth.OP_REPLY) + body)
        # anything else: close without a word, like mongod before 3.6 does for OP_MSG

    return handle


def test_mongodb_list_databases(serve: Callable[[Handler], int]) -> None:
    assert unauth.probe_mongodb("127.0.0.1", serve(fake_mongodb(1.0)), 2) == {"unauthenticated": True}
    assert unauth.probe_mongodb("127.0.0.1", serve(fake_mongodb(0.0)), 2) == {"unauthenticated": False}
    assert unauth.probe_mongodb("127.0.0.1", serve(fake_mongodb(1.0, legacy=True)), 2) == {"unauthenticated": True}


def test_bson_round_trip_and_truncated_input() -> None:
    document = unauth.bson_document({"listDatabases": 1, "nameOnly": True, "$db": "admin", "x": 2.5})
    assert unauth.bson_top_level(document) == {"listDatabases": 1, "nameOnly": True, "$db": "admin", "x": 2.5}
    assert unauth.bson_top_level(bson_with_array(1.0)) == {"ok": 1.0}
    assert unauth.bson_top_level(document[:9]) == {}


def fake_http(status: str, body: bytes) -> Handler:
    def handle(conn: socket.socket) -> None:
        conn.recv(4096)
        head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body)

    return handle


def test_elasticsearch_open_and_protected(serve: Callable[[Handler], int]) -> None:
    cluster = json.dumps({"name": "node-1", "cluster_name": "campus", "tagline": "You Know, for Search"}).encode()
    assert unauth.probe_elasticsearch("127.0.0.1", serve(fake_http("200 OK", cluster)), 2) == {"unauthenticated": True}
    refused = b'{"error":{"type":"security_exception"},"status":401}'
    assert unauth.probe_elasticsearch("127.0.0.1", serve(fake_http("401 Unauthorized", refused)), 2) == {
        "unauthenticated": False
    }
    other = serve(fake_http("200 OK", b"<html>portal</html>"))
    assert unauth.probe_elasticsearch("127.0.0.1", other, 2) == {"unauthenticated": False}


def test_unauthenticated_fact_from_services(serve: Callable[[Handler], int]) -> None:
    redis_port = serve(fake_redis(None))
    protected = serve(fake_redis("k3-Very-Long-Unlisted"))
    services = [
        {"port": redis_port, "proto": "tcp", "name": "redis"},
        {"port": protected, "proto": "tcp", "name": "redis"},
        {"port": 80, "proto": "tcp", "name": "http"},
    ]
    assert unauth.probe_unauthenticated("127.0.0.1", services, timeout=2) == [
        {"service": "redis", "port": redis_port, "version": "6.2.14"}
    ]
    assert unauth.probe_unauthenticated("127.0.0.1", [{"port": 80, "name": "http"}], timeout=2) == []


def fake_ftp(password: str | None, attempts: list[str]) -> Handler:
    """220 greeting, then USER/PASS (or, with ``password`` None, silence after the greeting)."""

    def handle(conn: socket.socket) -> None:
        conn.sendall(b"220 (vsFTPd 3.0.3)\r\n")
        if password is None:
            conn.recv(4096)
            return
        reader = conn.makefile("rb")
        while line := reader.readline():
            command, _, argument = line.decode().strip().partition(" ")
            if command == "USER":
                attempts.append(argument)
                conn.sendall(b"331 Please specify the password.\r\n")
            elif command == "PASS":
                ok = argument == password and attempts[-1] == "teacher"
                conn.sendall(b"230 Login successful.\r\n" if ok else b"530 Login incorrect.\r\n")
            elif command == "QUIT":
                conn.sendall(b"221 Goodbye.\r\n")
                return

    return handle


def test_ftp_dictionary_login(serve: Callable[[Handler], int]) -> None:
    attempts: list[str] = []
    port = serve(fake_ftp("123456", attempts))
    pairs = weak.load_dictionary("root/a\nroot/b\nroot/c\nroot/d\nteacher/x\nteacher/123456\nteacher/y\n")
    assert weak.ftp_login("127.0.0.1", port, pairs, rate=1000, timeout=2) == ["teacher"]
    assert attempts == ["root", "root", "root", "teacher", "teacher"]  # 3 per account at most; stop once in
    silent = serve(fake_ftp(None, []))
    assert weak.ftp_login("127.0.0.1", silent, pairs, rate=1000, timeout=0.5) is None
    assert weak.ftp_login("127.0.0.1", closed_port(), pairs, rate=1000, timeout=0.5) is None


def test_ssh_probe_outcome_spares_guessing(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("ssh-brute should not run")

    monkeypatch.setattr(weak, "nmap_brute", never)
    services = [{"port": 22, "proto": "tcp", "name": "ssh"}]
    keys_only: dict[int, dict[str, Any] | None] = {22: {"port": 22, "password_auth": False}}
    assert weak.probe_weak_credentials("192.0.2.1", services, rate=1, timeout=1, ssh_facts=keys_only) == []
    silent: dict[int, dict[str, Any] | None] = {22: None}
    assert weak.probe_weak_credentials("192.0.2.1", services, rate=1, timeout=1, ssh_facts=silent) is None


def no_nmap() -> str:
    raise SecopsError("nmap is not installed")


# -- probe_host --------------------------------------------------------------------------------------
def test_without_nmap_the_nmap_probes_are_absent(
    monkeypatch: pytest.MonkeyPatch, serve: Callable[[Handler], int]
) -> None:
    monkeypatch.setattr(nmap_runner, "nmap_path", no_nmap)
    redis_port = serve(fake_redis(None))
    services = [
        {"port": 22, "proto": "tcp", "name": "ssh"},
        {"port": 443, "proto": "tcp", "name": "https"},
        {"port": redis_port, "proto": "tcp", "name": "redis"},
    ]
    facts = probes.probe_host("127.0.0.1", services, timeout=2, rate=1000)
    assert "tls" not in facts
    assert "ssh" not in facts
    assert facts["unauthenticated"] == [{"service": "redis", "port": redis_port, "version": "6.2.14"}]
    assert facts["weak_credentials"] == []  # Redis was tried (nothing to guess: no password); SSH could not be
    facts = probes.probe_host("127.0.0.1", services[:2], credentials=False, timeout=2)
    assert facts == {"unauthenticated": []}


def test_nothing_to_probe_is_empty_not_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nmap_runner, "nmap_path", no_nmap)
    assert probes.probe_host("127.0.0.1", [{"port": 80, "proto": "tcp", "name": "http"}]) == {
        "tls": [],
        "unauthenticated": [],
        "weak_credentials": [],
    }


def test_bad_input_is_refused() -> None:
    with pytest.raises(SecopsError, match="not an IP address"):
        probes.probe_host("-iL /etc/passwd", [])
    with pytest.raises(SecopsError, match="positive"):
        probes.probe_host("127.0.0.1", [], rate=0)
