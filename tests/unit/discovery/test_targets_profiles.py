from datetime import datetime
from pathlib import Path

import pytest

from secops.content.kinds import kind_named
from secops.content.validate import parse_unit, validate_paths
from secops.discovery.nmap_runner import build_arguments
from secops.discovery.ports import parse_port_list, parse_port_spec
from secops.discovery.profiles import ScanProfile
from secops.discovery.targets import resolve_targets
from secops.errors import SecopsError
from secops.scope import parse_scope

SCOPE = parse_scope(["10.77.0.0/24", "fd77::/64"])


def test_targets_default_to_the_scope() -> None:
    assert [str(n) for n in resolve_targets([], SCOPE).networks] == ["10.77.0.0/24", "fd77::/64"]


def test_ranges_and_addresses_become_networks() -> None:
    targets = resolve_targets(["10.77.0.8-15", "10.77.0.20-10.77.0.21", "fd77::9"], SCOPE)
    assert [str(n) for n in targets.networks] == ["10.77.0.8/29", "10.77.0.20/31", "fd77::9/128"]
    assert targets.contains("10.77.0.9") and not targets.contains("10.77.0.16")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("10.78.0.1", "outside the workspace scope"),
        ("10.77.0.0/23", "outside the workspace scope"),
        ("fd78::1", "outside the workspace scope"),
        ("10.77.0.9-3", "empty"),
        ("10.77.0.1-fd77::1", "mixes IPv4 and IPv6"),
        ("10.77.0.x", "not an IP address, CIDR or range"),
        ("school.example", "hostnames are not resolved"),
        ("10.77.0.1/24", "did you mean 10.77.0.0/24"),
    ],
)
def test_bad_targets_are_refused(target: str, message: str) -> None:
    with pytest.raises(SecopsError) as caught:
        resolve_targets([target], SCOPE)
    assert message in str(caught.value)


def test_port_specs() -> None:
    assert parse_port_spec("top:100") == ("top", 100, None)
    assert parse_port_list("22,80,8000-8002") == {22, 80, 8000, 8001, 8002}
    spec = parse_port_spec("all")[2]
    assert spec is not None and len(spec) == 65535
    for bad in ("top:0", "0-10", "80-", "http"):
        with pytest.raises(ValueError):
            parse_port_spec(bad)


def profile(**fields: object) -> ScanProfile:
    return ScanProfile.model_validate({"id": "t", "description": "test", **fields})


def test_arguments_follow_the_profile() -> None:
    gentle = profile(
        ports="21,22", timing=2, max_rate=20, max_parallelism=1, scan_delay_ms=100, nmap_args=["--max-retries=1"]
    )
    assert build_arguments(gentle, 4, privileged=True) == [
        "-n",
        "-sS",
        "-p",
        "21,22",
        "-T2",
        "--max-rate",
        "20",
        "--max-parallelism",
        "1",
        "--scan-delay",
        "100ms",
        "--max-retries=1",
    ]
    standard = profile(ports="top:1000", version_detection=True, banners=True)
    args = build_arguments(standard, 6, privileged=False)
    assert args[:3] == ["-n", "-6", "-sT"] and "-sV" in args and "--top-ports" in args and "banner" in args
    assert build_arguments(profile(ports="all"), 4, privileged=True)[2:4] == ["-p", "1-65535"]


@pytest.mark.parametrize("arg", ["-iL", "-iR", "-oX", "--script=vuln", "--resume", "-6", "10.0.0.1", "--datadir=/tmp"])
def test_profiles_cannot_pick_targets_files_or_scripts(arg: str) -> None:
    with pytest.raises(ValueError, match=r"not allowed|looks like a target"):
        profile(nmap_args=[arg])


def test_time_windows_including_midnight_wrap() -> None:
    night = profile(windows=[{"days": ["mon"], "start": "22:00", "end": "06:00"}])
    assert night.allowed_at(datetime(2026, 11, 23, 23, 0))  # Monday night
    assert night.allowed_at(datetime(2026, 11, 24, 5, 59))  # early Tuesday belongs to Monday night
    assert not night.allowed_at(datetime(2026, 11, 24, 23, 0))  # Tuesday night
    assert not night.allowed_at(datetime(2026, 11, 23, 12, 0))
    assert profile().allowed_at(datetime(2026, 11, 23, 12, 0))


def test_shipped_profiles_cover_the_required_set() -> None:
    from secops.content.validate import load_units

    ids = {p.id for p in load_units("scan-profile")}
    assert {"quick", "standard", "full", "ipv6", "gentle"} <= ids


def test_profile_examples_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "scanners" / "profiles"
    folder.mkdir(parents=True)
    path = folder / "night.yml"
    path.write_text(
        "id: night\ndescription: d\nwindows:\n  - {start: '22:00', end: '06:00'}\n"
        "examples:\n  allowed: ['2026-11-23T12:00:00']\n",
        encoding="utf-8",
    )
    _, errors = validate_paths([path])
    assert len(errors) == 1 and "falls outside the profile's windows" in str(errors[0])
    path.write_text(path.read_text().replace("12:00", "23:00"), encoding="utf-8")
    unit, errors = parse_unit(path, kind_named("scan-profile"))
    assert errors == [] and unit.id == "night"
