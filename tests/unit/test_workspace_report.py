"""The workspace report end to end: a real workspace, every format, history recorded."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from secops.config import Workspace
from secops.errors import SecopsError
from secops.reporting.build import build_report, build_to_file
from secops.store.records import report_history
from secops.workspace import open_workspace_store
from tests.conftest import NOW, SCHOOL_NAME


def test_every_format_is_built_and_recorded(workspace: Workspace, tmp_path: Path) -> None:
    with open_workspace_store(workspace) as store:
        runs = [
            build_to_file("workspace", tmp_path / f"w.{fmt}", workspace, store, NOW)
            for fmt in ("pdf", "html", "xlsx", "docx")
        ]
        history = report_history(store)
    assert {run.format for run in history} == {"pdf", "html", "xlsx", "docx"}
    for run in runs:
        assert hashlib.sha256(Path(run.path).read_bytes()).hexdigest() == run.sha256
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "w.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in ("工作区概况报告", SCHOOL_NAME, "10.20.0.0/16", "2001:db8:20::/48", "65,536 个 /64 子网"):
            assert expected in text


def test_report_shows_what_the_workspace_holds(workspace: Workspace, tmp_path: Path) -> None:
    with open_workspace_store(workspace) as store:
        build_to_file("workspace", tmp_path / "first.html", workspace, store, NOW)
        report = build_report("workspace", workspace, store, NOW)
    tables = {table.title: table for table in report.tables()}
    holds = {row[0]: row[2] for row in tables["工作区数据"].rows}
    assert holds["workspace"] == 1 and holds["report_runs"] == 1
    assert [row[1] for row in tables["最近活动"].rows] == ["生成报告", "创建工作区"]
    assert report.generated_at.utcoffset().total_seconds() == 8 * 3600  # Asia/Shanghai


def test_english_report(workspace: Workspace) -> None:
    with open_workspace_store(workspace) as store:
        report = build_report("workspace", workspace, store, NOW, lang="en")
    assert report.title == "Workspace overview"
    assert report.sections[0].title == "Overview"


def test_bad_requests_write_nothing(workspace: Workspace, tmp_path: Path) -> None:
    with open_workspace_store(workspace) as store:
        with pytest.raises(SecopsError, match="no report named"):
            build_to_file("nosuch", tmp_path / "x.pdf", workspace, store, NOW)
        with pytest.raises(SecopsError, match="cannot tell the report format"):
            build_to_file("workspace", tmp_path / "x.txt", workspace, store, NOW)
        with pytest.raises(SecopsError, match="unknown language"):
            build_report("workspace", workspace, store, NOW, lang="fr")
        assert report_history(store) == []
    assert list(tmp_path.glob("x.*")) == []
