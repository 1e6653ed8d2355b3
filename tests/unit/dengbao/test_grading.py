"""定级 (GB/T 22240-2020): the object × degree matrix for both dimensions, accepted spellings, and
grading answers files read with file:line errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from secops.dengbao.answers_grading import load_grading_answers
from secops.dengbao.grading import (
    DEGREES,
    OBJECTS,
    GradingInputError,
    dimension_level,
    grade,
    normalize_degree,
    normalize_object,
)
from secops.errors import ContentError, ContentErrors, SecopsError

# The matrix of GB/T 22240-2020, written out here independently of the code's own table.
EXPECTED = {
    ("citizen", "general"): 1,
    ("citizen", "serious"): 2,
    ("citizen", "especially_serious"): 2,
    ("society", "general"): 2,
    ("society", "serious"): 3,
    ("society", "especially_serious"): 4,
    ("nation", "general"): 3,
    ("nation", "serious"): 4,
    ("nation", "especially_serious"): 5,
}
PAIRS = sorted(EXPECTED)
LOWEST = ("citizen", "general")  # level 1: leaves the other dimension in charge


@pytest.mark.parametrize(("obj", "degree"), PAIRS)
def test_matrix_cell(obj: str, degree: str) -> None:
    assert dimension_level(obj, degree) == EXPECTED[(obj, degree)]


@pytest.mark.parametrize("dimension", ["business", "service"])
@pytest.mark.parametrize(("obj", "degree"), PAIRS)
def test_each_dimension_grades_by_the_matrix(dimension: str, obj: str, degree: str) -> None:
    pair = (obj, degree)
    result = grade(pair, LOWEST) if dimension == "business" else grade(LOWEST, pair)
    graded = getattr(result, dimension)
    assert (graded.dimension, graded.object, graded.degree) == (dimension, obj, degree)
    assert graded.level == EXPECTED[pair]
    assert result.level == EXPECTED[pair]  # the other dimension is level 1


@pytest.mark.parametrize(("business", "service"), list(itertools.product(PAIRS, repeat=2)))
def test_system_level_is_the_higher_dimension(business: tuple[str, str], service: tuple[str, str]) -> None:
    result = grade(business, service)
    assert result.business.level == EXPECTED[business]
    assert result.service.level == EXPECTED[service]
    assert result.level == max(EXPECTED[business], EXPECTED[service])
    assert result.as_dict()["level"] == result.level


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("citizen", "citizen"),
        ("公民、法人和其他组织的合法权益", "citizen"),
        ("合法权益", "citizen"),
        ("society", "society"),
        ("社会秩序、公共利益", "society"),
        ("社会秩序", "society"),
        ("公共利益", "society"),
        ("教学科研秩序", "society"),  # GB/T 22240 counts teaching and research order as social order
        ("nation", "nation"),
        ("国家安全", "nation"),
        ("  国家安全  ", "nation"),
    ],
)
def test_object_spellings(spelling: str, key: str) -> None:
    assert normalize_object(spelling) == key


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("general", "general"),
        ("一般损害", "general"),
        ("一般", "general"),
        ("serious", "serious"),
        ("严重损害", "serious"),
        ("严重", "serious"),
        ("especially_serious", "especially_serious"),
        ("especially-serious", "especially_serious"),
        ("especially serious", "especially_serious"),
        ("特别严重损害", "especially_serious"),
        ("特别严重", "especially_serious"),
    ],
)
def test_degree_spellings(spelling: str, key: str) -> None:
    assert normalize_degree(spelling) == key


def test_chinese_and_english_grade_alike() -> None:
    chinese = grade(("社会秩序、公共利益", "严重损害"), ("公民、法人和其他组织的合法权益", "特别严重损害"))
    english = grade(("society", "serious"), ("citizen", "especially_serious"))
    assert chinese == english
    assert chinese.level == 3


@pytest.mark.parametrize("value", ["", "school", "公民", "national", "Nation", None, 3])
def test_unknown_object_is_rejected(value: object) -> None:
    with pytest.raises(GradingInputError, match="受侵害的客体"):
        normalize_object(value)
    with pytest.raises(GradingInputError):
        grade((value, "general"), LOWEST)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "minor", "很严重", "Serious", "especially", None, 2])
def test_unknown_degree_is_rejected(value: object) -> None:
    with pytest.raises(GradingInputError, match="侵害程度"):
        normalize_degree(value)
    with pytest.raises(GradingInputError):
        grade(LOWEST, ("society", value))  # type: ignore[arg-type]


def test_names_in_the_result_are_the_standards_names() -> None:
    data = grade(("nation", "serious"), ("society", "general")).as_dict()
    assert data["business"]["object_name"] == OBJECTS["nation"] == "国家安全"
    assert data["business"]["degree_name"] == DEGREES["serious"] == "严重损害"
    assert data["service"]["dimension_name"] == "系统服务安全"
    assert data["level_name"] == "第四级"


# ── consequences of the level ─────────────────────────────────────────────────


def test_level_1_needs_no_filing() -> None:
    result = grade(LOWEST, LOWEST)
    data = result.as_dict()
    assert result.level == 1
    assert (data["filing_required"], data["expert_review_required"], data["yearly_assessment"]) == (False, False, False)
    text = "".join(result.consequences())
    assert "无需专家评审和备案" in text
    assert "公安" not in text


def test_level_2_needs_filing_and_expert_review_but_no_yearly_assessment() -> None:
    result = grade(("society", "general"), LOWEST)
    data = result.as_dict()
    assert result.level == 2
    assert (data["filing_required"], data["expert_review_required"], data["yearly_assessment"]) == (True, True, False)
    text = "".join(result.consequences())
    assert "专家评审" in text
    assert "备案" in text and "公安机关" in text
    assert "每年" not in text


@pytest.mark.parametrize(
    ("business", "level"),
    [(("society", "serious"), 3), (("society", "especially_serious"), 4), (("nation", "especially_serious"), 5)],
)
def test_level_3_and_above_are_assessed_every_year(business: tuple[str, str], level: int) -> None:
    result = grade(business, LOWEST)
    data = result.as_dict()
    assert result.level == level
    assert (data["filing_required"], data["expert_review_required"], data["yearly_assessment"]) == (True, True, True)
    text = "".join(result.consequences())
    assert "每年" in text and "备案" in text and "专家评审" in text


@pytest.mark.parametrize(("business", "noted"), [(("society", "general"), True), (("society", "serious"), False)])
def test_large_personal_data_note_only_below_level_3(business: tuple[str, str], noted: bool) -> None:
    result = grade(business, LOWEST, large_personal_data=True)
    notes = [line for line in result.reasoning() if "大量个人信息" in line]
    assert bool(notes) is noted
    if noted:
        assert "不低于第三级" in notes[0]
    plain = grade(business, LOWEST)
    assert not any("不低于第三级" in line for line in plain.reasoning())


def test_public_service_note_below_level_3() -> None:
    result = grade(("society", "general"), LOWEST, public_service=True)
    assert any("公共服务" in line and "不低于第三级" in line for line in result.reasoning())


def test_reasoning_names_both_dimensions_and_the_higher_one() -> None:
    lines = grade(("society", "serious"), ("society", "general")).reasoning()
    assert lines[0].startswith("业务信息安全") and "第三级" in lines[0]
    assert lines[1].startswith("系统服务安全") and "第二级" in lines[1]
    assert "较高者，为第三级" in lines[2]


# ── answers files ─────────────────────────────────────────────────────────────


def write(tmp_path: Path, text: str, name: str = "grading.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
# 定级答卷
system: 学籍管理系统
business:  # 业务信息安全
  object: society
  degree: serious
service:  # 系统服务安全
  object: citizen
  degree: especially_serious
large_personal_data: true
public_service: false
extensions: [cloud, 工控]
"""


def test_good_answers_file(tmp_path: Path) -> None:
    answers = load_grading_answers(write(tmp_path, GOOD))
    assert answers.system == "学籍管理系统"
    assert answers.grading.business.level == 3
    assert answers.grading.service.level == 2
    assert answers.grading.level == 3
    assert answers.grading.large_personal_data is True
    assert answers.grading.public_service is False
    assert answers.extensions == ("cloud", "ics")
    assert answers.preset is None


def test_answers_file_in_chinese(tmp_path: Path) -> None:
    text = (
        "系统: 教务系统\n"
        "preset: oa\n"
        "业务信息安全:\n  受侵害的客体: 社会秩序、公共利益\n  侵害程度: 一般损害\n"
        "系统服务安全:\n  客体: 教学科研秩序\n  程度: 严重\n"
    )
    answers = load_grading_answers(write(tmp_path, text))
    assert answers.system == "教务系统"
    assert answers.preset == "oa"
    assert (answers.grading.business.level, answers.grading.service.level, answers.grading.level) == (2, 3, 3)
    assert answers.extensions == ()


def test_level_5_combination_grades_5(tmp_path: Path) -> None:
    text = "business:\n  object: nation\n  degree: especially_serious\nservice:\n  object: citizen\n  degree: general\n"
    answers = load_grading_answers(write(tmp_path, text))
    assert answers.grading.level == 5
    assert answers.grading.as_dict()["level_name"] == "第五级"


def test_unknown_degree_reports_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("  degree: especially_serious\n", "  degree: terrible\n")
    path = write(tmp_path, text)
    expected_line = text.splitlines().index("  degree: terrible") + 1
    with pytest.raises(ContentError) as caught:
        load_grading_answers(path)
    assert caught.value.line == expected_line == 8
    assert caught.value.path == path
    assert "terrible" in caught.value.message and caught.value.message.startswith("service:")
    assert str(caught.value).startswith(f"{path}:8: ")


def test_unknown_object_reports_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("  object: society\n", "  object: school\n")
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 4
    assert "school" in caught.value.message and "受侵害的客体" in caught.value.message


def test_missing_service(tmp_path: Path) -> None:
    text = "business:\n  object: society\n  degree: serious\n"
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert "missing service" in caught.value.message


def test_missing_degree_inside_a_dimension(tmp_path: Path) -> None:
    text = GOOD.replace("  degree: serious\n", "")
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.message == "business: missing degree"


def test_unknown_key_reports_its_line(tmp_path: Path) -> None:
    text = GOOD + "levle: 3\n"
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 12
    assert "unknown key 'levle'" in caught.value.message


@pytest.mark.parametrize("value", ['"yes please"', "1", "[true]", "null"])
def test_flag_must_be_bool(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("public_service: false", f"public_service: {value}")
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 10
    assert caught.value.message == "public_service: must be true or false"


def test_unknown_extension_in_answers(tmp_path: Path) -> None:
    text = GOOD.replace("[cloud, 工控]", "[cloud, blockchain]")
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 11
    assert "blockchain" in caught.value.message


@pytest.mark.parametrize("value", ["5", "true"])
def test_scalar_extensions_value_is_a_content_error(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("[cloud, 工控]", value)
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 11


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = "business:\n  object: school\n  degree: serious\nservice: level-3\ncolour: blue\n"
    with pytest.raises(ContentErrors) as caught:
        load_grading_answers(write(tmp_path, text))
    found = {(e.line, e.message.split(":")[0]) for e in caught.value.errors}
    assert found == {(2, "business"), (4, "service"), (5, "unknown key 'colour' (expected business, service, system)")}


def test_bad_value_under_a_chinese_dimension_key_is_reported_once(tmp_path: Path) -> None:
    text = (
        "业务信息安全:\n  受侵害的客体: 社会秩序、公共利益\n  侵害程度: 很严重\n"
        "系统服务安全:\n  客体: 国家安全\n  程度: 一般损害\n"
    )
    with pytest.raises(ContentError) as caught:  # exactly one error, not ContentErrors
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 3


@pytest.mark.parametrize("text", ["- business\n- service\n", "just text\n"])
def test_answers_file_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_grading_answers(write(tmp_path, text))
    assert caught.value.line == 1


def test_missing_answers_file(tmp_path: Path) -> None:
    with pytest.raises(SecopsError, match="no such answers file"):
        load_grading_answers(tmp_path / "absent.yaml")
