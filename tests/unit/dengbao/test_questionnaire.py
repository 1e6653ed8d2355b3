"""The questionnaire: export the level-2 catalog to YAML and XLSX, answer it as a school would (by
editing the text or the cells), import it back; bad answers are reported with their place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook

from secops.dengbao.catalog import Requirement, load_catalog
from secops.dengbao.checks import load_checks
from secops.dengbao.questionnaire import (
    CHOICES_HEADER,
    HEADERS,
    NOTE_PREFIX,
    Answer,
    export_questionnaire,
    import_questionnaire,
)
from secops.errors import ContentError, ContentErrors, SecopsError

ANSWERS = [
    Answer("L2-PES1-01", "符合", note="机房位于教学楼三层，建筑抗震设防"),
    Answer("L2-CES1-01", "部分符合", note="服务器口令复杂度已配置，网络设备尚未", mitigation="6.4.1.1-local-only"),
    Answer("L2-CES1-12", "不符合", note="23 端口仍开放"),
    Answer("L2-PSS1-01", "不适用", note="由上级单位统一制定"),
    Answer("L2-MMS1-01", "符合", note='台账见"资产清单.xlsx"：第 3 页 # 附件'),
]


@pytest.fixture(scope="module")
def requirements() -> list[Requirement]:
    return load_catalog().select(2)


def export(path: Path, requirements: list[Requirement], answers: Sequence[Answer] = ()) -> int:
    return export_questionnaire(
        path,
        system="学校门户网站",
        level=2,
        requirements=requirements,
        answers={a.item_id: a for a in answers},
        checks=load_checks(),
    )


# ── YAML: edit the text ───────────────────────────────────────────────────────


def fill_yaml(path: Path, answers: list[Answer]) -> None:
    """Fill answers the way a person edits the exported file: under each item's own block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for answer in answers:
        start = lines.index(f"  {answer.item_id}:")
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
        for i in range(start + 1, end):
            if lines[i].startswith("    result:"):
                lines[i] = f"    result: {answer.result}"
            elif lines[i].startswith("    note:"):
                lines[i] = "    note: '" + answer.note.replace("'", "''") + "'"
            elif lines[i].startswith("    mitigation:"):
                lines[i] = f"    mitigation: {answer.mitigation}" if answer.mitigation else lines[i]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_export_lists_every_item_grouped_by_class(
    tmp_path: Path, requirements: list[Requirement], suffix: str
) -> None:
    path = tmp_path / f"问卷{suffix}"
    assert export(path, requirements) == 135
    text = path.read_text(encoding="utf-8")
    ids = re.findall(r"^  (L\d-[A-Z]{3}\d-\d\d):$", text, flags=re.MULTILINE)
    assert ids == sorted(ids, key=[r.id for r in requirements].index)
    assert set(ids) == {r.id for r in requirements}
    assert text.index("# ── 安全物理环境 ──") < text.index("# ── 安全计算环境 ──") < text.index("# ── 安全运维管理 ──")
    assert "自动检查：" in text  # items covered by checks say so
    assert import_questionnaire(path, requirements) == []  # nothing answered yet


def test_yaml_answers_round_trip(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    fill_yaml(path, ANSWERS)
    imported = import_questionnaire(path, requirements)
    assert sorted(imported, key=lambda a: a.item_id) == sorted(ANSWERS, key=lambda a: a.item_id)


def test_yaml_prefilled_export_round_trips(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.yaml"
    tricky = [*ANSWERS, Answer("L2-HRS1-01", "符合", note='含"引号"、冒号: 和\n换行')]
    export(path, requirements, tricky)
    assert sorted(import_questionnaire(path, requirements), key=lambda a: a.item_id) == sorted(
        tricky, key=lambda a: a.item_id
    )


def test_yaml_short_form_and_aliases(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(
        "answers:\n  L2-PES1-01: 符合\n  L2-PES1-02: N/A\n  L2-PES1-03: partial\n  L2-PES1-04:\n"
        "  L2-PES1-05:\n    result: '  不符合 '\n",
        encoding="utf-8",
    )
    imported = {a.item_id: a.result for a in import_questionnaire(path, requirements)}
    assert imported == {"L2-PES1-01": "符合", "L2-PES1-02": "不适用", "L2-PES1-03": "部分符合", "L2-PES1-05": "不符合"}


@pytest.mark.parametrize(("written", "result"), [("yes", "符合"), ("no", "不符合")])
def test_yaml_unquoted_yes_and_no(tmp_path: Path, requirements: list[Requirement], written: str, result: str) -> None:
    path = tmp_path / "yes.yaml"
    path.write_text(f"answers:\n  L2-PES1-01:\n    result: {written}\n", encoding="utf-8")
    assert import_questionnaire(path, requirements) == [Answer("L2-PES1-01", result)]


@pytest.mark.parametrize(
    "block",
    [
        pytest.param("  L3-CES1-01: 符合\n", id="short-form"),
        pytest.param(
            "  L3-CES1-01:\n    result: 符合\n",
            id="block-form",
        ),
    ],
)
def test_yaml_unknown_item_is_reported_with_its_line(
    tmp_path: Path, requirements: list[Requirement], block: str
) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    text = path.read_text(encoding="utf-8").replace("  L2-CES1-01:\n", block + "  L2-CES1-01:\n", 1)
    path.write_text(text, encoding="utf-8")
    line = line_of(path, block.splitlines()[0])
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert f"line {line}: unknown item ID 'L3-CES1-01'" in message
    assert "L2-" in message  # the hint names this system's prefix


def test_yaml_invalid_result_is_reported_with_its_line(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    fill_yaml(path, [Answer("L2-CES1-12", "基本符合")])
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines.index("    result: 基本符合") + 1
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert f"line {line}: L2-CES1-12: invalid result '基本符合'" in str(caught.value)
    assert "符合 / 部分符合 / 不符合 / 不适用" in str(caught.value)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("  L2-PES1-01:\n    result: 符合\n    remark: x\n", "unknown key remark"),
        ("  L2-PES1-01: [符合]\n", "not a mapping"),
        ("  L2-PES1-01: 符合\n  L2-PES1-01: 不符合\n", "duplicate"),
    ],
)
def test_yaml_shape_problems(tmp_path: Path, requirements: list[Requirement], block: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("answers:\n" + block, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert message in str(caught.value).lower()


@pytest.mark.parametrize("text", ["- L2-PES1-01\n", "system: x\nanswers: 符合\n", "answers:\n"])
def test_yaml_without_an_answers_mapping(tmp_path: Path, requirements: list[Requirement], text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert caught.value.line == 1 and "answers:" in caught.value.message


def test_yaml_file_with_any_error_yields_nothing(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    fill_yaml(path, [*ANSWERS, Answer("L2-CES1-02", "maybe")])
    text = path.read_text(encoding="utf-8") + "  L2-XYZ1-01:\n    result: 符合\n"
    path.write_text(text, encoding="utf-8")
    imported: list[Answer] | None = None
    with pytest.raises(ContentErrors) as caught:
        imported = import_questionnaire(path, requirements)
    assert imported is None  # the good answers in the same file are not returned either
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 2
    assert any("invalid result 'maybe'" in m for m in messages)
    assert any("unknown item ID 'L2-XYZ1-01'" in m for m in messages)


# ── XLSX: edit the cells ──────────────────────────────────────────────────────


def fill_xlsx(path: Path, answers: list[Answer]) -> None:
    book = load_workbook(path)
    wanted = {a.item_id: a for a in answers}
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2):
            answer = wanted.pop(str(row[0].value), None)
            if answer:
                row[6].value, row[7].value, row[8].value = answer.result, answer.note, answer.mitigation
    assert not wanted, f"items not found in the workbook: {sorted(wanted)}"
    book.save(path)


def cell_of(path: Path, item_id: str) -> tuple[str, int]:
    """(sheet title, row) of an item."""
    book = load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            if values and values[0] == item_id:
                return sheet.title, number
    raise AssertionError(item_id)


def test_xlsx_export_has_a_sheet_per_class(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    assert export(path, requirements) == 135
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明"
    assert book.sheetnames[1:] == [
        "安全物理环境",
        "安全通信网络",
        "安全区域边界",
        "安全计算环境",
        "安全管理中心",
        "安全管理制度",
        "安全管理机构",
        "安全管理人员",
        "安全建设管理",
        "安全运维管理",
    ]
    rows = 0
    for sheet in book.worksheets[1:]:
        assert tuple(c.value for c in sheet[1]) == (*HEADERS, CHOICES_HEADER)
        rows += sheet.max_row - 1
        assert sheet.data_validations.dataValidation, sheet.title  # a drop-down for the result
    assert rows == 135
    ces = book["安全计算环境"]
    row = next(r for r in ces.iter_rows(min_row=2, values_only=True) if r[0] == "L2-CES1-01")
    assert "weak-credentials" in row[5]
    assert import_questionnaire(path, requirements) == []


def test_xlsx_answers_round_trip(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    fill_xlsx(path, ANSWERS)
    imported = import_questionnaire(path, requirements)
    assert sorted(imported, key=lambda a: a.item_id) == sorted(ANSWERS, key=lambda a: a.item_id)


def test_xlsx_prefilled_export_round_trips(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements, ANSWERS)
    assert sorted(import_questionnaire(path, requirements), key=lambda a: a.item_id) == sorted(
        ANSWERS, key=lambda a: a.item_id
    )


def test_xlsx_note_starting_with_equals_round_trips(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    answer = Answer("L2-PES1-01", "符合", note="=见附件3（门禁记录）")
    export(path, requirements, [answer])
    assert import_questionnaire(path, requirements) == [answer]


def test_xlsx_aliases_and_extra_sheets(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    fill_xlsx(path, [Answer("L2-PES1-01", "yes"), Answer("L2-PES1-02", "N/A"), Answer("L2-PES1-03", " no ")])
    book = load_workbook(path)
    notes = book.create_sheet("备注")  # a sheet the school added: ignored
    notes.append(["L2-PES1-04", "随便写写"])
    book.save(path)
    imported = {a.item_id: a.result for a in import_questionnaire(path, requirements)}
    assert imported == {"L2-PES1-01": "符合", "L2-PES1-02": "不适用", "L2-PES1-03": "不符合"}


def test_xlsx_invalid_result_is_reported_with_sheet_and_cell(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    fill_xlsx(path, [Answer("L2-CES1-12", "基本符合")])
    sheet, row = cell_of(path, "L2-CES1-12")
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert sheet == "安全计算环境"
    assert f"{sheet}!G{row}: L2-CES1-12: invalid result '基本符合'" in str(caught.value)


def add_unknown_row(path: Path) -> tuple[str, int]:
    book = load_workbook(path)
    sheet = book["安全计算环境"]
    sheet.append(["L2-CES1-99", "身份鉴别", "", "", "", "", "符合", "", ""])
    row = sheet.max_row
    book.save(path)
    return sheet.title, row


def test_xlsx_unknown_item_is_reported_with_sheet_and_row(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    sheet, row = add_unknown_row(path)
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert re.search(rf"{sheet}![A-I]{row}: unknown item ID 'L2-CES1-99'", str(caught.value))


def test_xlsx_unknown_item_is_reported_at_its_id_cell(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    sheet, row = add_unknown_row(path)
    with pytest.raises(ContentError) as caught:
        import_questionnaire(path, requirements)
    assert f"{sheet}!A{row}: unknown item ID" in str(caught.value)


def test_xlsx_file_with_any_error_yields_nothing(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    fill_xlsx(path, [*ANSWERS, Answer("L2-ABS1-01", "OK")])
    imported: list[Answer] | None = None
    with pytest.raises(ContentError, match="invalid result 'OK'"):
        imported = import_questionnaire(path, requirements)
    assert imported is None


def test_damaged_xlsx_is_refused(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SecopsError, match="not a readable XLSX file"):
        import_questionnaire(path, requirements)


# ── formats ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["问卷.csv", "问卷.json", "问卷.xls", "问卷"])
def test_unknown_extension_is_refused(tmp_path: Path, requirements: list[Requirement], name: str) -> None:
    path = tmp_path / name
    with pytest.raises(SecopsError, match="unknown questionnaire format"):
        export(path, requirements)
    assert not path.exists()
    path.write_text("answers:\n  L2-PES1-01: 符合\n", encoding="utf-8")
    with pytest.raises(SecopsError, match="unknown questionnaire format"):
        import_questionnaire(path, requirements)


def test_missing_file(tmp_path: Path, requirements: list[Requirement]) -> None:
    with pytest.raises(SecopsError, match="no such file"):
        import_questionnaire(tmp_path / "absent.yaml", requirements)


@pytest.mark.parametrize("suffix", [".YAML", ".Xlsx"])
def test_extension_case_does_not_matter(tmp_path: Path, requirements: list[Requirement], suffix: str) -> None:
    path = tmp_path / f"问卷{suffix}"
    export(path, requirements, ANSWERS[:2])
    assert len(import_questionnaire(path, requirements)) == 2


# ── mitigations: only the ones the guide names, by ID ─────────────────────────


def test_yaml_export_offers_the_allowed_mitigations_and_marks_unmitigable_cases(
    tmp_path: Path, requirements: list[Requirement]
) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    text = path.read_text(encoding="utf-8")
    block = text[text.index("  L2-CES1-01:") : text.index("  L2-CES1-02:")]
    assert "# 高风险判例 6.4.1.1" in block and "6.4.1.1-local-only" in block and "6.4.1.1-second-factor" in block
    plan = text[text.index("  L2-MMS1-28:") :]
    plan = plan[: plan.index("\n  L2-")]
    assert "6.10.1.1" in plan and "不可缓解" in plan  # the guide lets nothing lower 6.10.1.1
    assert "# 高风险判例" not in text[text.index("  L2-PES1-01:") : text.index("  L2-PES1-02:")]
    ports = text[text.index("  L2-CES1-12:") : text.index("  L2-CES1-13:")]
    assert "6.4.3.1" in ports and "仅在所在区域内可达" in ports  # the case's scope, where narrower than the item


def test_free_text_in_the_mitigation_moves_to_the_note(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    fill_yaml(path, [Answer("L2-CES1-01", "不符合", note="口令过简单", mitigation="6.4.1.1-local-only 只在机房登录")])
    fill_yaml(path, [Answer("L2-CES1-12", "不符合", mitigation="防火墙已限制")])
    imported = {a.item_id: a for a in import_questionnaire(path, requirements)}
    assert imported["L2-CES1-01"] == Answer(
        "L2-CES1-01", "不符合", note=f"口令过简单\n{NOTE_PREFIX}只在机房登录", mitigation="6.4.1.1-local-only"
    )
    assert imported["L2-CES1-12"].mitigation == ""  # free text alone names no mitigation
    assert imported["L2-CES1-12"].note == f"{NOTE_PREFIX}防火墙已限制"


@pytest.mark.parametrize(
    ("item", "mitigation", "message"),
    [
        ("L2-CES1-01", "6.4.3.1-source-restricted", "is not one the guide allows here"),  # another case's
        ("L2-MMS1-28", "6.10.1.1-parent-plan", "is unknown; allowed: none"),  # an unmitigable case
        ("L2-CES1-01", "6.4.1.1-made-up", "is unknown"),
    ],
)
def test_a_mitigation_the_items_cases_do_not_allow_is_refused_with_its_place(
    tmp_path: Path, requirements: list[Requirement], item: str, mitigation: str, message: str
) -> None:
    path = tmp_path / "问卷.yaml"
    export(path, requirements)
    fill_yaml(path, [Answer(item, "不符合", mitigation=mitigation)])
    with pytest.raises(ContentError, match=re.escape(message)) as raised:
        import_questionnaire(path, requirements)
    assert f"line {line_of(path, '    result: 不符合')}" in str(raised.value)
    assert item in str(raised.value)


def test_xlsx_offers_allowed_mitigations_as_a_drop_down(tmp_path: Path, requirements: list[Requirement]) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    book = load_workbook(path)
    sheet = book["安全计算环境"]
    number = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "L2-CES1-01")
    choices = sheet.cell(row=number, column=len(HEADERS) + 1).value
    assert "6.4.1.1-local-only" in choices
    offered = [
        v for v in sheet.data_validations.dataValidation if f"I{number}" in str(v.sqref) and "6.4.1.1" in v.formula1
    ]
    assert offered and offered[0].showErrorMessage is False
    fill_xlsx(path, [Answer("L2-CES1-01", "不符合", mitigation="6.4.1.1-second-factor")])
    assert import_questionnaire(path, requirements) == [
        Answer("L2-CES1-01", "不符合", mitigation="6.4.1.1-second-factor")
    ]


def test_an_older_xlsx_without_the_choices_column_still_imports(
    tmp_path: Path, requirements: list[Requirement]
) -> None:
    path = tmp_path / "问卷.xlsx"
    export(path, requirements)
    book = load_workbook(path)
    for sheet in book.worksheets[1:]:
        sheet.delete_cols(len(HEADERS) + 1)
    book.save(path)
    fill_xlsx(path, [Answer("L2-PES1-01", "符合")])
    assert import_questionnaire(path, requirements) == [Answer("L2-PES1-01", "符合")]
