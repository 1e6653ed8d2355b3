"""`secops content validate` for Sigma rule files: every problem as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path

from secops.errors import ContentError


def check_rule_file(path: Path) -> list[ContentError]:
    """What ``secops detect run`` would report for this file's rules: loading, then compiling
    (``condition: 1``, a modifier pySigma accepts but cannot apply, ...)."""
    from secops.detection.sigma.engine import Engine
    from secops.detection.sigma.rules import load_rules

    return list(Engine(load_rules([path])).errors)
