"""Content: the rules, profiles, playbooks and templates that live outside the code.

The names are loaded on first use: finding the content folder (``secops.content.locate``) must not
import the YAML loader, which every ``yara scan`` and ``detect run`` would pay for at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secops.content.locate import content_root, content_roots
    from secops.content.yamlload import LineDict, LineList, line_of, load_yaml, load_yaml_text

__all__ = [
    "LineDict",
    "LineList",
    "content_root",
    "content_roots",
    "line_of",
    "load_yaml",
    "load_yaml_text",
]
_LOCATE = ("content_root", "content_roots")


def __getattr__(name: str) -> Any:
    if name in _LOCATE:
        from secops.content import locate

        return getattr(locate, name)
    if name in __all__:
        from secops.content import yamlload

        return getattr(yamlload, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
