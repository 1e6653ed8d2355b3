"""Every reader of a workspace key opens it sealed: the data key, the audit key (also while migration
16 upgrades an old database), the school's center key and a lower center's upstream key."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from secops.config import ForwardConfig, Workspace, save_config
from secops.errors import SecopsError
from secops.keyseal import AUDIT, CENTER, DATA, UPSTREAM, seal_file

PASSPHRASE_TEXT = "correct horse battery"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE_FILE", raising=False)


def test_the_data_key(workspace: Workspace) -> None:
    from secops.data.watermark.keys import KEY_FILE, read_key, workspace_key

    key, path = workspace_key(workspace.path, None)
    seal_file(path, DATA, passphrase=PASSPHRASE_TEXT)
    assert path.name == KEY_FILE and read_key(path) == key == workspace_key(workspace.path, None)[0]


def test_the_audit_key(workspace: Workspace) -> None:
    from secops.incident.audit import audit_key

    key = audit_key(workspace.path)
    seal_file(workspace.path / AUDIT, AUDIT, passphrase=PASSPHRASE_TEXT)
    assert audit_key(workspace.path) == key


def test_the_school_center_key(workspace: Workspace) -> None:
    from secops.forward.sync import load_target, save_key
    from secops.protocol import signing

    school_key = signing.new_key()
    save_key(workspace.path, school_key)
    config = workspace.config.model_copy(update={"forward": ForwardConfig(center="https://127.0.0.1:8600")})
    save_config(workspace.path, config)
    seal_file(workspace.path / CENTER, CENTER, passphrase=PASSPHRASE_TEXT)
    assert load_target(Workspace(path=workspace.path, config=config)).key == school_key


def test_the_upstream_key(tmp_path: Path) -> None:
    from secops.protocol import signing
    from secops.relay.config import Upstream, load_upstream, save_upstream

    settings = Upstream(url="https://127.0.0.1:8600", code="4111000001", name="某市中心", center_key=_public_key())
    key = signing.new_key()
    save_upstream(tmp_path, settings, key)
    seal_file(tmp_path / UPSTREAM, UPSTREAM, passphrase=PASSPHRASE_TEXT)
    assert load_upstream(tmp_path) == (settings, key)


def _public_key() -> str:
    from secops.protocol import envelope

    return envelope.public_text(envelope.new_private_key())


def test_migration_16_opens_a_sealed_key_or_stops_with_the_reason(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old database beside a sealed audit.key: without the passphrase the upgrade stops (and a
    later run does it); with it, the head is written as for a plain key."""
    from secops.incident.audit import audit_key, verify
    from secops.store import Store
    from secops.store.engine import create_engine
    from secops.store.migrate import apply_migrations, current_version

    key = audit_key(workspace.path)
    seal_file(workspace.path / AUDIT, AUDIT, passphrase=PASSPHRASE_TEXT)
    engine = create_engine(f"sqlite:///{workspace.path / 'old.db'}")
    apply_migrations(engine, target=15)
    monkeypatch.delenv("SECOPS_KEY_PASSPHRASE")
    with pytest.raises(SecopsError, match="sealed with a passphrase and none was given"):
        apply_migrations(engine)
    with engine.connect() as conn:
        assert current_version(conn) == 15
    monkeypatch.setenv("SECOPS_KEY_PASSPHRASE", PASSPHRASE_TEXT)
    apply_migrations(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT entries FROM incident_audit_head")).scalar_one() == 0
    assert verify(Store(engine=engine, url=str(engine.url)), key) == (0, None)
    engine.dispose()
