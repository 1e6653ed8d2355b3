"""Center cases under an alert flood: 2,000 critical alerts from 20 schools (one webshell host
each, several rules, a few more hosts), turned into cases by the automatic tick.

Baseline (same run, same alerts): one incident per alert through the same incident model and
audit trail, as the center did before cases grouped alerts. The figures that matter to the duty
staff: how many cases they face and how long the tick takes.
Run: .venv/bin/python bench/center_cases.py [--alerts N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from secops.center import auto_incidents
from secops.center.open import open_center
from secops.center.stores.base import StoredAlert
from secops.incident.audit import audit_key
from secops.incident.model import Session, list_incidents
from secops.incident.playbooks import load_playbooks
from secops.protocol.alerts import alert_id

RULES = ("Webshell upload to /upload/x.php", "Webshell command execution (behinder)", "Webshell file found")


def _alerts(count: int, now: datetime) -> list[StoredAlert]:
    found = []
    for n in range(count):
        school = f"41110100{n % 20:02d}"
        host = f"10.{n % 20}.0.{5 + (n // 20) % 3}"
        title = RULES[n % len(RULES)]
        doc = {
            "@timestamp": (now - timedelta(seconds=n)).isoformat(),
            "message": title,
            "rule": {"id": f"r{n % len(RULES)}", "name": title},
            "host": {"ip": [host]},
            "secops": {"severity": "critical", "source": "sigma", "alert_id": n},
            "organization": {"id": school, "name": f"学校{n % 20}"},
        }
        found.append(
            StoredAlert(alert_id(school, doc), school, now - timedelta(seconds=n), now, "critical", title, doc)
        )
    return found


def main() -> None:
    import logging

    logging.getLogger("secops.center").setLevel(logging.ERROR)  # one line per case would drown the figures
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=2000)
    args = parser.parse_args()
    now = datetime.now(UTC)
    alerts = _alerts(args.alerts, now)
    with tempfile.TemporaryDirectory() as scratch:
        base = open_center(Path(scratch) / "baseline", now=lambda: now)
        session = Session(base.state, audit_key(base.home, base.state), "bench", now)
        playbooks = load_playbooks()
        start = time.perf_counter()
        for alert in alerts:
            auto_incidents.open_for(session, alert, playbooks)
        baseline = time.perf_counter() - start
        baseline_cases = len(list_incidents(base.state))
        base.close()

        ctx = open_center(Path(scratch) / "cases", now=lambda: now)
        ctx.alerts.insert(alerts)
        start = time.perf_counter()
        auto_incidents.tick(ctx)
        grouped = time.perf_counter() - start
        cases = len(list_incidents(ctx.state))
        ctx.close()
    print(f"{args.alerts:,} critical alerts from 20 schools:")
    print(f"  baseline  one incident per alert: {baseline_cases:,} incidents in {baseline:.2f} s")
    print(f"  secops    cases (school+asset+kind, hourly cap): {cases:,} cases in {grouped:.2f} s")
    print(f"  ratio     {baseline_cases / max(cases, 1):.0f}x fewer cases, {baseline / max(grouped, 1e-9):.1f}x faster")


if __name__ == "__main__":
    main()
