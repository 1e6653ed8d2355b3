"""Shared vocabulary: what crosses from one capability to another.

Features do not import each other; they meet here. Plain dataclasses, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

AssetType = Literal["server", "pc", "printer", "camera", "network", "iot", "unknown"]
ASSET_TYPES: tuple[str, ...] = ("server", "pc", "printer", "camera", "network", "iot", "unknown")
Severity = Literal["info", "low", "medium", "high", "critical"]


@dataclass(frozen=True)
class ObservedService:
    """One open port as a scan saw it. Text fields are untrusted (banners come from the network)."""

    port: int
    proto: str = "tcp"
    name: str = ""
    product: str = ""
    version: str = ""
    extrainfo: str = ""
    cpe: tuple[str, ...] = ()
    banner: str = ""


@dataclass
class ObservedHost:
    """One host as a scan saw it: any of its addresses, its MAC and open services."""

    ipv4: str | None = None
    ipv6: list[str] = field(default_factory=list)
    mac: str | None = None
    vendor: str = ""
    hostname: str = ""
    services: list[ObservedService] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.mac or self.ipv4 or (self.ipv6[0] if self.ipv6 else "")


@dataclass(frozen=True)
class ScanCoverage:
    """What a scan looked at, so that silence is read as 'gone/closed' only where it looked."""

    networks: tuple[str, ...]  # CIDRs the scan covered
    tcp_ports: frozenset[int] | None  # None: ports were not scanned (host discovery only)
    version_detection: bool


@dataclass(frozen=True)
class Change:
    """A difference between the inventory and a new scan."""

    kind: Literal[
        "host_new", "host_gone", "host_back", "port_opened", "port_closed", "version_changed", "address_changed"
    ]
    asset_key: str
    detail: dict[str, object]


@dataclass(frozen=True)
class Alert:
    """Something a person should look at, as a writer hands it to the store (``alerts`` table): the
    table's status starts "open". ``identity`` (secops.store.alert_identity) makes storing it twice
    store it once."""

    at: datetime  # aware: the time of the event it reports
    source: str  # capability that raised it, e.g. "assets", "sigma", "yara"
    kind: str  # e.g. "risky_service", "sigma_detection"
    severity: str  # info | low | medium | high | critical
    title: str
    asset_key: str | None
    detail: dict[str, Any]
    identity: str


@dataclass(frozen=True)
class AlertFacts:
    """What an incident needs from an alert, whatever shape the alert came in: a workspace alert row
    (``secops incident open --from-alert``, the demo) or an alert a school sent the center.

    ``incident.open_from_alert`` picks the playbook from the title (and ``text``), tags and source,
    and opens the incident from the rest. Text fields are untrusted (they come from logs and schools).
    """

    title: str
    severity: str  # info | low | medium | high | critical
    detected_at: datetime  # aware
    source: str = ""  # capability or sensor that raised it, e.g. "sigma", "yara"
    rule: str = ""  # the rule's id, "" when no rule raised it
    tags: tuple[str, ...] = ()
    text: str = ""  # more words a playbook's title_words may match (a center alert's message)
    assets: tuple[str, ...] = ()  # affected hosts: addresses or names
    school: str = ""  # the school's code when the alert came from a school (at the center), else ""
    school_name: str = ""
    alert_ids: tuple[int, ...] = ()  # the workspace alerts the incident links
    facts: dict[str, object] = field(default_factory=dict)  # kept in the incident's facts, for its reports
