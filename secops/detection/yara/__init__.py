"""YARA scanning of web roots and servers: webshells, miners, ransom notes.

``ruleset`` finds, checks and compiles rule files (once, cached by content hash); ``scanner`` walks
the trees and scans them on every core; ``alerts`` turns hits into ECS-shaped workspace alerts;
``samples`` builds inert synthetic samples for tests, the benchmark and the demo.
"""

from __future__ import annotations

from secops.detection.yara.ruleset import RuleSet, check_rule_file, load_ruleset
from secops.detection.yara.scanner import DEFAULT_MAX_SIZE_MB, ScanStats, StringHit, YaraHit, scan_paths

__all__ = [
    "DEFAULT_MAX_SIZE_MB",
    "RuleSet",
    "ScanStats",
    "StringHit",
    "YaraHit",
    "check_rule_file",
    "load_ruleset",
    "scan_paths",
]
