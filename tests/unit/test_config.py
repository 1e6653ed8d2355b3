import os
import stat
from pathlib import Path

import pytest
import yaml

from secops.config import CONFIG_FILE, build_config, load_workspace, render_config
from secops.errors import ContentError, SecopsError, WorkspaceError
from secops.workspace import init_workspace
from tests.conftest import NOW, SCHOOL_CODE, SCHOOL_NAME, SCOPE


def test_init_writes_a_config_that_loads_back(tmp_path: Path) -> None:
    result = init_workspace(
        tmp_path / "ws", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
    )
    assert result.created
    loaded = load_workspace(tmp_path / "ws")
    assert loaded.config.school.code == SCHOOL_CODE
    assert loaded.config.school.name == SCHOOL_NAME
    assert loaded.config.scope == SCOPE
    assert loaded.database_url == f"sqlite:///{tmp_path / 'ws' / 'secops.db'}"
    assert (tmp_path / "ws" / "secops.db").is_file()
    # The school code stays a string in YAML (a leading zero must survive a round trip).
    raw = yaml.safe_load((tmp_path / "ws" / CONFIG_FILE).read_text(encoding="utf-8"))
    assert raw["school"]["code"] == SCHOOL_CODE


def test_workspace_files_are_private(tmp_path: Path) -> None:
    init_workspace(
        tmp_path / "ws", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
    )
    assert stat.S_IMODE(os.stat(tmp_path / "ws").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "ws" / CONFIG_FILE).st_mode) == 0o600


def test_init_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "ws"
    init_workspace(path, school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW)
    before = (path / CONFIG_FILE).read_bytes()
    again = init_workspace(path, school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW)
    assert not again.created
    assert again.changes == []
    assert (path / CONFIG_FILE).read_bytes() == before


def test_init_again_updates_name_and_scope_but_guards_the_code(tmp_path: Path) -> None:
    path = tmp_path / "ws"
    init_workspace(path, school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW)
    updated = init_workspace(
        path, school_code=SCHOOL_CODE, school_name="新校名", scope=["10.30.0.0/16"], database=None, now=NOW
    )
    assert any("school name" in change for change in updated.changes)
    assert load_workspace(path).config.scope == ["10.30.0.0/16"]
    with pytest.raises(SecopsError, match="belongs to school"):
        init_workspace(path, school_code="4222020002", school_name="别的学校", scope=SCOPE, database=None, now=NOW)
    forced = init_workspace(
        path, school_code="4222020002", school_name="别的学校", scope=SCOPE, database=None, now=NOW, force=True
    )
    assert forced.workspace.config.school.code == "4222020002"


@pytest.mark.parametrize("code", ["123", "41110100011", "41110l0001", "", "４１１１０１０００１"])
def test_school_code_must_be_ten_digits(code: str) -> None:
    with pytest.raises(SecopsError) as caught:
        build_config(code, SCHOOL_NAME, SCOPE)
    assert str(caught.value).startswith("--school-code:")
    assert "10-digit" in str(caught.value)


def test_bad_scope_names_the_option() -> None:
    with pytest.raises(SecopsError) as caught:
        build_config(SCHOOL_CODE, SCHOOL_NAME, ["10.0.0.0/8", "10.1.0.0/16"])
    assert str(caught.value).startswith("--scope:")
    assert "overlap" in str(caught.value)


def test_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(tmp_path / "nowhere")
    assert "secops init" in str(caught.value)


def test_corrupted_config_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ws"
    init_workspace(path, school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW)
    text = (path / CONFIG_FILE).read_text(encoding="utf-8")
    (path / CONFIG_FILE).write_text(text.replace(SCHOOL_CODE, "12345"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_workspace(path)
    code_line = next(i for i, line in enumerate(text.splitlines(), 1) if "code:" in line)
    assert caught.value.line == code_line
    assert str(caught.value).startswith(f"{path / CONFIG_FILE}:{code_line}: school.code")

    (path / CONFIG_FILE).write_text("school: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="invalid YAML"):
        load_workspace(path)
    (path / CONFIG_FILE).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ContentError, match="UTF-8"):
        load_workspace(path)


def test_config_from_a_newer_secops_is_refused(tmp_path: Path) -> None:
    config = build_config(SCHOOL_CODE, SCHOOL_NAME, SCOPE)
    (tmp_path / CONFIG_FILE).write_text(render_config(config).replace("version: 1", "version: 99"), encoding="utf-8")
    with pytest.raises(ContentError, match="newer secops"):
        load_workspace(tmp_path)


def test_database_url_override_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(
        tmp_path / "ws", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
    )
    monkeypatch.setenv("SECOPS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert load_workspace(tmp_path / "ws").database_url.endswith("other.db")


def test_bad_database_url_leaves_no_config_behind(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        init_workspace(
            tmp_path / "ws",
            school_code=SCHOOL_CODE,
            school_name=SCHOOL_NAME,
            scope=SCOPE,
            database="mysql://x/y",
            now=NOW,
        )
    assert not (tmp_path / "ws" / CONFIG_FILE).exists()


def test_workspace_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="is a file"):
        init_workspace(
            tmp_path / "file", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
        )


def test_missing_database_is_not_silently_recreated(tmp_path: Path) -> None:
    from secops.workspace import open_workspace_store

    init_workspace(
        tmp_path / "ws", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
    )
    (tmp_path / "ws" / "secops.db").unlink()
    with pytest.raises(WorkspaceError, match=r"database .* is missing"):
        open_workspace_store(load_workspace(tmp_path / "ws"))
    assert not (tmp_path / "ws" / "secops.db").exists()
    # Re-running init is the documented way back to a working (empty) workspace.
    init_workspace(
        tmp_path / "ws", school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW
    )
    open_workspace_store(load_workspace(tmp_path / "ws")).dispose()
