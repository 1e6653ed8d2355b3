"""`secops data watermark`: embed per recipient, the release ledger, detect with exit codes and JSON."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from secops.config import Workspace
from secops.data.watermark.roster import HEADER, roster_rows
from tests.conftest import Invoke


def _roster(path: Path, rows: int, *, seed: int = 1, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(roster_rows(rows, seed=seed, start=start))
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_embed_ledger_detect(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source = _roster(tmp_path / "roster.csv", 10_000)
    for name in ("市教育局", "区教育局", "某培训机构"):
        result = run_cli("--lang", "zh", "data", "watermark", "embed", str(source), "-o", str(tmp_path / f"{name}.csv"),
                         "--recipient", name)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert f"已为「{name}」生成带水印副本" in result.stdout and "仅末位" in result.stdout
    assert (workspace.path / "data.key").stat().st_mode & 0o077 == 0

    listed = json.loads(run_cli("data", "watermark", "releases", "--format", "json").stdout)
    assert [r["recipient"] for r in listed] == ["市教育局", "区教育局", "某培训机构"]
    assert listed[0]["rows"] == 10_000 and listed[0]["carriers"][:2] == ["身高cm", "体重kg"]
    assert listed[0]["source"] == "roster.csv" and len(listed[0]["key_id"]) == 16
    ledger_text = json.dumps(listed, ensure_ascii=False)
    assert "320684" not in ledger_text  # never the data

    leaked = tmp_path / "泄露.csv"
    rows = _rows(tmp_path / "区教育局.csv")
    kept = random.Random(1).sample(rows[1:], 1000)
    leaked.write_text("\n".join(",".join(r) for r in [rows[0], *kept]) + "\n", encoding="utf-8")
    result = run_cli("--lang", "zh", "data", "watermark", "detect", str(leaked))
    assert result.exit_code == 1, result.stderr  # a check that names a leaker: findings
    assert "水印指向接收方「区教育局」" in result.stdout and "误判概率上界" in result.stdout

    result = run_cli("data", "watermark", "detect", str(leaked), "--format", "json")
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "named" and verdict["recipient"] == "区教育局"
    assert verdict["bound"] < 1e-9 and verdict["matches"] <= verdict["total"] <= 128
    assert verdict["releases_tested"] == 3

    result = run_cli("data", "watermark", "detect", str(source))
    assert result.exit_code == 0 and "no mark found" in result.stdout  # nobody named: clean

    result = run_cli("data", "watermark", "releases", "--recipient", "某培训机构")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2 and "区教育局" not in result.stdout


def test_wrong_key_says_so(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source = _roster(tmp_path / "roster.csv", 2000)
    marked = tmp_path / "marked.xlsx"
    result = run_cli("data", "watermark", "embed", str(source), "-o", str(marked), "--recipient", "甲")
    assert result.exit_code == 0, result.stderr
    assert run_cli("data", "watermark", "detect", str(marked)).exit_code == 1  # XLSX output traced
    other = tmp_path / "other.key"
    other.write_bytes(bytes(range(32)))
    result = run_cli("data", "watermark", "detect", str(marked), "--key-file", str(other))
    assert result.exit_code == 0
    assert "no mark found with this key (key fingerprint" in result.stdout
    assert "--key-file" in result.stderr
    result = run_cli("data", "watermark", "detect", str(marked), "--key-file", str(other), "--format", "json")
    value = json.loads(result.stdout)
    assert value["verdict"] == "wrong_key" and value["releases_with_other_keys"]


def test_pseudonyms_trace_a_single_row(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source = _roster(tmp_path / "class.csv", 45)
    for name in ("家长委员会", "体检机构"):
        result = run_cli("data", "watermark", "embed", str(source), "-o", str(tmp_path / f"{name}.csv"),
                         "--recipient", name, "--pseudonymize", "--format", "json")  # fmt: skip
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)
        assert set(summary["pseudonymized"]) >= {"学籍号", "姓名", "身份证号", "家长电话"}
    rows = _rows(tmp_path / "体检机构.csv")
    original = _rows(source)
    assert rows[1][HEADER.index("数学成绩")] == original[1][HEADER.index("数学成绩")]  # scores untouched
    assert rows[1][HEADER.index("身份证号")] != original[1][HEADER.index("身份证号")]
    one_row = tmp_path / "one.csv"
    one_row.write_text(",".join(rows[0]) + "\n" + ",".join(rows[7]) + "\n", encoding="utf-8")
    result = run_cli("data", "watermark", "detect", str(one_row), "--format", "json")
    assert result.exit_code == 1, result.stdout
    assert json.loads(result.stdout)["recipient"] == "体检机构"


def test_bad_input(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source = _roster(tmp_path / "roster.csv", 300)
    result = run_cli("data", "watermark", "embed", str(source), "-o", str(source), "--recipient", "甲")
    assert result.exit_code == 2 and "is the input file" in result.stderr
    result = run_cli("data", "watermark", "embed", str(source), "-o", str(tmp_path / "o.csv"), "--recipient", "甲",
                     "--identity", "学号")  # fmt: skip
    assert result.exit_code == 2 and "'学号' is not in the table" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run_cli("data", "watermark", "detect", str(empty))
    assert result.exit_code == 2 and "empty" in result.stderr
    assert not (tmp_path / "o.csv").exists()
    result = run_cli("--lang", "zh", "data", "watermark", "detect", str(source))
    assert result.exit_code == 0 and "台账为空" in result.stdout


def test_sql_table_in_and_out(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source = _roster(tmp_path / "roster.csv", 3000)
    url = f"sqlite:///{tmp_path / 'release.db'}#学生名单"
    result = run_cli("data", "watermark", "embed", str(source), "-o", url, "--recipient", "数据中心")
    assert result.exit_code == 0, result.stderr
    result = run_cli("data", "watermark", "detect", url, "--format", "json")
    assert result.exit_code == 1, result.stdout
    assert json.loads(result.stdout)["recipient"] == "数据中心"
    listed = json.loads(run_cli("data", "watermark", "releases", "--format", "json").stdout)
    assert listed[0]["output"].startswith("sqlite:///") and listed[0]["source"] == "roster.csv"


def test_a_copy_too_small_to_carry_a_mark_is_refused_and_not_recorded(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    """A copy with no marked cell could never be traced: no file, no release, one clear error."""
    source = _roster(tmp_path / "roster.csv", 3)
    for target in (tmp_path / "small.csv", tmp_path / "small.xlsx"):
        result = run_cli("data", "watermark", "embed", str(source), "-o", str(target), "--recipient", "区教育局",
                         "--carrier", "身高cm", "--gamma", "1000")  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "received a mark" in result.stderr and "Traceback" not in result.output
        assert not target.exists()
    assert json.loads(run_cli("data", "watermark", "releases", "--format", "json").stdout) == []


def test_embed_refuses_an_existing_output_unless_forced(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    source, target = _roster(tmp_path / "roster.csv", 2000), tmp_path / "copy.csv"
    assert run_cli("data", "watermark", "embed", str(source), "-o", str(target), "--recipient", "甲").exit_code == 0
    before = target.read_bytes()
    again = run_cli("data", "watermark", "embed", str(source), "-o", str(target), "--recipient", "乙")
    assert again.exit_code == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert target.read_bytes() == before
    assert [
        r["recipient"] for r in json.loads(run_cli("data", "watermark", "releases", "--format", "json").stdout)
    ] == ["甲"]
    forced = run_cli("data", "watermark", "embed", str(source), "-o", str(target), "--recipient", "乙", "--force")
    assert forced.exit_code == 0, forced.stderr
    named = run_cli("data", "watermark", "detect", str(target), "--format", "jsonl")
    assert named.exit_code == 1 and json.loads(named.stdout)["recipient"] == "乙"


def test_releases_empty_and_in_chinese(run_cli: Invoke, workspace: Workspace, tmp_path: Path) -> None:
    empty = run_cli("data", "watermark", "releases")
    assert empty.exit_code == 0 and empty.stdout == "" and "No releases recorded." in empty.stderr
    assert json.loads(run_cli("data", "watermark", "releases", "--format", "json").stdout) == []
    source = _roster(tmp_path / "roster.csv", 2000)
    assert (
        run_cli("data", "watermark", "embed", str(source), "-o", str(tmp_path / "a.csv"), "--recipient", "甲").exit_code
        == 0
    )
    table = run_cli("--lang", "zh", "data", "watermark", "releases")
    assert table.stdout.split()[:3] == ["编号", "发放时间", "接收方"]
    english = run_cli("--lang", "en", "data", "watermark", "releases")
    assert english.stdout.split()[:3] == ["ID", "Released", "at"]


def test_a_copy_too_small_to_trace_is_written_with_a_warning(
    run_cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    """30 rows mark a handful of cells: even an intact leak would name no one, so embed says so at once."""
    source = _roster(tmp_path / "roster.csv", 30)
    small = run_cli("-q", "data", "watermark", "embed", str(source), "-o", str(tmp_path / "small.csv"),
                    "--recipient", "区教育局")  # fmt: skip
    assert small.exit_code == 0 and "cannot be traced" in small.stderr and "--gamma" in small.stderr
    large = run_cli("data", "watermark", "embed", str(_roster(tmp_path / "big.csv", 5_000)), "-o",
                    str(tmp_path / "big-out.csv"), "--recipient", "区教育局")  # fmt: skip
    assert large.exit_code == 0 and "cannot be traced" not in large.stderr
