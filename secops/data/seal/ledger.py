"""The ledger of encrypted releases (``seal_releases``): who a file was encrypted for, its size and
the SM3 of the encrypted file, never its content; `secops data releases` lists it beside the
watermarked releases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from secops.data.seal.keys import Key
from secops.store import Store
from secops.store.schema import seal_releases


def record_release(
    store: Store,
    recipients: Sequence[Key],
    source_name: str,
    output_name: str,
    plain_bytes: int,
    digest: str,
    now: datetime,
    passphrase: bool,
) -> int:
    names: list[dict[str, Any]] = [{"name": key.name, "key_id": key.key_id} for key in recipients]
    if passphrase:
        names.append({"name": "passphrase", "key_id": None})
    with store.engine.begin() as conn:
        result = conn.execute(
            seal_releases.insert().values(
                created_at=now,
                recipients=names,
                source_name=source_name,
                output_name=output_name,
                plain_bytes=plain_bytes,
                digest=digest,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def list_releases(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(seal_releases).order_by(seal_releases.c.id)).all()
    return [dict(row._mapping) for row in rows]
