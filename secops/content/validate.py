"""Schema validation of content files, reporting every problem as ``file:line: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from secops.content.kinds import KINDS, ContentKind, kind_named, kind_of
from secops.content.yamlload import LineDict, line_of, load_yaml
from secops.errors import ContentError, ContentErrors
from secops.i18n import _

Unit = TypeVar("Unit", bound="ContentUnit")


class ContentUnit(BaseModel):
    """Base of every YAML content schema: unknown keys are errors, the source file is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    _path: Path | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> Path | None:
        return self._path


def pydantic_errors(path: Path, data: Any, error: ValidationError) -> list[ContentError]:
    found = []
    for item in error.errors():
        loc = [part for part in item["loc"] if not isinstance(part, str) or not part.startswith("function-")]
        where = ".".join(str(part) for part in loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling)"
        found.append(ContentError(path, line_of(data, loc), f"{where}: {message}" if where else message))
    return found


def parse_unit(path: Path, kind: ContentKind) -> tuple[Any, list[ContentError]]:
    """Load one YAML unit and validate it; returns (model or None, errors)."""
    try:
        data = load_yaml(path)
    except ContentError as error:
        return None, [error]
    if not isinstance(data, LineDict):
        return None, [
            ContentError(
                path, getattr(data, "line", 1) or 1, _("a {kind} must be a YAML mapping").format(kind=kind.name)
            )
        ]
    schema = kind.load_schema()
    try:
        unit = schema.model_validate(dict(data))
    except ValidationError as error:
        return None, pydantic_errors(path, data, error)
    errors = []
    expected_id = path.name.split(".")[0]
    if kind.id_is_file_name and unit.id != expected_id:
        errors.append(
            ContentError(
                path,
                data.key_lines.get("id"),
                _("id {id!r} must equal the file name {name!r}").format(id=unit.id, name=expected_id),
            )
        )
    unit._path = path
    return unit, errors


def check_file(path: Path, kind: ContentKind | None = None) -> list[ContentError]:
    kind = kind or kind_of(path)
    if kind is None:
        return [
            ContentError(
                path, None, _("not a known kind of content: {names}").format(names=", ".join(k.name for k in KINDS))
            )
        ]
    if kind.checker:
        return list(kind.load_checker()(path))
    return parse_unit(path, kind)[1]


_SIGMA_KEYS = re.compile(rb"^(detection|logsource|correlation)[ \t]*:", re.MULTILINE)


def sniff_kind(path: Path) -> ContentKind | None:
    """The kind of a file outside the content folders, from what it holds: a user's own rules folder
    (``detect run --rules ~/myrules``) has Sigma rules and YARA files under any name."""
    if path.name.endswith((".yar", ".yara")):
        return kind_named("yara-rule")
    if not path.name.endswith((".yml", ".yaml")):
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return None
    keys = {m.group(1).decode() for m in _SIGMA_KEYS.finditer(head)}
    return kind_named("sigma-rule") if {"detection", "logsource"} <= keys or "correlation" in keys else None


def iter_content_files(
    paths: Iterable[Path], kind: ContentKind | None = None
) -> Iterator[tuple[Path, ContentKind | None]]:
    """Files under ``paths`` with their kind (``kind`` forces one for every file with its suffixes);
    a file given by name is checked even if unknown."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if kind is not None:
                    if child.name.endswith(kind.suffixes):
                        yield child, kind
                    continue
                found = kind_of(child.resolve()) or sniff_kind(child)
                if found is not None:
                    yield child, found
        else:
            yield path, kind or kind_of(path.resolve()) or sniff_kind(path)


def validate_paths(paths: Iterable[Path], kind: ContentKind | None = None) -> tuple[int, list[ContentError]]:
    """Check every content file under ``paths``; returns (files checked, errors)."""
    checked, errors = 0, []
    for path, found in iter_content_files(paths, kind):
        if not path.exists():
            errors.append(ContentError(path, None, _("no such file or folder")))
            continue
        checked += 1
        errors.extend(check_file(path, found))
    return checked, errors


def load_units(kind_name: str, extra_dirs: Iterable[Path] = ()) -> list[Any]:
    """Every unit of one kind from the shipped content (plus ``extra_dirs``), validated.

    Raises ContentErrors listing every problem; units with duplicate ids are an error too.
    """
    kind = kind_named(kind_name)
    files = kind.shipped_files()
    for folder in extra_dirs:
        files.extend(p for p in sorted(Path(folder).rglob("*")) if p.is_file() and p.name.endswith(kind.suffixes))
    units: list[Any] = []
    errors: list[ContentError] = []
    seen: dict[str, Path] = {}
    for path in files:
        unit, problems = parse_unit(path, kind)
        errors.extend(problems)
        if unit is None:
            continue
        if unit.id in seen:
            errors.append(
                ContentError(
                    path, None, _("duplicate id {id!r} (also in {other})").format(id=unit.id, other=seen[unit.id])
                )
            )
            continue
        seen[unit.id] = path
        units.append(unit)
    if errors:
        raise ContentErrors(errors)
    return units
