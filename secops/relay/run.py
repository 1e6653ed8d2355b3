"""One relay run of a lower center: down first (a 通报 from above reaches the schools on their next
pass), then every upward stream, then this center's own cases and check-in. A stream the upper
center refuses or cannot take keeps its cursor and is tried again next run; the others go on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from secops.center.context import CenterContext
from secops.forward.incidents import send_incidents
from secops.forward.sync import CenterClient
from secops.forward.target import Target
from secops.protocol import signing
from secops.relay.config import Upstream
from secops.relay.down import relay_down
from secops.relay.up import (
    RelayRefused,
    Upper,
    relay_alerts,
    relay_checkins,
    relay_names,
    relay_notice_statuses,
    relay_pack_statuses,
    relay_school_incidents,
    relay_zero_reports,
)

log = logging.getLogger(__name__)


@dataclass
class RelayResult:
    lines: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "; ".join([*self.lines, *(f"not relayed: {f}" for f in self.failed)]) or "nothing to relay"


def relay_once(ctx: CenterContext, settings: Upstream, key: signing.SchoolKey) -> RelayResult:
    result = RelayResult()
    target = Target(center=settings.url, school=settings.code, school_name=settings.name, key=key)
    with CenterClient(target, timeout=30.0) as client:
        upper = Upper(client.http, settings.url, settings.code, key)

        def step(name: str, run: object) -> None:
            try:
                outcome = run() if callable(run) else run
            except (httpx.HTTPError, RelayRefused, RuntimeError, ValueError) as exc:
                result.failed.append(f"{name} ({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__})")
                log.warning("relay %s failed: %s", name, exc)
                return
            if outcome:
                result.lines.append(f"{name}: {outcome}")

        step(
            "down",
            lambda: "; ".join(relay_down(ctx, client.http, settings.url, settings.code, key, settings.center_key)),
        )
        step("school names", lambda: relay_names(ctx, upper))
        step("alerts", lambda: relay_alerts(ctx, upper))
        step("school incidents", lambda: relay_school_incidents(ctx, upper))
        step("notice status", lambda: relay_notice_statuses(ctx, upper))
        step("零报告", lambda: relay_zero_reports(ctx, upper))
        step("pack status", lambda: relay_pack_statuses(ctx, upper))
        own = send_incidents(client.http, target, ctx.state, datetime.now(UTC))  # this center's own cases
        if own != "up to date":
            (result.lines if own.startswith("sent") else result.failed).append(f"own cases: {own}")
        step("check-ins", lambda: relay_checkins(ctx, upper, timedelta(seconds=settings.interval_seconds * 2)))
    return result
