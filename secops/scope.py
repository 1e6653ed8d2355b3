"""The school's scan scope: the IPv4/IPv6 networks it owns and may scan."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from itertools import combinations

from secops.errors import SecopsError
from secops.i18n import _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Anything broader than this is not "a network the school owns" but a typo or a default route:
# the largest IPv4 block is a /8, and the largest IPv6 allocation a school or university gets
# (CERNET2, an RIR) is a /32.
_MIN_PREFIX = {4: 8, 6: 32}

# IPv6 ranges that embed or tunnel IPv4 addresses: a scope overlapping one reaches IPv4 hosts
# (possibly all of IPv4) the IPv4 scope never granted, so none of it is scannable scope.
_IPV4_IN_IPV6 = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), "IPv4-mapped"),
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), "IPv4-translated"),
    (ipaddress.IPv6Network("64:ff9b::/96"), "NAT64"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "local-use NAT64"),
    (ipaddress.IPv6Network("2002::/16"), "6to4"),
    (ipaddress.IPv6Network("2001::/32"), "Teredo"),
)
# The deprecated IPv4-compatible form (::10.0.0.1) sits in ::/96, as do loopback ::1 and ::.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_LOOPBACK6 = ipaddress.IPv6Network("::1/128")


def parse_network(text: str) -> Network:
    """One CIDR (a bare address means the single host); errors say how to fix it."""
    raw = text.strip()
    try:
        network = ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            fixed = ipaddress.ip_network(raw, strict=False)
            raise SecopsError(
                _("scope {value!r} has host bits set").format(value=raw),
                hint=_("did you mean {fixed}?").format(fixed=fixed),
            ) from None
        raise SecopsError(
            _("scope {value!r} is not an IPv4 or IPv6 network").format(value=raw),
            hint=_("write it in CIDR form, e.g. 10.20.0.0/16 or 2001:db8:1::/48"),
        ) from None
    if network.prefixlen < _MIN_PREFIX[network.version]:
        raise SecopsError(
            _("scope {value!r} is too broad (/{prefix})").format(value=raw, prefix=network.prefixlen),
            hint=_("list the networks the school owns, each /{prefix} or narrower").format(
                prefix=_MIN_PREFIX[network.version]
            ),
        )
    if isinstance(network, ipaddress.IPv6Network):
        if network.overlaps(_IPV4_COMPATIBLE) and network != _LOOPBACK6:
            raise SecopsError(
                _(
                    "scope {value!r} overlaps ::/96, the deprecated IPv4-compatible range that carries "
                    "IPv4 addresses inside IPv6"
                ).format(value=raw),
                hint=_("list the school's IPv4 networks as IPv4 (e.g. 10.20.0.0/16); ::1 alone is allowed"),
            )
        for special, kind in _IPV4_IN_IPV6:
            if network.overlaps(special):
                raise SecopsError(
                    _(
                        "scope {value!r} overlaps {special}, the {kind} range that carries IPv4 addresses inside IPv6"
                    ).format(value=raw, special=special, kind=kind),
                    hint=_("list the school's IPv4 networks as IPv4 (e.g. 10.20.0.0/16) and its own IPv6 prefixes"),
                )
    return network


def parse_scope(entries: Iterable[str]) -> list[Network]:
    """Parse and check a scope: at least one network, none overlapping another."""
    networks = [parse_network(entry) for entry in entries]
    if not networks:
        raise SecopsError(_("the scope is empty"), hint=_("give at least one --scope CIDR"))
    for first, second in combinations(networks, 2):
        if first.version == second.version and first.overlaps(second):
            raise SecopsError(
                _("scope entries {first} and {second} overlap").format(first=first, second=second),
                hint=_("list each network once; drop the narrower one"),
            )
    return networks


def in_scope(address: str, scope: Iterable[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in scope)


def address_count(network: Network) -> int:
    return int(network.num_addresses)
