"""An inventory asset as other parts read it: the CLI, exports, reports and the 等保 assessment
(which meets the inventory through ``secops.inventory.queries.list_assets``).

``to_json`` gives exactly the dict ``list_assets`` returned before it returned records (the same keys
in the same order; times stay ``datetime`` objects, which the CLI puts into the workspace's zone
before printing), so ``secops assets list/show/tag/export`` output does not change. ``from_json``
also reads that dict after a trip through JSON (times as ISO text); unknown keys are kept in
``extra`` and written back after the known ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from secops.records.json_fields import extra_keys, strs

LINK_LOCAL_PREFIX = "fe80"  # IPv6 link-local: reachable only from the host's own segment


def _time(value: datetime | str | None) -> datetime | None:
    """An aware UTC time from a datetime or ISO text (a naive one is UTC, as SQLite keeps it)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class InventoryService:
    """One open service of an asset as the last scan saw it (``services[]``)."""

    port: int
    proto: str  # tcp | udp
    name: str
    product: str
    version: str
    extrainfo: str
    cpe: tuple[str, ...]
    banner: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = ("port", "proto", "name", "product", "version", "extrainfo", "cpe", "banner")

    def to_json(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "proto": self.proto,
            "name": self.name,
            "product": self.product,
            "version": self.version,
            "extrainfo": self.extrainfo,
            "cpe": list(self.cpe),
            "banner": self.banner,
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InventoryService:
        return cls(
            port=int(data["port"]),
            proto=data.get("proto", "tcp"),
            name=data.get("name", ""),
            product=data.get("product", ""),
            version=data.get("version", ""),
            extrainfo=data.get("extrainfo", ""),
            cpe=strs(data.get("cpe")),
            banner=data.get("banner", ""),
            extra=extra_keys(data, cls.KEYS),
        )


@dataclass(frozen=True)
class InventoryAsset:
    """One asset of the inventory with its addresses and open services."""

    key: str  # the inventory's stable key (MAC, else address)
    ipv4: str | None
    ipv6: tuple[str, ...]  # global addresses first, link-local (fe80) last
    mac: str | None
    vendor: str
    hostname: str
    asset_type: str  # one of secops.models.ASSET_TYPES (JSON key "type")
    fingerprint: str | None  # what decided the type ("manual" when a person set it)
    owner: str
    system_tag: str  # the information system it belongs to (JSON key "system")
    status: str  # up | gone
    first_seen: datetime | None
    last_seen: datetime | None
    services: tuple[InventoryService, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    KEYS = (
        "key",
        "ipv4",
        "ipv6",
        "mac",
        "vendor",
        "hostname",
        "type",
        "fingerprint",
        "owner",
        "system",
        "status",
        "first_seen",
        "last_seen",
        "services",
    )

    @property
    def address(self) -> str | None:
        """The IPv4 address, else the first IPv6 one (a link-local one only when it has nothing else)."""
        return self.ipv4 or (self.ipv6[0] if self.ipv6 else None)

    @property
    def routable_address(self) -> str | None:
        """The IPv4 address, else the first IPv6 one that is not link-local (fe80), else None:
        an address a scan from another segment can reach."""
        if self.ipv4:
            return self.ipv4
        return next((a for a in self.ipv6 if not a.startswith(LINK_LOCAL_PREFIX)), None)

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address of the asset: IPv4 (when it has one), then IPv6."""
        return tuple(a for a in (self.ipv4, *self.ipv6) if a)

    @property
    def up(self) -> bool:
        return self.status == "up"

    def tcp_services(self) -> tuple[InventoryService, ...]:
        return tuple(s for s in self.services if s.proto == "tcp")

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ipv4": self.ipv4,
            "ipv6": list(self.ipv6),
            "mac": self.mac,
            "vendor": self.vendor,
            "hostname": self.hostname,
            "type": self.asset_type,
            "fingerprint": self.fingerprint,
            "owner": self.owner,
            "system": self.system_tag,
            "status": self.status,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "services": [s.to_json() for s in self.services],
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InventoryAsset:
        return cls(
            key=data["key"],
            ipv4=data.get("ipv4"),
            ipv6=strs(data.get("ipv6")),
            mac=data.get("mac"),
            vendor=data.get("vendor", ""),
            hostname=data.get("hostname", ""),
            asset_type=data.get("type", "unknown"),
            fingerprint=data.get("fingerprint"),
            owner=data.get("owner", ""),
            system_tag=data.get("system", ""),
            status=data.get("status", "up"),
            first_seen=_time(data.get("first_seen")),
            last_seen=_time(data.get("last_seen")),
            services=tuple(InventoryService.from_json(s) for s in data.get("services") or ()),
            extra=extra_keys(data, cls.KEYS),
        )
