"""Column recognition: checksum + header context = high confidence; patterns alone = low."""

from __future__ import annotations

import pytest

from secops.data.identifiers import id_check_char, luhn_valid
from secops.data.recognize import recognize_column


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


IDS = [_id(f"3206842012031{n:04d}") for n in range(10)]


def test_ids_under_an_id_header_are_high_confidence() -> None:
    found = recognize_column("身份证号", IDS)
    assert (found.kind, found.confidence, found.hits, found.sampled) == ("id_card", "high", 10, 10)


def test_ids_under_a_neutral_header_are_medium() -> None:
    assert recognize_column("col7", IDS).confidence == "medium"


def test_wrong_check_digits_are_not_ids() -> None:
    broken = [value[:-1] + ("0" if value[-1] != "0" else "1") for value in IDS]
    found = recognize_column("col7", broken)
    assert found.kind != "id_card"


def test_phones_names_and_header_only() -> None:
    assert recognize_column("家长电话", ["13812345678", "13912345678", ""]).confidence == "medium"
    assert recognize_column("col", ["13812345678", "13912345678"]).confidence == "low"
    names = recognize_column("学生姓名", ["张三", "李小红", "欧阳娜娜", "王五"])
    assert names.kind == "name"
    header_only = recognize_column("身份证号", ["", None])
    assert (header_only.kind, header_only.confidence) == ("id_card", "low")


@pytest.mark.parametrize(
    ("header", "values", "kind"),
    [
        ("出生日期", ["2012-03-15", "2013/11/02"], "birth_date"),
        ("家庭住址", ["江苏省南通市崇川区工农路 1 号", "南通市通州区金沙镇"], "address"),
        ("email", ["a@school.edu.cn", "b@qq.com"], "email"),
        ("登录ip", ["10.20.1.5", "192.168.0.1"], "ip"),
        ("学籍号", ["G" + IDS[0], "G" + IDS[1]], "xueji"),
    ],
)
def test_other_kinds(header: str, values: list[str], kind: str) -> None:
    assert recognize_column(header, values).kind == kind


def test_mostly_other_values_is_not_a_match() -> None:
    card = next(f"622202000000000{d}" for d in range(10) if luhn_valid(f"622202000000000{d}"))
    found = recognize_column("备注", [card, "无", "好", "优秀", "良好"])
    assert found.kind is None and found.confidence == "none"


def test_the_nearest_kind_below_the_share_and_the_numbers_median() -> None:
    card = next(f"622202000000000{d}" for d in range(10) if luhn_valid(f"622202000000000{d}"))
    found = recognize_column("备注", [card, "无", "好", "优秀", "良好"])
    assert (found.nearest, found.nearest_hits, found.sampled) == ("bank_card", 1, 5)  # 20% < 60%
    assert recognize_column("身高", ["158.3", "1.62 m", "170cm", " 149 "]).median == pytest.approx((149 + 158.3) / 2)
    assert recognize_column("体重", ["45", "50", "无", "55"]).median == 50  # 3 of 4 start with a number
    assert recognize_column("备注", ["45", "无", "好", "55"]).median is None  # half: not a numeric column
    assert recognize_column("体重", []).median is None


@pytest.mark.parametrize("header", ["入学日期", "毕业时间", "注册日期", "created_at", "Enrollment date"])
def test_dates_of_other_events_are_not_birth_dates(header: str) -> None:
    found = recognize_column(header, ["2023-09-01", "2023-09-02", "2022-09-01"])
    assert found.kind is None  # not 出生日期 (level 3, sensitive)


@pytest.mark.parametrize("header", ["出生日期", "日期", "生日（入学登记）", "dob"])
def test_birth_dates_and_plain_dates_still_are(header: str) -> None:
    assert recognize_column(header, ["2012-03-15", "2013-11-02", "2012-07-30"]).kind == "birth_date"
