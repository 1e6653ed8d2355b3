"""Mask policies: the shipped ones load, mistakes are reported at file:line, precedence is
column > kind > category."""

from __future__ import annotations

from pathlib import Path

import pytest

from secops.data.mask_policy import POLICY_KIND, default_policy_path, load_policy
from secops.errors import ContentErrors, SecopsError


def test_shipped_policies_load() -> None:
    folder = default_policy_path().parent
    files = sorted(folder.glob("*.yml"))
    assert {p.stem for p in files} >= {"default", "share-research", "test-data"}
    for path in files:
        policy = load_policy(path)
        assert policy.id == path.stem and policy.rules
    default = load_policy()
    assert default.id == "default" and not default.needs_key() and default.sensitive == "suppress"
    assert load_policy(folder / "share-research.yml").needs_key()
    encrypt = load_policy(Path("encrypt"))  # a bare name finds the shipped policy
    assert encrypt.id == "encrypt" and encrypt.needs_key() and encrypt.sensitive == "encrypt"
    assert encrypt.parameters_of(encrypt.rule_for("x", "id_card", None)).form == "preserve"
    assert encrypt.parameters_of(encrypt.rule_for("x", "name", None)).form == "token"
    assert POLICY_KIND.matches(folder / "default.yml")


def _write(tmp_path: Path, text: str, name: str = "mine") -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence(tmp_path: Path) -> None:
    policy = load_policy(
        _write(
            tmp_path,
            """id: mine
rules:
  - category: 联系与家庭
    operator: suppress
  - kind: mobile
    operator: mask
  - column: ["家长*"]
    operator: keep
""",
        )
    )
    assert policy.rule_for("家长电话", "mobile", "联系与家庭").operator == "keep"  # type: ignore[union-attr]
    assert policy.rule_for("电话", "mobile", "联系与家庭").operator == "mask"  # type: ignore[union-attr]
    assert policy.rule_for("住址", "address", "联系与家庭").operator == "suppress"  # type: ignore[union-attr]
    assert policy.rule_for("成绩", None, "学业成绩/排名") is None
    assert policy.others == "keep" and policy.sensitive == "keep"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("  - kind: idcard\n    operator: mask\n", 3, "unknown kind idcard"),
        ("  - category: 体育\n    operator: mask\n", 3, "unknown category 体育"),
        (
            "  - kind: mobile\n    operator: hash\n",
            4,
            "unknown operator hash (known: encrypt, ff1, generalize, keep, mask, pseudonym, suppress)",
        ),
        ("  - kind: birth_date\n    operator: generalize\n", 3, "generalize needs to"),
        ("  - kind: mobile\n    operator: mask\n    token: x\n", 3, "token is not a parameter of mask"),
        ("  - kind: name\n    operator: ff1\n", 3, "ff1 keeps digits only"),
        ("  - operator: keep\n", 3, "at least one column"),
        ("  - kind: mobile\n    operator: pseudonym\n    length: 4\n", 3, "length is 8..64"),
        ("  - kind: mobile\n    operator: mask\n    colour: red\n", 5, "unknown key"),
        ("  - kind: mobile\n    operator: mask\n    form: preserve\n", 3, "form is not a parameter of mask"),
        ("  - kind: mobile\n    operator: encrypt\n    form: shape\n", 5, "'token' or 'preserve'"),
        ("  - kind: mobile\n    operator: ff1\n    cipher: des\n", 5, "'aes' or 'sm4'"),
        ("  - kind: mobile\n    operator: encrypt\n    cipher: sm4\n", 3, "cipher is not a parameter of encrypt"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = _write(tmp_path, "id: mine\nrules:\n" + body)
    with pytest.raises(ContentErrors) as caught:
        load_policy(path)
    text = str(caught.value)
    assert f"{path}:{line}:" in text and message in text


def test_id_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: other\nrules:\n  - kind: mobile\n    operator: mask\n")
    with pytest.raises(ContentErrors, match="must equal the file name"):
        load_policy(path)
    with pytest.raises(SecopsError, match="no such policy file"):
        load_policy(tmp_path / "none.yml")
    broken = _write(tmp_path, "id: mine\nrules: [\n", "mine")
    with pytest.raises(ContentErrors, match=f"{broken}"):
        load_policy(broken)
