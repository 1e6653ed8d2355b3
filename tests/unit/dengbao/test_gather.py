"""gather: the network facts say where the scan ran from when the caller knows (6.4.3.1's scope)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from secops.dengbao import gather as gather_module
from secops.dengbao.assess import NETWORK

SMB = {"port": 445, "proto": "tcp", "name": "microsoft-ds"}


@pytest.mark.parametrize(("outside", "vantage"), [(True, {"outside_zone": True}), (False, {"outside_zone": False})])
def test_the_scan_vantage_reaches_the_facts(
    monkeypatch: pytest.MonkeyPatch, outside: bool, vantage: dict[str, Any]
) -> None:
    monkeypatch.setattr(gather_module, "network_targets", lambda *a, **k: [("10.0.0.5", [SMB]), ("10.0.0.6", None)])
    found = gather_module.gather(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        probes=False,
        now=lambda: datetime(2026, 3, 1, tzinfo=UTC),
        outside_zone=outside,
    )
    assert found[0].kind == NETWORK and found[0].facts["vantage"] == vantage
    assert "vantage" not in found[1].facts  # a host that did not answer has no facts at all


def test_without_a_vantage_the_facts_say_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gather_module, "network_targets", lambda *a, **k: [("10.0.0.5", [SMB])])
    found = gather_module.gather(None, None, None, probes=False, now=lambda: datetime(2026, 3, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert "vantage" not in found[0].facts
