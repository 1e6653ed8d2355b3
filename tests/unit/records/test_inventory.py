"""The inventory asset record: to_json gives the dict list_assets returned before records (same keys,
same order, times as datetimes), from_json reads it back (also after a trip through JSON), and the
address helpers keep each reader's rule (link-local last, or skipped for network targets)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from secops.records.inventory import InventoryAsset, InventoryService

SEEN = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
# The keys, in order, of the dicts list_assets built before it returned records.
OLD_ASSET_KEYS = [
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
]
OLD_SERVICE_KEYS = ["port", "proto", "name", "product", "version", "extrainfo", "cpe", "banner"]


def service(port: int, proto: str = "tcp", name: str = "") -> InventoryService:
    return InventoryService(port, proto, name, "", "", "", (), "")


def asset(
    ipv4: str | None = "10.0.0.5", ipv6: tuple[str, ...] = (), services: tuple[InventoryService, ...] = ()
) -> InventoryAsset:
    return InventoryAsset(
        key="aa:bb:cc:dd:ee:ff",
        ipv4=ipv4,
        ipv6=ipv6,
        mac="aa:bb:cc:dd:ee:ff",
        vendor="",
        hostname="",
        asset_type="unknown",
        fingerprint=None,
        owner="",
        system_tag="",
        status="up",
        first_seen=SEEN,
        last_seen=SEEN,
        services=services,
    )


def full() -> InventoryAsset:
    ssh = InventoryService(22, "tcp", "ssh", "OpenSSH", "9.2p1", "protocol 2.0", ("cpe:/a:openbsd:openssh:9.2p1",), "")
    dns = InventoryService(53, "udp", "domain", "", "", "", (), "")
    return InventoryAsset(
        key="aa:bb:cc:dd:ee:ff",
        ipv4="10.20.0.5",
        ipv6=("2001:db8::5", "fe80::5"),
        mac="aa:bb:cc:dd:ee:ff",
        vendor="Dell",
        hostname="xueji.school.local",
        asset_type="server",
        fingerprint="manual",
        owner="张老师",
        system_tag="xueji",
        status="up",
        first_seen=SEEN,
        last_seen=SEEN + timedelta(days=3),
        services=(ssh, dns),
    )


def test_to_json_keeps_the_old_keys_in_their_order() -> None:
    data = full().to_json()
    assert list(data) == OLD_ASSET_KEYS
    assert [list(s) for s in data["services"]] == [OLD_SERVICE_KEYS, OLD_SERVICE_KEYS]
    assert data["type"] == "server" and data["system"] == "xueji"
    assert data["ipv6"] == ["2001:db8::5", "fe80::5"] and data["services"][0]["cpe"] == ["cpe:/a:openbsd:openssh:9.2p1"]
    assert data["first_seen"] is SEEN  # a datetime, as before: the CLI puts it into the workspace's zone


def test_round_trip() -> None:
    record = full()
    assert InventoryAsset.from_json(record.to_json()) == record
    assert InventoryAsset.from_json(record.to_json()).to_json() == record.to_json()


def test_round_trip_through_json_text() -> None:
    record = full()
    text = json.dumps(record.to_json(), ensure_ascii=False, default=str)
    assert InventoryAsset.from_json(json.loads(text)) == record


def test_times_are_aware_utc() -> None:
    data: dict[str, Any] = {
        "key": "k",
        "first_seen": "2026-03-01 09:30:00+08:00",
        "last_seen": datetime(2026, 3, 1, 1, 30),  # SQLite's naive UTC
    }
    record = InventoryAsset.from_json(data)
    assert record.first_seen == SEEN and record.first_seen.tzinfo is UTC  # type: ignore[union-attr]
    assert record.last_seen == SEEN and record.last_seen.tzinfo is UTC  # type: ignore[union-attr]
    assert InventoryAsset.from_json({"key": "k", "first_seen": None}).first_seen is None
    shifted = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert InventoryAsset.from_json({"key": "k", "last_seen": shifted}).last_seen == SEEN


def test_unknown_keys_are_kept_after_the_known_ones() -> None:
    data = {**full().to_json(), "zone": "DMZ"}
    data["services"] = [{**data["services"][0], "tls": True}]
    record = InventoryAsset.from_json(data)
    assert record.extra == {"zone": "DMZ"} and record.services[0].extra == {"tls": True}
    again = record.to_json()
    assert list(again) == [*OLD_ASSET_KEYS, "zone"]
    assert list(again["services"][0]) == [*OLD_SERVICE_KEYS, "tls"]


@pytest.mark.parametrize(
    ("ipv4", "ipv6", "address", "routable"),
    [
        ("10.0.0.5", ("2001:db8::5",), "10.0.0.5", "10.0.0.5"),
        (None, ("2001:db8::5", "fe80::5"), "2001:db8::5", "2001:db8::5"),  # IPv6-only
        (None, ("fe80::5",), "fe80::5", None),  # link-local only: shown, but not a network target
        ("", ("fe80::5",), "fe80::5", None),
        (None, (), None, None),
        ("", (), None, None),
    ],
)
def test_addresses(ipv4: str | None, ipv6: tuple[str, ...], address: str | None, routable: str | None) -> None:
    record = asset(ipv4, ipv6)
    assert record.address == address
    assert record.routable_address == routable


def test_every_address_and_tcp_services() -> None:
    assert asset("10.0.0.5", ("2001:db8::5", "fe80::5")).addresses == ("10.0.0.5", "2001:db8::5", "fe80::5")
    assert asset(None, ("fe80::5",)).addresses == ("fe80::5",)
    assert asset("", ()).addresses == ()
    ssh, dns = service(22, name="ssh"), service(53, "udp", "domain")
    assert asset(services=(dns, ssh)).tcp_services() == (ssh,)
    assert asset().up and not InventoryAsset.from_json({**asset().to_json(), "status": "gone"}).up
