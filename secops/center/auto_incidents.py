"""Alerts at or above the configured severity open incidents with the matching playbook."""

from __future__ import annotations

from secops.center.context import CenterContext


def tick(ctx: CenterContext) -> int:
    """Open the incidents that alerts stored since the last tick call for; returns how many (issue 7, in progress)."""
    return 0
