"""YAML loading that remembers where every mapping key and list item came from, with bounds.

Errors in content must name ``file:line``; plain dicts forget that, so the loader builds
``LineDict``/``LineList`` which carry the line of the node and of each key or item.

Every YAML secops reads goes through a loader of this module: aliases may not expand a document
past ``MAX_ALIAS_EXPANSION`` nodes more than it holds ("billion laughs": 1 KB that every consumer
walking it would expand to billions of values), may not refer to their own anchor, and nesting
too deep for the constructors is refused, each as one ``file:line`` error. ``safe_load`` and
``safe_load_all`` are the bounded stand-ins for PyYAML's for code that wants plain dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from secops.errors import ContentError
from secops.i18n import _

try:  # libyaml is much faster on big rule sets; fall back to pure Python.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class LineDict(dict[Any, Any]):
    """A dict that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}


class LineList(list[Any]):
    """A list that knows the line of itself and of each item (1-based)."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


# Aliases may make a document this many nodes bigger than it is written; legitimate content
# (shared lists via anchors) stays far below it, a billion-laughs rule is 10^9 over.
MAX_ALIAS_EXPANSION = 100_000


class YAMLBoundError(yaml.MarkedYAMLError):
    """A document refused by the bounds (a yaml.YAMLError, so existing handlers catch it)."""


def check_expansion(root: yaml.Node, limit: int = MAX_ALIAS_EXPANSION) -> None:
    """Refuse a composed document whose aliases expand it past ``limit`` extra nodes.

    The composer shares one node per anchor, so the expanded size is computed once per distinct
    node (memoized): linear in the text however far it would expand."""
    sizes: dict[int, int] = {}
    seen_twice: dict[int, yaml.Node] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            seen_twice[key] = node
            return known
        if key in open_nodes:
            raise YAMLBoundError(
                problem="a YAML alias refers to its own anchor (a recursive structure is not allowed)",
                problem_mark=node.start_mark,
            )
        total = 1
        if isinstance(node, yaml.SequenceNode):
            open_nodes.add(key)
            total += sum(size(child) for child in node.value)
            open_nodes.discard(key)
        elif isinstance(node, yaml.MappingNode):
            open_nodes.add(key)
            total += sum(size(k) + size(v) for k, v in node.value)
            open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    extra = expanded - len(sizes)
    if extra > limit:
        anchor = max(seen_twice.values(), key=lambda n: sizes[id(n)], default=root)
        raise YAMLBoundError(
            problem=(
                f"too many YAML aliases/anchors expansion: the document would expand to {expanded:,} nodes "
                f"(aliases may add at most {limit:,}); write the values out instead of nesting aliases"
            ),
            problem_mark=anchor.start_mark,
        )


class _BoundedMixin:
    """Checks each composed document before constructing it (the C composer cannot be hooked)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)  # type: ignore[call-arg]
        # Without an anchor there is no alias: plain rule files skip the check (no cost at all).
        self._may_alias = not isinstance(stream, str) or "&" in stream

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            if self._may_alias:
                check_expansion(node)
            return super().construct_document(node)  # type: ignore[misc]
        except RecursionError:
            raise YAMLBoundError(
                problem="nested too deeply (YAML lists and mappings inside each other)", problem_mark=node.start_mark
            ) from None


class _LineLoader(_BoundedMixin, _BaseLoader):  # type: ignore[misc]  # a base chosen at import (libyaml or not)
    pass


class PlainLoader(_BoundedMixin, _BaseLoader):  # type: ignore[misc]  # the same variable base
    """A bounded safe loader building plain dicts and lists (libyaml when available)."""


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the bounds; errors are yaml.YAMLError as with PyYAML."""
    return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - PlainLoader derives from SafeLoader


def safe_load_all(text: str) -> list[Any]:
    """``list(yaml.safe_load_all(text))`` with the bounds."""
    return list(yaml.load_all(text, Loader=PlainLoader))


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise _DuplicateKey(
                problem="a mapping key must be a plain value", problem_mark=key_node.start_mark
            ) from None
        if key in result:
            raise _DuplicateKey(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml_text(text: str, path: Path | str = "<string>", *, multi: bool = False) -> Any:
    """Parse YAML text; a syntax error becomes a ContentError at ``path:line``."""
    try:
        if multi:
            return [doc for doc in yaml.load_all(text, Loader=_LineLoader) if doc is not None]
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except YAMLBoundError as exc:
        mark = exc.problem_mark
        raise ContentError(path, mark.line + 1 if mark is not None else None, str(exc.problem)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or _("invalid YAML")
        opened = exc.context_mark
        if exc.problem and exc.context and opened is not None and opened.line + 1 != line:
            problem += f" ({exc.context} that starts at line {opened.line + 1})"
        raise ContentError(path, line, _("invalid YAML: {problem}").format(problem=problem)) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, None, _("invalid YAML: {problem}").format(problem=exc)) from None


def load_yaml(path: Path, *, multi: bool = False) -> Any:
    """Read and parse a YAML file with line information (see :func:`load_yaml_text`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentError(path, None, _("file not found")) from None
    except OSError as exc:
        raise ContentError(path, None, _("cannot read file: {reason}").format(reason=exc.strerror)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(path, line, _("not UTF-8 text; save the file as UTF-8")) from None
    return load_yaml_text(text, path, multi=multi)


def line_of(data: Any, loc: Sequence[Any]) -> int | None:
    """The line of the deepest node that ``loc`` (a key/index path) reaches in ``data``."""
    line = getattr(data, "line", None) or None
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line
