"""Shell completion of the values commands take (profiles, 等保 systems, report ids, job ids).

Each callback reads the content or the workspace cheaply and read-only, and never raises: a
completion that fails offers nothing rather than printing a traceback into the shell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _matching(values: Iterable[str], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(value) for value in sorted(set(values)) if value.startswith(incomplete)]


def _safely(find: Callable[[click.Context], Iterable[str]]) -> Completer:
    def complete(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return _matching(find(ctx), incomplete)
        except Exception:  # completion must never fail the shell
            return []

    return complete


def _content_ids(kind: str) -> Callable[[click.Context], list[str]]:
    def find(_ctx: click.Context) -> list[str]:
        from secops.content.kinds import kind_named

        return [path.stem for path in kind_named(kind).shipped_files()]  # a unit's id is its file name

    return find


def _workspace_path(ctx: click.Context) -> Path:
    value: Any = ctx.find_root().params.get("workspace")
    return Path(value or os.environ.get("SECOPS_HOME") or Path.home() / ".secops").expanduser()


def _column(table: str, column: str) -> Callable[[click.Context], list[str]]:
    """One column of a workspace table, read without opening the store (no migration, no new file)."""

    def find(ctx: click.Context) -> list[str]:
        import sqlalchemy as sa

        from secops.config import load_workspace

        workspace = load_workspace(_workspace_path(ctx))
        url = sa.engine.make_url(workspace.database_url)
        if url.get_backend_name() == "sqlite" and not Path(str(url.database)).is_file():
            return []
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                query: Any = sa.select(sa.column(column)).select_from(sa.table(table))
                return [str(value) for value in conn.execute(query).scalars()]
        finally:
            engine.dispose()

    return find


profiles = _safely(_content_ids("scan-profile"))
reports = _safely(_content_ids("report"))
systems = _safely(_column("dengbao_systems", "name"))
jobs = _safely(_column("scheduler_jobs", "id"))
