import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli


@pytest.mark.slow
def test_demo_builds_every_report_with_chinese_text(tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; scripts/install.sh installs it")
    own = tmp_path / "own-workspace"
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--workspace", str(own), "demo", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for fmt in ("pdf", "html", "xlsx", "docx"):
        assert str((out / f"workspace.{fmt}").resolve()) in result.stdout
        assert (out / f"workspace.{fmt}").stat().st_size > 1000
    assert not own.exists(), "the demo must leave the user's own workspace alone"

    text = subprocess.run(
        ["pdftotext", str(out / "workspace.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "工作区概况报告" in text and "示例实验中学" in text and "192.0.2.0/24" in text
    info = subprocess.run(["pdfinfo", str(out / "workspace.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 10

    workspace = Path(
        next(line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("Demo workspace:"))
    )
    try:
        assert (workspace / "secops.yaml").is_file()
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
