"""Sigma hunts on Elasticsearch: the rules of ``secops detect run``, run over indexed events.

For each detection rule, its Lucene query (pySigma's Elasticsearch backend, see
:mod:`hunt_query`) runs as ``query_string`` with an ``@timestamp`` range over the index pattern,
paging through every hit (:mod:`hunt_search`). Hits become the reader's events again
(:func:`es_index.batches_from_hits`); the rule's logsource is checked on them, and a rule whose
query had to be relaxed (regular expressions, CIDR, ...) is confirmed by the local engine's
compiled rule, so a hunt and a local run agree on every event.

Correlation rules are not translated at all: the hits of their base rules are handed to the local
engine's :meth:`Engine.correlate`, so sliding windows, grouping and de-duplication are those of
``secops detect run`` by construction. Base rules are fetched from further back (the correlations'
timespans) so a burst that started before ``--since`` is seen whole; only detections and
correlation alerts that fall inside the window are reported.

A rule that cannot be hunted (invalid, not convertible, a correlation whose base rule is not) is
reported with the reason, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secops.detection.es_index import batches_from_hits
from secops.detection.events import Match
from secops.detection.hunt_query import LuceneQuery, lucene_queries, search_body
from secops.detection.hunt_search import QueryRefused, Searcher, check_indices
from secops.detection.sigma.correlation import correlation_rule_id
from secops.detection.sigma.correlation_inputs import dependency_order, epoch, reference_keys, references
from secops.detection.sigma.engine import CompiledRule, Engine
from secops.detection.sigma.logsource import logsource_masks
from secops.detection.sigma.rules import load_rules
from secops.detection.sigma.ruleset import iter_rule_files
from secops.errors import SecopsError
from secops.i18n import _

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["HuntResult", "RuleOutcome", "default_window", "run_hunt"]


@dataclass
class RuleOutcome:
    """What the hunt did with one rule."""

    id: str
    title: str
    kind: str  # rule | correlation
    query: str | None = None
    exact: bool = True  # False: hits confirmed by the local engine (relaxed conditions listed)
    relaxed: list[str] = field(default_factory=list)
    hits: int = 0
    matches: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class HuntResult:
    index: str
    start: datetime
    end: datetime
    matches: list[Match] = field(default_factory=list)
    rules: list[RuleOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rules that could not be loaded or compiled
    requests: int = 0

    @property
    def failed(self) -> list[RuleOutcome]:
        return [r for r in self.rules if r.error]


def run_hunt(
    es: Elasticsearch, index: str, rule_paths: Sequence[Path | str], start: datetime, end: datetime
) -> HuntResult:
    """Hunt ``rule_paths`` over ``index`` (a pattern) for events with ``start <= @timestamp < end``."""
    from elasticsearch import ApiError, TransportError

    engine = _engine(rule_paths)
    check_indices(es, index)
    result = HuntResult(index, start, end, problems=[str(e) for e in engine.errors])
    queries = lucene_queries([compiled.parsed for compiled in engine.rules])
    lookback = timedelta(seconds=sum(c.timespan.seconds for c in engine.ruleset.correlations))
    base: dict[str, list[Match]] = {}
    broken: set[str] = set()  # keys of base rules that could not be hunted
    planned: list[tuple[CompiledRule, RuleOutcome, bool]] = []
    searches: list[tuple[list[dict[str, Any]], datetime, datetime]] = []
    for compiled in engine.rules:
        outcome = _outcome(compiled, queries[id(compiled.parsed)])
        result.rules.append(outcome)
        if outcome.query is None:
            broken |= {compiled.key, compiled.parsed.name or compiled.key}
            continue
        is_base = bool({compiled.key, compiled.parsed.name} & engine.base_keys)
        planned.append((compiled, outcome, is_base))
        searches.append((_clauses(engine, compiled, outcome.query), start - lookback if is_base else start, end))
    try:
        with Searcher(es, index) as searcher:
            for (compiled, outcome, is_base), pages in zip(planned, searcher.pages(searches), strict=True):
                try:
                    found = _unique(_rule_matches(engine, compiled, pages, outcome))
                except QueryRefused as error:  # the node refused this query: the rule's problem
                    outcome.error = _("Elasticsearch refused the query: {reason}").format(reason=error)
                    broken |= {compiled.key, compiled.parsed.name or compiled.key}
                    continue
                if is_base:
                    base.setdefault(compiled.key, []).extend(found)
                    if compiled.parsed.name and compiled.parsed.name != compiled.key:
                        base.setdefault(compiled.parsed.name, []).extend(found)
                if not compiled.hidden:
                    kept = [m for m in found if _inside(m, start)]
                    outcome.matches = len(kept)
                    result.matches.extend(kept)
            result.requests = searcher.requests
    except (ApiError, TransportError) as error:
        raise SecopsError(
            _("Elasticsearch failed during the hunt: {kind}: {reason}").format(kind=type(error).__name__, reason=error)
        ) from None
    result.matches.extend(_correlations(engine, base, broken, start, result))
    return result


def _engine(rule_paths: Sequence[Path | str]) -> Engine:
    missing = [str(p) for p in rule_paths if not Path(p).exists()]
    if missing or not rule_paths:
        raise SecopsError(
            _("no such rule file or folder: {paths}").format(paths=", ".join(missing) or _("(none given)")),
            hint=_("check --rules"),
        )
    if not any(True for _file in iter_rule_files(rule_paths)):
        raise SecopsError(
            _("no Sigma rule file (.yml) under {paths}").format(paths=", ".join(map(str, rule_paths))),
            hint=_("check --rules"),
        )
    engine = Engine(load_rules(rule_paths))
    if not engine.rules and not engine.ruleset.correlations:
        first = f": {engine.errors[0]}" if engine.errors else ""
        raise SecopsError(
            _("no usable Sigma rule in {paths}").format(paths=", ".join(map(str, rule_paths))) + first,
            hint=_("check --rules"),
        )
    return engine


def _outcome(compiled: CompiledRule, query: LuceneQuery) -> RuleOutcome:
    return RuleOutcome(compiled.key, compiled.title, "rule", query.query, query.exact, query.relaxed, error=query.error)


def _clauses(engine: Engine, compiled: CompiledRule, query: str) -> list[dict[str, Any]]:
    clauses = [search_body(query)]
    product = engine.specs[compiled.spec].product
    if product:  # the logsource's product, where Elasticsearch can say it exactly (checked again below)
        unknown = {"bool": {"must_not": {"exists": {"field": "_product"}}}}
        clauses.append({"bool": {"should": [{"term": {"_product": product}}, unknown]}})
    return clauses


def _rule_matches(
    engine: Engine, compiled: CompiledRule, pages: Iterable[list[dict[str, Any]]], outcome: RuleOutcome
) -> Iterator[Match]:
    """The rule's matches among its hits, page by page."""
    spec = engine.specs[compiled.spec]
    for page in pages:
        outcome.hits += len(page)
        for batch in batches_from_hits(page):
            if not outcome.exact:  # the engine decides what the relaxed query could not
                yield from (m for c, m in engine.rule_matches(batch) if c is compiled)
                continue
            rows = logsource_masks([spec], batch)[0]
            for row in range(batch.size):
                if rows >> row & 1:
                    yield Engine.make_match(compiled, batch, row)


def _correlations(
    engine: Engine, base: dict[str, list[Match]], broken: set[str], start: datetime, result: HuntResult
) -> list[Match]:
    """The local engine's correlations over the hunted base matches; those missing a base are reported."""
    correlations = engine.ruleset.correlations
    if not correlations:
        return []
    skipped: dict[str, str] = {}
    for rule in dependency_order(correlations):  # a broken correlation breaks its users too
        missing = [ref.reference for ref in references(rule) if set(reference_keys(ref)) & broken]
        key = correlation_rule_id(rule)
        outcome = RuleOutcome(key, rule.title, "correlation")
        if missing:
            outcome.error = _("base rule(s) could not be hunted: {rules}").format(rules=", ".join(missing))
            skipped[key] = outcome.error
            broken |= {key, rule.name or key}
        result.rules.append(outcome)
    found = [m for m in engine.correlate(base) if m.rule_id not in skipped and _inside(m, start)]
    counts: dict[str, int] = {}
    for match in found:
        counts[match.rule_id] = counts.get(match.rule_id, 0) + 1
    for outcome in result.rules:
        if outcome.kind == "correlation":
            outcome.matches = counts.get(outcome.id, 0)
    return found


def _unique(matches: Iterable[Match]) -> list[Match]:
    """One match per event: an event indexed into two indices of the pattern is still one event."""
    found: dict[tuple[str, int], Match] = {}
    for match in matches:
        found.setdefault((match.log_file, match.record), match)
    return list(found.values())


def _inside(match: Match, start: datetime) -> bool:
    return match.timestamp is not None and epoch(match.timestamp) >= start.timestamp()


def default_window(since: str, until: str | None, now: datetime, zone: tzinfo = UTC) -> tuple[datetime, datetime]:
    """(start, end) of a hunt from ``--since``/``--until`` (durations before ``now`` or ISO times;
    a time without an offset is a wall time in ``zone``)."""
    from secops.detection.hunt_search import parse_when

    start = parse_when(since, now, zone=zone)
    end = parse_when(until, now, option="--until", zone=zone) if until else now
    if start >= end:
        raise SecopsError(
            _("--since {since} is not before --until {until}").format(since=since, until=until or _("now"))
        )
    return start, end


def now_utc() -> datetime:
    return datetime.now(UTC)
