"""Indicator lists, the checks a pack's files pass at the center and the school, and the scheduled
detect job picking up installed packs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from secops.content.locate import content_root
from secops.detection.pack_dirs import installed, rule_dirs
from secops.detection.packs import check_files, install, parse_indicators
from secops.detection.scheduled import with_packs
from secops.protocol.packs import PackBody, PackFile

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_indicators_one_a_line_with_comments() -> None:
    text = "# 第 3 期\n203.0.113.7\n2001:db8::1  # v6\nEvil-C2.Example.com.\n" + "a" * 64 + "\n" + "b" * 32 + "\n\n"
    found, errors = parse_indicators(text + "http://x/\n", Path("iocs.txt"))
    assert found.ips == ["203.0.113.7", "2001:db8::1"] and found.domains == ["evil-c2.example.com"]
    assert found.hashes == {"sha256": ["a" * 64], "md5": ["b" * 32]} and found.count == 5
    assert [str(e) for e in errors] == ["iocs.txt:8: 'http://x/' is not an IP address, domain or MD5/SHA-1/SHA-256"]


def test_pack_files_are_checked_and_a_yara_include_is_refused() -> None:
    rule = 'include "/etc/shadow"\nrule x { condition: true }\n'
    errors = check_files(
        [PackFile(name="x.yar", kind="yara", text=rule), PackFile(name="i.txt", kind="indicators", text="?\n")]
    )
    assert str(errors[0]) == "x.yar:1: include is not allowed in a pack (it would read local files)"
    assert str(errors[1]).startswith("i.txt:1:")


def test_the_scheduled_job_adds_installed_packs_to_the_shipped_rules(tmp_path: Path) -> None:
    sigma = (
        "title: t\nid: 0b0c6d3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d\nlogsource:\n  product: linux\n"
        "detection:\n  keywords: [x]\n  condition: keywords\n"
    )
    body = PackBody(name="p1", version=1, files=[PackFile(name="r.yml", kind="sigma", text=sigma)])
    assert check_files(body.files) == []
    install(tmp_path, body, pack_id="p0000000001", issuer="省中心", issued_at=NOW, now=NOW)
    [pack] = installed(tmp_path)
    assert (pack.name, pack.version, pack.sigma, pack.indicators) == ("p1", 1, 1, 0)
    shipped = content_root("rules") / "sigma"
    assert with_packs(tmp_path, [shipped]) == [shipped, *rule_dirs(tmp_path, "sigma")]
    own = tmp_path / "own"
    assert with_packs(tmp_path, [own]) == [own]  # a job with rules of its own keeps them alone


def test_a_sigma_rule_reusing_a_shipped_rules_id_is_refused() -> None:
    from secops.detection.packs import _shipped_sigma_ids

    taken = next(iter(_shipped_sigma_ids()))
    rule = f"title: t\nid: {taken}\nlogsource:\n  product: linux\ndetection:\n  keywords: [x]\n  condition: keywords\n"
    [error] = check_files([PackFile(name="r.yml", kind="sigma", text=rule)])
    assert str(error).startswith(f"r.yml:2: id {taken} is already the id of ")
