"""`secops assets` against real services on loopback with the real nmap."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

pytestmark = pytest.mark.skipif(
    shutil.which("nmap") is None, reason="nmap is not installed; scripts/install.sh installs it"
)
SECOPS = Path(sys.executable).parent / "secops"
HOSTILE = b"\x1b[2J\x1b[31mEVIL\x07 banner\x00\xff\xfe" + b"A" * 5000 + b"\r\n"


class Listener:
    """A TCP service on 127.0.0.1 that greets every client with a banner."""

    def __init__(self, banner: bytes = b"220 (vsFTPd 3.0.3)\r\n") -> None:
        self.banner = banner
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                client.sendall(self.banner)
            except OSError:
                pass
            finally:
                client.close()

    def close(self) -> None:
        # shutdown wakes the thread blocked in accept(); close alone leaves the port listening.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=2)


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    started = [Listener(), Listener()]
    yield started
    for listener in started:
        listener.close()


def _profile(tmp_path: Path, ports: list[int], **extra: object) -> str:
    path = tmp_path / "loopback.yml"
    fields = {
        "id": "loopback",
        "description": "test services on loopback",
        "ports": ",".join(map(str, ports)),
        "timing": 4,
        **extra,
    }
    lines = [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def loopback(run_cli: Invoke) -> Invoke:
    result = run_cli("init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.0/24")
    assert result.exit_code == 0, result.output
    return run_cli


def test_discover_then_changes_then_export(loopback: Invoke, listeners: list[Listener], tmp_path: Path) -> None:
    profile = _profile(tmp_path, [listeners[0].port, listeners[1].port])

    first = loopback("assets", "discover", "127.0.0.1", "--profile", profile, "--format", "json")
    assert first.exit_code == 1, first.output  # a new host is an alert
    summary = json.loads(first.stdout)
    assert [c["change"] for c in summary["changes"]] == ["host_new"]
    assert {a["rule"] for a in summary["alerts"]} == {"new-host"}

    reopened = Listener()
    try:
        profile = _profile(tmp_path, [listeners[0].port, listeners[1].port, reopened.port])
        listeners[1].close()
        second = loopback("assets", "discover", "127.0.0.1", "--profile", profile, "--format", "json")
    finally:
        reopened.close()
    changes = {(c["change"], c.get("port")) for c in json.loads(second.stdout)["changes"]}
    assert ("port_opened", reopened.port) in changes
    assert ("port_closed", listeners[1].port) in changes

    listed = json.loads(loopback("assets", "list", "--format", "json").stdout)
    assert [a["ipv4"] for a in listed] == ["127.0.0.1"]
    assert sorted(s["port"] for s in listed[0]["services"]) == sorted([listeners[0].port, reopened.port])

    diff = json.loads(loopback("assets", "diff", "--format", "json").stdout)
    assert {d["change"] for d in diff} == {"port_opened", "port_closed"}
    runs = json.loads(loopback("assets", "runs", "--format", "json").stdout)
    assert [r["status"] for r in runs] == ["completed", "completed"]

    tagged = loopback("assets", "tag", "127.0.0.1", "--owner", "信息中心", "--system", "portal", "--type", "server")
    assert tagged.exit_code == 0 and "信息中心" in tagged.stdout
    assert (
        json.loads(loopback("assets", "list", "--system", "portal", "--format", "json").stdout)[0]["owner"]
        == "信息中心"
    )

    for suffix in ("csv", "xlsx", "json"):
        out = tmp_path / f"inventory.{suffix}"
        assert loopback("assets", "export", "-o", str(out)).exit_code == 0
        assert out.stat().st_size > 0
    assert "127.0.0.1" in (tmp_path / "inventory.csv").read_text(encoding="utf-8-sig")
    assert json.loads((tmp_path / "inventory.json").read_text(encoding="utf-8"))[0]["system"] == "portal"


def test_out_of_scope_target_is_refused_before_any_scan(loopback: Invoke, tmp_path: Path) -> None:
    result = loopback("assets", "discover", "127.0.1.1")
    assert result.exit_code == 2 and "outside the workspace scope" in result.stderr
    assert json.loads(loopback("assets", "runs", "--format", "json").stdout) == []


def test_time_window_refusal_and_force(loopback: Invoke, tmp_path: Path, listeners: list[Listener]) -> None:
    never = _profile(tmp_path, [listeners[0].port], windows=[{"days": ["mon"], "start": "00:00", "end": "00:00"}])
    refused = loopback("assets", "discover", "127.0.0.1", "--profile", never)
    assert refused.exit_code == 2 and "may not run now" in refused.stderr
    assert loopback("assets", "discover", "127.0.0.1", "--profile", never, "--force").exit_code == 1


def test_unknown_profile_and_missing_nmap(loopback: Invoke, tmp_path: Path) -> None:
    unknown = loopback("assets", "discover", "--profile", "nosuch")
    assert unknown.exit_code == 2 and "known profiles:" in unknown.stderr
    if not SECOPS.exists():
        pytest.skip("the secops console script is not installed")
    env = {**os.environ, "PATH": str(SECOPS.parent), "SECOPS_HOME": str(tmp_path / "ws")}
    missing = subprocess.run([str(SECOPS), "assets", "discover"], env=env, capture_output=True, text=True)
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == "secops: error: nmap is not installed (apt-get install nmap (scripts/install.sh installs it))"
    )


def test_hostile_banner_is_stored_and_shown_escaped(loopback: Invoke, tmp_path: Path) -> None:
    evil = Listener(HOSTILE)
    try:
        profile = _profile(tmp_path, [evil.port], banners=True)
        assert loopback("assets", "discover", "127.0.0.1", "--profile", profile).exit_code == 1
    finally:
        evil.close()
    shown = loopback("assets", "show", "127.0.0.1")
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    as_json = json.loads(loopback("assets", "show", "127.0.0.1", "--format", "json").stdout)
    banner = as_json["services"][0]["banner"]
    assert "EVIL" in banner and len(banner) <= 2048


def test_interrupted_scan_leaves_the_inventory_unchanged(loopback: Invoke, tmp_path: Path) -> None:
    if not SECOPS.exists():
        pytest.skip("the secops console script is not installed")
    before = loopback("assets", "list", "--format", "json").stdout
    slow = _profile(tmp_path, list(range(20000, 20200)), timing=1, scan_delay_ms=500, max_parallelism=1)
    env = {**os.environ, "SECOPS_HOME": str(tmp_path / "ws")}
    process = subprocess.Popen(
        [str(SECOPS), "assets", "discover", "127.0.0.1", "--profile", slow],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        runs = json.loads(loopback("assets", "runs", "--format", "json").stdout)
        if runs and runs[0]["status"] == "running":
            break
        time.sleep(0.2)
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    runs = json.loads(loopback("assets", "runs", "--format", "json").stdout)
    assert runs[0]["status"] == "aborted"
    assert loopback("assets", "list", "--format", "json").stdout == before
    leftover = subprocess.run(["pgrep", "-f", "20000-20199|20000,20001"], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_asset_report_shows_inventory_risks_and_changes_since_last(
    loopback: Invoke, listeners: list[Listener], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    redis_like = Listener(b"-ERR unknown command\r\n")
    try:
        profile = _profile(tmp_path, [listeners[0].port, redis_like.port])
        assert loopback("assets", "discover", "127.0.0.1", "--profile", profile).exit_code == 1
    finally:
        redis_like.close()
    first = tmp_path / "assets.pdf"
    assert (
        loopback(
            "report", "build", "assets", "--lang", "zh", "-o", str(first), "-o", str(tmp_path / "assets.xlsx")
        ).exit_code
        == 0
    )
    text = subprocess.run(["pdftotext", str(first), "-"], capture_output=True, text=True, check=True).stdout
    assert "网络资产梳理报告" in text and "127.0.0.1" in text and "全部历史变化，共 1 项" in text
    # Nothing changed since: the next report says so.
    second = tmp_path / "again.html"
    assert loopback("report", "build", "assets", "--lang", "zh", "-o", str(second)).exit_code == 0
    assert "自上次生成本报告" in second.read_text(encoding="utf-8") and "共 0 项" in second.read_text(encoding="utf-8")


def test_nmap_errors_are_surfaced_and_the_run_marked_failed(loopback: Invoke, tmp_path: Path) -> None:
    profile = _profile(tmp_path, [22], nmap_args=["--no-such-nmap-option"])
    result = loopback("assets", "discover", "127.0.0.1", "--profile", profile)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("secops: error: nmap failed:") and result.stderr.count("\n") == 1
    runs = json.loads(loopback("assets", "runs", "--format", "json").stdout)
    assert runs[0]["status"] == "failed" and "nmap failed" in runs[0]["error"]
    assert json.loads(loopback("assets", "list", "--format", "json").stdout) == []


def test_a_scope_bigger_than_a_slash_16_needs_yes_or_targets(run_cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    init = run_cli("init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.0.0.0/15")
    assert init.exit_code == 0, init.output
    refused = run_cli("assets", "discover")
    assert refused.exit_code == 2, refused.output
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("secops: error: the scope (10.0.0.0/15)")
    assert "131,072 addresses" in refused.stderr and "--yes" in refused.stderr
    chinese = run_cli("--lang", "zh", "assets", "discover")
    assert chinese.exit_code == 2 and chinese.stderr.startswith("secops：错误：扫描范围（10.0.0.0/15）")
    assert "131,072 个地址" in chinese.stderr and "--yes" in chinese.stderr
    assert json.loads(run_cli("assets", "runs", "--format", "json").stdout) == []
    # With --yes (or explicit targets) the size check passes; the standard profile's time window
    # (Monday 10:00 is class time) then stops the scan, so nothing is sent from this test.
    monkeypatch.setenv("SECOPS_NOW", "2026-11-23T10:00:00+08:00")
    for args in (["--yes"], ["-y"], ["10.0.0.0/24"]):
        passed = run_cli("assets", "discover", "--profile", "standard", *args)
        assert passed.exit_code == 2 and "may not run now" in passed.stderr, (args, passed.stderr)
    assert json.loads(run_cli("assets", "runs", "--format", "json").stdout) == []


def test_plain_progress_is_one_line_every_30_seconds() -> None:
    from secops.cli.assets_cmd import PlainProgress
    from secops.discovery.progress import ScanProgress
    from secops.i18n import speaking

    now = [100.0]
    lines: list[str] = []
    plain = PlainProgress(lines.append, clock=lambda: now[0])
    update = ScanProgress(label="IPv4", total=65536, elapsed=60, hosts_done=16384, phase="Ping Scan")
    with speaking("zh"):  # the default outside the tests
        for step in (5.0, 20.0, 30.0, 31.0, 60.0):
            now[0] = 100.0 + step
            plain(update)
    assert len(lines) == 2
    assert lines[0] == "secops：扫描进度 IPv4：主机 16,384/65,536（25.0%） · Ping Scan · 预计剩余 0:03:00"
