"""The demo: every capability's main job, end to end, on the embedded default (SQLite).

Each capability adds its step here; today: create a workspace and build the workspace report.
"""

from __future__ import annotations

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
# Documentation ranges (RFC 5737 / RFC 3849): nothing real is ever inside them.
DEMO_SCOPE = ["192.0.2.0/24", "198.51.100.0/24", "2001:db8:20::/48"]


@dataclass
class DemoResult:
    workspace: Path
    reports: list[Path] = field(default_factory=list)


def run_demo(
    output_dir: Path, *, now: datetime, lang: str = "zh", progress: Callable[[str], None] = print
) -> DemoResult:
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SecopsError(
            f"cannot create output folder {output_dir}: {exc.strerror}", hint="choose another --output-dir"
        ) from None
    workspace_dir = Path(tempfile.mkdtemp(prefix="secops-demo-"))
    progress(f"[1/2] Creating a demo workspace for {DEMO_SCHOOL_NAME} in {workspace_dir}")
    result = init_workspace(
        workspace_dir,
        school_code=DEMO_SCHOOL_CODE,
        school_name=DEMO_SCHOOL_NAME,
        scope=DEMO_SCOPE,
        database=None,
        now=now,
    )
    demo = DemoResult(workspace=workspace_dir)
    progress("[2/2] Building the workspace report (PDF, HTML, XLSX, DOCX)")
    with open_workspace_store(result.workspace) as store:
        for fmt in ("pdf", "html", "xlsx", "docx"):
            path = output_dir / f"workspace.{fmt}"
            build_to_file("workspace", path, result.workspace, store, now, lang)
            demo.reports.append(path.resolve())
    return demo
