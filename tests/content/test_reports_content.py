"""Report definitions and templates: every shipped unit passes, each broken example is caught
at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.content.kinds import kind_named
from secops.content.validate import load_units, validate_paths
from secops.render.html import template_dir

GOOD = """\
id: {id}
title:
  zh: 示例报告
  en: Sample
description:
  zh: 说明
  en: About
source: workspace
template: report.html.j2
"""


def test_every_shipped_definition_loads_and_builds_from_a_known_template() -> None:
    definitions = load_units("report")
    assert {d.id for d in definitions} >= {"workspace"}
    for definition in definitions:
        assert (template_dir() / definition.template).is_file()
        assert definition.title.zh and definition.title.en


def test_every_shipped_template_parses() -> None:
    templates = kind_named("template").shipped_files()
    assert templates
    assert validate_paths(templates) == (len(templates), [])


def test_a_good_definition_passes(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    path = tmp_path / "reports" / "sample.yml"
    path.write_text(GOOD.format(id="sample"), encoding="utf-8")
    assert validate_paths([path]) == (1, [])


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (GOOD.format(id="sample").replace("source: workspace", "source: nowhere"), 8, "source: unknown data source"),
        (GOOD.format(id="sample").replace("  en: Sample\n", ""), 2, "title.en: Field required"),
        (GOOD.format(id="sample") + "colour: blue\n", 10, "colour: unknown key"),
        (GOOD.format(id="other"), 1, "id 'other' must equal the file name 'sample'"),
        (
            GOOD.format(id="sample").replace("report.html.j2", "missing.html.j2"),
            9,
            "template 'missing.html.j2' not found",
        ),
        (GOOD.format(id="sample").replace("  zh: 说明", "  zh: [说明"), 7, "flow sequence that starts at line 6"),
        (GOOD.format(id="sample") + "formats: [pdf, odt]\n", 10, "formats must be chosen from"),
        ("- just\n- a list\n", 1, "must be a YAML mapping"),
    ],
)
def test_broken_definitions_are_caught_at_their_line(tmp_path: Path, broken: str, line: int, message: str) -> None:
    (tmp_path / "reports").mkdir()
    path = tmp_path / "reports" / "sample.yml"
    path.write_text(broken, encoding="utf-8")
    checked, errors = validate_paths([path])
    assert checked == 1 and len(errors) == 1
    assert errors[0].line == line
    assert str(errors[0]).startswith(f"{path}:{line}: ")
    assert message in errors[0].message


def test_broken_template_is_caught_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "templates"
    folder.mkdir(parents=True)
    path = folder / "broken.html.j2"
    path.write_text("<html>\n<body>\n{% for x in items %}\n{{ x }\n</body>\n", encoding="utf-8")
    _, errors = validate_paths([path])
    assert len(errors) == 1 and errors[0].line == 4
    assert "template syntax error" in str(errors[0])
