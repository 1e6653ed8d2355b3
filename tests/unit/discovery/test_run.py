"""How much a discovery would scan, and the refusal of a whole scope bigger than a /16."""

from __future__ import annotations

import pytest

from secops.discovery.profiles import ScanProfile
from secops.discovery.run import LARGE_SCAN, check_scan_size, scanned_addresses
from secops.discovery.targets import resolve_targets
from secops.errors import SecopsError
from secops.scope import parse_scope


def profile(families: list[int]) -> ScanProfile:
    return ScanProfile.model_validate({"id": "t", "description": "test", "families": families})


def test_only_what_nmap_scans_address_by_address_counts() -> None:
    targets = resolve_targets([], parse_scope(["10.20.0.0/16", "10.30.0.0/24", "fd77::/64", "fd78::/120"]))
    assert scanned_addresses(targets, profile([4])) == 65536 + 256
    assert scanned_addresses(targets, profile([6])) == 256  # the /64 is left to ff02::1
    assert scanned_addresses(targets, profile([4, 6])) == 65536 + 512


def test_a_slash_16_passes_and_more_needs_confirmation() -> None:
    sixteen = resolve_targets([], parse_scope(["10.20.0.0/16", "fd77::/64"]))
    check_scan_size(sixteen, profile([4, 6]), confirmed=False)
    eight = resolve_targets([], parse_scope(["10.0.0.0/8"]))
    with pytest.raises(SecopsError) as caught:
        check_scan_size(eight, profile([4]), confirmed=False)
    assert caught.value.exit_code == 2
    text = str(caught.value)
    assert "10.0.0.0/8" in text and "16,777,216" in text and f"{LARGE_SCAN:,}" in text and "--yes" in text
    check_scan_size(eight, profile([4]), confirmed=True)
    check_scan_size(eight, profile([6]), confirmed=False)  # an IPv6-only profile does not sweep it
