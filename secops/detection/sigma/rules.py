"""Loading Sigma rules from files and folders with pySigma, one bad rule never stopping the rest.

Every problem becomes a ``ContentError(path, line, msg)`` in ``RuleSet.errors`` and only the rule
concerned is skipped. pySigma rarely knows line numbers, so the line is looked up in the text
(the unknown modifier, the detection key) and falls back to the start of the YAML document.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection, deep_dict_update
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.filters import SigmaFilter
from sigma.modifiers import SigmaWideModifier, modifier_mapping

from secops.content.yamlload import PlainLoader
from secops.detection.sigma.ruleset import RuleSet, iter_rule_files
from secops.detection.sigma.shape import shape_problems
from secops.errors import ContentError
from secops.i18n import _

# Sigma's specification names UTF-16LE encoding `utf16le` (an alias of `wide`); pySigma 1.5 knows
# only `wide`, so rules written to the specification would be rejected without this alias.
modifier_mapping.setdefault("utf16le", SigmaWideModifier)

_LOADER: Any = PlainLoader  # libyaml-based, and bounded: a billion-laughs rule is refused
_DOC_START = re.compile(r"^---\s*$", re.MULTILINE)
_SECTION = re.compile(r"Sigma (?:rule )?(tags|level|title|status|logsource|detection|date|modified|related)\b")
# pySigma names a value by its repr ("<sigma.types.SigmaNull object at 0x7f...>"): "null" reads better
# and is the same from one run to the next
_OBJECT_REPR = re.compile(r"<sigma\.types\.Sigma(\w+) object at 0x[0-9a-fA-F]+>")
_UNKNOWN_MODIFIER = re.compile(r"Unknown modifier '?\"?([A-Za-z0-9_]+)")


def load_rules(paths: Iterable[Path | str]) -> RuleSet:
    """Parse every Sigma file under ``paths`` (files or folders, recursively)."""
    ruleset = RuleSet()
    filters: list[tuple[SigmaFilter, Path, int]] = []
    for path in iter_rule_files(paths):
        ruleset.files += 1
        _load_file(path, ruleset, filters)
    for sigma_filter, path, line in filters:
        _apply_filter(sigma_filter, path, line, ruleset)
    _check_references(ruleset)
    return ruleset


def _load_file(path: Path, ruleset: RuleSet, filters: list[tuple[SigmaFilter, Path, int]]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        ruleset.errors.append(ContentError(path, None, _("no such file")))
        return
    except (OSError, UnicodeDecodeError) as error:
        ruleset.errors.append(ContentError(path, None, _("cannot read: {reason}").format(reason=error)))
        return
    try:
        documents = list(yaml.load_all(text, Loader=_LOADER))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        last = text.count("\n") + 1  # the empty line after a final newline included, as editors show it
        line = min(mark.line + 1, last) if mark is not None else None  # "end of stream" is past the last line
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        ruleset.errors.append(ContentError(path, line, _("invalid YAML: {problem}").format(problem=problem)))
        return
    starts = _document_lines(text)
    global_doc: dict[str, Any] = {}
    for index, document in enumerate(documents):
        line = starts[index] if index < len(starts) else 1
        if document is None:
            continue
        if not isinstance(document, dict):
            ruleset.errors.append(ContentError(path, line, _("a Sigma rule must be a YAML mapping")))
            continue
        action = document.get("action")
        if action == "global":  # the legacy multi-document template (pySigma merges it the same way)
            global_doc = {k: v for k, v in document.items() if k != "action"}
            continue
        if action == "reset":
            global_doc = {}
            continue
        _load_document(path, line, text, document, global_doc, ruleset, filters)


def _load_document(
    path: Path,
    line: int,
    text: str,
    document: dict[str, Any],
    global_doc: dict[str, Any],
    ruleset: RuleSet,
    filters: list[tuple[SigmaFilter, Path, int]],
) -> None:
    source = SigmaRuleLocation(path, line)
    merged = _merged(document, global_doc)
    problems = shape_problems(merged)
    if problems:
        for needle, message in problems:
            ruleset.errors.append(ContentError(path, _line_of(text, needle, line) or line, message))
        return
    try:
        parsed = SigmaCollection.from_dicts(
            [merged],
            collect_errors=True,
            source=source,
            collect_filters=True,
            resolve_references=False,
        )
    except SigmaError as error:
        ruleset.errors.append(ContentError(path, _error_line(error, text, line), _message(error)))
        return
    except Exception as error:  # pySigma raises plain Python errors on some malformed input
        message = _("invalid Sigma rule: {kind}: {reason}").format(kind=type(error).__name__, reason=error)
        ruleset.errors.append(ContentError(path, line, message))
        return
    failed = list(parsed.errors)
    for item in [*parsed.rules, *parsed.filters]:
        failed += [e for e in getattr(item, "errors", []) if e not in failed]
    if failed:
        for problem in failed:
            ruleset.errors.append(ContentError(path, _error_line(problem, text, line), _message(problem)))
        return
    for sigma_filter in parsed.filters:
        filters.append((sigma_filter, path, line))
    for rule in parsed.rules:
        ruleset.origins[id(rule)] = (path, line)
        ruleset.raw[id(rule)] = document
        if isinstance(rule, SigmaCorrelationRule):
            ruleset.correlations.append(rule)
        else:
            ruleset.rules.append(rule)


def _merged(document: dict[str, Any], global_doc: dict[str, Any]) -> dict[str, Any]:
    """A document merged with the file's ``action: global`` template (as pySigma does)."""
    if not global_doc or "correlation" in document or "filter" in document:
        return document
    return deep_dict_update(copy.deepcopy(document), copy.deepcopy(global_doc))


def _apply_filter(sigma_filter: SigmaFilter, path: Path, line: int, ruleset: RuleSet) -> None:
    """Sigma meta filters add exclusions to the rules they name."""
    for index, rule in enumerate(ruleset.rules):
        try:
            filtered = sigma_filter.apply_on_rule(rule)
        except SigmaError as error:
            ruleset.errors.append(ContentError(path, line, _message(error)))
            return
        if filtered is not rule:  # pySigma changes the rule in place today; keep working if it copies
            ruleset.origins[id(filtered)] = ruleset.origin(rule)
            ruleset.raw[id(filtered)] = ruleset.raw_of(rule)
            ruleset.rules[index] = filtered  # type: ignore[assignment]


def _check_references(ruleset: RuleSet) -> None:
    """A correlation whose base rules are missing cannot run: report it and drop it."""
    kept = []
    for correlation in ruleset.correlations:
        missing = [ref for ref in ruleset.references(correlation) if ruleset.resolve(ref) is None]
        if missing:
            path, line = ruleset.origin(correlation)
            ruleset.errors.append(
                ContentError(
                    path,
                    line,
                    _("correlation '{title}' references unknown rule(s): {missing}").format(
                        title=correlation.title, missing=missing
                    ),
                )
            )
        else:
            kept.append(correlation)
    ruleset.correlations = kept


def _document_lines(text: str) -> list[int]:
    """The first line of each YAML document in ``text`` (1-based)."""
    starts = [1]
    for found in _DOC_START.finditer(text):
        line = text.count("\n", 0, found.start()) + 2
        if found.start() == 0:
            starts[0] = 2
        else:
            starts.append(line)
    return starts


def _message(error: Exception) -> str:
    message = error.args[0] if error.args else str(error)
    return _OBJECT_REPR.sub(lambda found: found.group(1).lower(), str(message))


def _error_line(error: Exception, text: str, fallback: int) -> int:
    source = getattr(error, "source", None)
    if source is not None and getattr(source, "line", None) and source.line != fallback:
        return int(source.line)
    unknown = _UNKNOWN_MODIFIER.search(_message(error))
    if unknown:
        found = _line_of(text, "|" + unknown.group(1), fallback)
        if found:
            return found
    section = _SECTION.match(_message(error))  # "Sigma rule tags must be a list of strings"
    if section:
        found = _line_of(text, f"{section.group(1)}:", fallback)
        if found:
            return found
    detection = re.search(r"Detection '([^']+)'", _message(error))
    if detection:
        found = _line_of(text, "condition:", fallback)
        if found:
            return found
    return fallback


def _line_of(text: str, needle: str, start_line: int) -> int | None:
    lines = text.splitlines()
    for number in range(max(start_line - 1, 0), len(lines)):
        if needle in lines[number]:
            return number + 1
    return None
