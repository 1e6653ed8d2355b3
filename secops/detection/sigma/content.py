"""`secops content validate` for Sigma rule files: every problem as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path

from secops.errors import ContentError


def check_rule_file(path: Path) -> list[ContentError]:
    from secops.detection.sigma.rules import load_rules

    return list(load_rules([path]).errors)
