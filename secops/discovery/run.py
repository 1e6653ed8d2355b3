"""One discovery: scope-checked targets -> nmap (IPv4, IPv6) + ff02::1 sweep -> hosts merged by MAC."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from secops.discovery.nmap_runner import build_arguments, is_privileged, run_nmap
from secops.discovery.profiles import ScanProfile
from secops.discovery.progress import ScanProgress
from secops.discovery.targets import TargetSet
from secops.errors import SecopsError
from secops.i18n import _
from secops.models import ObservedHost, ScanCoverage

log = logging.getLogger(__name__)
# IPv6 networks at most this big are swept by nmap itself; larger ones (a /64) only via ff02::1.
_NMAP_SWEEPABLE_V6_PREFIX = 112
# More addresses than a /16 are scanned only when the user names the targets or says --yes.
LARGE_SCAN = 65_536


@dataclass
class Discovery:
    hosts: list[ObservedHost]
    coverage: ScanCoverage
    commands: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def merge_hosts(hosts: list[ObservedHost]) -> list[ObservedHost]:
    """One host per MAC (or per address when no MAC is known): a v4 and v6 sighting is one asset."""
    merged: dict[str, ObservedHost] = {}
    by_address: dict[str, str] = {}
    for host in hosts:
        addresses = [a for a in [host.ipv4, *host.ipv6] if a]
        key = host.mac or next((by_address[a] for a in addresses if a in by_address), None) or host.key
        current = merged.get(key)
        if current is None:
            current = merged[key] = ObservedHost(mac=host.mac)
        current.ipv4 = current.ipv4 or host.ipv4
        current.ipv6 += [a for a in host.ipv6 if a not in current.ipv6]
        current.mac = current.mac or host.mac
        current.vendor = current.vendor or host.vendor
        current.hostname = current.hostname or host.hostname
        seen = {(s.port, s.proto) for s in current.services}
        current.services += [s for s in host.services if (s.port, s.proto) not in seen]
        for address in addresses:
            by_address[address] = key
    for host in merged.values():
        host.ipv6.sort(key=lambda a: (ipaddress.ip_address(a).is_link_local, a))
        host.services.sort(key=lambda s: (s.proto, s.port))
    return sorted(merged.values(), key=lambda h: (h.ipv4 is None, ipaddress.ip_address(h.ipv4 or h.ipv6[0])))


def scanned_addresses(targets: TargetSet, profile: ScanProfile) -> int:
    """How many addresses nmap is given one by one (IPv6 networks too big to sweep are left to ff02::1)."""
    count = 0
    if 4 in profile.families:
        count += sum(n.num_addresses for n in targets.of_family(4))
    if 6 in profile.families:
        count += sum(n.num_addresses for n in targets.of_family(6) if n.prefixlen >= _NMAP_SWEEPABLE_V6_PREFIX)
    return count


def check_scan_size(targets: TargetSet, profile: ScanProfile, *, confirmed: bool) -> None:
    """Refuse to scan more than LARGE_SCAN addresses of the whole scope unless ``confirmed``."""
    count = scanned_addresses(targets, profile)
    if count > LARGE_SCAN and not confirmed:
        networks = ", ".join(str(n) for n in targets.networks)
        raise SecopsError(
            _("the scope ({networks}) holds {count} addresses, more than {limit}: not scanned").format(
                networks=networks, count=f"{count:,}", limit=f"{LARGE_SCAN:,}"
            ),
            hint=_("name the networks to scan, e.g. secops assets discover 10.20.0.0/24; add --yes to scan it all"),
        )


def discover(
    targets: TargetSet,
    profile: ScanProfile,
    *,
    progress: Callable[[str], None] = log.info,
    stats: Callable[[ScanProgress], None] | None = None,
) -> Discovery:
    """Scan ``targets``; ``progress`` hears each step, ``stats`` nmap's statistics during each run."""
    privileged = is_privileged()
    found: list[ObservedHost] = []
    commands: list[list[str]] = []
    warnings: list[str] = []
    tcp_ports = None
    v4 = targets.of_family(4) if 4 in profile.families else []
    v6 = targets.of_family(6) if 6 in profile.families else []
    if v4:
        args = build_arguments(profile, 4, privileged=privileged)
        progress(f"nmap IPv4: {len(v4)} network(s)")
        total = sum(n.num_addresses for n in v4)
        run = run_nmap([str(n) for n in v4], args, progress=stats, label="IPv4", total=total)
        commands.append(["nmap", *args, *map(str, v4)])
        found += run.hosts
        tcp_ports, warnings = run.tcp_ports, warnings + run.warnings
    if v6:
        v6_targets = [str(n) for n in v6 if n.prefixlen >= _NMAP_SWEEPABLE_V6_PREFIX]
        if profile.ipv6_multicast and privileged:
            from secops.discovery.ipv6_sweep import sweep

            progress("ICMPv6 echo to ff02::1 on in-scope links")
            for neighbour in sweep(v6):
                if targets.contains(neighbour.address):
                    v6_targets.append(neighbour.address)
                # Link-local answers identify a host by MAC even though they are not scanned.
                found.append(ObservedHost(ipv6=[neighbour.address], mac=neighbour.mac))
        elif profile.ipv6_multicast:
            warnings.append("ICMPv6 multicast discovery needs root; only small IPv6 networks were scanned")
        if v6_targets:
            args = build_arguments(profile, 6, privileged=privileged)
            progress(f"nmap IPv6: {len(set(v6_targets))} target(s)")
            chosen = sorted(set(v6_targets))
            total = sum(ipaddress.ip_network(t).num_addresses for t in chosen)
            run = run_nmap(chosen, args, progress=stats, label="IPv6", total=total)
            commands.append(["nmap", *args, *sorted(set(v6_targets))])
            found += run.hosts
            tcp_ports = run.tcp_ports if tcp_ports is None else tcp_ports & (run.tcp_ports or frozenset())
            warnings += run.warnings
    coverage = ScanCoverage(
        networks=tuple(str(n) for n in (*v4, *v6)), tcp_ports=tcp_ports, version_detection=profile.version_detection
    )
    # A host known only by a link-local answer that matches nothing in scope is not ours to list.
    hosts = [h for h in merge_hosts(found) if any(targets.contains(a) for a in [h.ipv4, *h.ipv6] if a)]
    return Discovery(hosts=hosts, coverage=coverage, commands=commands, warnings=warnings)
