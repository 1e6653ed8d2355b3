"""Sigma -> Elasticsearch queries (Lucene, ES|QL, EQL) through pySigma's Elasticsearch backend.

``convert_rules(paths, target, pipeline)`` converts every rule under ``paths``; a rule the target
cannot express is reported with its reason (``ConvertedRule.error``) and the rest still convert.
What the targets can do (pySigma-backend-elasticsearch 2.1.1):

* ``lucene`` -- plain and keyword (field-less) rules; no correlations, no ``|cased``, no fieldref.
* ``esql`` -- plain rules and correlations (``stats`` over fixed ``date_trunc`` buckets: a burst
  across a bucket edge is missed, unlike ``secops detect run``'s sliding windows); no keyword rules.
* ``eql`` -- plain rules and correlations (``sequence ... with maxspan``, ``with runs=N`` for counts,
  which EQL takes as an exact run of N); keyword rules are
  refused here because the backend would emit ``any where "text"``, which EQL rejects.

A correlation's base rules are not emitted on their own unless the correlation says
``generate: true`` (Sigma's rule); they are listed with a note. ``--pipeline`` names one or more
(comma-separated) installed pySigma pipelines or pipeline YAML files.

ES|QL and the secops index template (``index_template()``): the template lowercases every keyword
term, and ES|QL compares those stored terms without applying the normalizer to the query, so for
ES|QL without a pipeline (the secops event indices, which keep Sigma's field names) string values
are lowercased in the query. With a pipeline the target is someone else's schema (Beats/ECS),
so values are left as written; ``lowercase_values`` overrides either way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sigma.backends.elasticsearch.elasticsearch_eql import EqlBackend
from sigma.backends.elasticsearch.elasticsearch_esql import ESQLBackend
from sigma.backends.elasticsearch.elasticsearch_lucene import LuceneBackend
from sigma.collection import SigmaCollection
from sigma.conversion.base import TextQueryBackend
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaPipelineNotAllowedForBackendError, SigmaPipelineNotFoundError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.resolver import ProcessingPipelineResolver
from sigma.processing.transformations.values import CaseTransformation
from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaRule

from secops.detection.index_template import index_template
from secops.detection.sigma.rules import load_rules
from secops.errors import SecopsError
from secops.i18n import _

__all__ = ["TARGETS", "ConvertedRule", "convert_rules", "index_template", "known_pipelines"]

TARGETS: dict[str, type[TextQueryBackend]] = {"lucene": LuceneBackend, "esql": ESQLBackend, "eql": EqlBackend}
_CONTEXT_SUFFIX = re.compile(r"\s*\(while [^()]*rule [^()]*\)\s*$")


@dataclass
class ConvertedRule:
    """One rule's conversion: its queries, or why it could not be converted."""

    path: str
    line: int | None
    id: str | None
    title: str
    kind: str = "rule"  # rule | correlation
    queries: list[str] = field(default_factory=list)
    error: str | None = None
    note: str | None = None

    @property
    def query(self) -> str | None:
        """The query (several conditions of one rule give several queries, one per line)."""
        return "\n".join(self.queries) if self.queries else None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "query": self.query,
            "error": self.error,
        }
        if self.note:
            value["note"] = self.note
        return value


@functools.lru_cache(maxsize=1)
def _installed_pipelines() -> dict[str, Any]:
    from sigma.plugins import InstalledSigmaPlugins

    return dict(InstalledSigmaPlugins.autodiscover(include_backends=False, include_validators=False).pipelines)


def known_pipelines() -> list[str]:
    """Names of the installed pySigma processing pipelines (ecs_windows, sysmon, windows-audit, ...)."""
    return sorted(_installed_pipelines())


def resolve_pipeline(spec: str | None, target: str) -> ProcessingPipeline | None:
    """The processing pipeline for ``spec`` (comma-separated names or YAML files), or a SecopsError."""
    if not spec:
        return None
    names = [part.strip() for part in spec.split(",") if part.strip()]
    resolver = ProcessingPipelineResolver(_installed_pipelines())
    try:
        return resolver.resolve(names, target=target)
    except SigmaPipelineNotFoundError as error:
        raise SecopsError(
            _("unknown Sigma pipeline: {reason}").format(reason=error),
            hint=_("known: {names}; or the path of a pipeline YAML file").format(names=", ".join(known_pipelines())),
        ) from None
    except SigmaPipelineNotAllowedForBackendError as error:
        raise SecopsError(
            _("pipeline cannot be used with target {target}: {reason}").format(target=target, reason=error)
        ) from None
    except (SigmaError, OSError, ValueError) as error:
        raise SecopsError(_("invalid Sigma pipeline {spec!r}: {reason}").format(spec=spec, reason=error)) from None


def convert_rules(
    paths: Iterable[Path | str],
    target: str,
    pipeline: str | None = None,
    *,
    lowercase_values: bool | None = None,
) -> list[ConvertedRule]:
    """Convert the Sigma rules under ``paths`` to ``target`` (lucene | esql | eql).

    Raises SecopsError for an unknown target or pipeline; problems with single rules (invalid
    Sigma, unsupported by the target) are reported in their ``ConvertedRule.error``.
    """
    backend_class = TARGETS.get(target)
    if backend_class is None:
        raise SecopsError(
            _("unknown conversion target {target!r}").format(target=target),
            hint=_("use one of {choices}").format(choices=", ".join(TARGETS)),
        )
    processing = resolve_pipeline(pipeline, target)
    if lowercase_values is None:
        lowercase_values = target == "esql" and processing is None
    if lowercase_values:
        processing = (processing or ProcessingPipeline()) + _lowercase_pipeline()

    ruleset = load_rules(paths)
    results: list[ConvertedRule] = [
        ConvertedRule(str(error.path), error.line, None, "", error=error.message) for error in ruleset.errors
    ]
    # The Elasticsearch backends' constructors are untyped (index names, schedules as options).
    backend: TextQueryBackend = cast(Any, backend_class)(processing_pipeline=processing, collect_errors=True)
    backend.init_processing_pipeline(backend.default_format)
    supports_correlations = backend.correlation_methods is not None

    collection = SigmaCollection([*ruleset.rules, *ruleset.correlations], resolve_references=False)
    correlations: list[SigmaCorrelationRule] = []
    for correlation in ruleset.correlations:
        entry = _entry(ruleset.origin(correlation), correlation, "correlation")
        if not supports_correlations:
            entry.error = _("{target} cannot express correlation rules; convert them to esql or eql").format(
                target=target
            )
            results.append(entry)
            continue
        try:
            correlation.resolve_rule_references(collection)  # also mutes base rules unless generate: true
        except SigmaError as error:
            entry.error = sigma_error_message(error)
            results.append(entry)
            continue
        correlations.append(correlation)

    users: dict[int, list[str]] = {}
    for correlation in correlations:
        for ref in correlation.referenced_rules:
            users.setdefault(id(ref.rule), []).append(correlation.title)

    # Base rules first: a correlation's query is built from its base rules' converted queries.
    for rule in ruleset.rules:
        entry = _entry(ruleset.origin(rule), rule, "rule")
        if target == "eql" and _has_keywords(rule):
            entry.error = _("keyword (field-less) detections have no EQL equivalent; use lucene")
        else:
            _convert(backend, rule, entry)
            if not entry.queries and entry.error is None and id(rule) in users:
                entry.note = _("part of correlation {titles}").format(
                    titles=", ".join(repr(t) for t in users[id(rule)])
                )
        results.append(entry)
    for correlation in sorted(correlations):  # pySigma orders referenced correlations first
        entry = _entry(ruleset.origin(correlation), correlation, "correlation")
        _convert(backend, correlation, entry)
        results.append(entry)
    results.sort(key=lambda entry: (entry.path, entry.line or 0))
    return results


def _entry(origin: tuple[Path, int], rule: SigmaRule | SigmaCorrelationRule, kind: str) -> ConvertedRule:
    path, line = origin
    rule_id = str(rule.id) if rule.id is not None else rule.name
    return ConvertedRule(str(path), line or None, rule_id, rule.title, kind)


def _convert(backend: TextQueryBackend, rule: SigmaRule | SigmaCorrelationRule, entry: ConvertedRule) -> None:
    """Convert one rule; whatever the backend raises or collects becomes the entry's error."""
    collected = len(backend.errors)
    try:
        if isinstance(rule, SigmaCorrelationRule):
            queries = backend.convert_correlation_rule(rule, backend.default_format)
        else:
            queries = backend.convert_rule(rule, backend.default_format)
    except (SigmaError, NotImplementedError) as error:
        entry.error = sigma_error_message(error)
        return
    except Exception as error:  # a backend bug on one rule must not stop the others
        entry.error = _("conversion failed: {kind}: {reason}").format(
            kind=type(error).__name__, reason=sigma_error_message(error)
        )
        return
    if len(backend.errors) > collected:
        entry.error = "; ".join(sigma_error_message(error) for _rule, error in backend.errors[collected:])
        return
    entry.queries = [query if isinstance(query, str) else str(query) for query in queries]


def sigma_error_message(error: BaseException) -> str:
    """The error's own words, without the rule dump and location pySigma appends (we report those)."""
    text = ValueError.__str__(error) if isinstance(error, SigmaError) else str(error)
    return _CONTEXT_SUFFIX.sub("", text).strip() or type(error).__name__


def _has_keywords(rule: SigmaRule) -> bool:
    """Whether any detection matches values without a field (a keyword search over the event)."""

    def walk(detection: SigmaDetection) -> bool:
        for item in detection.detection_items:
            if isinstance(item, SigmaDetection):
                if walk(item):
                    return True
            elif isinstance(item, SigmaDetectionItem) and item.field is None:
                return True
        return False

    return any(walk(detection) for detection in rule.detection.detections.values())


def _lowercase_pipeline() -> ProcessingPipeline:
    return ProcessingPipeline(
        name="secops: lowercase values (index template normalizer)",
        priority=100,
        items=[ProcessingItem(CaseTransformation(method="lower"), identifier="secops_lowercase_values")],
    )
