"""nmap through python-nmap: argument building, error surfacing and XML parsing.

python-nmap runs nmap and hides failures in ``scaninfo()['error']``; we raise them. Its own
parse keeps one CPE per port and drops script output, so the XML it captured is read here.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from secops.discovery.ports import parse_port_list, parse_port_spec
from secops.discovery.profiles import ScanProfile
from secops.errors import SecopsError
from secops.models import ObservedHost, ObservedService

BANNER_LIMIT = 2048  # characters kept of any network-supplied text


@dataclass
class NmapRun:
    hosts: list[ObservedHost]
    tcp_ports: frozenset[int] | None  # what nmap says it scanned
    arguments: list[str]
    warnings: list[str] = field(default_factory=list)


def nmap_path() -> str:
    path = shutil.which("nmap")
    if path is None:
        raise SecopsError("nmap is not installed", hint="apt-get install nmap (scripts/install.sh installs it)")
    return path


def is_privileged() -> bool:
    return os.geteuid() == 0


def build_arguments(profile: ScanProfile, family: int, *, privileged: bool, ports: bool = True) -> list[str]:
    """nmap options for one profile and address family (targets are added separately)."""
    args = ["-n"]  # never resolve names: no DNS traffic leaves for what we scan
    if family == 6:
        args.append("-6")
    if not ports:
        args.append("-sn")
    else:
        args.append("-sS" if privileged else "-sT")
        kind, top, listed = parse_port_spec(profile.ports)
        if kind == "top":
            args += ["--top-ports", str(top)]
        else:
            args += ["-p", "1-65535" if listed is not None and len(listed) == 65535 else profile.ports]
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


def run_nmap(targets: list[str], arguments: list[str]) -> NmapRun:
    """Run nmap on ``targets`` (IP addresses or CIDRs only) and parse what it found."""
    import nmap

    path = nmap_path()
    try:
        scanner = nmap.PortScanner(nmap_search_path=(path,))
        scanner.scan(hosts=" ".join(targets), arguments=" ".join(arguments))
    except nmap.PortScannerError as exc:
        raise SecopsError(f"nmap failed: {_first_line(str(exc))}", hint="check the profile's nmap_args") from None
    info = scanner.scaninfo()
    errors = [line for line in info.get("error", []) if line.strip() and not line.startswith("WARNING")]
    if errors:
        raise SecopsError(f"nmap failed: {_first_line(errors[0])}", hint="run with -v for nmap's full output")
    warnings = [_first_line(w) for w in info.get("warning", []) if w.strip()]
    run = parse_nmap_xml(scanner.get_nmap_last_output())
    return NmapRun(hosts=run.hosts, tcp_ports=run.tcp_ports, arguments=arguments, warnings=warnings)


def _first_line(text: str) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "unknown error")


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
