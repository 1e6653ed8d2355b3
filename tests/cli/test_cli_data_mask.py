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
    result = CliRunner().invoke(cli, ["--lang", "zh", "data", "mask", str(source), "-o", str(tmp_path / "out.xlsx")])
    code, out = result.exit_code, result.stdout
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


def _exam_roster(path: Path, header: list[str]) -> list[list[str]]:
    """Adults only (no child under 14: the default policy's category rule, not the minors rule,
    must remove the physical-exam columns), with heights, weights, vision and blood types."""
    from tests.unit.data.test_tables import id_number

    rows = [
        [
            f"王{'小大'[i % 2]}明",
            id_number(1990 + i % 10, i),
            f"{150 + i * 0.7:.1f}",
            f"{40 + i * 0.45:.1f}",
            f"{4.5 + i % 8 / 10:.1f}",
            ["A", "B", "O", "AB"][i % 4],
            "无",
        ]
        for i in range(50)
    ]
    write_csv(path, rows, "utf-8", header)
    return rows


def test_default_policy_leaves_no_height_or_weight_in_clear(tmp_path: Path) -> None:
    import csv

    for name, header in (
        ("体检.csv", ["姓名", "身份证号", "身高cm", "体重kg", "视力(左)", "血型", "备注"]),
        ("exam.csv", ["name", "id_no", "height", "bodyWeight", "vision_left", "blood_type", "note"]),
    ):
        source = tmp_path / name
        rows = _exam_roster(source, header)
        code, out, _ = run(str(source), "-o", str(tmp_path / f"masked-{name}"), "--format", "json")
        assert code == 0
        plans = {c["column"]: c for c in json.loads(out)["columns"]}
        for column in header[2:6]:
            assert plans[column]["category"] == "健康生理" and plans[column]["operator"] == "suppress", column
            assert plans[column]["chosen_by"] == "category" and plans[column]["cells_changed"] == len(rows)
        with (tmp_path / f"masked-{name}").open(encoding="utf-8", newline="") as handle:
            masked = list(csv.reader(handle))
        assert masked[0] == header and len(masked) == len(rows) + 1
        measured = {value for row in rows for value in row[2:4]}  # every height and weight given
        for before, after in zip(rows, masked[1:], strict=True):
            assert all(after[i] != before[i] and after[i] == "" for i in range(2, 6))  # cell by cell
            assert not measured.intersection(after)  # nor anywhere else in the row
        assert [row[6] for row in masked[1:]] == [row[6] for row in rows]  # 备注 is not personal data: kept
