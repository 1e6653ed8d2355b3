"""The demo: every capability's main job, end to end, on the embedded default (SQLite).

1. a workspace for a demo school; 2. asset discovery - of a lab campus of real hosts in network
namespaces when run as root, else of this machine's loopback; 3. the reports.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from secops.errors import SecopsError
from secops.reporting.build import build_to_file
from secops.workspace import init_workspace, open_workspace_store

DEMO_SCHOOL_CODE = "4133000001"  # a made-up code of the right shape
DEMO_SCHOOL_NAME = "示例实验中学"
LAB_SCOPE = ["10.77.0.0/24", "fd77::/64"]
LOOPBACK_SCOPE = ["127.0.0.1/32", "2001:db8:20::/48"]  # the second is documentation space: never scanned
LAB_HOSTS = 8


@dataclass
class DemoResult:
    workspace: Path
    discovery: str = ""
    reports: list[Path] = field(default_factory=list)


def _discover_lab(workspace: Path, progress: Callable[[str], None]) -> str:
    from secops.lab import build_campus

    campus = build_campus(LAB_HOSTS)
    try:
        progress(
            f"      lab campus of {LAB_HOSTS} hosts in network namespaces ({campus.prefix}-*), scanning from inside"
        )
        result = campus.run_in_scanner(
            [
                sys.executable,
                "-m",
                "secops",
                "--workspace",
                str(workspace),
                "assets",
                "discover",
                "--profile",
                "lab",
                "--format",
                "json",
            ],
            timeout=600,
        )
    finally:
        campus.teardown()
    if result.returncode not in (0, 1):
        raise SecopsError(f"demo discovery failed: {result.stderr.strip()}")
    summary = json.loads(result.stdout)
    return f"{summary['hosts_up']} hosts up, {len(summary['changes'])} changes, {len(summary['alerts'])} alerts"


def _discover_loopback(workspace: Path, now: datetime) -> str:
    from secops.config import load_workspace
    from secops.inventory.job import run_discovery

    loaded = load_workspace(workspace)
    with open_workspace_store(loaded) as store:
        outcome = run_discovery(loaded, store, profile_name="quick", targets=["127.0.0.1"], now=lambda: now, force=True)
    result = outcome.result
    return f"{result.hosts_up} host up, {len(result.changes)} changes, {len(result.alerts)} alerts"


def run_demo(
    output_dir: Path, *, now: datetime, lang: str = "zh", progress: Callable[[str], None] = print
) -> DemoResult:
    from secops.lab import campus_unavailable_reason

    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SecopsError(
            f"cannot create output folder {output_dir}: {exc.strerror}", hint="choose another --output-dir"
        ) from None
    lab_reason = campus_unavailable_reason()
    scope = LAB_SCOPE if lab_reason is None else LOOPBACK_SCOPE
    workspace_dir = Path(tempfile.mkdtemp(prefix="secops-demo-"))
    progress(f"[1/3] Creating a demo workspace for {DEMO_SCHOOL_NAME} in {workspace_dir}")
    result = init_workspace(
        workspace_dir, school_code=DEMO_SCHOOL_CODE, school_name=DEMO_SCHOOL_NAME, scope=scope, database=None, now=now
    )
    demo = DemoResult(workspace=workspace_dir)
    if lab_reason is None:
        progress("[2/3] Discovering assets on a lab campus (IPv4 + IPv6)")
        demo.discovery = _discover_lab(workspace_dir, progress)
    else:
        progress(f"[2/3] Discovering assets on 127.0.0.1 (no lab campus: {lab_reason})")
        demo.discovery = _discover_loopback(workspace_dir, now)
    progress(f"      {demo.discovery}")
    progress("[3/3] Building the reports (PDF, HTML, XLSX, DOCX)")
    with open_workspace_store(result.workspace) as store:
        for report_id in ("workspace", "assets"):
            for fmt in ("pdf", "html", "xlsx", "docx"):
                path = output_dir / f"{report_id}.{fmt}"
                build_to_file(report_id, path, result.workspace, store, now, lang)
                demo.reports.append(path.resolve())
    return demo
