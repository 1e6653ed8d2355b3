"""Reading and writing the inventory. Every discovery is applied in one transaction, in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from secops.inventory.alert_rules import AlertRule, alerts_for
from secops.inventory.diff import Diff, KnownAsset, diff
from secops.inventory.fingerprints import Classifier
from secops.models import Alert, Change, ObservedHost, ObservedService, ScanCoverage
from secops.store import Store
from secops.store.alerts import store_alerts
from secops.store.bulk import execute_many, insert_rows
from secops.store.schema import asset_addresses, asset_changes, assets, scan_runs, services


@dataclass(frozen=True)
class ApplyResult:
    changes: list[Change]
    alerts: list[Alert]
    hosts_up: int


def load_known(conn: Connection) -> tuple[list[KnownAsset], dict[str, int], dict[str, str]]:
    """Every asset with its addresses and open services; plus key -> id and key -> fingerprint."""
    by_id: dict[int, KnownAsset] = {}
    ids: dict[str, int] = {}
    fingerprints: dict[str, str] = {}
    for row in conn.execute(
        sa.select(assets.c.id, assets.c.key, assets.c.mac, assets.c.status, assets.c.missed_scans, assets.c.fingerprint)
    ):
        by_id[row.id] = KnownAsset(row.key, row.mac, set(), {}, row.status, row.missed_scans)
        ids[row.key] = row.id
        fingerprints[row.key] = row.fingerprint or ""
    for address in conn.execute(sa.select(asset_addresses.c.asset_id, asset_addresses.c.address)):
        by_id[address.asset_id].addresses.add(address.address)
    # What the diff compares: name, product and version (cpe and banners stay in the database).
    columns = [services.c[name] for name in ("asset_id", "port", "proto", "name", "product", "version")]
    for asset_id, port, proto, name, product, version in conn.execute(sa.select(*columns)):
        by_id[asset_id].services[(port, proto)] = ObservedService(port, proto, name, product, version)
    return list(by_id.values()), ids, fingerprints


def start_run(store: Store, profile: str, targets: Iterable[str], now: datetime) -> int:
    with store.engine.begin() as conn:
        result = conn.execute(
            scan_runs.insert().values(
                profile=profile, targets=list(targets), commands=[], status="running", started_at=now
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_run(
    store: Store,
    run_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    commands: list[list[str]] | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": now, "error": error}
    if commands is not None:
        values["commands"] = commands
    with store.engine.begin() as conn:
        conn.execute(scan_runs.update().where(scan_runs.c.id == run_id).values(**values))


def apply_discovery(
    store: Store,
    run_id: int,
    observed: list[ObservedHost],
    coverage: ScanCoverage,
    classifier: Classifier,
    rules: list[AlertRule],
    now: datetime,
    *,
    gone_after: int = 2,
    commands: list[list[str]] | None = None,
) -> ApplyResult:
    """Diff the scan against the inventory and write everything in one transaction."""
    with store.engine.begin() as conn:
        known, ids, fingerprints = load_known(conn)
        result = diff(known, observed, coverage, gone_after=gone_after)
        known_by_key = {asset.key: asset for asset in known}
        _write_assets(conn, result, known_by_key, ids, fingerprints, classifier, now)
        _write_services(conn, result, known_by_key, ids, now)
        raised = _alerts(result, rules, run_id, now)
        _write_events(conn, run_id, result.changes, raised, now)
        conn.execute(
            scan_runs.update()
            .where(scan_runs.c.id == run_id)
            .values(
                status="completed",
                finished_at=now,
                hosts_up=len(observed),
                changes=len(result.changes),
                commands=commands or [],
            )
        )
    return ApplyResult(result.changes, raised, len(observed))


def _write_assets(
    conn: Connection,
    result: Diff,
    known: dict[str, KnownAsset],
    ids: dict[str, int],
    fingerprints: dict[str, str],
    classifier: Classifier,
    now: datetime,
) -> None:
    new_rows, update_rows = [], []
    closed = {(c.asset_key, c.detail["port"], c.detail["proto"]) for c in result.changes if c.kind == "port_closed"}
    for key, host in result.matched:
        services_seen = list(host.services)
        if key is not None:  # the type follows every service still open, seen this time or not
            observed = {(x.port, x.proto) for x in host.services}
            services_seen += [
                s for slot, s in known[key].services.items() if slot not in observed and (key, *slot) not in closed
            ]
        asset_type, fingerprint = classifier.classify(
            ObservedHost(host.ipv4, host.ipv6, host.mac, host.vendor, host.hostname, services_seen)
        )
        row = {"ipv4": host.ipv4, "mac": host.mac, "vendor": host.vendor, "hostname": host.hostname, "last_seen": now}
        if key is None:
            new_rows.append(
                {
                    **row,
                    "key": host.key,
                    "asset_type": asset_type,
                    "fingerprint": fingerprint,
                    "owner": "",
                    "system_tag": "",
                    "status": "up",
                    "missed_scans": 0,
                    "first_seen": now,
                }
            )
        else:
            manual = fingerprints.get(key) == "manual"
            update_rows.append(
                {
                    **row,
                    "b_key": key,
                    "status": "up",
                    "missed_scans": 0,
                    "asset_type": None if manual else asset_type,
                    "fingerprint": "manual" if manual else fingerprint,
                }
            )
    insert_rows(conn, assets, new_rows)
    if update_rows:
        execute_many(
            conn,
            assets.update()
            .where(assets.c.key == sa.bindparam("b_key"))
            .values(
                ipv4=sa.func.coalesce(sa.bindparam("ipv4"), assets.c.ipv4),
                mac=sa.func.coalesce(sa.bindparam("mac"), assets.c.mac),
                vendor=sa.func.coalesce(sa.func.nullif(sa.bindparam("vendor"), ""), assets.c.vendor),
                hostname=sa.func.coalesce(sa.func.nullif(sa.bindparam("hostname"), ""), assets.c.hostname),
                asset_type=sa.func.coalesce(sa.bindparam("asset_type"), assets.c.asset_type),
                fingerprint=sa.bindparam("fingerprint"),
                status=sa.bindparam("status"),
                missed_scans=sa.bindparam("missed_scans"),
                last_seen=sa.bindparam("last_seen"),
            ),
            "UPDATE assets SET ipv4 = coalesce(?, ipv4), mac = coalesce(?, mac), "
            "vendor = coalesce(nullif(?, ''), vendor), hostname = coalesce(nullif(?, ''), hostname), "
            "asset_type = coalesce(?, asset_type), fingerprint = ?, "
            "status = ?, missed_scans = ?, last_seen = ? WHERE key = ?",
            update_rows,
            (
                "ipv4",
                "mac",
                "vendor",
                "hostname",
                "asset_type",
                "fingerprint",
                "status",
                "missed_scans",
                "last_seen",
                "b_key",
            ),
        )
    missed = [
        {"b_key": key, "missed": count, "status": "gone" if key in result.gone else "up"}
        for key, count in result.missed.items()
    ]
    execute_many(
        conn,
        assets.update()
        .where(assets.c.key == sa.bindparam("b_key"))
        .values(missed_scans=sa.bindparam("missed"), status=sa.bindparam("status")),
        "UPDATE assets SET missed_scans = ?, status = ? WHERE key = ?",
        missed,
        ("missed", "status", "b_key"),
    )
    if new_rows:
        ids.update({row.key: row.id for row in conn.execute(sa.select(assets.c.key, assets.c.id))})


def _write_services(
    conn: Connection, result: Diff, known: dict[str, KnownAsset], ids: dict[str, int], now: datetime
) -> None:
    """New or changed addresses and services are upserted; unchanged ones only get last_seen,
    which on a stable network of 65k hosts is nearly all of them and by far the cheaper write."""
    address_rows, service_rows, touched_addresses, touched_services = [], [], [], []
    for key, host in result.matched:
        asset_id = ids[key or host.key]
        before = known.get(key) if key else None
        for address in [a for a in [host.ipv4, *host.ipv6] if a]:
            if before is not None and address in before.addresses:
                touched_addresses.append({"b_id": asset_id, "b_address": address, "last_seen": now})
                continue
            family = 6 if ":" in address else 4
            address_rows.append(
                {"asset_id": asset_id, "address": address, "family": family, "first_seen": now, "last_seen": now}
            )
        for s in host.services:
            old = before.services.get((s.port, s.proto)) if before is not None else None
            if old is not None and (old.name, old.product, old.version) == (s.name, s.product, s.version):
                touched_services.append({"b_id": asset_id, "b_port": s.port, "b_proto": s.proto, "last_seen": now})
                continue
            service_rows.append(
                {
                    "asset_id": asset_id,
                    "port": s.port,
                    "proto": s.proto,
                    "name": s.name,
                    "product": s.product,
                    "version": s.version,
                    "extrainfo": s.extrainfo,
                    "cpe": list(s.cpe),
                    "banner": s.banner,
                    "first_seen": now,
                    "last_seen": now,
                }
            )
    insert_rows(conn, asset_addresses, address_rows, conflict=("asset_id", "address"), update=("last_seen",))
    insert_rows(
        conn,
        services,
        service_rows,
        conflict=("asset_id", "port", "proto"),
        update=("name", "product", "version", "extrainfo", "cpe", "banner", "last_seen"),
    )
    execute_many(
        conn,
        asset_addresses.update()
        .where(
            (asset_addresses.c.asset_id == sa.bindparam("b_id"))
            & (asset_addresses.c.address == sa.bindparam("b_address"))
        )
        .values(last_seen=sa.bindparam("last_seen")),
        "UPDATE asset_addresses SET last_seen = ? WHERE asset_id = ? AND address = ?",
        touched_addresses,
        ("last_seen", "b_id", "b_address"),
    )
    execute_many(
        conn,
        services.update()
        .where(
            (services.c.asset_id == sa.bindparam("b_id"))
            & (services.c.port == sa.bindparam("b_port"))
            & (services.c.proto == sa.bindparam("b_proto"))
        )
        .values(last_seen=sa.bindparam("last_seen")),
        "UPDATE services SET last_seen = ? WHERE asset_id = ? AND port = ? AND proto = ?",
        touched_services,
        ("last_seen", "b_id", "b_port", "b_proto"),
    )
    closed = [
        {"b_id": ids[c.asset_key], "b_port": c.detail["port"], "b_proto": c.detail["proto"]}
        for c in result.changes
        if c.kind == "port_closed"
    ]
    execute_many(
        conn,
        services.delete().where(
            (services.c.asset_id == sa.bindparam("b_id"))
            & (services.c.port == sa.bindparam("b_port"))
            & (services.c.proto == sa.bindparam("b_proto"))
        ),
        "DELETE FROM services WHERE asset_id = ? AND port = ? AND proto = ?",
        closed,
        ("b_id", "b_port", "b_proto"),
    )


def _alerts(result: Diff, rules: list[AlertRule], run_id: int, now: datetime) -> list[Alert]:
    hosts = {(key or host.key): host for key, host in result.matched}
    raised: list[Alert] = []
    for change in result.changes:
        host = hosts.get(change.asset_key)
        concerned: list[ObservedService] = []
        if host is not None and change.kind == "host_new":
            concerned = host.services
        elif host is not None and change.kind == "port_opened":
            concerned = [
                s for s in host.services if (s.port, s.proto) == (change.detail["port"], change.detail["proto"])
            ]
        raised += alerts_for(rules, change, concerned, now, run_id=run_id)
    return raised


def _write_events(conn: Connection, run_id: int, changes: list[Change], raised: list[Alert], now: datetime) -> None:
    change_rows = [
        {"scan_run_id": run_id, "asset_key": c.asset_key, "kind": c.kind, "detail": c.detail, "at": now}
        for c in changes
    ]
    insert_rows(conn, asset_changes, change_rows)
    store_alerts(conn, raised)  # new identities only: a run applied twice alerts once
