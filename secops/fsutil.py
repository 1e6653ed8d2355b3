"""Atomic file output (nothing half-written is ever left behind) and owner-only files and folders."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from secops.errors import SecopsError
from secops.i18n import _


def _nearest_existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_output_path(path: Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written. A missing output folder
    is fine when it can be created: ``atomic_output`` (or ``ensure_parent``) creates it once there is
    something to write, so a failed run leaves no empty folder behind."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SecopsError(_("output path {path} is a directory").format(path=path), hint=_("give a file name"))
    existing = _nearest_existing(parent)
    if not existing.is_dir():
        raise SecopsError(
            _("output folder {folder} cannot be created: {blocker} is a file").format(folder=parent, blocker=existing),
            hint=_("choose another output path"),
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        message = (
            _("output folder {folder} is not writable") if existing == parent else _("folder {folder} is not writable")
        )
        raise SecopsError(message.format(folder=existing), hint=_("choose another folder or fix its permissions"))
    return path


def ensure_parent(path: Path) -> Path:
    """Create the folders above ``path`` that are missing (after ``check_output_path`` allowed it)."""
    path = check_output_path(Path(path))
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SecopsError(
            _("output folder {folder} cannot be created: {reason}").format(folder=parent, reason=error.strerror),
            hint=_("choose another output path"),
        ) from None
    return path


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "wb", *, permissions: int | None = None) -> Iterator[IO[Any]]:
    """Yield a temporary file beside ``path``; rename it over ``path`` only on success. A disk that is
    full or refuses the file is one clear error naming ``path`` (exit 2), never a traceback."""
    path = ensure_parent(Path(path))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _cannot_write(path, error) from None
    tmp = Path(tmp_name)
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:  # type: ignore[call-overload]
            try:
                yield handle
            except OSError as error:
                if error.errno in _DISK_ERRORS:  # the output's disk, not the caller's input
                    raise _cannot_write(path, error) from None
                raise
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as error:
                raise _cannot_write(path, error) from None
        try:
            if permissions is not None:
                os.chmod(tmp, permissions)
            elif not path.exists():
                # mkstemp creates 0600; give new files the usual umask-derived mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            else:
                os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        except OSError as error:
            raise _cannot_write(path, error) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})


def _cannot_write(path: Path, error: OSError) -> SecopsError:
    full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    return SecopsError(
        _("cannot write {path}: {reason}").format(path=path, reason=error.strerror or type(error).__name__),
        hint=_("free some space on that disk, or write elsewhere; nothing was left behind")
        if full
        else _("choose another output path; nothing was left behind"),
    )


def write_bytes_atomic(path: Path, data: bytes, *, permissions: int | None = None) -> None:
    with atomic_output(path, "wb", permissions=permissions) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, *, permissions: int | None = None) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), permissions=permissions)


# Owner-only modes for what holds secrets or raw log values: the databases, keys, their folders.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")

_log = logging.getLogger("secops.fsutil")


def make_private(path: Path) -> str | None:
    """Take every group/other permission off ``path`` (a file or folder, not a link's target).

    Returns what was tightened ("PATH 0644 -> 0600"), or None when it already was owner-only or
    does not exist; it is also logged as a warning, since the file was readable by others until now.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return None
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return None
    tightened = mode & ~0o077
    try:
        os.chmod(path, tightened)
    except OSError as exc:
        _log.warning("%s is readable by other users (%o) and cannot be tightened: %s", path, mode, exc.strerror)
        return None
    change = f"{path} {mode:04o} -> {tightened:04o}"
    _log.warning("tightened permissions, other users could read it: %s", change)
    return change


def make_all_private(paths: Iterable[Path]) -> list[str]:
    """make_private on each path; the changes made."""
    return [change for path in paths if (change := make_private(Path(path))) is not None]


def private_sqlite_file(database: Path) -> list[str]:
    """Create the SQLite file owner-only if missing (SQLite gives its -wal, -shm and -journal files
    the database's own mode), else tighten it and any of those files; the changes made."""
    database = Path(database)
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return make_all_private([database, *(Path(f"{database}{suffix}") for suffix in SQLITE_SIDECARS)])
    except OSError:
        return []  # e.g. a read-only folder: SQLite's own error says it better
    os.close(fd)  # an empty file is an empty SQLite database
    return []


def write_private_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to a new owner-only file; False (nothing written) if the file exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True
