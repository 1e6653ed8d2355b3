"""The center under attack on loopback: memory under strangers' big bodies, ingestion latency under a
login flood (issue 17: 60 unauthenticated 5 MB bodies grew the center from 76 to 439 MB; a login
flood made a signed alert post take 12 s).

1. Peak RSS growth of the center process (/proc/PID/status VmHWM) while --strangers connections at
   once announce 5 MB bodies without a valid signature and push them as fast as the center takes
   them. Baseline: the same number of small signed alert posts at once, in the same run. Target:
   growth < 150 MB.
2. p95 latency of signed alert posts (one every 0.1 s) while another process sends --rate login
   attempts a second with made-up user names. Baseline: the same posts without the flood, in the
   same run. Target: p95 < 0.5 s.

The center is `secops.center.server.serve` (what `secops center serve` runs) in a process of its own.

Run: .venv/bin/python bench/center_hostile.py [--strangers 40] [--rate 100] [--posts 60]
"""

from __future__ import annotations

import argparse
import re
import secrets
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

from secops.center.open import open_center
from secops.center.schools import add_school
from secops.protocol import signing

SCHOOL = "4111010001"
MB = 1024 * 1024
RUNNER = (
    "import sys; from pathlib import Path; from secops.center.open import open_center; "
    "from secops.center.server import serve; "
    "serve(open_center(Path(sys.argv[1])), port=int(sys.argv[2]), log_level='warning')"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def peak_mb(pid: int) -> float:
    return memory_mb(pid, "VmHWM")


class RssGrowth:
    """Highest VmRSS seen (sampled every 5 ms) minus VmRSS at the start: the start-up peak that
    VmHWM remembers would hide a phase's growth."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = memory_mb(pid)
        self.high = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.high = max(self.high, memory_mb(self.pid))

    def done(self) -> float:
        self._stop.set()
        self._thread.join()
        self.high = max(self.high, memory_mb(self.pid))
        return self.high - self.start


def alert_body(n: int) -> bytes:
    alert = {
        "@timestamp": datetime.now(UTC).isoformat(),
        "message": f"Webshell upload attempt #{n}",
        "rule": {"name": "Webshell upload", "id": "edu-webshell-upload"},
        "host": {"name": f"web-{n % 7}"},
        "secops": {"severity": "high"},
    }
    import json

    return json.dumps({"alerts": [alert]}).encode()


def signed_post(url: str, key: signing.SchoolKey, n: int) -> tuple[int, float]:
    body = alert_body(n)
    start = time.perf_counter()
    answer = httpx.post(
        url + signing.ALERTS_PATH,
        content=body,
        headers=signing.signed_headers(key, SCHOOL, body, now=time.time()),
        timeout=60,
    )
    return answer.status_code, time.perf_counter() - start


def stranger(port: int, n: int) -> str:
    """Announce 5 MB, push it as fast as the center reads; returns the status line (or 'reset')."""
    size, chunk = 5 * MB, b"x" * 65536
    head = f"POST {signing.ALERTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
    if n % 2:  # a well-formed signature under an unknown key
        head += f"{signing.HEADER_SCHOOL}: {SCHOOL}\r\n{signing.HEADER_KEY_ID}: 0123456789ab\r\n"
        head += f"{signing.HEADER_TIMESTAMP}: {int(time.time())}\r\n{signing.HEADER_NONCE}: {signing.new_nonce()}\r\n"
        head += f"{signing.HEADER_SIGNATURE}: {'0' * 64}\r\n"
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    said, sent = b"", 0
    try:
        sock.sendall((head + "\r\n").encode())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if sent < size else [], [], 0.5)
            if readable:
                got = sock.recv(65536)
                if not got:
                    break
                said += got
            elif writable:
                sent += sock.send(chunk[: size - sent])
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        sock.close()
    return said.split(b"\r\n", 1)[0].decode() if said else "reset"


def flood(url: str, rate: float, seconds: float) -> None:
    """Login attempts with made-up names at ``rate`` a second (20 threads), then print the statuses."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    end = time.monotonic() + seconds
    threads = 20

    def attacker() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            match = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/login").text)
            assert match
            pause = threads / rate
            next_at = time.monotonic()
            while time.monotonic() < end:
                form = {"username": secrets.token_hex(6), "password": "guess-123456", "csrf": match.group(1)}
                code = client.post("/login", data=form).status_code
                with lock:
                    statuses[code] += 1
                next_at += pause
                time.sleep(max(0.0, next_at - time.monotonic()))

    workers = [threading.Thread(target=attacker) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(" ".join(f"{code}:{count}" for code, count in sorted(statuses.items())), flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def latencies(url: str, key: signing.SchoolKey, posts: int, first: int) -> list[float]:
    out = []
    for n in range(posts):
        status, took = signed_post(url, key, first + n)
        assert status == 200, status
        out.append(took)
        time.sleep(0.1)
    return out


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--flood":
        flood(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strangers", type=int, default=40)
    parser.add_argument("--rate", type=float, default=100.0, help="login attempts a second during the flood")
    parser.add_argument("--posts", type=int, default=60, help="signed posts measured with and without the flood")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="secops-bench-center-") as folder:
        home = Path(folder)
        ctx = open_center(home)
        key = add_school(ctx.state, SCHOOL, "基准测试学校", ctx.secret, datetime.now(UTC))
        ctx.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-c", RUNNER, str(home), str(port)], stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the center did not start")
                time.sleep(0.1)
            print(f"center pid {server.pid}, peak RSS at start {peak_mb(server.pid):.0f} MB")

            # 1. Memory: small signed posts (baseline), then strangers' 5 MB bodies, all at once.
            sampler = RssGrowth(server.pid)
            with ThreadPoolExecutor(args.strangers) as pool:
                codes = Counter(code for code, _ in pool.map(lambda n: signed_post(url, key, n), range(args.strangers)))
            base_growth = sampler.done()
            sampler = RssGrowth(server.pid)
            hwm_before = peak_mb(server.pid)
            start = time.monotonic()
            with ThreadPoolExecutor(args.strangers) as pool:
                answers = Counter(pool.map(lambda n: stranger(port, n), range(args.strangers)))
            took = time.monotonic() - start
            growth = sampler.done()
            print(f"center VmHWM before/after the attack: {hwm_before:.0f} / {peak_mb(server.pid):.0f} MB")
            print(f"baseline  {args.strangers} small signed posts at once: RSS +{base_growth:6.1f} MB  {dict(codes)}")
            print(
                f"attack    {args.strangers} strangers announcing 5 MB:   RSS +{growth:6.1f} MB  "
                f"(all answered/closed in {took:.1f} s) {dict(answers)}"
            )
            print(
                f"ratio attack / baseline growth: {growth / max(base_growth, 0.1):.2f}x "
                f"(+{growth - base_growth:.1f} MB; target: growth < 150 MB) {'PASS' if growth < 150 else 'FAIL'}"
            )

            # 2. Latency: signed posts alone (baseline), then during a login flood from another process.
            quiet = latencies(url, key, args.posts, 1000)
            seconds = args.posts * 0.12 + 3
            attacker = subprocess.Popen(
                [sys.executable, __file__, "--flood", url, str(args.rate), str(seconds)],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(1.5)  # let the flood reach its rate (and the throttle its limits)
            loud = latencies(url, key, args.posts, 2000)
            said, _ = attacker.communicate(timeout=seconds + 60)
            print(
                f"baseline  signed post without flood: p50 {statistics.median(quiet) * 1000:6.1f} ms  "
                f"p95 {p95(quiet) * 1000:6.1f} ms"
            )
            print(
                f"flood     signed post during {args.rate:.0f} logins/s: p50 {statistics.median(loud) * 1000:6.1f} ms  "
                f"p95 {p95(loud) * 1000:6.1f} ms  (login answers {said.strip()})"
            )
            print(
                f"ratio flood / baseline p95: {p95(loud) / p95(quiet):.2f}x (target: p95 < 500 ms) "
                f"{'PASS' if p95(loud) < 0.5 else 'FAIL'}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
