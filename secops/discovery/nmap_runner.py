"""The one nmap runner, for discovery scans and the 等保 probes alike.

Discovery scans (``run_nmap``): argument building from a scan profile, nmap run as a child
process writing its XML to a private temporary file while its normal output (read line by line)
carries the statistics ``--stats-every`` prints, so long scans can show how far they are.
Failures nmap reports on stderr are raised as one clear error. Script output and every CPE are
read from the XML here.

Probes (``run_scripts``): nmap's NSE scripts forced (``+script``) on the exact ports a probe
cares about, so a service on an unusual port is probed too. The XML goes to a file in a private
temporary directory and nmap's normal output to /dev/null: brute scripts echo every guess
(password included) on stdout, and a password must never reach a log, an exception or the facts.

``nmap_path`` raises a SecopsError when nmap is not installed; a probe, which skips what it
cannot run, catches it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from secops.discovery.ports import parse_port_list, port_arguments
from secops.discovery.profiles import ScanProfile
from secops.discovery.progress import ScanProgress, parse_progress_line
from secops.errors import SecopsError
from secops.i18n import _
from secops.models import ObservedHost, ObservedService

log = logging.getLogger(__name__)

BANNER_LIMIT = 2048  # characters kept of any network-supplied text
STATS_EVERY = "2s"  # how often nmap prints its statistics; the CLI decides how often to show them


@dataclass
class NmapRun:
    hosts: list[ObservedHost]
    tcp_ports: frozenset[int] | None  # what nmap says it scanned
    arguments: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ScriptResult:
    """The output of one script on one open port: its text and its structured tables."""

    port: int
    script: str
    output: str
    element: ET.Element = field(repr=False)


def nmap_path() -> str:
    path = shutil.which("nmap")
    if path is None:
        raise SecopsError(_("nmap is not installed"), hint=_("apt-get install nmap (scripts/install.sh installs it)"))
    return path


def is_privileged() -> bool:
    return os.geteuid() == 0


def nmap_top_ports(count: int) -> frozenset[int]:
    """nmap's own list of its ``count`` most common TCP ports.

    Asked of nmap itself, run without any target (it sends nothing), so the list is exactly the
    one ``--top-ports`` would scan with this nmap and its nmap-services file.
    """
    argv = [nmap_path(), "-n", "-sT", "--top-ports", str(count), "-oX", "-"]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
        ports = parse_nmap_xml(done.stdout).tcp_ports if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ET.ParseError):
        ports = None
    if not ports:
        raise SecopsError(
            _("nmap did not list its {count} most common ports").format(count=count),
            hint=_("check the nmap installation (nmap --top-ports)"),
        )
    return ports


def build_arguments(
    profile: ScanProfile,
    family: int,
    *,
    privileged: bool,
    ports: bool = True,
    top_ports: Callable[[int], frozenset[int]] = nmap_top_ports,
) -> list[str]:
    """nmap options for one profile and address family (targets are added separately)."""
    args = ["-n"]  # never resolve names: no DNS traffic leaves for what we scan
    if family == 6:
        args.append("-6")
    if not ports:
        args.append("-sn")
    else:
        args.append("-sS" if privileged else "-sT")
        args += port_arguments(profile.ports, profile.added_ports(), top_ports)
        if profile.version_detection:
            args.append("-sV")
        if profile.banners:
            args += ["--script", "banner", "--script-args", "banner.timeout=3s"]
    args.append(f"-T{profile.timing}")
    if profile.max_rate:
        args += ["--max-rate", str(profile.max_rate)]
    if profile.max_parallelism:
        args += ["--max-parallelism", str(profile.max_parallelism)]
    if profile.scan_delay_ms is not None:
        args += ["--scan-delay", f"{profile.scan_delay_ms}ms"]
    args += list(profile.nmap_args)
    return args


def run_nmap(
    targets: list[str],
    arguments: list[str],
    *,
    progress: Callable[[ScanProgress], None] | None = None,
    label: str = "",
    total: int = 0,
) -> NmapRun:
    """Run nmap on ``targets`` (IP addresses or CIDRs only) and parse what it found.

    ``progress`` gets nmap's statistics as they come (``total`` is the number of addresses the
    targets hold); a last call says every host is done.
    """
    with tempfile.TemporaryDirectory(prefix="secops-nmap-") as folder:
        xml_path, err_path = Path(folder) / "scan.xml", Path(folder) / "stderr.txt"
        argv = [nmap_path(), *arguments, "--stats-every", STATS_EVERY, "-oX", str(xml_path), *targets]
        with open(err_path, "wb") as err_file:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err_file, text=True, errors="replace"
            )
            try:
                start = ScanProgress(label=label, total=total)
                tail = _follow(process.stdout, start, progress) if process.stdout else []
                returncode = process.wait()
            finally:
                _stop(process)
        stderr = err_path.read_text(encoding="utf-8", errors="replace").splitlines()
        warnings = [_first_line(w) for w in stderr if w.strip().lower().startswith("warning")]
        errors = [w for w in stderr if w.strip() and not w.strip().lower().startswith("warning")]
        if returncode != 0 or errors:
            detail = errors[0] if errors else (tail[-1] if tail else f"exit code {returncode}")
            raise SecopsError(
                _("nmap failed: {reason}").format(reason=_first_line(detail)),
                hint=_("run with -v for nmap's full output"),
            )
        xml = xml_path.read_bytes() if xml_path.exists() else b""
    try:
        run = parse_nmap_xml(xml)
    except ET.ParseError:
        raise SecopsError(_("nmap wrote no readable results"), hint=_("run the same scan again with -v")) from None
    if progress is not None:
        progress(ScanProgress(label=label, total=total, hosts_done=total, hosts_up=len(run.hosts)))
    return NmapRun(hosts=run.hosts, tcp_ports=run.tcp_ports, arguments=arguments, warnings=warnings)


def _follow(stdout: IO[str], current: ScanProgress, progress: Callable[[ScanProgress], None] | None) -> list[str]:
    """Read nmap's normal output to its end, passing on each statistic; the last few other lines."""
    tail: deque[str] = deque(maxlen=5)
    for line in stdout:
        updated = parse_progress_line(line, current)
        if updated is None:
            if line.strip():
                tail.append(line.strip())
            continue
        current = updated
        if progress is not None:
            progress(current)
    return list(tail)


def _stop(process: subprocess.Popen[str]) -> None:
    """Leave no nmap behind when the scan is interrupted."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()


def _first_line(text: str, default: str = "unknown error") -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), default)


def _clip(text: str | None) -> str:
    return (text or "")[:BANNER_LIMIT]


def parse_nmap_xml(xml: bytes | str) -> NmapRun:
    root = ET.fromstring(xml)  # noqa: S314
    tcp_ports: frozenset[int] | None = None
    for info in root.findall("scaninfo"):
        if info.get("protocol") == "tcp" and info.get("services"):
            tcp_ports = parse_port_list(info.get("services", ""))
    hosts = [host for element in root.findall("host") if (host := _parse_host(element)) is not None]
    return NmapRun(hosts=hosts, tcp_ports=tcp_ports, arguments=[])


def _parse_host(element: ET.Element) -> ObservedHost | None:
    status = element.find("status")
    if status is None or status.get("state") != "up":
        return None
    host = ObservedHost()
    for address in element.findall("address"):
        kind, value = address.get("addrtype"), address.get("addr", "")
        if kind == "ipv4":
            host.ipv4 = value
        elif kind == "ipv6":
            host.ipv6.append(value)
        elif kind == "mac":
            host.mac = value.lower()
            host.vendor = _clip(address.get("vendor"))
    names = [n.get("name", "") for n in element.findall("hostnames/hostname")]
    host.hostname = _clip(names[0]) if names else ""
    for port in element.findall("ports/port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        service = port.find("service")
        banner = next((s.get("output", "") for s in port.findall("script") if s.get("id") == "banner"), "")
        host.services.append(
            ObservedService(
                port=int(port.get("portid", "0")),
                proto=port.get("protocol", "tcp"),
                name=_clip(service.get("name")) if service is not None else "",
                product=_clip(service.get("product")) if service is not None else "",
                version=_clip(service.get("version")) if service is not None else "",
                extrainfo=_clip(service.get("extrainfo")) if service is not None else "",
                cpe=tuple(_clip(c.text) for c in port.findall("service/cpe") if c.text),
                banner=_clip(banner),
            )
        )
    return host


# -- NSE scripts, for the probes -------------------------------------------------------------------
def run_scripts(
    address: str,
    ports: list[int],
    scripts: list[str],
    *,
    script_args: dict[str, str] | None = None,
    budget: float,
    workdir: Path | None = None,
    sensitive: bool = False,
) -> list[ScriptResult] | None:
    """Run ``scripts`` on ``address``'s ``ports``; the script outputs of the ports found open.

    None when the probe could not run at all (no nmap, nmap failed, the host or every port
    unreachable). ``budget`` caps the run in seconds. ``sensitive`` runs keep nmap's messages
    out of the logs entirely, since they may carry credentials.
    """
    try:
        nmap = nmap_path()
    except SecopsError:
        log.warning("nmap is not installed: %s not probed", ",".join(scripts))
        return None
    with tempfile.TemporaryDirectory(prefix="secops-probe-") as scratch:
        output = Path(workdir or scratch) / f"nmap-{'-'.join(scripts)}.xml"
        argv = [nmap, "-n", "-Pn", "-sT", "--max-retries", "1", "-p", ",".join(str(p) for p in sorted(set(ports)))]
        if ":" in address:
            argv.append("-6")
        argv += ["--script", ",".join(f"+{s}" for s in scripts)]
        if script_args:
            argv += ["--script-args", ",".join(f"{k}={v}" for k, v in script_args.items())]
        argv += ["--host-timeout", f"{int(budget)}s", "-oX", str(output), "--", address]
        started = time.monotonic()
        try:
            result = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=budget + 30
            )
        except subprocess.TimeoutExpired:
            log.warning("nmap %s on %s did not finish in %.0f s", ",".join(scripts), address, budget + 30)
            return None
        finally:
            elapsed = time.monotonic() - started
        if result.returncode != 0:
            reason = "" if sensitive else ": " + _first_line(result.stderr.decode(errors="replace"), "no message")
            log.warning("nmap %s on %s failed (exit %d)%s", ",".join(scripts), address, result.returncode, reason)
            return None
        try:
            xml = output.read_bytes()
        except OSError:
            log.warning("nmap %s on %s wrote no output", ",".join(scripts), address)
            return None
        finally:
            output.unlink(missing_ok=True)
    log.debug("nmap %s on %s ports %s: %.1f s", ",".join(scripts), address, ports, elapsed)
    return parse_script_results(xml)


def parse_script_results(xml: bytes | str) -> list[ScriptResult] | None:
    """Script outputs by open port from nmap XML; None when no probed port was open."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - nmap's own output, written to our private directory
    except ET.ParseError:
        log.warning("nmap wrote XML that does not parse")
        return None
    results: list[ScriptResult] = []
    open_ports = 0
    for port in root.findall("host/ports/port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        open_ports += 1
        number = int(port.get("portid", "0"))
        for script in port.findall("script"):
            results.append(ScriptResult(number, script.get("id", ""), script.get("output", ""), script))
    return results if open_ports else None


def elems(table: ET.Element | None) -> list[str]:
    """The unnamed ``<elem>`` values of an NSE table (a list in Lua)."""
    if table is None:
        return []
    return [e.text or "" for e in table.findall("elem") if e.get("key") is None]


def elem(table: ET.Element, key: str) -> str | None:
    found = table.find(f"elem[@key='{key}']")
    return found.text if found is not None else None


def table(parent: ET.Element, key: str) -> ET.Element | None:
    return parent.find(f"table[@key='{key}']")
