"""TLS: protocol versions and cipher strength of every TLS-looking service (nmap ssl-enum-ciphers)."""

from __future__ import annotations

import re
from typing import Any

from secops.discovery import nmap_runner

TLS_PORTS = frozenset({443, 465, 636, 853, 990, 992, 993, 994, 995, 5061, 8443, 9443})
TLS_NAME = re.compile(r"https|ssl|tls|imaps|pop3s|smtps|ldaps|ftps", re.IGNORECASE)
VERSION_ORDER = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
# Weak whatever grade nmap gives: no encryption, export-grade, broken or 64-bit block ciphers,
# unauthenticated key exchange, MD5 MACs.
WEAK_CIPHER = re.compile(r"NULL|EXPORT|RC4|RC2|3DES|DES_CBC|DES40|anon|MD5", re.IGNORECASE)
GRADES = "ABCDEF"


def tls_ports(services: list[dict[str, Any]]) -> list[int]:
    ports = set()
    for service in services:
        if service.get("proto", "tcp") != "tcp":
            continue
        port = int(service["port"])
        if port in TLS_PORTS or TLS_NAME.search(str(service.get("name") or "")):
            ports.add(port)
    return sorted(ports)


def probe_tls(address: str, services: list[dict[str, Any]], *, timeout: float) -> list[dict[str, Any]] | None:
    """One entry per port that spoke TLS; [] when no service looks like TLS; None when not run."""
    ports = tls_ports(services)
    if not ports:
        return []
    results = nmap_runner.run_scripts(address, ports, ["ssl-enum-ciphers"], budget=max(60.0, timeout * 24))
    if results is None:
        return None
    return [entry for r in results if r.script == "ssl-enum-ciphers" and (entry := parse_ssl_enum_ciphers(r))]


def parse_ssl_enum_ciphers(result: nmap_runner.ScriptResult) -> dict[str, Any] | None:
    """{port, versions, weak_ciphers, grade, warnings} from one ssl-enum-ciphers output."""
    versions: list[str] = []
    weak: list[str] = []
    warnings: list[str] = []
    for protocol in result.element.findall("table"):
        name = protocol.get("key", "")
        if name not in VERSION_ORDER:
            continue
        versions.append(name)
        for cipher in protocol.findall("table[@key='ciphers']/table"):
            cipher_name = nmap_runner.elem(cipher, "name") or ""
            strength = (nmap_runner.elem(cipher, "strength") or "").strip().upper()
            below_a = strength in GRADES and strength != "A"
            if cipher_name and (below_a or WEAK_CIPHER.search(cipher_name)) and cipher_name not in weak:
                weak.append(cipher_name)
        for warning in nmap_runner.elems(nmap_runner.table(protocol, "warnings")):
            if warning not in warnings:
                warnings.append(warning)
    if not versions:
        return None  # the port did not complete a TLS handshake
    grade = (nmap_runner.elem(result.element, "least strength") or "").strip().upper() or None
    return {
        "port": result.port,
        "versions": sorted(versions, key=VERSION_ORDER.index),
        "weak_ciphers": weak,
        "grade": grade,
        "warnings": warnings,
    }
