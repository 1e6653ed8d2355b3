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
    result = CliRunner().invoke(
        cli, ["--workspace", str(own), "demo", "--lang", "zh", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    for report in ("workspace", "assets", "dengbao"):
        for fmt in ("pdf", "html", "xlsx", "docx"):
            assert str((out / f"{report}.{fmt}").resolve()) in result.stdout
            assert (out / f"{report}.{fmt}").stat().st_size > 1000
    assert not own.exists(), "the demo must leave the user's own workspace alone"

    text = subprocess.run(
        ["pdftotext", str(out / "workspace.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "工作区概况报告" in text and "示例实验中学" in text
    assets = subprocess.run(
        ["pdftotext", str(out / "assets.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "网络资产梳理报告" in assets
    from secops.lab import campus_unavailable_reason

    if campus_unavailable_reason() is None:  # as root the demo scans a lab campus with risky services
        assert "10.77.0." in assets and "redis" in assets.lower()
    else:
        assert "127.0.0.1" in assets
    gap = subprocess.run(
        ["pdftotext", str(out / "dengbao.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "网络安全等级保护差距分析报告" in gap and "第2级" in gap
    assert "Sigma:" in result.stdout and "YARA: 4 of 4" in result.stdout
    assert "1-hour clock" in result.stdout and (out / "incident.docx").stat().st_size > 1000
    # a drill at 10x: the planted webshell found by the real YARA scan, results from the recorded times
    assert "drill #1 (webshell-portal, 10x): YARA found 1 planted file(s); steps on time 4/5" in result.stdout
    drill = subprocess.run(
        ["pdftotext", str(out / "drill.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "网络与数据安全应急演练报告" in drill and "超时完成" in drill and "不是真实网络安全事件" in drill
    # student data: a roster classified, masked, marked for two recipients, a leak traced back
    assert "[6/9] Student data" in result.stdout
    for name in ("students.csv", "students-masked.csv", "students-marked-1.csv", "students-marked-2.csv"):
        assert (out / name).stat().st_size > 100_000
    assert (out / "leaked.xlsx").stat().st_size > 10_000
    assert "一般数据 4 级" in result.stdout and "14 岁以下未成年人" in result.stdout and "k-匿名" in result.stdout
    assert "脱敏（默认策略）: 20,000 行" in result.stdout and "水印指向「校外培训合作方」" in result.stdout
    for fmt in ("pdf", "xlsx"):
        assert str((out / f"classification.{fmt}").resolve()) in result.stdout
    graded = subprocess.run(
        ["pdftotext", str(out / "classification.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "学生数据分类分级报告" in graded and "students.csv" in graded and "一般数据 4 级" in graded
    assert "20,000 行" in graded
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out / "classification.xlsx"))
    cells = {str(v) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for v in row}
    assert "身份证号" in cells and "家长电话" in cells
    # 等保 compliance: three systems at levels 2, 3 and 3, the calendar, 定级报告, 备案表, overview
    assert "[7/9] 等保 compliance" in result.stdout
    assert "学籍与成绩管理系统 第3级 · 备案 " in result.stdout and "下次等级测评" in result.stdout
    assert "招生考试系统 第3级 · 未备案，期限 " in result.stdout and "学校门户网站 第2级" in result.stdout
    for name in ("grading.docx", "grading.pdf", "filing.docx", "filing.xlsx", "overview.pdf", "overview.docx"):
        assert str((out / name).resolve()) in result.stdout and (out / name).stat().st_size > 5_000
    grading = subprocess.run(
        ["pdftotext", str(out / "grading.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "定级报告" in grading and "学籍与成绩管理系统" in grading and "一、定级对象描述" in grading
    overview = subprocess.run(
        ["pdftotext", str(out / "overview.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "学校网络安全工作概况" in overview and "招生考试系统" in overview
    # the school's 应急预案: its real systems, levels and people, complete (no 待填写)
    for name in ("plan.docx", "plan.pdf"):
        assert str((out / name).resolve()) in result.stdout and (out / name).stat().st_size > 5_000
    plan = subprocess.run(["pdftotext", str(out / "plan.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    plan = plan.replace("\n", "").replace(" ", "")
    assert "示例实验中学网络与数据安全事件应急预案" in plan and "一、总则" in plan and "七、附件" in plan
    assert "学籍与成绩管理系统" in plan and "第三级" in plan and "学校门户网站" in plan and "第二级" in plan
    assert "王建国" in plan and "13800000003" in plan and "1小时规则" in plan and "勒索软件感染处置" in plan
    assert "待填写" not in plan
    book = CalamineWorkbook.from_path(str(out / "filing.xlsx"))
    cells = {str(v) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for v in row}
    assert any("备案证明编号 41330013001-23002" in cell for cell in cells)  # the recorded filing
    # the school and its provincial center, both ways, on loopback
    assert "[9/9] The provincial center" in result.stdout
    assert "1 school incident(s) with their clocks, check-in received" in result.stdout
    assert "漏洞通报“教务系统远程代码执行漏洞（演示）”: incident #3 opened" in result.stdout
    assert "the center sees: acknowledged" in result.stdout
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
