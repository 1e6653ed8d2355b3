"""The XLSX size bounds (``zipbounds``) and the CSV helpers that locate bad bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from secops import zipbounds
from secops.data.csvtables import detect_encoding, locate_bad_bytes
from secops.errors import SecopsError


def _xlsx(path: Path, sheet: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_limit_from_argument_environment_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(zipbounds.LIMIT_ENV, raising=False)
    assert zipbounds.xlsx_limit_bytes() == 200 << 20
    assert zipbounds.xlsx_limit_bytes(1.5) == 3 << 19
    assert zipbounds.xlsx_limit_bytes(0) is None
    monkeypatch.setenv(zipbounds.LIMIT_ENV, "50")
    assert zipbounds.xlsx_limit_bytes() == 50 << 20
    assert zipbounds.xlsx_limit_bytes(10) == 10 << 20  # the option wins over the environment
    monkeypatch.setenv(zipbounds.LIMIT_ENV, "lots")
    with pytest.raises(SecopsError, match="SECOPS_MAX_XLSX_MB='lots' is not a number"):
        zipbounds.xlsx_limit_bytes()


def test_sizes_under_the_limit_pass_and_over_it_are_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "a.xlsx", b"<row/>" * 400_000)  # 2.4 MB of XML
    zipbounds.check_xlsx(path, 3)
    zipbounds.check_xlsx(path, 0)  # 0: no limit
    with pytest.raises(SecopsError, match=r"expand to 2\.3 MB, past the 2 MB limit") as caught:
        zipbounds.check_xlsx(path, 2)
    assert "--max-xlsx-mb 3" in str(caught.value)


def test_stored_members_count_too_and_other_methods_are_refused(tmp_path: Path) -> None:
    stored = _xlsx(tmp_path / "s.xlsx", b"<row/>" * 400_000, zipfile.ZIP_STORED)
    with pytest.raises(SecopsError, match="past the 2 MB limit"):
        zipbounds.check_xlsx(stored, 2)
    lzma = _xlsx(tmp_path / "l.xlsx", b"<row/>", zipfile.ZIP_LZMA)
    with pytest.raises(SecopsError, match="compression method 14, which Excel never writes"):
        zipbounds.check_xlsx(lzma, 200)


def test_a_member_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "liar.xlsx", b"<row/>" * 1_000_000)
    data = bytearray(path.read_bytes())
    declared = (6_000_000).to_bytes(4, "little")
    assert data.count(declared) == 2  # the local and the central header
    path.write_bytes(bytes(data).replace(declared, (1000).to_bytes(4, "little")))
    with pytest.raises(SecopsError, match="more than the sizes the file declares"):
        zipbounds.check_xlsx(path, 5)


def test_not_a_zip_is_left_to_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    zipbounds.check_xlsx(path, 1)


def test_damaged_member_is_a_clear_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1000)
    data = bytearray(buffer.getvalue())
    start = data.index(b"sheet1.xml") + len(b"sheet1.xml")
    data[start + 2 : start + 12] = b"\xff" * 10  # inside the deflate stream
    path = tmp_path / "bad.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(SecopsError, match="not a readable XLSX file"):
        zipbounds.check_xlsx(path, 200)


def test_locate_bad_bytes_gives_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n" * 3 + b"x\xff,1\n")
    assert locate_bad_bytes(path, "utf-8", step=5) == (7, 25)
    assert locate_bad_bytes(path, "latin-1") is None
    path.write_bytes("名,号\n".encode("utf-16") + b"\x00")
    assert locate_bad_bytes(path, "utf-16") == (2, 10)


def test_a_cut_utf16_file_is_named_as_cut(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes("名,号\n".encode("utf-16") + b"\x00")
    with pytest.raises(SecopsError, match="byte 10: the UTF-16 file ends in the middle of a character"):
        detect_encoding(path)
    path.write_bytes("名,号\n".encode("utf-16"))
    assert detect_encoding(path) == "utf-16"
