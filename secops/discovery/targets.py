"""Scan targets: what the user typed, checked against the scope before any packet leaves."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from secops.errors import SecopsError
from secops.i18n import _
from secops.scope import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TargetSet:
    """Networks to scan, split by family; every one lies inside the workspace scope."""

    networks: tuple[Network, ...]

    def of_family(self, version: int) -> list[Network]:
        return [n for n in self.networks if n.version == version]

    def contains(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip.version == n.version and ip in n for n in self.networks)


def _parse_range(text: str) -> list[Network]:
    """``10.0.0.5-10.0.0.20`` or ``10.0.0.5-20`` -> the smallest set of covering CIDRs."""
    first_text, _sep, last_text = text.partition("-")
    try:
        first = ipaddress.ip_address(first_text.strip())
        if last_text.strip().isdigit() and first.version == 4:
            prefix = first_text.strip().rsplit(".", 1)[0]
            last: Address = ipaddress.ip_address(f"{prefix}.{last_text.strip()}")
        else:
            last = ipaddress.ip_address(last_text.strip())
    except ValueError:
        raise SecopsError(
            _("target {target!r} is not a valid address range").format(target=text),
            hint=_("write ranges like 10.20.0.5-10.20.0.40 or 10.20.0.5-40"),
        ) from None
    if first.version != last.version or int(last) < int(first):
        raise SecopsError(
            _("target range {target!r} is empty or mixes IPv4 and IPv6").format(target=text),
            hint=_("put the lower address first"),
        )
    return list(ipaddress.summarize_address_range(first, last))


def parse_target(text: str) -> list[Network]:
    raw = text.strip()
    if "-" in raw and "/" not in raw:
        return _parse_range(raw)
    try:
        return [ipaddress.ip_network(raw, strict=True)]
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = ipaddress.ip_network(raw, strict=False)
            raise SecopsError(
                _("target {target!r} has host bits set").format(target=raw),
                hint=_("did you mean {fixed}?").format(fixed=fixed),
            ) from None
        raise SecopsError(
            _("target {target!r} is not an IP address, CIDR or range").format(target=raw),
            hint=_("targets are addresses or networks (10.20.0.0/24, 10.20.0.5-40); hostnames are not resolved"),
        ) from None


def resolve_targets(targets: Iterable[str], scope: list[Network]) -> TargetSet:
    """Parse the user's targets (default: the whole scope); refuse any that leave the scope."""
    texts = list(targets)
    if not texts:
        return TargetSet(tuple(scope))
    networks: list[Network] = []
    for text in texts:
        for network in parse_target(text):
            if not any(network.version == s.version and network.subnet_of(s) for s in scope):  # type: ignore[arg-type]
                raise SecopsError(
                    _("target {target} is outside the workspace scope ({scope})").format(
                        target=text.strip(), scope=", ".join(map(str, scope))
                    ),
                    hint=_(
                        "scan only networks the school owns; widen the scope with secops init --add-scope if it does"
                    ),
                )
            networks.append(network)
    return TargetSet(
        tuple(ipaddress.collapse_addresses(n for n in networks if n.version == 4))
        + tuple(ipaddress.collapse_addresses(n for n in networks if n.version == 6))
    )
