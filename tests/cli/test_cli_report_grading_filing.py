"""`secops report build grading|filing` for a demo school with systems at levels 2, 3 and 3: the
documents are written, LibreOffice opens the DOCX and XLSX (converted to PDF here) and the
Chinese text is in them; a system without answers, a level-1 refusal, a scanned roster."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke, libreoffice_or_skip
from tests.unit.data.test_scan import write_csv
from tests.unit.render.pdf_faces import embedded_faces

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "10.20.0.0/16"]
DEMO = {"学籍管理系统": ("学籍", "xueji"), "招生考试系统": ("招生", "zhaosheng"), "学校门户网站": ("门户", "portal")}


@pytest.fixture
def school(run_cli: Invoke, tmp_path: Path) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    for name, (preset, tag) in DEMO.items():
        answers = tmp_path / f"{tag}.yaml"
        assert run_cli("dengbao", "grade", "--preset", preset, "-o", str(answers)).exit_code == 0
        added = run_cli("dengbao", "system", "add", name, "--answers", str(answers), "--asset-tag", tag)
        assert added.exit_code == 0, added.stderr
    return run_cli


def _pdf_text(path: Path) -> str:
    # table cells wrap in narrow columns: compare without line breaks
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages).replace("\n", "").replace(" ", "")


def _assert_simplified_chinese_faces(pdf: Path) -> None:
    """Only the Noto CJK faces, and their simplified-Chinese glyph forms (not the Japanese ones
    LibreOffice picks when a document leaves the East Asian language at en-US)."""
    faces = embedded_faces(pdf)
    assert faces and all("NotoSansCJK" in name or "NotoSerifCJK" in name for name in faces), faces
    assert sum(sc for sc, _ in faces.values()) > 0 and all(jp == 0 for _, jp in faces.values()), faces


def _libreoffice_pdf(tmp_path: Path, *documents: Path) -> list[Path]:
    """Convert with LibreOffice (a private profile, so parallel runs do not share one) and return the PDFs."""
    office = libreoffice_or_skip("cannot prove the documents open in it")
    assert len({doc.stem for doc in documents}) == len(documents), "one PDF per document: stems must differ"
    out = tmp_path / "lo-pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    command = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
    subprocess.run([*command, *map(str, documents)], check=True, capture_output=True, timeout=300)
    pdfs = [out / (doc.stem + ".pdf") for doc in documents]
    for pdf in pdfs:
        assert pdf.is_file(), f"LibreOffice did not convert {pdf.stem}"
    return pdfs


def test_grading_reports_in_docx_pdf_html_open_in_libreoffice(school: Invoke, tmp_path: Path) -> None:
    outputs = [tmp_path / f"定级-学籍.{ext}" for ext in ("docx", "pdf", "html")]
    args = [a for out in outputs for a in ("-o", str(out))]
    result = school("report", "build", "grading", "--lang", "zh", "--system", "学籍管理系统", *args)
    assert result.exit_code == 0, result.stderr
    portal = tmp_path / "定级-门户.docx"
    assert (
        school("report", "build", "grading", "--lang", "zh", "--system", "学校门户网站", "-o", str(portal)).exit_code
        == 0
    )
    converted = _libreoffice_pdf(tmp_path, outputs[0], portal)
    for pdf in converted:
        _assert_simplified_chinese_faces(pdf)
    for text in (_pdf_text(converted[0]), _pdf_text(outputs[1])):
        for expected in (
            "网络安全等级保护定级报告",
            "定级对象描述",
            SCHOOL_NAME,
            "业务信息安全保护等级的确定",
            "系统服务安全保护等级的确定",
            "社会秩序、公共利益",
            "严重损害",
            "第三级",
            "专家评审意见",
            "主管部门审核意见",
            "待填写",
        ):
            assert expected in text, expected
    portal_text = _pdf_text(converted[1])
    assert "学校门户网站" in portal_text and "安全保护等级（取较高者）第二级" in portal_text
    html = outputs[2].read_text(encoding="utf-8")
    assert "定级矩阵" in html and "■ 第三级" in html


def test_filing_docx_and_xlsx_with_a_scanned_roster(school: Invoke, tmp_path: Path) -> None:
    roster = tmp_path / "学籍名单.csv"
    write_csv(roster, "gbk")
    docx, xlsx = tmp_path / "备案表-学籍.docx", tmp_path / "备案表-学籍-表格.xlsx"  # distinct PDF names
    result = school(
        "report",
        "build",
        "filing",
        "--lang",
        "zh",
        "--system",
        "学籍管理系统",
        str(roster),
        "-o",
        str(docx),
        "-o",
        str(xlsx),
    )
    assert result.exit_code == 0, result.stderr
    book = load_workbook(xlsx, read_only=True)
    assert {"表一 单位信息", "表二 定级对象信息", "表三 定级等级", "表四 提交材料", "数据摸底调查表"} <= set(
        book.sheetnames
    )
    survey = list(book["数据摸底调查表"].iter_rows(values_only=True))
    assert survey[0][:5] == ("序号", "数据类别", "数据级别", "敏感个人信息", "记录条数")
    categories = {row[1]: row for row in survey[1:]}
    assert categories["心理健康"][3] == "是"
    assert any(row[4] == 40 and "身份证号" in str(row[5]) for row in survey[1:])
    converted = _libreoffice_pdf(tmp_path, docx, xlsx)
    for pdf in converted:
        _assert_simplified_chinese_faces(pdf)
    for text in map(_pdf_text, converted):
        for expected in (SCHOOL_NAME, "单位名称", "学籍管理系统", "第三级", "数据类别", "心理健康", "待填写"):
            assert expected in text, expected
    docx_text = _pdf_text(converted[0])
    for expected in ("网络安全等级保护备案表", "单位信息", "定级对象信息", "定级等级", "测评情况", "数据摸底调查表"):
        assert expected in docx_text, expected


def test_level_2_filing_without_tables_is_a_blank_survey(school: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "备案-门户.xlsx"
    assert (
        school("report", "build", "filing", "--lang", "zh", "--system", "学校门户网站", "-o", str(out)).exit_code == 0
    )
    book = load_workbook(out, read_only=True)
    assert "表四 提交材料" not in book.sheetnames  # only from level 3
    rows = list(book["数据摸底调查表"].iter_rows(values_only=True))
    assert rows[1][0] == 1 and set(rows[1][1:]) == {"待填写"}


def test_grading_without_answers_names_what_is_missing(school: Invoke, tmp_path: Path) -> None:
    assert school("dengbao", "system", "add", "图书馆系统", "--level", "2").exit_code == 0
    out = tmp_path / "定级-图书馆.html"
    result = school("report", "build", "grading", "--system", "图书馆系统", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "缺少的定级依据" in html and "没有定级答卷" in html and "手工登记" in html
    assert "secops dengbao grade --preset" in html


def test_level_1_filing_is_refused_and_writes_nothing(school: Invoke, tmp_path: Path) -> None:
    assert school("dengbao", "system", "add", "食堂点餐", "--level", "1").exit_code == 0
    out = tmp_path / "备案-食堂.docx"
    result = school("report", "build", "filing", "--system", "食堂点餐", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("secops: error:") and "备案 is required only from level 2" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grading", "--system", "学籍管理系统", "-o", "x.xlsx"], "not available as xlsx"),
        (["filing", "-o", "x.docx"], "needs --system"),
        (["grading", "--system", "学籍管理系统", "roster.csv", "-o", "x.docx"], "takes no tables"),
    ],
)
def test_bad_requests_exit_2(school: Invoke, tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = school("report", "build", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_filing_with_a_missing_table_exits_2(school: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "f.docx"
    result = school("report", "build", "filing", "--system", "学籍管理系统", str(tmp_path / "none.csv"), "-o", str(out))
    assert result.exit_code == 2 and "none.csv" in result.stderr and not out.exists()
