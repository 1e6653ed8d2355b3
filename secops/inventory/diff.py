"""What changed between the inventory and a new scan. Pure: no I/O, time passed in.

Silence means something only where the scan looked: a host is missed only if one of its
addresses lies in the scanned networks, a port is closed only if that port was scanned, and a
version changed only if the scan detected versions.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from secops.models import Change, ObservedHost, ObservedService, ScanCoverage


@dataclass
class KnownAsset:
    key: str
    mac: str | None
    addresses: set[str]
    services: dict[tuple[int, str], ObservedService]
    status: str = "up"
    missed_scans: int = 0


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    matched: list[tuple[str | None, ObservedHost]] = field(default_factory=list)  # (known key or None, host)
    missed: dict[str, int] = field(default_factory=dict)  # key -> new missed count
    gone: set[str] = field(default_factory=set)


def _covered(addresses: set[str], networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if any(ip.version == n.version and ip in n for n in networks):
            return True
    return False


def _match(host: ObservedHost, by_mac: dict[str, str], by_address: dict[str, str]) -> str | None:
    if host.mac and host.mac in by_mac:
        return by_mac[host.mac]
    for address in [host.ipv4, *host.ipv6]:
        if address and address in by_address:
            return by_address[address]
    return None


def _service_text(service: ObservedService) -> str:
    return " ".join(filter(None, (service.product, service.version))) or service.name


def diff(known: list[KnownAsset], observed: list[ObservedHost], coverage: ScanCoverage, *, gone_after: int = 2) -> Diff:
    by_mac = {a.mac: a.key for a in known if a.mac}
    by_address = {address: a.key for a in known for address in a.addresses}
    assets = {a.key: a for a in known}
    networks = [ipaddress.ip_network(n) for n in coverage.networks]
    result = Diff()
    seen: set[str] = set()
    for host in observed:
        key = _match(host, by_mac, by_address)
        result.matched.append((key, host))
        if key is None:
            result.changes.append(
                Change(
                    "host_new",
                    host.key,
                    {
                        "ipv4": host.ipv4,
                        "ipv6": host.ipv6,
                        "mac": host.mac,
                        "ports": [f"{s.port}/{s.proto}" for s in host.services],
                    },
                )
            )
            continue
        seen.add(key)
        asset = assets[key]
        if asset.status == "gone":
            result.changes.append(Change("host_back", key, {"ipv4": host.ipv4}))
        new_addresses = {a for a in [host.ipv4, *host.ipv6] if a} - asset.addresses
        if new_addresses:
            result.changes.append(Change("address_changed", key, {"added": sorted(new_addresses)}))
        result.changes += _service_changes(asset, host, coverage)
    for asset in known:
        if asset.key in seen or asset.status == "gone" or not _covered(asset.addresses, networks):
            continue
        missed = asset.missed_scans + 1
        result.missed[asset.key] = missed
        if missed >= gone_after:
            result.gone.add(asset.key)
            result.changes.append(Change("host_gone", asset.key, {"missed_scans": missed}))
    return result


def _service_changes(asset: KnownAsset, host: ObservedHost, coverage: ScanCoverage) -> list[Change]:
    changes = []
    current = {(s.port, s.proto): s for s in host.services}
    for slot, service in current.items():
        before = asset.services.get(slot)
        if before is None:
            changes.append(
                Change(
                    "port_opened",
                    asset.key,
                    {"port": service.port, "proto": service.proto, "service": _service_text(service)},
                )
            )
        elif (
            coverage.version_detection
            and service.product
            and (before.product, before.version)
            != (
                service.product,
                service.version,
            )
        ):
            changes.append(
                Change(
                    "version_changed",
                    asset.key,
                    {
                        "port": service.port,
                        "proto": service.proto,
                        "before": _service_text(before),
                        "after": _service_text(service),
                    },
                )
            )
    if coverage.tcp_ports is not None:
        for (port, proto), service in asset.services.items():
            if (port, proto) not in current and proto == "tcp" and port in coverage.tcp_ports:
                changes.append(
                    Change("port_closed", asset.key, {"port": port, "proto": proto, "service": _service_text(service)})
                )
    return changes
