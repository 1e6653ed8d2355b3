"""Owner-only files and folders (secops.fsutil): what is tightened, what is left alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from secops.fsutil import make_all_private, make_private, private_sqlite_file, write_private_new


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_group_and_other_bits_are_taken_off_and_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder, file = tmp_path / "ws", tmp_path / "ws" / "secops.db"
    folder.mkdir()
    file.write_text("")
    folder.chmod(0o755)
    file.chmod(0o640)
    with caplog.at_level("WARNING", logger="secops.fsutil"):
        changes = make_all_private([folder, file, tmp_path / "missing.key"])
    assert changes == [f"{folder} 0755 -> 0700", f"{file} 0640 -> 0600"]
    assert _mode(folder) == 0o700 and _mode(file) == 0o600
    assert "other users could read it" in caplog.text
    assert make_private(file) is None  # already private: nothing to say


def test_a_link_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    target.chmod(0o644)
    link = tmp_path / "audit.key"
    link.symlink_to(target)
    assert make_private(link) is None
    assert _mode(target) == 0o644


def test_a_new_sqlite_file_is_created_private_and_an_old_one_tightened(tmp_path: Path) -> None:
    database = tmp_path / "secops.db"
    assert private_sqlite_file(database) == []
    assert database.exists() and _mode(database) == 0o600
    database.chmod(0o644)
    wal = tmp_path / "secops.db-wal"
    wal.write_text("")
    wal.chmod(0o644)
    assert private_sqlite_file(database) == [f"{database} 0644 -> 0600", f"{wal} 0644 -> 0600"]
    assert _mode(wal) == 0o600


def test_a_private_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    assert write_private_new(path, b"one")
    assert not write_private_new(path, b"two")
    assert path.read_bytes() == b"one" and _mode(path) == 0o600
