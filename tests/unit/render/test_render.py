"""The renderers on a hand-built report: every format, real tools to read them back."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secops.errors import SecopsError
from secops.render import Chart, Paragraph, Report, Section, Table
from secops.render.formats import format_for, render_bytes, write_report
from secops.render.labels import labels_for
from secops.render.model import chinese_numeral

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed; scripts/install.sh installs it")
LONG_TITLE = "学生/教职工: 账号与权限清单（含历史变更记录）汇总"


def sample_report() -> Report:
    report = Report(
        id="sample",
        title="测试报告",
        subtitle="报告流水线自检",
        generated_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        metadata=[("学校名称", "测试实验中学"), ("学校标识码", "4111010001")],
        labels=labels_for("zh"),
    )
    report.sections.append(
        Section(
            "资产概况",
            [
                Paragraph("本节列出校园网内发现的主机。"),
                Paragraph("发现高危端口暴露。", "warning"),
                Table(
                    "主机清单", ["地址", "类型", "开放端口"], [["10.20.0.5", "服务器", 3], ["10.20.0.9", "<script>", 0]]
                ),
                Table("空表", ["名称"], []),
                Chart("各类型主机数量", "bar", ["服务器", "摄像头"], {"数量": [3.0, 5.0]}),
                Chart("端口分布", "barh", ["22", "80", "443"], {"开放": [2.0, 4.0, 1.0], "关闭": [1.0, 0.0, 3.0]}),
            ],
        )
    )
    report.sections.append(
        Section(
            "趋势",
            [
                Chart("类型占比", "pie", ["服务器", "摄像头"], {"数量": [3.0, 5.0]}),
                Chart("每日新增", "line", ["周一", "周二", "周三"], {"新增": [1.0, 0.0, 2.0]}),
                Table(LONG_TITLE, ["a"], [["x"]]),
                Table(LONG_TITLE, ["b"], [["y"]]),
            ],
        )
    )
    return report


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    write_report(sample_report(), path)
    return path


def test_html_is_self_contained_and_escaped() -> None:
    html = render_bytes(sample_report(), "html").decode("utf-8")
    assert html.count("<svg") == 4
    assert "<title>测试报告</title>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "（无数据）" in html
    assert '"Noto Sans CJK SC"' in html  # the font stack is CSS, not HTML-escaped text


def test_english_labels() -> None:
    report = sample_report()
    report.labels = labels_for("en")
    assert "(no data)" in render_bytes(report, "html").decode("utf-8")


def test_sections_are_numbered_the_official_way_in_chinese() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99, 100)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九", "100",
    ]  # fmt: skip
    import docx

    report = sample_report()
    html = render_bytes(report, "html").decode("utf-8")
    assert "<h2>一、资产概况</h2>" in html and "<h2>二、趋势</h2>" in html and ">二、趋势</a>" in html
    headings = [p.text for p in docx.Document(io.BytesIO(render_bytes(report, "docx"))).paragraphs]
    assert "一、资产概况" in headings and "二、趋势" in headings
    report.lang, report.labels = "en", labels_for("en")
    assert "<h2>1. 资产概况</h2>" in render_bytes(report, "html").decode("utf-8")


@needs_poppler
def test_pdf_has_chinese_text_embedded_cjk_fonts_and_pages(pdf_file: Path) -> None:
    assert pdf_file.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf_file), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("测试报告", "测试实验中学", "服务器", "本节列出校园网内发现的主机", "第 1 页，共"):
        assert expected in text
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    assert "Title:           测试报告" in info
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) >= 2
    fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts


@needs_poppler
def test_pdf_first_page_renders_ink(pdf_file: Path, tmp_path: Path) -> None:
    from matplotlib import image

    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf_file), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    pixels = image.imread(str(png))
    dark = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.005 < dark < 0.5  # text and rules are drawn, the page is not one block


def test_xlsx_has_summary_table_and_chart_sheets() -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(render_bytes(sample_report(), "xlsx")))
    names = book.sheetnames
    assert names[0] == "概要"
    assert book["概要"]["A1"].value == "测试报告"
    assert list(book["主机清单"].iter_rows(values_only=True)) == [
        ("地址", "类型", "开放端口"),
        ("10.20.0.5", "服务器", 3),
        ("10.20.0.9", "<script>", 0),
    ]
    assert len(names) == 1 + 4 + 4 and len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert sum(n.startswith("图表") for n in names) == 4
    assert book["图表 1"]["A2"].value == "服务器"


def test_docx_has_title_tables_pictures_and_east_asian_font() -> None:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(render_bytes(sample_report(), "docx")))
    assert document.paragraphs[0].text == "测试报告"
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"10.20.0.5", "服务器", "<script>", "（无数据）", "测试实验中学"} <= cells
    assert len(document.inline_shapes) == 4
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"  # the official face first; fontconfig resolves it


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.pdf", "pdf"), ("A.HTML", "html"), ("a.htm", "html"), ("a.xlsx", "xlsx"), ("a.docx", "docx")]
)
def test_format_from_extension(name: str, fmt: str) -> None:
    assert format_for(Path(name)) == fmt


def test_unknown_extension_is_refused() -> None:
    with pytest.raises(SecopsError, match="end the file name in"):
        format_for(Path("report.txt"))


def test_missing_folders_are_created(tmp_path: Path) -> None:
    write_report(sample_report(), tmp_path / "missing" / "deeper" / "r.html")
    assert (tmp_path / "missing" / "deeper" / "r.html").is_file()


def test_folder_that_cannot_be_created_is_refused_before_rendering(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(SecopsError, match="cannot be created"):
        write_report(sample_report(), tmp_path / "blocker" / "sub" / "r.html")
    assert [p.name for p in tmp_path.iterdir()] == ["blocker"]


def test_failed_render_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import secops.render.formats as render

    existing = tmp_path / "r.html"
    existing.write_text("previous report")

    def broken(*_args: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "render_bytes", broken)
    with pytest.raises(RuntimeError):
        write_report(sample_report(), tmp_path / "new.html")
    with pytest.raises(RuntimeError):
        write_report(sample_report(), existing)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    assert existing.read_text() == "previous report"


def test_interrupted_write_leaves_no_temp_file(tmp_path: Path) -> None:
    from secops.fsutil import atomic_output

    with pytest.raises(KeyboardInterrupt), atomic_output(tmp_path / "x.bin") as handle:
        handle.write(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_model_checks_shapes() -> None:
    with pytest.raises(ValueError, match="row 0 has 1 cells for 2 columns"):
        Table("t", ["a", "b"], [["only"]])
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        Chart("c", "bar", ["x", "y"], {"s": [1.0]})


def test_charts_render_svg_and_png_even_when_empty() -> None:
    from secops.render.charts import chart_png, chart_svg

    assert chart_svg(Chart("占比", "pie", ["a", "b"], {"n": [0.0, 0.0]})).startswith("<svg")
    assert chart_png(Chart("数量", "bar", [], {})).startswith(b"\x89PNG")


def test_missing_chinese_font_is_an_error_not_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    from secops.render import fonts

    assert fonts.require_chinese_font()
    monkeypatch.setattr(fonts, "chinese_font_families", lambda: ())
    with pytest.raises(SecopsError, match="fonts-noto-cjk"):
        fonts.require_chinese_font()
