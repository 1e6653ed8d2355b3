"""Building a CenterContext from a home folder and the chosen alert store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from secops.center.context import CenterContext, load_secret, open_state, prepare_home
from secops.center.home_keys import bind_home_keys
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
    state = open_state(home, db, server=server)  # db: --db / SECOPS_CENTER_DB, else center.yaml, else center.db
    try:
        bind_home_keys(home, state)  # refuses a home whose keys are not this database's, before any use
        secret = load_secret(home)
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
