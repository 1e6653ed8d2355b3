"""``secops data mask --policy encrypt`` and ``secops data unmask`` from the command line: the
summary names the key id and never a value, bad input is one error with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from secops.cli.main import cli
from tests.unit.data.test_tables import roster, write_csv


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--lang", "zh", "data", *args])
    return result.exit_code, result.stdout, result.stderr


def test_encrypt_then_unmask(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(40), "gb18030")
    key = tmp_path / "列加密.key"
    code, out, _ = invoke(
        "mask", str(source), "-o", str(tmp_path / "enc.xlsx"), "--policy", "encrypt", "--new-key-file", str(key)
    )
    assert code == 0, out
    assert "策略 encrypt" in out and "可逆加密（SM4）" in out and "密钥标识" in out
    key_id = out.split("密钥标识 ")[1][:16]
    for row in roster(40):
        assert row[0] not in out and row[2] not in out
    code, out, _ = invoke(
        "unmask", str(tmp_path / "enc.xlsx"), "-o", str(tmp_path / "back.csv"), "--key-file", str(key)
    )
    assert code == 0, out
    assert f"密钥标识 {key_id}" in out and "已解密（SM4）" in out
    code, out, _ = invoke(
        "unmask",
        str(tmp_path / "enc.xlsx"),
        "-o",
        str(tmp_path / "back.csv"),
        "--key-file",
        str(key),
        "--format",
        "json",
    )
    assert code == 2 and not out  # exists: refused without --force
    code, out, _ = invoke(
        "unmask",
        str(tmp_path / "enc.xlsx"),
        "-o",
        str(tmp_path / "back.csv"),
        "--key-file",
        str(key),
        "--format",
        "json",
        "--force",
    )
    value = json.loads(out)
    assert code == 0 and value["rows"] == 40 and value["key_id"] == key_id
    decrypted = {c["column"] for c in value["columns"] if c["operator"] == "decrypt"}
    assert {"姓名", "身份证号", "学籍号", "家长电话", "银行卡号"} <= decrypted
    assert (tmp_path / "back.csv").read_text(encoding="utf-8-sig") == source.read_text(encoding="gb18030")


def test_wrong_key_and_bad_input(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(20))
    key, other = tmp_path / "a.key", tmp_path / "b.key"
    assert (
        invoke("mask", str(source), "-o", str(tmp_path / "enc.csv"), "--policy", "encrypt", "--new-key-file", str(key))[
            0
        ]
        == 0
    )
    other.write_text("00" * 32)
    code, _out, err = invoke(
        "unmask", str(tmp_path / "enc.csv"), "-o", str(tmp_path / "out.csv"), "--key-file", str(other)
    )
    assert code == 2 and "未通过校验" in err and "Traceback" not in err and not (tmp_path / "out.csv").exists()
    code, _, err = invoke("unmask", str(tmp_path / "enc.csv"), "-o", str(tmp_path / "out.csv"))
    assert code == 2 and "--key-file" in err
    code, _, err = invoke("mask", str(source), "-o", str(tmp_path / "x.csv"), "--policy", "encrypt")
    assert code == 2 and "需要密钥" in err
    code, _, err = invoke(
        "unmask",
        str(tmp_path / "enc.csv"),
        "-o",
        str(tmp_path / "out.csv"),
        "--key-file",
        str(key),
        "--column",
        "无此列",
    )
    assert code == 2 and "无此列" in err
