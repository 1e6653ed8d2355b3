"""Shared port lists (scanners/ports) and the profile keys that use them: port_lists, extra_ports, narrow."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.content.validate import parse_unit, validate_paths
from secops.discovery.nmap_runner import build_arguments
from secops.discovery.portlists import PORT_LIST_KIND, load_port_list
from secops.discovery.profiles import ScanProfile
from secops.errors import SecopsError


def profile(**fields: object) -> ScanProfile:
    return ScanProfile.model_validate({"id": "t", "description": "test", **fields})


def test_the_school_exposure_list_names_each_port_and_why() -> None:
    exposure = load_port_list("school-exposure")
    ports = exposure.tcp_ports()
    required = {6379, 27017, 11211, 2375, 2376, 9200, 9300, 5601, 6443, 10250, 10255, 2379, 8848, 7001, 7002}
    required |= {8161, 61616, 8088, 50070, 9870, 2181, 15672, 8080, 554, 8000, 37777, 34567, 1433, 1521, 5432}
    required |= {5900, 3389, 445, 8888, 9090}
    assert required <= ports
    assert all(p.service and p.why for p in exposure.ports)


def test_profile_ports_are_the_union() -> None:
    scan = profile(ports="22,80", port_lists=["school-exposure"], extra_ports="8443,9443")
    assert {22, 80, 8443, 9443, 6379, 27017} <= scan.listed_ports()
    assert {8443, 9443, 6379} <= scan.added_ports() and 22 not in scan.added_ports()
    assert profile(ports="top:100").listed_ports() == frozenset()


def test_arguments_unite_nmaps_top_ports_with_the_lists() -> None:
    scan = profile(ports="top:2", extra_ports="6379,27017")
    args = build_arguments(scan, 4, privileged=True, top_ports=lambda n: frozenset({80, 443}))
    assert args[:4] == ["-n", "-sS", "-p", "80,443,6379,27017"] and "--top-ports" not in args


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"port_lists": ["nosuch"]}, "no port list named 'nosuch'"),
        ({"extra_ports": "6379,http"}, "not a port or a range"),
        ({"nmap_args": ["-p", "22"]}, "use ports, port_lists or extra_ports"),
        ({"nmap_args": ["-p22"]}, "use ports, port_lists or extra_ports"),
        ({"nmap_args": ["--top-ports=10"]}, "use ports, port_lists or extra_ports"),
        ({"narrow": "sometimes"}, "valid boolean"),
    ],
)
def test_bad_port_keys_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        profile(**fields)


def test_a_profile_file_naming_a_missing_list_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "scanners" / "profiles"
    folder.mkdir(parents=True)
    path = folder / "mine.yml"
    path.write_text("id: mine\ndescription: d\nports: top:100\nport_lists: [school-exposur]\n", encoding="utf-8")
    _, errors = validate_paths([path])
    assert len(errors) == 1 and errors[0].line == 4
    assert "no port list named 'school-exposur'" in str(errors[0]) and "school-exposure" in str(errors[0])


def test_a_bad_port_list_names_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "scanners" / "ports"
    folder.mkdir(parents=True)
    path = folder / "mine.yml"
    path.write_text(
        "id: mine\ndescription: d\nports:\n  - {port: 6379, service: redis, why: w}\n"
        "  - {port: 70000, service: x, why: w}\n",
        encoding="utf-8",
    )
    unit, errors = parse_unit(path, PORT_LIST_KIND)
    assert unit is None and errors[0].line == 5 and "ports.1.port" in str(errors[0])
    path.write_text(path.read_text().replace("70000", "6379"), encoding="utf-8")
    _, errors = parse_unit(path, PORT_LIST_KIND)
    assert "ports listed twice: 6379" in str(errors[0])


def test_missing_list_error_lists_the_known_ones() -> None:
    with pytest.raises(SecopsError, match="school-exposure"):
        load_port_list("nope")
