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


@pytest.mark.parametrize("entry", ["10.0.0.0/8", "2402:f000::/32", "fd00::/64", "2001:db8::/32", "2001:da8::/32"])
def test_the_broadest_allowed_scopes_are_accepted(entry: str) -> None:
    assert str(parse_network(entry)) == entry


@pytest.mark.parametrize("entry", ["8.0.0.0/7", "2400::/31", "fd00::/8"])
def test_scopes_broader_than_the_documented_minimum_are_refused(entry: str) -> None:
    with pytest.raises(SecopsError, match="too broad") as caught:
        parse_network(entry)
    assert "/8 or narrower" in str(caught.value) or "/32 or narrower" in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("::ffff:0:0/96", "IPv4-mapped"),  # all of IPv4
        ("::ffff:10.0.0.0/104", "IPv4-mapped"),  # a subnet of it: 10.0.0.0/8 through the back door
        ("::ffff:10.20.0.1", "IPv4-mapped"),
        ("::/64", "IPv4-compatible"),  # a supernet that contains ::/96 and ::ffff:0:0/96
        ("::ffff:0:0:0/96", "IPv4-translated"),
        ("64:ff9b::/96", "NAT64"),
        ("64:ff9b::a14:0/120", "NAT64"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("2002::/32", "6to4"),
        ("2002:a14::/32", "6to4"),
        ("2001::/32", "Teredo"),
        ("2001:0:a14::/48", "Teredo"),
    ],
)
def test_ipv6_ranges_that_carry_ipv4_are_refused(entry: str, kind: str) -> None:
    with pytest.raises(SecopsError) as caught:
        parse_network(entry)
    message = str(caught.value)
    assert kind in message
    assert "IPv4 addresses inside IPv6" in message
    assert "as IPv4" in message  # how to fix it


@pytest.mark.parametrize("text", ["::/96", "::a00:1/128", "::10.0.0.0/104"])
def test_the_ipv4_compatible_range_is_refused(text: str) -> None:
    with pytest.raises(SecopsError, match="IPv4-compatible"):
        parse_network(text)


def test_ipv6_loopback_alone_is_allowed() -> None:
    assert str(parse_network("::1")) == "::1/128"
