"""Errors that reach the user as one clear line (exit 2), never as a traceback."""

from __future__ import annotations

from pathlib import Path


class SecopsError(Exception):
    """A usage or input error: what went wrong, where, and how to fix it.

    The CLI prints ``str(error)`` on one line and exits with ``exit_code``.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        from secops.i18n import language

        return f"{self.message}（{self.hint}）" if language() == "zh" else f"{self.message} ({self.hint})"


class ContentError(SecopsError):
    """A problem in a content file, located at ``path:line``."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        super().__init__(message)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ContentErrors(SecopsError):
    """Several content problems found in one pass; each is printed on its own line."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} content error(s)")

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class WorkspaceError(SecopsError):
    """The workspace is missing, unreadable or corrupted."""
