"""Shared fixtures: a temporary workspace and a CLI runner bound to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from secops.cli.main import cli
from secops.config import Workspace, load_workspace
from secops.incident.audit import ensure_trail
from secops.workspace import init_workspace, open_workspace_store

SCHOOL_CODE = "4111010001"
SCHOOL_NAME = "测试实验中学"
SCOPE = ["10.20.0.0/16", "2001:db8:20::/48"]
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own ~/.secops or database override."""
    monkeypatch.setenv("SECOPS_HOME", str(tmp_path / "default-home"))
    monkeypatch.delenv("SECOPS_DATABASE_URL", raising=False)
    # Most tests assert the English messages (the catalog's ids); tests of the Chinese default set
    # SECOPS_LANG=zh or pass --lang zh, and tests/unit/test_i18n.py keeps the catalog complete.
    monkeypatch.setenv("SECOPS_LANG", "en")


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A command run with --lang (or a workspace language) leaves its choice in this process; the next
    test, calling the library directly, must not inherit it."""
    from secops.i18n import set_language

    yield
    set_language(None)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    path = tmp_path / "ws"
    init_workspace(path, school_code=SCHOOL_CODE, school_name=SCHOOL_NAME, scope=SCOPE, database=None, now=NOW)
    workspace = load_workspace(path)
    with open_workspace_store(workspace) as store:  # as `secops init` does: the audit key and its empty head
        ensure_trail(path, store)
    return workspace


Invoke = Callable[..., Result]


@pytest.fixture
def run_cli(tmp_path: Path) -> Invoke:
    """Run ``secops --workspace <tmp>/ws ARGS``; returns click's Result (stdout and stderr apart)."""

    def invoke(*args: str, workspace: Path | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        root = ["--workspace", str(workspace or tmp_path / "ws")]
        return runner.invoke(cli, [*root, *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def es_url() -> str:
    """The Elasticsearch node scripts/test.sh started; there, a missing node fails instead of skipping."""
    url = os.environ.get("SECOPS_TEST_ES_URL")
    if not url:
        if os.environ.get("SECOPS_TEST_ES_REQUIRED"):
            pytest.fail("SECOPS_TEST_ES_URL is not set although scripts/test.sh requires Elasticsearch")
        pytest.skip("SECOPS_TEST_ES_URL is not set; scripts/test.sh starts an Elasticsearch node and sets it")
    return url


@pytest.fixture
def es_prefix() -> str:
    """An index prefix of this test's own, so tests sharing the node never see each other's documents."""
    return f"secops-test-{uuid.uuid4().hex[:10]}"


def libreoffice_or_skip(why: str) -> str:
    """The soffice binary; skipped with ``why`` when absent, a failure where the test command requires it."""
    import shutil

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        message = f"LibreOffice (soffice) is not installed: {why}"
        if os.environ.get("SECOPS_TEST_OFFICE_REQUIRED"):
            pytest.fail(message + " (scripts/install.sh --dev installs it)")
        pytest.skip(message)
    return office
