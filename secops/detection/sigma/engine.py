"""The local Sigma engine: compiled rules evaluated over columnar batches, then correlations.

``Engine(ruleset).match(batch)`` returns the batch's matches; ``Engine.run(paths)`` reads logs
with :func:`secops.detection.readers.read_paths` and finishes with correlation rules, whose base
rules' matches are collected even when those rules do not generate alerts of their own (Sigma's
``generate: false``, the default: such base rules are then not reported by themselves).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secops.detection.events import EventBatch, Match, ReadStats, coalesce
from secops.detection.sigma.atoms import AND, ATOM, NOT, OR, TRUE, AtomTable, CompileError, Node
from secops.detection.sigma.batch import BatchContext
from secops.detection.sigma.logsource import LogsourceSpec, logsource_masks
from secops.detection.sigma.ruleset import RuleSet, rule_key, title_zh_of
from secops.errors import ContentError
from secops.i18n import _

if TYPE_CHECKING:  # pySigma is needed to compile rules, not to match them (the compiled cache)
    from sigma.correlations import SigmaCorrelationRule
    from sigma.rule import SigmaRule

log = logging.getLogger(__name__)


@dataclass
class CompiledRule:
    rule: SigmaRule | None  # None when loaded from the compiled cache (secops.detection.sigma.cache)
    key: str  # id, else name, else title
    title: str
    level: str
    tags: list[str]
    tree: Node
    spec: int  # index into Engine.specs
    hidden: bool = False  # a correlation base rule with generate: false
    origin: tuple[Path, int] | None = None  # the rule's file and line (kept for a cached rule)
    name: str | None = None  # the rule's name (correlations may reference it by name)
    title_zh: str = ""  # the rule's Chinese title (custom attribute title_zh of our packs), for alerts

    @property
    def parsed(self) -> SigmaRule:
        """The pySigma rule (conversion to queries needs it; an engine from the cache has none)."""
        if self.rule is None:
            raise RuntimeError(f"rule {self.key} was loaded from the compiled cache, without its parsed form")
        return self.rule


@dataclass
class RuleFailure:
    """A rule that raised while matching: reported once, however many batches it failed on."""

    path: Path
    line: int
    title: str
    error: str  # the exception's type only: its text may quote log content (student data)
    batches: int = 0
    events: int = 0  # events the rule could not be tested on

    def as_error(self) -> ContentError:
        if not self.events:  # a correlation: it failed over the matches it correlates
            return ContentError(
                self.path,
                self.line,
                _("rule '{title}' failed ({kind}) and gave no alert").format(title=self.title, kind=self.error),
            )
        return ContentError(
            self.path,
            self.line,
            _(
                "rule '{title}' failed ({kind}) on {events} event(s) in {batches} batch(es); it was skipped for "
                "them, the other rules were not"
            ).format(title=self.title, kind=self.error, events=self.events, batches=self.batches),
        )


@dataclass
class EngineStats:
    batches: int = 0
    events: int = 0
    matches: int = 0
    rules_evaluated: int = 0
    atoms_evaluated: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)


def level_of(rule: SigmaRule | SigmaCorrelationRule) -> str:
    return rule.level.name.lower() if rule.level is not None else "informational"


def tags_of(rule: SigmaRule | SigmaCorrelationRule) -> list[str]:
    return [str(tag) for tag in rule.tags]


class Engine:
    """Compiles a :class:`RuleSet` once; matches any number of batches."""

    def __init__(self, ruleset: RuleSet, *, placeholders: Mapping[str, Sequence[str]] | None = None) -> None:
        from secops.detection.sigma.compile import compile_detection

        self.ruleset = ruleset
        self.errors: list[ContentError] = list(ruleset.errors)
        self.warnings: list[str] = []
        self.table = AtomTable()
        self.specs: list[LogsourceSpec] = []
        self.rules: list[CompiledRule] = []
        self.stats = EngineStats()
        spec_index: dict[LogsourceSpec, int] = {}
        base_keys, generated = self._correlation_bases()
        self.failures: dict[int, RuleFailure] = {}  # id(CompiledRule) -> what it raised while matching
        for rule in ruleset.rules:
            path, line = ruleset.origin(rule)
            try:
                tree, warnings = compile_detection(rule, self.table, placeholders)
                spec = LogsourceSpec.of(rule.logsource)
                key = rule_key(rule)
                compiled = CompiledRule(
                    rule, key, rule.title, level_of(rule), tags_of(rule), tree, 0, origin=(path, line), name=rule.name,
                    title_zh=title_zh_of(rule),
                )  # fmt: skip
            except CompileError as error:
                message = _("rule '{title}': {reason}").format(title=rule.title, reason=error)
                self.errors.append(ContentError(path, line, message))
                continue
            except Exception as error:  # pySigma parses lazily and raises plain errors on odd YAML
                message = _("rule '{title}': cannot compile ({kind}: {reason})").format(
                    title=rule.title, kind=type(error).__name__, reason=error
                )
                self.errors.append(ContentError(path, line, message))
                continue
            self.warnings += [f"{path}: rule '{rule.title}': {w}" for w in warnings]
            index = spec_index.setdefault(spec, len(self.specs))
            if index == len(self.specs):
                self.specs.append(spec)
            names = {key, rule.name} - {None}
            compiled.spec = index
            compiled.hidden = bool(names & base_keys) and not names & generated
            self.rules.append(compiled)
        self._by_spec: list[list[CompiledRule]] = [[] for _ in self.specs]
        for compiled in self.rules:
            self._by_spec[compiled.spec].append(compiled)
        self.base_keys = base_keys
        self.generated = generated

    @classmethod
    def from_compiled(
        cls,
        table: AtomTable,
        specs: list[LogsourceSpec],
        rules: list[CompiledRule],
        errors: list[ContentError],
        warnings: list[str],
        correlations: Sequence[tuple[SigmaCorrelationRule, tuple[Path, int]]] = (),
        base_keys: set[str] | None = None,
        generated: set[str] | None = None,
    ) -> Engine:
        """An engine of rules compiled earlier (the cache): the same matching; the detection rules
        without their pySigma objects, the correlation rules (few) as parsed."""
        engine = cls.__new__(cls)
        engine.ruleset = RuleSet(
            correlations=[c for c, _ in correlations], origins={id(c): origin for c, origin in correlations}
        )
        engine.errors, engine.warnings = errors, warnings
        engine.table, engine.specs, engine.rules = table, specs, rules
        engine.stats = EngineStats()
        engine.failures = {}
        engine._by_spec = [[] for _ in specs]
        for compiled in rules:
            engine._by_spec[compiled.spec].append(compiled)
        engine.base_keys, engine.generated = base_keys or set(), generated or set()
        return engine

    def _correlation_bases(self) -> tuple[set[str], set[str]]:
        """Rule ids/names referenced by correlations, and those whose correlation says generate."""
        referenced: set[str] = set()
        generated: set[str] = set()
        for correlation in self.ruleset.correlations:
            for reference in self.ruleset.references(correlation):
                base = self.ruleset.resolve(reference)
                keys = {reference}
                if base is not None:
                    keys |= {rule_key(base), base.name} - {None}  # type: ignore[arg-type]
                referenced |= keys
                if correlation.generate:
                    generated |= keys
        return referenced, generated

    @property
    def atom_count(self) -> int:
        return len(self.table.atoms)

    # matching ---------------------------------------------------------------------------------
    def match(self, batch: EventBatch, *, include_hidden: bool = False) -> list[Match]:
        """Every match of the batch, in rule order then row order."""
        return [m for compiled, m in self.rule_matches(batch) if include_hidden or not compiled.hidden]

    def rule_matches(self, batch: EventBatch) -> list[tuple[CompiledRule, Match]]:
        found: list[tuple[CompiledRule, Match]] = []
        if batch.size == 0:
            return found
        context = BatchContext(batch, self.table.atoms)
        masks = logsource_masks(self.specs, batch)
        evaluate = _evaluator(context)
        stats = self.stats
        stats.batches += 1
        stats.events += batch.size
        for spec, rules in enumerate(self._by_spec):
            domain = masks[spec]
            if not domain:
                continue
            for compiled in rules:
                stats.rules_evaluated += 1
                try:
                    rows = evaluate(compiled.tree, domain)
                    if rows:
                        found += [(compiled, self.make_match(compiled, batch, row)) for row in _bits(rows)]
                except Exception as error:  # one rule's bug or one odd value: that rule, that batch only
                    self._failed(compiled, domain, error)
        stats.atoms_evaluated += sum(1 for value in context.cache if value is not None)
        stats.matches += len(found)
        return found

    def _failed(self, compiled: CompiledRule, domain: int, error: Exception) -> None:
        failure = self.failures.get(id(compiled))
        if failure is None:
            path, line = compiled.origin or (Path("?"), 0)
            failure = self.failures[id(compiled)] = RuleFailure(path, line, compiled.title, type(error).__name__)
            log.debug("rule %s failed while matching", compiled.key, exc_info=error)
        failure.batches += 1
        failure.events += domain.bit_count()

    def failure_errors(self) -> list[ContentError]:
        """The rules that failed while matching, one error each (after ``run``/``match``)."""
        return [failure.as_error() for failure in self.failures.values()]

    @staticmethod
    def make_match(compiled: CompiledRule, batch: EventBatch, row: int) -> Match:
        return Match(
            rule_id=compiled.key,
            rule_title=compiled.title,
            rule_title_zh=compiled.title_zh,
            level=compiled.level,
            tags=list(compiled.tags),
            log_file=batch.file_of(row),
            record=batch.records[row],
            timestamp=batch.timestamps[row],
            event=batch.event(row),
        )

    # whole runs ---------------------------------------------------------------------------------
    def run(
        self,
        paths: Iterable[Path | str],
        *,
        log_format: str | None = None,
        stats: ReadStats | None = None,
        zone: tzinfo = UTC,
    ) -> Iterator[Match]:
        """Matches of every event under ``paths``, then the correlation matches; zone-less log times
        are wall times in ``zone``."""
        from secops.detection.readers import read_paths

        batches = read_paths([Path(p) for p in paths], log_format=log_format, stats=stats or ReadStats(), zone=zone)
        return self.run_batches(coalesce(batches))

    def run_batches(self, batches: Iterable[EventBatch]) -> Iterator[Match]:
        base: dict[str, list[Match]] = {}
        for batch in batches:
            for compiled, match in self.rule_matches(batch):
                name = compiled.name
                if compiled.key in self.base_keys or name in self.base_keys:
                    base.setdefault(compiled.key, []).append(match)
                    if name and name != compiled.key:
                        base.setdefault(name, []).append(match)
                if not compiled.hidden:
                    yield match
        if self.ruleset.correlations:
            yield from self.correlate(base)

    def correlate(self, base: dict[str, list[Match]]) -> list[Match]:
        """Correlation matches over the collected base matches (keys: rule id and name)."""
        try:
            from secops.detection.sigma.correlation import correlate
        except ImportError:
            self.warnings.append(_("correlation rules skipped: the correlation module is not available"))
            log.warning("correlation rules skipped: secops.detection.sigma.correlation is missing")
            return []
        hidden = self._hidden_correlations()
        found = correlate(self.ruleset.correlations, base, on_error=self._correlation_failed)
        return [m for m in found if m.rule_id not in hidden]

    def _correlation_failed(self, rule: SigmaCorrelationRule, error: Exception) -> None:
        path, line = self.ruleset.origin(rule)
        failure = self.failures.setdefault(id(rule), RuleFailure(path, line, rule.title, type(error).__name__))
        failure.batches += 1
        log.debug("correlation %s failed", rule.title, exc_info=error)

    def _hidden_correlations(self) -> set[str]:
        """Correlations used only as input of other correlations that do not generate them."""
        hidden: set[str] = set()
        for correlation in self.ruleset.correlations:
            keys = {rule_key(correlation), correlation.name} - {None}
            if keys & self.base_keys and not keys & self.generated:
                hidden |= keys  # type: ignore[arg-type]
        return hidden


def _bits(mask: int) -> Iterator[int]:
    """Set bit positions, ascending."""
    text = bin(mask)[:1:-1]
    pos = text.find("1")
    while pos != -1:
        yield pos
        pos = text.find("1", pos + 1)


def _evaluator(context: BatchContext) -> Any:
    cache = context.cache
    atom = context.atom

    def evaluate(node: Node, domain: int) -> int:
        tag = node[0]
        if tag == ATOM:
            value = cache[node[1]]
            if value is None:
                value = atom(node[1])
            return value & domain
        if tag == AND:
            for child in node[1]:
                domain = evaluate(child, domain)
                if not domain:
                    return 0
            return domain
        if tag == OR:
            matched = 0
            rest = domain
            for child in node[1]:
                hit = evaluate(child, rest)
                if hit:
                    matched |= hit
                    rest ^= hit
                    if not rest:
                        break
            return matched
        if tag == NOT:
            return domain ^ evaluate(node[1], domain)
        return domain if tag == TRUE else 0

    return evaluate
