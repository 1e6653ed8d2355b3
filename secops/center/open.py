"""Building a CenterContext from a home folder and the chosen alert store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from secops.center.context import CenterContext, load_secret, open_state, prepare_home
from secops.center.settings import load_settings
from secops.center.stores.base import AlertStore
from secops.center.stores.sqlite import SQLiteAlertStore
from secops.errors import SecopsError
from secops.i18n import _
from secops.store import Store, open_store


class _OwnSQLiteAlertStore(SQLiteAlertStore):
    """An alert database of its own (``--store sqlite:///PATH``): closed with the store."""

    def close(self) -> None:
        self.store.dispose()


def _alert_store(state: Store, store_url: str | None, es_url: str | None, es_prefix: str) -> AlertStore:
    if store_url and es_url:
        raise SecopsError(_("choose one alert store"), hint=_("--store sqlite:///PATH or --es URL, not both"))
    if es_url:
        from secops.center.stores.elasticsearch import ElasticsearchAlertStore

        return ElasticsearchAlertStore.from_url(es_url, prefix=es_prefix)
    if store_url:
        if not store_url.startswith("sqlite:///"):
            raise SecopsError(
                _("unsupported alert store {url}").format(url=repr(store_url)),
                hint=_("use sqlite:///PATH, or --es URL for Elasticsearch"),
            )
        return _OwnSQLiteAlertStore(open_store(store_url))
    return SQLiteAlertStore(state)


def _home_keys(home: Path, state: Store) -> None:
    """Make the notice-signing key and the audit key now, not at first use: every instance of a
    center must hold the same ones (copied with the home), and two instances making their own at
    first use would each sign and chain with a different key."""
    import sqlalchemy as sa

    from secops.center.signing_key import signing_key
    from secops.config import AUDIT_KEY_FILE
    from secops.incident.audit import ensure_trail
    from secops.store.schema import incident_audit_head

    signing_key(home)
    if not (home / AUDIT_KEY_FILE).exists():
        with state.engine.connect() as conn:
            started = conn.execute(sa.select(sa.func.count()).select_from(incident_audit_head)).scalar_one()
        if started:  # another instance made the trail: a key of our own would replace its head
            raise SecopsError(
                _("{path} is missing but the center database already has an audit trail").format(
                    path=home / AUDIT_KEY_FILE
                ),
                hint=_(
                    "copy audit.key, center.secret, center-signing.key and center.yaml from the center's "
                    "first instance (or its backup): every instance holds the same keys"
                ),
            )
    ensure_trail(home, state)


def open_center(
    home: Path,
    *,
    db: str | None = None,
    store_url: str | None = None,
    es_url: str | None = None,
    es_prefix: str = "secops-alerts",
    now: Callable[[], datetime] | None = None,
    server: bool = False,
) -> CenterContext:
    home = prepare_home(home)
    settings = load_settings(home)
    secret = load_secret(home)
    state = open_state(home, db, server=server)  # db: --db / SECOPS_CENTER_DB, else center.yaml, else center.db
    try:
        _home_keys(home, state)
        alerts = _alert_store(state, store_url, es_url, es_prefix)
    except BaseException:
        state.dispose()
        raise
    return CenterContext(
        home=home,
        state=state,
        alerts=alerts,
        secret=secret,
        settings=settings,
        now=now or (lambda: datetime.now(UTC)),
    )
