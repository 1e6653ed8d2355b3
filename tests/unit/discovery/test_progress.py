"""nmap's statistics lines (``--stats-every``) read into progress: hosts, share done, time left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from secops.discovery.progress import ScanProgress, clock_text, describe, parse_progress_line, seconds
from secops.i18n import speaking

# Lines as nmap 7.93 printed them (loopback scans as root).
ONE_HOST = [
    "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-07 01:48 UTC",
    "Stats: 0:00:02 elapsed; 0 hosts completed (1 up), 1 undergoing SYN Stealth Scan",
    "SYN Stealth Scan Timing: About 32.57% done; ETC: 01:48 (0:00:04 remaining)",
    "Nmap scan report for 127.0.0.1",
]
GROUPS = [
    "Stats: 0:00:04 elapsed; 256 hosts completed (320 up), 64 undergoing SYN Stealth Scan",
    "SYN Stealth Scan Timing: About 52.89% done; ETC: 01:48 (0:00:00 remaining)",
]
NO_ETC = [
    "Stats: 0:00:11 elapsed; 0 hosts completed (1 up), 1 undergoing Service Scan",
    "Service scan Timing: About 0.00% done",
]


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with speaking("zh"):  # progress lines as people read them by default
        yield


def test_progress_in_english() -> None:
    progress = ScanProgress(label="IPv4", total=1024, elapsed=60, hosts_done=256, phase="Ping Scan")
    with speaking("en"):
        assert describe(progress).startswith("IPv4: hosts 256/1,024 (25.0%) · Ping Scan · ")
        assert describe(progress, label=False).startswith("hosts 256/1,024 (25.0%)")


def fold(lines: list[str], start: ScanProgress) -> ScanProgress:
    current = start
    for line in lines:
        current = parse_progress_line(line, current) or current
    return current


def test_one_host_uses_nmaps_own_estimate() -> None:
    progress = fold(ONE_HOST, ScanProgress(label="IPv4", total=1))
    assert (progress.elapsed, progress.hosts_done, progress.hosts_up, progress.hosts_active) == (2, 0, 1, 1)
    assert progress.phase == "SYN Stealth Scan" and progress.phase_percent == pytest.approx(32.57)
    assert progress.phase_remaining == 4 and progress.remaining == 4
    assert progress.fraction == pytest.approx(0.3257)
    assert describe(progress) == "IPv4：主机 0/1（32.6%） · SYN Stealth Scan 32.6% · 预计剩余 0:00:04"


def test_many_host_groups_extrapolate_from_elapsed_time() -> None:
    progress = fold(GROUPS, ScanProgress(label="IPv4", total=1024))
    assert (progress.hosts_done, progress.hosts_up, progress.hosts_active) == (256, 320, 64)
    done = (256 + 64 * 0.5289) / 1024
    assert progress.fraction == pytest.approx(done)
    # nmap's "0:00:00 remaining" is for the current host group only; the run has 3/4 to go.
    assert progress.remaining == round(4 * (1 - done) / done)
    assert describe(progress).startswith("IPv4：主机 256/1,024（28.3%） · SYN Stealth Scan 52.9% · 预计剩余 0:00:")


def test_a_phase_without_an_estimate_yet() -> None:
    progress = fold(NO_ETC, ScanProgress(label="IPv6", total=1))
    assert progress.phase == "Service Scan" and progress.phase_percent == 0.0 and progress.phase_remaining is None
    assert progress.remaining is None
    assert describe(progress).endswith("Service Scan 0.0% · 剩余时间估算中")


def test_a_new_phase_forgets_the_old_estimate() -> None:
    progress = fold(ONE_HOST + NO_ETC[:1], ScanProgress(total=1))
    assert progress.phase == "Service Scan" and progress.phase_percent is None and progress.phase_remaining is None


def test_other_lines_are_not_statistics() -> None:
    for line in ("", "Host is up (0.000016s latency).", "6379/tcp open  redis", "Stats: garbage"):
        assert parse_progress_line(line, ScanProgress()) is None


def test_finished_and_long_runs() -> None:
    assert ScanProgress(total=512, hosts_done=512).remaining == 0
    assert ScanProgress(total=512, hosts_done=512).fraction == 1.0
    line = "Ping Scan Timing: About 12.50% done; ETC: 23:10 (26:01:40 remaining)"
    progress = parse_progress_line(line, ScanProgress(total=65536, hosts_active=4096))
    assert progress is not None and progress.phase == "Ping Scan" and progress.phase_remaining == 93700
    assert seconds("1:02:03") == 3723 and clock_text(93700) == "26:01:40" and clock_text(-5) == "0:00:00"
