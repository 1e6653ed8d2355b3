"""The databases store tests run on: SQLite always, PostgreSQL when SECOPS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def empty_postgres() -> str:
    """The test server's URL, its database emptied first (tests of one run share it)."""
    url = os.environ.get("SECOPS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SECOPS_TEST_POSTGRES_URL is not set; scripts/test.sh starts a PostgreSQL server and sets it")
    engine = sa.create_engine(url)
    existing = sa.MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    engine.dispose()
    return url


def database_url(backend: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'secops.db'}" if backend == "sqlite" else empty_postgres()
