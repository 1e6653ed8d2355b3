"""Scanner content: fingerprints and alert rules carry examples; CI runs them, and a unit whose
examples disagree with its own conditions is refused at its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.content.validate import load_units, validate_paths
from secops.inventory.alert_rules import alerts_for
from secops.inventory.fingerprints import Classifier, HostFacts
from secops.models import Change, ObservedHost, ObservedService


def test_every_fingerprint_example_holds() -> None:
    fingerprints = load_units("fingerprint")
    assert {f.asset_type for f in fingerprints} >= {"server", "pc", "printer", "camera", "network", "iot"}
    for fingerprint in fingerprints:
        assert all(fingerprint.matches(facts) for facts in fingerprint.examples.match), fingerprint.id
        assert not any(fingerprint.matches(facts) for facts in fingerprint.examples.no_match), fingerprint.id


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (
            ObservedHost(
                ipv4="10.0.0.1", vendor="Hangzhou Hikvision Digital Technology", services=[ObservedService(80)]
            ),
            "camera",
        ),
        (ObservedHost(ipv4="10.0.0.2", services=[ObservedService(9100), ObservedService(80)]), "printer"),
        (ObservedHost(ipv4="10.0.0.3", services=[ObservedService(22, name="ssh", product="OpenSSH")]), "server"),
        (ObservedHost(ipv4="10.0.0.4", vendor="Huawei Technologies", services=[ObservedService(22)]), "network"),
        (ObservedHost(ipv4="10.0.0.5", services=[ObservedService(1883, name="mqtt")]), "iot"),
        (ObservedHost(ipv4="10.0.0.6"), "unknown"),
    ],
)
def test_classifier_picks_the_most_specific_type(host: ObservedHost, expected: str) -> None:
    assert Classifier(load_units("fingerprint")).classify(host)[0] == expected


def test_required_risky_services_raise_alerts() -> None:
    rules = load_units("alert-rule")
    risky = {
        21: "ftp",
        23: "telnet",
        445: "microsoft-ds",
        3389: "ms-wbt-server",
        5900: "vnc",
        6379: "redis",
        3306: "mysql",
        27017: "mongodb",
        9200: "http",
    }
    for port, name in risky.items():
        service = ObservedService(port, name=name)
        change = Change("port_opened", "02:77:00:00:00:01", {"port": port, "proto": "tcp"})
        raised = alerts_for(rules, change, [service], at=None)  # type: ignore[arg-type]
        assert raised and raised[0].severity in ("medium", "high", "critical"), port
    harmless = alerts_for(
        rules, Change("port_opened", "k", {"port": 443, "proto": "tcp"}), [ObservedService(443, name="https")], None
    )  # type: ignore[arg-type]
    assert harmless == []
    new_host = alerts_for(rules, Change("host_new", "k", {}), [], None)  # type: ignore[arg-type]
    assert [a.kind for a in new_host] == ["new-host"]


def test_fingerprint_whose_examples_disagree_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "scanners" / "fingerprints"
    folder.mkdir(parents=True)
    path = folder / "nas.yml"
    path.write_text(
        "id: nas\ndescription: d\nasset_type: server\nwhen:\n  - ports_any: [5000]\n"
        "examples:\n  match:\n    - {ports: [22]}\n  no_match:\n    - {ports: [80]}\n",
        encoding="utf-8",
    )
    _, errors = validate_paths([path])
    assert len(errors) == 1 and "examples.match[0] does not match" in str(errors[0])
    path.write_text(path.read_text().replace("asset_type: server", "asset_type: toaster"), encoding="utf-8")
    _, errors = validate_paths([path])
    assert any(e.line == 3 and "asset_type must be one of" in str(e) for e in errors)


def test_alert_rule_needs_examples_and_a_valid_trigger(tmp_path: Path) -> None:
    folder = tmp_path / "scanners" / "alerts"
    folder.mkdir(parents=True)
    path = folder / "exposed-x.yml"
    path.write_text(
        "id: exposed-x\ntitle: {zh: 甲, en: X}\nseverity: high\ntriggers: [port_opened]\nservices: {ports: [1]}\n",
        encoding="utf-8",
    )
    _, errors = validate_paths([path])
    assert "needs examples" in str(errors[0])
    path.write_text(path.read_text().replace("[port_opened]", "[port_opend]"), encoding="utf-8")
    _, errors = validate_paths([path])
    assert any(e.line == 4 for e in errors)


def test_facts_of_a_host() -> None:
    facts = HostFacts.of(
        ObservedHost(ipv4="1.1.1.1", vendor="V", services=[ObservedService(80, name="http", product="nginx")])
    )
    assert facts.ports == (80,) and facts.products == ("http nginx",)


def test_every_alert_rules_port_is_scanned_by_every_profile_not_declared_narrow() -> None:
    """A rule for an exposed Redis must be able to fire on a default scan: its port is in the profile."""
    rule_ports = {(rule.id, port) for rule in load_units("alert-rule") if rule.services for port in rule.services.ports}
    assert {port for _, port in rule_ports} >= {6379, 27017, 9200, 3306, 445}
    profiles = [p for p in load_units("scan-profile") if not p.narrow]
    assert {"quick", "standard", "full", "ipv6"} <= {p.id for p in profiles}
    for profile in profiles:
        missing = sorted(f"{rule} ({port})" for rule, port in rule_ports if port not in profile.listed_ports())
        assert not missing, f"profile {profile.id} does not scan the port of: {', '.join(missing)}"


def test_quick_and_standard_add_the_school_exposure_ports_to_nmaps_top_ports() -> None:
    from secops.discovery.nmap_runner import build_arguments
    from secops.discovery.portlists import load_port_list
    from secops.discovery.ports import parse_port_list

    exposure = load_port_list("school-exposure").tcp_ports()
    top = frozenset({1, 2, 3})
    for profile in load_units("scan-profile"):
        if profile.id in ("quick", "standard"):
            assert "school-exposure" in profile.port_lists and profile.ports.startswith("top:")
            args = build_arguments(profile, 4, privileged=True, top_ports=lambda _n: top)
            assert parse_port_list(args[args.index("-p") + 1]) == top | exposure
