"""The PDF as a reviewer reads it: cover on page 1, only the Noto CJK SC faces embedded, the
appendix on landscape pages, no chart drawn from one bar or one slice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from secops.render.formats import render_bytes, write_report
from tests.unit.render.official import official_report

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed; scripts/install.sh installs it")


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("official") / "official.pdf"
    write_report(official_report("report"), path)
    return path


def _page_text(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "".join(out.split())


@needs_poppler
def test_cover_is_page_one_and_statement_page_two(pdf_file: Path) -> None:
    cover = _page_text(pdf_file, 1)
    for words in (
        "密级：内部",
        "报告编号：DJBH-CJFX-4111010001-202612071800",
        "网络安全等级保护差距分析报告",
        "被测单位",
        "2026年12月07日",
    ):
        assert words in cover
    assert "测评结论" not in cover  # nothing of the body on the cover
    statement = _page_text(pdf_file, 2)
    assert "声明" in statement and "不能代替等级测评" in statement
    assert all(role in statement for role in ("编制", "审核", "批准"))


@needs_poppler
def test_only_the_free_simplified_chinese_faces_are_embedded(pdf_file: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert names == {"Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC"}  # 黑体 and 宋体 roles; no JP, no fallback


def test_appendix_pages_are_landscape(pdf_file: Path) -> None:
    reader = PdfReader(pdf_file)
    shapes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    portrait = [i for i, (w, h) in enumerate(shapes) if h > w]
    landscape = [i for i, (w, h) in enumerate(shapes) if w > h]
    assert portrait[:3] == [0, 1, 2] and landscape  # cover, 声明, contents portrait; the appendix turned
    assert landscape == list(range(landscape[0], len(shapes)))
    assert "附录A" in reader.pages[landscape[0]].extract_text()


def test_no_chart_from_one_bar_or_one_slice() -> None:
    html = render_bytes(official_report("report"), "html").decode("utf-8")
    assert html.count("<svg") == 1  # the two-bar chart only
    assert "各安全类评估结果：安全物理环境 3。" in html and "结果占比：符合 12（100%）。" in html


def test_gbt9704_forms_print_fangsong_on_the_official_page() -> None:
    html = render_bytes(official_report("gbt9704", front=False), "html").decode("utf-8")
    assert "margin: 37mm 26mm 35mm 28mm" in html  # 天头 37, 订口 28: the 156 × 225 mm block
    assert 'font-family: "仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", serif; font-size: 16.0pt' in html
    assert '"黑体", "SimHei", "Noto Sans CJK SC", sans-serif' in html
    assert 'class="cover"' not in html
