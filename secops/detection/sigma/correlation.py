"""Sigma v2 correlation rules evaluated over the base rules' matches, with sliding time windows.

``correlate(rules, base_matches)`` takes pySigma's parsed correlation rules and the matches of the
rules they reference (keyed by rule id and/or name) and returns one correlation ``Match`` per
group per burst. Supported types: event_count, value_count, temporal, temporal_ordered, and also
value_sum, value_avg, value_median and value_percentile (pySigma 1.5 parses them). Correlations of
correlations work: a rule may reference another correlation rule of the same call.

Semantics (what the tests pin down):

* **Sliding windows.** A window is every member event within ``timespan`` (inclusive) before the
  event that closes it; windows are evaluated at every event, not on clock buckets, so 10 failures
  in 4.5 minutes that straddle a 5-minute clock edge alert (ES|QL's ``date_trunc`` buckets miss it).
* **Conditions.** ``gt``/``gte`` only grow as a window fills, so they are checked at every event
  and alert as early as possible. ``lt``/``lte``/``eq``/``neq`` (and every value_sum/avg/median/
  percentile condition, and extended temporal conditions that use ``not``) are checked only on
  *maximal* windows -- those the next event would no longer fit in -- because any prefix of a busy
  window would otherwise satisfy "fewer than N" and alert on the first event of a flood.
  Groups that send no events at all cannot alert: there is nothing to correlate.
* **Grouping.** Group-by values are read from each match's ``event`` dict (field aliases are
  resolved per referenced rule; exact name first, then case-insensitively). A match that lacks a
  group-by field is not correlated, as with EQL join keys: lumping all "unknown source" events
  into one group would fabricate a common source.
* **Counting.** An event matched by several referenced rules counts once (event_count,
  value_count, value_*); for temporal types it counts for every rule it matched. value_count
  counts distinct non-null values of the condition field(s); value_* ignore non-numeric values.
* **temporal** alerts when all referenced rules (or the count the condition names, or the
  extended boolean condition) are seen in one window of the group; **temporal_ordered** when they
  are seen in the listed order (a chain r1 < r2 < ... within the window; the count condition
  applies to the length of the longest in-order prefix). temporal_ordered with an extended
  condition is evaluated like temporal: order is not enforced there.
* **De-duplication: one alert per group per burst.** When a window first satisfies the condition
  the alert is emitted with that window's events as members. Following events of the group stay in
  the same burst -- and are not alerted again -- while each comes within ``timespan`` of the
  previous burst event and the window ending at it still satisfies the condition. The first event
  that breaks either ends the burst; counting then restarts from that event, so events already
  reported never count towards a second alert. A sustained brute force therefore gives one alert;
  a new wave after a pause gives a new one.
* **Time.** Matches without a timestamp are ignored for correlation (a window needs a time);
  naive timestamps are taken as UTC. Inputs are sorted by time (equal times by file and record number,
  i.e. line order); the scan per group is linear after the O(n log n) sort (median/percentile keep a
  sorted window: O(window) per event).

The alert: ``rule_type="correlation"``, rule id/title/level/tags from the correlation rule,
``timestamp``/``log_file``/``record`` of the last member, ``event`` = the group-by values.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from sigma.correlations import (
    CorrelationConditionAND,
    CorrelationConditionItem,
    CorrelationConditionNOT,
    CorrelationConditionOR,
    SigmaCorrelationCondition,
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
    SigmaExtendedCorrelationCondition,
    SigmaRuleReference,
)

from secops.detection.events import Match
from secops.detection.sigma.correlation_inputs import (
    MISSING,
    CorrelationItem,
    dependency_order,
    epoch,
    hashable,
    lookup,
    number_of,
    reference_keys,
    references,
    rule_keys,
)
from secops.detection.sigma.ruleset import title_zh_of
from secops.detection.sigma.windows import (
    EventCount,
    Temporal,
    TemporalOrdered,
    ValueCount,
    ValueStat,
    Window,
)

__all__ = ["correlate", "correlation_rule_id"]

_PLAIN = (str, int, float, bool)
_OPS: dict[SigmaCorrelationConditionOperator, Callable[[float, float], bool]] = {
    SigmaCorrelationConditionOperator.GT: lambda a, b: a > b,
    SigmaCorrelationConditionOperator.GTE: lambda a, b: a >= b,
    SigmaCorrelationConditionOperator.LT: lambda a, b: a < b,
    SigmaCorrelationConditionOperator.LTE: lambda a, b: a <= b,
    SigmaCorrelationConditionOperator.EQ: lambda a, b: a == b,
    SigmaCorrelationConditionOperator.NEQ: lambda a, b: a != b,
}
_GROWING_OPS = {SigmaCorrelationConditionOperator.GT, SigmaCorrelationConditionOperator.GTE}
_VALUE_STATS = {
    SigmaCorrelationType.VALUE_SUM,
    SigmaCorrelationType.VALUE_AVG,
    SigmaCorrelationType.VALUE_MEDIAN,
    SigmaCorrelationType.VALUE_PERCENTILE,
}


_ORDER = attrgetter("t", "log_file", "record", "seq")


def correlation_rule_id(rule: SigmaCorrelationRule) -> str:
    """The id a correlation alert carries: the rule's UUID, else its name, else its title."""
    if rule.id is not None:
        return str(rule.id)
    return rule.name or rule.title


def correlate(
    correlation_rules: Sequence[SigmaCorrelationRule],
    base_matches: dict[str, list[Match]],
    on_error: Callable[[SigmaCorrelationRule, Exception], None] | None = None,
) -> list[Match]:
    """Evaluate correlation rules over base matches; return the correlation matches, sorted by time.

    ``base_matches`` maps a referenced rule's id and/or name to its matches (both keys may point to
    the same list). Correlation rules that reference other correlation rules are evaluated after
    them, with the earlier alerts as input. With ``on_error``, a rule that raises is handed to it and
    gives no alert; the others still run.
    """
    known: dict[str, list[Match]] = dict(base_matches)
    epochs: dict[int, float] = {}  # id(match) -> epoch seconds, shared by the rules of this call
    alerts: list[Match] = []
    # Millions of short-lived window items create no reference cycles, yet each allocation burst
    # triggers collections that walk every Match on the heap: tripled the run time on 500k matches.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for rule in dependency_order(correlation_rules):
            try:
                found = _correlate_one(rule, known, epochs)
            except Exception as error:
                if on_error is None:
                    raise
                on_error(rule, error)
                found = []
            alerts.extend(found)
            for key in rule_keys(rule):
                known[key] = found
    finally:
        if collecting:
            gc.enable()
    alerts.sort(key=lambda m: (epoch(m.timestamp) if m.timestamp else math.inf, m.rule_id))
    return alerts


# --- one correlation rule -------------------------------------------------------------------------


def _correlate_one(rule: SigmaCorrelationRule, known: dict[str, list[Match]], epochs: dict[int, float]) -> list[Match]:
    refs = references(rule)
    items = _collect_items(refs, known, epochs)
    if not items:
        return []
    group_by = list(rule.group_by or [])
    aliases = {alias.alias: {ref.reference: name for ref, name in alias.mapping.items()} for alias in rule.aliases}
    ref_names = [ref.reference for ref in refs]

    def field_value(item: CorrelationItem, name: str) -> Any:
        mapping = aliases.get(name)
        if mapping is not None:
            for position in item.positions:
                if ref_names[position] in mapping:
                    name = mapping[ref_names[position]]
                    break
        return lookup(item.match.event, name)

    groups: dict[tuple[Any, ...], list[CorrelationItem]] = {}
    if not group_by:
        groups[()] = items
    elif len(group_by) == 1 and not aliases:  # the common case, kept tight: one plain field
        name = group_by[0]
        for item in items:
            event = item.match.event
            value = event.get(name)
            if value is None:
                value = lookup(event, name)
                if value is MISSING:
                    continue  # no join key: see the module docstring
            if value.__class__ not in _PLAIN:
                value = hashable(value)
            group = groups.get((value,))
            if group is None:
                groups[(value,)] = [item]
            else:
                group.append(item)
    else:
        for item in items:
            values = tuple(field_value(item, name) for name in group_by)
            if MISSING in values:
                continue
            groups.setdefault(tuple(hashable(v) for v in values), []).append(item)

    span = float(rule.timespan.seconds)
    make_window = _window_factory(rule, len(refs), ref_names, field_value)
    growing = _is_growing(rule)
    alerts: list[Match] = []
    for key, members in groups.items():
        # Equal times (1-second syslog stamps) keep file order: the record number is the truth there.
        members.sort(key=_ORDER)
        for start, end in _scan(members, span, make_window(members), growing):
            alerts.append(_alert(rule, dict(zip(group_by, key, strict=True)), members[start : end + 1]))
    return alerts


def _collect_items(
    refs: list[SigmaRuleReference], known: dict[str, list[Match]], epochs: dict[int, float]
) -> list[CorrelationItem]:
    """One item per distinct timestamped event, with every referenced rule it matched."""
    sources: list[tuple[int, list[Match]]] = []
    for position, ref in enumerate(refs):
        seen_lists: set[int] = set()
        for key in reference_keys(ref):
            matches = known.get(key)
            if matches is not None and id(matches) not in seen_lists:
                seen_lists.add(id(matches))
                sources.append((position, matches))
    single = len(sources) == 1  # one list: nothing to merge, skip the per-event dictionary
    by_event: dict[tuple[str, int, float], CorrelationItem] = {}
    items: list[CorrelationItem] = []
    for position, matches in sources:
        for match in matches:
            t = epochs.get(id(match))
            if t is None:
                if match.timestamp is None:
                    continue  # no time, no window
                t = epochs[id(match)] = epoch(match.timestamp)
            if single:
                items.append(CorrelationItem(t, match.log_file, match.record, len(items), match, [position]))
                continue
            event_key = (match.log_file, match.record, t)
            item = by_event.get(event_key)
            if item is None:
                item = by_event[event_key] = CorrelationItem(
                    t, match.log_file, match.record, len(items), match, [position]
                )
                items.append(item)
            elif position not in item.positions:
                item.positions.append(position)
    return items


def _scan(items: list[CorrelationItem], span: float, window: Window, growing: bool) -> Iterable[tuple[int, int]]:
    """(first, last) member indexes of each alert of one group; see "De-duplication" above."""
    n = len(items)
    start = 0
    in_burst = False
    last = -1
    for j in range(n):
        window.add(j)
        t = items[j].t
        while t - items[start].t > span:
            window.remove(start)
            start += 1
        if in_burst:
            maximal = growing or j == n - 1 or items[j + 1].t - items[start].t > span
            if t - items[last].t <= span and (not maximal or window.satisfied(start)):
                last = j
                continue
            in_burst = False  # the burst is over: count afresh from this event
            window.reset()
            start = j
            window.add(j)
        maximal = growing or j == n - 1 or items[j + 1].t - items[start].t > span
        if maximal and window.satisfied(start):
            yield start, j
            in_burst = True
            last = j


def _alert(rule: SigmaCorrelationRule, group: dict[str, Any], members: list[CorrelationItem]) -> Match:
    last = members[-1].match
    return Match(
        rule_id=correlation_rule_id(rule),
        rule_title=rule.title,
        rule_title_zh=title_zh_of(rule),
        level=rule.level.name.lower() if rule.level is not None else "informational",
        tags=[str(tag) for tag in rule.tags],
        log_file=last.log_file,
        record=last.record,
        timestamp=last.timestamp,
        event={name: list(value) if isinstance(value, tuple) else value for name, value in group.items()},
        members=[item.match for item in members],
        rule_type="correlation",
    )


def _window_factory(
    rule: SigmaCorrelationRule,
    rules: int,
    ref_names: list[str],
    field_value: Callable[[CorrelationItem, str], Any],
) -> Callable[[list[CorrelationItem]], Window]:
    condition = rule.condition
    kind = rule.type
    if isinstance(condition, SigmaExtendedCorrelationCondition):
        positions: dict[str, int] = {}
        for position, name in enumerate(ref_names):
            positions.setdefault(name, position)
        tree = condition.parsed

        def holds(counts: Counter[int]) -> bool:
            return _evaluate(tree, lambda name: counts.get(positions.get(name, -1), 0) > 0)

        return lambda items: Temporal(items, holds)

    op = _OPS[condition.op]
    threshold = condition.count

    def test(value: float) -> bool:
        return op(value, threshold)

    if kind == SigmaCorrelationType.EVENT_COUNT:
        return lambda items: EventCount(test)
    if kind == SigmaCorrelationType.TEMPORAL:
        return lambda items: Temporal(items, lambda counts: test(sum(1 for c in counts.values() if c > 0)))
    if kind == SigmaCorrelationType.TEMPORAL_ORDERED:
        return lambda items: TemporalOrdered(items, rules, test)
    fields = _condition_fields(condition)
    if kind == SigmaCorrelationType.VALUE_COUNT:

        def distinct(items: list[CorrelationItem]) -> Window:
            return ValueCount([_field_key(item, fields, field_value) for item in items], test)

        return distinct
    if kind in _VALUE_STATS:
        percentile = 50.0 if kind == SigmaCorrelationType.VALUE_MEDIAN else float(condition.percentile or 50)

        def stat(items: list[CorrelationItem]) -> Window:
            return ValueStat([number_of(field_value(item, fields[0])) for item in items], kind, percentile, test)

        return stat
    raise ValueError(f"unsupported correlation type {kind!r}")  # pySigma rejects others when parsing


def _is_growing(rule: SigmaCorrelationRule) -> bool:
    """Whether adding events to a window can only turn the condition from false to true."""
    condition = rule.condition
    if isinstance(condition, SigmaExtendedCorrelationCondition):
        return not _has_not(condition.parsed)
    if rule.type in _VALUE_STATS:
        return False
    return condition.op in _GROWING_OPS


def _condition_fields(condition: SigmaCorrelationCondition) -> list[str]:
    ref = condition.fieldref
    if ref is None:
        return []
    return [ref] if isinstance(ref, str) else list(ref)


def _field_key(item: CorrelationItem, fields: list[str], field_value: Callable[[CorrelationItem, str], Any]) -> Any:
    values = []
    for name in fields:
        value = field_value(item, name)
        if value is MISSING or value is None or value == "":
            return MISSING  # null values are not distinct values
        values.append(hashable(value))
    return values[0] if len(values) == 1 else tuple(values)


def _evaluate(node: CorrelationConditionItem | SigmaRuleReference, present: Callable[[str], bool]) -> bool:
    if isinstance(node, SigmaRuleReference):
        return present(node.reference)
    if isinstance(node, CorrelationConditionNOT):
        return not _evaluate(node.args[0], present)
    if isinstance(node, CorrelationConditionAND):
        return all(_evaluate(arg, present) for arg in node.args)
    if isinstance(node, CorrelationConditionOR):
        return any(_evaluate(arg, present) for arg in node.args)
    raise ValueError(f"unknown correlation condition node {node!r}")


def _has_not(node: CorrelationConditionItem | SigmaRuleReference) -> bool:
    if isinstance(node, SigmaRuleReference):
        return False
    return isinstance(node, CorrelationConditionNOT) or any(_has_not(arg) for arg in node.args)
