"""Watermark building blocks: one bit in a cell by value, the keyed PRF, binomial bounds, key files."""

from __future__ import annotations

import hmac
import math
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from secops.data.watermark.cells import Carrier, read_bit, scaled, set_date_bit, set_number_bit, write_bit
from secops.data.watermark.keys import create_key, key_id, read_key, workspace_key
from secops.data.watermark.prf import Selector, fingerprint, identity_text, subkey
from secops.data.watermark.stats import log10_tail, show_bound
from secops.errors import SecopsError


@pytest.mark.parametrize(
    ("value", "precision", "bit", "expected"),
    [
        ("165.3", 1, 0, "165.2"),
        ("165.2", 1, 0, "165.2"),
        ("169", 0, 0, "168"),
        ("170", 0, 1, "171"),  # the last digit only: never a carry into the tens
        ("0", 0, 1, "1"),
        ("-3.5", 1, 0, "-3.4"),
        ("165", 1, 1, "165.1"),  # fewer decimals than the column: the digit at the column's precision
        ("48.30", 1, 1, "48.30"),  # 483 is odd already: unchanged
        (181, 0, 0, 180),
        (165.3, 1, 0, 165.2),
    ],
)
def test_number_bit_changes_only_the_last_digit(value: object, precision: int, bit: int, expected: object) -> None:
    assert set_number_bit(value, precision, bit) == expected
    assert read_bit(set_number_bit(value, precision, bit), Carrier("x", "number", precision)) == bit


def test_number_bit_reads_the_same_across_formats() -> None:
    carrier = Carrier("身高cm", "number", 1)
    for text, number in (("165.3", 165.3), ("165.0", 165.0), ("165", 165), ("165.30", 165.3)):
        assert read_bit(text, carrier) == read_bit(number, carrier)
    assert scaled("165.35", 1) is None and scaled(165.35, 1) is None  # finer than the column: cannot carry
    assert scaled("", 1) is None and scaled(None, 0) is None and scaled("abc", 0) is None
    assert scaled(float("nan"), 0) is None


def test_date_bit_moves_the_day_inside_the_month() -> None:
    assert set_date_bit("2025-09-01", "date", 0, 0) == "2025-09-02"  # first day: later
    assert set_date_bit("2025-08-31", "date", 0, 1) == "2025-08-30"  # last day: earlier
    assert set_date_bit("2025-09-15", "date", 0, 1) == "2025-09-16"
    assert set_date_bit("2025-09-15", "date", 0, 0) == "2025-09-14"
    assert set_date_bit("2025/9/7", "date", 0, 1) == "2025/9/8"
    assert set_date_bit("2025年09月07日", "date", 0, 0) == "2025年09月06日"
    assert set_date_bit(date(2024, 2, 29), "date", 0, 1) == date(2024, 2, 28)
    assert set_date_bit("2025-13-01", "date", 0, 1) == "2025-13-01"  # not a date: untouched
    carrier = Carrier("体检日期", "date")
    assert (
        read_bit("2025-09-08", carrier)
        == read_bit(date(2025, 9, 8), carrier)
        == read_bit(datetime(2025, 9, 8), carrier)
    )


def test_datetime_bit_flips_the_second() -> None:
    carrier = Carrier("刷卡时间", "datetime")
    assert write_bit("2025-11-02 16:50:05", carrier, 0, 0) == "2025-11-02 16:50:04"
    assert write_bit("2025-11-02 16:50:58", carrier, 1, 0) == "2025-11-02 16:50:59"
    assert write_bit(datetime(2025, 11, 2, 16, 50, 59), carrier, 0, 1) == datetime(2025, 11, 2, 16, 50, 58)
    assert read_bit("2025-11-02 16:50", carrier) is None  # no seconds to carry in


def test_identity_text_survives_format_conversion() -> None:
    assert identity_text("G320684201001010004") == identity_text(" g320684201001010004 ")
    assert identity_text("2023001") == identity_text(2023001) == identity_text(2023001.0) == "2023001"
    assert identity_text("2023001.0") == "2023001"
    assert identity_text("44030520100101000x") == "44030520100101000X"
    assert identity_text("") is None and identity_text(None) is None and identity_text(float("nan")) is None


def test_selector_is_hmac_sha256_and_order_free() -> None:
    key = bytes(range(32))
    selector = Selector(key, 4)
    assert selector.prf(b"abc") == hmac.digest(subkey(key, "select"), b"abc", "sha256")
    ids = [f"S{i:05d}" for i in range(4000)]
    words = selector.rows([ids])
    cells = {ids[i]: rest for i, *rest in selector.cells(words, "身高cm")}
    reversed_ids = ids[::-1]
    again = {reversed_ids[i]: rest for i, *rest in selector.cells(selector.rows([reversed_ids]), "身高cm")}
    assert cells == again and 800 < len(cells) < 1200  # about one in gamma = 4
    other_column = {ids[i] for i, *_ in selector.cells(words, "体重kg")}
    assert 0.1 < len(other_column & set(cells)) / len(cells) < 0.4  # columns choose independently
    missing = selector.rows([["A1", None, ""]])
    assert missing.valid.tolist() == [True, False, False]
    assert fingerprint(key, "m1") != fingerprint(key, "m2") and fingerprint(key, "m1") < 1 << 128


def test_binomial_tail() -> None:
    assert log10_tail(10, 10) == pytest.approx(-10 * math.log10(2))
    assert log10_tail(10, 0) == 0.0 and log10_tail(10, 11) == -math.inf
    assert 10 ** log10_tail(100, 60) == pytest.approx(0.028443966820490395, rel=1e-9)
    assert 10 ** log10_tail(100, 40) == pytest.approx(0.9823998998911476, rel=1e-9)
    assert log10_tail(200_000, 200_000) == pytest.approx(-200_000 * math.log10(2))
    assert 10 ** log10_tail(3, 1, 1 / 65536) == pytest.approx(3 / 65536, rel=1e-3)
    assert show_bound(log10_tail(5000, 5000)) == "7.1e-1506"
    assert show_bound(-9.5) == "3.2e-10"


def test_key_file_is_created_once_with_0600(tmp_path: Path) -> None:
    key, path = workspace_key(tmp_path, None)
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert workspace_key(tmp_path, None)[0] == key and create_key(path) == key
    assert key_id(key) != key_id(create_key(tmp_path / "other.key"))
    raw = tmp_path / "raw.key"
    raw.write_bytes(bytes(range(32)))
    assert read_key(raw) == bytes(range(32))
    short = tmp_path / "short.key"
    short.write_text("abcd\n")
    with pytest.raises(SecopsError, match="fewer than 16"):
        read_key(short)
    with pytest.raises(SecopsError, match="does not exist"):
        read_key(tmp_path / "missing.key")


def test_text_fast_path_agrees_with_the_arithmetic() -> None:
    """Plain text numbers flip their last character; the result must equal the parsed-number path."""
    import random

    from secops.data.watermark import cells

    class Text(str):  # a str subclass takes the arithmetic path
        pass

    rng = random.Random(1)
    for _ in range(5000):
        precision = rng.randrange(3)
        whole = str(rng.randrange(0, 10 ** rng.randrange(1, 5)))
        text = whole if precision == 0 else f"{whole}.{rng.randrange(10**precision):0{precision}d}"
        text = "-" + text if rng.random() < 0.2 else text
        for bit in (0, 1):
            assert cells._number_mark(text, precision, bit) == cells._number_mark(Text(text), precision, bit)
        number = scaled(text, precision)
        assert number is not None and cells.number_bit(text, precision) == abs(number) & 1
