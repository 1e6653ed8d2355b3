"""Atomic file output: nothing half-written is ever left behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from secops.errors import SecopsError


def check_output_path(path: Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SecopsError(f"output path {path} is a directory", hint="give a file name")
    if not parent.is_dir():
        raise SecopsError(f"output folder {parent} does not exist", hint=f"create it first: mkdir -p {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SecopsError(
            f"output folder {parent} is not writable", hint="choose another folder or fix its permissions"
        )
    return path


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "wb", *, permissions: int | None = None) -> Iterator[IO[Any]]:
    """Yield a temporary file beside ``path``; rename it over ``path`` only on success."""
    path = check_output_path(Path(path))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
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
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes, *, permissions: int | None = None) -> None:
    with atomic_output(path, "wb", permissions=permissions) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str, *, permissions: int | None = None) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), permissions=permissions)
