"""The center against hostile clients, each case on a real uvicorn server on loopback with its bound.

Most cases share one center run as its own process (``secops.center.server.serve``, the code
``secops center serve`` runs), so its memory is read from /proc/PID/status without the test's
own allocations in it. The peak (VmHWM) is compared before and after each attack. The trusted-
proxy and connection-cap cases run a server in a thread with the same uvicorn settings.
"""

from __future__ import annotations

import re
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from secops.center.app import create_app
from secops.center.context import CenterContext
from secops.center.open import open_center
from secops.center.schools import add_school
from secops.center.server import uvicorn_config
from secops.center.settings import CenterSettings, Limits
from secops.center.staff import add_user
from secops.protocol import signing
from secops.protocol.compliance import COMPLIANCE_PATH
from tests.unit.center import alert, body_of

SCHOOL = "4111010001"
PASSWORD = "duty-password-2026"
HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 2.0
SLACK = 1.5  # scheduling on a shared 2-core runner
MB = 1024 * 1024
SETTINGS = f"""
limits:
  header_timeout_seconds: {HEADER_TIMEOUT}
  body_timeout_seconds: {BODY_TIMEOUT}
  max_connections: 200
"""
RUNNER = (
    "import sys; from pathlib import Path; from secops.center.open import open_center; "
    "from secops.center.server import serve; "
    "serve(open_center(Path(sys.argv[1])), port=int(sys.argv[2]), log_level='warning')"
)


@dataclass(frozen=True)
class Center:
    url: str
    port: int
    pid: int
    key: signing.SchoolKey


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kb(pid: int, field: str = "VmHWM") -> int:
    """Peak (VmHWM) or current (VmRSS) resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def prepare_home(home: Path, settings: str = SETTINGS) -> signing.SchoolKey:
    home.mkdir(parents=True, exist_ok=True)
    (home / "center.yaml").write_text(settings)
    ctx = open_center(home)
    try:
        now = datetime.now(UTC)
        key = add_school(ctx.state, SCHOOL, "测试学校", ctx.secret, now)
        add_user(ctx.state, "duty", PASSWORD, now)
    finally:
        ctx.close()
    return key


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Center]:
    home = tmp_path_factory.mktemp("center")
    key = prepare_home(home)
    port = free_port()
    with (home / "server.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(home), str(port)], stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the center did not start: " + (home / "server.log").read_text())
                time.sleep(0.1)
            yield Center(url=url, port=port, pid=proc.pid, key=key)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def center_in_thread(ctx: CenterContext) -> Iterator[str]:
    """The app under the center's own uvicorn settings in this process (for cases needing other settings)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(ctx), ctx.settings, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the center did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def signed_post(center: Center, body: bytes, path: str = signing.ALERTS_PATH, **headers: str) -> httpx.Response:
    signed = signing.signed_headers(center.key, SCHOOL, body, now=time.time(), path=path)
    return httpx.post(center.url + path, content=body, headers={**signed, **headers}, timeout=10)


def request_head(path: str, length: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def wait_closed(sock: socket.socket, within: float) -> tuple[float, bytes]:
    """Seconds until the server closed ``sock`` (reading what it said); fails past ``within``."""
    start = time.monotonic()
    said = b""
    while time.monotonic() - start < within:
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                got = sock.recv(65536)
            except ConnectionResetError:
                return time.monotonic() - start, said
            if not got:
                return time.monotonic() - start, said
            said += got
    raise AssertionError(f"still open after {within} s; the server said {said[:200]!r}")


def test_a_strangers_5_mb_bodies_are_never_read(center: Center) -> None:
    """40 connections at once announce 5 MB bodies and push them as fast as the server takes
    them: no signature headers, or a well-formed signature under an unknown key. Each is
    answered 401 from its headers and closed; the server's peak memory hardly moves."""
    peak_before = memory_kb(center.pid)
    size = 5 * MB
    chunk = b"x" * 65536

    def stranger(n: int) -> tuple[bytes, bool, float]:
        headers = {"Content-Type": "application/json"}
        if n % 2:
            headers.update(
                {
                    signing.HEADER_SCHOOL: SCHOOL,
                    signing.HEADER_KEY_ID: "0123456789ab",
                    signing.HEADER_TIMESTAMP: str(int(time.time())),
                    signing.HEADER_NONCE: signing.new_nonce(),
                    signing.HEADER_SIGNATURE: "0" * 64,
                }
            )
        sock = socket.create_connection(("127.0.0.1", center.port), timeout=10)
        start = time.monotonic()
        said, sent, closed = b"", 0, False
        try:
            sock.sendall(request_head(signing.ALERTS_PATH, size, headers))
            while time.monotonic() - start < 10:
                readable, writable, _ = select.select([sock], [sock] if sent < size else [], [], 0.5)
                if readable:
                    got = sock.recv(65536)
                    if not got:
                        closed = True
                        break
                    said += got
                elif writable:
                    sent += sock.send(chunk[: size - sent])
        except (ConnectionResetError, BrokenPipeError):
            closed = True
        finally:
            sock.close()
        return said, closed, time.monotonic() - start

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(stranger, range(40)))
    assert all(closed for _, closed, _ in results), "the server kept a stranger's connection open"
    assert max(elapsed for _, _, elapsed in results) < 5
    # The close lingers (FIN after the answer, the rest discarded), so the answer is read, not a reset.
    answered = [said for said, _, _ in results if said.startswith(b"HTTP/1.1 401 ")]
    assert len(answered) == 40, [said[:40] for said, _, _ in results]
    growth_mb = (memory_kb(center.pid) - peak_before) / 1024
    assert growth_mb < 150, f"peak memory grew {growth_mb:.0f} MB"
    assert signed_post(center, body_of([alert(1)])).status_code == 200  # still serving


def test_slow_or_silent_headers_are_cut_off(center: Center) -> None:
    silent = socket.create_connection(("127.0.0.1", center.port), timeout=5)
    dripping = socket.create_connection(("127.0.0.1", center.port), timeout=5)
    head = request_head(signing.ALERTS_PATH, 10) + b"X-Padding: " + b"a" * 100

    def drip() -> None:
        for byte in head:
            try:
                dripping.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()
    try:
        took, said = wait_closed(silent, HEADER_TIMEOUT + SLACK)
        assert said == b"" and took >= HEADER_TIMEOUT - 0.2
        took, said = wait_closed(dripping, HEADER_TIMEOUT + SLACK)
        assert said == b""
    finally:
        silent.close()
        dripping.close()


def test_a_slow_body_is_answered_408_and_closed(center: Center) -> None:
    """A school's correctly signed request whose body drips in (1 byte every 0.2 s), and the
    same on the login form (no signature there): 408 within the body deadline, then closed."""
    body = body_of([alert(2)])
    signed = signing.signed_headers(center.key, SCHOOL, body, now=time.time())
    for head, rest in (
        (request_head(signing.ALERTS_PATH, len(body), signed), body),
        (request_head("/login", 200, {"Content-Type": "application/x-www-form-urlencoded"}), b"u" * 200),
    ):
        sock = socket.create_connection(("127.0.0.1", center.port), timeout=5)
        sock.sendall(head + rest[:10])
        stop = threading.Event()

        def drip(sock: socket.socket = sock, rest: bytes = rest, stop: threading.Event = stop) -> None:
            for byte in rest[10:]:
                if stop.wait(0.2):
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return

        threading.Thread(target=drip, daemon=True).start()
        try:
            took, said = wait_closed(sock, BODY_TIMEOUT + SLACK)
        finally:
            stop.set()
            sock.close()
        assert said.startswith(b"HTTP/1.1 408 "), said[:200]
        assert b"did not arrive within" in said and took >= BODY_TIMEOUT - 0.2


def deep(levels: int) -> bytes:
    return b'{"alerts": [' + b'{"a":' * levels + b"1" + b"}" * levels + b"]}"


def test_deep_json_is_400_and_leaves_the_nonce_unused(center: Center) -> None:
    for levels in (70, 300, 100_000):  # past our bound, past orjson's writer (~254), past recursion
        answer = signed_post(center, deep(levels))
        assert answer.status_code == 400 and "deeper than 64 levels" in answer.json()["error"], answer.text
    strings = b'{"alerts": [{"message": "' + b"[{" * 500 + b'", "x": 1}]}'  # brackets in strings do not count
    assert "deeper" not in signed_post(center, strings).text

    # The refused request's nonce is still good for a correct body signed with it; a replay then gets 409.
    refused_headers = signing.signed_headers(center.key, SCHOOL, deep(300), now=time.time())
    assert httpx.post(center.url + signing.ALERTS_PATH, content=deep(300), headers=refused_headers).status_code == 400
    body = body_of([alert(3)])
    timestamp, nonce = refused_headers[signing.HEADER_TIMESTAMP], refused_headers[signing.HEADER_NONCE]
    signature = signing.sign(signing.signing_key(center.key), "POST", signing.ALERTS_PATH, timestamp, nonce, body)
    again = {**refused_headers, signing.HEADER_SIGNATURE: signature}
    assert httpx.post(center.url + signing.ALERTS_PATH, content=body, headers=again).status_code == 200
    replay = httpx.post(center.url + signing.ALERTS_PATH, content=body, headers=again)
    assert replay.status_code == 409 and "replayed" in replay.json()["error"]

    nested = b'{"school": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"  # RecursionError in json.loads before
    answer = signed_post(center, nested, path=COMPLIANCE_PATH)
    assert answer.status_code == 400 and "deeper than 64 levels" in answer.json()["error"]


def login(client: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert match, page.text[:300]
    form = {"username": username, "password": password, "csrf": match.group(1), "next": "/"}
    return client.post("/login", data=form, headers=headers)


def test_out_of_range_dashboard_filters_answer_400(center: Center) -> None:
    with httpx.Client(base_url=center.url, timeout=10) as client:
        assert login(client, "duty", PASSWORD).status_code == 303
        for since in ("0001-01-01", "9999-12-31T23:59:59-23:59", "1900-01-01", "2100-01-01", "36500d"):
            answer = client.get("/alerts", params={"since": since})
            assert answer.status_code == 400 and "超出范围" in answer.text, since
        for since in ("2000-01-01", "2099-12-31", "9999h"):  # the edges as written, in Beijing time
            assert client.get("/alerts", params={"since": since}).status_code == 200, since
        malformed = client.get("/alerts", params={"since": "yesterday"})
        assert malformed.status_code == 400 and "格式应为" in malformed.text
        assert client.get("/alerts", params={"since": "24h", "page": "²" + "9" * 5000}).status_code == 200


def test_a_login_flood_gets_429s_and_ingestion_stays_fast(center: Center) -> None:
    """40 threads post logins with made-up names (and made-up X-Forwarded-For, which nobody
    trusts here), each 5 a second (up to 200/s; flat out, 40 Python threads would mostly measure
    this process's own GIL); signed alert posts in the middle still answer within 1 s and the
    server's peak memory stays within 150 MB of where it was."""
    peak_before = memory_kb(center.pid)
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def flooder() -> None:
        with httpx.Client(base_url=center.url, timeout=30) as client:
            page = client.get("/login")
            match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
            assert match
            while not stop.is_set():
                form = {"username": secrets.token_hex(6), "password": "guess-123456", "csrf": match.group(1)}
                forged = f"10.{secrets.randbelow(255)}.{secrets.randbelow(255)}.{secrets.randbelow(255)}"
                answer = client.post("/login", data=form, headers={"X-Forwarded-For": forged})
                with lock:
                    statuses[answer.status_code] += 1
                stop.wait(0.2)

    threads = [threading.Thread(target=flooder, daemon=True) for _ in range(40)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        latencies = []
        for n in range(6):
            start = time.monotonic()
            answer = signed_post(center, body_of([alert(100 + n)]))
            latencies.append(time.monotonic() - start)
            assert answer.status_code == 200, answer.text
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert max(latencies) < 1.0, latencies
    assert statuses[429] > statuses[401] and not any(code >= 500 for code in statuses), statuses
    growth_mb = (memory_kb(center.pid) - peak_before) / 1024
    assert growth_mb < 150, f"peak memory grew {growth_mb:.0f} MB"


def attempts(url: str, count: int) -> list[tuple[int, str]]:
    """``count`` failed logins one after another, each with a new name and a new X-Forwarded-For."""
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(count):
            answer = login(client, f"nobody{n}", "wrong-password-1", **{"X-Forwarded-For": f"203.0.113.{n + 1}"})
            out.append((answer.status_code, answer.text))
    return out


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]], ids=["untrusted", "trusted-proxy"])
def test_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path: Path, trusted: list[str]) -> None:
    prepare_home(tmp_path)
    ctx = open_center(tmp_path)
    ctx.settings = CenterSettings(trusted_proxies=trusted)
    try:
        with center_in_thread(ctx) as url:
            answers = attempts(url, 24)
    finally:
        ctx.close()
    throttled = [n for n, (status, text) in enumerate(answers) if status == 429 and "失败次数过多" in text]
    if trusted:  # each attempt came "from" another address behind the proxy: no per-address limit reached
        assert not throttled and {status for status, _ in answers} == {401}
    else:  # the header is ignored: all 24 come from 127.0.0.1, throttled after 20 failures
        assert throttled and throttled[0] == 20, [status for status, _ in answers]


def test_connections_beyond_the_cap_are_answered_503(tmp_path: Path) -> None:
    prepare_home(tmp_path)
    ctx = open_center(tmp_path)
    ctx.settings = CenterSettings(limits=Limits(max_connections=10))
    try:
        with center_in_thread(ctx) as url:
            port = int(url.rsplit(":", 1)[1])
            idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(10)]
            time.sleep(0.2)
            try:
                assert httpx.get(url + "/api/v1/health", timeout=5).status_code == 503
            finally:
                for sock in idle:
                    sock.close()
            time.sleep(0.2)
            assert httpx.get(url + "/api/v1/health", timeout=5).status_code == 200
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("peer", "headers", "seen"),
    [
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.7"}, "127.0.0.1"),  # loopback is no proxy unless listed
        ("10.0.0.2", {"x-forwarded-for": "203.0.113.7"}, "203.0.113.7"),
        ("10.0.0.2", {"x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.0.0.9"}, "203.0.113.7"),  # forged left part
        ("10.0.0.2", {"forwarded": 'for="[2001:db8::1]:4711";proto=https'}, "2001:db8::1"),
        ("10.0.0.2", {"x-real-ip": "203.0.113.8:5555"}, "203.0.113.8"),
        ("10.0.0.2", {"x-forwarded-for": "not-an-address"}, "10.0.0.2"),
        ("10.0.0.2", {}, "10.0.0.2"),
    ],
)
def test_client_address_believes_only_trusted_proxies(peer: str, headers: dict[str, str], seen: str) -> None:
    from secops.center.guard import client_address, networks

    assert client_address(peer, headers, networks(["10.0.0.0/24"])) == seen
    assert client_address(peer, headers, ()) == peer  # nothing trusted: the peer, always


def test_center_yaml_refuses_a_bad_trusted_proxy(tmp_path: Path) -> None:
    from secops.center.settings import load_settings
    from secops.errors import ContentError

    (tmp_path / "center.yaml").write_text("trusted_proxies: [10.0.0.0/8, nope]\n")
    with pytest.raises(ContentError, match="trusted_proxies"):
        load_settings(tmp_path)
