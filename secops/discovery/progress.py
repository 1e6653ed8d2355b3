"""nmap's own progress statistics (``--stats-every``), read from its normal output.

nmap prints two lines at each interval::

    Stats: 0:00:04 elapsed; 256 hosts completed (320 up), 64 undergoing SYN Stealth Scan
    SYN Stealth Scan Timing: About 52.89% done; ETC: 01:48 (0:00:03 remaining)

The percentage and time left of the second line are for the current phase of the current host
group; the host counts of the first say how far the whole scan is. Everything here is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_STATS = re.compile(
    r"^Stats: (?P<elapsed>\d+:\d{2}:\d{2}) elapsed; (?P<done>\d+) hosts? completed "
    r"\((?P<up>\d+) up\), (?P<active>\d+) undergoing (?P<phase>.+?)\s*$"
)
_TIMING = re.compile(
    r"^(?P<phase>.+?) Timing: About (?P<percent>\d+(?:\.\d+)?)% done"
    r"(?:; ETC: [^(]*\((?P<remaining>\d+:\d{2}:\d{2}) remaining\))?\s*$"
)


@dataclass(frozen=True)
class ScanProgress:
    """How far one nmap run is: ``total`` addresses given to it, the rest from its statistics."""

    label: str = ""  # which run: "IPv4", "IPv6"
    total: int = 0
    elapsed: int = 0  # seconds since nmap started
    hosts_done: int = 0  # completed, up or down
    hosts_up: int = 0
    hosts_active: int = 0  # being scanned now
    phase: str = ""
    phase_percent: float | None = None
    phase_remaining: int | None = None  # seconds, nmap's estimate for the current phase

    @property
    def fraction(self) -> float:
        """Share of the whole run done: finished hosts plus the current phase's share of the active ones."""
        if self.total <= 0:
            return 0.0
        partial = self.hosts_active * (self.phase_percent or 0.0) / 100.0
        return max(0.0, min(1.0, (self.hosts_done + partial) / self.total))

    @property
    def remaining(self) -> int | None:
        """Seconds left: nmap's own estimate in the last host group, else extrapolated from its elapsed time."""
        if self.total > 0 and self.hosts_done >= self.total:
            return 0
        last_group = self.hosts_done + self.hosts_active >= self.total
        if last_group and self.phase_remaining is not None:
            return self.phase_remaining
        done = self.fraction
        if done > 0 and self.elapsed > 0:
            return round(self.elapsed * (1 - done) / done)
        return self.phase_remaining


def seconds(clock: str) -> int:
    """``1:02:03`` -> 3723 (nmap writes hours without a limit)."""
    hours, minutes, secs = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + secs


def clock_text(total_seconds: int) -> str:
    minutes, secs = divmod(max(0, total_seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def parse_progress_line(line: str, current: ScanProgress) -> ScanProgress | None:
    """``current`` updated by one line of nmap's output; None when the line is not a statistic."""
    text = line.strip()
    if match := _STATS.match(text):
        phase = match["phase"]
        same_phase = phase == current.phase
        return replace(
            current,
            elapsed=seconds(match["elapsed"]),
            hosts_done=int(match["done"]),
            hosts_up=int(match["up"]),
            hosts_active=int(match["active"]),
            phase=phase,
            phase_percent=current.phase_percent if same_phase else None,
            phase_remaining=current.phase_remaining if same_phase else None,
        )
    if match := _TIMING.match(text):
        return replace(
            current,
            phase=current.phase or match["phase"],
            phase_percent=float(match["percent"]),
            phase_remaining=seconds(match["remaining"]) if match["remaining"] else None,
        )
    return None


def describe(progress: ScanProgress, *, label: bool = True) -> str:
    """One line for a person: hosts done of total, the share done, the current phase and the time left
    (``label=False``: without the run's label, for a progress bar that shows it already)."""
    from secops.i18n import _

    hosts = _("hosts {done}/{total} ({share})").format(
        done=f"{progress.hosts_done:,}", total=f"{progress.total:,}", share=f"{progress.fraction:.1%}"
    )
    parts = [_("{label}: {hosts}").format(label=progress.label, hosts=hosts) if label else hosts]
    if progress.phase:
        phase = progress.phase
        if progress.phase_percent is not None:
            phase += f" {progress.phase_percent:.1f}%"
        parts.append(phase)
    remaining = progress.remaining
    parts.append(
        _("{time} left").format(time=clock_text(remaining)) if remaining is not None else _("estimating time left")
    )
    return " · ".join(parts)
