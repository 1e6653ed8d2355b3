"""Finding, checking and compiling YARA rule files.

The rule set is compiled once per run (``yara.compile`` with one namespace per file) and the
compiled form is cached by the hash of the rules' content, so a scheduled scan does not pay for the
compiler again. A file that does not compile is reported as ``file:line`` and left out; the rest run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yara

from secops.errors import ContentError, ContentErrors, SecopsError
from secops.i18n import _

SUFFIXES = (".yar", ".yara")
REQUIRED_META = ("description", "author", "date", "severity", "reference")  # any rule secops reports
# and what the shipped rules carry too (tests/unit/detection/yara): technique is what the rule
# recognises ("php-input-to-sink", "family-marker", ...), description_zh what a person reads
SHIPPED_META = ("description_zh", "technique", "language", "confidence")
SEVERITIES = ("info", "low", "medium", "high", "critical")
LANGUAGES = ("php", "asp", "aspx", "jsp", "any")  # "any": not tied to one server language
CONFIDENCES = ("high", "medium", "low")
CACHE_KEEP = 4  # compiled rule sets kept in the cache folder (older ones are removed)

_LOCATED = re.compile(r"^(?P<path>.*)\((?P<line>\d+)\): (?P<msg>.*)$", re.S)
_LINE_ONLY = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$", re.S)
_RULE_LINE = re.compile(r"^[ \t]*(?:(?:private|global)[ \t]+)*rule[ \t]+(?P<name>\w+)", re.M)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RuleSet:
    """A compiled rule set and where it came from."""

    rules: Any  # yara.Rules (yara-python has no type information)
    files: tuple[Path, ...]
    digest: str
    rule_count: int
    cached: bool = False
    skipped: tuple[ContentError, ...] = field(default=())
    cache_file: Path | None = None

    def own_files(self) -> tuple[Path, ...]:
        """The rule files and the compiled caches: a scan does not report the rules themselves."""
        cached = sorted(self.cache_file.parent.glob("*.yarc")) if self.cache_file else []
        return (*self.files, *cached)


def default_rules_dir() -> Path:
    from secops.content.locate import content_root

    return content_root("rules") / "yara"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Rule files under ``paths``: folders searched recursively for .yar/.yara, files taken as named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise SecopsError(
                _("YARA rules {path} not found").format(path=path), hint=_("give a rule file or a folder of .yar files")
            )
    return found


def _namespaces(files: Sequence[Path]) -> dict[str, Path]:
    """One namespace per file: its name without the suffix, made unique when two files share it."""
    out: dict[str, Path] = {}
    for path in files:
        name = path.stem
        if name in out:
            name = f"{path.parent.name}.{path.stem}"
        while name in out:
            name += "_"
        out[name] = path
    return out


def _digest(namespaces: dict[str, Path]) -> str:
    h = hashlib.sha256(f"yara-python {yara.__version__} libyara {yara.YARA_VERSION}\n".encode())
    for name, path in namespaces.items():
        data = path.read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def parse_yara_error(text: str, default_path: Path) -> ContentError:
    """``path(line): message`` (or ``line N: message``) from libyara as a ContentError."""
    text = text.strip()
    located = _LOCATED.match(text)
    if located:
        return ContentError(located["path"], int(located["line"]), located["msg"])
    line_only = _LINE_ONLY.match(text)
    if line_only:
        return ContentError(default_path, int(line_only["line"]), line_only["msg"])
    return ContentError(default_path, None, text)


def _compile_each(namespaces: dict[str, Path]) -> tuple[dict[str, Path], list[ContentError]]:
    """Split files into those that compile alone and errors for the others."""
    good: dict[str, Path] = {}
    errors: list[ContentError] = []
    for name, path in namespaces.items():
        try:
            yara.compile(filepaths={name: str(path)})
        except yara.SyntaxError as error:
            errors.append(parse_yara_error(str(error), path))
        except yara.Error as error:
            errors.append(ContentError(path, None, str(error)))
        else:
            good[name] = path
    return good, errors


def _load_cached(cache_file: Path | None) -> Any:
    if cache_file is None or not cache_file.is_file():
        return None
    try:
        return yara.load(str(cache_file))
    except yara.Error:  # truncated or from another libyara: compile afresh
        with contextlib.suppress(OSError):
            cache_file.unlink()
        return None


def _save_cache(rules: Any, cache_file: Path) -> None:
    """Atomic write (a concurrent scan never loads half a file), then drop the oldest entries."""
    folder = cache_file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".yarc-")
        os.close(fd)
        rules.save(tmp)
        os.replace(tmp, cache_file)
        entries = sorted(folder.glob("*.yarc"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_KEEP:]:
            old.unlink()
    except (OSError, yara.Error):
        pass  # a cache that cannot be written only costs the next run a compile


def load_ruleset(paths: Sequence[Path] | None = None, *, cache_dir: Path | None = None) -> RuleSet:
    """Compile the rules under ``paths`` (default: the shipped rules/yara) into one rule set."""
    files = rule_files(paths or [default_rules_dir()])
    if not files:
        where = ", ".join(str(p) for p in (paths or [default_rules_dir()]))
        raise SecopsError(_("no YARA rule files (.yar, .yara) in {paths}").format(paths=where))
    namespaces = _namespaces(files)
    try:
        digest = _digest(namespaces)
    except OSError as error:
        raise SecopsError(_("cannot read YARA rules: {reason}").format(reason=error)) from None
    cache_file = cache_dir / f"{digest}.yarc" if cache_dir is not None else None
    cached = _load_cached(cache_file)
    if cached is not None:
        return RuleSet(cached, tuple(files), digest, sum(1 for _ in cached), cached=True, cache_file=cache_file)

    skipped: list[ContentError] = []
    try:
        rules = yara.compile(filepaths={name: str(path) for name, path in namespaces.items()})
    except yara.Error:
        good, skipped = _compile_each(namespaces)
        if not good:
            raise ContentErrors(skipped) from None
        rules = yara.compile(filepaths={name: str(path) for name, path in good.items()})
    if cache_file is not None and not skipped:
        _save_cache(rules, cache_file)
    return RuleSet(rules, tuple(files), digest, sum(1 for _ in rules), skipped=tuple(skipped), cache_file=cache_file)


def check_rule_file(path: Path) -> list[ContentError]:
    """Content checker for the ``yara-rule`` kind: the file compiles without warnings (a warning
    is a string that slows every scan) and every rule carries the meta secops reports."""
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [ContentError(path, None, _("not UTF-8 text; save the rule file as UTF-8"))]
    except OSError as error:
        return [ContentError(path, None, _("cannot read: {reason}").format(reason=error.strerror or error))]
    try:
        rules = yara.compile(filepath=str(path), error_on_warning=True)
    except yara.WarningError as error:
        warnings = error.args[0] if error.args and isinstance(error.args[0], list) else [str(error)]
        return [parse_yara_error(str(w), path) for w in warnings]
    except yara.SyntaxError as error:
        return [parse_yara_error(str(error), path)]
    except yara.Error as error:
        return [ContentError(path, None, str(error))]

    lines = {m["name"]: source.count("\n", 0, m.start()) + 1 for m in _RULE_LINE.finditer(source)}
    errors: list[ContentError] = []
    for rule in rules:
        line = lines.get(rule.identifier)
        missing = [key for key in REQUIRED_META if key not in rule.meta]
        if missing:
            errors.append(
                ContentError(
                    path,
                    line,
                    _("rule {rule}: meta {keys} missing").format(rule=rule.identifier, keys=", ".join(missing)),
                )
            )
        severity = rule.meta.get("severity")
        if severity is not None and severity not in SEVERITIES:
            errors.append(
                ContentError(
                    path,
                    line,
                    _("rule {rule}: {key} {value!r} is not one of {choices}").format(
                        rule=rule.identifier, key="severity", value=severity, choices=", ".join(SEVERITIES)
                    ),
                )
            )
        for key, allowed in (("language", LANGUAGES), ("confidence", CONFIDENCES)):
            value = rule.meta.get(key)
            if value is not None and value not in allowed:
                errors.append(
                    ContentError(
                        path,
                        line,
                        _("rule {rule}: {key} {value!r} is not one of {choices}").format(
                            rule=rule.identifier, key=key, value=value, choices=", ".join(allowed)
                        ),
                    )
                )
        date = rule.meta.get("date")
        if date is not None and not _DATE.match(str(date)):
            errors.append(
                ContentError(
                    path,
                    line,
                    _("rule {rule}: date {date!r} is not YYYY-MM-DD").format(rule=rule.identifier, date=date),
                )
            )
    return errors
