"""The masking operators on single columns: Chinese conventions, keyed pseudonyms, generalisation, and
the registry that names them."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pytest

from secops.data import mask_operators as ops
from secops.errors import SecopsError
from tests.unit.data.test_tables import id_number

KEY = bytes(range(32))


def column(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def test_partial_masks_chinese_conventions() -> None:
    names = ops.Mask("name").apply(column(["张三", "欧阳小明", " 李四 ", "王", "诸葛亮", None, ""]))
    assert names.to_pylist() == ["张*", "欧阳**", "李*", "王", "诸葛*", None, ""]
    ids = ops.Mask("id_card").apply(column(["11010519491231002x", "110105 19491231 002X", "123"]))
    assert ids.to_pylist() == ["110***********002X", "110***********002X", "***"]
    phones = ops.Mask("mobile").apply(column(["13812345678", "+86 138-1234-5678", "010-6275"]))
    assert phones.to_pylist() == ["138****5678", "138****5678", "*******"]
    cards = ops.Mask("bank_card").apply(column(["6222021234567890123", "62220212", "1234"]))
    assert cards.to_pylist() == ["6222 **** **** **** 0123", "6222 0212", "****"]
    emails = ops.Mask("email").apply(column(["zhang.san@school.edu.cn", "no-at-sign"]))
    assert emails.to_pylist() == ["z***@school.edu.cn", "***"]
    assert ops.Mask("birth_date").apply(column(["2014-03-05"])).to_pylist() == ["2014-**-**"]
    assert ops.Mask("ip").apply(column(["10.20.30.40"])).to_pylist() == ["10.20.*.*"]
    addresses = ops.Mask("address").apply(column(["江苏省南通市海门区人民路1号", "宿舍3号楼"]))
    assert addresses.to_pylist() == ["江苏省南通市海门区****", "*****"]
    assert ops.Mask(None, (1, 1)).apply(column(["abcdef", "ab"])).to_pylist() == ["a****f", "**"]
    assert ops.Mask(None).apply(column(["需关注"])).to_pylist() == ["***"]


def test_column_kernels_agree_with_the_per_value_masks() -> None:
    """The numpy fast paths (fixed-width IDs and mobiles, CJK-only names) give what the per-value
    functions give, on sliced columns with nulls too."""
    import random

    from secops.data.mask_kernels import mask_id, mask_name, mask_names, mask_phone

    rng = random.Random(7)
    given = "子涵一诺欣怡浩宇梓萱"
    names = [
        rng.choice(["欧阳", "司马", "张", "李", "王", "诸葛"]) + "".join(rng.choices(given, k=rng.randint(0, 3)))
        for _ in range(2_000)
    ]
    names += ["欧阳", "李", " 王小明 ", "张\u3000三"]
    cells: list[str | None] = [*names, None]
    column = pa.array(cells)
    for view, values in ((column, cells), (column.slice(3, 1_500), cells[3:1_503])):
        expected = [None if v is None else mask_name(v.strip(" \t\u3000")) for v in values]
        assert ops.Mask("name").apply(view).to_pylist() == expected
        assert mask_names(view).to_pylist() == expected
    ids = [id_number(2010 + i % 5, i) for i in range(1_000)]
    assert ops.Mask("id_card").apply(pa.array(ids).slice(10)).to_pylist() == [mask_id(v) for v in ids[10:]]
    phones = [f"13{i % 10}{i:08d}" for i in range(1_000)]
    assert ops.Mask("mobile").apply(pa.array(phones)).to_pylist() == [mask_phone(v) for v in phones]


def test_many_lengths_take_the_general_path() -> None:
    values = ["x" * n for n in range(1, 20)]
    out = ops.partial(column(values), 2, 2).to_pylist()
    assert out[:4] == ["*", "**", "***", "****"] and out[9] == "xx******xx"


def test_suppress_keep_generalize() -> None:
    assert ops.Suppress(None, "[已删除]").apply(column(["a", None])).to_pylist() == ["[已删除]", None]
    assert ops.Keep(None).apply(column(["a"])).to_pylist() == ["a"]
    month = ops.Generalize("birth_date", "month")
    dates = column(["2014-03-05", "2014/3/5", "2014年3月5日", "20140305", id_number(2014, 2), "未知", ""])
    assert month.apply(dates).to_pylist() == ["2014-03", "2014-03", "2014-03", "2014-03", "2014-03", "", ""]
    assert month.fallbacks == 1
    assert ops.Generalize("birth_date", "year").apply(column(["2014-03-05"])).to_pylist() == ["2014"]
    ages = ops.Generalize(None, "band", 5)
    assert ages.apply(column(["12", "10", "14.0", "二十"])).to_pylist() == ["10-14", "10-14", "10-14", ""]
    city = ops.Generalize("address", "city")
    assert city.apply(column(["北京市海淀区中关村大街1号", "某村"])).to_pylist() == ["北京市", ""]
    assert city.fallbacks == 1


def test_pseudonyms() -> None:
    sha = ops.Pseudonym("id_card", KEY)
    tokens = sha.apply(column(["11010519491231002X", "110105 19491231 002x", "11010519491231002Y", None]))
    first, same, other, empty = tokens.to_pylist()
    assert first == same != other and len(str(first)) == 16 and empty is None
    assert ops.Pseudonym("id_card", KEY).apply(column(["11010519491231002X"]))[0].as_py() == first
    assert ops.Pseudonym("id_card", bytes(32)).apply(column(["11010519491231002X"]))[0].as_py() != first
    sm3 = ops.Pseudonym("id_card", KEY, "sm3", 32).apply(column(["11010519491231002X"]))[0].as_py()
    assert len(str(sm3)) == 32 and not str(sm3).startswith(str(first))


def test_sm3_missing_from_openssl_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops.hashlib, "algorithms_available", {"sha256"})
    with pytest.raises(SecopsError, match="no SM3"):
        ops.Pseudonym("id_card", KEY, "sm3")


def test_the_registry_names_every_operator_and_refuses_others() -> None:
    assert set(ops.OPERATORS) == {"mask", "pseudonym", "ff1", "encrypt", "generalize", "suppress", "keep"}
    assert all(cls.name == name for name, cls in ops.OPERATORS.items())
    built = ops.build_operator("generalize", "birth_date", ops.OperatorParameters(to="year"), None)
    assert isinstance(built, ops.Generalize) and built.to == "year"
    assert isinstance(ops.build_operator("ff1", "mobile", ops.OperatorParameters(), KEY), ops.FormatPreserving)
    with pytest.raises(SecopsError, match=r"unknown operator hash \(known: encrypt, ff1, generalize, keep, mask"):
        ops.build_operator("hash", None, ops.OperatorParameters(), None)
    with pytest.raises(SecopsError, match="the policy uses pseudonym, which needs a key"):
        ops.build_operator("pseudonym", "mobile", ops.OperatorParameters(), None)
