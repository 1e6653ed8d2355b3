from secops.inventory.diff import KnownAsset, diff
from secops.models import ObservedHost, ObservedService, ScanCoverage

FULL = ScanCoverage(networks=("10.77.0.0/24", "fd77::/64"), tcp_ports=frozenset(range(1, 1025)), version_detection=True)
SSH = ObservedService(22, name="ssh", product="OpenSSH", version="9.2p1")
HTTP = ObservedService(80, name="http", product="nginx", version="1.22.1")


def known(key: str = "02:77:00:00:00:05", addresses: tuple[str, ...] = ("10.77.0.5",), **kwargs: object) -> KnownAsset:
    services = {(s.port, s.proto): s for s in kwargs.pop("services", [SSH, HTTP])}  # type: ignore[attr-defined]
    return KnownAsset(key, key if ":" in key else None, set(addresses), services, **kwargs)  # type: ignore[arg-type]


def host(
    mac: str | None = "02:77:00:00:00:05",
    ipv4: str = "10.77.0.5",
    services: list[ObservedService] | None = None,
    ipv6: list[str] | None = None,
) -> ObservedHost:
    return ObservedHost(
        ipv4=ipv4, ipv6=ipv6 or [], mac=mac, services=list([SSH, HTTP] if services is None else services)
    )


def kinds(result: object) -> list[tuple[str, str]]:
    return [(c.kind, c.asset_key) for c in result.changes]  # type: ignore[attr-defined]


def test_unchanged_host_gives_no_changes() -> None:
    result = diff([known()], [host()], FULL)
    assert result.changes == [] and result.matched[0][0] == "02:77:00:00:00:05"


def test_new_host_and_its_ports() -> None:
    result = diff([], [host()], FULL)
    assert kinds(result) == [("host_new", "02:77:00:00:00:05")]
    assert result.changes[0].detail["ports"] == ["22/tcp", "80/tcp"]


def test_port_opened_closed_and_version_changed() -> None:
    newer_ssh = ObservedService(22, name="ssh", product="OpenSSH", version="9.6p1")
    telnet = ObservedService(23, name="telnet")
    result = diff([known()], [host(services=[newer_ssh, telnet])], FULL)
    assert sorted(c.kind for c in result.changes) == ["port_closed", "port_opened", "version_changed"]
    changed = next(c for c in result.changes if c.kind == "version_changed")
    assert changed.detail["before"] == "OpenSSH 9.2p1" and changed.detail["after"] == "OpenSSH 9.6p1"


def test_silence_counts_only_where_the_scan_looked() -> None:
    quick = ScanCoverage(networks=FULL.networks, tcp_ports=frozenset({22}), version_detection=False)
    # 80 was not scanned: not closed. No version detection: no version change.
    result = diff([known()], [host(services=[ObservedService(22, name="ssh")])], quick)
    assert result.changes == []
    sweep_only = ScanCoverage(networks=FULL.networks, tcp_ports=None, version_detection=False)
    assert diff([known()], [host(services=[])], sweep_only).changes == []


def test_host_gone_after_n_missed_scans_and_back() -> None:
    first = diff([known()], [], FULL, gone_after=2)
    assert first.changes == [] and first.missed == {"02:77:00:00:00:05": 1}
    second = diff([known(missed_scans=1)], [], FULL, gone_after=2)
    assert kinds(second) == [("host_gone", "02:77:00:00:00:05")] and second.gone == {"02:77:00:00:00:05"}
    back = diff([known(status="gone", missed_scans=2)], [host()], FULL)
    assert kinds(back) == [("host_back", "02:77:00:00:00:05")]


def test_hosts_outside_the_scanned_networks_are_not_missed() -> None:
    elsewhere = ScanCoverage(networks=("10.77.1.0/24",), tcp_ports=None, version_detection=False)
    assert diff([known()], [], elsewhere).missed == {}


def test_matching_by_mac_then_by_address() -> None:
    moved = diff([known()], [host(ipv4="10.77.0.99")], FULL)
    assert kinds(moved) == [("address_changed", "02:77:00:00:00:05")]
    by_address = diff([known(key="10.77.0.7", addresses=("10.77.0.7",))], [host(mac=None, ipv4="10.77.0.7")], FULL)
    assert by_address.changes == [] and by_address.matched[0][0] == "10.77.0.7"
    v6 = diff([known(addresses=("10.77.0.5", "fd77::5"))], [host(mac=None, ipv4="10.77.0.5", ipv6=["fd77::5"])], FULL)
    assert v6.changes == []
