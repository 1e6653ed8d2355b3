"""Reading stored records: what ``from_json`` of every record shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def extra_keys(data: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """The keys a record does not know (written by another version), kept to be written back."""
    return {key: value for key, value in data.items() if key not in known}


def strs(value: Any) -> tuple[str, ...]:
    return tuple(value or ())
