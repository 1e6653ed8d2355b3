"""Sigma rules as Lucene for hunts: pySigma's Elasticsearch Lucene backend, told what it cannot say exactly.

Most of a Sigma detection means the same in Lucene over the events index (:mod:`es_index`):
strings, wildcards, ``contains``/``startswith``/``endswith``, numbers, ``exists``, keywords (on
``secops.keywords``), all case-insensitive through the lowercase normalizer. Some of it does not:

* ``re`` -- Lucene regular expressions are anchored, know no ``(?i)``, and run on lowercased terms;
* ``cidr`` on keyword fields, ``gt``/``lt`` comparisons (lexicographic on keywords), field
  references, timestamp parts, ``cased`` strings, numeric keywords.

Those conditions are *relaxed*, keeping the query a superset of the rule: where the condition sits
under an even number of NOTs it becomes "the field exists" (or "anything"), under an odd number
"nothing" -- so the NOT around it still keeps every event that could match. A regular expression
keeps the literals every match must contain (``union([\\s+(]|...)+select`` needs ``*union*`` and
``*select*``), so a hunt does not fetch every web request for it. Such a rule is marked
``exact=False`` and the hunt confirms each hit with the local engine's compiled rule; an exact
rule's hits are its matches (after the logsource check). Sigma ``null`` is "missing or empty" in the
engine, so it becomes ``((NOT _exists_:F) OR F:"")``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sigma.backends.elasticsearch.elasticsearch_lucene import LuceneBackend
from sigma.conditions import ConditionAND, ConditionFieldEqualsValueExpression, ConditionNOT, ConditionOR
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import SigmaCasedString, SigmaNull, SigmaRegularExpression, SigmaRegularExpressionFlag, SigmaString

from secops.detection.convert import sigma_error_message
from secops.detection.es_index import KEYWORDS

# The stdlib's own regex parser (re._parser, untyped): which literals every match must contain.
sre_parser: Any = importlib.import_module("re._parser")
ANYTHING = "*:*"
NOTHING = "(NOT *:*)"  # a pure negative group: Elasticsearch adds match_all, so this matches no document


@dataclass
class LuceneQuery:
    """One rule's query (several conditions OR-ed), or why the rule could not be converted."""

    query: str | None
    exact: bool
    relaxed: list[str]  # what was relaxed, for the report
    error: str | None = None


class HuntLuceneBackend(LuceneBackend):
    """The Lucene backend with the relaxations above; ``relaxed`` collects them per rule."""

    def __init__(self) -> None:
        super().__init__(processing_pipeline=None, collect_errors=False)
        self.relaxed: list[str] = []

    # helpers ------------------------------------------------------------------------------------
    def _relax(self, cond: Any, what: str) -> str:
        self.relaxed.append(what)
        if _negated(cond):
            return NOTHING
        field = getattr(cond, "field", None)
        return f"_exists_:{self.escape_and_quote_field(field)}" if field else ANYTHING

    # what Lucene cannot say exactly ---------------------------------------------------------------
    def convert_condition_field_eq_val_re(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        relaxed = self._relax(cond, f"{cond.field}|re")
        if relaxed == NOTHING or not isinstance(cond.value, SigmaRegularExpression):
            return relaxed
        need = required_literals(cond.value)
        if need is None:
            return relaxed
        lucene = self._render(self.escape_and_quote_field(cond.field), need, state)
        return relaxed if len(lucene) > _MAX_LITERAL_QUERY else f"({relaxed} AND {lucene})"

    def _render(self, field: str, need: Need, state: ConversionState) -> str:
        if isinstance(need, str):
            escaped = need.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")
            value = TextQueryBackend.convert_value_str(
                self, SigmaString(f"*{escaped}*"), state
            )  # no phrase quotes in wildcards
            return f"{field}:{value}"
        op, parts = need
        joiner = " AND " if op == "and" else " OR "
        return "(" + joiner.join(self._render(field, part, state) for part in parts) + ")"

    def convert_condition_field_eq_val_cidr(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        return self._relax(cond, f"{cond.field}|cidr")

    def convert_condition_field_compare_op_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        return self._relax(cond, f"{cond.field}|gt/lt")

    def convert_condition_field_eq_field(self, cond: Any, state: ConversionState) -> Any:
        return self._relax(cond, f"{cond.field}|fieldref")

    def convert_condition_field_eq_val_timestamp_part(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        return self._relax(cond, f"{cond.field}|timestamp part")

    def convert_condition_field_eq_val_str_case_sensitive(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        return self._relax(cond, f"{cond.field}|cased")

    def convert_condition_val_re(self, cond: Any, state: ConversionState) -> Any:
        return self._relax(cond, "keyword|re")

    def convert_condition_val_num(self, cond: Any, state: ConversionState) -> Any:
        return self._relax(cond, "numeric keyword")  # the engine searches it as text, Lucene as a term

    def decide_convert_condition_as_in_expression(
        self, cond: ConditionOR | ConditionAND, state: ConversionState
    ) -> bool:
        # a cased value inside "field:(a OR b)" would escape the relaxation above
        if any(isinstance(getattr(arg, "value", None), SigmaCasedString) for arg in cond.args):
            return False
        return bool(super().decide_convert_condition_as_in_expression(cond, state))

    # null is "missing or empty" in the engine ---------------------------------------------------
    def convert_condition_field_eq_val_null(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        field = self.escape_and_quote_field(cond.field)
        return f'((NOT _exists_:{field}) OR {field}:"")'

    def convert_condition_not(self, cond: ConditionNOT, state: ConversionState) -> Any:
        inner = cond.args[0]
        if isinstance(inner, ConditionFieldEqualsValueExpression) and isinstance(inner.value, SigmaNull):
            field = self.escape_and_quote_field(inner.field)
            return f'(_exists_:{field} AND NOT {field}:"")'
        return super().convert_condition_not(cond, state)


Need = str | tuple[str, list[Any]]  # a literal, or ("and" | "or", [Need, ...])
_MIN_LITERAL = 3
_MAX_LITERAL_QUERY = 4000


def required_literals(value: SigmaRegularExpression) -> Need | None:
    """The literals any match of the regular expression contains (None when nothing is certain)."""
    flags = 0
    if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
        flags |= re.IGNORECASE
    try:
        parsed = sre_parser.parse(str(value.regexp), flags)
    except (re.error, ValueError, TypeError, RecursionError):
        return None
    return _need(list(parsed))


def _need(items: list[Any]) -> Need | None:
    parts: list[Need] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_LITERAL:
            parts.append("".join(run))
        run.clear()

    for op, arg in items:
        if op is sre_parser.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        found: Need | None = None
        if op is sre_parser.SUBPATTERN:
            found = _need(list(arg[-1]))
        elif op is sre_parser.BRANCH:
            alternatives = [_need(list(branch)) for branch in arg[1]]
            if alternatives and all(alternatives):
                found = ("or", cast(list[Any], alternatives))
        elif op in (sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT) and arg[0] >= 1:
            found = _need(list(arg[2]))
        if found is not None:
            parts.append(found)
    flush()
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ("and", parts)


def _negated(cond: Any) -> bool:
    """Whether an odd number of NOTs sit above ``cond`` in the condition tree."""
    count = 0
    node = getattr(cond, "parent", None)
    while node is not None:
        if isinstance(node, ConditionNOT):
            count += 1
        node = getattr(node, "parent", None)
    return count % 2 == 1


def lucene_queries(rules: Sequence[SigmaRule]) -> dict[int, LuceneQuery]:
    """``id(rule)`` -> its Lucene query for a hunt over a secops events index."""
    backend = HuntLuceneBackend()
    found: dict[int, LuceneQuery] = {}
    for rule in rules:
        backend.relaxed = []
        try:
            queries = [str(q) for q in backend.convert_rule(rule)]
        except (SigmaError, NotImplementedError, ValueError, TypeError) as error:
            found[id(rule)] = LuceneQuery(None, False, [], error=sigma_error_message(error))
            continue
        if not queries:
            found[id(rule)] = LuceneQuery(None, False, [], error="the Lucene backend produced no query")
            continue
        query = queries[0] if len(queries) == 1 else " OR ".join(f"({q})" for q in queries)
        relaxed = list(dict.fromkeys(backend.relaxed))
        found[id(rule)] = LuceneQuery(query, not relaxed, relaxed)
    return found


def search_body(query: str) -> dict[str, Any]:
    """The ``query_string`` clause of a hunt: keywords search what the engine's keywords search."""
    return {
        "query_string": {
            "query": query,
            "default_field": KEYWORDS,
            "lenient": True,  # text against a numeric field is "no match", as in the engine
            "allow_leading_wildcard": True,
        }
    }
