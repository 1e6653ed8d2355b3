"""``secops data mask`` from the command line: summary without values, JSON, key files, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from secops.cli.main import cli
from tests.unit.data.test_tables import roster, write_csv

POLICIES = Path(__file__).resolve().parents[2] / "rules" / "data" / "policies"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["data", "mask", *args])
    return result.exit_code, result.stdout, result.stderr


def test_mask_table_summary(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", roster(30), "gb18030")
    code, out, _ = run(str(source), "-o", str(tmp_path / "out.xlsx"))
    assert code == 0 and (tmp_path / "out.xlsx").is_file()
    assert "30 行" in out and "策略 default" in out and "部分屏蔽" in out and "身份证号" in out
    assert "14 岁以下" in out
    for row in roster(30):
        assert row[2] not in out and row[5] not in out  # never a value


def test_mask_json_with_new_key(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "r.csv", roster(10))
    key = tmp_path / "release.key"
    policy = str(POLICIES / "share-research.yml")
    code, out, _ = run(
        str(source), "-o", str(tmp_path / "a.jsonl"), "--policy", policy, "--new-key-file", str(key), "--format", "json"
    )
    assert code == 0 and key.stat().st_mode & 0o777 == 0o600
    value = json.loads(out)
    columns = {c["column"]: c for c in value["columns"]}
    assert value["rows"] == 10 and columns["身份证号"]["operator"] == "pseudonym"
    assert columns["身份证号"]["cells_changed"] == 10
    code, _, _ = run(str(source), "-o", str(tmp_path / "b.csv"), "--policy", policy, "--key-file", str(key))
    assert code == 0
    first = [json.loads(line)["身份证号"] for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    second = (tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[2] for line in second] == first


def test_mask_exit_2(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "r.csv", roster(5))
    code, _, err = run(str(source), "-o", str(source))
    assert code == 2 and "output is the input" in err
    code, _, err = run(str(source), "-o", str(tmp_path / "o.csv"), "--policy", str(POLICIES / "test-data.yml"))
    assert code == 2 and "needs a key" in err and "--new-key-file" in err
    (tmp_path / "empty.csv").write_bytes(b"")
    code, _, err = run(str(tmp_path / "empty.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "empty" in err
    (tmp_path / "latin.csv").write_bytes(b"\xff\xfe\x00\x00" * 10 + b"\x81\x20\x81\x20")
    code, _, err = run(str(tmp_path / "latin.csv"), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "encoding" in err
    code, _, err = run(str(source), "-o", str(tmp_path / "o.doc"))
    assert code == 2 and "unknown table format" in err
    bad_policy = tmp_path / "bad.yml"
    bad_policy.write_text("id: bad\nrules:\n  - kind: idcard\n    operator: mask\n", encoding="utf-8")
    code, _, err = run(str(source), "-o", str(tmp_path / "o.csv"), "--policy", str(bad_policy))
    assert code == 2 and f"{bad_policy}:3:" in err
    assert not (tmp_path / "o.csv").exists()
