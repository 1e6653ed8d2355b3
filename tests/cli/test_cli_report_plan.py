"""`secops report build plan`: the 应急预案 of a fresh workspace (exit 0, 待填写 where facts are missing)
and of one whose people were added with `secops workspace contacts`, as PDF and DOCX, in Chinese; and
in English without failing."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from docx import Document

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]


@pytest.fixture
def school(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages).replace("\n", "").replace(" ", "")


def _headings(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style is not None and p.style.name == "Heading 1"]


def test_a_fresh_workspace_gets_its_plan_with_what_to_fill_in(school: Invoke, tmp_path: Path) -> None:
    pdf, docx = tmp_path / "应急预案.pdf", tmp_path / "应急预案.docx"
    result = school("report", "build", "plan", "--lang", "zh", "-o", str(pdf), "-o", str(docx))
    assert result.exit_code == 0, result.output
    text = _pdf_text(pdf)
    assert f"{SCHOOL_NAME}网络与数据安全事件应急预案" in text and "待填写" in text
    assert "secopsworkspacecontactsaddfirst-responsible姓名--phone号码" in text  # how to fill each gap
    assert _headings(docx) == [
        "一、待填写事项",
        "二、总则",
        "三、组织机构与职责",
        "四、监测与预警",
        "五、应急处置",
        "六、后期处置",
        "七、保障措施",
        "八、附件",
    ]
    english = school("report", "build", "plan", "--lang", "en", "-o", str(tmp_path / "plan-en.docx"))
    assert english.exit_code == 0, english.output
    refused = school("report", "build", "plan", "-o", str(tmp_path / "plan.xlsx"))
    assert refused.exit_code == 2 and "not available as xlsx" in refused.stderr


def test_contacts_added_on_the_command_line_are_in_the_plan(school: Invoke, tmp_path: Path) -> None:
    for role, name, phone in (
        ("网络安全第一责任人", "王建国", "13800138001"),
        ("网络安全管理员", "张伟", "13900139000"),
        ("区县教育局", "示例区教育局信息中心", "0571-87000001"),
    ):
        assert school("workspace", "contacts", "add", role, name, "--phone", phone).exit_code == 0
    assert school("dengbao", "system", "add", "学校门户网站", "--level", "2").exit_code == 0
    docx = tmp_path / "plan.docx"
    assert school("report", "build", "plan", "-o", str(docx)).exit_code == 0
    cells = {cell.text for table in Document(str(docx)).tables for row in table.rows for cell in row.cells}
    assert {"王建国", "张伟", "13900139000", "示例区教育局信息中心", "0571-87000001", "学校门户网站", "第二级"} <= cells
    assert "分管领导" in cells and "待填写" in cells  # the roles nobody holds yet


def test_the_plan_is_listed(school: Invoke) -> None:
    rows = {row["id"]: row for row in json.loads(school("report", "list", "--format", "json").stdout)}
    assert rows["plan"]["title"] == "网络与数据安全事件应急预案" and rows["plan"]["formats"] == "docx,pdf,html"
