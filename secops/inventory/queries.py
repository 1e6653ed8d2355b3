"""Inventory queries for people and exports: assets (``InventoryAsset`` records) with their
addresses and services, scan runs, changes and alerts."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.errors import SecopsError
from secops.i18n import _
from secops.models import ASSET_TYPES
from secops.records.inventory import InventoryAsset, InventoryService
from secops.store import Store
from secops.store.schema import alerts, asset_addresses, asset_changes, assets, scan_runs, services


def _sort_key(asset: InventoryAsset) -> tuple[int, int, str]:
    address = asset.address
    if address is None:
        return (2, 0, asset.key)
    ip = ipaddress.ip_address(address)
    return (0 if ip.version == 4 else 1, int(ip), asset.key)


def list_assets(
    store: Store, *, asset_type: str | None = None, tag: str | None = None, include_gone: bool = True
) -> list[InventoryAsset]:
    query = sa.select(assets)
    if asset_type:
        query = query.where(assets.c.asset_type == asset_type)
    if tag:
        query = query.where(assets.c.system_tag == tag)
    if not include_gone:
        query = query.where(assets.c.status == "up")
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        addresses: dict[int, list[str]] = defaultdict(list)
        for a in conn.execute(
            sa.select(asset_addresses.c.asset_id, asset_addresses.c.address).where(asset_addresses.c.family == 6)
        ):
            addresses[a.asset_id].append(a.address)
        ports: dict[int, list[InventoryService]] = defaultdict(list)
        for s in conn.execute(sa.select(services).order_by(services.c.proto, services.c.port)):
            ports[s.asset_id].append(
                InventoryService(
                    port=s.port,
                    proto=s.proto,
                    name=s.name,
                    product=s.product,
                    version=s.version,
                    extrainfo=s.extrainfo,
                    cpe=tuple(s.cpe or ()),
                    banner=s.banner,
                )
            )
    result = [
        InventoryAsset(
            key=row.key,
            ipv4=row.ipv4,
            ipv6=tuple(sorted(addresses[row.id], key=lambda a: (a.startswith("fe80"), a))),
            mac=row.mac,
            vendor=row.vendor,
            hostname=row.hostname,
            asset_type=row.asset_type,
            fingerprint=row.fingerprint,
            owner=row.owner,
            system_tag=row.system_tag,
            status=row.status,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            services=tuple(ports[row.id]),
        )
        for row in rows
    ]
    return sorted(result, key=_sort_key)


def find_asset(store: Store, ident: str) -> InventoryAsset:
    """An asset by key, MAC or any of its addresses."""
    ident = ident.strip().lower()
    with store.engine.connect() as conn:
        asset_id = conn.execute(
            sa.select(assets.c.id).where((assets.c.key == ident) | (assets.c.mac == ident) | (assets.c.ipv4 == ident))
        ).scalar()
        if asset_id is None:
            asset_id = conn.execute(
                sa.select(asset_addresses.c.asset_id).where(asset_addresses.c.address == ident)
            ).scalar()
        if asset_id is None:
            raise SecopsError(
                _("no asset {asset!r} in the inventory").format(asset=ident), hint=_("see secops assets list")
            )
        key = conn.execute(sa.select(assets.c.key).where(assets.c.id == asset_id)).scalar_one()
    return next(a for a in list_assets(store) if a.key == key)


def tag_asset(
    store: Store, ident: str, *, owner: str | None, system: str | None, asset_type: str | None
) -> InventoryAsset:
    asset = find_asset(store, ident)
    values: dict[str, Any] = {}
    if owner is not None:
        values["owner"] = owner
    if system is not None:
        values["system_tag"] = system
    if asset_type is not None:
        if asset_type not in ASSET_TYPES:
            raise SecopsError(
                _("unknown asset type {type!r}").format(type=asset_type),
                hint=_("use one of {names}").format(names=", ".join(ASSET_TYPES)),
            )
        values["asset_type"], values["fingerprint"] = asset_type, "manual"  # a person's word beats fingerprints
    if not values:
        raise SecopsError(_("nothing to change"), hint=_("give --owner, --system or --type"))
    with store.engine.begin() as conn:
        conn.execute(assets.update().where(assets.c.key == asset.key).values(**values))
    return find_asset(store, asset.key)


def scan_run_list(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(scan_runs).order_by(scan_runs.c.id.desc()).limit(limit)).all()
    return [
        {
            "run": r.id,
            "profile": r.profile,
            "status": r.status,
            "started": r.started_at,
            "finished": r.finished_at,
            "hosts_up": r.hosts_up,
            "changes": r.changes,
            "targets": ", ".join(r.targets),
            "error": r.error or "",
        }
        for r in rows
    ]


def changes_of(store: Store, *, run_id: int | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
    """Changes of one run (default: the last completed run), or every change since a time."""
    with store.engine.connect() as conn:
        query = sa.select(asset_changes).order_by(asset_changes.c.id)
        if since is not None:
            query = query.where(asset_changes.c.at >= since)
        else:
            if run_id is None:
                run_id = conn.execute(
                    sa.select(sa.func.max(scan_runs.c.id)).where(scan_runs.c.status == "completed")
                ).scalar()
            query = query.where(asset_changes.c.scan_run_id == run_id)
        rows = conn.execute(query).all()
    return [
        {"run": r.scan_run_id, "at": r.at, "asset": r.asset_key, "change": r.kind, "detail": dict(r.detail)}
        for r in rows
    ]


def alert_list(store: Store, *, source: str | None = "assets", status: str | None = "open") -> list[dict[str, Any]]:
    query = sa.select(alerts).order_by(alerts.c.id.desc())
    if source:
        query = query.where(alerts.c.source == source)
    if status:
        query = query.where(alerts.c.status == status)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "at": r.at,
            "severity": r.severity,
            "rule": r.kind,
            "asset": r.asset_key,
            "title": r.title,
            "detail": dict(r.detail),
        }
        for r in rows
    ]
