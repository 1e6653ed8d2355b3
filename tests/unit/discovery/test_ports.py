"""Port lists for nmap: top-N plus a profile's additions in one -p list nmap accepts."""

from __future__ import annotations

import shutil

import pytest

from secops.discovery.nmap_runner import nmap_top_ports
from secops.discovery.ports import format_port_list, parse_port_list, port_arguments

TOP = frozenset({21, 22, 23, 80, 443})


def fake_top(count: int) -> frozenset[int]:
    assert count == 5
    return TOP


def test_port_lists_are_written_compactly_and_read_back() -> None:
    assert format_port_list([80, 22, 21, 23, 443, 8080, 8081]) == "21-23,80,443,8080,8081"
    assert format_port_list(range(1, 65536)) == "1-65535"
    ports = {21, 22, 23, 80, 6379, 27017, 27018, 27019}
    assert parse_port_list(format_port_list(ports)) == ports


def test_top_ports_alone_stay_top_ports() -> None:
    assert port_arguments("top:100", frozenset(), fake_top) == ["--top-ports", "100"]


def test_top_ports_with_additions_become_one_port_list() -> None:
    args = port_arguments("top:5", frozenset({6379, 27017, 80}), fake_top)
    assert args == ["-p", "21-23,80,443,6379,27017"]


def test_listed_ports_with_additions() -> None:
    assert port_arguments("22,80", frozenset({6379}), fake_top) == ["-p", "22,80,6379"]
    assert port_arguments("all", frozenset({6379}), fake_top) == ["-p", "1-65535"]


@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed; scripts/install.sh installs it")
def test_nmaps_own_top_ports_leave_out_what_schools_expose() -> None:
    top100 = nmap_top_ports(100)
    assert len(top100) == 100 and {22, 80, 443, 3389} <= top100
    assert not {6379, 27017, 11211, 2375} & top100  # why profiles add scanners/ports/school-exposure.yml
    top1000 = nmap_top_ports(1000)
    assert len(top1000) == 1000 and top100 <= top1000
    assert 6379 not in top1000 and 27017 not in top1000
