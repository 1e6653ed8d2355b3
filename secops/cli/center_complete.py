"""Shell completion for the values the ``secops center`` commands take: school codes, group names,
notice ids, pack names, period names, case ids and staff accounts.

Read straight from center.db, read-only and without migrating or creating anything (completion runs
on every Tab press and must stay fast), or from the PostgreSQL database ``--db`` / SECOPS_CENTER_DB /
center.yaml's ``database:`` names; any problem gives no suggestions instead of an error.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]
LIMIT = 200  # a province has thousands of schools: the shell needs only the first few that match


def _home(ctx: click.Context) -> Path:
    """The center home the command line names (``center --home`` or ``user --home``), else the default."""
    context: click.Context | None = ctx
    while context is not None:
        home = context.params.get("home")
        if home:
            return Path(home).expanduser()
        context = context.parent
    from secops.center.context import default_home

    return default_home()


def _database(ctx: click.Context) -> str | None:
    """The state database the command line names (``center --db``), else SECOPS_CENTER_DB; None:
    center.yaml's ``database:`` or center.db (read by ``_values``)."""
    context: click.Context | None = ctx
    while context is not None:
        db = context.params.get("db")
        if db:
            return str(db)
        context = context.parent
    return os.environ.get("SECOPS_CENTER_DB") or None


def _values(ctx: click.Context, sql: str, incomplete: str) -> list[tuple[str, str]]:
    home = _home(ctx)
    url = _database(ctx)
    if url is None and (home / "center.yaml").is_file():
        from secops.center.settings import load_settings

        url = load_settings(home).database
    if url is not None and not url.startswith("sqlite:"):
        return _server_values(url, sql, incomplete)
    path = Path(url.removeprefix("sqlite:///")) if url else home / "center.db"
    if not path.is_file():
        return []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
    try:
        rows = connection.execute(sql, (incomplete + "%", LIMIT)).fetchall()
    finally:
        connection.close()
    return [(str(value), "" if help_text is None else str(help_text)) for value, help_text in rows]


def _server_values(url: str, sql: str, incomplete: str) -> list[tuple[str, str]]:
    """The same query on a database server (PostgreSQL), given a second to answer."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 1})
    try:
        with engine.connect() as conn:
            statement = sa.text(sql.replace("?", ":prefix", 1).replace("?", ":limit", 1))
            rows = conn.execute(statement, {"prefix": incomplete + "%", "limit": LIMIT}).all()
    finally:
        engine.dispose()
    return [(str(value), "" if help_text is None else str(help_text)) for value, help_text in rows]


def _completer(sql: str) -> Completer:
    """A completion callback for one query: ``sql`` takes the prefix pattern and the limit."""

    def complete(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return [CompletionItem(value, help=text or None) for value, text in _values(ctx, sql, incomplete)]
        except Exception:  # completion never fails the shell: no suggestions instead
            return []

    return complete


complete_schools = _completer(
    "SELECT code, name FROM center_schools WHERE code LIKE ? AND revoked_at IS NULL ORDER BY code LIMIT ?"
)
complete_all_schools = _completer("SELECT code, name FROM center_schools WHERE code LIKE ? ORDER BY code LIMIT ?")
complete_groups = _completer(
    "SELECT DISTINCT name, NULL FROM center_school_groups WHERE name LIKE ? ORDER BY name LIMIT ?"
)
complete_notices = _completer("SELECT id, title FROM center_notices WHERE id LIKE ? ORDER BY issued_at DESC LIMIT ?")
complete_packs = _completer("SELECT DISTINCT name, NULL FROM center_packs WHERE name LIKE ? ORDER BY name LIMIT ?")
complete_periods = _completer(
    "SELECT name, start_day FROM center_periods WHERE name LIKE ? ORDER BY start_day DESC LIMIT ?"
)
complete_cases = _completer("SELECT id, title FROM incidents WHERE CAST(id AS TEXT) LIKE ? ORDER BY id DESC LIMIT ?")
complete_users = _completer("SELECT username, role FROM center_users WHERE username LIKE ? ORDER BY username LIMIT ?")
