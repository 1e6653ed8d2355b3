"""Hostile or unlucky files and disks: a GB18030 CSV with a row longer than a parser block exits 2
in a real process (it once aborted the interpreter), a full disk is one clear error with nothing
left behind, and ``-o -`` never makes a file named ``-``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from secops.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


def _secops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SECOPS_LANG": "zh"}
    return subprocess.run(
        [sys.executable, "-m", "secops", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", ["scan", "mask"])
def test_a_gb18030_row_over_16_mib_exits_2_in_a_real_process(tmp_path: Path, command: str) -> None:
    path = tmp_path / "名单.csv"
    with path.open("wb") as handle:
        handle.write("学籍号,姓名,班级\n".encode("gb18030"))
        handle.write("G1,张三,一班\n".encode("gb18030") * 1000)
        handle.write(("备注" * (9 << 20)).encode("gb18030") + b",x,y\n")  # 36 MiB in one row
    args = ["data", command, str(path)] + (["-o", str(tmp_path / "out.csv")] if command == "mask" else [])
    result = _secops(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "第 1,002 行超过 16 MiB" in result.stderr or "1,002" in result.stderr
    assert "Fatal Python error" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_dash_is_not_a_file_name_for_encrypted_output(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    runner = CliRunner()
    for command in (["data", "encrypt", str(tmp_path / "a.txt"), "-o", "-", "--recipient", "x"],
                    ["data", "decrypt", str(tmp_path / "a.txt"), "-o", "-"]):  # fmt: skip
        result = runner.invoke(cli, ["--lang", "zh", "--workspace", str(tmp_path / "ws"), *command])
        assert result.exit_code == 2 and "-o -" in result.stderr
    assert not (tmp_path / "-").exists() and not Path("-").exists()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs: root only (CI is root), skipped loudly elsewhere."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs root to mount a tiny tmpfs (CI runs as root)")
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.root
def test_a_full_disk_is_one_clear_error(tiny_disk: Path, tmp_path: Path) -> None:
    from tests.unit.data.test_tables import roster, write_csv

    source = write_csv(tmp_path / "名单.csv", roster(6000))  # about 700 KiB: more than the disk holds
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--lang", "zh", "data", "mask", str(source), "-o", str(tiny_disk / "out.csv")], catch_exceptions=False
    )
    assert result.exit_code == 2, result.output
    assert "无法写入" in result.stderr and "out.csv" in result.stderr and "内部错误" not in result.stderr
    assert list(tiny_disk.iterdir()) == []  # no temporary file left behind
