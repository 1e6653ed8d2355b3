"""What pySigma takes without checking and then trips over when the rule is compiled or run.

pySigma parses ``condition: 1`` or ``x|re: 5`` into a rule and fails only later, with a bare
``TypeError`` or ``AttributeError``. These checks run on the YAML mapping before pySigma sees it, so
such a rule is a load error at its own line, reported the same by ``secops content validate`` and by
``secops detect run``. Each problem is (text to find the line by, message).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from secops.i18n import _

Problem = tuple[str, str]


def shape_problems(document: dict[str, Any]) -> list[Problem]:
    detection = document.get("detection")
    if not isinstance(detection, dict):
        return []  # pySigma reports a missing or non-mapping detection itself
    problems: list[Problem] = []
    if "condition" in detection:
        condition = detection["condition"]
        items = condition if isinstance(condition, list) else [condition]
        if not items or not all(isinstance(item, str) for item in items):
            problems.append(("condition:", _("the detection's condition must be a string or a list of strings")))
    for name, selection in detection.items():
        if name == "condition":
            continue
        if not isinstance(name, str):
            problems.append((f"{name}:", _("detection name {name!r} must be a string").format(name=name)))
            continue
        for key, value in _fields(selection):
            if key is None:
                continue  # a null key is a keyword list, as pySigma reads it
            if not isinstance(key, str):
                problems.append(
                    (f"{key}:", _("field name {key!r} in '{name}' must be a string").format(key=key, name=name))
                )
                continue
            modifiers = key.split("|")[1:]
            values = value if isinstance(value, list) else [value]
            if "re" in modifiers and not all(isinstance(item, str) for item in values):
                problems.append(
                    (
                        f"{key}:",
                        _("'{key}' in '{name}': a regular expression must be a string").format(key=key, name=name),
                    )
                )
    return problems


def _fields(selection: Any) -> Iterator[tuple[Any, Any]]:
    """(key, value) of a selection: a mapping, or a list that may hold mappings (OR-linked)."""
    if isinstance(selection, dict):
        yield from selection.items()
    elif isinstance(selection, list):
        for item in selection:
            if isinstance(item, dict):
                yield from item.items()
