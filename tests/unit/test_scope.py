import pytest

from secops.errors import SecopsError
from secops.scope import in_scope, parse_network, parse_scope


def test_parses_ipv4_and_ipv6_networks() -> None:
    networks = parse_scope(["10.20.0.0/16", "2001:db8:20::/48", "192.0.2.7"])
    assert [str(n) for n in networks] == ["10.20.0.0/16", "2001:db8:20::/48", "192.0.2.7/32"]


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("10.20.0.1/16", "did you mean 10.20.0.0/16"),
        ("10.300.0.0/16", "not an IPv4 or IPv6 network"),
        ("campus", "not an IPv4 or IPv6 network"),
        ("0.0.0.0/0", "too broad"),
        ("::/0", "too broad"),
    ],
)
def test_bad_networks_say_how_to_fix(entry: str, fragment: str) -> None:
    with pytest.raises(SecopsError) as caught:
        parse_network(entry)
    assert fragment in str(caught.value)


def test_overlapping_entries_are_refused() -> None:
    with pytest.raises(SecopsError, match="overlap"):
        parse_scope(["10.20.0.0/16", "10.20.5.0/24"])
    with pytest.raises(SecopsError, match="overlap"):
        parse_scope(["2001:db8::/32", "2001:db8:20::/48"])
    with pytest.raises(SecopsError, match="overlap"):
        parse_scope(["10.1.0.0/24", "10.1.0.0/24"])


def test_empty_scope_is_refused() -> None:
    with pytest.raises(SecopsError, match="empty"):
        parse_scope([])


def test_in_scope_checks_family_and_membership() -> None:
    scope = parse_scope(["10.20.0.0/16", "2001:db8:20::/48"])
    assert in_scope("10.20.3.4", scope)
    assert in_scope("2001:db8:20::1", scope)
    assert not in_scope("10.21.0.1", scope)
    assert not in_scope("2001:db8:21::1", scope)
    assert not in_scope("::ffff:10.20.0.1", scope)
