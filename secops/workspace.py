"""Creating and opening a workspace: ``secops.yaml`` plus its database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from secops.config import (
    AUDIT_KEY_FILE,
    CENTER_KEY_FILE,
    CONFIG_FILE,
    Workspace,
    build_config,
    load_workspace,
    save_config,
)
from secops.errors import SecopsError, WorkspaceError
from secops.fsutil import make_all_private, make_private
from secops.i18n import N_, _
from secops.notify.templates import write_notifiers_template
from secops.store import Store, open_store
from secops.store.records import ensure_identity, log_activity
from secops.store.upgrade import UPGRADE_KEY_FOLDER


@dataclass
class InitResult:
    workspace: Workspace
    created: bool
    # "what: before -> after"; ``what`` is an English catalog message (N_ below): translate it where shown
    changes: list[str] = field(default_factory=list)


def _prepare_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise WorkspaceError(
            _("workspace path {path} is a file").format(path=path), hint=_("choose a folder with --workspace")
        )
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise WorkspaceError(
            _("cannot create workspace folder {path}: {reason}").format(path=path, reason=exc.strerror),
            hint=_("choose another --workspace"),
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise WorkspaceError(
            _("workspace folder {path} is not writable").format(path=path),
            hint=_("fix its permissions or choose another --workspace"),
        )
    make_private(path)  # mkdir's mode does not apply to a folder that already existed


def init_workspace(
    path: Path,
    *,
    school_code: str,
    school_name: str,
    scope: list[str],
    database: str | None,
    now: datetime,
    force: bool = False,
    language: str | None = None,
) -> InitResult:
    """Create the workspace, or bring an existing one in line with the given values.

    Safe to run twice. Changing the school code of an existing workspace needs ``force``,
    since everything in it was recorded for the old school. ``language`` None keeps the current one.
    """
    path = Path(path).expanduser()
    config = build_config(school_code, school_name, scope, database)
    existing = load_workspace(path) if (path / CONFIG_FILE).exists() else None
    if language is not None:
        config.language = language  # type: ignore[assignment]  # checked by the CLI's choice
    changes: list[str] = []
    if existing is not None:
        old = existing.config
        if old.school.code != config.school.code and not force:
            raise SecopsError(
                _("the workspace at {path} belongs to school {old}, not {new}").format(
                    path=path, old=old.school.code, new=config.school.code
                ),
                hint=_("use another --workspace, or --force to re-assign it"),
            )
        if database is None:
            config.database = old.database
        config.timezone = old.timezone
        if language is None:
            config.language = old.language
        config.forward = old.forward  # set by `secops forward setup`, not by init
        for label, before, after in (
            (N_("school code"), old.school.code, config.school.code),
            (N_("school name"), old.school.name, config.school.name),
            (N_("scope"), ", ".join(old.scope), ", ".join(config.scope)),
            (N_("database"), old.database, config.database),
            (N_("language"), old.language, config.language),
        ):
            if before != after:
                changes.append(f"{label}: {before} -> {after}")
    _prepare_folder(path)
    workspace = Workspace(path=path, config=config)
    # Open the database first: a bad database URL must not leave a config pointing at it.
    with open_workspace_store(workspace, create=True) as store:
        created = ensure_identity(store, config.school.code, config.school.name, now)
        if existing is None or changes:
            save_config(path, config)
            action = "workspace.created" if existing is None else "workspace.updated"
            log_activity(store, action, {"changes": changes, "scope": config.scope}, now)
    write_notifiers_template(path)  # commented: the local log only until the school enables a channel
    return InitResult(workspace=workspace, created=existing is None or created, changes=changes)


def open_workspace_store(workspace: Workspace, *, create: bool = False) -> Store:
    """Open the workspace's database. A missing SQLite file is an error, not a silent fresh
    start, unless ``create`` (only `secops init` creates one)."""
    from sqlalchemy.engine import make_url

    url = make_url(workspace.database_url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not create and database and database != ":memory:" and not Path(database).exists():
        raise WorkspaceError(
            _("the workspace database {path} is missing").format(path=database),
            hint=_("restore it from a backup, or re-run secops init to start an empty one"),
        )
    secure_workspace(workspace.path)
    folder = UPGRADE_KEY_FOLDER.set(workspace.path)  # migration 16 seals the existing trail's head with its key
    try:
        return open_store(workspace.database_url)
    finally:
        UPGRADE_KEY_FOLDER.reset(folder)


def secure_workspace(path: Path) -> list[str]:
    """Owner-only workspace folder and key files, enforced on every open (the database's own file
    is enforced where it is opened); returns what was tightened, each also logged as a warning."""
    if not path.is_dir():
        return []
    # secops.yaml too: it may hold a --database URL with its password
    return make_all_private([path, path / CONFIG_FILE, path / AUDIT_KEY_FILE, path / CENTER_KEY_FILE])
