"""``secops dengbao`` through the CLI: catalog, grading, systems, questionnaire, assessment, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SCHOOL_CODE, SCHOOL_NAME, Invoke

INIT = ["init", "--school-code", SCHOOL_CODE, "--school-name", SCHOOL_NAME, "--scope", "127.0.0.1/32"]


@pytest.fixture
def ready(run_cli: Invoke) -> Invoke:
    assert run_cli(*INIT).exit_code == 0
    return run_cli


@pytest.mark.parametrize(("level", "count"), [("1", 55), ("2", 135), ("3", 211), ("4", 228)])
def test_catalog_json_has_the_standards_counts(run_cli: Invoke, level: str, count: int) -> None:
    result = run_cli("dengbao", "catalog", "--level", level, "--format", "json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert len(items) == count
    assert {"id", "level", "class", "control_point", "clause", "summary", "evidence"} <= set(items[0])


def test_catalog_with_extensions_and_class(run_cli: Invoke) -> None:
    result = run_cli("dengbao", "catalog", "--level", "3", "--extension", "cloud,iot", "--format", "json")
    items = json.loads(result.stdout)
    assert len(items) == 211 + 46 + 20
    ces = json.loads(run_cli("dengbao", "catalog", "--level", "3", "--class", "CES", "--format", "json").stdout)
    assert ces and all(i["class"] == "安全计算环境" for i in ces)
    assert next(i for i in ces if i["id"] == "L3-CES1-01")["highrisk"] == ["6.4.1.1"]


@pytest.mark.parametrize("bad", [["--level", "5"], ["--level", "x"], ["--level", "3", "--extension", "space"]])
def test_catalog_bad_input_exits_2_with_one_line(run_cli: Invoke, bad: list[str]) -> None:
    result = run_cli("dengbao", "catalog", *bad)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("secops: error:")


def test_grade_from_answers_and_from_preset(run_cli: Invoke, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    suggested = run_cli("dengbao", "grade", "--preset", "学籍", "-o", str(answers), "--format", "json")
    assert suggested.exit_code == 0, suggested.stderr
    assert json.loads(suggested.stdout)["suggestion"] is True
    graded = json.loads(run_cli("dengbao", "grade", "--answers", str(answers), "--format", "json").stdout)
    assert (graded["business"]["level"], graded["service"]["level"], graded["level"]) == (3, 2, 3)
    assert graded["filing_required"] and graded["yearly_assessment"]
    table = run_cli("dengbao", "grade", "--answers", str(answers)).stdout
    assert "第三级" in table and "备案" in table


def test_grade_bad_answers_name_the_line(run_cli: Invoke, tmp_path: Path) -> None:
    answers = tmp_path / "bad.yaml"
    answers.write_text("business:\n  object: society\n  degree: huge\nservice:\n  object: citizen\n  degree: general\n")
    result = run_cli("dengbao", "grade", "--answers", str(answers))
    assert result.exit_code == 2
    assert f"{answers}:3:" in result.stderr and "huge" in result.stderr
    assert "Traceback" not in result.stderr


def test_system_questionnaire_assess_and_report(ready: Invoke, tmp_path: Path) -> None:
    added = ready("dengbao", "system", "add", "门户网站", "--level", "2")
    assert added.exit_code == 0, added.stderr
    assert ready("dengbao", "system", "add", "门户网站", "--level", "2").exit_code == 2  # exists already
    listed = json.loads(ready("dengbao", "system", "list", "--format", "json").stdout)
    assert [s["name"] for s in listed] == ["门户网站"]

    questionnaire = tmp_path / "q.yaml"
    assert ready("dengbao", "questionnaire", "export", "--system", "门户网站", "-o", str(questionnaire)).exit_code == 0
    text = questionnaire.read_text(encoding="utf-8")
    assert "# ── 安全物理环境 ──" in text and "L2-PES1-01:" in text
    answered = text.replace("    result:\n", "    result: 符合\n")  # every item 符合
    questionnaire.write_text(answered, encoding="utf-8")
    imported = ready("dengbao", "questionnaire", "import", "--system", "门户网站", str(questionnaire))
    assert imported.exit_code == 0 and "Imported 135" in imported.stdout

    result = ready("dengbao", "assess", "--system", "门户网站", "--no-automated", "--format", "json")
    assert result.exit_code == 0, result.stderr  # all 符合, no high risk: exit 0
    value = json.loads(result.stdout)
    assert value["conclusion"] == "符合" and value["rate"] == 1.0 and value["highrisk"] == []

    pdf = tmp_path / "gap.pdf"
    built = ready("report", "build", "dengbao", "--system", "门户网站", "-o", str(pdf))
    assert built.exit_code == 0, built.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    missing = ready("report", "build", "dengbao", "-o", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 2 and "--system" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_questionnaire_with_a_bad_row_stores_nothing(ready: Invoke, tmp_path: Path) -> None:
    assert ready("dengbao", "system", "add", "OA", "--level", "2").exit_code == 0
    questionnaire = tmp_path / "q.yaml"
    ready("dengbao", "questionnaire", "export", "--system", "OA", "-o", str(questionnaire))
    text = questionnaire.read_text(encoding="utf-8").replace("    result:\n", "    result: 符合\n", 3)
    text = text.replace("    result:\n", "    result: 很好\n", 1)
    text = text.replace("answers:\n", "answers:\n  L9-XYZ1-01: 符合\n", 1)
    questionnaire.write_text(text, encoding="utf-8")
    result = ready("dengbao", "questionnaire", "import", "--system", "OA", str(questionnaire))
    assert result.exit_code == 2
    assert "L9-XYZ1-01" in result.stderr and "很好" in result.stderr and "line" in result.stderr
    shown = json.loads(ready("dengbao", "system", "show", "OA", "--format", "json").stdout)
    assert shown["answers"] == 0


def test_assess_unknown_system_and_out_of_scope_target(ready: Invoke) -> None:
    unknown = ready("dengbao", "assess", "--system", "nope")
    assert unknown.exit_code == 2 and "no system named" in unknown.stderr
    ready("dengbao", "system", "add", "OA", "--level", "2")
    outside = ready("dengbao", "assess", "--system", "OA", "--targets", "192.0.2.1")
    assert outside.exit_code == 2 and "outside the workspace scope" in outside.stderr


def test_no_automated_with_ssh_is_refused_not_ignored(ready: Invoke) -> None:
    result = ready("dengbao", "assess", "--system", "门户网站", "--ssh", "10.0.0.5", "--no-automated")
    assert result.exit_code == 2
    assert "--no-automated (questionnaire only) contradicts --ssh" in result.stderr
    assert result.stderr.count("\n") == 1
