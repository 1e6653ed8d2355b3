"""Help wrapped by terminal columns: Chinese takes two columns a character and breaks anywhere."""

from __future__ import annotations

from secops.cli.help_format import DisplayWidthFormatter, display_width, fill, wrap_paragraphs


def test_chinese_lines_fit_the_width_in_columns() -> None:
    text = "资产清查、等保 2.0 定级与测评、Sigma/YARA 检测、省级告警汇聚、1 小时时限下的事件处置，以及学生数据保护。"
    lines = fill(text, 30).splitlines()
    # a closing punctuation mark may hang one character past the edge rather than begin a line
    assert len(lines) > 2 and all(display_width(line) <= (32 if line[-1] in "，。、" else 30) for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("，", "。", "、")) for line in lines)


def test_english_breaks_at_spaces_and_a_long_word_stands_alone() -> None:
    assert fill("one two three four", 9) == "one two\nthree\nfour"
    assert (
        fill("see https://example.invalid/a/very/long/path now", 12).splitlines()[1]
        == "https://example.invalid/a/very/long/path"
    )


def test_paragraphs_and_raw_blocks_are_kept() -> None:
    text = "First paragraph\n    continues here.\n\n\b\n  secops init \\\n      --scope 10.0.0.0/8\n\nLast."
    assert wrap_paragraphs(text, 60, "  ") == (
        "  First paragraph continues here.\n\n    secops init \\\n        --scope 10.0.0.0/8\n\n  Last."
    )


def test_definition_lists_align_by_columns() -> None:
    formatter = DisplayWidthFormatter(width=40)
    text = "消息、帮助和文档的语言：zh（默认）或 en；未指定时用工作区的设置。"
    formatter.write_dl([("--lang zh|en", text), ("-q", "安静")])
    lines = formatter.getvalue().splitlines()
    assert all(display_width(line) <= 40 for line in lines)
    assert lines[0].startswith("--lang zh|en  消息") and lines[-1] == "-q            安静"
    continued = [line for line in lines if not line.startswith("-")]
    assert continued and all(line.startswith(" " * 14) and line[14] != " " for line in continued)
