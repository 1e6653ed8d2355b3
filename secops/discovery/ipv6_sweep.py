"""IPv6 neighbours by ICMPv6 echo to ff02::1 (all nodes) on each link that holds a scope address.

A /64 cannot be swept address by address; asking every node on the link to answer can. The
echo is sent from our own in-scope address, so hosts answer from theirs; any link-local answer
is still useful, since its MAC maps it to the host nmap saw over IPv4.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from secops.scope import Network

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Neighbour:
    address: str
    mac: str
    interface: str


def local_links(scope6: Iterable[Network]) -> list[tuple[str, str]]:
    """(interface, our address) for each local IPv6 address that lies inside the scope."""
    from scapy.arch import in6_getifaddr

    networks = list(scope6)
    links = []
    for address, _scope, interface in in6_getifaddr():
        ip = ipaddress.ip_address(address)
        if any(ip in network for network in networks):
            links.append((interface, str(ip)))
    return links


def sweep(scope6: Iterable[Network], *, timeout: float = 2.0) -> list[Neighbour]:
    """Echo to ff02::1 on every in-scope link; every distinct (address, MAC) that answered."""
    from scapy.config import conf
    from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6
    from scapy.layers.l2 import Ether
    from scapy.sendrecv import srp

    # Replies come from many sources to one multicast request: do not match on IP, and make
    # the socket buffer big enough that replies past the first ~160 are not dropped.
    conf.checkIPaddr = False
    conf.bufsize = 1 << 20
    found: dict[tuple[str, str], Neighbour] = {}
    for interface, source in local_links(scope6):
        probe = Ether(dst="33:33:00:00:00:01") / IPv6(src=source, dst="ff02::1", hlim=1) / ICMPv6EchoRequest(id=0x5EC0)
        answered, _ = srp(probe, iface=interface, timeout=timeout, multi=True, verbose=0)
        for _sent, reply in answered:
            if ICMPv6EchoReply in reply and reply[IPv6].src != source:
                key = (reply[IPv6].src, reply[Ether].src.lower())
                found[key] = Neighbour(address=key[0], mac=key[1], interface=interface)
        log.debug("ff02::1 on %s: %d answers", interface, len(answered))
    return sorted(found.values(), key=lambda n: (n.mac, n.address))
