"""Printing data the same way everywhere: ``--format table|json|jsonl``."""

from __future__ import annotations

import contextlib
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "jsonl")


def format_option(default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="table for people, json or jsonl for machines",
    )


def quiet() -> bool:
    from secops.cli.context import AppContext

    context = click.get_current_context(silent=True)
    app = context.find_object(AppContext) if context is not None else None
    return bool(app is not None and app.quiet)


def say(message: str, *, err: bool = False) -> None:
    """A status line for people ("Wrote 3 files"): printed unless -q. Pass a message already
    translated (``say(_("Wrote {path}").format(path=...))``); ``err=True`` when stdout carries data."""
    if not quiet():
        click.echo(message, err=err)


def warn(message: str) -> None:
    """A warning a person must see even with -q (on stderr)."""
    from secops.i18n import _

    click.echo(_("secops: warning: {message}").format(message=message), err=True)


def findings(found: bool) -> None:
    """Exit 1 when a check found something (alerts, failed checks, a named leaker): one rule everywhere."""
    if found:
        click.get_current_context().exit(1)


def refuse_overwrite(path: Path, force: bool) -> None:
    """No silent overwrite: an existing output file needs --force."""
    from secops.errors import SecopsError
    from secops.i18n import _

    if not force and str(path) != "-" and path.exists():
        raise SecopsError(
            _("{path} already exists").format(path=path),
            hint=_("add --force to replace it, or choose another output file"),
        )


def force_option() -> Callable[[F], F]:
    return click.option("--force", is_flag=True, help="Replace output files that already exist.")


@contextlib.contextmanager
def text_output(path: Path | None) -> Iterator[Any]:
    """Where a command writes text: stdout for None or ``-``, else the file, written atomically
    (missing folders created; nothing left behind on failure)."""
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    from secops.fsutil import atomic_output

    with atomic_output(path, "w") as handle:
        yield handle


def display_zone() -> tzinfo:
    """The zone every time a person or a script reads is shown in: the workspace's (or --timezone's
    where a command has one), Asia/Shanghai without a workspace. One rule for every command."""
    from secops.cli.context import AppContext

    context = click.get_current_context(silent=True)
    app = context.find_object(AppContext) if context is not None else None
    if app is None:
        from zoneinfo import ZoneInfo

        from secops.cli.context import DEFAULT_ZONE

        return ZoneInfo(DEFAULT_ZONE)
    return app.display_zone()


def shown(value: datetime) -> datetime:
    """An instant in the display zone (a naive one is UTC, as SQLite hands stored times back)."""
    from datetime import UTC

    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(display_zone())


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return shown(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any, *, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_default)


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}


def safe_text(value: object, limit: int = 200) -> str:
    """Text from the network made safe for a terminal: control bytes (ESC, BEL, ...) shown
    escaped, long values cut."""
    if isinstance(value, datetime):
        value = shown(value).strftime("%Y-%m-%d %H:%M")
    text = "" if value is None else str(value)
    text = text.translate(_CONTROL)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] | None = None
) -> str:
    titles = [(headers or {}).get(col) or col.upper() for col in columns]
    cells = [[safe_text(row.get(col)) for col in columns] for row in rows]
    widths = [max([_width(title), *(_width(r[i]) for r in cells)]) for i, title in enumerate(titles)]
    lines = ["  ".join(_pad(title, w) for title, w in zip(titles, widths, strict=True)).rstrip()]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def localize(rows: Iterable[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
    """Datetimes in the workspace's time zone (the store keeps UTC; SQLite returns it naive)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz)
        return value

    return [{key: convert(value) for key, value in row.items()} for row in rows]


def emit(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    empty: str | None = None,
) -> None:
    """Print rows as a table, a JSON list or JSON lines. A table has ``headers`` (column -> label
    already translated; the column name upper-cased otherwise) and says so when there are no rows
    (``empty``, already translated; on stderr, so a pipe still reads nothing)."""
    rows = list(rows)
    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(to_json(row, indent=None))
    else:
        columns = list(columns or (rows[0].keys() if rows else []))
        if rows:
            click.echo(render_table(rows, columns, headers))
        elif not quiet():
            from secops.i18n import _

            click.echo(empty or _("(nothing to show)"), err=True)


def emit_object(value: Mapping[str, Any], fmt: str, labels: Mapping[str, str] | None = None) -> None:
    """Print one record: key/value lines for people (each key shown as its label, already
    translated, where ``labels`` has one), one JSON object with the English keys for machines."""
    if fmt in ("json", "jsonl"):
        click.echo(to_json(value, indent=2 if fmt == "json" else None))
        return
    names = {key: (labels or {}).get(str(key)) or str(key) for key in value}
    width = max((_width(name) for name in names.values()), default=0)
    for key, item in value.items():
        if isinstance(item, dict):  # a nested record stays readable on one line
            item = to_json(item, indent=None)
        elif isinstance(item, list | tuple):
            item = ", ".join(str(i) for i in item)
        click.echo(f"{_pad(names[key], width)}  {safe_text(item, 500)}")


@contextlib.contextmanager
def progress_spinner(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on a terminal; silent in pipes and logs."""
    if not sys.stderr.isatty():
        yield lambda _line: None
        return
    from rich.console import Console

    with Console(stderr=True).status(first) as status:
        yield lambda line: status.update(line)
