"""Gathering the facts an assessment judges: inventory services, network probes, host collectors.

Network targets are the system's tagged assets, or ``--targets`` (inside the workspace scope;
addresses not yet in the inventory are scanned first with the ``standard`` profile). Anything
that cannot be reached leaves its facts absent, so the checks say not_evidenced.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from secops.config import Workspace
from secops.dengbao.assess import HOST, NETWORK, Target
from secops.dengbao.systems import System
from secops.errors import SecopsError
from secops.i18n import _
from secops.records.inventory import InventoryAsset
from secops.store import Store

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
PARALLEL_HOSTS = 8


def _address_of(asset: InventoryAsset) -> str | None:
    return asset.routable_address  # a link-local address is not a network target


def _tcp_services(asset: InventoryAsset) -> list[dict[str, Any]]:
    """The asset's TCP services as the facts the checks and probes read (JSON-like dicts)."""
    return [s.to_json() for s in asset.tcp_services()]


def network_targets(
    workspace: Workspace,
    store: Store,
    system: System,
    targets: tuple[str, ...],
    *,
    now: Callable[[], datetime],
    force: bool,
    progress: Progress,
) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """(address, services or None when the address is not up) for every network target."""
    from secops.discovery.targets import resolve_targets
    from secops.inventory.queries import list_assets

    if not targets:
        if not system.asset_tag:
            return []
        assets = list_assets(store, tag=system.asset_tag, include_gone=False)
        return [(addr, _tcp_services(a)) for a in assets if (addr := _address_of(a))]
    target_set = resolve_targets(targets, workspace.config.networks())  # refuses out-of-scope targets
    by_address = _assets_by_address(store)
    wanted = [str(n.network_address) for n in target_set.networks if n.num_addresses == 1]
    ranges = [n for n in target_set.networks if n.num_addresses > 1]
    missing = [a for a in wanted if a not in by_address]
    if missing or ranges:
        from secops.inventory.job import run_discovery

        progress(f"scanning {len(missing) + len(ranges)} target(s) not yet in the inventory (profile standard)")
        run_discovery(
            workspace, store, profile_name="standard", targets=[*missing, *map(str, ranges)], now=now, force=force
        )
        by_address = _assets_by_address(store)
    found: list[tuple[str, list[dict[str, Any]] | None]] = []
    for address in wanted:
        known = by_address.get(address)
        found.append((address, _tcp_services(known) if known else None))
    for network in ranges:
        for address, asset in sorted(by_address.items()):
            if ipaddress.ip_address(address) in network and not address.startswith("fe80"):
                found.append((address, _tcp_services(asset)))
    return found


def _assets_by_address(store: Store) -> dict[str, InventoryAsset]:
    from secops.inventory.queries import list_assets

    return {address: asset for asset in list_assets(store, include_gone=False) for address in asset.addresses}


def gather(
    workspace: Workspace,
    store: Store,
    system: System,
    *,
    targets: tuple[str, ...] = (),
    local: bool = False,
    ssh_hosts: tuple[str, ...] = (),
    ssh_user: str | None = None,
    ssh_identity: str | None = None,
    probes: bool = True,
    credentials: bool = True,
    now: Callable[[], datetime],
    force: bool = False,
    progress: Progress = lambda _line: None,
    outside_zone: bool | None = None,
) -> list[Target]:
    """Every target's facts. ``outside_zone`` says whether the network scan ran from outside the
    targets' zone (the Internet, another segment): high-risk case 6.4.3.1 needs a risky port
    reachable from there; None (not said) leaves that check not evidenced."""
    found: list[Target] = []
    network = network_targets(workspace, store, system, targets, now=now, force=force, progress=progress)
    up = [(address, services) for address, services in network if services is not None]
    probed: dict[str, dict[str, Any]] = {}
    if probes and up:
        from concurrent.futures import ThreadPoolExecutor

        from secops.discovery.probes import probe_host

        progress(f"probing {len(up)} host(s)")
        # Hosts are probed side by side (each probe is rate-limited per host); most time is waiting.
        with ThreadPoolExecutor(max_workers=min(PARALLEL_HOSTS, len(up)), thread_name_prefix="host") as pool:
            futures = {a: pool.submit(probe_host, a, s, credentials=credentials) for a, s in up}
            probed = {address: future.result() for address, future in futures.items()}
    for address, services in network:
        if services is None:
            found.append(Target(address, NETWORK, {"address": address}, ["主机未响应，网络检查未取得证据"]))
            continue
        facts: dict[str, Any] = {"address": address, "services": services, **probed.get(address, {})}
        if outside_zone is not None:
            facts["vantage"] = {"outside_zone": outside_zone}
        found.append(Target(address, NETWORK, facts))
    if local:
        from secops.discovery.collect.run import collect_local

        progress("collecting host configuration of this machine")
        found.append(Target("本机", HOST, {"linux": collect_local()}))
    for host in ssh_hosts:
        from secops.discovery.collect.run import CollectorUnavailable, collect_ssh

        _check_in_scope(workspace, host)
        progress(f"collecting host configuration of {host} over SSH")
        try:
            facts = {"linux": collect_ssh(host, user=ssh_user, identity=ssh_identity, timeout=20.0)}
            found.append(Target(host, HOST, facts))
        except CollectorUnavailable as error:
            found.append(Target(host, HOST, {}, [f"主机核查未取得证据：{error}"]))
    if not found:
        raise SecopsError(
            _("nothing to assess automatically for system {name!r}").format(name=system.name),
            hint=_(
                "tag its assets (secops assets tag ADDR --system TAG, then system add --asset-tag TAG), "
                "or pass --targets, --local or --ssh; add --no-automated to use the questionnaire alone"
            ),
        )
    return found


def _check_in_scope(workspace: Workspace, host: str) -> None:
    from secops.scope import in_scope

    try:
        inside = in_scope(host, workspace.config.networks())
    except ValueError:
        raise SecopsError(_("--ssh {host}: give an IP address inside the workspace scope").format(host=host)) from None
    if not inside:
        raise SecopsError(
            _("--ssh {host} is outside the workspace scope").format(host=host),
            hint=_("collect only from the school's hosts"),
        )
