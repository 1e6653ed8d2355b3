"""Synthetic samples for the YARA rules: for every rule, text that must match it and a near miss
that must match nothing. Used by the tests, the benchmark and the demo's sample web root.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
(ev§al, $_PO§ST, ...) and the marks are removed only when the bytes are built at run time, so this
file itself matches no rule (a test scans it). Payloads are inert (they echo a word).
"""

from __future__ import annotations

from pathlib import Path

from secops.detection.yara.sample_base import MARK, Sample
from secops.detection.yara.samples_family import FAMILY_SAMPLES
from secops.detection.yara.samples_jsp import JSP_SAMPLES
from secops.detection.yara.samples_other import OTHER_SAMPLES
from secops.detection.yara.samples_payloads import PAYLOAD_SAMPLES
from secops.detection.yara.samples_php import PHP_SAMPLES
from secops.detection.yara.samples_php_families import PHP_FAMILY_SAMPLES

__all__ = ["MARK", "SAMPLES", "Sample", "samples_for", "write_samples", "write_web_root"]

SAMPLES: tuple[Sample, ...] = (
    PHP_SAMPLES + PHP_FAMILY_SAMPLES + JSP_SAMPLES + OTHER_SAMPLES + PAYLOAD_SAMPLES + FAMILY_SAMPLES
)


def samples_for(rule: str, *, hit: bool) -> list[Sample]:
    return [s for s in SAMPLES if s.rule == rule and s.hit is hit]


def write_samples(folder: Path, *, hits: bool = True, misses: bool = True) -> list[tuple[Sample, Path]]:
    """Write the samples under ``folder`` (one subfolder per rule); returns where each went."""
    written = []
    for index, sample in enumerate(SAMPLES):
        if (sample.hit and not hits) or (not sample.hit and not misses):
            continue
        path = folder / ("hit" if sample.hit else "miss") / sample.rule / f"{index:03d}-{sample.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.content)
        written.append((sample, path))
    return written


def write_web_root(folder: Path) -> dict[str, str]:
    """A small school web root with ordinary pages and a few planted findings (for the demo).
    Returns {relative path: rule expected to match} for the planted files."""
    pages = {
        "index.php": "<?php\nrequire __DIR__ . '/inc/header.php';\necho '<h1>Welcome</h1>';\n",
        "inc/header.php": "<?php\nsession_start();\n$title = htmlspecialchars($_GET['t'] ?? 'School');\n",
        "news/list.php": "<?php\n$page = max(1, (int) ($_GET['page'] ?? 1));\n$rows = $db->query('SELECT 1');\n",
        "static/app.js": "document.addEventListener('DOMContentLoaded', () => console.log('ready'));\n",
        "static/site.css": "body { font-family: sans-serif; }\n",
    }
    planted = {
        "uploads/2026/11/avatar.php": "china_chopper_php",
        "admin/upload/bx.jsp": "behinder_jsp",
        "static/footer.html": "miner_browser_script",
        "README_DECRYPT.txt": "ransom_note_english",
    }
    for relative, text in pages.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative, rule in planted.items():
        sample = samples_for(rule, hit=True)[0]
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.content)
    return planted
