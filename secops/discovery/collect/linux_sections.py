"""The sections ``linux.sh`` prints, and small readers of their text shared by the fact parsers."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

_HEADER = re.compile(r"^==== secops:(?P<name>.+?)(?: unavailable (?P<reason>\S+))? ====$")


def parse_sections(text: str) -> dict[str, str]:
    """Section name -> content for every section the script could read; unavailable ones are left out."""
    sections: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in [*text.splitlines(), "==== secops:end-of-input unavailable eof ===="]:
        match = _HEADER.match(line)
        if match is None:
            if name is not None:
                lines.append(line)
            continue
        if name is not None:
            sections[name] = "\n".join(lines)
        name, lines = (None if match["reason"] else match["name"]), []
    return sections


def lines_of(text: str) -> Iterator[str]:
    """Stripped lines without blank lines and whole-line comments."""
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def to_int(value: str) -> int | None:
    try:
        return int(value.strip().strip("\"'"))
    except ValueError:
        return None


def files_in(sections: dict[str, str], prefix: str = "file:") -> list[str]:
    return [name[len(prefix) :] for name in sections if name.startswith(prefix)]


def file_text(sections: dict[str, str], path: str) -> str | None:
    return sections.get(f"file:{path}")


def glob_files(sections: dict[str, str], pattern: str) -> list[str]:
    """Contents of the files read whose path matches ``pattern``, in the shell's (sorted) glob order."""
    return [sections[f"file:{path}"] for path in sorted(files_in(sections)) if fnmatch.fnmatchcase(path, pattern)]


def key_values(text: str, separator: str | None = "=") -> dict[str, str]:
    """``key = value`` (or ``KEY value`` when separator is None); later lines override earlier ones."""
    values: dict[str, str] = {}
    for line in lines_of(text):
        if separator is None:
            key, _, value = line.partition(" ") if " " in line else line.partition("\t")
        else:
            key, _, value = line.partition(separator)
        values[key.strip().lower()] = value.strip()
    return values
