"""The center's home folder and everything a request handler needs, built once at start-up.

Home (``--home``, ``SECOPS_CENTER_HOME``, default ``~/.secops-center``): ``center.db`` holds the
center's own state (schools, nonces, staff, sessions, incidents; alerts too with the SQLite store)
and ``center.secret`` (0600) seals the schools' signing keys, so a copy of the database alone
cannot sign as a school.

The state database (:func:`state_url`): ``--db URL`` (``SECOPS_CENTER_DB``) when given, else
``database:`` in ``center.yaml``, else ``center.db`` in the home. A provincial center that runs
several instances behind a balancer points them all at one PostgreSQL database
(``postgresql+psycopg://USER@HOST/DB``); nonces, rate limits, login throttles and the background
ticks' leases then hold across the instances. The home (``center.secret``, the signing key) is
the same on each instance.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from secops.center.settings import CenterSettings
from secops.center.settings_template import write_center_template
from secops.center.stores.base import AlertStore
from secops.config import AUDIT_KEY_FILE
from secops.errors import SecopsError
from secops.fsutil import make_all_private
from secops.i18n import _
from secops.store import Store, open_store
from secops.store.engine import redact_url

STATE_FILE = "center.db"
SECRET_FILE = "center.secret"  # noqa: S105 - a file name, not a secret
CONNECT_TIMEOUT = 10  # seconds to reach the state database's server at start-up


def default_home() -> Path:
    return Path(os.environ.get("SECOPS_CENTER_HOME") or Path.home() / ".secops-center")


@dataclass
class CenterContext:
    home: Path
    state: Store  # center.db, or the database --db / center.yaml names (state_url)
    alerts: AlertStore
    secret: bytes
    settings: CenterSettings = field(default_factory=lambda: CenterSettings())
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    # one of several worker processes (serve --workers): limits are kept in the database even on SQLite
    several_processes: bool = False

    def close(self) -> None:
        self.alerts.close()
        self.state.dispose()


def prepare_home(home: Path) -> Path:
    home = home.expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SecopsError(
            _("cannot create center folder {path}: {reason}").format(path=home, reason=exc.strerror),
            hint=_("choose another --home"),
        ) from None
    write_center_template(home)  # commented: the defaults until someone changes a line
    # Owner-only even when the folder or its files already existed (mkdir's mode does not apply then);
    # center.db's -wal/-shm/-journal files are tightened where the database is opened.
    make_all_private([home, home / STATE_FILE, home / SECRET_FILE, home / AUDIT_KEY_FILE])
    return home


def load_secret(home: Path) -> bytes:
    """The sealing secret, created on first use (32 random bytes, owner-only)."""
    path = home / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    data = path.read_bytes()
    if len(data) != 32:
        raise SecopsError(
            _("{path} is damaged (expected 32 bytes)").format(path=path),
            hint=_("restore it from backup; school keys depend on it"),
        )
    return data


def state_url(home: Path, db: str | None = None) -> str:
    """Where the center's state lives: ``db`` (``--db`` / ``SECOPS_CENTER_DB``), else ``database:``
    in center.yaml, else the SQLite file in the home."""
    if db:
        return db
    from secops.center.settings import load_settings

    configured = load_settings(home).database
    return configured or f"sqlite:///{home / STATE_FILE}"


def open_state(home: Path, db: str | None = None, *, server: bool = False) -> Store:
    """The center's state database, migrated; a bad URL or an unreachable server is one clear error.
    ``server``: pooled for `center serve` (secops.store.engine.ServerPool), not for one command."""
    from secops.store.engine import ServerPool

    home = prepare_home(home)
    url = state_url(home, db)
    if not url.startswith("sqlite:"):
        _reachable(url)
    return open_store(url, server_pool=ServerPool() if server else None)


def _reachable(url: str) -> None:
    """One clear line when the server is down or refuses us (open_store's hint speaks of a
    workspace file to restore, which a center's PostgreSQL is not)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import DBAPIError

    from secops.store.engine import create_engine

    engine = create_engine(url)  # a malformed URL or an unknown database: its own clear error
    if engine.dialect.name == "postgresql" and "connect_timeout" not in engine.url.query:
        engine.dispose()  # a server that drops packets: an answer within seconds, not the OS's minutes
        engine = sa.create_engine(engine.url, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise SecopsError(
            _("cannot open the center database {url}: {reason}").format(url=redact_url(url), reason=reason),
            hint=_("check --db, SECOPS_CENTER_DB or database: in center.yaml, and that the server is running"),
        ) from None
    finally:
        engine.dispose()
