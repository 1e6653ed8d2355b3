"""Reading a grading answers file (YAML) with file:line errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secops.content.yamlload import LineDict, load_yaml
from secops.dengbao.catalog import parse_extensions
from secops.dengbao.grading import Grading, GradingInputError, grade, normalize_degree, normalize_object
from secops.errors import ContentError, ContentErrors, SecopsError
from secops.i18n import _

_DIMENSION_KEYS = {"business": "business", "业务信息安全": "business", "service": "service", "系统服务安全": "service"}
_OBJECT_KEYS = ("object", "客体", "受侵害的客体")
_DEGREE_KEYS = ("degree", "程度", "侵害程度")
_TOP_KEYS = {"system", "系统", "preset", "large_personal_data", "public_service", "extensions", "notes"}


@dataclass(frozen=True)
class GradingAnswers:
    system: str | None
    grading: Grading
    extensions: tuple[str, ...]
    preset: str | None


def _pick(block: LineDict, names: tuple[str, ...]) -> tuple[Any, int | None]:
    for name in names:
        if name in block:
            return block[name], block.key_lines.get(name)
    return None, block.line or None


def load_grading_answers(path: Path) -> GradingAnswers:
    if not path.is_file():
        raise SecopsError(
            _("{path}: no such answers file").format(path=path),
            hint=_("write one with: secops dengbao grade --preset NAME -o FILE"),
        )
    data = load_yaml(path)
    if not isinstance(data, LineDict):
        raise ContentError(path, 1, _("a grading answers file must be a YAML mapping with business: and service:"))
    errors: list[ContentError] = []
    errored: set[str] = set()  # dimensions already reported, so "missing" is not added on top
    pairs: dict[str, tuple[str, str]] = {}
    for key, value in data.items():
        line = data.key_lines.get(key)
        dimension = _DIMENSION_KEYS.get(str(key))
        if dimension is None:
            if str(key) not in _TOP_KEYS:
                errors.append(
                    ContentError(
                        path, line, _("unknown key {key!r} (expected business, service, system)").format(key=key)
                    )
                )
            continue
        errored.add(dimension)
        if not isinstance(value, LineDict):
            errors.append(
                ContentError(path, line, _("{key}: expected a mapping with object: and degree:").format(key=key))
            )
            continue
        obj, obj_line = _pick(value, _OBJECT_KEYS)
        degree, degree_line = _pick(value, _DEGREE_KEYS)
        for name, found, where in (("object", obj, obj_line), ("degree", degree, degree_line)):
            if found is None:
                errors.append(ContentError(path, where, _("{key}: missing {name}").format(key=key, name=name)))
        if obj is None or degree is None:
            continue
        try:
            normalize_object(obj)
        except GradingInputError as error:
            errors.append(ContentError(path, obj_line, f"{key}: {error}"))
            continue
        try:
            normalize_degree(degree)
        except GradingInputError as error:
            errors.append(ContentError(path, degree_line, f"{key}: {error}"))
            continue
        pairs[dimension] = (str(obj), str(degree))
        errored.discard(dimension)
    for dimension, title in (("business", "业务信息安全"), ("service", "系统服务安全")):
        if dimension not in pairs and dimension not in errored:
            errors.append(
                ContentError(
                    path,
                    None,
                    _("missing {dimension}: ({title}) with object: and degree:").format(
                        dimension=dimension, title=title
                    ),
                )
            )
    flags: dict[str, bool] = {}
    for flag in ("large_personal_data", "public_service"):
        value = data.get(flag, False)
        if not isinstance(value, bool):
            errors.append(
                ContentError(path, data.key_lines.get(flag), _("{flag}: must be true or false").format(flag=flag))
            )
        flags[flag] = bool(value)
    extensions: tuple[str, ...] = ()
    raw_ext = data.get("extensions", [])
    ext_line = data.key_lines.get("extensions")
    if raw_ext is None or isinstance(raw_ext, (str, list)):
        try:
            extensions = parse_extensions([raw_ext] if isinstance(raw_ext, str) else [str(v) for v in raw_ext or []])
        except SecopsError as error:
            errors.append(ContentError(path, ext_line, error.message))
    else:
        errors.append(ContentError(path, ext_line, _("extensions: expected a list such as [cloud, iot]")))
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    system = data.get("system", data.get("系统"))
    result = grade(pairs["business"], pairs["service"], **flags)
    preset = data.get("preset")
    return GradingAnswers(str(system) if system else None, result, extensions, str(preset) if preset else None)
